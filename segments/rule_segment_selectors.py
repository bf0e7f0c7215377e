"""Reads behind rule segments and the segment pages: the facts validation needs (other segments,
sensitive attributes, blocked terms), refresh jobs, version history, member pages, version comparison
and who may see a sensitive segment's members."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404

from governance.access import access_check
from governance.models import Job, JobStatus, User
from governance.selectors import job_list
from segments import defaults
from segments.models import (
    BlockedSegmentTerm,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentVersion,
    SensitiveAttribute,
    VersionStatus,
)
from segments.rules.validation import SegmentNode, referenced_segments
from segments.segment_selectors import segment_members, version_transitions

REFRESH_TASK = "segments.rule_segment_refresh"
VIEW_MEMBERS = "segments.view_members"
SHARE_MEMBERS = "segments.share_members"
NOT_A_MEMBER = "Not a member"


def segment_graph() -> dict[int, SegmentNode]:
    """Every segment a rule may name, with the segments its own rules name (for cycle checks)."""
    rows = Segment.objects.values_list("id", "name", "kind", "definition", "retired_at", "current_version_id")
    return {
        segment_id: SegmentNode(
            name=name,
            references=frozenset(referenced_segments(definition) if kind == SegmentKind.RULE else ()),
            usable=retired_at is None,
            computed=current_version_id is not None,
        )
        for segment_id, name, kind, definition, retired_at, current_version_id in rows
    }


def segment_choices(*, exclude: Segment | None = None) -> list[tuple[int, str]]:
    """Live segments a rule can refer to, by name."""
    segments = Segment.objects.filter(retired_at=None).order_by("name")
    if exclude is not None:
        segments = segments.exclude(id=exclude.id)
    return list(segments.values_list("id", "name"))


def segment_names(*, ids: set[int]) -> dict[int, str]:
    return dict(Segment.objects.filter(id__in=ids).values_list("id", "name"))


def sensitive_attributes() -> dict[str, tuple[str, str]]:
    """Field name -> (sensitivity, reason), as admins keep them; the defaults if the list is empty."""
    rows = {row.attribute: (row.sensitivity, row.reason) for row in SensitiveAttribute.objects.all()}
    return rows or {name: (level, "") for name, level in defaults.SENSITIVE_ATTRIBUTES.items()}


def blocked_segment_terms() -> dict[str, str]:
    rows = dict(BlockedSegmentTerm.objects.values_list("term", "reason"))
    return rows or dict.fromkeys(defaults.BLOCKED_SEGMENT_TERMS, "Stigmatising label")


def segment_refresh_jobs_active(*, segment: Segment) -> QuerySet[Job]:
    return Job.objects.filter(
        task_name=REFRESH_TASK,
        params__segment_id=segment.id,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    )


def segment_refresh_job_visible(*, user: User, segment: Segment, job: Job | None = None) -> Job | None:
    """`job` (or the segment's running refresh) if this user may watch its progress, else None."""
    if not user.has_perm("governance.view_job"):
        return None
    jobs = segment_refresh_jobs_active(segment=segment) if job is None else Job.objects.filter(id=job.id)
    return job_list(user=user).filter(id__in=jobs.values("id")).first()


def segment_versions(*, segment: Segment, limit: int = 100) -> list[SegmentVersion]:
    """The newest versions first, the finished ones only."""
    versions = SegmentVersion.objects.filter(segment=segment, status=VersionStatus.READY)
    return list(versions.select_related("run").order_by("-number")[:limit])


def segment_version_get(*, segment: Segment, version_id: Any) -> SegmentVersion:
    try:
        return SegmentVersion.objects.get(segment=segment, id=int(version_id), status=VersionStatus.READY)
    except (SegmentVersion.DoesNotExist, TypeError, ValueError) as missing:
        raise Http404("No such version of this segment.") from missing


def size_series(versions: list[SegmentVersion]) -> dict[str, list]:
    """Sizes over time, oldest first, for the chart."""
    ordered = sorted(versions, key=lambda version: version.number)
    return {
        "labels": [version.created_at.strftime("%Y-%m-%d %H:%M") for version in ordered],
        "versions": [f"v{version.number}" for version in ordered],
        "sizes": [version.size for version in ordered],
    }


def segment_member_page(
    *, user: User, segment: Segment, min_confidence: float = 0.0, after: int | None = None, size: int = 50
) -> tuple[list[SegmentMembership], int | None]:
    """One page of the current version's members by profile id (the membership key's order, so each
    page costs the same on a million members), and the id to continue after. 404 when the user may
    not see who is in the segment."""
    members = segment_members(user=user, segment=segment, min_confidence=min_confidence).order_by(
        "profile_id"
    )
    if after is not None:
        members = members.filter(profile_id__gt=after)
    page = list(members[: size + 1])
    next_after = page[size - 1].profile_id if len(page) > size else None
    return page[:size], next_after


@dataclass(frozen=True)
class TransitionTable:
    rows: list[dict[str, Any]]
    columns: list[str]
    total: int


def version_transition_table(*, before: SegmentVersion, after: SegmentVersion) -> TransitionTable:
    """version_transitions as rows of cells, each with its share of the largest cell for shading."""
    matrix = version_transitions(before=before, after=after)
    # The segments first, then those outside them all.
    matrix = matrix.reindex(
        index=sorted(matrix.index, key=lambda label: label == "(none)"),
        columns=sorted(matrix.columns, key=lambda label: label == "(none)"),
    ).rename(index={"(none)": NOT_A_MEMBER}, columns={"(none)": NOT_A_MEMBER})
    largest = int(matrix.to_numpy().max()) if matrix.size else 0
    rows = [
        {
            "label": str(label),
            "cells": [
                {"count": int(count), "heat": round(count / largest, 2) if largest else 0.0}
                for count in matrix.loc[label].tolist()
            ],
        }
        for label in matrix.index
    ]
    return TransitionTable(
        rows=rows, columns=[str(column) for column in matrix.columns], total=int(matrix.sum().sum())
    )


def segment_access_holders(*, segment: Segment) -> list[User]:
    """Users who may see the members of this sensitive segment. A team holds tens of users, so asking
    governance.access about each keeps the object-permission details inside governance."""
    return [user for user in _segment_readers() if access_check(user=user, perm=VIEW_MEMBERS, obj=segment)]


def segment_access_candidates(*, segment: Segment) -> list[User]:
    holders = {user.id for user in segment_access_holders(segment=segment)}
    return [user for user in _segment_readers() if user.id not in holders]


def _segment_readers() -> list[User]:
    users = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [user for user in users if user.has_perm("segments.view_segment")]


def last_refresh_requests(*, since) -> dict[int, Any]:
    """Segment id -> when its latest refresh job was asked for, among jobs asked for since `since`."""
    rows = (
        Job.objects.filter(task_name=REFRESH_TASK, created_at__gte=since)
        .values("params__segment_id")
        .annotate(latest=Max("created_at"))
    )
    return {row["params__segment_id"]: row["latest"] for row in rows if row["params__segment_id"] is not None}


def lineage_facts(lineage: dict[str, Any]) -> list[tuple[str, str]]:
    """A version's lineage as labelled lines; keys written by other kinds of runs are shown as they are."""
    lineage = dict(lineage or {})
    facts = []
    if "definition_hash" in lineage:
        facts.append(("Rules", f"hash {lineage.pop('definition_hash')}"))
    if "feature_run_id" in lineage:
        run_id, computed = lineage.pop("feature_run_id"), lineage.pop("features_computed_at", None)
        text = f"computation {run_id}" + (f", {computed[:16].replace('T', ' ')}" if computed else "")
        facts.append(("Features", text if run_id else "none computed yet"))
    imports = lineage.pop("imports", None)
    if isinstance(imports, dict):
        latest = (
            f", latest “{imports['latest_file']}” (#{imports['latest_id']})"
            if imports.get("latest_file")
            else ""
        )
        facts.append(("Imports", f"{imports.get('succeeded', 0)} finished{latest}"))
    settings_used = lineage.pop("run_settings", None)
    if isinstance(settings_used, dict):
        text = f"asked for by {settings_used.get('requested_by', 'unknown')}"
        text += f", job {settings_used['job_id']}" if settings_used.get("job_id") else ""
        text += "; bots excluded" if settings_used.get("bots_excluded") else ""
        facts.append(("Run", text))
    code = lineage.pop("code_version", None)
    facts.extend((key.replace("_", " ").capitalize(), str(value)) for key, value in sorted(lineage.items()))
    facts.append(("Code", code or "unknown"))
    return facts
