"""Writing segment versions: a complete new membership is written first, then every affected segment
switches to its new version in the same transaction, so a reader never sees half a segment and a
failed job leaves the current versions untouched."""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Max

from segments.models import ClusteringRun, Segment, SegmentVersion, VersionStatus


@dataclass
class NewVersion:
    """One segment's next membership: profile ids with a confidence each (1.0 for rule members)."""

    segment: Segment
    profile_ids: np.ndarray
    confidences: np.ndarray | None = None
    definition: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)


FRESH_STATISTICS_FROM = 10_000  # members written at once


def segment_versions_write(
    *, versions: Sequence[NewVersion], run: ClusteringRun | None = None
) -> list[SegmentVersion]:
    """Write each new version by COPY and switch all of them at once. Call inside the job's transaction
    or on its own: it opens one if none is open."""
    with transaction.atomic():
        written = [
            SegmentVersion.objects.create(
                segment=new.segment,
                number=_next_number(new.segment),
                run=run,
                definition=new.definition,
                card=new.card,
                lineage=new.lineage,
                size=len(new.profile_ids),
            )
            for new in versions
        ]
        # One COPY for all of them: the database checks the references once per statement.
        _memberships_copy(
            [_membership_rows(version.id, new) for version, new in zip(written, versions, strict=True)]
        )
        for version in written:
            SegmentVersion.objects.filter(id=version.id).update(status=VersionStatus.READY)
            Segment.objects.filter(id=version.segment_id).update(current_version=version)
            version.status = VersionStatus.READY
        if sum(version.size for version in written) >= FRESH_STATISTICS_FROM:
            transaction.on_commit(_memberships_analyze)
        return written


def segment_version_write_from_sql(
    *, segment: Segment, member_sql: str, params: Sequence[Any], definition: dict, lineage: dict | None = None
) -> SegmentVersion:
    """A rule segment's version, selected inside the database: `member_sql` returns one column of
    profile ids. No rows travel to Python."""
    with transaction.atomic():
        version = SegmentVersion.objects.create(
            segment=segment, number=_next_number(segment), definition=definition, lineage=lineage or {}
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO segments_segmentmembership (version_id, profile_id, confidence) "
                f"SELECT %s, member.id, 1.0 FROM ({member_sql}) AS member(id)",
                [version.id, *params],
            )
            size = cursor.rowcount
        SegmentVersion.objects.filter(id=version.id).update(status=VersionStatus.READY, size=size)
        Segment.objects.filter(id=segment.id).update(current_version=version)
        if size >= FRESH_STATISTICS_FROM:
            transaction.on_commit(_memberships_analyze)
        version.refresh_from_db()
        return version


def _memberships_analyze() -> None:
    """A new version's id is unknown to the planner's statistics until autovacuum comes by, so it
    would plan for a few hundred members where there are a million (nested loops where hash joins
    belong). Run after commit: ANALYZE's lock would otherwise be held to the end of the transaction and
    make concurrent version writes wait for each other."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE segments_segmentmembership")


def _next_number(segment: Segment) -> int:
    # Lock the segment row so two refreshes of one segment cannot take the same number.
    Segment.objects.select_for_update().filter(id=segment.id).exists()
    latest = SegmentVersion.objects.filter(segment=segment).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


# One membership row in PostgreSQL's binary COPY layout: a field count, then each field's length and
# big-endian value. All three fields are fixed-width, so numpy lays out a million rows at once.
_MEMBERSHIP_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("version_length", ">i4"),
        ("version_id", ">i8"),
        ("profile_length", ">i4"),
        ("profile_id", ">i8"),
        ("confidence_length", ">i4"),
        ("confidence", ">f8"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
_COPY_TRAILER = b"\xff\xff"


def _membership_rows(version_id: int, new: NewVersion) -> np.ndarray:
    rows = np.empty(len(new.profile_ids), dtype=_MEMBERSHIP_ROW)
    rows["fields"] = 3
    rows["version_length"] = rows["profile_length"] = rows["confidence_length"] = 8
    rows["version_id"] = version_id
    rows["profile_id"] = np.asarray(new.profile_ids, dtype=np.int64)
    rows["confidence"] = 1.0 if new.confidences is None else np.asarray(new.confidences, dtype=np.float64)
    return rows


def _memberships_copy(parts: list[np.ndarray]) -> None:
    if sum(len(rows) for rows in parts) == 0:
        return
    data = io.BytesIO(b"".join([_COPY_HEADER, *(rows.tobytes() for rows in parts), _COPY_TRAILER]))
    # Raised as Django's errors (IntegrityError for a missing profile) like any other statement.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(
            "COPY segments_segmentmembership (version_id, profile_id, confidence) FROM STDIN (FORMAT binary)",
            data,
        )
