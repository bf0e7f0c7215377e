"""The rule builder's form: a segment's details, and its rule tree posted as flat fields.

Each node of the tree has a key made of its positions: "n" is the top group, "n-0" its first rule,
"n-0-2" the third rule of that (a group). Hidden `node` inputs list the nodes in order as
"key:group" or "key:condition"; a node's inputs are named "<key>.<part>" (n-0.field, n-0.value).
Buttons post `action` = "add-condition:<key>", "add-group:<key>" or "remove:<key>", so the builder
works as a plain form and, with HTMX, re-renders in place."""

import math
import re
from typing import Any

from django import forms

from segments.models import Schedule, Segment
from segments.rules.catalogue import FIELDS_BY_NAME, LIST_VALUE, NO_VALUE, Field
from segments.services.rule_segment_checks import SegmentRefused, segment_name_check

ROOT = "n"
_KEY = re.compile(r"n(-\d{1,3}){0,6}")


class SegmentDetailsForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    description = forms.CharField(
        required=False, label="Description", widget=forms.Textarea(attrs={"rows": 2})
    )
    refresh_schedule = forms.ChoiceField(
        choices=Schedule.choices,
        initial=Schedule.NEVER,
        label="Refresh",
        help_text="How often the members are recomputed from the rules.",
    )
    # When the segment was last saved, as the editor read it: a later save by someone else is refused.
    based_on_updated_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, segment: Segment | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.segment = segment

    def clean_name(self) -> str:
        # Checked here too, so that a refused name shows along with any problem in the rules.
        try:
            return segment_name_check(name=self.cleaned_data["name"], segment=self.segment)
        except SegmentRefused as refused:
            raise forms.ValidationError(str(refused)) from refused


def blank_condition() -> dict[str, Any]:
    return {"field": "", "operator": ""}


def blank_definition() -> dict[str, Any]:
    return {"op": "and", "rules": [blank_condition()]}


def definition_from_form(data) -> dict[str, Any]:
    """The rule tree the posted fields describe (valid or not: validation says what is wrong)."""
    nodes: dict[str, dict[str, Any]] = {}
    for token in data.getlist("node"):
        key, _, kind = token.partition(":")
        if not _KEY.fullmatch(key) or key in nodes:
            continue
        parent = nodes.get(key.rpartition("-")[0]) if key != ROOT else None
        if key != ROOT and (parent is None or "rules" not in parent):
            continue
        if kind == "group":
            node = {"op": data.get(f"{key}.op", "and"), "rules": []}
        elif key != ROOT:
            node = _condition_from_form(data, key)
        else:
            continue
        nodes[key] = node
        if parent is not None:
            parent["rules"].append(node)
    return nodes.get(ROOT) or blank_definition()


def _condition_from_form(data, key: str) -> dict[str, Any]:
    name = data.get(f"{key}.field", "")
    catalogued = FIELDS_BY_NAME.get(name)
    if catalogued is None:
        return blank_condition() | ({"field": name} if name else {})
    operator = data.get(f"{key}.operator", "")
    changed_field = data.get(f"{key}.shown_field", name) != name
    if changed_field or operator not in catalogued.operators:
        operator = catalogued.operators[0]  # a new field starts from its first operator, without a value
    rule: dict[str, Any] = {"field": name, "operator": operator}
    if catalogued.type == "events":
        for part in ("event_type", "platform"):
            if data.get(f"{key}.{part}"):
                rule[part] = data.get(f"{key}.{part}")
        rule["within_days"] = _number(data.get(f"{key}.within_days", "30"))
    if changed_field or operator in NO_VALUE:
        return rule | ({"value": 1} if catalogued.type == "events" else {})
    rule["value"] = _value_from_form(data, key, catalogued, operator)
    return rule


def _value_from_form(data, key: str, catalogued: Field, operator: str) -> Any:
    if operator == "between":
        return [_number(data.get(f"{key}.value", "")), _number(data.get(f"{key}.value_to", ""))]
    if catalogued.type == "segment":
        return _number(data.get(f"{key}.value", ""))
    if operator in LIST_VALUE:
        if catalogued.options:
            return [item for item in data.getlist(f"{key}.value") if item]
        return [item.strip() for item in data.get(f"{key}.value", "").split(",") if item.strip()]
    if catalogued.type in ("number", "integer", "events"):
        return _number(data.get(f"{key}.value", ""))
    return data.get(f"{key}.value", "").strip()


def _number(text: str) -> Any:
    """A number typed into a box; what is not a number is kept as typed, for validation to name."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def path_to_key(path: str) -> tuple[str, str]:
    """A validation path ("rules[0].rules[2].value") as the builder's node key and part ("n-0-2",
    "value"). Errors about a group as a whole land on the group."""
    indices = re.findall(r"rules\[(\d+)\]", path)
    key = "-".join([ROOT, *indices])
    rest = path.rsplit("]", 1)[-1].lstrip(".") if indices else path
    return key, rest


def apply_action(definition: dict[str, Any], action: str) -> tuple[dict[str, Any], str]:
    """The tree after a builder button, and the id of the element to focus next."""
    verb, _, key = action.partition(":")
    target, parent = _find(definition, key)
    if verb in ("add-condition", "add-group") and target is not None and "rules" in target:
        new_key = f"{key}-{len(target['rules'])}"
        if verb == "add-condition":
            target["rules"].append(blank_condition())
            return definition, f"{new_key}-field"
        target["rules"].append({"op": "and", "rules": [blank_condition()]})
        return definition, f"{new_key}-0-field"
    if verb == "remove" and target is not None and parent is not None:
        del parent["rules"][int(key.rpartition("-")[2])]
        return definition, f"{key.rpartition('-')[0]}-add-condition"
    return definition, ""


def _find(definition: dict[str, Any], key: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if not _KEY.fullmatch(key or ""):
        return None, None
    node, parent = definition, None
    for index in [int(part) for part in key.split("-")[1:]]:
        rules = node.get("rules") if isinstance(node, dict) else None
        if not isinstance(rules, list) or index >= len(rules):
            return None, None
        node, parent = rules[index], node
    return node, parent
