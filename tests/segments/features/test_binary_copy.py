import io

import numpy as np
import pytest
from django.db import connection

from segments.services.binary_copy import (
    category_field,
    copy_binary,
    fixed_field,
    float_field,
    real_array_field,
    timestamp_field,
    varchar_array_field,
)

pytestmark = pytest.mark.django_db


def test_rows_written_with_numpy_read_back_as_written():
    fields = [
        fixed_field(np.array([1, 2, 3]), ">i8"),
        float_field(np.array([0.5, np.nan, -2.25])),
        fixed_field(np.array([4.0, np.nan, 1.0]), ">i2", null=np.array([False, True, False])),
        category_field(np.array([1, 0, 1]), ["", "Cannot lose"]),
        real_array_field(np.array([[0.75, 0.25], [0.0, 0.0], [0.0, 1.0]])),
        varchar_array_field(
            np.array([2, 0, 1]), np.array([[1, 0], [-1, -1], [0, -1]]), ["AI and data", "Fashion"]
        ),
        fixed_field(np.array([True, False, True]), "?"),
        timestamp_field(np.array([0, 86_400_000_000, 1_780_000_000_000_000])),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copied (a bigint, b float8, c smallint, d varchar(20), e real[], "
            "f varchar(60)[], g boolean, h timestamptz)"
        )
        cursor.cursor.copy_expert(
            "COPY copied FROM STDIN (FORMAT binary)", io.BytesIO(copy_binary(fields, 2))
        )
        cursor.execute("SELECT a, b, c, d, e, f, g, extract(epoch FROM h)::bigint FROM copied ORDER BY a")
        rows = cursor.fetchall()
    assert rows == [
        (
            1,
            0.5,
            4,
            "Cannot lose",
            [0.75, 0.25],
            ["Fashion", "AI and data"],
            True,
            0,
        ),
        (2, None, None, "", [0.0, 0.0], [], False, 86_400),
        (3, -2.25, 1, "Cannot lose", [0.0, 1.0], ["AI and data"], True, 1_780_000_000),
    ]


def test_an_empty_table_is_a_valid_stream():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE nothing (a bigint)")
        stream = copy_binary([fixed_field(np.array([], dtype=np.int64), ">i8")])
        cursor.cursor.copy_expert("COPY nothing FROM STDIN (FORMAT binary)", io.BytesIO(stream))
        cursor.execute("SELECT count(*) FROM nothing")
        assert cursor.fetchone()[0] == 0


def test_arrays_without_places_are_empty():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE shares (a real[])")
        stream = copy_binary([real_array_field(np.zeros((2, 0)))])
        cursor.cursor.copy_expert("COPY shares FROM STDIN (FORMAT binary)", io.BytesIO(stream))
        cursor.execute("SELECT a FROM shares")
        assert cursor.fetchall() == [([],), ([],)]
