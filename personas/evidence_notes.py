"""A persona's evidence as numbered notes, in the order the card shows its fields: on screen each
filled field's number opens its figure on hover or focus; in print the notes are footnotes."""

from dataclasses import dataclass
from typing import Any

from personas.models import Persona

CARD_ORDER = (
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
    "content_preferences.tone",
    "content_preferences.formats",
    "content_preferences.frequency",
    "content_preferences.best_days",
    "content_preferences.best_hours",
    "content_preferences.hashtags",
    "journey_notes.awareness",
    "journey_notes.consideration",
    "journey_notes.decision",
    "journey_notes.retention",
    "crm_tags",
)


@dataclass(frozen=True)
class EvidenceNote:
    key: str
    number: int
    figure: str
    source: str
    edited: bool

    @property
    def text(self) -> str:
        text = f"{self.figure} ({self.source})" if self.source else self.figure
        return text + " — edited since it was drafted" if self.edited else text


def evidence_notes(persona: Persona, *, quote_ids: list[int] = ()) -> dict[str, EvidenceNote]:
    """Key -> note for each field with evidence, numbered in card order; kept quotes drafted from
    comments are keyed "quote:<id>"."""
    evidence = persona.evidence or {}
    entries: list[tuple[str, dict[str, Any]]] = [
        (key, evidence[key]) for key in CARD_ORDER if isinstance(evidence.get(key), dict)
    ]
    quote_figures = evidence.get("quotes") or {}
    entries += [
        (f"quote:{quote_id}", {"figure": quote_figures[str(quote_id)]})
        for quote_id in quote_ids
        if str(quote_id) in quote_figures
    ]
    notes = {}
    for number, (key, entry) in enumerate(entries, start=1):
        notes[key] = EvidenceNote(
            key=key,
            number=number,
            figure=str(entry.get("figure", "")),
            source=_source(entry.get("source")),
            edited=bool(entry.get("edited")),
        )
    return notes


def _source(source: Any) -> str:
    if not isinstance(source, dict) or not source.get("segment"):
        return ""
    when = str(source.get("computed_at", ""))[:10]
    return f"segment “{source['segment']}” v{source.get('version', '?')}, {when}"
