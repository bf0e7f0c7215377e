"""Reading CSV, XLSX and JSON lines into frames of strings, a chunk of rows at a time.

Every frame has the file's columns, all strings ("" where a cell is empty), and a `row` index: 1 is
the first data row after the header, as a spreadsheet would show it minus one (blank lines are
skipped but keep their number). Rows that cannot be read (too few or too many values, a line that
is not JSON) come back as problems, not as rows."""

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segments.importing.formats import FileFormat, ImportFileError, excel_separator
from segments.importing.records import MAX_COLUMNS, MAX_FIELD_CHARS, json_records, jsonl_records, xlsx_records
from segments.importing.textfile import Position, open_text

MAX_HEADER_CHARS = 200
# Control characters other than whitespace; PostgreSQL cannot store a NUL in a saved mapping.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CHUNK_ROWS = 200_000
LINE_END_SAMPLE = 64 * 1024
# (row numbers, rows of values, (row number, reason) of rows that could not be read)
Batch = tuple[list[int], list[list[str]], list[tuple[int, str]]]


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class Chunk:
    frame: pd.DataFrame  # columns as in the header; index: row numbers
    problems: list[RowProblem] = field(default_factory=list)
    fraction: float = 0.0  # of the file read so far

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len({problem.row for problem in self.problems})


def read_chunks(
    path: Path, file_format: FileFormat, *, name: str, chunk_rows: int = CHUNK_ROWS, first_rows: int = 0
) -> Iterator[Chunk]:
    """The file's data rows in chunks (of a CSV file, when `first_rows` is given, the first chunks
    grow from it to `chunk_rows`, so that work on them can start early); raises ImportFileError
    for what makes the whole file unreadable: no header, a header without rows, an unclosed quote,
    a field over the limit."""
    position = Position()
    if file_format.kind == "csv":
        batches = _csv_batches(path, file_format, name, position, chunk_rows, first_rows or chunk_rows)
    else:
        records = {"xlsx": xlsx_records, "jsonl": jsonl_records, "json": json_records}[file_format.kind]
        batches = _batched(records(path, file_format, name, position), chunk_rows)
    header, first_number = None, 0
    yielded = False
    for numbers, rows, complaints in batches:
        if header is None:
            if not rows:
                break
            header, first_number = _header(rows[0], name=name), numbers[0]
            numbers, rows = numbers[1:], rows[1:]
        if rows or complaints:
            yield _chunk(numbers, rows, complaints, header, first_number, position.fraction)
            yielded = True
    if header is None:
        raise ImportFileError("The file is empty.", file_name=name)
    if not yielded:
        raise ImportFileError("The file has a header but no rows.", file_name=name)


def read_header_and_sample(path: Path, file_format: FileFormat, *, name: str, rows: int = 200) -> Chunk:
    """The first rows, for suggesting a mapping and for the preview."""
    return next(read_chunks(path, file_format, name=name, chunk_rows=rows))


def _header(values: list[str], *, name: str) -> list[str]:
    values = [_CONTROLS.sub("", str(value)).strip().lstrip("\ufeff") for value in values]
    if len(values) > MAX_COLUMNS:
        raise ImportFileError(
            f"The header has {len(values):,} columns; at most {MAX_COLUMNS} are read.", file_name=name
        )
    header, seen = [], set()
    for position, value in enumerate(values, start=1):
        label = value[:MAX_HEADER_CHARS] or f"Column {position}"
        suffix = position
        while label in seen:  # "a (3)" may itself be taken already
            label, suffix = f"{value[:MAX_HEADER_CHARS] or f'Column {position}'} ({suffix})", suffix + 1
        seen.add(label)
        header.append(label)
    return header


def _chunk(
    numbers: list[int],
    rows: list[list[str]],
    complaints: list[tuple[int, str]],
    header: list[str],
    first_number: int,
    fraction: float,
) -> Chunk:
    width = len(header)
    index = np.asarray(numbers, dtype=np.int64) - first_number
    problems = [RowProblem(row - first_number, "", "", reason) for row, reason in complaints]
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    trimmed = []
    for position in np.flatnonzero(lengths > width).tolist():
        row = rows[position]
        if not any(row[width:]):  # "1,Bob," under "id,name": a trailing delimiter
            del row[width:]
            trimmed.append(position)
    lengths[trimmed] = width
    ragged = np.flatnonzero(lengths != width)
    for position in ragged:
        reason = f"has {lengths[position]} values where the header has {width} columns"
        problems.append(RowProblem(int(index[position]), "", "", reason))
    if len(ragged):
        keep = np.ones(len(rows), dtype=bool)
        keep[ragged] = False
        rows, index = [row for row, kept in zip(rows, keep, strict=True) if kept], index[keep]
    # A list of rows becomes a frame in C; transposing with zip(*rows) costs ten times more.
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object)
        if rows
        else pd.DataFrame(columns=header, dtype=object)
    )
    frame.index = pd.Index(index, name="row", dtype="int64")
    nul_rows = set()
    for label in header:
        column = frame[label]
        if "\x00" not in "".join(column.to_numpy()):  # one scan in C; cell by cell only when needed
            continue
        for row in frame.index[column.str.contains("\x00", regex=False).to_numpy()]:
            problems.append(RowProblem(int(row), label, "", "contains a NUL character (binary data)"))
            nul_rows.add(int(row))
    if nul_rows:
        frame = frame.drop(index=list(nul_rows))
    return Chunk(frame, problems, min(fraction, 1.0))


def _csv_batches(
    path: Path, file_format: FileFormat, name: str, position: Position, size: int, first_size: int
) -> Iterator[Batch]:
    csv.field_size_limit(MAX_FIELD_CHARS)
    with open_text(path, file_format.encoding, position, name=name) as file:
        try:
            lines = _lines(file)
        except UnicodeDecodeError as error:
            raise _not_text(error, file_format, name, row=1) from error
        reader = csv.reader(lines, delimiter=file_format.delimiter, strict=True)
        numbers: list[int] = []
        rows: list[list[str]] = []
        complaints: list[tuple[int, str]] = []
        number, wanted = -1, first_size
        limit = wanted + 1  # the header is the first record that is not blank, in the first batch
        header_read = False
        width, batch_lines, batch_records = 0, 0, -1  # where the batch started, in lines and records
        while True:
            try:
                for values in reader:  # the hot loop: a few hundred nanoseconds a row
                    number += 1
                    if values:
                        numbers.append(number)
                        rows.append(values)
                        if len(rows) >= limit:
                            width = width or len(rows[0])
                            if reader.line_num - batch_lines > number - batch_records:
                                _stray_quotes_rejected(
                                    numbers, rows, complaints, file_format.delimiter, width, header_read
                                )
                            yield numbers, rows, complaints
                            header_read = True
                            wanted = min(size, 2 * wanted)
                            numbers, rows, complaints, limit = [], [], [], wanted
                            batch_lines, batch_records = reader.line_num, number
                break
            except csv.Error as error:
                number += 1
                problem = _csv_problem(error, number, name, header_read=header_read or bool(numbers))
                complaints.append((number, problem))
            except UnicodeDecodeError as error:
                raise _not_text(error, file_format, name, row=max(number + 1, 1)) from error
        if rows or complaints:
            width = width or (len(rows[0]) if rows else 0)
            if reader.line_num - batch_lines > number - batch_records:
                _stray_quotes_rejected(numbers, rows, complaints, file_format.delimiter, width, header_read)
            yield numbers, rows, complaints


def _lines(file) -> Iterator[str]:
    """The file's lines for the CSV reader: past an Excel "sep=" line, and without the second line
    end of files that end every line twice ("\r\r\n", as a CSV writer in text mode on Windows
    makes), which would otherwise number every row twice over."""
    try:
        head = file.read(LINE_END_SAMPLE)
    except UnicodeDecodeError:
        head = ""  # not text near the start: the reader names the row where it stops
    file.seek(0)
    doubled = 0 < head.count("\n") * 9 <= head.count("\r\r\n") * 10
    lines = (line for line in file if line != "\r\n") if doubled else iter(file)
    first = next(lines, "")
    if excel_separator(first.rstrip("\r\n") + "\n"):
        return lines
    return itertools.chain([first], lines)


def _stray_quotes_rejected(
    numbers: list[int],
    rows: list[list[str]],
    complaints: list[tuple[int, str]],
    delimiter: str,
    width: int,
    header_read: bool,
) -> None:
    """Take out the records in which a quote opened by mistake swallowed whole rows: read as a plain
    character, the quote would leave the record's first line a whole row ("1,\"TV,40" under three
    columns), and a line it ran over is one too. A real value over several lines ("Flat 3, 12 High
    St" / "London") fails the first test. Called only for a batch with a value over several lines."""
    if width < 3:
        return  # under two columns, "2,\"2 High St" / "Leeds, UK" reads either way: the value is kept
    first = 0 if header_read else 1  # the header stays
    flagged = []
    for position in range(first, len(rows)):
        values = rows[position]
        if "\n" not in (joined := "\x1f".join(values)) and "\r" not in joined:
            continue
        for index, value in enumerate(values):
            lines = value.splitlines()
            if len(lines) < 2 or index + 1 + lines[0].count(delimiter) != width:
                continue
            if any(line.count(delimiter) == width - 1 for line in lines[1:]):
                flagged.append(position)
                complaints.append(
                    (
                        numbers[position],
                        f"a quote opened in this row closes {len(lines) - 1} lines further down, and those "
                        "lines look like rows of their own: remove the stray quote, or double it",
                    )
                )
                break
    for position in reversed(flagged):
        del numbers[position], rows[position]


def _not_text(error: UnicodeDecodeError, file_format: FileFormat, name: str, *, row: int) -> ImportFileError:
    return ImportFileError(
        f"This line is not valid {file_format.encoding} text ({error.reason}); save the file as UTF-8.",
        file_name=name,
        row=row,
    )


def _csv_problem(error: csv.Error, row: int, name: str, *, header_read: bool) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        raise ImportFileError(
            f"A value is longer than {MAX_FIELD_CHARS:,} characters; that is not a table of records.",
            file_name=name,
            row=max(row, 1),
        ) from error
    if "unexpected end of data" in text:
        raise ImportFileError(
            "A quote opened in this row is never closed, so the rest of the file would be one value.",
            file_name=name,
            row=max(row, 1),
        ) from error
    if not header_read:
        raise ImportFileError(f"The header cannot be read: {text}.", file_name=name) from error
    return f"cannot be read as CSV: {text}"


def _batched(records: Iterator[tuple[int, list | str]], size: int) -> Iterator[Batch]:
    numbers, rows, complaints = [], [], []
    limit = size + 1  # the first batch also carries the header
    for number, values in records:
        if isinstance(values, str):
            complaints.append((number, values))
        else:
            numbers.append(number)
            rows.append(values)
        if len(rows) >= limit:
            yield numbers, rows, complaints
            numbers, rows, complaints, limit = [], [], [], size
    if rows or complaints:
        yield numbers, rows, complaints
