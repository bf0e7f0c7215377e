"""A persona as data to take away: a JSON document with everything on its card, and CSV for
spreadsheets (one persona as rows of fields, or the gallery as one row per persona)."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from personas.models import Persona, Quote, Validation
from personas.people_counts import PeopleCount
from personas.selectors import LinkedSegment
from personas.services.versions import RECORD_FIELDS

LIST_SEPARATOR = "; "
GALLERY_COLUMNS = (
    "id",
    "name",
    "status",
    "owner",
    "summary",
    "priority",
    "segments",
    "people_in_segments",
    "people_counted",
    "goals",
    "challenges",
    "motivations",
    "objections",
    "decision_triggers",
    "preferred_channels",
    "crm_tags",
    "next_review_on",
)


def persona_document(
    persona: Persona,
    *,
    linked: list[LinkedSegment],
    quotes: Iterable[Quote],
    validations: Iterable[Validation],
) -> dict[str, Any]:
    document = {"id": persona.id, **{name: getattr(persona, name) for name in RECORD_FIELDS}}
    document.update(
        crm_tags=list(persona.crm_tags),
        status=persona.status,
        owner=persona.owner.get_username(),
        next_review_on=persona.next_review_on.isoformat() if persona.next_review_on else None,
        retired_reason=persona.retired_reason,
        merged_into=persona.merged_into_id,
        evidence=persona.evidence,
        segments=[
            {
                "id": item.link.segment_id,
                "name": item.link.segment.name,
                "size": item.size,
                "size_when_linked": item.link.size_when_linked,
            }
            for item in linked
        ],
        quotes=[
            {
                "text": quote.text,
                "source": quote.source,
                "said_on": quote.said_on.isoformat() if quote.said_on else None,
                "consent_confirmed": quote.consent_confirmed,
            }
            for quote in quotes
        ],
        validations=[
            {
                "kind": validation.kind,
                "title": validation.title,
                "held_on": validation.held_on.isoformat(),
                "outcome": validation.outcome,
                "link": validation.link,
            }
            for validation in validations
        ],
        exported_at=timezone.now().isoformat(timespec="seconds"),
    )
    return document


def persona_rows(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, item, value) rows: one per value, lists and nested fields spelled out item by item."""
    rows = []
    for name, value in document.items():
        if name == "evidence":
            for key, entry in (value or {}).items():
                if isinstance(entry, dict) and "figure" in entry:
                    rows.append(("evidence", key, str(entry["figure"])))
            continue
        rows += [(name, item, text) for item, text in _flatten(value)]
    return rows


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def gallery_rows(
    personas: Iterable[Persona], *, people: dict[int, PeopleCount], segment_names: dict[int, list[str]]
):
    for persona in personas:
        count = people.get(persona.id, PeopleCount(0))
        yield [
            persona.id,
            persona.name,
            persona.get_status_display(),
            persona.owner.get_username(),
            persona.summary,
            persona.priority,
            LIST_SEPARATOR.join(segment_names.get(persona.id, [])),
            count.people,
            "at most" if count.at_most else "estimated" if count.estimated else "exactly",
            *(LIST_SEPARATOR.join(getattr(persona, name)) for name in GALLERY_COLUMNS[9:14]),
            LIST_SEPARATOR.join(_readable(item) for item in persona.preferred_channels),
            LIST_SEPARATOR.join(persona.crm_tags),
            persona.next_review_on.isoformat() if persona.next_review_on else "",
        ]


def _flatten(value: Any, item: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict) and "channel" not in value and "text" not in value and "title" not in value:
        return [
            pair for key, sub in value.items() for pair in _flatten(sub, f"{item}.{key}" if item else key)
        ]
    if isinstance(value, list):
        return [
            (f"{item}[{index}]" if item else str(index), _readable(entry))
            for index, entry in enumerate(value, 1)
        ]
    return [(item, _readable(value))]


def _readable(value: Any) -> str:
    if isinstance(value, dict) and "channel" in value:
        share = value.get("share")
        return (
            f"{value['channel']} ({float(share) * 100:.0f}%)" if share is not None else str(value["channel"])
        )
    if isinstance(value, dict):
        return LIST_SEPARATOR.join(
            f"{key}: {entry}" for key, entry in value.items() if entry not in (None, "")
        )
    return "" if value is None else str(value)


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
