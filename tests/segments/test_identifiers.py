import pandas as pd
import pytest

from segments.ml.identifiers import (
    normalise_email,
    normalise_handle,
    normalise_identifiers,
    normalise_phone,
    phone_region,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" Ada@Example.COM ", "ada@example.com"), ("not an email", None), ("a@b", None), ("x@y.io", "x@y.io")],
)
def test_email(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("07700 900123", "GB", "+447700900123"),
        ("+44 (0)7700-900123", "US", "+447700900123"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("12", "GB", None),
        ("call me", "GB", None),
    ],
)
def test_phone(raw, region, expected):
    assert normalise_phone(raw, default_region=region) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("@Ada.Codes", "ada.codes"), ("https://instagram.com/ada_codes/", "ada_codes"), ("two words", None)],
)
def test_handle(raw, expected):
    assert normalise_handle(raw) == expected


def test_a_series_keeps_missing_values_missing():
    result = normalise_identifiers(pd.Series([" A@B.com", None, "bad"]), kind="email")
    assert result.tolist()[0] == "a@b.com"
    assert pd.isna(result.tolist()[1]) and result.tolist()[2] is None


def test_a_phone_region_is_an_iso_code_the_phone_library_knows():
    assert phone_region(" fr ") == "FR"
    assert phone_region("UK") == "GB"  # what people write; with "UK" every national number failed
    with pytest.raises(ValueError, match="“XX” is not a country code"):
        phone_region("XX")
