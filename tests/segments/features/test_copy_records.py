import numpy as np
import pytest

from segments.services.copy_out import copy_out, parse_records, records_sql

pytestmark = pytest.mark.django_db
FIELDS = [("number", ">i8"), ("share", ">f8")]


def _records(source: str) -> np.ndarray:
    return parse_records(copy_out(records_sql(["int8send(n)", "float8send(n / 4.0)"], source)), FIELDS)


def test_the_records_of_every_row_come_back_in_one_value():
    records = _records("generate_series(1, 5) AS n")
    assert records["number"].tolist() == [1, 2, 3, 4, 5]
    assert records["share"].tolist() == [0.25, 0.5, 0.75, 1.0, 1.25]


def test_no_row_gives_no_record():
    assert _records("generate_series(1, 0) AS n").size == 0


def test_records_of_another_width_are_refused():
    raw = copy_out(records_sql(["int4send(n::int4)"], "generate_series(1, 3) AS n"))
    with pytest.raises(ValueError, match="not all as wide"):
        parse_records(raw, FIELDS)
