"""Reads of segments that apply permissions: sensitive segments show their members only to those
granted access (a django-guardian object permission, given through governance.access)."""

import pandas as pd
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from governance.access import access_check
from governance.models import User
from segments.models import Segment, SegmentMembership, SegmentVersion, Sensitivity


def segment_list(*, user: User) -> QuerySet[Segment]:
    if not user.has_perm("segments.view_segment"):
        return Segment.objects.none()
    return Segment.objects.filter(retired_at=None).select_related("current_version", "owner", "segmentation")


def segment_get_for_user(*, user: User, segment_id: int) -> Segment:
    try:
        return segment_list(user=user).get(id=segment_id)
    except Segment.DoesNotExist as missing:
        raise Http404("No such segment.") from missing


def segment_members_visible(*, user: User, segment: Segment) -> bool:
    """Anyone who may read segments sees who is in a normal one; sensitive and special-category
    segments show their members only to users granted access to that segment."""
    if segment.sensitivity == Sensitivity.NORMAL:
        return user.has_perm("segments.view_segment")
    return access_check(user=user, perm="segments.view_members", obj=segment)


def segment_members(
    *, user: User, segment: Segment, min_confidence: float = 0.0
) -> QuerySet[SegmentMembership]:
    """Members of the current version, most confident first; 404 if the user may not see them."""
    if not segment_members_visible(user=user, segment=segment):
        raise Http404("The members of this segment are not shared with you.")
    return (
        SegmentMembership.objects.filter(
            version_id=segment.current_version_id, confidence__gte=min_confidence
        )
        .select_related("profile")
        .order_by("-confidence", "profile_id")
    )


def version_transitions(*, before: SegmentVersion, after: SegmentVersion) -> pd.DataFrame:
    """Who moved where between two versions of a segmentation's segments: a matrix of counts, rows the
    earlier segments, columns the later ones, with "(none)" for people who joined or left."""
    segments_before = _sibling_versions(before)
    segments_after = _sibling_versions(after)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(b.segment_id, -1), COALESCE(a.segment_id, -1), count(*)
            FROM (SELECT m.profile_id, v.segment_id FROM segments_segmentmembership m
                  JOIN segments_segmentversion v ON v.id = m.version_id WHERE m.version_id = ANY(%s)) b
            FULL OUTER JOIN
                 (SELECT m.profile_id, v.segment_id FROM segments_segmentmembership m
                  JOIN segments_segmentversion v ON v.id = m.version_id WHERE m.version_id = ANY(%s)) a
            ON a.profile_id = b.profile_id
            GROUP BY 1, 2
            """,
            [list(segments_before.values()), list(segments_after.values())],
        )
        rows = cursor.fetchall()
    names = dict(Segment.objects.filter(id__in=[*segments_before, *segments_after]).values_list("id", "name"))
    names[-1] = "(none)"
    frame = pd.DataFrame(rows, columns=["before", "after", "people"])
    frame["before"] = frame["before"].map(names)
    frame["after"] = frame["after"].map(names)
    return frame.pivot_table(index="before", columns="after", values="people", fill_value=0, aggfunc="sum")


def _sibling_versions(version: SegmentVersion) -> dict[int, int]:
    """For a clustering run's version: every segment's version from that run; else the version alone."""
    if version.run_id is None:
        return {version.segment_id: version.id}
    return dict(SegmentVersion.objects.filter(run_id=version.run_id).values_list("segment_id", "id"))
