"""CSV for PostgreSQL's COPY, built from whole columns: several times faster than DataFrame.to_csv."""

import io
import re

import numpy as np
import pandas as pd

_SPECIAL_CHARACTERS = ('"', ",", "\r", "\n")
_SPECIAL = re.compile(r'[",\r\n]')


def csv_of_frame(frame: pd.DataFrame, *, index: bool) -> bytes:
    """The frame's columns as CSV, with the row number first when `index`."""
    if frame.empty:
        return b""
    numbers = [np.fromiter(map(str, frame.index.tolist()), dtype=object, count=len(frame))] if index else []
    return csv_of_columns(numbers + [frame[column].to_numpy(dtype=object) for column in frame.columns])


def csv_of_columns(columns: list[np.ndarray]) -> bytes:
    """Object arrays of equal length as CSV rows. None and "" are both written as nothing, which
    COPY reads as NULL (or as "" for the columns named in FORCE_NOT_NULL)."""
    if not len(columns[0]):
        return b""
    fields = []
    for values in columns:
        missing = pd.isna(values)
        present = values[~missing]
        if present.size and not isinstance(present[0], str):  # numbers: birth years
            values = np.array(
                ["" if gone else str(value) for value, gone in zip(values, missing, strict=True)]
            )
        elif missing.any():
            values = np.where(missing, "", values)
        joined = "\x1f".join(values)
        if any(special in joined for special in _SPECIAL_CHARACTERS):
            special = pd.Series(values).str.contains(_SPECIAL.pattern, regex=True).to_numpy()
            values = values.copy()
            values[special] = ['"' + value.replace('"', '""') + '"' for value in values[special]]
        fields.append(values)
    return ("\n".join(map(",".join, zip(*fields, strict=True))) + "\n").encode()


def copy_in(cursor, sql: str, data: bytes) -> None:
    """COPY ... FROM STDIN of `data` on a Django cursor; nothing to do when it is empty."""
    if data:
        cursor.cursor.copy_expert(sql, io.BytesIO(data), size=1 << 20)
