"""Every saved change to a persona leaves a numbered snapshot, so the history reads as a diff."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from governance.models import User
from personas.diffing import readable_snapshot
from personas.models import Persona, PersonaVersion, Quote

RECORD_FIELDS = (
    "name",
    "summary",
    "bio",
    "demographics_summary",
    "goals",
    "challenges",
    "motivations",
    "objections",
    "decision_triggers",
    "jobs_to_be_done",
    "preferred_channels",
    "content_preferences",
    "journey_notes",
    "crm_tags",
    "priority",
    "refresh_cycle_days",
)


def persona_snapshot(persona: Persona) -> dict[str, Any]:
    """The persona as a reader sees it: its record, state, owner, linked segments and kept quotes."""
    snapshot = {name: getattr(persona, name) for name in RECORD_FIELDS}
    snapshot["crm_tags"] = list(persona.crm_tags)
    snapshot["status"] = persona.get_status_display()
    snapshot["owner"] = persona.owner.get_username()
    snapshot["next_review_on"] = persona.next_review_on.isoformat() if persona.next_review_on else None
    snapshot["retired_reason"] = persona.retired_reason
    snapshot["merged_into"] = persona.merged_into.name if persona.merged_into_id else None
    snapshot["segments"] = sorted(persona.segments.values_list("name", flat=True))
    kept = Quote.objects.filter(persona=persona, is_candidate=False).order_by("id")
    snapshot["quotes"] = [quote_label(quote) for quote in kept]
    authors: dict[str, list[str]] = {}
    for quote in kept:
        if quote.profile_id:
            authors.setdefault(str(quote.profile_id), []).append(quote_label(quote))
    if authors:
        snapshot["quote_authors"] = authors  # so that erasure finds the words after edits and removals
    return snapshot


def quote_label(quote: Quote) -> str:
    """A quote as a version keeps it."""
    return f"“{quote.text}” ({quote.get_source_display()}{f', {quote.said_on}' if quote.said_on else ''})"


ERASED_QUOTE = "(a quote whose author asked to be erased)"


def quotes_of_erased_people_redact(sender, *, profile_ids: list[int], **kwargs) -> None:
    """Receiver of segments' people_erasing: the people's quotes leave with their profiles; their
    words leave every earlier version that kept them, of any persona (a merge moves quotes), however
    the quote read then; the note on why each was chosen leaves the evidence of every persona."""
    # The quotes' locks, then the personas', in the order the quote actions take them.
    quotes = list(Quote.objects.select_for_update().filter(profile_id__in=profile_ids).order_by("id"))
    current = {quote_label(quote) for quote in quotes if not quote.is_candidate}
    authors = [str(profile_id) for profile_id in profile_ids]
    keeping = Q(snapshot__quote_authors__has_any_keys=authors)
    for label in current:  # versions from before the authors were kept in snapshots
        keeping |= Q(snapshot__quotes__contains=[label])
    versions = list(PersonaVersion.objects.filter(keeping))
    notes = [str(quote.id) for quote in quotes]
    noted = (
        list(Persona.objects.filter(evidence__quotes__has_any_keys=notes).values_list("id", flat=True))
        if notes
        else []
    )
    # The persona rows' locks, as a save takes them: no version written meanwhile keeps the words.
    touched = (
        {quote.persona_id for quote in quotes} | {version.persona_id for version in versions} | set(noted)
    )
    list(Persona.objects.select_for_update().filter(id__in=sorted(touched)).order_by("id").values_list("id"))
    for version in PersonaVersion.objects.filter(keeping):
        recorded = version.snapshot.get("quote_authors", {})
        labels = current | {label for author in authors for label in recorded.pop(author, [])}
        version.snapshot["quotes"] = [
            ERASED_QUOTE if kept in labels else kept for kept in version.snapshot["quotes"]
        ]
        PersonaVersion.objects.filter(id=version.id).update(snapshot=version.snapshot)
    for persona in Persona.objects.filter(id__in=noted):
        for quote_id in notes:
            persona.evidence["quotes"].pop(quote_id, None)
        Persona.objects.filter(id=persona.id).update(evidence=persona.evidence)


def persona_version_record(
    *, persona: Persona, actor: User | None, summary: str, reviewed_at: datetime | None = None
) -> PersonaVersion | None:
    """Snapshot the persona as saved now. Nothing is written when nothing changed. The time of the
    last review travels from snapshot to snapshot; `reviewed_at` sets it."""
    with transaction.atomic():
        # The persona row's lock serialises numbering: two saves of one persona cannot take one number.
        Persona.objects.select_for_update().filter(id=persona.id).exists()
        previous = PersonaVersion.objects.filter(persona=persona).order_by("-number").first()
        snapshot = persona_snapshot(persona)
        carried = previous.snapshot.get("last_reviewed_at") if previous else None
        snapshot["last_reviewed_at"] = reviewed_at.isoformat() if reviewed_at else carried
        if previous is not None and readable_snapshot(previous.snapshot) == readable_snapshot(snapshot):
            return None
        number = (PersonaVersion.objects.filter(persona=persona).aggregate(top=Max("number"))["top"] or 0) + 1
        return PersonaVersion.objects.create(
            persona=persona, number=number, snapshot=snapshot, change_summary=summary[:300], created_by=actor
        )
