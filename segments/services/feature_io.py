"""Bulk reads of the feature job, through COPY.

Events come out as fixed-width binary records gathered into one value per run of heap pages, read by
numpy without parsing: 10,000,000 events in less time than PostgreSQL takes to send them row by row.
Text columns travel as hashtext() codes, resolved back to names once per distinct value."""

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from django.db import connection

from segments.ml.event_aggregates import EventColumns
from segments.models import EventType, Platform
from segments.services.copy_out import (
    RECORDS_MAX_PAGES,
    copy_out,
    in_snapshot,
    page_ranges,
    parse_fixed,
    parse_records,
    parse_values,
)

# PostgreSQL counts time from 2000-01-01; numpy and pandas from 1970-01-01.
_POSTGRES_EPOCH_US = 946_684_800_000_000
# Every event as a 40-byte record, gathered into one value (parse_records). Two hashes travel in each
# int8 (the first in the high half): five values an event instead of seven take PostgreSQL a sixth
# less time to send. The texts are not gathered so: unlike the records, their size has no bound.
EVENT_RECORDS_SQL = """
    SELECT string_agg(
        int8send(profile_id) || timestamptz_send(occurred_at) || float8send(COALESCE(amount::float8, 0))
        || int8send((hashtext(event_type)::int8 << 32) | (hashtext(platform)::int8 & 4294967295))
        || int8send((hashtext(content_format)::int8 << 32) | (hashtext(campaign_code)::int8 & 4294967295)),
        '')
    FROM segments_event
"""
TEXT_TYPES = ("comment", "message")


@dataclass(frozen=True)
class Audience:
    """Canonical profiles (not merged into another), and the canonical profile whose features each
    profile's events count toward: its own, or its survivor's."""

    profile_ids: np.ndarray  # sorted ids of canonical profiles; the position is the dense index
    member_ids: np.ndarray  # every profile id, canonical and absorbed
    member_positions: np.ndarray  # dense index of each member's canonical profile, -1 for none
    table: np.ndarray | None  # member_positions spread over ids 0..max id, when ids are dense enough

    def dense(self, ids: np.ndarray) -> np.ndarray:
        if self.table is not None:
            inside = ids < len(self.table)
            return np.where(inside, self.table[np.where(inside, ids, 0)], -1)
        found = pd.Index(self.member_ids).get_indexer(ids)
        return np.where(found >= 0, self.member_positions[found], -1)


CANONICAL_SQL = "SELECT id FROM segments_profile WHERE merged_into_id IS NULL ORDER BY id"
MERGED_SQL = "SELECT id, merged_into_id FROM segments_profile WHERE merged_into_id IS NOT NULL"


def _audience(canonical_raw: memoryview, merged_raw: memoryview) -> Audience:
    canonical = parse_fixed(canonical_raw, [("id", ">i8")])["id"].astype(np.int64)
    merged = parse_fixed(merged_raw, [("id", ">i8"), ("into", ">i8")])
    absorbed = merged["id"].astype(np.int64)
    survivor = _resolve_chains(absorbed, merged["into"].astype(np.int64))
    survivor_position = pd.Index(canonical).get_indexer(survivor)
    member_ids = np.concatenate([canonical, absorbed])
    member_positions = np.concatenate([np.arange(len(canonical)), survivor_position])
    table = None
    largest = int(member_ids.max(initial=0))
    # An array indexed by id is the fastest lookup; fall back on hashing when ids are very sparse.
    if largest <= 4 * len(member_ids) + 10_000_000:
        table = np.full(largest + 1, -1, dtype=np.int64)
        table[member_ids] = member_positions
    return Audience(canonical, member_ids, member_positions, table)


def _resolve_chains(absorbed: np.ndarray, survivor: np.ndarray) -> np.ndarray:
    """Follow merged_into until it reaches a canonical profile. Merges repoint earlier absorptions,
    so chains should not exist; this makes sure. -1 where a chain loops."""
    onward_of = pd.Series(survivor, index=absorbed)
    current = survivor.copy()
    for _ in range(20):
        onward = onward_of.reindex(current).to_numpy()
        merged_again = ~np.isnan(onward)
        if not merged_again.any():
            return current
        current = np.where(merged_again, np.nan_to_num(onward).astype(np.int64), current)
    return np.full_like(current, -1)


EVENT_FIELDS = [
    ("profile", ">i8"),
    ("occurred", ">i8"),
    ("amount", ">f8"),
    ("event_type_platform", ">i8"),
    ("format_campaign", ">i8"),
]
# Below this many events one COPY is as quick as two, and runs inside any outer transaction.
PARALLEL_READ_MIN_EVENTS = 500_000
# PostgreSQL sends one COPY on one core: the events are read on two connections at once.
EVENT_CONNECTIONS = 2


@dataclass(frozen=True)
class FeatureInputs:
    audience: Audience
    events: EventColumns
    text_profile: np.ndarray  # dense profile index of each comment and message
    text: pd.Series


def feature_inputs_read(*, parallel: bool) -> FeatureInputs:
    """Canonical profiles, every event, and the text of every comment and message.

    `parallel` runs the profiles', the events' (two connections, each taking every other run of
    pages) and the texts' COPYs at once, in this transaction's snapshot: only for a transaction that
    has written nothing they must see."""
    text_sql = _text_sql()
    connections = EVENT_CONNECTIONS if parallel else 1
    ranges = page_ranges("segments_event", connections, max_pages=RECORDS_MAX_PAGES)
    events_sql = [f"{EVENT_RECORDS_SQL} WHERE {where}" for where in ranges]
    if parallel:
        # Each connection takes every other run of pages, one after the other.
        canonical, merged, texts, *taken = in_snapshot(
            [
                partial(copy_out, CANONICAL_SQL),
                partial(copy_out, MERGED_SQL),
                partial(copy_out, text_sql, "FORMAT csv"),
                *(partial(_copy_each, events_sql[first::connections]) for first in range(connections)),
            ]
        )
        parts = [taken[index % connections][index // connections] for index in range(len(ranges))]
    else:
        canonical, merged = copy_out(CANONICAL_SQL), copy_out(MERGED_SQL)
        texts, parts = copy_out(text_sql, "FORMAT csv"), [copy_out(sql) for sql in events_sql]
    audience = _audience(canonical, merged)
    # PostgreSQL is done: numpy and pandas let go of the GIL in their loops, so the events' columns and
    # the texts are made ready side by side, on every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        texts_ready = pool.submit(_texts, audience, texts)
        records = [parse_records(parse_values(part)[0], EVENT_FIELDS) for part in parts]
        events = _event_columns(audience, records, pool)
        text_profile, text = texts_ready.result()
    return FeatureInputs(audience, events, text_profile, text)


def _copy_each(statements: list[str], cursor) -> list[memoryview]:
    return [copy_out(sql, cursor=cursor) for sql in statements]


def _event_columns(audience: Audience, parts: list[np.ndarray], pool: ThreadPoolExecutor) -> EventColumns:
    joined = {name: pool.submit(_joined, parts, name, kind) for name, kind in EVENT_FIELDS}
    profile = audience.dense(joined["profile"].result())
    counted = profile >= 0  # events of a profile whose merge chain loops count for no one
    keep = slice(None) if counted.all() else counted
    # Popped, so that each packed column is let go once factorised.
    type_platform = pool.submit(_factorised_halves, joined.pop("event_type_platform").result()[keep])
    format_campaign = pool.submit(_factorised_halves, joined.pop("format_campaign").result()[keep])
    type_codes, platform_codes = type_platform.result()
    format_codes, campaign_codes = format_campaign.result()
    event_type, event_types = _names_of("event_type", *type_codes, EventType.values)
    platform, platforms = _names_of("platform", *platform_codes, Platform.values)
    content_format, formats = _names_of("content_format", *format_codes, [""])
    campaign, campaign_hashes = campaign_codes
    no_campaign = np.flatnonzero(campaign_hashes == _hashes([""])[""])
    if no_campaign.size:
        campaign = np.where(campaign == no_campaign[0], -1, campaign)
    return EventColumns(
        profile=profile[keep],
        occurred_us=joined["occurred"].result()[keep] + _POSTGRES_EPOCH_US,
        amount=joined["amount"].result()[keep],
        event_type=event_type,
        event_types=event_types,
        platform=platform,
        platforms=platforms,
        content_format=content_format,
        content_formats=formats,
        campaign=campaign.astype(np.int64, copy=False),
    )


def _joined(parts: list[np.ndarray], name: str, kind: str) -> np.ndarray:
    """One field of every part, end to end, in native byte order (one pass).

    The type is numpy's own ("i8", not ">i8" turned native): with a look-alike type, ufunc.at
    (each profile's first and last event) took 0.5 s instead of 0.03 s over ten million events."""
    joined = np.empty(sum(len(part) for part in parts), dtype=np.dtype(kind.lstrip("<>=")))
    start = 0
    for part in parts:
        joined[start : start + len(part)] = part[name]
        start += len(part)
    return joined


def _factorised_halves(packed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Codes and distinct values of each of the two 32-bit hashes packed in every int8 of
    EVENT_RECORDS_SQL: its high half, then its low half."""
    return [pd.factorize(half) for half in ((packed >> 32).astype(np.int32), packed.astype(np.int32))]


def _names_of(
    column: str, codes: np.ndarray, distinct: np.ndarray, known: list[str]
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The names behind the codes of a factorised hashtext() column.

    Known names are hashed by PostgreSQL; hashes still unknown are looked up in a 1% sample of the
    events, and only if some remain, in the whole table. Two names with one 32-bit hash would
    share a code; among a column's few distinct values that is vanishingly unlikely."""
    by_hash = {value: name for name, value in _hashes(known).items()}
    for sample in ("TABLESAMPLE SYSTEM (1)", ""):
        missing = [int(value) for value in distinct if int(value) not in by_hash]
        if not missing:
            break
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {column}, hashtext({column}) FROM segments_event {sample} "
                f"WHERE hashtext({column}) = ANY(%s)",
                [missing],
            )
            by_hash.update({value: name for name, value in cursor.fetchall()})
    return codes.astype(np.int64, copy=False), tuple(by_hash.get(int(value), "unknown") for value in distinct)


def _hashes(names: list[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, hashtext(name) FROM unnest(%s::text[]) AS name", [list(names)])
        return dict(cursor.fetchall())


def _text_sql() -> str:
    types = ", ".join(f"'{name}'" for name in TEXT_TYPES)
    return f"SELECT profile_id, text FROM segments_event WHERE event_type IN ({types}) AND text <> ''"


def _texts(audience: Audience, raw: memoryview) -> tuple[np.ndarray, pd.Series]:
    frame = pd.read_csv(
        io.BytesIO(raw),
        names=["profile", "text"],
        dtype={"profile": np.int64, "text": str},
        keep_default_na=False,
    )
    profile = audience.dense(frame["profile"].to_numpy())
    counted = profile >= 0
    return profile[counted], frame["text"][counted].reset_index(drop=True)
