"""The job-row pattern: request, claim, report progress, finish, cancel, reap.

A task claims its row with a conditional UPDATE that must change exactly one row, so a duplicated or
redelivered message does nothing. Progress goes through the "jobs" database alias, a second
connection, so it is visible while the work's own transaction is still open.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from governance.models import Job, JobStatus, User
from governance.services.audit import audit_record

logger = logging.getLogger(__name__)


class JobCancelled(Exception):
    pass


class JobSuperseded(Exception):
    """This attempt lost its job: the reaper took it for dead and queued it again. It stops, keeps
    nothing (its work is one transaction), and leaves the job to the attempt that owns it now."""


class JobReporter:
    """Handed to the work function: it reports progress and learns of a cancel request."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def progress(self, percent: float, message: str = "") -> None:
        percent = max(0, min(99, int(percent)))
        rows = Job.objects.using("jobs").filter(
            id=self.job.id, attempts=self.job.attempts, status=JobStatus.RUNNING
        )
        if not rows.update(progress=percent, message=message[:300], heartbeat_at=timezone.now()):
            # Not found on the jobs connection: re-queued or claimed again, unless the job's row is
            # not committed yet (a job made in the work's own transaction), which this one sees.
            ours = Job.objects.filter(id=self.job.id, attempts=self.job.attempts, status=JobStatus.RUNNING)
            if not ours.exists():
                raise JobSuperseded(f"Job {self.job.id} is no longer run by attempt {self.job.attempts}.")
        if rows.filter(cancel_requested=True).exists():
            raise JobCancelled()


def job_request(
    *,
    task_name: str,
    title: str,
    actor: User | None,
    params: dict[str, Any] | None = None,
    queue: str = "default",
) -> Job:
    job = Job.objects.create(
        task_name=task_name, queue=queue, title=title, params=params or {}, requested_by=actor
    )
    audit_record(actor=actor, action="job.requested", subject=job, details={"task": task_name})
    transaction.on_commit(lambda: _job_enqueue(job))
    return job


def _job_enqueue(job: Job) -> None:
    current_app.send_task(job.task_name, args=[job.id], queue=job.queue)


def job_execute(*, job_id: int, work: Callable[[Job, JobReporter], dict[str, Any]]) -> None:
    """Claim the job, run `work`, record the outcome. `work` returns the job's result dict and
    must leave the data as it was when it raises (do its writes in one transaction)."""
    now = timezone.now()
    claimed = Job.objects.filter(id=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        error="",
    )
    if claimed != 1:
        logger.info("job %s not claimed: already taken or finished", job_id)
        return
    job = Job.objects.get(id=job_id)
    this_attempt = Job.objects.filter(id=job_id, status=JobStatus.RUNNING, attempts=job.attempts)
    try:
        result = work(job, JobReporter(job))
    except JobCancelled:
        this_attempt.update(status=JobStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled.")
        return
    except JobSuperseded:
        logger.warning("job %s attempt %s stopped: a later attempt owns the job", job_id, job.attempts)
        return
    except SoftTimeLimitExceeded:
        this_attempt.update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error="The job ran past its time limit and was stopped; nothing it did was kept.",
        )
        return
    except Exception as error:
        logger.exception("job %s failed", job_id)
        this_attempt.update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=str(error) or repr(error)
        )
        return
    this_attempt.update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        result=result,
        message="Done.",
    )


def job_cancel(*, job: Job, actor: User) -> Job:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    with transaction.atomic():
        cancelled_now = Job.objects.filter(id=job.id, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled before it started."
        )
        if not cancelled_now:
            Job.objects.filter(id=job.id, status=JobStatus.RUNNING).update(cancel_requested=True)
        audit_record(actor=actor, action="job.cancel_requested", subject=job)
    job.refresh_from_db()
    return job


def job_reap(*, now=None) -> dict[str, int]:
    """Re-queue jobs whose worker died (stale heartbeat) or whose message was lost (never claimed);
    fail those that have used up their attempts. Runs under beat every minute."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    unclaimed_before = now - timedelta(seconds=settings.JOB_UNCLAIMED_AFTER_SECONDS)
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    with transaction.atomic():
        lost = Job.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=stale_before
        )
        for job in lost:
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                job.status, job.finished_at = JobStatus.FAILED, now
                job.error = f"The worker was lost {job.attempts} times; the job was given up."
                counts["failed"] += 1
            else:
                job.status, job.message = JobStatus.QUEUED, "Worker lost; queued again."
                job.queued_at = now
                counts["requeued"] += 1
                transaction.on_commit(lambda job=job: _job_enqueue(job))
            job.save(update_fields=["status", "finished_at", "error", "message", "queued_at"])
            audit_record(actor=None, action=f"job.reaped.{job.status}", subject=job)
        unclaimed = Job.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.QUEUED, queued_at__lt=unclaimed_before
        )
        for job in unclaimed:
            counts["resent"] += 1
            transaction.on_commit(lambda job=job: _job_enqueue(job))
        unclaimed.update(queued_at=now)
    return counts
