"""Reading query results through COPY TO STDOUT: binary rows of fixed-width columns viewed by numpy
without parsing, or fixed-width records gathered into one bytea value (parse_values, parse_records),
and several COPYs at once on their own connections, all in one snapshot.

One backend sends 10,000,000 events in about 10 s here; two, each over half of the table's pages,
take about 6 s, as PostgreSQL does not run COPY in parallel by itself."""

import io
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from django.db import connection

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
Result = TypeVar("Result")


def copy_out(sql: str, options: str = "FORMAT binary", cursor=None) -> memoryview:
    """COPY (sql) TO STDOUT; on `cursor` (a psycopg2 cursor) or the default connection."""
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT ({options})"
    if cursor is not None:
        cursor.copy_expert(statement, buffer)
    else:
        with connection.cursor() as django_cursor:
            django_cursor.cursor.copy_expert(statement, buffer)
    return buffer.getbuffer()


def parse_fixed(raw: memoryview, fields: list[tuple[str, str]]) -> np.ndarray:
    """View binary COPY output as a numpy record array. Every column must be NOT NULL and
    fixed-width; `fields` name them with big-endian numpy types (">i8", ">f8", ">i4")."""
    if bytes(raw[:11]) != _SIGNATURE:
        raise ValueError("Not PostgreSQL binary COPY output.")
    start = 19 + int.from_bytes(raw[15:19], "big")  # after the header and its extension
    row = [("columns", ">i2")]
    for name, kind in fields:
        row += [(f"{name}_length", ">i4"), (name, kind)]
    dtype = np.dtype(row)
    body = raw[start : len(raw) - 2]  # the trailer is a 16-bit -1
    if len(body) % dtype.itemsize:
        raise ValueError("COPY rows are not fixed-width: a column is NULL or variable-length.")
    records = np.frombuffer(body, dtype=dtype)
    for name, kind in fields:
        if records.size and not np.all(records[f"{name}_length"] == np.dtype(kind).itemsize):
            raise ValueError(f"Column {name} is NULL or not {kind} in some rows.")
    return records


def parse_values(raw: memoryview) -> list[memoryview | None]:
    """The values of the first row of a binary COPY (None where NULL); [] when it has no row."""
    if bytes(raw[:11]) != _SIGNATURE:
        raise ValueError("Not PostgreSQL binary COPY output.")
    position = 19 + int.from_bytes(raw[15:19], "big")  # after the header and its extension
    columns = int.from_bytes(raw[position : position + 2], "big", signed=True)
    position += 2
    values: list[memoryview | None] = []
    for _ in range(max(columns, 0)):  # -1: the trailer, no row
        length = int.from_bytes(raw[position : position + 4], "big", signed=True)
        position += 4
        values.append(None if length < 0 else raw[position : position + length])
        position += max(length, 0)
    return values


def parse_records(value: memoryview | None, fields: list[tuple[str, str]]) -> np.ndarray:
    """Fixed-width records back to back in one bytea value, such as string_agg(int8send(id) ||
    float8send(share), ''), as a numpy record array; none for NULL (an aggregate over no rows).

    PostgreSQL sends a COPY row by row, and psycopg2 takes each row in a call into Python: ten million
    rows cost the client two seconds of CPU and PostgreSQL as much to send. Gathered into one value,
    they cost neither. A value cannot exceed 1 GB: keep each source under RECORDS_MAX_PAGES."""
    dtype = np.dtype(fields)
    if value is None:
        return np.empty(0, dtype=dtype)
    if len(value) % dtype.itemsize:
        raise ValueError("The records are not all as wide as the fields.")
    return np.frombuffer(value, dtype=dtype)


# Heap pages whose rows one value may gather. A page holds at most 291 rows, so 25,000 pages give at
# most 291 MB of 40-byte records (about 100 MB of events in practice), well under the 1 GB a value
# and a COPY row may take. Only fixed-width records have such a bound: never gather text this way.
RECORDS_MAX_PAGES = 25_000


def page_ranges(table: str, parts: int, max_pages: int | None = None) -> list[str]:
    """WHERE conditions splitting `table` into `parts` runs of heap pages (TID range scans); with
    `max_pages`, into a multiple of `parts` runs of at most that many pages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        pages = cursor.fetchone()[0]
    if max_pages is not None:
        parts *= max(1, math.ceil(pages / (parts * max_pages)))
    bounds = [pages * part // parts for part in range(parts)]
    conditions = []
    for part, low in enumerate(bounds):
        condition = f"ctid >= '({low},0)'::tid"
        if part < parts - 1:  # the last range is open: pages added since are read too
            condition += f" AND ctid < '({bounds[part + 1]},0)'::tid"
        conditions.append(condition)
    return conditions


def in_snapshot(work: list[Callable[..., Result]]) -> list[Result]:
    """Run each callable on a connection of its own, concurrently, in this transaction's snapshot
    (exported and imported, so every reader sees exactly what this transaction sees). Each gets a
    psycopg2 cursor. Only for a transaction that has not written what they must see: other
    connections never see uncommitted rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]

    def run(task: Callable[..., Result]) -> Result:
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with raw.cursor() as cursor:
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                return task(cursor=cursor)
        finally:
            raw.close()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return list(pool.map(run, work))
