"""Normalising identifiers so that the same person's email, phone or handle compares equal."""

import re

import pandas as pd
import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HANDLE = re.compile(r"^[a-z0-9._]{1,64}$")
# What people write for a country that is not its ISO 3166 code.
_REGION_ALIASES = {"UK": "GB", "EN": "GB"}


def phone_region(code: str) -> str:
    """The ISO 3166 code in which numbers without a country code are read; ValueError when the
    phone library does not know it (every national number would then be rejected)."""
    region = code.strip().upper()
    region = _REGION_ALIASES.get(region, region)
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"“{code}” is not a country code for phone numbers: use two letters, such as GB, FR or US."
        )
    return region


def normalise_email(value: str) -> str | None:
    """Trimmed and lower-cased; None when it is not an email address."""
    email = value.strip().lower()
    return email if _EMAIL.match(email) else None


def normalise_phone(value: str, *, default_region: str) -> str | None:
    """E.164 (+447700900123); numbers without a country code are read in `default_region`."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_handle(value: str) -> str | None:
    """A platform handle without @, lower-cased; a profile URL gives its last path part."""
    handle = value.strip().rstrip("/").rsplit("/", 1)[-1].lstrip("@").lower()
    return handle if _HANDLE.match(handle) else None


def normalise_identifiers(values: pd.Series, *, kind: str, default_region: str = "GB") -> pd.Series:
    """The normalised form of each value of one kind; None where a value is not valid."""
    if kind == "email":
        return values.map(normalise_email, na_action="ignore")
    if kind == "phone":
        return values.map(
            lambda value: normalise_phone(value, default_region=default_region), na_action="ignore"
        )
    return values.map(normalise_handle, na_action="ignore")
