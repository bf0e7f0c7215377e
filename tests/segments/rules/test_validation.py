"""Invalid definitions are refused with the path of each offending part; cycles are found."""

import pytest

from segments.models import ConsentPurpose, EventType, Platform
from segments.rules.catalogue import (
    CONSENT_PURPOSES,
    EVENT_TYPES,
    FIELDS,
    PLATFORM_LABELS,
    PLATFORMS,
    catalogue_as_dicts,
)
from segments.rules.validation import (
    MAX_CONDITIONS,
    DefinitionInvalid,
    SegmentNode,
    definition_check,
    definition_errors,
    fields_used,
    referenced_segments,
)
from tests.segments.rules.conftest import REALISTIC


def errors(definition, **options) -> dict[str, str]:
    return {error.path: error.message for error in definition_errors(definition, **options)}


def where(*rules, op="and"):
    return {"op": op, "rules": list(rules)}


def test_a_valid_definition_has_no_errors():
    assert definition_errors(REALISTIC) == []
    assert fields_used(REALISTIC) == {"rfm_group", "consent", "events"}


@pytest.mark.parametrize(
    ("definition", "path", "words"),
    [
        (None, "definition", "Expected a group"),
        ({"op": "xor", "rules": [{"field": "city", "operator": "is_set"}]}, "op", '"and"'),
        ({"op": "and", "rules": []}, "rules", "at least one condition"),
        ({"op": "and", "rules": [{"field": "city", "operator": "is_set"}], "not": 1}, "not", "Unknown key"),
        (where({"field": "shoe_size", "operator": "=", "value": 9}), "rules[0].field", "Unknown field"),
        (where({"operator": "=", "value": 9}), "rules[0].field", "Choose a field"),
        (
            where({"field": "city", "operator": ">", "value": "A"}),
            "rules[0].operator",
            "one of these operators",
        ),
        (where({"field": "rfm_group", "operator": "in", "value": []}), "rules[0].value", "at least one"),
        (
            where({"field": "rfm_group", "operator": "in", "value": ["VIP"]}),
            "rules[0].value",
            "'VIP' is not one of",
        ),
        (where({"field": "rfm_group", "operator": "=", "value": "VIP"}), "rules[0].value", "not one of"),
        (
            where({"field": "birth_year", "operator": "between", "value": [1995, 1980]}),
            "rules[0].value",
            "not be above",
        ),
        (
            where({"field": "birth_year", "operator": "between", "value": [1980]}),
            "rules[0].value",
            "two whole numbers",
        ),
        (where({"field": "birth_year", "operator": "=", "value": 1980.5}), "rules[0].value", "whole number"),
        (where({"field": "monetary", "operator": ">", "value": "lots"}), "rules[0].value", "Enter a number"),
        (where({"field": "monetary", "operator": ">", "value": True}), "rules[0].value", "Enter a number"),
        (where({"field": "city", "operator": "=", "value": "  "}), "rules[0].value", "Enter a value"),
        (where({"field": "city", "operator": "=", "value": "x" * 201}), "rules[0].value", "at most 200"),
        (where({"field": "city", "operator": "is_set", "value": "x"}), "rules[0].value", "takes no value"),
        (
            where({"field": "consent", "operator": "granted", "value": "spam"}),
            "rules[0].value",
            "Choose a purpose",
        ),
        (
            where({"field": "city", "operator": "=", "value": "A", "within_days": 3}),
            "rules[0].within_days",
            "no",
        ),
        (
            where({"field": "events", "operator": ">=", "value": 3}),
            "rules[0].within_days",
            "window of 1 to 3650 days",
        ),
        (
            where({"field": "events", "operator": ">=", "value": -1, "within_days": 30}),
            "rules[0].value",
            "0 or more",
        ),
        (
            where({"field": "events", "operator": ">=", "value": 1, "within_days": 30, "event_type": "wink"}),
            "rules[0].event_type",
            "Unknown event type",
        ),
        (
            where(
                {"field": "events", "operator": ">=", "value": 1, "within_days": 30, "platform": "myspace"}
            ),
            "rules[0].platform",
            "Unknown platform",
        ),
        (
            where({"field": "segment", "operator": "in", "value": "Loyal"}),
            "rules[0].value",
            "Choose a segment",
        ),
        (where({"field": "segment", "operator": "in", "value": 404}), "rules[0].value", "no segment 404"),
    ],
)
def test_invalid_definitions_name_the_offending_part(definition, path, words):
    found = errors(definition)
    assert path in found, found
    assert words in found[path]


def test_nested_paths_point_into_groups():
    definition = where(
        {"field": "city", "operator": "is_set"},
        where(
            {"field": "city", "operator": "is_set"},
            {"field": "rfm_group", "operator": "in", "value": []},
            op="or",
        ),
    )
    assert list(errors(definition)) == ["rules[1].rules[1].value"]


def test_every_problem_is_reported_and_the_exception_names_them():
    definition = where({"field": "city", "operator": "="}, {"field": "nope"})
    with pytest.raises(DefinitionInvalid) as raised:
        definition_check(definition)
    assert [error.path for error in raised.value.errors] == ["rules[0].value", "rules[1].field"]
    assert "rules[0].value: Enter a value." in str(raised.value)


def test_depth_and_size_are_bounded():
    deep = where({"field": "city", "operator": "is_set"})
    for _ in range(4):
        deep = where(deep)
    assert "Groups may be nested at most" in errors(deep)["rules[0].rules[0].rules[0].rules[0]"]
    wide = where(*[{"field": "city", "operator": "is_set"}] * (MAX_CONDITIONS + 1))
    assert "at most" in errors(wide)["rules"]


GRAPH = {
    1: SegmentNode("Loyal"),
    2: SegmentNode("Loyal in London", frozenset({1})),
    3: SegmentNode("Loyal Londoners who comment", frozenset({2})),
    4: SegmentNode("Retired one", usable=False),
}


def uses(segment_id: int) -> dict:
    return where({"field": "segment", "operator": "in", "value": segment_id})


def test_a_segment_may_use_another():
    assert errors(uses(2), segments=GRAPH, segment_id=None) == {}
    assert referenced_segments(uses(2)) == {2}


def test_a_segment_may_not_use_itself():
    assert "its own members" in errors(uses(1), segments=GRAPH, segment_id=1)["rules[0].value"]


def test_indirect_cycles_are_refused_with_the_chain():
    # Segment 1 would use 3, which uses 2, which uses 1.
    message = errors(uses(3), segments=GRAPH, segment_id=1)["rules[0].value"]
    assert "cycle" in message
    assert "Loyal Londoners who comment → Loyal in London → this one" in message


def test_retired_segments_cannot_be_used():
    assert "retired" in errors(uses(4), segments=GRAPH)["rules[0].value"]


def test_the_catalogue_matches_the_models():
    assert set(EVENT_TYPES) == set(EventType.values)
    assert set(PLATFORMS) == set(Platform.values)
    assert dict(Platform.choices) == PLATFORM_LABELS
    assert set(CONSENT_PURPOSES) == set(ConsentPurpose.values)


def test_the_catalogue_describes_every_field():
    described = {field["name"]: field for field in catalogue_as_dicts()}
    assert set(described) == {field.name for field in FIELDS}
    assert described["rfm_group"]["source"] == "segments_profilefeatures.rfm_group"
    assert described["age"]["source"] == "segments_profile.birth_year"
    assert described["events"]["source"] == "segments_event"
    assert {"value": "in", "label": "is a member of"} in described["segment"]["operators"]
    assert "Champions" in described["rfm_group"]["options"]
