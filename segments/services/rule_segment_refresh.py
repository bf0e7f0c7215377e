"""Refreshing a rule segment: its compiled query selects the members inside PostgreSQL into a new
version, switched in the same transaction (segment_version_write_from_sql), with the lineage that
explains it. Refreshes run as jobs on the "ml" queue; beat asks for the ones whose schedule is due."""

import functools
import hashlib
import json
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus, User
from governance.services.audit import audit_record
from governance.services.jobs import JobReporter, job_request
from segments.feature_selectors import feature_run_latest
from segments.models import ImportRun, ImportStatus, Schedule, Segment, SegmentKind, SegmentVersion
from segments.rule_segment_selectors import REFRESH_TASK, last_refresh_requests, segment_refresh_jobs_active
from segments.rules.compiler import POPULATION_SQL, compile_definition
from segments.services.drift import rule_segment_alerts_raise
from segments.services.rule_segment_checks import SegmentRefused, rule_definition_check, rule_sensitivity
from segments.services.segment_hashtags import top_hashtags
from segments.services.segment_versions import segment_version_write_from_sql

SCHEDULE_PERIODS = {
    Schedule.DAILY: timedelta(days=1),
    Schedule.WEEKLY: timedelta(days=7),
    Schedule.MONTHLY: timedelta(days=30),
}
# Beat looks hourly; a refresh that took a few minutes yesterday is still due at the same hour today.
SCHEDULE_SLACK = timedelta(hours=1)


def rule_segment_refresh(
    *,
    segment_id: int,
    actor: User | None = None,
    job: Job | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> SegmentVersion:
    """Write the segment's next version from its current definition and make it current, with the
    sensitivity class of that definition now (the segments it uses may have changed class). On any
    error nothing is kept: the current version stays as it was."""
    report = progress or (lambda percent, message: None)
    report(5, "Checking the rules")
    with transaction.atomic():
        # The rules are read under the segment's lock: an edit saved before is the one built, and an
        # edit saved meanwhile waits, then queues a refresh of its own.
        segment = Segment.objects.select_for_update().get(id=segment_id)
        if segment.kind != SegmentKind.RULE or segment.retired_at is not None:
            raise SegmentRefused("Only live rule segments are refreshed from their rules.", field="kind")
        # Checked again: a segment these rules use may have been retired since they were saved.
        rule_definition_check(definition=segment.definition, segment=segment)
        compiled = compile_definition(segment.definition)
        previous = segment.current_version
        lineage = segment_lineage(segment=segment, actor=actor, job=job)
        report(15, "Selecting the members")
        version = segment_version_write_from_sql(
            segment=segment,
            member_sql=compiled.sql,
            params=compiled.params,
            definition=segment.definition,
            lineage=lineage,
        )
        report(85, "Describing the new version")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({POPULATION_SQL}) AS person")
            population = cursor.fetchone()[0]
        version.card = {
            "size": version.size,
            "share": round(version.size / population, 4) if population else 0.0,
            "top_hashtags": top_hashtags(version_ids=[version.id])[version.id],
        }
        SegmentVersion.objects.filter(id=version.id).update(card=version.card)
        details = {"version": version.number, "size": version.size, "job": job.id if job else None}
        sensitivity, reason = rule_sensitivity(definition=segment.definition)
        if (sensitivity, reason) != (segment.sensitivity, segment.sensitivity_reason):
            Segment.objects.filter(id=segment.id).update(sensitivity=sensitivity, sensitivity_reason=reason)
            details["sensitivity"] = {"before": segment.sensitivity, "after": sensitivity}
        rule_segment_alerts_raise(segment=segment, version=version, previous=previous)
        audit_record(actor=actor, action="segment.refreshed", subject=segment, details=details)
    return version


def rule_segment_refresh_request(*, segment: Segment, actor: User | None) -> Job:
    """Queue a refresh on the "ml" queue; while one of this segment is queued, that one is returned.
    A running one may have read the rules before a change, so it does not count. The segment's row
    lock makes two simultaneous requests queue one job."""
    with transaction.atomic():
        Segment.objects.select_for_update().filter(id=segment.id).exists()
        pending = segment_refresh_jobs_active(segment=segment).filter(status=JobStatus.QUEUED).first()
        if pending is not None:
            return pending
        audit_record(actor=actor, action="segment.refresh_requested", subject=segment)
        return job_request(
            task_name=REFRESH_TASK,
            title=f"Refresh segment “{segment.name}”",
            actor=actor,
            params={"segment_id": segment.id},
            queue="ml",
        )


def rule_segment_refresh_work(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """The job's work, for governance.services.jobs.job_execute."""
    version = rule_segment_refresh(
        segment_id=job.params["segment_id"], actor=job.requested_by, job=job, progress=reporter.progress
    )
    return {"version": version.number, "members": version.size}


def rule_segments_refresh_due(*, now: datetime | None = None) -> list[Job]:
    """Ask for a refresh of every rule segment whose schedule is due: its current version, and its
    last refresh request (a failing segment is not retried every hour), are older than its period."""
    now = now or timezone.now()
    scheduled = (
        Segment.objects.filter(kind=SegmentKind.RULE, retired_at=None)
        .exclude(refresh_schedule=Schedule.NEVER)
        .select_related("current_version")
    )
    requested = last_refresh_requests(since=now - max(SCHEDULE_PERIODS.values()))
    jobs = []
    for segment in scheduled.order_by("id"):
        due_before = now - SCHEDULE_PERIODS[segment.refresh_schedule] + SCHEDULE_SLACK
        version = segment.current_version
        if version is not None and version.created_at > due_before:
            continue
        if segment.id in requested and requested[segment.id] > due_before:
            continue
        jobs.append(rule_segment_refresh_request(segment=segment, actor=None))
    return jobs


def segment_lineage(*, segment: Segment, actor: User | None, job: Job | None) -> dict[str, Any]:
    """What a version was made from: the rules (by hash), the feature computation, the imports,
    the run's settings and the code."""
    run = feature_run_latest()
    imports = ImportRun.objects.filter(status=ImportStatus.SUCCEEDED)
    latest_import = imports.order_by("-id").first()
    return {
        "definition_hash": definition_hash(segment.definition),
        "feature_run_id": run.id if run else None,
        "features_computed_at": run.finished_at.isoformat() if run and run.finished_at else None,
        "imports": {
            "succeeded": imports.count(),
            "latest_id": latest_import.id if latest_import else None,
            "latest_file": latest_import.original_name if latest_import else None,
            "latest_finished_at": (
                latest_import.finished_at.isoformat() if latest_import and latest_import.finished_at else None
            ),
        },
        "run_settings": {
            "requested_by": actor.get_username() if actor else "schedule",
            "job_id": job.id if job else None,
            "refresh_schedule": segment.refresh_schedule,
            "bots_excluded": True,
        },
        "code_version": code_version(),
    }


def definition_hash(definition: Any) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@functools.cache
def code_version() -> str:
    """settings.CODE_VERSION when the deployment sets it, else `git describe` of the checkout."""
    configured = getattr(settings, "CODE_VERSION", "")
    if configured:
        return configured
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return described.stdout.strip() or "unknown"
