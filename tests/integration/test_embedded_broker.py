"""The embedded default carries Celery's messages through PostgreSQL (kombu's SQLAlchemy transport):
the same worker code runs a job to completion with no Redis at all."""

import os
import subprocess
import sys

import pytest

from governance.models import Job, JobStatus
from governance.services import jobs as job_services
from segments.models import Profile
from segments.services.demo_jobs import demo_data_job_request
from tests.integration.worker import celery_worker, wait_until, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


def test_a_job_travels_through_the_postgresql_broker(admin, monkeypatch):
    broker_url = worker_database_url().replace("postgres://", "sqla+postgresql+psycopg2://", 1)
    monkeypatch.setattr(job_services, "_job_enqueue", lambda job: None)  # sent by hand below
    job = demo_data_job_request(actor=admin, profiles=500, events=2_000, seed=5, replace=False)
    # Sent from a process of its own, so no broker connection outlives it in the test process; Celery
    # would prefer an inherited CELERY_BROKER_URL to the URL it is given.
    sender = (
        "import sys; from celery import Celery; "
        "Celery(broker=sys.argv[1]).send_task(sys.argv[2], args=[int(sys.argv[3])], queue=sys.argv[4])"
    )
    subprocess.run(
        [sys.executable, "-c", sender, broker_url, job.task_name, str(job.id), job.queue],
        check=True,
        timeout=60,
        env={name: value for name, value in os.environ.items() if name != "CELERY_BROKER_URL"},
    )

    with celery_worker("embedded", broker_url=broker_url):
        wait_until(lambda: Job.objects.get(id=job.id).is_finished, timeout=90, what="the job to finish")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Profile.objects.count() == job.result["profiles"]
