"""Rule segments: create, edit, preview the size, and share a sensitive segment's members. Each
change is checked (segments.services.rule_segment_checks), audited, and followed by a refresh job
when the rules changed; refreshing itself is in segments.services.rule_segment_refresh."""

from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg2.errors import QueryCanceled

from governance.access import access_grant, access_revoke
from governance.models import User
from governance.services.audit import audit_record
from segments.models import Schedule, Segment, SegmentKind
from segments.rule_segment_selectors import SHARE_MEMBERS, VIEW_MEMBERS
from segments.rules.compiler import compile_definition
from segments.services.rule_segment_checks import (
    SegmentChangedMeanwhile,
    SegmentRefused,
    rule_definition_check,
    rule_sensitivity,
    segment_name_check,
    segments_used_check,
    sensitivity_while_rebuilding,
)
from segments.services.rule_segment_refresh import rule_segment_refresh_request

# A live preview that takes longer than this is stopped: the size shows after the next refresh.
PREVIEW_TIMEOUT_MS = 10_000


class PreviewTimedOut(Exception):
    pass


def rule_segment_create(
    *,
    actor: User,
    name: str,
    definition: dict[str, Any],
    description: str = "",
    refresh_schedule: str = Schedule.NEVER,
) -> Segment:
    """A new rule segment, its first version requested as a job."""
    with transaction.atomic():
        name = segment_name_check(name=name)
        rule_definition_check(definition=definition)
        segments_used_check(definition=definition, actor=actor)
        sensitivity, reason = rule_sensitivity(definition=definition)
        segment = Segment.objects.create(
            name=name,
            description=description.strip(),
            kind=SegmentKind.RULE,
            owner=actor,
            definition=definition,
            refresh_schedule=refresh_schedule,
            sensitivity=sensitivity,
            sensitivity_reason=reason,
        )
        audit_record(
            actor=actor,
            action="segment.created",
            subject=segment,
            details={"kind": SegmentKind.RULE, "sensitivity": sensitivity, "definition": definition},
        )
        rule_segment_refresh_request(segment=segment, actor=actor)
    return segment


def rule_segment_update(
    *,
    actor: User,
    segment: Segment,
    name: str,
    definition: dict[str, Any],
    description: str = "",
    refresh_schedule: str = Schedule.NEVER,
    based_on_updated_at: datetime | None = None,
) -> Segment:
    """Change a rule segment; new rules bring a refresh job and their sensitivity class, at once if
    it is higher, with the rebuilt members if lower.
    `based_on_updated_at` is the segment's `updated_at` as the editor read it: if it was saved since,
    nothing is saved, so that neither editor overwrites the other unseen."""
    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(id=segment.id)
        if based_on_updated_at is not None and segment.updated_at != based_on_updated_at:
            raise SegmentChangedMeanwhile(
                f"Someone saved this segment at {timezone.localtime(segment.updated_at):%H:%M} since you "
                "opened it. Nothing of yours was saved: reload to see their rules, then change them again.",
                field=NON_FIELD_ERRORS,
            )
        if segment.kind != SegmentKind.RULE:
            raise SegmentRefused(
                "A cluster segment changes with its segmentation; only rule segments are edited here.",
                field="kind",
            )
        name = segment_name_check(name=name, segment=segment)
        rule_definition_check(definition=definition, segment=segment)
        sensitivity, reason = rule_sensitivity(definition=definition)
        if definition != segment.definition:
            segments_used_check(definition=definition, actor=actor)
            sensitivity, reason = sensitivity_while_rebuilding(
                current=(segment.sensitivity, segment.sensitivity_reason), new=(sensitivity, reason)
            )
        new_values = {
            "name": name,
            "description": description.strip(),
            "definition": definition,
            "refresh_schedule": refresh_schedule,
            "sensitivity": sensitivity,
            "sensitivity_reason": reason,
        }
        changed = sorted(key for key, value in new_values.items() if getattr(segment, key) != value)
        if not changed:
            return segment
        details: dict[str, Any] = {"changed": changed}
        if "definition" in changed:
            details["definition"] = {"before": segment.definition, "after": definition}
        if "sensitivity" in changed:
            details["sensitivity"] = {"before": segment.sensitivity, "after": sensitivity}
        for key, value in new_values.items():
            setattr(segment, key, value)
        segment.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="segment.updated", subject=segment, details=details)
        if "definition" in changed:
            rule_segment_refresh_request(segment=segment, actor=actor)
    return segment


def rule_segment_preview(*, definition: Any, actor: User | None, segment: Segment | None = None) -> int:
    """How many people the rules select now: one count over the compiled query, stopped after
    PREVIEW_TIMEOUT_MS. Raises DefinitionInvalid for an invalid definition, or one that uses the
    members of a segment hidden from the actor."""
    rule_definition_check(definition=definition, segment=segment)
    segments_used_check(definition=definition, actor=actor)
    compiled = compile_definition(definition).count()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Set for this transaction only and put back after, so no other query inherits the limit.
            cursor.execute("SELECT current_setting('statement_timeout')")
            (previous,) = cursor.fetchone()
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(PREVIEW_TIMEOUT_MS)])
            cursor.execute(compiled.sql, compiled.params)
            size = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
        raise PreviewTimedOut(
            f"Counting took over {PREVIEW_TIMEOUT_MS // 1000} s; the size shows after the next refresh."
        ) from error
    return size


def segment_access_grant(*, actor: User, segment: Segment, grantee: User) -> None:
    """Let `grantee` see who is in a sensitive segment (audited by governance.access). Managers give
    it, to a colleague, never to themselves."""
    _sharing_check(actor=actor)
    if grantee.id == actor.id:
        raise SegmentRefused(
            "Access to a sensitive segment is given by a colleague, not to oneself.", field="user"
        )
    if not grantee.is_active or not grantee.has_perm("segments.view_segment"):
        raise SegmentRefused(
            f"{grantee.display_name} cannot read segments; give them a role first.", field="user"
        )
    access_grant(actor=actor, grantee=grantee, perm=VIEW_MEMBERS, obj=segment)


def segment_access_revoke(*, actor: User, segment: Segment, grantee: User) -> None:
    _sharing_check(actor=actor)
    access_revoke(actor=actor, grantee=grantee, perm=VIEW_MEMBERS, obj=segment)


def _sharing_check(*, actor: User) -> None:
    if not actor.has_perm(SHARE_MEMBERS):
        raise PermissionDenied("Access to a sensitive segment's members is given by a manager.")
