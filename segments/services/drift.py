"""Drift alerts after a clustering run: a segment that grew or shrank by more than the segmentation's
threshold, a feature whose distribution moved (population stability index, PSI), and a run whose
bootstrap stability fell below the threshold. Each alert is a DriftAlert row the segmentation page
lists until someone acknowledges it. A rule segment's refresh raises alerts too: rebuilt from changed
rules, or grown or shrunk by more than RULE_SIZE_ALERT."""

from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from governance.models import User
from governance.services.audit import audit_record
from segments.ml.stability import distribution_summary, psi_against_summary
from segments.models import ClusteringRun, DriftAlert, Segment, Segmentation, SegmentVersion

RULE_SIZE_ALERT = 0.20


def feature_summaries(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, list[float]]]:
    """What the next run compares against: each numeric column's decile edges and shares."""
    return {column: distribution_summary(frame[column].to_numpy(dtype=np.float64)) for column in columns}


def feature_psi(frame: pd.DataFrame, previous: ClusteringRun | None) -> dict[str, float]:
    """PSI of each column the previous run summarised and this frame still has."""
    if previous is None:
        return {}
    summaries = previous.metrics.get("feature_summaries", {})
    return {
        column: round(psi_against_summary(summary, frame[column].to_numpy(dtype=np.float64)), 4)
        for column, summary in summaries.items()
        if column in frame.columns
    }


def rule_segment_alerts_raise(
    *, segment: Segment, version: SegmentVersion, previous: SegmentVersion | None
) -> list[DriftAlert]:
    """What a refresh changed that personas built on the segment should hear of: other rules, or a
    size that moved by more than RULE_SIZE_ALERT since the previous version."""
    if previous is None:
        return []
    alerts = []
    if previous.definition != version.definition:
        alerts.append(
            DriftAlert(
                segment=segment,
                kind=DriftAlert.Kind.RULES,
                message=f"“{segment.name}” was rebuilt from changed rules (version {version.number}).",
                value=1.0,
                threshold=0.0,
            )
        )
    size_alert = _size_alert(
        segment.id, segment.name, previous.size, version.size, threshold=RULE_SIZE_ALERT, segmentation=None
    )
    return DriftAlert.objects.bulk_create(alerts + ([size_alert] if size_alert else []))


def _size_alert(
    segment_id: int, name: str, before: int, size: int, *, threshold: float, segmentation: Segmentation | None
) -> DriftAlert | None:
    """An alert when the segment grew or shrank by more than `threshold` (a share of `before`)."""
    if not before:
        return None
    change = (size - before) / before
    if abs(change) <= threshold:
        return None
    return DriftAlert(
        segmentation=segmentation,
        segment_id=segment_id,
        kind=DriftAlert.Kind.SIZE,
        message=f"“{name}” {'grew' if change > 0 else 'shrank'} by {abs(change):.0%} "
        f"({before:,} to {size:,} members).",
        value=round(change, 4),
        threshold=threshold,
    )


def drift_alerts_raise(
    *,
    segmentation: Segmentation,
    sizes: dict[int, int],
    previous_sizes: dict[int, int],
    psi: dict[str, float],
    stability: dict[str, Any],
) -> list[DriftAlert]:
    """`sizes` and `previous_sizes`: segment id -> members in this run and the previous one."""
    alerts = []
    names = dict(Segment.objects.filter(id__in=sizes).values_list("id", "name"))
    for segment_id, size in sizes.items():
        alert = _size_alert(
            segment_id,
            names[segment_id],
            previous_sizes.get(segment_id, 0),
            size,
            threshold=segmentation.size_change_alert,
            segmentation=segmentation,
        )
        if alert:
            alerts.append(alert)
    for column, value in sorted(psi.items()):
        if value > segmentation.psi_alert:
            alerts.append(
                DriftAlert(
                    segmentation=segmentation,
                    kind=DriftAlert.Kind.FEATURE,
                    message=f"The distribution of {column.replace('_', ' ')} moved since the last run "
                    f"(PSI {value:.2f}).",
                    value=value,
                    threshold=segmentation.psi_alert,
                )
            )
    score = stability.get("bootstrap_ari")
    if score is not None and score < segmentation.stability_alert:
        alerts.append(
            DriftAlert(
                segmentation=segmentation,
                kind=DriftAlert.Kind.STABILITY,
                message=f"The segments are unstable: resampled fits agree only {score:.2f} (adjusted Rand "
                f"index) with this run.",
                value=score,
                threshold=segmentation.stability_alert,
            )
        )
    return DriftAlert.objects.bulk_create(alerts)


def drift_alert_acknowledge(*, alert: DriftAlert, actor: User) -> DriftAlert:
    """Someone has looked at the alert; it stays in the history, marked with who and when. Acknowledging
    twice keeps the first acknowledgement."""
    with transaction.atomic():
        acknowledged = DriftAlert.objects.filter(id=alert.id, acknowledged_at=None).update(
            acknowledged_by=actor, acknowledged_at=timezone.now()
        )
        if acknowledged:
            audit_record(
                actor=actor,
                action="drift_alert.acknowledged",
                subject=alert.segmentation or alert.segment,  # a rule refresh's alert has no segmentation
                details={"alert": alert.id, "kind": alert.kind, "message": alert.message},
            )
    alert.refresh_from_db()
    return alert
