"""Checking a rule definition before anything runs it. Every problem is reported with the path of the
offending part ("rules[1].value"), so the API can name it and the builder can show it beside the
condition; a valid definition is one the compiler can always turn into SQL."""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from segments.rules.catalogue import (
    CONSENT_PURPOSES,
    EVENT_TYPES,
    FIELDS_BY_NAME,
    LIST_VALUE,
    NO_VALUE,
    PLATFORMS,
    Field,
)

MAX_DEPTH = 4
MAX_CONDITIONS = 50
MAX_VALUES = 1000
MAX_TEXT = 200
MAX_WINDOW_DAYS = 3650
EVENT_KEYS = frozenset({"event_type", "platform", "within_days"})
CONDITION_KEYS = frozenset({"field", "operator", "value"})


@dataclass(frozen=True)
class RuleError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionInvalid(ValueError):
    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class SegmentNode:
    """What validation needs to know of an existing segment: its name, the segments its rules use,
    whether a rule may use it (a retired segment may not), and whether it has members yet."""

    name: str
    references: frozenset[int] = field(default_factory=frozenset)
    usable: bool = True
    computed: bool = True


def definition_check(
    definition: Any, *, segments: Mapping[int, SegmentNode] | None = None, segment_id: int | None = None
) -> None:
    errors = definition_errors(definition, segments=segments, segment_id=segment_id)
    if errors:
        raise DefinitionInvalid(errors)


def definition_errors(
    definition: Any, *, segments: Mapping[int, SegmentNode] | None = None, segment_id: int | None = None
) -> list[RuleError]:
    """Every problem of `definition`, in reading order. `segments` are the segments a rule may refer
    to; `segment_id` is the segment being edited, for cycle checks (None while creating)."""
    validator = _Validator(segments or {}, segment_id)
    validator.group(definition, "", depth=1)
    if validator.conditions > MAX_CONDITIONS:
        validator.errors.append(
            RuleError("rules", f"A segment may have at most {MAX_CONDITIONS} conditions.")
        )
    return validator.errors


def conditions(definition: Any) -> Iterator[dict[str, Any]]:
    """Every condition of a definition, valid or not, in reading order."""
    if not isinstance(definition, dict):
        return
    for rule in definition.get("rules") or []:
        if isinstance(rule, dict) and ("op" in rule or "rules" in rule):
            yield from conditions(rule)
        elif isinstance(rule, dict):
            yield rule


def fields_used(definition: Any) -> set[str]:
    return {rule["field"] for rule in conditions(definition) if isinstance(rule.get("field"), str)}


def referenced_segments(definition: Any) -> set[int]:
    return {
        rule["value"]
        for rule in conditions(definition)
        if rule.get("field") == "segment" and _is_integer(rule.get("value"))
    }


def is_group(rule: Any) -> bool:
    return isinstance(rule, dict) and ("op" in rule or "rules" in rule)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and float(value).is_integer()


class _Validator:
    def __init__(self, segments: Mapping[int, SegmentNode], segment_id: int | None) -> None:
        self.segments = segments
        self.segment_id = segment_id
        self.errors: list[RuleError] = []
        self.conditions = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.append(RuleError(path, message))

    def group(self, group: Any, path: str, depth: int) -> None:
        if not isinstance(group, dict):
            self.fail(path or "definition", 'Expected a group: an object with "op" and "rules".')
            return
        for key in sorted(set(group) - {"op", "rules"}):
            self.fail(_join(path, key), 'Unknown key in a group; a group has only "op" and "rules".')
        if group.get("op") not in ("and", "or"):
            self.fail(_join(path, "op"), 'Choose "and" (all must hold) or "or" (any may hold).')
        rules = group.get("rules")
        if not isinstance(rules, list) or not rules:
            self.fail(_join(path, "rules"), "A group needs at least one condition.")
            return
        for index, rule in enumerate(rules):
            rule_path = f"{_join(path, 'rules')}[{index}]"
            if is_group(rule):
                if depth >= MAX_DEPTH:
                    self.fail(rule_path, f"Groups may be nested at most {MAX_DEPTH} deep.")
                else:
                    self.group(rule, rule_path, depth + 1)
            else:
                self.condition(rule, rule_path)

    def condition(self, rule: Any, path: str) -> None:
        self.conditions += 1
        if not isinstance(rule, dict):
            self.fail(path, 'Expected a condition: an object with "field", "operator" and "value".')
            return
        name = rule.get("field")
        catalogued = FIELDS_BY_NAME.get(name) if isinstance(name, str) else None
        if catalogued is None:
            self.fail(_join(path, "field"), f"Unknown field {name!r}." if name else "Choose a field.")
            return
        allowed = CONDITION_KEYS | (EVENT_KEYS if catalogued.type == "events" else frozenset())
        for key in sorted(set(rule) - allowed):
            self.fail(_join(path, key), f"{catalogued.label} conditions have no {key!r}.")
        operator = rule.get("operator")
        if operator not in catalogued.operators:
            choices = ", ".join(catalogued.operators)
            self.fail(_join(path, "operator"), f"{catalogued.label} takes one of these operators: {choices}.")
            return
        if catalogued.type == "events":
            self.event_window(rule, path)
        message = self.value_problem(catalogued, operator, rule.get("value"))
        if message:
            self.fail(_join(path, "value"), message)

    def value_problem(self, catalogued: Field, operator: str, value: Any) -> str:
        kind = catalogued.type
        if kind == "segment":
            return self.segment_problem(value)
        if operator in NO_VALUE:
            return "" if value is None else "This operator takes no value."
        if operator == "between":
            return _between_problem(value, integer=kind != "number", minimum=0 if kind == "events" else None)
        if operator in LIST_VALUE:
            return _list_problem(value, catalogued.options)
        if kind in ("number", "integer"):
            if kind == "integer" and not _is_integer(value):
                return "Enter a whole number."
            return "" if _is_number(value) else "Enter a number."
        if kind == "events":
            return "" if _is_integer(value) and value >= 0 else "Enter a whole number of events, 0 or more."
        if kind == "consent":
            return "" if value in CONSENT_PURPOSES else f"Choose a purpose: {', '.join(CONSENT_PURPOSES)}."
        return _text_problem(value, catalogued.options)

    def event_window(self, rule: dict[str, Any], path: str) -> None:
        if rule.get("event_type") is not None and rule["event_type"] not in EVENT_TYPES:
            self.fail(_join(path, "event_type"), f"Unknown event type {rule['event_type']!r}.")
        if rule.get("platform") is not None and rule["platform"] not in PLATFORMS:
            self.fail(_join(path, "platform"), f"Unknown platform {rule['platform']!r}.")
        days = rule.get("within_days")
        if not _is_integer(days) or not 1 <= days <= MAX_WINDOW_DAYS:
            self.fail(_join(path, "within_days"), f"Enter a window of 1 to {MAX_WINDOW_DAYS} days.")

    def segment_problem(self, value: Any) -> str:
        if not _is_integer(value):
            return "Choose a segment (its id)."
        value = int(value)
        node = self.segments.get(value)
        if value == self.segment_id:
            return "A segment cannot be built from its own members."
        if node is None:
            return f"There is no segment {value}."
        if not node.usable:
            return f"Segment “{node.name}” is retired and can no longer be used."
        chain = self.path_to_self(value)
        if chain:
            names = " → ".join(self.segments[step].name for step in chain)
            return f"Segment “{node.name}” already uses this one ({names} → this one): that would be a cycle."
        if not node.computed:
            # "Not a member of" a segment without members would select everyone.
            return f"Segment “{node.name}” has no members yet: use it once its first refresh has finished."
        return ""

    def path_to_self(self, start: int) -> list[int]:
        """The chain of references leading from `start` back to the segment being edited, if any."""
        if self.segment_id is None:
            return []  # a segment being created cannot be used by another yet
        stack: list[tuple[int, list[int]]] = [(start, [start])]
        seen = {start}
        while stack:
            current, chain = stack.pop()
            node = self.segments.get(current)
            for reference in sorted(node.references) if node else []:
                if reference == self.segment_id:
                    return chain
                if reference not in seen:
                    seen.add(reference)
                    stack.append((reference, [*chain, reference]))
        return []


def _between_problem(value: Any, *, integer: bool, minimum: int | None) -> str:
    check = _is_integer if integer else _is_number
    if not (isinstance(value, list) and len(value) == 2 and all(check(item) for item in value)):
        kind = "whole numbers" if integer else "numbers"
        return f"Enter two {kind}, the lower first: [from, to]."
    if value[0] > value[1]:
        return "The first number must not be above the second."
    if minimum is not None and value[0] < minimum:
        return f"Counts start at {minimum}."
    return ""


def _list_problem(value: Any, options: tuple[str, ...]) -> str:
    if not isinstance(value, list) or not value:
        return "Choose at least one value."
    if len(value) > MAX_VALUES:
        return f"Use at most {MAX_VALUES} values."
    for item in value:
        problem = _text_problem(item, options)
        if problem:
            return problem
    return ""


def _text_problem(value: Any, options: tuple[str, ...]) -> str:
    if options and value not in options:
        return f"{value!r} is not one of: {', '.join(options)}."
    if not isinstance(value, str) or not value.strip():
        return "Enter a value."
    return "" if len(value) <= MAX_TEXT else f"Use at most {MAX_TEXT} characters."
