"""The frame a clustering run fits and describes: every canonical profile's features, read by binary
COPY (fixed-width columns viewed by numpy without parsing). Everything is made fixed-width inside
PostgreSQL: share arrays become a column per key (`channel_mix.instagram`), interest lists a 0/1 column
per topic (`interests.travel`), text columns codes; segments.ml reads these expanded columns as it
reads the dicts and lists themselves. A big table is read by two COPYs at once, each over half of its
pages, as PostgreSQL does not run one COPY in parallel by itself."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
import pandas as pd
from django.db import connection, transaction

from segments.consent_sql import PURPOSE_USES, consenting_people_sql
from segments.ml.cards import CARD_FEATURES
from segments.ml.clustering_config import NUMERIC_FEATURES, ClusteringConfig
from segments.ml.features import RFM_GROUPS
from segments.models import SHARE_ARRAYS
from segments.services.copy_out import copy_out, in_snapshot, page_ranges, parse_fixed

FEATURES_TABLE = "segments_profilefeatures"
Result = TypeVar("Result")
CLOCK_FEATURES = ("peak_hour", "peak_weekday")
# Joined once (a correlated test per row would read the consents a million times).
CONSENTING_JOIN = (
    f"LEFT JOIN ({consenting_people_sql()}) AS consenting(person) ON consenting.person = f.profile_id"
)
# The keys with a positive share in some row; and a key's place in its array (found once per query).
SHARE_KEYS_SQL = (
    "SELECT key.name FROM segments_featuresharekey key "
    "WHERE key.feature = '{feature}' AND key.position + 1 IN "
    f"(SELECT DISTINCT share.place FROM {FEATURES_TABLE}, "
    "unnest({array}) WITH ORDINALITY AS share(value, place) WHERE share.value > 0)"
)
SHARE_PLACE_SQL = "SELECT position + 1 FROM segments_featuresharekey WHERE feature = %s AND name = %s"
# Below this many rows one COPY is as quick as two, and runs inside any outer transaction.
PARALLEL_READ_MIN_ROWS = 200_000
# Big-endian types of the binary COPY fields, and the types the frame holds them in. Numbers travel as
# float4 (7 significant digits, plenty to cluster and describe on), which halves the bytes to send.
NATIVE = {">f4": np.float64, ">i2": np.int16, ">i4": np.int32, ">i8": np.int64}


@dataclass(frozen=True)
class Column:
    name: str
    sql: str
    kind: str  # a key of NATIVE
    params: tuple = ()


def clustering_frame_read(*, config: ClusteringConfig) -> pd.DataFrame:
    """One row per canonical profile with features, ordered by profile id: what the run clusters on
    and what its cards describe. `consented` says whether the person's consent to the config's
    purpose is granted and unexpired (absent without a purpose)."""
    vocabulary = _vocabulary(config)
    texts = {"rfm_group": list(RFM_GROUPS)}
    if "top_format" in vocabulary:
        texts["top_format"] = vocabulary["top_format"]
    columns = _columns(config, texts, vocabulary)
    parts = [
        parse_fixed(raw, [(column.name, column.kind) for column in columns])
        for raw in _copy(columns, config.consent_purpose)
    ]
    ids = np.concatenate([part["profile_id"] for part in parts])
    # Ordered by id, so that a run repeats exactly; the table is mostly in that order already.
    order = None if np.all(ids[1:] >= ids[:-1]) else np.argsort(ids, kind="stable")

    def values(name: str) -> np.ndarray:
        joined = np.concatenate([part[name] for part in parts])
        return joined if order is None else joined[order]

    # The float columns go into one block laid out as pandas keeps it, which it then takes uncopied.
    floats = [column for column in columns if NATIVE[column.kind] is np.float64]
    block = np.empty((len(floats), len(ids)))
    for row, column in enumerate(floats):
        block[row] = values(column.name)
    frame = pd.DataFrame(block.T, columns=[column.name for column in floats], copy=False)
    for column in columns:
        if NATIVE[column.kind] is not np.float64:
            frame[column.name] = values(column.name).astype(NATIVE[column.kind])
    frame["is_bot"] = frame["is_bot"].astype(bool)
    if config.consent_purpose is not None:
        frame["consented"] = frame["consented"].astype(bool)
    for name, values in texts.items():
        frame[name] = np.array(["", *values], dtype=object)[frame[name].to_numpy()]
    return frame


def _bases(config: ClusteringConfig) -> set[str]:
    return {name.partition(".")[0] for name in config.resolved_features}


def _vocabulary(config: ClusteringConfig) -> dict[str, list[str]]:
    """The distinct values the expanded columns stand for (formats, platforms, topics), each found by a
    scan of its own, run at once on a big table."""
    used = _bases(config)
    queries = {
        "channel_mix": SHARE_KEYS_SQL.format(feature="channel_mix", array=SHARE_ARRAYS["channel_mix"]),
        "interests": f"SELECT DISTINCT unnest(interests) FROM {FEATURES_TABLE}",
    }
    if "format_affinity" in used:
        queries["format_affinity"] = SHARE_KEYS_SQL.format(
            feature="format_affinity", array=SHARE_ARRAYS["format_affinity"]
        )
    if "top_format" in used:
        queries["top_format"] = f"SELECT DISTINCT top_format FROM {FEATURES_TABLE}"
    found = _run([partial(_distinct, sql) for sql in queries.values()])
    return dict(zip(queries, found, strict=True))


def _columns(
    config: ClusteringConfig, texts: dict[str, list[str]], vocabulary: dict[str, list[str]]
) -> list[Column]:
    """The run's features, and what its cards describe."""
    used = _bases(config)
    columns = [Column("profile_id", "f.profile_id", ">i8")]
    numbers = [name for name in NUMERIC_FEATURES if name in used or name in CARD_FEATURES]
    columns += [
        Column(name, f"COALESCE(f.{name}::float4, 'NaN')", ">f4") for name in (*numbers, *CLOCK_FEATURES)
    ]
    columns.append(Column("is_bot", "f.is_bot::int4", ">i4"))
    columns += [
        Column(name, f"COALESCE(array_position(%s::text[], f.{name}::text), 0)::int4", ">i4", (values,))
        for name, values in texts.items()
    ]
    for base, array in SHARE_ARRAYS.items():
        columns += [
            Column(f"{base}.{key}", f"COALESCE(f.{array}[({SHARE_PLACE_SQL})], 0)", ">f4", (base, key))
            for key in vocabulary.get(base, [])
        ]
    columns += [
        Column(f"interests.{topic}", "(f.interests @> ARRAY[%s]::varchar[])::int4::int2", ">i2", (topic,))
        for topic in vocabulary["interests"]
    ]
    if config.consent_purpose is not None:
        columns.append(Column("consented", "(consenting.person IS NOT NULL)::int4", ">i4"))
    return columns


def _copy(columns: list[Column], consent_purpose: str | None) -> list[memoryview]:
    """The rows of canonical profiles: by one COPY, or on a big table by two at once, each over half
    of its pages; with a purpose, each row says whether the person consents to it."""
    if _parallel():
        sources = [
            f"(SELECT * FROM {FEATURES_TABLE} WHERE {pages})" for pages in page_ranges(FEATURES_TABLE, 2)
        ]
    else:
        sources = [FEATURES_TABLE]
    return _run([partial(copy_out, _select(columns, source, consent_purpose)) for source in sources])


def _run(tasks: list[Callable[..., Result]]) -> list[Result]:
    """Each task, given a psycopg2 cursor: on a big table outside any transaction at once, each on a
    connection of its own in one snapshot; otherwise one after the other on this connection, which
    sees this transaction's own rows."""
    if len(tasks) > 1 and _parallel():
        with transaction.atomic():
            return in_snapshot(tasks)
    with connection.cursor() as cursor:
        return [task(cursor=cursor.cursor) for task in tasks]


def _parallel() -> bool:
    return not connection.in_atomic_block and _estimated_rows() >= PARALLEL_READ_MIN_ROWS


def _select(columns: list[Column], source: str, consent_purpose: str | None) -> str:
    select = ", ".join(column.sql for column in columns)
    params = [param for column in columns for param in column.params]
    consenting = ""
    if consent_purpose is not None:
        consenting = CONSENTING_JOIN
        params += [consent_purpose] * PURPOSE_USES
    with connection.cursor() as cursor:
        return cursor.mogrify(
            f"SELECT {select} FROM {source} f JOIN segments_profile p ON p.id = f.profile_id "
            f"{consenting} WHERE p.merged_into_id IS NULL",
            params,
        ).decode()


def _estimated_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [FEATURES_TABLE])
        return max(cursor.fetchone()[0], 0)


def _distinct(sql: str, cursor) -> list[str]:
    """Distinct keys over every row, merged profiles' too: scanning without the join is faster, and
    a key only they have just adds a column of zeros."""
    cursor.execute(f"SELECT key FROM ({sql}) AS found(key) WHERE key <> '' ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]
