"""The fields a rule can test: name, label, type, operators and where the value lives. One catalogue
drives validation, the compiler, the builder page and GET /api/v1/segments/fields/."""

from dataclasses import dataclass
from typing import Any

from segments.ml.features import RFM_GROUPS

# The models' choices, repeated here so that this package needs no Django; a test keeps them equal.
EVENT_TYPES = (
    *("view", "like", "comment", "share", "save", "click", "follow", "purchase", "message"),
    *("page_view", "email_open", "email_click"),
)
PLATFORM_LABELS = {
    "crm": "CRM",
    "shop": "Web shop",
    "instagram": "Instagram",
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "email": "Email",
    "web": "Website",
}
PLATFORMS = tuple(PLATFORM_LABELS)
CONSENT_PURPOSES = ("marketing", "personalisation", "analytics")
FORMATS = ("image", "video", "reel", "story", "carousel", "text")

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=", "between")
OPERATORS: dict[str, tuple[str, ...]] = {
    "number": (*COMPARISONS, "is_set", "is_not_set"),
    "integer": (*COMPARISONS, "is_set", "is_not_set"),
    "text": ("=", "!=", "in", "not_in", "is_set", "is_not_set"),
    "choice": ("in", "not_in", "=", "!=", "is_set", "is_not_set"),
    "list": ("contains_any", "contains_all"),
    "consent": ("granted", "not_granted"),
    "events": (">=", ">", "<=", "<", "=", "!=", "between"),
    "segment": ("in", "not_in"),
}
OPERATOR_LABELS = {
    "=": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
    "between": "is between",
    "in": "is one of",
    "not_in": "is none of",
    "is_set": "is known",
    "is_not_set": "is unknown",
    "contains_any": "includes any of",
    "contains_all": "includes all of",
    "granted": "is granted for",
    "not_granted": "is not granted for",
}
# The builder's wording where "is one of" would read oddly.
SEGMENT_OPERATOR_LABELS = {"in": "is a member of", "not_in": "is not a member of"}
NO_VALUE = ("is_set", "is_not_set")
LIST_VALUE = ("in", "not_in", "contains_any", "contains_all")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    group: str
    table: str = ""
    column: str = ""  # an SQL expression over the table's alias (p: profile, f: features)
    options: tuple[str, ...] = ()
    help: str = ""
    stored_in: str = ""  # the column behind a computed expression, when it differs from the name

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.type]

    @property
    def source(self) -> str:
        """Where the value lives, for the API's readers: "table.column", or the table alone."""
        return f"{self.table}.{self.stored_in or self.name}" if self.column else self.table


def _profile(name: str, label: str, kind: str, **extra: Any) -> Field:
    return Field(name, label, kind, "Profile", "segments_profile", f"p.{name}", **extra)


def _feature(name: str, label: str, kind: str, **extra: Any) -> Field:
    return Field(name, label, kind, "Features", "segments_profilefeatures", f"f.{name}", **extra)


FIELDS: tuple[Field, ...] = (
    _profile("gender", "Gender", "text"),
    _profile("birth_year", "Year of birth", "integer"),
    Field(
        "age",
        "Age (years, from the year of birth)",
        "integer",
        "Profile",
        "segments_profile",
        "(EXTRACT(YEAR FROM CURRENT_DATE)::int - p.birth_year)",
        stored_in="birth_year",
    ),
    _profile("city", "City", "text"),
    _profile("country", "Country (two letters)", "text"),
    _feature("rfm_group", "RFM group", "choice", options=RFM_GROUPS),
    _feature("r_score", "Recency score (1-5)", "integer"),
    _feature("f_score", "Frequency score (1-5)", "integer"),
    _feature("m_score", "Monetary score (1-5)", "integer"),
    _feature("recency_days", "Days since the last purchase", "number"),
    _feature("frequency", "Purchases", "integer"),
    _feature("monetary", "Total spend", "number"),
    _feature("clv_estimate", "Lifetime value estimate", "number"),
    _feature("events_total", "Events in all", "integer"),
    _feature("events_30d", "Events in the last 30 days", "integer"),
    _feature("weighted_engagement", "Weighted engagement", "number"),
    _feature("engagement_rate", "Engagement rate (across platforms)", "number"),
    _feature("decayed_activity", "Recent activity (decayed)", "number"),
    _feature("posting_per_week", "Posts per week", "number"),
    _feature("response_latency_hours", "Hours to respond", "number"),
    _feature("sentiment", "Sentiment of comments (-1 to 1)", "number"),
    _feature("peak_hour", "Most active hour (0-23)", "integer"),
    _feature("peak_weekday", "Most active weekday (0 is Monday)", "integer"),
    _feature("top_format", "Favourite content format", "choice", options=FORMATS),
    _feature("interests", "Interests", "list", help="Topics of the interest taxonomy."),
    _feature(
        "bot_score", "Bot score (0-1)", "number", help="Profiles at or above the threshold never match."
    ),
    Field("consent", "Consent", "consent", "Consent", "segments_consent", options=CONSENT_PURPOSES),
    Field(
        "events",
        "Number of events",
        "events",
        "Behaviour",
        "segments_event",
        help="Counted over a window of days, by type and platform, including merged profiles' events.",
    ),
    Field("segment", "Segment", "segment", "Segments", "segments_segmentmembership"),
)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}


def catalogue_as_dicts() -> list[dict[str, Any]]:
    """The catalogue as the API and the builder page show it."""
    return [
        {
            "name": field.name,
            "label": field.label,
            "type": field.type,
            "group": field.group,
            "operators": [
                {"value": operator, "label": operator_label(field, operator)} for operator in field.operators
            ],
            "options": list(field.options),
            "source": field.source,
            "help": field.help,
        }
        for field in FIELDS
    ]


def operator_label(field: Field, operator: str) -> str:
    if field.type == "segment":
        return SEGMENT_OPERATOR_LABELS.get(operator, operator)
    return OPERATOR_LABELS.get(operator, operator)
