"""Which product field each column of a file fills, and how to read it.

A mapping is plain JSON, kept per source and record kind for the next upload:
    {"columns": {header: {"field": target or "", "type": how to read it, "date_format": ...}},
     "event_type": default event type, "profile_source_id": whose customer ids an event file uses}
"""

import re
from dataclasses import dataclass

import pandas as pd

from segments.importing.detection import detect_type

PROFILE_KINDS = ("profiles",)
EVENT_KINDS = ("events", "transactions", "comments")
DEFAULT_EVENT_TYPE = {"transactions": "purchase", "comments": "comment", "events": ""}
IDENTIFIER_FIELDS = ("email", "phone", "instagram", "x", "linkedin", "tiktok")
CONSENT_FIELDS = ("consent_marketing", "consent_personalisation", "consent_analytics")
PROFILE_KEY_FIELDS = ("profile_external_id", "profile_email", "profile_phone", "profile_handle")


@dataclass(frozen=True)
class Target:
    label: str
    types: tuple[str, ...]  # how a column may be read; the first is the usual one
    max_length: int = 0
    required: bool = False
    synonyms: tuple[str, ...] = ()


PROFILE_TARGETS = {
    "external_id": Target(
        "Customer id",
        ("text",),
        100,
        True,
        (
            "id",
            "customer_id",
            "customerid",
            "client_id",
            "user_id",
            "contact_id",
            "member_id",
            "subscriber_id",
            "crm_id",
            "record_id",
        ),
    ),
    "first_name": Target(
        "First name", ("text",), 100, synonyms=("firstname", "given_name", "forename", "first")
    ),
    "last_name": Target("Last name", ("text",), 100, synonyms=("lastname", "surname", "family_name", "last")),
    "gender": Target("Gender", ("gender",), 20, synonyms=("sex",)),
    "birth_year": Target("Birth year", ("year", "age"), synonyms=("year_of_birth", "yob", "born", "age")),
    "city": Target("City", ("text",), 100, synonyms=("town",)),
    "country": Target("Country", ("country",), 2, synonyms=("country_code", "nation")),
    "email": Target("Email", ("email",), 254, synonyms=("e_mail", "email_address", "mail")),
    "phone": Target(
        "Phone", ("phone",), 254, synonyms=("mobile", "telephone", "phone_number", "tel", "cell")
    ),
    "instagram": Target("Instagram handle", ("handle",), 254, synonyms=("instagram_handle", "ig")),
    "x": Target("X handle", ("handle",), 254, synonyms=("twitter", "x_handle", "twitter_handle")),
    "linkedin": Target("LinkedIn handle", ("handle",), 254, synonyms=("linkedin_handle", "linkedin_url")),
    "tiktok": Target("TikTok handle", ("handle",), 254, synonyms=("tiktok_handle",)),
    "consent_marketing": Target(
        "Consent: marketing",
        ("boolean",),
        synonyms=("marketing_consent", "opt_in", "newsletter_opt_in", "marketing_opt_in"),
    ),
    "consent_personalisation": Target(
        "Consent: personalisation",
        ("boolean",),
        synonyms=("personalisation_consent", "personalization_consent"),
    ),
    "consent_analytics": Target(
        "Consent: analytics", ("boolean",), synonyms=("analytics_consent", "tracking_consent")
    ),
}

EVENT_TARGETS = {
    "profile_external_id": Target(
        "Customer id (profile)",
        ("text",),
        100,
        synonyms=(
            "customer",
            "customer_id",
            "subscriber_id",
            "customerid",
            "client_id",
            "user_id",
            "contact_id",
            "member_id",
            "profile_id",
        ),
    ),
    "profile_email": Target(
        "Customer email (profile)", ("email",), 254, synonyms=("email", "e_mail", "email_address")
    ),
    "profile_phone": Target(
        "Customer phone (profile)", ("phone",), 254, synonyms=("phone", "mobile", "phone_number")
    ),
    "profile_handle": Target(
        "Customer handle on the source's platform (profile)",
        ("handle",),
        254,
        synonyms=("username", "user_name", "handle", "screen_name", "author", "account"),
    ),
    "external_id": Target(
        "Event id",
        ("text",),
        100,
        synonyms=("event_id", "transaction_id", "order_id", "message_id", "comment_id", "post_id", "id"),
    ),
    "event_type": Target(
        "Event type", ("event_type",), synonyms=("type", "event", "action", "activity", "interaction")
    ),
    "occurred_at": Target(
        "When it happened",
        ("datetime", "relative"),
        synonyms=(
            "timestamp",
            "date",
            "datetime",
            "time",
            "event_time",
            "created_at",
            "order_date",
            "sent_at",
            "posted_at",
            "time_since_posted",
            "posted",
            "occurred",
        ),
    ),
    "platform": Target("Platform", ("platform",), synonyms=("channel", "network", "site")),
    "amount": Target(
        "Amount", ("decimal",), synonyms=("total", "value", "price", "revenue", "order_total", "order_value")
    ),
    "text": Target(
        "Text", ("text",), synonyms=("caption", "comment", "message", "body", "content", "review")
    ),
    "content_format": Target("Content format", ("text",), 20, synonyms=("format", "media_type", "post_type")),
    "utm_source": Target("UTM source", ("text",), 100, synonyms=("source",)),
    "utm_medium": Target("UTM medium", ("text",), 100, synonyms=("medium",)),
    "campaign_code": Target(
        "Campaign code (utm_campaign)", ("text",), 100, synonyms=("utm_campaign", "campaign")
    ),
}

# Columns people often have that the product does not keep (yet): said plainly rather than guessed at.
KNOWN_UNKEPT = {
    "income": "Income is not a profile field yet: the column is ignored.",
    "spending_score": "Spending score is not a profile field yet: the column is ignored.",
    "followers": "Follower counts are not kept yet: the column is ignored.",
    "likes": "Like counts of a post are not kept yet: the column is ignored.",
    "hashtags": "Hashtags are read from the text itself; this column is ignored.",
    "s_no": "A serial number of rows is not a stable id: ignored (events get a key made from their cells).",
    "index": "Looks like a row index: ignored.",
}

TYPE_LABELS = {
    "text": "Text",
    "gender": "Gender",
    "year": "Year",
    "age": "Age in years (birth year = this year minus age)",
    "country": "Two-letter country code",
    "email": "Email address",
    "phone": "Phone number",
    "handle": "Handle or profile URL",
    "boolean": "Yes/no",
    "event_type": "Event type",
    "datetime": "Date and time",
    "relative": "Time ago (“11 hours”), counted back from the upload",
    "platform": "Platform",
    "decimal": "Number",
}


def targets_for(record_kind: str) -> dict[str, Target]:
    return PROFILE_TARGETS if record_kind in PROFILE_KINDS else EVENT_TARGETS


def normalise_header(header: str) -> str:
    """ "Annual Income (k$)" -> "annual_income", "E-mail address" -> "e_mail_address"."""
    text = re.sub(r"\([^)]*\)", " ", header.lower())
    return "_".join(re.findall(r"[a-z0-9]+", text))


def suggest_mapping(
    frame: pd.DataFrame, *, record_kind: str, saved: dict | None = None, today_year: int
) -> dict[str, dict]:
    """For each column: the suggested field ("" to ignore), how to read it, and a note for the
    marketer. A mapping saved for the source wins for the headers it knows."""
    targets = targets_for(record_kind)
    saved = saved or {}
    taken: set[str] = set()
    columns: dict[str, dict] = {}
    for header in frame.columns:
        if header in saved and (saved[header].get("field", "") in targets or not saved[header].get("field")):
            columns[header] = {**saved[header], "note": "As saved for this source."}
            taken.add(saved[header].get("field", ""))
    detected = {header: detect_type(frame[header]) for header in frame.columns if header not in columns}
    # Names first: "Last Name" gets the last name even when "Last Activity Date" comes before it.
    for whole_name in (True, False):
        for header, found in detected.items():
            if header in columns:
                continue
            field = _match(normalise_header(header), targets, taken, found, whole_name=whole_name)
            if field or not whole_name:
                taken.add(field)
                columns[header] = _column(header, field, found, targets, today_year)
    return {header: columns[header] for header in frame.columns}


# What a column's values say so plainly that a field which reads otherwise cannot be meant.
_DISTINCT_TYPES = ("datetime", "relative", "boolean", "email")


def _match(name: str, targets: dict[str, Target], taken: set[str], detected, *, whole_name: bool) -> str:
    if not name:
        return ""
    candidates = [field for field in targets if field not in taken]
    if whole_name:
        return next((field for field in candidates if name == field or name in targets[field].synonyms), "")
    # Ten digits starting with 1 read as epoch seconds, and may as well be ids or phone numbers.
    plain = "" if detected.date_format == "unix" else detected.type
    for field in candidates:  # "customer_email" holds "email"; "order_date" holds "date"
        words = (field, *targets[field].synonyms)
        # "first_purchase_date" holds "first", but its dates are no first name.
        fits = plain not in _DISTINCT_TYPES or plain in targets[field].types
        fits = fits or (plain == "boolean" and field == "gender")  # a column of "F" only
        if field == "occurred_at":
            fits = detected.type in ("datetime", "relative")
        if fits and any(len(word) > 2 and re.search(rf"(^|_){word}($|_)", name) for word in words):
            return field
    return ""


def _column(header: str, field: str, detected, targets: dict[str, Target], today_year: int) -> dict:
    name = normalise_header(header)
    column = {"field": field, "type": "", "date_format": detected.date_format, "note": ""}
    if not field:
        reason = next(
            (text for key, text in KNOWN_UNKEPT.items() if re.search(rf"(^|_){key}($|_)", name)), ""
        )
        if not name or re.fullmatch(r"unnamed_\d+|column_\d+", name):
            reason = "A column without a name (a row index?): ignored."
        column["note"] = reason or "No matching field: the column is ignored."
        return column
    types = targets[field].types
    column["type"] = detected.type if detected.type in types else types[0]
    says_age = re.search(r"(^|_)age($|_)", name)  # "Age in years"
    says_year = not says_age and re.search(r"(^|_)(year|yob|born|birth)($|_)", name)  # "85" is a year there
    if field == "birth_year" and (says_age or (detected.type == "integer" and not says_year)):
        column["type"] = "age"
        column["note"] = f"Age becomes a birth year: {today_year} minus the age (±1 year)."
    elif column["type"] == "relative":
        column["note"] = "Times like “11 hours” are counted back from the moment of the upload."
    elif column["type"] == "datetime":
        column["note"] = detected.note or f"Read as {detected.date_format}; times without a zone are UTC."
    return column


def mapping_problems(mapping: dict, *, record_kind: str) -> list[str]:
    """What stops a mapping from being used: required fields missing, a field chosen twice."""
    targets = targets_for(record_kind)
    chosen = [spec.get("field", "") for spec in mapping.get("columns", {}).values() if spec.get("field")]
    problems = [
        f"“{targets[field].label}” is chosen for more than one column."
        for field in sorted(set(chosen))
        if chosen.count(field) > 1
    ]
    problems += [f"Unknown field “{field}”." for field in sorted(set(chosen) - set(targets))]
    for header, spec in mapping.get("columns", {}).items():
        field, kind = spec.get("field", ""), spec.get("type", "")
        if field in targets and kind and kind not in targets[field].types:
            allowed = " or ".join(TYPE_LABELS[each].lower() for each in targets[field].types)
            problems.append(f"“{header}” fills {targets[field].label}, which is read as {allowed}.")
    for field, target in targets.items():
        if target.required and field not in chosen:
            problems.append(f"Choose the column that holds “{target.label}”.")
    if record_kind in EVENT_KINDS:
        if not set(chosen) & set(PROFILE_KEY_FIELDS):
            problems.append(
                "Choose the column that says whose event it is (a customer id, email, phone or handle)."
            )
        if "occurred_at" not in chosen:
            problems.append("Choose the column that says when it happened.")
        if "event_type" not in chosen and not (
            mapping.get("event_type") or DEFAULT_EVENT_TYPE.get(record_kind)
        ):
            problems.append("Choose the event type column, or one event type for every row.")
    return problems
