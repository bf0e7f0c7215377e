"""Suggesting a mapping from headers and values, and checking a mapping before it is used."""

from datetime import UTC, datetime

import pandas as pd

from segments.importing.detection import Detected, detect_date_format, detect_type, parse_datetimes
from segments.importing.mapping import mapping_problems, normalise_header, suggest_mapping
from segments.importing.validation import ValidationContext, validate_chunk


def frame(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(range(1, len(next(iter(columns.values()))) + 1), name="row"))


def test_headers_with_units_are_normalised():
    assert normalise_header("Annual Income (k$)") == "annual_income"
    assert normalise_header("E-mail address") == "e_mail_address"
    assert normalise_header("  Spending Score (1-100) ") == "spending_score"


def test_profile_suggestions_use_names_synonyms_and_values():
    data = frame(
        {
            "Customer ID": ["C1", "C2"],
            "Surname": ["Khan", "Silva"],
            "E-mail": ["a@example.com", "b@example.com"],
            "Mobile": ["07700 900123", "+44 7700 900456"],
            "Age": ["34", "51"],
            "Newsletter opt-in": ["yes", "no"],
            "Annual Income (k$)": ["15", "16"],
            "Favourite colour": ["red", "blue"],
        }
    )
    columns = suggest_mapping(data, record_kind="profiles", today_year=2026)
    assert {header: spec["field"] for header, spec in columns.items()} == {
        "Customer ID": "external_id",
        "Surname": "last_name",
        "E-mail": "email",
        "Mobile": "phone",
        "Age": "birth_year",
        "Newsletter opt-in": "consent_marketing",
        "Annual Income (k$)": "",
        "Favourite colour": "",
    }
    assert columns["Age"]["type"] == "age" and "2026 minus the age" in columns["Age"]["note"]
    assert "not a profile field yet" in columns["Annual Income (k$)"]["note"]
    assert columns["Favourite colour"]["note"] == "No matching field: the column is ignored."


def test_a_saved_mapping_wins_for_the_headers_it_knows():
    data = frame({"ref": ["A1"], "Joined": ["2025-01-01"]})
    saved = {"ref": {"field": "external_id", "type": "text", "date_format": ""}}
    columns = suggest_mapping(data, record_kind="profiles", saved=saved, today_year=2026)
    assert columns["ref"]["field"] == "external_id" and columns["ref"]["note"] == "As saved for this source."


def test_event_suggestions_detect_dates_and_times_ago():
    data = frame(
        {
            "Order ID": ["O1", "O2"],
            "Customer": ["C1", "C2"],
            "Order date": ["31/01/2025 14:05", "01/02/2025 09:00"],
            "Total": ["£12.50", "£7.00"],
            "utm_campaign": ["SPRING", ""],
        }
    )
    columns = suggest_mapping(data, record_kind="transactions", today_year=2026)
    fields = {header: spec["field"] for header, spec in columns.items()}
    assert fields == {
        "Order ID": "external_id",
        "Customer": "profile_external_id",
        "Order date": "occurred_at",
        "Total": "amount",
        "utm_campaign": "campaign_code",
    }
    assert columns["Order date"]["date_format"] == "%d/%m/%Y %H:%M"
    assert detect_type(pd.Series(["11 hours", "2 days ago", "3 hours"])).type == "relative"


def test_day_month_order_that_cannot_be_told_apart_is_flagged():
    date_format, note = detect_date_format(pd.Series(["01/02/2025", "03/04/2025"]))
    assert date_format == "%d/%m/%Y" and "check it is not month/day" in note
    assert detect_date_format(pd.Series(["12/31/2025", "01/30/2025"]))[0] == "%m/%d/%Y"
    assert detect_date_format(pd.Series(["2025-03-01T10:00:00+02:00"]))[0] == "ISO8601"
    assert detect_date_format(pd.Series(["hello", "world"])) == ("", "")


def test_mapping_problems_name_what_is_missing_or_doubled():
    columns = {"a": {"field": "email", "type": "email"}, "b": {"field": "email", "type": "boolean"}}
    problems = mapping_problems({"columns": columns}, record_kind="profiles")
    assert "“Email” is chosen for more than one column." in problems
    assert "Choose the column that holds “Customer id”." in problems
    assert any("“b” fills Email, which is read as email address" in problem for problem in problems)
    events = mapping_problems({"columns": {"t": {"field": "text"}}}, record_kind="events")
    assert any("whose event it is" in problem for problem in events)
    assert any("when it happened" in problem for problem in events)
    assert any("event type" in problem for problem in events)
    assert not any(
        "event type" in problem for problem in mapping_problems({"columns": {}}, record_kind="comments")
    )


def test_validation_reports_every_bad_cell_and_converts_the_rest():
    data = frame(
        {
            "id": ["C1", "C2", "", "C4"],
            "email": ["Ada@Example.COM", "not-an-email", "x@example.com", ""],
            "age": ["34", "200", "20", ""],
            "country": ["gb", "UK1", "FR", ""],
            "consent": ["Yes", "maybe", "no", ""],
        }
    )
    mapping = {
        "columns": {
            "id": {"field": "external_id", "type": "text"},
            "email": {"field": "email", "type": "email"},
            "age": {"field": "birth_year", "type": "age"},
            "country": {"field": "country", "type": "country"},
            "consent": {"field": "consent_marketing", "type": "boolean"},
        }
    }
    context = ValidationContext(record_kind="profiles", now=datetime(2026, 5, 1, tzinfo=UTC))
    validated = validate_chunk(data, mapping, context)
    assert validated.clean.index.tolist() == [1, 4]
    first = validated.clean.loc[1]
    assert (first["email"], first["birth_year"], first["country"], first["consent_marketing"]) == (
        "ada@example.com",
        1992,
        "GB",
        "t",
    )
    assert validated.clean.loc[4, "email"] is None
    errors = {(row, column): reason for row, column, _, reason in validated.errors.itertuples(index=False)}
    assert errors[(2, "email")] == "is not an email address"
    assert errors[(2, "age")] == "is not an age in years (0-120)"
    assert errors[(2, "country")].startswith("is not a two-letter country code")
    assert errors[(2, "consent")] == "is not yes or no"
    assert errors[(3, "id")].startswith("is empty")
    assert validated.rejected_rows == 2


def test_event_keys_made_from_cells_are_stable_and_times_ago_count_back():
    data = frame({"user": ["@Ada", "bob"], "when": ["11 hours", "2 days"], "caption": ["hi", "yo"]})
    mapping = {
        "columns": {
            "user": {"field": "profile_handle", "type": "handle"},
            "when": {"field": "occurred_at", "type": "relative"},
            "caption": {"field": "text", "type": "text"},
        }
    }
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    context = ValidationContext(
        record_kind="comments",
        now=now,
        platform="instagram",
        handle_kind="instagram",
        event_types=("comment",),
        platforms=("instagram",),
    )
    first = validate_chunk(data, mapping, context).clean
    later = validate_chunk(
        data, mapping, ValidationContext(**{**context.__dict__, "now": datetime(2026, 6, 1, tzinfo=UTC)})
    ).clean
    assert first.loc[1, "occurred_at"] == "2026-05-01T01:00:00.000000Z"
    assert first.loc[1, ["profile_kind", "profile_key", "event_type"]].tolist() == [
        "instagram",
        "ada",
        "comment",
    ]
    assert first["external_id"].tolist() == later["external_id"].tolist()
    assert first["external_id"].str.startswith("h:").all() and first["external_id"].nunique() == 2


def test_amounts_written_with_a_decimal_comma_keep_their_value():
    european = frame(
        {
            "order": ["O1", "O2", "O3"],
            "customer": ["C1", "C1", "C2"],
            "total": ["12,50", "1.234,56", "1.234"],
            "on": ["2026-03-01"] * 3,
        }
    )
    english = frame(
        {
            "order": ["O1", "O2", "O3"],
            "customer": ["C1", "C1", "C2"],
            "total": ["£1,234.50", "1,234", "7"],
            "on": ["2026-03-01"] * 3,
        }
    )
    mapping = {
        "columns": {
            "order": {"field": "external_id", "type": "text"},
            "customer": {"field": "profile_external_id", "type": "text"},
            "total": {"field": "amount", "type": "decimal"},
            "on": {"field": "occurred_at", "type": "datetime"},
        }
    }
    context = ValidationContext(
        record_kind="transactions", now=datetime(2026, 5, 1, tzinfo=UTC), event_types=("purchase",)
    )
    assert validate_chunk(european, mapping, context).clean["amount"].tolist() == [
        "12.50",
        "1234.56",
        "1234.00",
    ]
    assert validate_chunk(english, mapping, context).clean["amount"].tolist() == [
        "1234.50",
        "1234.00",
        "7.00",
    ]
    # Without a decimal comma nearby, "2.500" may be a thousand or a decimal: refused, not rounded.
    unsure = frame(
        {
            "order": ["O1", "O2", "O3", "O4"],
            "customer": ["C1", "C2", "C3", "C4"],
            "total": ["2.500", "12.345", "1234.500", "12.3450"],
            "on": ["2026-03-01"] * 4,
        }
    )
    validated = validate_chunk(unsure, mapping, context)
    assert validated.clean["amount"].tolist() == ["1234.50"] and validated.rejected_rows == 3


def test_cells_beyond_what_a_column_holds_are_rejected_not_fatal():
    data = frame(
        {
            "customer": ["C1", "C2", "C3", "C4"],
            "email": ["ada@example.com", "x" * 250 + "@example.com", "bo@example.com", "cy@example.com"],
            "total": ["12", "3", "9999999999.996", "4"],
            "when": ["2 days", "1 day", "3 days", "300 years"],
        }
    )
    mapping = {
        "columns": {
            "customer": {"field": "profile_external_id", "type": "text"},
            "email": {"field": "profile_email", "type": "email"},
            "total": {"field": "amount", "type": "decimal"},
            "when": {"field": "occurred_at", "type": "relative"},
        }
    }
    context = ValidationContext(
        record_kind="transactions", now=datetime(2026, 5, 1, tzinfo=UTC), event_types=("purchase",)
    )
    validated = validate_chunk(data, mapping, context)
    assert validated.clean.index.tolist() == [1]
    reasons = dict(zip(validated.errors["row"], validated.errors["reason"], strict=True))
    assert reasons[2] == "is not an email address" and reasons[3].startswith("is not an amount")
    assert reasons[4].startswith("is not a time like")


def test_digits_from_other_scripts_are_text_not_numbers():
    # Arabic-Indic and full-width digits match \d; reading them as numbers failed inside pandas.
    assert detect_type(pd.Series(["٣", "١٢"])).type == "text"
    assert detect_type(pd.Series(["\uff11\uff12", "\uff13\uff14"])).type == "text"
    assert detect_type(pd.Series(["٣ days ago"])).type == "text"
    data = frame({"Customer ID": ["C1", "C2"], "Rank": ["٣", "١٢"]})
    assert suggest_mapping(data, record_kind="profiles", today_year=2026)["Rank"]["field"] == ""


def test_long_digit_runs_are_integers_and_epoch_seconds_are_times():
    assert detect_type(pd.Series(["89441000301234567890"])).type == "integer"  # a SIM card number
    assert detect_type(pd.Series(["9223372036854775808", "-1"])).type == "integer"
    assert detect_type(pd.Series(["1985", "2001"])).type == "year"
    assert detect_type(pd.Series(["1700000000", "1700003600"])) == Detected("datetime", "unix")


def test_a_time_without_a_zone_is_utc_whatever_the_row_above_says():
    values = pd.Series(["2024-01-01T10:00:00+02:00", "2024-06-01 10:00", "now", "today"])
    parsed = parse_datetimes(values, "ISO8601")
    assert parsed[0] == pd.Timestamp("2024-01-01 08:00", tz="UTC")
    assert parsed[1] == pd.Timestamp("2024-06-01 10:00", tz="UTC")
    assert parsed[2:].isna().all()  # read against the import's clock, they are no dates


def test_two_digit_years_under_a_year_header_are_not_taken_for_ages():
    data = frame({"Customer ID": ["C1", "C2"], "Year of birth": ["85", "92"], "Age": ["34", "51"]})
    columns = suggest_mapping(data, record_kind="profiles", today_year=2026)
    assert columns["Year of birth"]["type"] == "year"
    for header in ("Age", "Age in years"):
        ages = suggest_mapping(frame({header: ["34", "51"]}), record_kind="profiles", today_year=2026)
        assert (ages[header]["field"], ages[header]["type"]) == ("birth_year", "age")


def test_values_that_read_two_ways_do_not_hide_a_header_match():
    data = frame({"CRM Customer ID": ["1000000001", "1000000002"], "Customer Gender": ["F", "F"]})
    columns = suggest_mapping(data, record_kind="profiles", today_year=2026)
    assert (columns["CRM Customer ID"]["field"], columns["Customer Gender"]["field"]) == (
        "external_id",
        "gender",
    )


def test_whole_header_names_are_matched_before_words_inside_headers():
    data = frame(
        {
            "Last Activity Date": ["2026-01-02", "2026-02-03"],
            "First Conversion Date": ["2025-01-02", "2025-02-03"],
            "Email opt-in": ["yes", "no"],
            "First Name": ["Ada", "Bo"],
            "Last Name": ["Lovelace", "Diddley"],
            "Email": ["ada@example.com", "bo@example.com"],
        }
    )
    columns = suggest_mapping(data, record_kind="profiles", today_year=2026)
    assert list(columns) == list(data.columns)
    assert {header: spec["field"] for header, spec in columns.items()} == {
        "Last Activity Date": "",
        "First Conversion Date": "",
        "Email opt-in": "consent_marketing",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
    }


def test_an_events_file_with_nothing_mapped_is_validated_not_crashed():
    data = frame({"foo": ["1"], "bar": ["2"]})
    context = ValidationContext(record_kind="events", now=datetime(2026, 5, 1, tzinfo=UTC))
    result = validate_chunk(data, {"columns": {"foo": {"field": ""}, "bar": {"field": ""}}}, context)
    assert len(result.clean) + result.rejected_rows == 1
