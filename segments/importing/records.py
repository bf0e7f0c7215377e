"""Records of Excel workbooks and JSON lines files, one (row number, values) pair at a time; a row
that cannot be read comes as (row number, reason)."""

import itertools
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from segments.importing.formats import FileFormat, ImportFileError, xlsx_check
from segments.importing.textfile import Position, open_text

MAX_FIELD_CHARS = 1_000_000
MAX_COLUMNS = 500
MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024
# What a formula shows when it has no value (a lookup that found nothing): no value, not text.
SHEET_ERRORS = frozenset(
    ("#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
)
# Keys under which APIs hand over their list of records.
RECORD_WRAPPERS = frozenset(
    {
        *("data", "results", "records", "items", "rows", "entries", "elements", "hits", "values", "list"),
        *("contacts", "customers", "people", "profiles", "members", "users", "subscribers"),
        *("events", "comments", "messages", "orders", "transactions", "activities"),
    }
)
BROKEN_CHARACTER = "holds a broken character (half of an escaped UTF-16 pair)"
# An escaped UTF-16 surrogate: in pairs they make one character, alone they cannot be stored.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class Unreadable(str):
    """Why a line could not be read, as opposed to a line that holds a JSON string."""


def xlsx_records(
    path: Path, file_format: FileFormat, name: str, position: Position
) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # only XLSX uploads pay for importing it

    xlsx_check(path, name=name)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged workbooks
        raise ImportFileError(f"The workbook cannot be opened ({error}).", file_name=name) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("The workbook has no sheet of cells (only charts).", file_name=name)
        sheet = workbook.worksheets[0]
        rows = max(1, sheet.max_row or 1)  # as the sheet declares it: for the progress only
        sheet.reset_dimensions()  # some writers declare fewer rows and columns than they wrote
        width = 0  # the header's
        for number, values in enumerate(_sheet_rows(sheet, name)):
            position.fraction = min(number / rows, 0.99)
            cells = [_cell_text(value) for value in values[: MAX_COLUMNS + 1]]
            while cells and cells[-1] == "":
                cells.pop()  # spreadsheets pad rows with empty cells
            if not cells:
                continue
            width = width or len(cells)
            cells += [""] * (width - len(cells))  # empty last cells are empty values, not missing ones
            if any(len(cell) > MAX_FIELD_CHARS for cell in cells):
                raise ImportFileError(
                    f"A cell is longer than {MAX_FIELD_CHARS:,} characters.", file_name=name, row=number
                )
            yield number, cells
    finally:
        workbook.close()


def _sheet_rows(sheet, name: str) -> Iterator[tuple]:
    """The sheet's rows; a sheet damaged past its first rows is read lazily, so its errors come here."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl, zipfile and the XML parser each raise their own kinds
            raise ImportFileError(f"The workbook is damaged ({error}).", file_name=name) from error
        yield values


def _cell_text(value) -> str:
    if value is None or value in SHEET_ERRORS:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def jsonl_records(
    path: Path, file_format: FileFormat, name: str, position: Position
) -> Iterator[tuple[int, list]]:
    """A record per line."""
    with open_text(path, file_format.encoding, position, name=name) as file:
        yield from _keyed_rows(_numbered_json(file, name, file_format.encoding), name)


def json_records(
    path: Path, file_format: FileFormat, name: str, position: Position
) -> Iterator[tuple[int, list]]:
    """One JSON document: a list of records, or an object holding one (as {"data": [...]}). Read
    whole, so only up to MAX_JSON_DOCUMENT_BYTES; row 1 is the first record."""
    if path.stat().st_size > MAX_JSON_DOCUMENT_BYTES:
        raise ImportFileError(
            f"A JSON document over {MAX_JSON_DOCUMENT_BYTES // 1024**2} MB is not read whole: "
            "save it as JSON lines, one record a line.",
            file_name=name,
        )
    with open_text(path, file_format.encoding, position, name=name) as file:
        try:
            text = file.read()
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is not valid {file_format.encoding} text ({error.reason}); save it as UTF-8.",
                file_name=name,
            ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"The file is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}).",
            file_name=name,
        ) from error
    except RecursionError as error:
        raise ImportFileError("The file is not valid JSON (nested too deeply).", file_name=name) from error
    records = _records_in(document)
    if records is None:
        raise ImportFileError(
            "The JSON holds no list of records: it should be a list of objects, or an object with one "
            'under a key such as "data" or "results" (one record printed over several lines is not).',
            file_name=name,
        )
    check = _SURROGATE_ESCAPE.search(text) is not None
    numbered = (
        (number, record if not check or _storable(record) else Unreadable(BROKEN_CHARACTER))
        for number, record in enumerate(records, start=1)
    )
    yield from _keyed_rows(numbered, name)


def _records_in(document: object) -> list | None:
    """The records: the document itself when it is a list, or the list an API wraps them in
    ({"data": [...], "paging": ...}). A single record printed over lines is not a list of records,
    though it may hold a list of its own ({"id": 1, "orders": [...]})."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        wrapped = [
            value
            for key, value in document.items()
            if key.lower() in RECORD_WRAPPERS and isinstance(value, list)
        ]
        if len(wrapped) == 1:
            return wrapped[0]
    return None


def _keyed_rows(numbered: Iterator[tuple[int, object]], name: str) -> Iterator[tuple[int, list | str]]:
    """The header is the keys of the first records, in the order first seen; a later record's
    other keys are not read (the mapping step lists the columns it knows)."""
    first = list(_take(numbered, 1000))
    keys: dict[str, None] = {}
    for _, record in first:
        if isinstance(record, dict):
            keys.update(dict.fromkeys(record))
    header = list(keys)
    if not header:
        raise ImportFileError("The first records have no fields.", file_name=name)
    yield 0, header
    for number, record in itertools.chain(first, numbered):  # the rest streamed, never held whole
        if isinstance(record, Unreadable):
            yield number, str(record)
        elif not isinstance(record, dict):
            yield number, "is not a JSON object"
        else:
            yield number, [_json_text(record.get(key)) for key in header]


def _numbered_json(file, name: str, encoding: str) -> Iterator[tuple[int, object]]:
    number = 0
    while True:
        try:
            line = next(file, None)
        except UnicodeDecodeError as error:
            # Text is decoded a block ahead of the lines, so the bad byte is at this row or a later one.
            raise ImportFileError(
                f"From this row on, the file is not valid {encoding} text ({error.reason}); "
                "save the file as UTF-8.",
                file_name=name,
                row=number + 1,
            ) from error
        if line is None:
            return
        number += 1
        if len(line) > MAX_FIELD_CHARS:
            raise ImportFileError(
                f"A line is longer than {MAX_FIELD_CHARS:,} characters.", file_name=name, row=number
            )
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, Unreadable(f"is not valid JSON ({error.msg} at character {error.pos + 1})")
            continue
        except RecursionError:
            yield number, Unreadable("is not valid JSON (nested too deeply)")
            continue
        if _SURROGATE_ESCAPE.search(line) and not _storable(record):
            yield number, Unreadable(BROKEN_CHARACTER)
            continue
        yield number, record


def _storable(record: object) -> bool:
    try:
        json.dumps(record, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _take(items: Iterator, count: int) -> Iterator:
    for _ in range(count):
        item = next(items, None)
        if item is None:
            return
        yield item


def _json_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1.0 is the customer id 1, as a spreadsheet cell gives it
    return str(value)
