"""An import whose Celery worker is killed in the middle of merging leaves the audience as it was, and
the reaper's rerun imports the file whole."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus
from governance.services.jobs import job_reap
from segments.models import Identity, ImportRun, ImportStatus, Profile, RejectedRow
from segments.services.import_merge import IMPORT_LOCK
from segments.services.imports import import_run_create, import_run_start
from tests.factories import DataSourceFactory
from tests.integration.worker import broker_flush, celery_worker, wait_until, worker_kill

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]

ROWS = 400_000


def people_csv() -> bytes:
    lines = ["customer_id,first_name,email"]
    for number in range(1, ROWS + 1):
        email = "not-an-email" if number % 100_000 == 0 else f"p{number}@example.com"
        lines.append(f"C{number},Person {number},{email}")
    return ("\n".join(lines) + "\n").encode()


def import_lock_free(source_id: int) -> bool:
    """True once no transaction holds the source's import lock: the killed one has been rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, source_id])
        return cursor.fetchone()[0]


def test_a_killed_import_keeps_nothing_and_its_rerun_imports_every_row(
    marketer, settings, monkeypatch, tmp_path
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))  # the worker reads the upload from the same place
    broker_flush()
    source = DataSourceFactory(name="Big CRM")
    upload = SimpleUploadedFile("people.csv", people_csv())
    run = import_run_create(source=source, record_kind="profiles", actor=marketer, upload=upload)
    run = import_run_start(run=run, actor=marketer)

    with celery_worker("import-doomed") as doomed:
        wait_until(
            lambda: Job.objects.filter(id=run.job_id, status=JobStatus.RUNNING, progress__gt=5).exists(),
            timeout=180,
            what="the first chunk to be merged",
        )
        worker_kill(doomed)

    wait_until(lambda: import_lock_free(source.id), timeout=30, what="the killed transaction to end")
    assert not Profile.objects.filter(source=source).exists()
    assert not Identity.objects.exists() and not RejectedRow.objects.exists()
    assert ImportRun.objects.get(id=run.id).status == ImportStatus.RUNNING  # only the reaper knows

    assert job_reap(now=timezone.now() + timedelta(hours=1))["requeued"] == 1
    with celery_worker("import-rescuer"):
        wait_until(
            lambda: Job.objects.get(id=run.job_id).is_finished, timeout=300, what="the rerun to finish"
        )
    job = Job.objects.get(id=run.job_id)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2), job.error
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (ROWS, ROWS - 4, 4)
    assert Profile.objects.filter(source=source).count() == ROWS - 4
    assert RejectedRow.objects.filter(run=run).count() == 4
