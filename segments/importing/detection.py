"""Guessing what a column holds from a sample of its values: numbers, dates (and their format),
yes/no, emails, times ago."""

import re
from dataclasses import dataclass

import pandas as pd

# Tried in this order; the first that reads the most values wins, so day-first beats month-first
# when both read everything (days 1-12 only): the note then asks the marketer to check.
DATE_FORMATS = (
    "ISO8601",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%b %d, %Y",
    "unix",
)
RELATIVE = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(second|sec|minute|min|hour|hr|day|week|month|year)s?(\s+ago)?\s*$",
    re.IGNORECASE,
)
BOOLEAN_WORDS = {
    "yes": True,
    "y": True,
    "true": True,
    "t": True,
    "1": True,
    "granted": True,
    "opt-in": True,
    "opted in": True,
    "no": False,
    "n": False,
    "false": False,
    "f": False,
    "0": False,
    "refused": False,
    "denied": False,
    "opt-out": False,
    "opted out": False,
}
_ZONE = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})\s*$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Detected:
    type: str
    date_format: str = ""
    note: str = ""


def detect_type(values: pd.Series) -> Detected:
    sample = values[values.str.strip() != ""].head(500)
    if sample.empty:
        return Detected("text")
    stripped = sample.str.strip()
    if stripped.str.fullmatch(RELATIVE.pattern, case=False).all():
        return Detected("relative")
    lowered = stripped.str.lower()
    if (
        lowered.isin(BOOLEAN_WORDS).all()
        and lowered.nunique() <= 2
        and not stripped.str.fullmatch(r"[0-9]+").all()
    ):
        return Detected("boolean")
    if stripped.str.fullmatch(r"1[0-9]{9}").all():
        return Detected("datetime", "unix")  # epoch seconds, 2001 to 2286
    if stripped.str.fullmatch(r"[+-]?[0-9]+").all():
        # Only four digits can be a year; longer ones (a SIM card number) may not fit any integer.
        if stripped.str.fullmatch(r"[0-9]{4}").all() and stripped.astype(int).between(1900, 2100).all():
            return Detected("year")
        return Detected("integer")
    if stripped.str.fullmatch(r"[+-]?[£$€]?\s?[0-9]{1,3}(,?[0-9]{3})*(\.[0-9]+)?").all():
        return Detected("decimal")
    if stripped.str.match(_EMAIL.pattern).mean() > 0.9:
        return Detected("email")
    date_format, note = detect_date_format(stripped)
    if date_format:
        return Detected("datetime", date_format, note)
    return Detected("text")


def detect_date_format(values: pd.Series) -> tuple[str, str]:
    """The format that reads the most values (at least 90%), with a note when the day/month order
    could not be told apart."""
    if values.str.fullmatch(r"[0-9]+").all() and not values.str.fullmatch(r"1[0-9]{9}").all():
        return "", ""
    best, best_share = "", 0.0
    for date_format in DATE_FORMATS:
        share = parse_datetimes(values, date_format).notna().mean()
        if share > best_share + 1e-9:
            best, best_share = date_format, share
    if best_share < 0.9:
        return "", ""
    note = ""
    if (
        best.startswith("%d/%m")
        and parse_datetimes(values, best.replace("%d/%m", "%m/%d")).notna().mean() >= best_share
    ):
        note = "Read as day/month/year; every day in the sample is 12 or less, so check it is not month/day."
    return best, note


def parse_datetimes(values: pd.Series, date_format: str) -> pd.Series:
    """Aware UTC timestamps, NaT where a value does not fit; naive values are taken as UTC."""
    try:
        if date_format == "unix":
            numbers = pd.to_numeric(values, errors="coerce")
            seconds = numbers.where(numbers.between(0, 4e9)).astype("float64")
            return pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
        words = values.str.strip().str.lower().isin(["now", "today", "tomorrow", "yesterday"])
        values = values.mask(words, "")  # pandas reads these against the clock of the import
        if date_format == "ISO8601":
            zoned = values.str.contains(_ZONE, regex=True)
            if zoned.any() and not zoned.all():
                # Parsed together, a value without a zone takes the offset of the zoned ones.
                return pd.concat(
                    [
                        parse_datetimes(values[zoned], date_format),
                        parse_datetimes(values[~zoned], date_format),
                    ]
                ).reindex(values.index)
        return pd.to_datetime(values, format=date_format, errors="coerce", utc=True)
    except (ValueError, TypeError, OverflowError, FloatingPointError):
        # Converting epoch seconds can overflow inside pandas on values far from any date: not dates.
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
