from celery import shared_task

from governance.services.jobs import job_reap


@shared_task(name="governance.job_reap", ignore_result=True)
def job_reap_task() -> dict[str, int]:
    return job_reap()
