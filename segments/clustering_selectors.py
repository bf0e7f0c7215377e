"""Reads behind the segmentation pages and API: segmentations a user may see, their runs, each run's
segments, the data its charts draw, and drift alerts."""

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from governance.models import Job, JobStatus, User
from governance.selectors import job_list
from segments.ml.feature_words import feature_noun
from segments.models import ClusteringRun, DriftAlert, RunStatus, Segmentation, SegmentVersion

VIEW = "segments.view_segmentation"
# Features a heatmap shows at most: the ones that differ most between segments.
HEATMAP_FEATURES = 12


def segmentation_list(*, user: User) -> QuerySet[Segmentation]:
    if not user.has_perm(VIEW):
        return Segmentation.objects.none()
    return Segmentation.objects.select_related("owner", "current_run").order_by("name")


def segmentation_get_for_user(*, user: User, segmentation_id: int) -> Segmentation:
    try:
        return segmentation_list(user=user).get(id=segmentation_id)
    except Segmentation.DoesNotExist as missing:
        raise Http404("No such segmentation.") from missing


def clustering_runs(*, segmentation: Segmentation, limit: int = 50) -> list[ClusteringRun]:
    runs = list(segmentation.runs.select_related("job", "requested_by")[:limit])
    for run in runs:
        run.shown_status = clustering_run_status(run)
    return runs


def clustering_run_get(*, segmentation: Segmentation, run_id: int) -> ClusteringRun:
    try:
        run = segmentation.runs.select_related("job", "requested_by").get(id=run_id)
    except ClusteringRun.DoesNotExist as missing:
        raise Http404("No such run of this segmentation.") from missing
    run.shown_status = clustering_run_status(run)
    return run


def clustering_run_status(run: ClusteringRun) -> str:
    """The run's status, "failed" when its job ended without it (cancelled, or given up by the
    reaper after its worker was lost)."""
    unfinished = run.status in (RunStatus.PENDING, RunStatus.RUNNING)
    if unfinished and run.job is not None and run.job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return RunStatus.FAILED
    return run.status


def clustering_run_job_visible(*, user: User, run: ClusteringRun) -> Job | None:
    if run.job_id is None or not user.has_perm("governance.view_job"):
        return None
    return job_list(user=user).filter(id=run.job_id).first()


def clustering_run_versions(*, run: ClusteringRun) -> list[SegmentVersion]:
    """The segment versions a run wrote, largest first, each with its segment."""
    return list(run.versions.select_related("segment").order_by("-size", "segment_id"))


def drift_alerts(*, segmentation: Segmentation, limit: int = 20) -> list[DriftAlert]:
    """Alerts nobody has acknowledged first, then the acknowledged ones; newest first in each."""
    alerts = segmentation.alerts.select_related("segment", "acknowledged_by")
    return list(alerts.order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at")[:limit])


def clustering_run_charts(*, run: ClusteringRun, versions: list[SegmentVersion]) -> dict[str, Any]:
    """What the run page draws, JSON-ready: the k charts, sizes, scatter, silhouettes, heatmap."""
    metrics = run.metrics or {}
    names = _label_names(run, versions)
    per_k = metrics.get("per_k", [])
    return {
        "k": {
            "k": [row["k"] for row in per_k],
            "silhouette": [row.get("silhouette") for row in per_k],
            "davies_bouldin": [row.get("davies_bouldin") for row in per_k],
            "calinski_harabasz": [row.get("calinski_harabasz") for row in per_k],
            "chosen": run.recommendation.get("k"),
        },
        "elbow": metrics.get("elbow", {}),
        "sizes": {
            "labels": [version.segment.name for version in versions],
            "sizes": [v.size for v in versions],
        },
        "projection": {
            "x": run.projection.get("x", []),
            "y": run.projection.get("y", []),
            "segment": [names.get(str(label), "Outliers") for label in run.projection.get("label", [])],
            "explained_variance": run.projection.get("explained_variance", []),
        },
        "silhouette": {
            "average": metrics.get("silhouette", {}).get("average"),
            "clusters": [
                {
                    "segment": names.get(str(cluster["label"]), str(cluster["label"])),
                    "values": cluster["values"],
                }
                for cluster in metrics.get("silhouette", {}).get("clusters", [])
            ],
        },
        "heatmap": feature_heatmap(versions),
    }


def feature_heatmap(versions: list[SegmentVersion]) -> dict[str, Any]:
    """Segments by features: each cell the segment's standardised difference from everyone, with its
    shading (the size of the difference, 2 standard deviations and more at full strength)."""
    differences = {
        version.segment.name: version.card.get("standardised_differences", {}) for version in versions
    }
    spread: dict[str, float] = {}
    for values in differences.values():
        for feature, value in values.items():
            spread[feature] = max(spread.get(feature, 0.0), abs(value or 0.0))
    features = sorted(spread, key=lambda feature: -spread[feature])[:HEATMAP_FEATURES]
    return {
        "features": [feature_noun(feature) for feature in features],
        "rows": [
            {
                "segment": name,
                "cells": [
                    {
                        "value": values.get(feature),
                        "heat": round(min(abs(values.get(feature) or 0.0) / 2, 1), 2),
                    }
                    for feature in features
                ],
            }
            for name, values in differences.items()
        ],
    }


def _label_names(run: ClusteringRun, versions: list[SegmentVersion]) -> dict[str, str]:
    """Run label ("0") -> the name of the segment it became."""
    by_segment = {version.segment_id: version.segment.name for version in versions}
    return {
        label: by_segment[segment_id]
        for label, segment_id in (run.metrics or {}).get("segment_ids", {}).items()
        if segment_id in by_segment
    }


def segmentation_size_history(*, segmentation: Segmentation, limit: int = 50) -> dict[str, Any]:
    """Each segment's size after each successful run, oldest first (None where it did not exist)."""
    runs = list(segmentation.runs.filter(status=RunStatus.SUCCEEDED).order_by("-id")[:limit])[::-1]
    sizes = SegmentVersion.objects.filter(run__in=runs).values_list("run_id", "segment_id", "size")
    by_segment: dict[int, dict[int, int]] = {}
    for run_id, segment_id, size in sizes:
        by_segment.setdefault(segment_id, {})[run_id] = size
    names = dict(segmentation.segments.filter(id__in=by_segment).values_list("id", "name"))
    return {
        "labels": [run.finished_at.strftime("%Y-%m-%d %H:%M") for run in runs],
        "segments": [
            {"name": names[segment_id], "sizes": [sizes_by_run.get(run.id) for run in runs]}
            for segment_id, sizes_by_run in sorted(by_segment.items())
        ],
    }
