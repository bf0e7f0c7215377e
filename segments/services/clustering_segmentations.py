"""Segmentations (clustering models of the audience): create and change one, the sensitivity class
its features give its segments, and renaming a clustered segment. Names are checked against the
blocked terms admins keep (segment_name_check), as rule segments' are."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from governance.models import User
from governance.services.audit import audit_record
from segments.ml.clustering_config import ClusteringConfig
from segments.models import Schedule, Segment, Segmentation, Sensitivity
from segments.rule_segment_selectors import sensitive_attributes
from segments.services.rule_segment_checks import (
    SENSITIVITY_RANK,
    SegmentRefused,
    segment_name_check,
    sensitivity_while_rebuilding,
)
from segments.services.rule_segment_refresh import SCHEDULE_PERIODS


def clustering_sensitivity(*, config: ClusteringConfig) -> tuple[str, str]:
    """The highest class among the sensitive attributes the features use ("interests.travel" uses
    "interests"), and why."""
    level, reasons = Sensitivity.NORMAL, []
    attributes = sensitive_attributes()
    used = dict.fromkeys(name.partition(".")[0] for name in config.resolved_features)
    for name in used:
        if name not in attributes:
            continue
        attribute_level, why = attributes[name]
        level = max(level, attribute_level, key=SENSITIVITY_RANK.__getitem__)
        reasons.append(f"Clusters on {name.replace('_', ' ')}" + (f": {why.rstrip('.')}" if why else ""))
    return level, ("; ".join(reasons) + "." if reasons else "")[:300]


def segmentation_create(
    *,
    actor: User,
    name: str,
    config: ClusteringConfig,
    description: str = "",
    schedule: str = Schedule.NEVER,
    thresholds: dict[str, float] | None = None,
) -> Segmentation:
    with transaction.atomic():
        segmentation = Segmentation.objects.create(
            name=_name_check(name=name),
            description=description.strip(),
            owner=actor,
            config=config.to_dict(),
            schedule=schedule,
            next_run_at=next_scheduled_run(schedule=schedule),
            **(thresholds or {}),
        )
        audit_record(
            actor=actor,
            action="segmentation.created",
            subject=segmentation,
            details={"config": config.to_dict()},
        )
    return segmentation


def segmentation_update(
    *,
    actor: User,
    segmentation: Segmentation,
    name: str,
    config: ClusteringConfig,
    description: str = "",
    schedule: str = Schedule.NEVER,
    thresholds: dict[str, float] | None = None,
) -> Segmentation:
    """New settings apply from the next run. A higher sensitivity class of the new features applies
    to the segments at once, so a sensitive feature never waits for a run to protect who is in them;
    a lower one comes with the run, since until then the members were clustered the old way."""
    with transaction.atomic():
        segmentation.name = _name_check(name=name, segmentation=segmentation)
        segmentation.description = description.strip()
        segmentation.config = config.to_dict()
        if schedule != segmentation.schedule:
            segmentation.next_run_at = next_scheduled_run(schedule=schedule)
        segmentation.schedule = schedule
        for field, value in (thresholds or {}).items():
            setattr(segmentation, field, value)
        segmentation.save()
        new = clustering_sensitivity(config=config)
        for segment in segmentation.segments.select_for_update():
            level, reason = sensitivity_while_rebuilding(
                current=(segment.sensitivity, segment.sensitivity_reason), new=new
            )
            Segment.objects.filter(id=segment.id).update(sensitivity=level, sensitivity_reason=reason)
        audit_record(
            actor=actor,
            action="segmentation.changed",
            subject=segmentation,
            details={"config": config.to_dict()},
        )
    return segmentation


def clustered_segment_rename(*, actor: User, segment: Segment, name: str) -> Segment:
    """The marketer's name for a cluster; it stays across re-clustering while the cluster does."""
    if segment.segmentation_id is None:
        raise SegmentRefused("Only clustered segments are renamed here.", field="segment")
    with transaction.atomic():
        old_name, segment.name = segment.name, segment_name_check(name=name, segment=segment)
        segment.save(update_fields=["name", "updated_at"])
        audit_record(
            actor=actor,
            action="segment.renamed",
            subject=segment,
            details={"from": old_name, "to": segment.name},
        )
    return segment


def next_scheduled_run(*, schedule: str, after: datetime | None = None) -> datetime | None:
    if schedule == Schedule.NEVER:
        return None
    return (after or timezone.now()) + SCHEDULE_PERIODS[schedule]


def _name_check(*, name: str, segmentation: Segmentation | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise SegmentRefused("Give the segmentation a name.")
    taken = Segmentation.objects.filter(name__iexact=name)
    if segmentation is not None:
        taken = taken.exclude(id=segmentation.id)
    if taken.exists():
        raise SegmentRefused(f"There is already a segmentation called “{name}”.")
    return name
