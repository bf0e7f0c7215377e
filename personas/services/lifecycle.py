"""A persona's life after drafting: retired with a reason, merged into another, handed to a new owner."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from governance.access import access_check, access_grant, access_revoke
from governance.models import User
from governance.services.audit import audit_record
from governance.services.notifications import notify
from personas.models import Persona, PersonaSegment, PersonaStatus, Quote, StaleFlag, Validation
from personas.selectors import ADD, CHANGE, persona_can_reassign
from personas.services.primary import primary_persona_assign_request
from personas.services.records import persona_editable_check
from personas.services.versions import persona_version_record

LIST_FIELDS = ("goals", "challenges", "motivations", "objections", "decision_triggers")
TEXT_FIELDS = ("summary", "bio", "demographics_summary")


def persona_retire(*, persona: Persona, actor: User, reason: str) -> Persona:
    persona_editable_check(persona=persona)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is retired, for those who still look it up."})
    was_active = persona.status == PersonaStatus.ACTIVE
    with transaction.atomic():
        persona.status, persona.retired_reason = PersonaStatus.RETIRED, reason.strip()[:300]
        persona.save(update_fields=["status", "retired_reason", "updated_at"])
        StaleFlag.objects.filter(persona=persona, cleared_at=None).delete()
        audit_record(actor=actor, action="persona.retired", subject=persona, details={"reason": reason[:300]})
        persona_version_record(persona=persona, actor=actor, summary=f"Retired: {reason.strip()}")
        if was_active:
            primary_persona_assign_request(actor=actor)
    return persona


def persona_merge(*, source: Persona, target: Persona, actor: User) -> Persona:
    """Fold `source` into `target`: lists and tags are joined, empty texts filled, quotes, validations
    and linked segments move over; `source` stays readable as "merged" and points at `target`."""
    if source.id == target.id:
        raise ValidationError("A persona cannot be merged into itself.")
    for persona in (source, target):
        persona_editable_check(persona=persona)
        if not access_check(user=actor, perm=CHANGE, obj=persona):
            raise PermissionDenied("You may only merge personas you may change.")
    with transaction.atomic():
        for name in LIST_FIELDS:
            setattr(target, name, _joined(getattr(target, name), getattr(source, name)))
        target.crm_tags = _joined(target.crm_tags, source.crm_tags)
        for name in TEXT_FIELDS:
            setattr(target, name, getattr(target, name) or getattr(source, name))
        target.preferred_channels = _channels_joined(target.preferred_channels, source.preferred_channels)
        for name in ("jobs_to_be_done", "content_preferences", "journey_notes"):
            setattr(target, name, _dict_joined(getattr(target, name), getattr(source, name)))
        target.evidence = {**source.evidence, **target.evidence}
        target.save()
        Quote.objects.filter(persona=source).update(persona=target)
        Validation.objects.filter(persona=source).update(persona=target)
        linked = set(PersonaSegment.objects.filter(persona=target).values_list("segment_id", flat=True))
        PersonaSegment.objects.filter(persona=source).exclude(segment_id__in=linked).update(persona=target)
        StaleFlag.objects.filter(persona=source, cleared_at=None).delete()
        was_active = source.status == PersonaStatus.ACTIVE
        source.status, source.merged_into = PersonaStatus.MERGED, target
        source.save(update_fields=["status", "merged_into", "updated_at"])
        details = {"source": source.id, "target": target.id}
        audit_record(actor=actor, action="persona.merged", subject=source, details=details)
        audit_record(actor=actor, action="persona.merged_into", subject=target, details=details)
        persona_version_record(persona=source, actor=actor, summary=f"Merged into {target.name}")
        persona_version_record(persona=target, actor=actor, summary=f"{source.name} merged into this persona")
        if was_active or target.status == PersonaStatus.ACTIVE:
            primary_persona_assign_request(actor=actor)
    return target


def persona_owner_reassign(*, persona: Persona, actor: User, owner: User) -> Persona:
    """Managers hand a persona to another owner; the right to change it moves with it."""
    if not persona_can_reassign(user=actor):
        raise PermissionDenied("Only managers reassign owners.")
    if not owner.is_active or not owner.has_perm(ADD):
        raise ValidationError({"owner": "The new owner must be an active user who may work on personas."})
    if owner.id == actor.id and owner.id != persona.owner_id:
        raise ValidationError({"owner": "A manager hands a persona to someone else, not to themselves."})
    if persona.status in (PersonaStatus.RETIRED, PersonaStatus.MERGED):
        raise ValidationError(f"A {persona.get_status_display().lower()} persona is kept as it was.")
    if owner.id == persona.owner_id:
        return persona
    previous = persona.owner
    with transaction.atomic():
        access_revoke(actor=actor, grantee=previous, perm=CHANGE, obj=persona)
        access_grant(actor=actor, grantee=owner, perm=CHANGE, obj=persona)
        persona.owner = owner
        persona.save(update_fields=["owner", "updated_at"])
        details = {"from": previous.get_username(), "to": owner.get_username()}
        audit_record(actor=actor, action="persona.owner_changed", subject=persona, details=details)
        persona_version_record(persona=persona, actor=actor, summary=f"Owner now {owner.display_name}")
        link = persona.get_absolute_url()
        notify(user=owner, message=f"You now own the persona “{persona.name}”.", link=link)
        notify(user=previous, message=f"“{persona.name}” was handed to {owner.display_name}.", link=link)
    return persona


def _joined(first: list[Any], second: list[Any]) -> list[Any]:
    return list(first) + [item for item in second if item not in first]


def _channels_joined(first: list[dict], second: list[dict]) -> list[dict]:
    present = {entry.get("channel") for entry in first}
    return list(first) + [entry for entry in second if entry.get("channel") not in present]


def _dict_joined(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    joined = dict(first)
    for key, value in second.items():
        mine = joined.get(key)
        if isinstance(mine, list) and isinstance(value, list):
            joined[key] = _joined(mine, value)
        elif not mine:
            joined[key] = value
    return joined
