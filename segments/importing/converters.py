"""Reading one column's strings as the type a field expects, a whole column at a time."""

import re
from datetime import datetime

import numpy as np
import pandas as pd

from segments.importing.detection import BOOLEAN_WORDS, RELATIVE, parse_datetimes
from segments.ml.identifiers import normalise_identifiers

_SECONDS = {
    "second": 1,
    "sec": 1,
    "minute": 60,
    "min": 60,
    "hour": 3600,
    "hr": 3600,
    "day": 86400,
    "week": 604800,
    "month": 2629800,
    "year": 31557600,
}
_GENDERS = {"m": "male", "f": "female"}


# pandas' times reach back 292 years; a time further ago is not one.
MAX_AGO_SECONDS = 250 * 365 * 86_400


def convert_column(values: pd.Series, spec: dict, max_length: int, context) -> tuple:
    """(converted values with None where empty, which cells are bad, why) for one column."""
    kind = spec.get("type") or "text"
    empty = values.to_numpy() == ""
    if kind in ("email", "phone", "handle"):
        converted = normalise_identifiers(
            _kept(values, ~empty), kind=kind, default_region=context.default_region
        )
        names = {"email": "an email address", "phone": "a phone number", "handle": "a handle"}
        bad = ~empty & converted.isna().to_numpy()
        if max_length:  # an email address has at most 254 characters (RFC 5321), and so has the column
            bad |= ~empty & (converted.str.len() > max_length).fillna(False).to_numpy(dtype=bool)
        return _kept(converted, ~empty & ~bad), bad, f"is not {names[kind]}"
    if kind in ("year", "age", "integer"):
        numbers = pd.to_numeric(_kept(values, ~empty), errors="coerce")
        if kind == "age":
            bad = ~empty & ~numbers.between(0, 120).to_numpy()
            return _integers(context.now.year - numbers, bad | empty), bad, "is not an age in years (0-120)"
        whole = numbers.between(1900, context.now.year) & (numbers % 1 == 0)
        bad = ~empty & ~whole.to_numpy()
        return _integers(numbers, bad | empty), bad, f"is not a year between 1900 and {context.now.year}"
    if kind == "decimal":
        values = decimal_text(values)
        numbers = pd.to_numeric(_kept(values, ~empty), errors="coerce")
        fits = (numbers.round(2).abs() < 1e10).to_numpy()  # what numeric(12,2) holds
        # Nothing rounded away, nothing guessed: "1.234" is a thousand in a file that writes "12,50"
        # and a decimal elsewhere; "1234.500" is plainly 1234.50.
        cents = ~values.str.contains(
            r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+$|\.[0-9]{2}[0-9]*[1-9][0-9]*$", regex=True
        ).to_numpy(dtype=bool)
        bad = ~empty & ~(fits & cents)
        text = _by_distinct(numbers.round(2), lambda amounts: amounts.map("{:.2f}".format))
        reason = "is not an amount with at most two decimals (write a thousand as 1000, not 1.000)"
        return _kept(text, ~empty & ~bad), bad, reason
    if kind == "boolean":
        flags = _by_distinct(
            values, lambda words: words.str.lower().map(BOOLEAN_WORDS).map({True: "t", False: "f"})
        )
        bad = ~empty & flags.isna().to_numpy()
        return _kept(flags, ~empty & ~bad), bad, "is not yes or no"
    if kind in ("datetime", "relative"):
        date_format = spec.get("date_format") or "ISO8601"
        times = _times(_kept(values, ~empty, ""), kind, date_format, context.now)
        bad = ~empty & times.isna().to_numpy()
        reason = (
            "is not a time like “11 hours”"
            if kind == "relative"
            else f"is not a date in the format {date_format}"
        )
        return _iso_utc(times), bad, reason
    if kind == "country":
        upper = _by_distinct(
            values, lambda codes: codes.str.upper().where(codes.str.fullmatch(r"[A-Za-z]{2}"))
        )
        bad = ~empty & upper.isna().to_numpy()
        return _kept(upper, ~empty & ~bad), bad, "is not a two-letter country code (GB, FR, US)"
    if kind in ("event_type", "platform"):
        allowed = context.event_types if kind == "event_type" else context.platforms
        lowered = _by_distinct(
            values, lambda names: names.str.lower().str.replace(r"[\s-]+", "_", regex=True)
        )
        bad = ~empty & ~lowered.isin(allowed).to_numpy()
        return _kept(lowered, ~empty & ~bad), bad, f"is not one of: {', '.join(allowed)}"
    if kind == "gender":
        values = _by_distinct(
            values, lambda names: names.str.lower().map(lambda name: _GENDERS.get(name, name))
        )
    too_long = np.zeros(len(values), dtype=bool)
    if max_length and len(values) and max(map(len, values.to_numpy())) > max_length:
        too_long = (values.str.len() > max_length).to_numpy()
    return _kept(values, ~empty & ~too_long), too_long, f"is longer than {max_length} characters"


def _kept(values: pd.Series, keep: np.ndarray, other=None) -> pd.Series:
    """The values where `keep`, else `other`: numpy's where, without pandas' missing-value checks."""
    return pd.Series(np.where(keep, values.to_numpy(dtype=object), other), index=values.index, dtype=object)


def _by_distinct(values: pd.Series, convert) -> pd.Series:
    """convert() applied once per distinct value: a column of a few event types or yes/no answers
    costs a hash per cell instead of a Python call per cell."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    if len(distinct) * 4 > len(values):
        return convert(values)
    converted = convert(pd.Series(distinct, dtype=object)).to_numpy(dtype=object)
    return pd.Series(converted[codes], index=values.index, dtype=object)


def decimal_text(values: pd.Series) -> pd.Series:
    """Amounts as plain decimals, currency signs and spaces gone. A comma is the decimal mark where a
    cell shows it so ("12,50", "1.234,56"), and in every cell of a column that writes its amounts so
    and never the other way ("1.234" there is a thousand); otherwise it separates thousands
    ("1,234.50")."""
    if _any_match(values, r"[£$€\s]"):
        values = values.str.replace(r"[£$€\s]", "", regex=True)
    if not _any_match(values, ","):
        return values
    comma_mark = values.str.contains(r",\d{1,2}$|\.\d{3},\d+$", regex=True).to_numpy(dtype=bool)
    point_mark = values.str.contains(r"\.\d{1,2}$|,\d{3}\.\d+$", regex=True).to_numpy(dtype=bool)
    european = comma_mark | (comma_mark.any() and not point_mark.any())
    as_european = values.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return _kept(as_european, european, values.str.replace(",", "", regex=False))


def _any_match(values: pd.Series, pattern: str) -> bool:
    return bool(re.search(pattern, "\x1f".join(values.to_numpy())))


def stripped(values: pd.Series) -> pd.Series:
    """Surrounding spaces removed from every cell (cells are strings, as the readers make them)."""
    cells = values.to_numpy()
    return pd.Series(
        np.fromiter(map(str.strip, cells), dtype=object, count=len(cells)), index=values.index, dtype=object
    )


def _integers(numbers: pd.Series, missing: np.ndarray) -> pd.Series:
    kept = numbers.where(~missing).round().astype("Int64")
    return _kept(kept.astype(object), ~missing)


def _iso_utc(times: pd.Series) -> pd.Series:
    """ISO 8601 text in UTC, formatted by numpy (pandas' strftime takes microseconds a value)."""
    text = pd.Series(None, index=times.index, dtype=object)
    good = times.notna().to_numpy()
    if good.any():
        instants = times[good].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
        text[good] = np.char.add(np.datetime_as_string(instants, unit="us"), "Z").astype(object)
    return text


def _times(values: pd.Series, kind: str, date_format: str, now: datetime) -> pd.Series:
    if kind == "datetime":
        return parse_datetimes(values, date_format)
    parts = values.str.extract(RELATIVE.pattern, flags=2)  # re.IGNORECASE
    seconds = pd.to_numeric(parts[0], errors="coerce") * parts[1].str.lower().map(_SECONDS)
    seconds = seconds.where(seconds < MAX_AGO_SECONDS)  # further back than a time can be: a bad cell
    return pd.Timestamp(now).tz_convert("UTC") - pd.to_timedelta(seconds, unit="s")
