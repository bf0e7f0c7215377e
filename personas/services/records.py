"""Creating and editing a persona's record, linking its segments, and the owner's review of its evidence."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.errors import ChangedMeanwhile
from governance.access import access_grant
from governance.models import User
from governance.services.audit import audit_record
from personas.models import Persona, PersonaSegment, PersonaStatus, PersonaVersion, StaleFlag
from personas.selectors import CHANGE
from personas.services.versions import RECORD_FIELDS, persona_version_record
from segments.models import Segment

EDITABLE_FIELDS = (*RECORD_FIELDS, "next_review_on")


class PersonaChangedMeanwhile(ValidationError, ChangedMeanwhile):
    """Someone saved the persona after the editor read it."""


def persona_create(
    *,
    actor: User,
    data: dict[str, Any],
    segments: Iterable[Segment] = (),
    evidence: dict[str, Any] | None = None,
    summary: str = "Created",
) -> Persona:
    """A new draft owned by `actor`, who gets the right to change it (an object permission)."""
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    if not str(values.get("name", "")).strip():
        raise ValidationError({"name": "A persona needs a name."})
    with transaction.atomic():
        persona = Persona(owner=actor, status=PersonaStatus.DRAFT, evidence=evidence or {}, **values)
        if persona.next_review_on is None:
            persona.next_review_on = timezone.localdate() + timedelta(days=persona.refresh_cycle_days)
        persona.full_clean(exclude=["segments"])
        persona.save()
        _segments_link(persona=persona, segments=segments)
        access_grant(actor=actor, grantee=actor, perm=CHANGE, obj=persona)
        audit_record(actor=actor, action="persona.created", subject=persona)
        persona_version_record(persona=persona, actor=actor, summary=summary)
    return persona


def persona_update(
    *,
    persona: Persona,
    actor: User,
    data: dict[str, Any],
    segments: Iterable[Segment] | None = None,
    based_on_version: int | None = None,
) -> Persona:
    """Apply the given fields (others stay); a field drafted from data and changed since is marked
    as edited, so its figure no longer reads as the source of the new text. `based_on_version` is the
    version the editor saw: if someone saved the persona since, nothing is saved, so that neither
    overwrites the other unseen."""
    persona_editable_check(persona=persona)
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    with transaction.atomic():
        Persona.objects.select_for_update().filter(id=persona.id).exists()
        if based_on_version is not None:
            _unchanged_since_check(persona=persona, version_number=based_on_version)
        before = {name: getattr(persona, name) for name in EDITABLE_FIELDS}
        for name, value in values.items():
            setattr(persona, name, value)
        changed = [name for name in EDITABLE_FIELDS if getattr(persona, name) != before[name]]
        _evidence_mark_edited(persona=persona, before=before)
        persona.full_clean(exclude=["segments"])
        persona.save()
        if segments is not None:
            changed += _segments_link(persona=persona, segments=segments, replace=True)
        if changed:
            audit_record(actor=actor, action="persona.updated", subject=persona, details={"fields": changed})
            persona_version_record(persona=persona, actor=actor, summary="Edited: " + ", ".join(changed))
    return persona


def _unchanged_since_check(*, persona: Persona, version_number: int) -> None:
    latest = PersonaVersion.objects.filter(persona=persona).order_by("-number").first()
    if latest is not None and latest.number != version_number:
        who = (
            (latest.created_by.get_full_name() or latest.created_by.get_username())
            if latest.created_by
            else "Someone"
        )
        raise PersonaChangedMeanwhile(
            f"{who} saved this persona (version {latest.number}, {latest.created_at:%d %b %H:%M}) since you "
            "opened it. Nothing of yours was saved: reload to see their changes, then make yours again."
        )


def persona_editable_check(*, persona: Persona) -> None:
    if persona.status == PersonaStatus.IN_REVIEW:
        raise ValidationError(
            "This persona waits for a publication decision; withdraw the request to edit it."
        )
    if persona.status in (PersonaStatus.RETIRED, PersonaStatus.MERGED):
        raise ValidationError(f"A {persona.get_status_display().lower()} persona is kept as it was.")


def persona_review(*, persona: Persona, actor: User) -> Persona:
    """The owner has checked the evidence: open stale flags clear and the next review is set."""
    persona_editable_check(persona=persona)
    with transaction.atomic():
        now = timezone.now()
        cleared = StaleFlag.objects.filter(persona=persona, cleared_at=None).update(cleared_at=now)
        persona.next_review_on = timezone.localdate() + timedelta(days=persona.refresh_cycle_days)
        persona.save(update_fields=["next_review_on", "updated_at"])
        audit_record(
            actor=actor, action="persona.reviewed", subject=persona, details={"flags_cleared": cleared}
        )
        persona_version_record(persona=persona, actor=actor, summary="Evidence reviewed", reviewed_at=now)
    return persona


def _segments_link(*, persona: Persona, segments: Iterable[Segment], replace: bool = False) -> list[str]:
    wanted = {segment.id: segment for segment in segments}
    linked = set(PersonaSegment.objects.filter(persona=persona).values_list("segment_id", flat=True))
    removed = linked - set(wanted) if replace else set()
    PersonaSegment.objects.filter(persona=persona, segment_id__in=removed).delete()
    added = [segment for segment_id, segment in wanted.items() if segment_id not in linked]
    PersonaSegment.objects.bulk_create(
        PersonaSegment(
            persona=persona,
            segment=segment,
            size_when_linked=segment.current_version.size if segment.current_version_id else 0,
        )
        for segment in added
    )
    return ["segments"] if added or removed else []


def _evidence_mark_edited(*, persona: Persona, before: dict[str, Any]) -> None:
    for key, entry in persona.evidence.items():
        if not isinstance(entry, dict) or entry.get("edited"):
            continue
        head, _, sub = key.partition(".")
        if head not in before:
            continue
        old, new = before[head], getattr(persona, head)
        if sub:
            old, new = (old or {}).get(sub), (new or {}).get(sub)
        if old != new:
            entry["edited"] = True
