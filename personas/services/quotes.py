"""Quotes and validations: the people's own words behind a persona, and the checks made against it.
Candidate quotes come from consenting people's comments; keeping one checks that consent again."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import User
from governance.services.audit import audit_record
from personas.models import Persona, Quote, Validation
from personas.segment_evidence import QUOTE_CONSENT_PURPOSE
from personas.services.records import persona_editable_check
from personas.services.versions import persona_version_record
from segments.selectors import profiles_whose_person_consents

QUOTE_FIELDS = ("text", "source", "said_on", "consent_confirmed")


def quote_create(*, persona: Persona, actor: User, data: dict[str, Any]) -> Quote:
    persona_editable_check(persona=persona)
    values = {name: data[name] for name in QUOTE_FIELDS if name in data}
    with transaction.atomic():
        quote = Quote(persona=persona, is_candidate=False, **values)
        quote.full_clean()
        quote.save()
        audit_record(actor=actor, action="persona.quote_added", subject=persona, details={"quote": quote.id})
        persona_version_record(persona=persona, actor=actor, summary="Quote added")
    return quote


def quote_update(*, quote: Quote, actor: User, data: dict[str, Any]) -> Quote:
    persona_editable_check(persona=quote.persona)
    with transaction.atomic():
        for name in QUOTE_FIELDS:
            if name in data:
                setattr(quote, name, data[name])
        quote.full_clean()
        quote.save()
        audit_record(
            actor=actor, action="persona.quote_changed", subject=quote.persona, details={"quote": quote.id}
        )
        if not quote.is_candidate:
            persona_version_record(persona=quote.persona, actor=actor, summary="Quote changed")
    return quote


def quote_delete(*, quote: Quote, actor: User) -> None:
    """Remove a kept quote, or discard a candidate."""
    persona = quote.persona
    persona_editable_check(persona=persona)
    with transaction.atomic():
        kept = not quote.is_candidate
        details = {"quote": quote.id}
        quote.delete()
        persona.evidence.get("quotes", {}).pop(str(details["quote"]), None)
        persona.save(update_fields=["evidence", "updated_at"])
        action = "persona.quote_removed" if kept else "persona.quote_discarded"
        audit_record(actor=actor, action=action, subject=persona, details=details)
        if kept:
            persona_version_record(persona=persona, actor=actor, summary="Quote removed")


def quote_keep(*, quote: Quote, actor: User) -> Quote:
    """A candidate becomes part of the persona, if its author still consents; a candidate whose author
    withdrew consent is removed instead."""
    persona_editable_check(persona=quote.persona)
    if not quote.is_candidate:
        return quote
    if quote.profile_id and not quote_author_consents(quote=quote):
        quote_delete(quote=quote, actor=actor)
        raise ValidationError("Its author has withdrawn consent, so the quote was removed.")
    with transaction.atomic():
        quote.is_candidate = False
        quote.save(update_fields=["is_candidate"])
        audit_record(
            actor=actor, action="persona.quote_kept", subject=quote.persona, details={"quote": quote.id}
        )
        persona_version_record(persona=quote.persona, actor=actor, summary="Suggested quote kept")
    return quote


def quote_author_consents(*, quote: Quote) -> bool:
    return bool(profiles_whose_person_consents(purpose=QUOTE_CONSENT_PURPOSE, profile_ids=[quote.profile_id]))


def validation_create(
    *, persona: Persona, actor: User, kind: str, title: str, held_on: date, outcome: str = "", link: str = ""
) -> Validation:
    """Record an interview round, survey or test that checked the persona (allowed in any live state:
    evidence may arrive while a publication decision is pending)."""
    if persona.status in ("retired", "merged"):
        raise ValidationError("Validations are added to live personas only.")
    with transaction.atomic():
        validation = Validation(
            persona=persona,
            kind=kind,
            title=title,
            held_on=held_on,
            outcome=outcome,
            link=link,
            created_by=actor,
        )
        validation.full_clean()
        validation.save()
        audit_record(
            actor=actor,
            action="persona.validation_added",
            subject=persona,
            details={"validation": validation.id},
        )
    return validation


def validation_delete(*, validation: Validation, actor: User) -> None:
    if validation.persona.status in ("retired", "merged"):
        raise ValidationError("A retired or merged persona keeps its validations as they were.")
    with transaction.atomic():
        persona, validation_id = validation.persona, validation.id
        validation.delete()
        audit_record(
            actor=actor,
            action="persona.validation_removed",
            subject=persona,
            details={"validation": validation_id},
        )
