"""Members of a segment for activation (an email tool, an ad platform): only people who consent to the
purpose at this moment and belong above a chosen confidence, with their contact identifiers, written as
CSV by one COPY. A withdrawal of consent takes effect on the next export."""

import tempfile
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from governance.models import User
from governance.services.audit import audit_record
from segments.consent_sql import consenting_people_sql
from segments.models import ConsentPurpose, Segment
from segments.segment_selectors import segment_members_visible

EXPORT_PERMISSION = "segments.export_profile"
EXPORT_COLUMNS = (
    "profile_id",
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "confidence",
)

# One row a member of the version who consents now. Contact identifiers are gathered set-based for
# the members only: from each member's own profile and from the profiles merged into it, the earliest
# recorded first. (Correlated look-ups per member were 9 times slower than a bare COPY at 20,000.)
EXPORT_SQL = f"""
WITH members AS (
    SELECT profile_id, confidence FROM segments_segmentmembership
    WHERE version_id = %(version)s AND confidence >= %(min_confidence)s
), contacts AS (
    SELECT COALESCE(o.merged_into_id, o.id) AS person,
           (array_agg(i.value ORDER BY i.id) FILTER (WHERE i.kind = 'email'))[1] AS email,
           (array_agg(i.value ORDER BY i.id) FILTER (WHERE i.kind = 'phone'))[1] AS phone
    FROM segments_identity i JOIN segments_profile o ON o.id = i.profile_id
    WHERE i.kind IN ('email', 'phone')
      AND COALESCE(o.merged_into_id, o.id) IN (SELECT profile_id FROM members)
    GROUP BY 1
)
SELECT p.id AS profile_id, p.external_id, p.first_name, p.last_name, ct.email, ct.phone, p.country,
       round(m.confidence::numeric, 3) AS confidence
FROM members m
JOIN segments_profile p ON p.id = m.profile_id AND p.merged_into_id IS NULL
LEFT JOIN contacts ct ON ct.person = p.id
WHERE p.id IN ({consenting_people_sql("%(purpose)s")})
ORDER BY m.profile_id
"""


def segment_export(*, segment: Segment, actor: User, purpose: str, min_confidence: float = 0.0) -> IO[bytes]:
    """A file of the export, positioned at its start; the caller streams and closes it."""
    if not actor.has_perm(EXPORT_PERMISSION) or not segment_members_visible(user=actor, segment=segment):
        raise PermissionDenied("You may not export the members of this segment.")
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": f"Choose one of: {', '.join(ConsentPurpose.values)}."})
    if not 0.0 <= min_confidence <= 1.0:
        raise ValidationError({"min_confidence": "Give a confidence between 0 and 1."})
    if segment.current_version_id is None:
        raise ValidationError("This segment has no members yet: refresh it first.")
    output = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - the response closes it
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the sorts and hashes of a million members in memory
        query = cursor.mogrify(
            EXPORT_SQL,
            {"version": segment.current_version_id, "min_confidence": min_confidence, "purpose": purpose},
        ).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", output)
        rows = cursor.cursor.rowcount
    audit_record(
        actor=actor,
        action="segment.exported",
        subject=segment,
        details={
            "version": segment.current_version_id,
            "purpose": purpose,
            "min_confidence": min_confidence,
            "rows": rows,
        },
    )
    output.seek(0)
    return output
