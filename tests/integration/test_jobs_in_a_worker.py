from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Job, JobStatus
from governance.services.jobs import job_reap
from segments.models import Event, Profile
from segments.services.demo_jobs import demo_data_job_request
from tests.integration.worker import broker_flush, celery_worker, wait_until, worker_kill

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


def job_status(job_id: int) -> str:
    return Job.objects.values_list("status", flat=True).get(id=job_id)


def test_a_worker_runs_a_job_to_completion(admin):
    broker_flush()
    job = demo_data_job_request(actor=admin, profiles=2_000, events=20_000, seed=11, replace=False)
    with celery_worker("complete"):
        wait_until(
            lambda: job_status(job.id) in ("succeeded", "failed"), timeout=90, what="the job to finish"
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress, job.attempts) == (100, 1)
    assert Profile.objects.count() == job.result["profiles"] >= 2_000
    assert Event.objects.count() == job.result["events"]


def test_a_job_whose_worker_is_killed_is_rerun_whole_by_the_reaper(admin):
    broker_flush()
    job = demo_data_job_request(actor=admin, profiles=200_000, events=2_000_000, seed=12, replace=False)
    with celery_worker("doomed") as doomed:
        wait_until(
            lambda: Job.objects.filter(id=job.id, status=JobStatus.RUNNING, progress__gt=0).exists(),
            timeout=90,
            what="the job to be under way",
        )
        worker_kill(doomed)

    # The killed worker's transaction dies with its connection: nothing half-written stays.
    wait_until(lambda: not Profile.objects.exists(), timeout=30, what="the killed transaction to roll back")
    assert not Event.objects.exists()
    assert job_status(job.id) == JobStatus.RUNNING  # the row still says running: only the reaper knows

    counts = job_reap(now=timezone.now() + timedelta(hours=1))
    assert counts["requeued"] == 1
    with celery_worker("rescuer"):
        wait_until(lambda: job_status(job.id) in ("succeeded", "failed"), timeout=240, what="the rerun")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    assert Profile.objects.count() == job.result["profiles"]
    assert Event.objects.count() == job.result["events"]
