"""The rule tree as the builder's templates draw it: per node its key, inputs, choices, the kind of
value box it needs and the validation messages that belong beside it."""

from collections import defaultdict
from typing import Any

from segments.forms_rule_segments import ROOT, path_to_key
from segments.rules.catalogue import (
    CONSENT_PURPOSES,
    EVENT_TYPES,
    FIELDS,
    FIELDS_BY_NAME,
    LIST_VALUE,
    NO_VALUE,
    PLATFORM_LABELS,
    PLATFORMS,
    Field,
    operator_label,
)
from segments.rules.compiler import NEGATIONS
from segments.rules.validation import MAX_DEPTH, RuleError, is_group


def _labelled(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ").capitalize()) for value in values]


def field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for field in FIELDS:
        groups.setdefault(field.group, []).append((field.name, field.label))
    return list(groups.items())


EVENT_TYPE_CHOICES = _labelled(EVENT_TYPES)
PLATFORM_CHOICES = [(platform, PLATFORM_LABELS[platform]) for platform in PLATFORMS]


def errors_by_key(errors: list[RuleError]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        key, part = path_to_key(error.path)
        found[key].append(
            error.message if part in ("", "value", "field", "operator") else f"{part}: {error.message}"
        )
    return found


def node_keys(definition: Any, key: str = ROOT) -> list[str]:
    """Every node's key, in the order the builder draws them."""
    keys = [key]
    for index, rule in enumerate(definition.get("rules") or [] if isinstance(definition, dict) else []):
        child = f"{key}-{index}"
        keys.extend(node_keys(rule, child) if is_group(rule) else [child])
    return keys


def builder_nodes(
    definition: dict[str, Any],
    *,
    errors: list[RuleError],
    segments: list[tuple[int, str]],
    focus: str = "",
) -> dict[str, Any]:
    context = {"errors": errors_by_key(errors), "segments": segments, "focus": focus}
    return _group(definition, ROOT, 1, context)


def _group(group: dict[str, Any], key: str, depth: int, context: dict[str, Any]) -> dict[str, Any]:
    children = []
    for index, rule in enumerate(group.get("rules") or []):
        child_key = f"{key}-{index}"
        if is_group(rule):
            children.append(_group(rule, child_key, depth + 1, context))
        else:
            children.append(_condition(rule if isinstance(rule, dict) else {}, child_key, index, context))
    return {
        "key": key,
        "is_group": True,
        "is_root": key == ROOT,
        "op": group.get("op", "and"),
        "children": children,
        "can_nest": depth < MAX_DEPTH,
        "errors": context["errors"].get(key, []),
        "autofocus_add": context["focus"] == f"{key}-add-condition",
    }


def _condition(rule: dict[str, Any], key: str, index: int, context: dict[str, Any]) -> dict[str, Any]:
    name = rule.get("field") if isinstance(rule.get("field"), str) else ""
    field = FIELDS_BY_NAME.get(name)
    operator = rule.get("operator", "")
    node: dict[str, Any] = {
        "key": key,
        "is_group": False,
        "number": index + 1,
        "field_name": name,
        "field": field,
        "operator": operator,
        "operators": [(value, operator_label(field, value)) for value in field.operators] if field else [],
        "errors": context["errors"].get(key, []),
        "autofocus_field": context["focus"] == f"{key}-field",
        "is_events": field is not None and field.type == "events",
        "event_type": rule.get("event_type") or "",
        "platform": rule.get("platform") or "",
        "within_days": rule.get("within_days", 30),
    }
    node.update(_value_box(field, operator, rule.get("value"), context["segments"]))
    return node


def _value_box(
    field: Field | None, operator: str, value: Any, segments: list[tuple[int, str]]
) -> dict[str, Any]:
    """Which input the value needs, with its current content."""
    if field is None or operator in NO_VALUE or operator not in field.operators:
        return {"value_kind": "none"}
    if operator == "between":
        low, high = [*value, None, None][:2] if isinstance(value, list) else (None, None)
        return {"value_kind": "between", "value": _shown(low), "value_to": _shown(high), "step": _step(field)}
    if field.type == "segment":
        return {
            "value_kind": "select",
            "choices": [(str(id_), name) for id_, name in segments],
            "value": _shown(value),
        }
    if field.type == "consent":
        return {"value_kind": "select", "choices": _labelled(CONSENT_PURPOSES), "value": _shown(value)}
    if field.options and operator in LIST_VALUE:
        chosen = set(value) if isinstance(value, list) else set()
        return {
            "value_kind": "checkboxes",
            "choices": [(option, option, option in chosen) for option in field.options],
        }
    if field.options:
        return {
            "value_kind": "select",
            "choices": [(option, option) for option in field.options],
            "value": _shown(value),
        }
    if operator in LIST_VALUE:
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else _shown(value)
        return {"value_kind": "text_list", "value": shown}
    if field.type in ("number", "integer", "events"):
        return {"value_kind": "number", "value": _shown(value), "step": _step(field)}
    return {"value_kind": "text", "value": _shown(value)}


def _step(field: Field) -> str:
    return "any" if field.type == "number" else "1"


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def readable_rules(definition: Any, *, names: dict[int, str]) -> dict[str, Any]:
    """The rule tree in words, for reading: {"op", "children"} groups and {"text"} conditions."""
    if not isinstance(definition, dict):
        return {"op": "and", "children": []}
    children = [
        readable_rules(rule, names=names) if is_group(rule) else {"text": _sentence(rule, names)}
        for rule in definition.get("rules") or []
    ]
    return {"op": definition.get("op", "and"), "children": children}


def _sentence(rule: Any, names: dict[int, str]) -> str:
    field = FIELDS_BY_NAME.get(rule.get("field")) if isinstance(rule, dict) else None
    if field is None:
        return "An unknown condition"
    operator, value = rule.get("operator", ""), rule.get("value")
    if field.type == "events":
        kind = (rule.get("event_type") or "event").replace("_", " ")
        where = (
            f" on {PLATFORM_LABELS.get(rule['platform'], rule['platform'])}" if rule.get("platform") else ""
        )
        amount = f"{value[0]} and {value[1]}" if isinstance(value, list) else value
        window = f"in the last {rule.get('within_days')} days"
        return f"{kind.capitalize()}s{where} {window} {operator_label(field, operator)} {amount}"
    if field.type == "segment":
        name = names.get(value, f"segment {value}")
        return f"{operator_label(field, operator).capitalize()} “{name}”"
    if operator in NO_VALUE:
        shown = ""
    elif isinstance(value, list):
        shown = (
            " and ".join(str(item) for item in value) if operator == "between" else ", ".join(map(str, value))
        )
    else:
        shown = str(value)
    unknown = ", or unknown" if operator in NEGATIONS else ""  # the compiler keeps unknowns there
    return f"{field.label} {operator_label(field, operator)} {shown}".strip() + unknown
