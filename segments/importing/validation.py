"""Checking and converting a chunk of rows, a column at a time.

`validate_chunk` turns the file's string columns into the product's fields, normalised (emails
lower-cased, phones in E.164, handles without @, times in UTC) and reports every cell it cannot take
as (row, column, value, reason). A row with any such cell is left out whole."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from segments.importing.converters import convert_column, stripped
from segments.importing.mapping import (
    CONSENT_FIELDS,
    DEFAULT_EVENT_TYPE,
    IDENTIFIER_FIELDS,
    PROFILE_KEY_FIELDS,
    PROFILE_KINDS,
    targets_for,
)

PROFILE_COLUMNS = (
    "external_id",
    "first_name",
    "last_name",
    "gender",
    "birth_year",
    "city",
    "country",
    *IDENTIFIER_FIELDS,
    *CONSENT_FIELDS,
)
EVENT_COLUMNS = (
    "profile_kind",
    "profile_key",
    "external_id",
    "event_type",
    "occurred_at",
    "platform",
    "amount",
    "text",
    "content_format",
    "utm_source",
    "utm_medium",
    "campaign_code",
)
ERROR_COLUMNS = ["row", "column", "value", "reason"]
KEY_KINDS = {
    "profile_external_id": "external_id",
    "profile_email": "email",
    "profile_phone": "phone",
    "profile_handle": "handle",
}


@dataclass(frozen=True)
class ValidationContext:
    record_kind: str
    now: datetime  # aware; "11 hours" counts back from it, ages count from its year
    default_region: str = "GB"
    platform: str = ""
    event_type: str = ""
    event_types: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    handle_kind: str = ""  # the identity kind of handles: the source's platform


@dataclass
class Validated:
    clean: pd.DataFrame  # the product's fields of the rows without errors, None where empty
    errors: pd.DataFrame  # row, column, value, reason

    @property
    def rejected_rows(self) -> int:
        return int(self.errors["row"].nunique())


def validate_chunk(frame: pd.DataFrame, mapping: dict, context: ValidationContext) -> Validated:
    targets = targets_for(context.record_kind)
    fields: dict[str, pd.Series] = {}
    problems: list[pd.DataFrame] = []
    bad_rows = np.zeros(len(frame), dtype=bool)
    for header, spec in mapping.get("columns", {}).items():
        field = spec.get("field", "")
        if not field or header not in frame.columns:
            continue
        raw = frame[header]
        values, bad, reason = convert_column(stripped(raw), spec, targets[field].max_length, context)
        fields[field] = values
        if bad.any():
            bad_rows |= bad
            problems.append(_errors(raw[bad], header, reason))
    if context.record_kind in PROFILE_KINDS:
        clean, more = _profiles(frame.index, fields, mapping)
    else:
        clean, more = _events(frame, fields, mapping, context, bad_rows)
    problems += more
    errors = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=ERROR_COLUMNS)
    return Validated(clean.drop(index=errors["row"].unique()), errors)


def _errors(values: pd.Series, header: str, reason) -> pd.DataFrame:
    shown = values.str.slice(0, 255)
    return pd.DataFrame(
        {
            "row": values.index.to_numpy(),
            "column": header,
            "value": shown.to_numpy(),
            "reason": reason if isinstance(reason, str) else np.asarray(reason),
        }
    )


def _missing(index: pd.Index, header: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"row": index.to_numpy(), "column": header, "value": "", "reason": reason})


def _header_of(mapping: dict, field: str) -> str:
    return next(
        (header for header, spec in mapping.get("columns", {}).items() if spec.get("field") == field), field
    )


def _profiles(index: pd.Index, fields: dict[str, pd.Series], mapping: dict) -> tuple[pd.DataFrame, list]:
    clean = pd.DataFrame(
        {name: fields.get(name, pd.Series(None, index=index, dtype=object)) for name in PROFILE_COLUMNS},
        index=index,
    )
    missing = clean["external_id"].isna()
    problems = (
        [
            _missing(
                index[missing.to_numpy()],
                _header_of(mapping, "external_id"),
                "is empty; every profile needs its customer id",
            )
        ]
        if missing.any()
        else []
    )
    return clean, problems


def _events(
    frame: pd.DataFrame,
    fields: dict[str, pd.Series],
    mapping: dict,
    context: ValidationContext,
    bad: pd.Series,
):
    index = frame.index
    nothing = pd.Series(None, index=index, dtype=object)
    clean = pd.DataFrame({name: fields.get(name, nothing) for name in EVENT_COLUMNS}, index=index)
    key, key_kind = np.full(len(index), None, dtype=object), np.full(len(index), None, dtype=object)
    for field in reversed(PROFILE_KEY_FIELDS):  # the customer id first, then email, phone, handle
        if field in fields:
            values = fields[field].to_numpy(dtype=object)
            present = ~pd.isna(values)
            key[present] = values[present]
            key_kind[present] = KEY_KINDS[field] if field != "profile_handle" else context.handle_kind
    clean["profile_kind"], clean["profile_key"] = key_kind, key
    default_type = mapping.get("event_type") or DEFAULT_EVENT_TYPE.get(context.record_kind, "")
    if default_type:
        clean["event_type"] = clean["event_type"].fillna(default_type)
    clean["platform"] = clean["platform"].fillna(context.platform)
    problems = []
    for column, field, reason in (
        (
            "profile_key",
            "profile_external_id",
            "is empty; say whose event it is (customer id, email, phone or handle)",
        ),
        ("occurred_at", "occurred_at", "is empty; every event needs a time"),
        ("event_type", "event_type", "is empty; every event needs a type"),
    ):
        missing = clean[column].isna() & ~bad  # a cell already reported as unreadable is not "empty"
        if missing.any():
            header = _header_of(mapping, field) if field != "profile_external_id" else _key_header(mapping)
            problems.append(_missing(index[missing.to_numpy()], header, reason))
    clean["external_id"] = _event_keys(
        clean,
        frame[
            [h for h, spec in mapping.get("columns", {}).items() if spec.get("field") and h in frame.columns]
        ],
    )
    return clean, problems


def _key_header(mapping: dict) -> str:
    return next(
        (_header_of(mapping, field) for field in PROFILE_KEY_FIELDS if _header_of(mapping, field) != field),
        "profile",
    )


def _event_keys(clean: pd.DataFrame, mapped: pd.DataFrame) -> pd.Series:
    """The file's event id, or where it has none a key made from the row's mapped cells as written
    (not as converted: "11 hours" reads as another time at every upload), so that the same row
    uploaded again is recognised."""
    given = clean["external_id"]
    if given.notna().all():
        return given
    parts = [mapped[column].str.strip() for column in mapped.columns]
    if not parts:  # nothing mapped: the mapping's problems say so
        return given
    joined = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    derived = pd.Series(
        ["h:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() for text in joined],
        index=clean.index,
        dtype=object,
    )
    return given.where(given.notna(), derived)
