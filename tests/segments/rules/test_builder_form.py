"""The builder's flat form fields and buttons, to and from the rule tree."""

from django.http import QueryDict

from segments.forms_rule_segments import apply_action, blank_definition, definition_from_form, path_to_key
from segments.rule_builder_nodes import builder_nodes, node_keys, readable_rules
from segments.rules.validation import RuleError, definition_errors
from tests.segments.rules.conftest import REALISTIC


def posted(pairs: list[tuple[str, str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


NESTED_FORM = [
    ("node", "n:group"),
    ("n.op", "and"),
    ("node", "n-0:condition"),
    ("n-0.field", "rfm_group"),
    ("n-0.shown_field", "rfm_group"),
    ("n-0.operator", "in"),
    ("n-0.value", "Champions"),
    ("n-0.value", "Loyal"),
    ("node", "n-1:group"),
    ("n-1.op", "or"),
    ("node", "n-1-0:condition"),
    ("n-1-0.field", "events"),
    ("n-1-0.shown_field", "events"),
    ("n-1-0.event_type", "comment"),
    ("n-1-0.platform", ""),
    ("n-1-0.operator", ">="),
    ("n-1-0.value", "3"),
    ("n-1-0.within_days", "30"),
    ("node", "n-1-1:condition"),
    ("n-1-1.field", "birth_year"),
    ("n-1-1.shown_field", "birth_year"),
    ("n-1-1.operator", "between"),
    ("n-1-1.value", "1980"),
    ("n-1-1.value_to", "1995"),
    ("node", "n-2:condition"),
    ("n-2.field", "city"),
    ("n-2.shown_field", "city"),
    ("n-2.operator", "in"),
    ("n-2.value", " London, Leeds ,, "),
]


def test_posted_fields_make_the_tree():
    assert definition_from_form(posted(NESTED_FORM)) == {
        "op": "and",
        "rules": [
            {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
            {
                "op": "or",
                "rules": [
                    {
                        "field": "events",
                        "operator": ">=",
                        "event_type": "comment",
                        "within_days": 30,
                        "value": 3,
                    },
                    {"field": "birth_year", "operator": "between", "value": [1980, 1995]},
                ],
            },
            {"field": "city", "operator": "in", "value": ["London", "Leeds"]},
        ],
    }


def test_a_new_field_starts_from_its_first_operator_without_a_value():
    form = posted(
        [
            ("node", "n:group"),
            ("node", "n-0:condition"),
            ("n-0.field", "monetary"),
            ("n-0.shown_field", "rfm_group"),
            ("n-0.operator", "in"),
            ("n-0.value", "Champions"),
        ]
    )
    assert definition_from_form(form)["rules"] == [{"field": "monetary", "operator": "="}]


def test_what_is_not_a_number_is_kept_for_validation_to_name():
    form = posted(
        [
            ("node", "n:group"),
            ("node", "n-0:condition"),
            ("n-0.field", "monetary"),
            ("n-0.shown_field", "monetary"),
            ("n-0.operator", ">"),
            ("n-0.value", "lots"),
        ]
    )
    definition = definition_from_form(form)
    assert definition["rules"][0]["value"] == "lots"
    assert [error.path for error in definition_errors(definition)] == ["rules[0].value"]


def test_stray_and_orphan_nodes_are_ignored():
    form = posted(
        [("node", "n:group"), ("node", "n-5-1:condition"), ("node", "x:group"), ("node", "n-0:bogus")]
    )
    assert definition_from_form(form) == {"op": "and", "rules": [{"field": "", "operator": ""}]}
    assert definition_from_form(posted([])) == blank_definition()


def test_buttons_add_and_remove_and_say_where_focus_goes():
    definition = definition_from_form(posted(NESTED_FORM))
    definition, focus = apply_action(definition, "add-condition:n-1")
    assert len(definition["rules"][1]["rules"]) == 3 and focus == "n-1-2-field"
    definition, focus = apply_action(definition, "add-group:n")
    assert definition["rules"][3] == {"op": "and", "rules": [{"field": "", "operator": ""}]}
    assert focus == "n-3-0-field"
    definition, focus = apply_action(definition, "remove:n-1-0")
    assert definition["rules"][1]["rules"][0]["field"] == "birth_year" and focus == "n-1-add-condition"
    unchanged, focus = apply_action(definition, "remove:n")  # the top group stays
    assert unchanged == definition and focus == ""
    assert apply_action(definition, "remove:n-9")[1] == ""


def test_validation_paths_map_onto_builder_keys():
    assert path_to_key("rules[1].rules[0].value") == ("n-1-0", "value")
    assert path_to_key("rules[2]") == ("n-2", "")
    assert path_to_key("op") == ("n", "op")
    assert path_to_key("definition") == ("n", "definition")
    assert node_keys(definition_from_form(posted(NESTED_FORM))) == [
        "n",
        "n-0",
        "n-1",
        "n-1-0",
        "n-1-1",
        "n-2",
    ]


def test_the_builder_draws_the_right_box_for_each_value():
    tree = builder_nodes(
        REALISTIC,
        errors=[RuleError("rules[0].value", "Choose at least one value.")],
        segments=[(7, "Loyal")],
        focus="n-2-field",
    )
    rfm, consent, events = tree["children"]
    assert rfm["value_kind"] == "checkboxes" and ("Champions", "Champions", True) in rfm["choices"]
    assert rfm["errors"] == ["Choose at least one value."]
    assert consent["value_kind"] == "select" and consent["value"] == "marketing"
    assert events["value_kind"] == "number" and events["is_events"] and events["autofocus_field"]
    assert (events["event_type"], events["platform"], events["within_days"]) == ("comment", "instagram", 30)


def test_rules_read_as_sentences():
    names = {7: "Loyal"}
    definition = {
        "op": "or",
        "rules": [
            *REALISTIC["rules"],
            {"field": "segment", "operator": "not_in", "value": 7},
            {"field": "country", "operator": "!=", "value": "GB"},
            {"field": "rfm_group", "operator": "not_in", "value": ["Lost"]},
        ],
    }
    readable = readable_rules(definition, names=names)
    assert readable["op"] == "or"
    assert [child["text"] for child in readable["children"]] == [
        "RFM group is one of Champions, Loyal",
        "Consent is granted for marketing",
        "Comments on Instagram in the last 30 days is at least 3",
        "Is not a member of “Loyal”",
        "Country (two letters) is not GB, or unknown",
        "RFM group is none of Lost, or unknown",
    ]
