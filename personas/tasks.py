"""Celery tasks: thin bells that run the personas services (ids in, job rows as the truth)."""

from celery import shared_task

from governance.services.jobs import job_execute


@shared_task(name="personas.primary_persona_assign", ignore_result=True)
def primary_persona_assign_task(job_id: int) -> None:
    from personas.services.primary import primary_persona_assign_work

    job_execute(job_id=job_id, work=primary_persona_assign_work)


@shared_task(name="personas.primary_persona_assign_schedule", ignore_result=True)
def primary_persona_assign_schedule_task() -> None:
    """Beat's nightly bell, after segments refresh: queues a recomputation unless one is waiting."""
    from personas.services.primary import primary_persona_assign_request

    primary_persona_assign_request(actor=None)


@shared_task(name="personas.staleness_check", ignore_result=True)
def staleness_check_task() -> dict[str, int]:
    """Daily: idempotent (an open flag is not raised twice) and serialised by an advisory lock."""
    from personas.services.staleness import staleness_check

    return staleness_check()
