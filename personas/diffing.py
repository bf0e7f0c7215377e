"""Readable differences between two snapshots of a persona: field by field, lists as items added and
removed, nested fields (content preferences, journey notes, jobs to be done) key by key."""

from dataclasses import dataclass, field
from typing import Any

LABELS = {
    "name": "Name",
    "summary": "Summary",
    "bio": "Bio",
    "demographics_summary": "Demographics",
    "goals": "Goals",
    "challenges": "Challenges and pain points",
    "motivations": "Motivations",
    "objections": "Objections",
    "decision_triggers": "Decision triggers",
    "jobs_to_be_done": "Jobs to be done",
    "preferred_channels": "Preferred channels",
    "content_preferences": "Content preferences",
    "journey_notes": "Journey notes",
    "crm_tags": "CRM tags",
    "status": "Status",
    "owner": "Owner",
    "priority": "Priority",
    "refresh_cycle_days": "Refresh cycle (days)",
    "next_review_on": "Next review",
    "last_reviewed_at": "Last reviewed",
    "retired_reason": "Reason for retiring",
    "merged_into": "Merged into",
    "segments": "Linked segments",
    "quotes": "Quotes",
}
# Kept in a snapshot for erasure, not for readers: whose words each kept quote is.
BOOKKEEPING = ("quote_authors",)


def readable_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in snapshot.items() if name not in BOOKKEEPING}


@dataclass
class FieldChange:
    field: str
    label: str
    before: Any = None
    after: Any = None
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.added or self.removed)


def snapshot_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """What changed from `before` to `after`, in the order of LABELS; everything is new when there
    is no `before`."""
    before, after = readable_snapshot(before or {}), readable_snapshot(after)
    changes: list[FieldChange] = []
    names = [name for name in LABELS if name in before or name in after]
    names += sorted((set(before) | set(after)) - set(LABELS))
    for name in names:
        changes += _value_diff(
            name, LABELS.get(name, name.replace("_", " ").capitalize()), before.get(name), after.get(name)
        )
    return changes


def _value_diff(name: str, label: str, old: Any, new: Any) -> list[FieldChange]:
    if (_empty(old) and _empty(new)) or old == new:
        return []
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old or {}, new or {}
        if isinstance(old, dict) and isinstance(new, dict):
            changes = []
            for key in list(old) + [key for key in new if key not in old]:
                sub_label = f"{label}: {key.replace('_', ' ')}"
                changes += _value_diff(f"{name}.{key}", sub_label, old.get(key), new.get(key))
            return changes
    if isinstance(old, list | type(None)) and isinstance(new, list | type(None)):
        old_items, new_items = (
            [_readable(item) for item in old or []],
            [_readable(item) for item in new or []],
        )
        added = [item for item in new_items if item not in old_items]
        removed = [item for item in old_items if item not in new_items]
        if added or removed:
            return [FieldChange(field=name, label=label, added=added, removed=removed)]
        return [
            FieldChange(
                field=name, label=f"{label} (order)", before=", ".join(old_items), after=", ".join(new_items)
            )
        ]
    return [FieldChange(field=name, label=label, before=_readable(old), after=_readable(new))]


def _readable(value: Any) -> Any:
    if isinstance(value, dict) and "channel" in value:
        return f"{value['channel']} ({float(value.get('share') or 0) * 100:.0f}%)"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return "" if value is None else value


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})
