"""Retention: each kind of data is kept for its policy's number of days, then deleted by a nightly job."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus
from governance.services.audit import audit_record
from governance.services.jobs import JobReporter, job_request
from segments.models import ImportRun, MatchCandidate, RejectedRow, RetentionPolicy

DEFAULT_KEEP_DAYS = {"events": 1095, "import_files": 90, "rejected_rows": 90, "match_candidates": 180}
EVENT_DELETE_BATCH = 100_000


def retention_periods() -> dict[str, int]:
    return {**DEFAULT_KEEP_DAYS, **dict(RetentionPolicy.objects.values_list("data_kind", "keep_days"))}


def retention_enforce_request() -> Job:
    """Queue the nightly run, unless one is already queued or running."""
    pending = Job.objects.filter(
        task_name="segments.retention_enforce", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    return pending or job_request(
        task_name="segments.retention_enforce", title="Enforce retention periods", actor=None
    )


def retention_enforce(*, now: datetime | None = None, reporter: JobReporter | None = None) -> dict[str, int]:
    """Delete what has outlived its retention period. Events go in batches, each its own transaction,
    so a large backlog neither holds one huge lock nor loses finished batches if the job stops."""
    now = now or timezone.now()
    keep = retention_periods()
    deleted = {"events": 0}
    cutoff = now - timedelta(days=keep["events"])
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM segments_event WHERE id IN "
                "(SELECT id FROM segments_event WHERE occurred_at < %s LIMIT %s)",
                [cutoff, EVENT_DELETE_BATCH],
            )
            batch = cursor.rowcount
        deleted["events"] += batch
        if reporter:
            reporter.progress(10, f"{deleted['events']:,} expired events deleted")
        if batch < EVENT_DELETE_BATCH:
            break

    with transaction.atomic():
        file_cutoff = now - timedelta(days=keep["import_files"])
        runs = list(ImportRun.objects.filter(created_at__lt=file_cutoff).exclude(file=""))
        for run in runs:
            stored = run.file
            transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
        ImportRun.objects.filter(id__in=[run.id for run in runs]).update(file="")
        deleted["import_files"] = len(runs)
        deleted["rejected_rows"] = RejectedRow.objects.filter(
            run__created_at__lt=now - timedelta(days=keep["rejected_rows"])
        ).delete()[0]
        # A rejection is kept: it is what keeps the pair apart ("not the same person") from then on.
        deleted["match_candidates"] = MatchCandidate.objects.filter(
            status=MatchCandidate.Status.ACCEPTED,
            decided_at__lt=now - timedelta(days=keep["match_candidates"]),
        ).delete()[0]
        audit_record(actor=None, action="retention.enforced", details=deleted)
    return deleted
