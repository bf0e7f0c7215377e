import pytest

from segments.services.copy_out import copy_out, parse_records, parse_values

pytestmark = pytest.mark.django_db
FIELDS = [("number", ">i8"), ("share", ">f8")]
RECORDS_SQL = (
    "SELECT string_agg(int8send(n) || float8send(n / 4.0), ''), 'π' FROM generate_series(1, {}) AS n"
)


def test_the_records_of_every_row_come_back_in_one_value():
    records, text = parse_values(copy_out(RECORDS_SQL.format(5)))
    parsed = parse_records(records, FIELDS)
    assert parsed["number"].tolist() == [1, 2, 3, 4, 5]
    assert parsed["share"].tolist() == [0.25, 0.5, 0.75, 1.0, 1.25]
    assert str(text, "utf-8") == "π"


def test_an_aggregate_over_no_row_gives_no_record():
    records, _ = parse_values(copy_out(RECORDS_SQL.format(0)))
    assert records is None and parse_records(records, FIELDS).size == 0


def test_a_copy_without_rows_has_no_values():
    assert parse_values(copy_out("SELECT 1 WHERE false")) == []


def test_records_of_another_width_are_refused():
    (records,) = parse_values(
        copy_out("SELECT string_agg(int4send(n::int4), '') FROM generate_series(1, 3) n")
    )
    with pytest.raises(ValueError, match="not all as wide"):
        parse_records(records, FIELDS)
