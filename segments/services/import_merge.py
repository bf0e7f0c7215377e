"""Running an import: chunks of the file are read, validated and formatted in a thread while
PostgreSQL merges the previous chunk, all in the caller's one transaction.

Each chunk is COPYed into a TEMP staging table and merged by natural key with set-based SQL, or,
in a first load into a source that has no such rows yet, COPYed straight into the product's tables
(import_direct); the rows it cannot take are COPYed into segments_rejectedrow. A row whose key
already appeared earlier in the file is rejected as a repeat (the first one counts), so the counts
always add up: inserted + updated + unchanged + rejected = total."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection

from segments.importing.formats import FileFormat
from segments.importing.mapping import PROFILE_KINDS
from segments.importing.readers import Chunk, read_chunks
from segments.importing.validation import (
    ERROR_COLUMNS,
    EVENT_COLUMNS,
    PROFILE_COLUMNS,
    ValidationContext,
    validate_chunk,
)
from segments.models import ErasureTombstone, ImportRun
from segments.services import import_sql
from segments.services.copy_csv import copy_in, csv_of_frame
from segments.services.import_direct import (
    DIRECT_CHUNK_ROWS,
    DIRECT_MIN_BYTES,
    DirectChunk,
    DirectEvents,
    DirectProfiles,
    direct_chunk_write,
    source_is_empty,
)
from segments.services.references import references_lock
from segments.services.tombstones import erasure_salt, external_id_kind

Progress = Callable[[float, str], None]
IMPORT_LOCK = 7_310  # pg_advisory_xact_lock namespace: one import at a time per source
LOCK_POLL_SECONDS = 2
# Each chunk's merge reads the source's profiles once (a hash join), so chunks are large; two of them
# (the one merging, the one being read) take about 1 GB of memory in the worker.
CHUNK_ROWS = 500_000
# PostgreSQL waits for the first chunk only: a small one starts it early, and the next ones double
# up to CHUNK_ROWS, so that reading stays ahead of merging from the start.
FIRST_ROWS = 50_000


@dataclass
class Counts:
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_fields(self) -> dict[str, int]:
        return {
            "total_rows": self.total,
            "inserted_rows": self.inserted,
            "updated_rows": self.updated,
            "unchanged_rows": self.unchanged,
            "rejected_rows": self.rejected,
        }


@dataclass
class Prepared:
    """One chunk made ready in the thread: staging CSV, rejected rows CSV and their counts."""

    rows_read: int
    stage_csv: bytes
    staged: int
    rejected_csv: bytes
    rejected: int
    identity_keys: bool
    fraction: float
    direct: DirectChunk | None = None  # a first load's chunk, written by COPY instead of staged


@dataclass
class _Seen:
    """Keys met earlier in the file, as a sorted array of their 64-bit hashes: 80 MB for ten million
    keys instead of a gigabyte of strings. A collision (odds about 3 in a million at that size)
    rejects a row as a repeat; it can never merge two different rows."""

    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self.hashes, hashes)
        found = np.zeros(len(hashes), dtype=bool)
        inside = position < len(self.hashes)
        found[inside] = self.hashes[position[inside]] == hashes[inside]
        return found

    def add(self, hashes: np.ndarray) -> None:
        # Two sorted runs: the stable sort (timsort) merges them in one linear pass.
        self.hashes = np.sort(np.concatenate([self.hashes, np.sort(hashes)]), kind="stable")


def import_rows_merge(
    *, run: ImportRun, context: ValidationContext, key_column: str, progress: Progress
) -> Counts:
    """Merge every row of the run's file into the product's tables; call inside a transaction."""
    profiles = run.record_kind in PROFILE_KINDS
    stage = import_sql.PROFILE_STAGE if profiles else import_sql.EVENT_STAGE
    mapping = run.mapping
    mapped = {spec.get("field") for spec in mapping.get("columns", {}).values() if spec.get("field")}
    profile_source = mapping.get("profile_source_id") or run.source_id
    params = {
        "run": run.id,
        "source": run.source_id,
        "profile_source": profile_source,
        "now": context.now,
        "erasure_salt": erasure_salt(),
        "external_kind": external_id_kind(source_id=run.source_id if profiles else profile_source),
        "key_column": key_column,
        "unknown_reason": import_sql.UNKNOWN_PERSON,
    }
    relative_time = any(
        spec.get("field") == "occurred_at" and spec.get("type") == "relative"
        for spec in mapping.get("columns", {}).values()
    )
    counts = Counts()
    seen = _Seen()
    file_format = FileFormat(run.file_format, run.encoding, run.delimiter)
    with connection.cursor() as cursor:
        _source_lock(cursor, run.source_id, progress)
        # Every write about people takes this lock, shared, and an erasure takes it exclusively before
        # anything else; taken here, before any row is locked, the two wait for each other whole.
        # It also keeps the people a first load has read from being erased before it commits.
        references_lock(cursor, "segments_profile", shared=True)
        # Read under the lock: an erasure, the very first one too, has committed or waits for this.
        tombstones = ErasureTombstone.objects.exists()
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")  # compiling these one-off statements costs more than it saves
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked per statement, not queued to commit
        direct = _first_load(cursor, run, params, mapped, context)
        chunks = read_chunks(
            Path(run.file.path),
            file_format,
            name=run.original_name,
            chunk_rows=DIRECT_CHUNK_ROWS if direct else CHUNK_ROWS,
            first_rows=FIRST_ROWS,
        )
        prepared_chunks = (
            _prepare(chunk, mapping, context, seen, run.id, profiles, direct) for chunk in chunks
        )
        # Dropped at the end: ON COMMIT DROP alone would keep them when the caller's transaction goes on.
        cursor.execute(import_sql.stage_create(stage))
        if profiles:
            cursor.execute(import_sql.CHANGED_CREATE)
        made = _made_ahead(prepared_chunks)
        try:
            for prepared in made:
                counts.total += prepared.rows_read
                counts.rejected += prepared.rejected
                copy_in(cursor, import_sql.REJECTED_COPY, prepared.rejected_csv)
                if prepared.direct is not None:
                    inserted, rejected = direct_chunk_write(cursor, params, prepared.direct)
                    counts.inserted += inserted
                    counts.rejected += rejected
                elif prepared.staged:
                    cursor.execute("TRUNCATE import_stage")
                    copy_in(cursor, import_sql.stage_copy(stage), prepared.stage_csv)
                    if profiles:
                        merged = _profiles_merge(cursor, params, mapped, tombstones)
                    else:
                        merged = _events_merge(cursor, params, mapped, relative_time, tombstones, prepared)
                    inserted, updated, rejected = merged
                    counts.inserted += inserted
                    counts.updated += updated
                    counts.rejected += rejected
                    counts.unchanged += prepared.staged - inserted - updated - rejected
                progress(5 + 94 * prepared.fraction, f"Read {counts.total:,} rows")
        finally:
            try:
                made.close()  # the thread is done before the connection it may hold closes
            finally:
                if isinstance(direct, DirectProfiles):
                    direct.close()
        if profiles and tombstones:
            cursor.execute(import_sql.REPEATS_OF_ERASED_BLANKED, params)
        cursor.execute("DROP TABLE import_stage")
        if profiles:
            cursor.execute("DROP TABLE import_changed")
    return counts


def _source_lock(cursor, source_id: int, progress: Progress) -> None:
    """One import at a time per source. While another holds the source, this one says so every few
    seconds: the job stays alive in the reaper's eyes, and a cancel reaches it."""
    while True:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, source_id])
        if cursor.fetchone()[0]:
            return
        progress(1, "Waiting for another import into this source to finish")
        time.sleep(LOCK_POLL_SECONDS)


def _first_load(
    cursor, run: ImportRun, params: dict, mapped: set[str], context: ValidationContext
) -> DirectEvents | DirectProfiles | None:
    """How a first load of this run's rows would go, when its source has none of them yet."""
    if run.size_bytes < DIRECT_MIN_BYTES:
        return None
    if run.record_kind in PROFILE_KINDS:
        if not source_is_empty(cursor, table="segments_profile", source_id=run.source_id):
            return None
        # The ids come from the sequence on another connection: held from here, this lock keeps the
        # demo generator, which reserves a block of ids under a stronger one, from interleaving.
        cursor.execute("LOCK TABLE segments_profile IN ROW EXCLUSIVE MODE")
        return DirectProfiles(
            source_id=run.source_id, now=context.now, external_kind=params["external_kind"], mapped=mapped
        )
    if not source_is_empty(cursor, table="segments_event", source_id=run.source_id):
        return None
    return DirectEvents.read(cursor, source_id=run.source_id, profile_source_id=params["profile_source"])


def _profiles_merge(cursor, params: dict, mapped: set[str], tombstones: bool) -> tuple[int, int, int]:
    erased = 0
    if tombstones:
        cursor.execute(import_sql.profiles_erased_remove(), params)
        erased = cursor.fetchone()[0]
    cursor.execute("TRUNCATE import_changed")
    for statement in import_sql.profiles_merge(mapped):
        cursor.execute(statement, params)
    cursor.execute(import_sql.PROFILES_COUNT)
    inserted, updated = cursor.fetchone()
    return inserted, updated, erased


def _events_merge(
    cursor, params, mapped, relative_time, tombstones, prepared: Prepared
) -> tuple[int, int, int]:
    if prepared.identity_keys:
        cursor.execute(import_sql.events_profiles_create(), params)
    cursor.execute(
        import_sql.events_merge(
            mapped, keep_first_time=relative_time, tombstones=tombstones, identity_keys=prepared.identity_keys
        ),
        params,
    )
    return cursor.fetchone()


def _prepare(
    chunk: Chunk,
    mapping: dict,
    context: ValidationContext,
    seen: _Seen,
    run_id: int,
    profiles: bool,
    direct: DirectEvents | DirectProfiles | None,
) -> Prepared:
    validated = validate_chunk(chunk.frame, mapping, context)
    clean = validated.clean
    problems = [validated.errors]
    if chunk.problems:
        problems.append(pd.DataFrame([vars(problem) for problem in chunk.problems]))
    clean, repeats = _repeats_removed(clean, seen)
    if len(repeats):
        problems.append(repeats)
    errors = pd.concat(problems, ignore_index=True)
    columns = PROFILE_COLUMNS if profiles else EVENT_COLUMNS
    identity_keys = False if profiles else bool((clean["profile_kind"] != "external_id").any())
    if isinstance(direct, DirectProfiles):
        erased = direct.erased_rows(clean)
        if erased.any():
            errors = pd.concat([errors, _erased(clean.index[erased])], ignore_index=True)
            clean = clean[~erased]
    if direct is not None and (profiles or not identity_keys):  # email, phone, handle keys: merged
        first_load = direct.chunk(clean)
        return Prepared(
            rows_read=chunk.rows_read,
            stage_csv=b"",
            staged=0,
            rejected_csv=_rejected_csv(errors, run_id),
            rejected=int(errors["row"].nunique()),
            identity_keys=False,
            fraction=chunk.fraction,
            direct=first_load,
        )
    return Prepared(
        rows_read=chunk.rows_read,
        stage_csv=csv_of_frame(clean[list(columns)], index=True),
        staged=len(clean),
        rejected_csv=_rejected_csv(errors, run_id),
        rejected=int(errors["row"].nunique()),
        identity_keys=identity_keys,
        fraction=chunk.fraction,
    )


def _erased(rows: pd.Index) -> pd.DataFrame:
    """Rejections of erased people that name nothing, as the merge makes them."""
    return pd.DataFrame({"row": rows.to_numpy(), "column": "", "value": "", "reason": import_sql.ERASED})


def _repeats_removed(clean: pd.DataFrame, seen: _Seen) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = clean["external_id"]
    # Python's own string hash: one import lives in one process, so its per-process seed is harmless.
    hashes = np.fromiter(map(hash, keys.to_numpy(dtype=object)), dtype=np.int64, count=len(keys))
    in_chunk = pd.Index(hashes).duplicated(keep="first")
    repeat = in_chunk | seen.contains(hashes)
    seen.add(hashes[~repeat])
    if not repeat.any():
        return clean, pd.DataFrame(columns=ERROR_COLUMNS)
    first_row = dict(zip(keys.to_numpy()[~in_chunk], keys.index[~in_chunk], strict=True))
    repeated = keys[repeat]
    reasons = [
        f"repeats the key of row {first_row[key]}"
        if dup and key in first_row and first_row[key] < row
        else "repeats the key of an earlier row"
        for row, key, dup in zip(repeated.index, repeated, in_chunk[repeat], strict=True)
    ]
    rejected = pd.DataFrame(
        {
            "row": repeated.index.to_numpy(),
            "column": "",
            "value": repeated.str.slice(0, 255).to_numpy(),
            "reason": reasons,
        }
    )
    return clean[~repeat], rejected


def _rejected_csv(errors: pd.DataFrame, run_id: int) -> bytes:
    if errors.empty:
        return b""
    frame = pd.DataFrame(
        {
            "run": run_id,
            "row": errors["row"].astype("int64"),
            "column": errors["column"].astype(str).str.slice(0, 255),
            "value": errors["value"]
            .fillna("")
            .astype(str)
            .str.replace("\x00", "", regex=False)
            .str.slice(0, 255),
            "reason": errors["reason"].astype(str).str.slice(0, 500),
        }
    ).sort_values("row", kind="stable")
    return frame.to_csv(header=False, index=False, lineterminator="\n").encode()


def _made_ahead(items: Iterator) -> Iterator:
    """The same items, the next one made in a thread while the caller uses this one: Python reads
    and validates the next chunk while PostgreSQL merges the last."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        done = object()
        upcoming = worker.submit(next, items, done)
        while (item := upcoming.result()) is not done:
            upcoming = worker.submit(next, items, done)
            yield item
