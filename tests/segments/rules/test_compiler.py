"""The compiled query selects exactly the people each operator and nesting describes."""

from datetime import date

import numpy as np
import pytest
from django.db import connection

from segments.rules.compiler import compile_definition
from segments.services.segment_versions import NewVersion, segment_versions_write
from tests.segments.rules.conftest import REALISTIC

pytestmark = pytest.mark.django_db


def members(definition: dict) -> set[int]:
    compiled = compile_definition(definition)
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        return {row[0] for row in cursor.fetchall()}


def where(*rules: dict, op: str = "and") -> dict:
    return {"op": op, "rules": list(rules)}


def test_values_travel_only_as_parameters():
    hostile = "x'); DROP TABLE segments_profile; --"
    compiled = compile_definition(where({"field": "city", "operator": "=", "value": hostile}))
    assert hostile.lower() in compiled.params
    assert "DROP" not in compiled.sql and "x'" not in compiled.sql
    assert compiled.sql.count("%s") == len(compiled.params)


def test_the_realistic_rule(audience):
    assert members(REALISTIC) == audience.ids("alice", "bob")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"field": "rfm_group", "operator": "in", "value": ["Champions"]}, {"alice", "carol"}),
        # Frank has no feature row: his RFM group is unknown, and unknown is not Champions.
        ({"field": "rfm_group", "operator": "not_in", "value": ["Champions"]}, {"bob", "dave", "frank"}),
        ({"field": "rfm_group", "operator": "=", "value": "Lost"}, {"dave"}),
        ({"field": "rfm_group", "operator": "!=", "value": "Lost"}, {"alice", "bob", "carol", "frank"}),
        ({"field": "rfm_group", "operator": "is_not_set"}, {"frank"}),
        ({"field": "birth_year", "operator": "!=", "value": 1985}, {"bob", "carol", "dave", "frank"}),
        ({"field": "sentiment", "operator": "!=", "value": -0.4}, {"alice", "bob", "carol", "frank"}),
        ({"field": "monetary", "operator": ">", "value": 200}, {"alice", "carol"}),
        ({"field": "monetary", "operator": ">=", "value": 200}, {"alice", "bob", "carol"}),
        ({"field": "monetary", "operator": "<", "value": 200}, {"dave"}),
        ({"field": "monetary", "operator": "<=", "value": 200}, {"bob", "dave"}),
        ({"field": "frequency", "operator": "between", "value": [5, 9]}, {"alice", "bob"}),
        ({"field": "sentiment", "operator": "is_set"}, {"dave"}),
        ({"field": "birth_year", "operator": "is_not_set"}, {"frank"}),  # eve has none either, but is a bot
        ({"field": "birth_year", "operator": "between", "value": [1980, 1995]}, {"alice", "bob"}),
        ({"field": "age", "operator": ">=", "value": date.today().year - 1980}, {"carol", "dave"}),
        ({"field": "city", "operator": "=", "value": "LONDON"}, {"alice", "carol", "frank"}),
        ({"field": "city", "operator": "!=", "value": "london"}, {"bob", "dave"}),
        ({"field": "city", "operator": "in", "value": ["Paris", "Leeds"]}, {"bob", "dave"}),
        ({"field": "city", "operator": "not_in", "value": ["Paris", "Leeds"]}, {"alice", "carol", "frank"}),
        ({"field": "gender", "operator": "is_set"}, {"alice"}),
        ({"field": "gender", "operator": "is_not_set"}, {"bob", "carol", "dave", "frank"}),
        (
            {"field": "interests", "operator": "contains_any", "value": ["travel", "food"]},
            {"alice", "bob", "carol"},
        ),
        ({"field": "interests", "operator": "contains_all", "value": ["travel", "fitness"]}, {"alice"}),
        ({"field": "consent", "operator": "granted", "value": "marketing"}, {"alice", "bob", "dave"}),
        ({"field": "consent", "operator": "not_granted", "value": "marketing"}, {"carol", "frank"}),
    ],
)
def test_each_operator(audience, rule, expected):
    assert members(where(rule)) == audience.ids(*expected)


COMPLEMENTS = [
    ("rfm_group", "in", "not_in", ["Champions", "Lost"]),
    ("rfm_group", "=", "!=", "Loyal"),
    ("city", "in", "not_in", ["Paris", "Leeds"]),
    ("city", "=", "!=", "London"),
    ("gender", "=", "!=", "female"),
    ("birth_year", "=", "!=", 1990),
    ("monetary", "=", "!=", 200),
    ("sentiment", "=", "!=", -0.4),
    ("sentiment", "is_set", "is_not_set", None),
    ("rfm_group", "is_set", "is_not_set", None),
    ("consent", "granted", "not_granted", "marketing"),
]


@pytest.mark.parametrize(("field", "positive", "negative", "value"), COMPLEMENTS)
def test_a_condition_and_its_negation_share_out_everyone_once(audience, field, positive, negative, value):
    # Whatever the field's type, "is not" takes exactly the people "is" leaves, unknowns included.
    def rule(operator):
        return {"field": field, "operator": operator} | ({} if value is None else {"value": value})

    chosen, rest = members(where(rule(positive))), members(where(rule(negative)))
    assert not chosen & rest
    assert chosen | rest == audience.ids("alice", "bob", "carol", "dave", "frank")


def events(operator: str, value, **extra) -> dict:
    return {"field": "events", "operator": operator, "value": value, "within_days": 30} | extra


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # Counts in the window: alice 4 (3 Instagram, 1 X), bob 3 (with his merged profile), carol 5,
        # dave and frank 0; eve is a bot and never matches.
        (events(">=", 4), {"alice", "carol"}),
        (events(">", 4), {"carol"}),
        (events("<", 4), {"bob", "dave", "frank"}),
        (events("<=", 0), {"dave", "frank"}),
        (events("=", 0), {"dave", "frank"}),
        (events("=", 3), {"bob"}),
        (events("!=", 3), {"alice", "carol", "dave", "frank"}),
        (events("!=", 0), {"alice", "bob", "carol"}),
        (events("between", [0, 3]), {"bob", "dave", "frank"}),
        (events("between", [4, 5]), {"alice", "carol"}),
        (events(">=", 1, platform="x"), {"alice"}),
        (events(">=", 3, event_type="comment", platform="instagram"), {"alice", "bob", "carol"}),
        (events(">=", 1, event_type="purchase"), set()),
        (events(">=", 5, within_days=60), {"alice", "carol"}),
    ],
)
def test_event_windows(audience, rule, expected):
    assert members(where(rule)) == audience.ids(*expected)


def test_nesting_and_or(audience):
    definition = where(
        {"field": "consent", "operator": "granted", "value": "marketing"},
        where(
            {"field": "city", "operator": "=", "value": "Paris"},
            events(">=", 3, event_type="comment", platform="instagram"),
            op="or",
        ),
    )
    assert members(definition) == audience.ids("alice", "bob", "dave")


def test_or_of_a_zero_count_and_a_feature(audience):
    definition = where(events("=", 0), {"field": "rfm_group", "operator": "in", "value": ["Loyal"]}, op="or")
    assert members(definition) == audience.ids("bob", "dave", "frank")


def test_deep_nesting(audience):
    inner = where(
        {"field": "city", "operator": "=", "value": "Leeds"},
        {"field": "age", "operator": ">", "value": 50},
        op="or",
    )
    definition = where(where(where(inner, {"field": "consent", "operator": "granted", "value": "marketing"})))
    assert members(definition) == audience.ids("bob", "dave")


def test_membership_of_another_segments_current_version(audience, marketer, make_rule_segment):
    other = make_rule_segment(marketer, "Hand-picked", {})
    segment_versions_write(versions=[NewVersion(segment=other, profile_ids=np.array([audience.carol.id]))])
    segment_versions_write(
        versions=[NewVersion(segment=other, profile_ids=np.array([audience.alice.id, audience.eve.id]))]
    )
    assert members(where({"field": "segment", "operator": "in", "value": other.id})) == audience.ids("alice")
    assert members(where({"field": "segment", "operator": "not_in", "value": other.id})) == audience.ids(
        "bob", "carol", "dave", "frank"
    )


def test_a_segment_never_computed_has_no_members(audience, marketer, make_rule_segment):
    other = make_rule_segment(marketer, "Empty", {})
    assert members(where({"field": "segment", "operator": "in", "value": other.id})) == set()


def test_features_are_joined_only_when_the_rules_read_them(audience):
    by_city = compile_definition(where({"field": "city", "operator": "=", "value": "London"}))
    by_group = compile_definition(where({"field": "rfm_group", "operator": "=", "value": "Lost"}))
    assert "LEFT JOIN segments_profilefeatures f" not in by_city.sql and "b.is_bot" in by_city.sql
    assert "LEFT JOIN segments_profilefeatures f" in by_group.sql and "f.is_bot IS NOT TRUE" in by_group.sql
