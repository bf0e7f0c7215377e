"""What a rule segment must pass before it is saved or run: a name free of blocked terms and not
taken, a valid definition without cycles, and the sensitivity class its rules give it."""

import re
from typing import Any

from config.errors import ChangedMeanwhile
from governance.models import User
from segments.models import Segment, Sensitivity
from segments.rule_segment_selectors import blocked_segment_terms, segment_graph, sensitive_attributes
from segments.rules.catalogue import FIELDS_BY_NAME
from segments.rules.validation import (
    DefinitionInvalid,
    RuleError,
    definition_check,
    fields_used,
    referenced_segments,
)
from segments.segment_selectors import segment_members_visible

SENSITIVITY_RANK = {Sensitivity.NORMAL: 0, Sensitivity.SENSITIVE: 1, Sensitivity.SPECIAL: 2}
KEPT_UNTIL_REBUILT = "Kept until the members are rebuilt from what the segment uses now"


def sensitivity_while_rebuilding(*, current: tuple[str, str], new: tuple[str, str]) -> tuple[str, str]:
    """The class of a segment whose rules or features changed before its members are rebuilt: a
    higher class applies at once; a lower one waits, since the members were chosen the old way."""
    if SENSITIVITY_RANK[new[0]] >= SENSITIVITY_RANK[current[0]]:
        return new
    level, reason = current
    if not reason.startswith(KEPT_UNTIL_REBUILT):
        reason = f"{KEPT_UNTIL_REBUILT}. {reason}"[:300]
    return level, reason


class SegmentRefused(ValueError):
    """The segment cannot be saved as asked; the message says why, `field` which input is at fault."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


class SegmentChangedMeanwhile(SegmentRefused, ChangedMeanwhile):
    """Someone saved the segment after the editor read it."""


def segment_name_check(*, name: str, segment: Segment | None = None) -> str:
    """The name, trimmed, if it may be used; blocked terms count as whole words, in any case."""
    name = " ".join(name.split())
    if not name:
        raise SegmentRefused("Give the segment a name.")
    for term, reason in blocked_segment_terms().items():
        if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", name, flags=re.IGNORECASE):
            why = f" ({reason})" if reason else ""
            raise SegmentRefused(f"Segment names may not use “{term}”{why}. Describe what people do instead.")
    taken = Segment.objects.filter(name__iexact=name, retired_at=None)
    if segment is not None:
        taken = taken.exclude(id=segment.id)
    if taken.exists():
        raise SegmentRefused(f"There is already a segment called “{name}”.")
    return name


def rule_definition_check(*, definition: Any, segment: Segment | None = None) -> None:
    """Raises segments.rules.validation.DefinitionInvalid, naming every offending part."""
    definition_check(definition, segments=segment_graph(), segment_id=segment.id if segment else None)


def segments_used_check(*, definition: Any, actor: User | None) -> None:
    """Rules use the members of another segment only where their author may see them: otherwise the
    size they give (in the preview, on the card) would tell who is in a sensitive segment. The
    system (actor None) refreshes what was allowed when it was saved."""
    if actor is None:
        return
    used = Segment.objects.filter(id__in=referenced_segments(definition)).order_by("name")
    hidden = [segment.name for segment in used if not segment_members_visible(user=actor, segment=segment)]
    if hidden:
        raise DefinitionInvalid(
            [
                RuleError("", f"The members of “{name}” are not shared with you, so rules cannot use them.")
                for name in hidden
            ]
        )


def rule_sensitivity(*, definition: Any) -> tuple[str, str]:
    """The class a definition gives its segment, and why: the highest class among the sensitive
    attributes its rules test and the segments whose members it uses."""
    level, reasons = Sensitivity.NORMAL, []
    attributes = sensitive_attributes()
    for name in sorted(fields_used(definition)):
        if name not in attributes:
            continue
        attribute_level, why = attributes[name]
        level = max(level, attribute_level, key=SENSITIVITY_RANK.__getitem__)
        label = FIELDS_BY_NAME[name].label if name in FIELDS_BY_NAME else name
        reasons.append(f"Uses {label.lower()}" + (f": {why.rstrip('.')}" if why else ""))
    used = Segment.objects.filter(id__in=referenced_segments(definition)).exclude(
        sensitivity=Sensitivity.NORMAL
    )
    for other in used.order_by("name"):
        level = max(level, other.sensitivity, key=SENSITIVITY_RANK.__getitem__)
        reasons.append(f"Uses the members of “{other.name}” ({other.get_sensitivity_display().lower()})")
    return level, ("; ".join(reasons) + "." if reasons else "")[:300]
