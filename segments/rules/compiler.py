"""A valid rule definition as ONE parameterised SQL query returning canonical profile ids.

Values only ever travel as parameters; the SQL text comes from the catalogue and this module alone.

    SELECT p.id FROM segments_profile p
    LEFT JOIN segments_profilefeatures f ON f.profile_id = p.id     -- when the rules read features
    LEFT JOIN (<events per person in a window, GROUP BY>) ev0 ON ev0.profile_id = p.id
    WHERE p.merged_into_id IS NULL AND f.is_bot IS NOT TRUE AND (<the rule tree>)

Event conditions count a person's events over a window, their merged profiles' events included.
A condition that zero events satisfies ("fewer than 3") keeps the people *outside* the aggregate
that fails it; the others keep those inside. Either way the test on the joined row is a plain
IS [NOT] NULL, so under an AND PostgreSQL turns the outer join into an inner join or an anti-join,
and under an OR it stays a correct outer join.
"""

from dataclasses import dataclass, field
from typing import Any

from segments.consent_sql import PURPOSE_USES, consenting_people_sql
from segments.rules.catalogue import FIELDS_BY_NAME, Field
from segments.rules.validation import fields_used, is_group

BASE = "SELECT p.id FROM segments_profile p"
FEATURES = "LEFT JOIN segments_profilefeatures f ON f.profile_id = p.id"
# Canonical people only; bots never belong to a segment. A rule that reads features tests the joined
# row; one that does not looks bots up apart, rather than joining every profile's (wide) features.
PEOPLE = "p.merged_into_id IS NULL AND f.is_bot IS NOT TRUE"
PEOPLE_NOT_BOTS = (
    "p.merged_into_id IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM segments_profilefeatures b WHERE b.profile_id = p.id AND b.is_bot)"
)
POPULATION_SQL = f"{BASE} WHERE {PEOPLE_NOT_BOTS}"

# A negation selects exactly the people its positive condition does not: with the unknowns.
NEGATIONS = {"!=": "=", "not_in": "in"}
BLANK_IS_UNKNOWN = ("text", "choice")  # stored as '' when unknown; the others as NULL
_COMPARE = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# Events are counted per profile first, then each merged profile's count moves to its person. Only
# merged profiles are looked up (the partial index profile_merged_into holds just them), not a million.
_EVENTS_IN_WINDOW = (
    "SELECT COALESCE(ep.merged_into_id, counted.profile_id) AS profile_id FROM ("
    "SELECT e.profile_id, count(*) AS events FROM segments_event e"
    " WHERE {filters} GROUP BY e.profile_id"
    ") counted LEFT JOIN segments_profile ep"
    " ON ep.id = counted.profile_id AND ep.merged_into_id IS NOT NULL"
    " GROUP BY 1 HAVING {having}"
)
_CONSENT = f"p.id IN ({consenting_people_sql()})"
_MEMBER = (
    "EXISTS (SELECT 1 FROM segments_segmentmembership m WHERE m.profile_id = p.id"
    " AND m.version_id = (SELECT s.current_version_id FROM segments_segment s WHERE s.id = %s))"
)


@dataclass(frozen=True)
class CompiledRule:
    sql: str
    params: list[Any]

    def count(self) -> "CompiledRule":
        return CompiledRule(f"SELECT count(*) FROM ({self.sql}) AS member", self.params)


@dataclass
class _Query:
    joins: list[str] = field(default_factory=list)
    join_params: list[Any] = field(default_factory=list)
    where_params: list[Any] = field(default_factory=list)


def compile_definition(definition: dict[str, Any]) -> CompiledRule:
    """The members of a definition that definition_check accepted."""
    query = _Query()
    tree = _group(definition, query)
    if any(FIELDS_BY_NAME[name].table == "segments_profilefeatures" for name in fields_used(definition)):
        sql = " ".join([BASE, FEATURES, *query.joins, f"WHERE {PEOPLE} AND {tree}"])
    else:
        sql = " ".join([BASE, *query.joins, f"WHERE {PEOPLE_NOT_BOTS} AND {tree}"])
    return CompiledRule(sql, [*query.join_params, *query.where_params])


def _group(group: dict[str, Any], query: _Query) -> str:
    parts = [_group(rule, query) if is_group(rule) else _condition(rule, query) for rule in group["rules"]]
    if len(parts) == 1:
        return parts[0]
    return "(" + f" {group['op'].upper()} ".join(parts) + ")"


def _condition(rule: dict[str, Any], query: _Query) -> str:
    catalogued = FIELDS_BY_NAME[rule["field"]]
    operator, value = rule["operator"], rule.get("value")
    if catalogued.type == "events":
        return _events(rule, query)
    if catalogued.type == "consent":
        query.where_params.extend([value] * PURPOSE_USES)
        return _CONSENT if operator == "granted" else f"NOT {_CONSENT}"
    if catalogued.type == "segment":
        query.where_params.append(int(value))
        return _MEMBER if operator == "in" else f"NOT {_MEMBER}"
    sql, params = _column_test(catalogued, operator, value)
    query.where_params.extend(params)
    return sql


def _column_test(catalogued: Field, operator: str, value: Any) -> tuple[str, list[Any]]:
    if operator in NEGATIONS:  # an unknown value (NULL, '', no feature row) passes "is not"
        positive, params = _column_test(catalogued, NEGATIONS[operator], value)
        return f"({positive}) IS NOT TRUE", params
    column = catalogued.column
    if operator in ("is_set", "is_not_set"):
        known = (
            f"COALESCE({column}, '') <> ''"
            if catalogued.type in BLANK_IS_UNKNOWN
            else f"{column} IS NOT NULL"
        )
        return (known if operator == "is_set" else f"NOT ({known})"), []
    if operator == "between":
        return f"{column} BETWEEN %s AND %s", list(value)
    if operator == "contains_any":
        return f"{column} && %s::varchar[]", [list(value)]
    if operator == "contains_all":
        return f"{column} @> %s::varchar[]", [list(value)]
    if catalogued.type == "text":  # free text compares without regard to case
        column = f"lower({column})"
        value = [item.lower() for item in value] if isinstance(value, list) else value.lower()
    if operator == "in":
        return f"{column} = ANY(%s)", [list(value)]
    return f"{column} {_COMPARE[operator]} %s", [value]


def _events(rule: dict[str, Any], query: _Query) -> str:
    alias = f"ev{len(query.joins)}"
    filters = ["e.occurred_at >= now() - make_interval(days => %s)"]
    params: list[Any] = [int(rule["within_days"])]
    for key in ("event_type", "platform"):
        if rule.get(key) is not None:
            filters.append(f"e.{key} = %s")
            params.append(rule[key])
    operator, value = rule["operator"], rule["value"]
    if operator == "between":
        having, bounds = "sum(events) BETWEEN %s AND %s", [int(value[0]), int(value[1])]
        zero_matches = value[0] <= 0
    else:
        having, bounds = f"sum(events) {_COMPARE[operator]} %s", [int(value)]
        zero_matches = _holds_for_zero(operator, int(value))
    if zero_matches:  # keep those whose count fails the test: everyone else, zero included, passes
        having = f"NOT ({having})"
    subquery = _EVENTS_IN_WINDOW.format(filters=" AND ".join(filters), having=having)
    query.joins.append(f"LEFT JOIN ({subquery}) {alias} ON {alias}.profile_id = p.id")
    query.join_params.extend([*params, *bounds])
    return f"{alias}.profile_id IS NULL" if zero_matches else f"{alias}.profile_id IS NOT NULL"


def _holds_for_zero(operator: str, value: int) -> bool:
    return {
        "=": value == 0,
        "!=": value != 0,
        "<": value > 0,
        "<=": value >= 0,
        ">": value < 0,
        ">=": value <= 0,
    }[operator]
