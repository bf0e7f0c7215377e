"""Clustering runs as jobs on the "ml" queue: request one, and the work a worker does for it.

The work reads the features (COPY) and fits (segments.ml.clustering.fit_segments). Then, in one
transaction, it writes a complete new version of every segment while a second thread describes each
one (cards), switches them all, records the run and raises drift alerts. A failure or a killed
worker leaves the current segments as they were; the reaper re-queues a lost job, which redoes the
run whole."""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus, User
from governance.services.audit import audit_record
from governance.services.jobs import JobReporter, JobSuperseded, job_request
from segments.feature_selectors import feature_run_latest
from segments.ml.cards import segment_cards
from segments.ml.clustering import ClusteringConfig, eligible_rows, fit_segments
from segments.models import (
    ClusteringRun,
    ImportRun,
    ImportStatus,
    RunStatus,
    Schedule,
    Segmentation,
)
from segments.rule_segment_selectors import blocked_segment_terms
from segments.services.clustering_frame import clustering_frame_read
from segments.services.clustering_publish import (
    cluster_keys,
    clustering_versions_write,
    previous_members,
    previous_membership_ari,
)
from segments.services.clustering_segmentations import clustering_sensitivity, next_scheduled_run
from segments.services.drift import drift_alerts_raise, feature_psi, feature_summaries
from segments.services.rule_segment_refresh import code_version
from segments.services.segment_hashtags import top_hashtags_of_groups

RUN_TASK = "segments.clustering_run_execute"
ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FOREIGN_KEY_VIOLATION = "23503"  # raised by the membership reference check (segments migration 0009)
Result = TypeVar("Result")


class MembersErasedMeanwhile(Exception):
    """A profile the run placed in a segment was erased before the run could publish."""


def clustering_run_request(
    *, segmentation: Segmentation, actor: User | None, config: dict[str, Any] | None = None
) -> ClusteringRun:
    """Queue a run with the segmentation's settings, or with `config` (an earlier run's, to repeat
    it exactly). While a run of this segmentation is queued or running, that one is returned."""
    with transaction.atomic():
        Segmentation.objects.select_for_update().filter(id=segmentation.id).exists()
        active = segmentation.runs.filter(job__status__in=ACTIVE_JOB_STATUSES).first()
        if active is not None:
            return active
        run_config = ClusteringConfig.from_dict(config or segmentation.config).to_dict()
        run = ClusteringRun.objects.create(segmentation=segmentation, config=run_config, requested_by=actor)
        run.job = job_request(
            task_name=RUN_TASK,
            title=f"Cluster “{segmentation.name}”",
            actor=actor,
            params={"run_id": run.id},
            queue="ml",
        )
        run.save(update_fields=["job"])
        audit_record(actor=actor, action="clustering.requested", subject=run, details={"config": run_config})
    return run


def clustering_run_work(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """The job's work, for governance.services.jobs.job_execute."""
    run = clustering_run_execute(run_id=job.params["run_id"], progress=reporter.progress)
    return {"segments": run.chosen_k, "profiles clustered": run.profiles_used, "outliers": run.outliers}


def clustering_run_execute(*, run_id: int, progress=None) -> ClusteringRun:
    """Run the clustering and publish its segments; on any error the run is marked failed (with the
    reason) and the error raised again for the job."""
    report = progress or (lambda percent, message="": None)
    run = ClusteringRun.objects.select_related("segmentation", "job", "requested_by").get(id=run_id)
    if run.status == RunStatus.SUCCEEDED:  # a retried job whose first attempt published the run
        return run
    ClusteringRun.objects.filter(id=run.id).update(status=RunStatus.RUNNING, error="", finished_at=None)
    try:
        try:
            _execute(run, report)
        except IntegrityError as error:
            if getattr(error.__cause__, "pgcode", None) != FOREIGN_KEY_VIOLATION:
                raise
            raise MembersErasedMeanwhile(
                "Some people were erased while this run was computing, so nothing was published. "
                "Run it again."
            ) from error
    except JobSuperseded:
        raise  # the attempt that owns the job now runs it
    except Exception as error:
        ClusteringRun.objects.filter(id=run.id).update(
            status=RunStatus.FAILED, error=str(error) or repr(error), finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def _execute(run: ClusteringRun, report) -> None:
    segmentation = run.segmentation
    config = ClusteringConfig.from_dict(run.config)
    report(3, "Reading the features")
    frame = clustering_frame_read(config=config)
    report(20, f"Clustering {len(frame):,} profiles")
    previous = _previous_run(segmentation)
    with ThreadPoolExecutor(max_workers=1) as pool:
        before = _alongside(pool, partial(previous_members, previous))  # PostgreSQL reads while we fit
        result = fit_segments(frame, config)
        before = before.result()
    report(70, "Describing and writing the segments")
    keys = cluster_keys(segmentation=segmentation, previous=previous, result=result)
    with ThreadPoolExecutor(max_workers=1) as pool, transaction.atomic():
        # The cards and drift figures are numpy and pandas work, the membership write is PostgreSQL's:
        # each gets a core. The thread touches no database, so it sees what this transaction sees.
        described = pool.submit(_describe, frame, result, previous, config, blocked_segment_terms())
        hashtags = top_hashtags_of_groups(
            groups={label: result.profile_id[result.labels == label] for label in range(result.chosen_k)}
        )
        stability = result.stability | previous_membership_ari(before=before, result=result, keys=keys)
        lineage = _lineage(run)

        def cards() -> dict[int, dict[str, Any]]:
            return {
                label: card | {"top_hashtags": hashtags[label]}
                for label, card in described.result().cards.items()
            }

        previous_sizes = _current_sizes(segmentation)
        versions = clustering_versions_write(
            run=run,
            result=result,
            keys=keys,
            cards=cards,
            sensitivity=clustering_sensitivity(config=config),
            lineage={"clustering_run_id": run.id, **lineage},
        )
        psi, summaries = described.result().psi, described.result().summaries
        fields = result.run_fields()
        fields["metrics"] |= {
            "cluster_keys": {str(label): key for label, key in keys.items()},
            "segment_ids": {str(label): version.segment_id for label, version in enumerate(versions)},
            "feature_summaries": summaries,
            "psi": psi,
        }
        fields["stability"] = stability
        ClusteringRun.objects.filter(id=run.id).update(
            **fields,
            lineage=lineage | {"fit": result.settings},
            status=RunStatus.SUCCEEDED,
            finished_at=timezone.now(),
        )
        Segmentation.objects.filter(id=segmentation.id).update(current_run=run, updated_at=timezone.now())
        alerts = drift_alerts_raise(
            segmentation=segmentation,
            sizes={version.segment_id: version.size for version in versions},
            previous_sizes=previous_sizes,
            psi=psi,
            stability=stability,
        )
        audit_record(
            actor=run.requested_by,
            action="clustering.published",
            subject=run,
            details={"segments": result.chosen_k, "profiles": len(result.profile_id), "alerts": len(alerts)},
        )


def _alongside(pool: ThreadPoolExecutor, read: Callable[[], Result]) -> Future[Result]:
    """`read` on a connection of its own while this thread goes on; here and now inside a transaction,
    whose uncommitted rows another connection would not see."""
    if connection.in_atomic_block:
        done: Future[Result] = Future()
        done.set_result(read())
        return done

    def on_own_connection() -> Result:
        try:
            return read()
        finally:
            connection.close()

    return pool.submit(on_own_connection)


@dataclass(frozen=True)
class _Description:
    cards: dict[int, dict[str, Any]]
    psi: dict[str, float]
    summaries: dict[str, dict[str, list[float]]]


def _describe(
    frame, result, previous: ClusteringRun | None, config: ClusteringConfig, blocked_terms: list[str]
) -> _Description:
    """The cards, PSI and summaries of the profiles the run clustered (the frame less the excluded)."""
    keep, _ = eligible_rows(frame, config)
    eligible = frame.loc[keep].reset_index(drop=True)
    return _Description(
        cards=segment_cards(eligible, result.labels, blocked_terms=blocked_terms),
        psi=feature_psi(eligible, previous),
        summaries=feature_summaries(eligible, _drift_columns(eligible, config)),
    )


def clustering_runs_due(*, now: datetime | None = None) -> list[ClusteringRun]:
    """Ask for a run of every scheduled segmentation whose time has come, and set its next time."""
    now = now or timezone.now()
    due = Segmentation.objects.exclude(schedule=Schedule.NEVER).filter(next_run_at__lte=now)
    runs = []
    for segmentation in due.order_by("id"):
        Segmentation.objects.filter(id=segmentation.id).update(
            next_run_at=next_scheduled_run(schedule=segmentation.schedule, after=now)
        )
        runs.append(clustering_run_request(segmentation=segmentation, actor=None))
    return runs


def _previous_run(segmentation: Segmentation) -> ClusteringRun | None:
    if segmentation.current_run_id is None:
        return None
    return ClusteringRun.objects.filter(id=segmentation.current_run_id, status=RunStatus.SUCCEEDED).first()


def _current_sizes(segmentation: Segmentation) -> dict[int, int]:
    rows = segmentation.segments.filter(retired_at=None, current_version__isnull=False)
    return dict(rows.values_list("id", "current_version__size"))


def _drift_columns(frame, config: ClusteringConfig) -> list[str]:
    """The frame's numeric columns behind the run's features (expanded shares included)."""
    bases = {name.partition(".")[0] for name in config.resolved_features}
    return [
        column
        for column in frame.columns
        if column.partition(".")[0] in bases and np.issubdtype(frame[column].dtype, np.number)
    ]


def _lineage(run: ClusteringRun) -> dict[str, Any]:
    """What the run was made from: the feature computation, the imports, its settings and the code."""
    features = feature_run_latest()
    imports = ImportRun.objects.filter(status=ImportStatus.SUCCEEDED)
    latest_import = imports.order_by("-id").first()
    return {
        "feature_run_id": features.id if features else None,
        "features_computed_at": features.finished_at.isoformat()
        if features and features.finished_at
        else None,
        "imports": {
            "succeeded": imports.count(),
            "latest_id": latest_import.id if latest_import else None,
            "latest_file": latest_import.original_name if latest_import else None,
        },
        "run_settings": {
            "requested_by": run.requested_by.get_username() if run.requested_by else "schedule",
            "job_id": run.job_id,
            "bots_excluded": run.config.get("exclude_bots", True),
            "algorithm": run.config.get("algorithm"),
            "seed": run.config.get("random_state"),
        },
        "code_version": code_version(),
    }
