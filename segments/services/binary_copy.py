"""PostgreSQL binary COPY rows built with numpy, with no Python per row.

Formatting a million feature rows as CSV took longer than computing them (pandas formats every
float and JSON object in Python). Here every field is a block of bytes per row, padded to the
widest value: the blocks are laid side by side in one matrix per chunk of rows, and the padding is
dropped by one boolean mask, which leaves the rows back to back in COPY's layout."""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags 0, no header extension
_TRAILER = b"\xff\xff"
VARCHAR_OID = 1043
REAL_OID = 700
POSTGRES_EPOCH_US = 946_684_800_000_000  # PostgreSQL counts time from 2000-01-01
CHUNK_ROWS = 20_000  # a chunk's matrices stay in the CPU caches


@dataclass(frozen=True)
class Part:
    """Bytes of one piece of a field per row: row i holds table[codes[i]][:sizes[codes[i]]].

    A fixed-width column is a Part whose "codes" are the rows themselves (table = the values)."""

    table: np.ndarray  # (k, width) uint8
    sizes: np.ndarray  # (k,) bytes used of each table row
    codes: np.ndarray | None = None  # (n,) rows of the table; None: row i is table row i


@dataclass(frozen=True)
class Field:
    """One column: its parts in order, and which rows are NULL (no bytes, length -1)."""

    parts: tuple[Part, ...]
    null: np.ndarray | None = None


def fixed_field(values: np.ndarray, kind: str, null: np.ndarray | None = None) -> Field:
    """Fixed-width values (">i8", ">i4", ">i2", ">f8", "?"); `null` rows are NULL."""
    dtype = np.dtype(kind)
    values = np.asarray(values)
    if dtype.kind in "iu" and values.dtype.kind == "f":
        values = np.rint(np.nan_to_num(values))
    table = np.ascontiguousarray(values.astype(dtype)).view(np.uint8).reshape(len(values), dtype.itemsize)
    sizes = np.full(len(values), dtype.itemsize)
    return Field((Part(table, sizes),), None if null is None else np.asarray(null, dtype=bool))


def float_field(values: np.ndarray) -> Field:
    """float8, NULL where NaN."""
    values = np.asarray(values, dtype=np.float64)
    return fixed_field(values, ">f8", null=np.isnan(values))


def timestamp_field(microseconds_since_1970: np.ndarray) -> Field:
    return fixed_field(np.asarray(microseconds_since_1970, dtype=np.int64) - POSTGRES_EPOCH_US, ">i8")


def byte_table(values: list[bytes]) -> Part:
    """A table of byte strings, padded to the longest, for Part codes to point into."""
    width = max((len(value) for value in values), default=0)
    table = np.zeros((len(values), max(width, 1)), dtype=np.uint8)
    for row, value in enumerate(values):
        table[row, : len(value)] = np.frombuffer(value, dtype=np.uint8)
    return Part(table, np.array([len(value) for value in values], dtype=np.int64))


def category_field(codes: np.ndarray, names: list[str]) -> Field:
    """Text from category codes: row i is names[codes[i]]."""
    part = byte_table([name.encode() for name in names])
    return Field((Part(part.table, part.sizes, np.asarray(codes, dtype=np.int64)),))


def real_array_field(values: np.ndarray) -> Field:
    """One-dimensional real[] per row, every row `values.shape[1]` long; no NULL elements."""
    rows, width = values.shape
    dimensions = [1, 0, REAL_OID, width, 1] if width else [0, 0, REAL_OID]
    header = np.frombuffer(np.array(dimensions, dtype=">i4").tobytes(), dtype=np.uint8)
    parts = [Part(np.broadcast_to(header, (rows, len(header))), np.full(rows, len(header)))]
    if width:
        elements = np.empty((rows, width), dtype=[("length", ">i4"), ("value", ">f4")])
        elements["length"] = 4
        elements["value"] = values
        parts.append(Part(elements.view(np.uint8).reshape(rows, 8 * width), np.full(rows, 8 * width)))
    return Field(tuple(parts))


def varchar_array_field(counts: np.ndarray, elements: np.ndarray, names: list[str]) -> Field:
    """One-dimensional varchar[] per row: `counts` elements, the first of them in `elements`
    (rows, max elements), as codes into `names`; -1 past a row's count."""
    empty = np.array([0, 0, VARCHAR_OID], dtype=">i4").tobytes()
    most = elements.shape[1]
    headers = [empty] + [
        np.array([1, 0, VARCHAR_OID, n, 1], dtype=">i4").tobytes() for n in range(1, most + 1)
    ]
    header = byte_table(headers)
    parts = [Part(header.table, header.sizes, np.asarray(counts, dtype=np.int64))]
    encoded = [name.encode() for name in names]
    element = byte_table([len(value).to_bytes(4, "big") + value for value in encoded] + [b""])
    for column in range(most):
        codes = np.where(elements[:, column] >= 0, elements[:, column], len(names))
        parts.append(Part(element.table, element.sizes, codes))
    return Field(tuple(parts))


def copy_binary_chunks(fields: list[Field], chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The COPY ... FROM STDIN (FORMAT binary) stream of these columns, a chunk of rows at a time,
    so PostgreSQL can take in one chunk while the next is built."""
    rows = _row_count(fields[0].parts[0])
    yield _HEADER
    for start in range(0, rows, chunk_rows):
        yield _chunk(fields, slice(start, min(start + chunk_rows, rows)))
    yield _TRAILER


def copy_binary(fields: list[Field], chunk_rows: int = CHUNK_ROWS) -> bytes:
    return b"".join(copy_binary_chunks(fields, chunk_rows))


class ChunkReader:
    """A file for psycopg2's copy_expert over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self.chunks, b"")


def _chunk(fields: list[Field], rows: slice) -> bytes:
    count = rows.stop - rows.start
    column_count = np.frombuffer(np.array([len(fields)], dtype=">i2").tobytes(), dtype=np.uint8)
    pieces: list[tuple[np.ndarray, np.ndarray]] = [
        (np.broadcast_to(column_count, (count, 2)), np.full(count, 2))
    ]
    for field in fields:
        blocks = [_part_rows(part, rows) for part in field.parts]
        null = np.zeros(count, dtype=bool) if field.null is None else field.null[rows]
        length = np.where(null, -1, sum(sizes for _, sizes in blocks)).astype(">i4")
        pieces.append((length.view(np.uint8).reshape(count, 4), np.full(count, 4)))
        pieces += [(block, np.where(null, 0, sizes)) for block, sizes in blocks]
    # One record per row with a slot per piece: numpy copies each slot as a unit, not byte by byte.
    layout = np.dtype([(f"piece{index}", f"V{block.shape[1]}") for index, (block, _) in enumerate(pieces)])
    records = np.empty(count, dtype=layout)
    for index, (block, _) in enumerate(pieces):
        records[f"piece{index}"] = np.ascontiguousarray(block).view(f"V{block.shape[1]}").ravel()
    matrix = records.view(np.uint8).reshape(count, layout.itemsize)
    keep, position = None, 0
    for block, sizes in pieces:
        step = block.shape[1]
        if sizes.min(initial=step) < step:  # some rows leave padding (or a NULL) to drop
            keep = np.ones(matrix.shape, dtype=bool) if keep is None else keep
            keep[:, position : position + step] = np.arange(step) < sizes[:, None]
        position += step
    return matrix.tobytes() if keep is None else matrix[keep].tobytes()


def _part_rows(part: Part, rows: slice) -> tuple[np.ndarray, np.ndarray]:
    if part.codes is None:
        return part.table[rows], part.sizes[rows]
    codes = part.codes[rows]
    return part.table[codes], part.sizes[codes]


def _row_count(part: Part) -> int:
    return len(part.table) if part.codes is None else len(part.codes)
