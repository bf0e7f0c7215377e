"""Simple synthetic rows for bench/rule_segment.py, written with COPY: profiles (2% merged into
another), their features (RFM groups, 0.5% bots), marketing consent and social events over the last
year in time order, as an append-only event table holds them, growing towards today. Good customers
engage more (activity x4 for Champions and Loyal). Reproducible by seed."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from bench.benchdb import audience_truncate

SOURCE_PREFIX = "Rule bench "
PLATFORMS = np.array(["instagram", "x", "tiktok", "linkedin"])
PLATFORM_SHARES = np.array([0.4, 0.25, 0.2, 0.15])
EVENT_TYPES = np.array(["view", "like", "comment", "share", "save", "click", "follow"])
EVENT_SHARES = np.array([0.35, 0.3, 0.1, 0.05, 0.05, 0.1, 0.05])
RFM = np.array(
    ["", "Champions", "Loyal", "Potential", "New", "At risk", "Cannot lose", "Hibernating", "Lost"]
)
RFM_SHARES = np.array([0.35, 0.06, 0.09, 0.12, 0.08, 0.08, 0.04, 0.1, 0.08])
CITIES = np.array(["London", "Leeds", "Manchester", "Bristol", "Glasgow", "Cardiff", "Belfast", "York"])
CHANNEL_MIXES = ({"instagram": 0.6, "x": 0.4}, {"tiktok": 1.0}, {"linkedin": 0.3, "x": 0.7}, {})
INTERESTS = np.array(["{fitness,travel}", "{food}", "{fashion,travel,food}", "{}", "{ai}"])
CHUNK = 1_000_000
DAYS = 365


def rule_bench_fill_if_needed(*, profiles: int, events: int, seed: int, refill: bool) -> None:
    from django.db import connection, transaction

    from segments.models import DataSource
    from segments.selectors import table_row_counts

    counts = table_row_counts()
    sized = counts.get("segments_profile") == profiles and counts.get("segments_event") == events
    if sized and not refill and DataSource.objects.filter(name__startswith=SOURCE_PREFIX).exists():
        return
    print(f"filling the benchmark database: {profiles:,} profiles, {events:,} events...", flush=True)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _fill(cursor, profiles, events, np.random.default_rng(seed))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: hint bits set, statistics fresh
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)


def _fill(cursor, profiles: int, events: int, rng: np.random.Generator) -> None:
    now = datetime.now(UTC)
    audience_truncate(cursor, "segments_segment")
    sources = {}
    for platform in ("crm", *PLATFORMS):
        cursor.execute(
            "INSERT INTO segments_datasource (name, kind, platform, default_region, created_at, updated_at)"
            " VALUES (%s, 'crm', %s, 'GB', now(), now()) RETURNING id",
            [f"{SOURCE_PREFIX}{platform}", platform],
        )
        sources[platform] = cursor.fetchone()[0]
    ids = np.arange(1, profiles + 1)
    merged = np.where(rng.random(profiles) < 0.02, rng.integers(1, profiles + 1, profiles), 0)
    merged = np.where(merged < ids, merged, 0)  # into a lower id only...
    merged[np.isin(merged, ids[merged > 0])] = 0  # ...that is itself canonical: no chains
    _copy(cursor, "segments_profile", _profiles(rng, ids, merged, sources["crm"], now))
    cursor.execute("SELECT setval(pg_get_serial_sequence('segments_profile', 'id'), %s)", [profiles])
    canonical = ids[merged == 0]
    groups = rng.choice(RFM, len(canonical), p=RFM_SHARES)
    _copy(cursor, "segments_profilefeatures", _features(rng, canonical, groups, now))
    _copy(cursor, "segments_consent", _consents(rng, canonical, sources["crm"], now))
    activity = rng.lognormal(0, 1.5, profiles)
    activity[canonical - 1] *= np.select(
        [np.isin(groups, ["Champions", "Loyal"]), groups != ""], [4.0, 2.0], 1.0
    )
    cumulative = np.cumsum(activity / activity.sum())
    chunks = max(1, -(-events // CHUNK))
    growth = np.linspace(1.0, 3.0, chunks)  # three times as many events a day now as a year ago
    sizes = np.floor(events * growth / growth.sum()).astype(int)
    sizes[-1] += events - sizes.sum()
    for chunk, size in enumerate(sizes):
        # Chunk k covers the k-th slice of the year, in order: the table is in time order.
        start = now - timedelta(days=DAYS) + timedelta(days=DAYS) * chunk / chunks
        _copy(cursor, "segments_event", _events(rng, int(size), cumulative, sources, start, DAYS / chunks))


def _profiles(rng, ids, merged, source_id, now) -> pd.DataFrame:
    count = len(ids)
    birth = rng.integers(1950, 2006, count).astype(float)
    birth[rng.random(count) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "id": ids,
            "source_id": source_id,
            "external_id": np.char.add("R", ids.astype(str)),
            "first_name": "Bench",
            "last_name": "Person",
            "gender": rng.choice(np.array(["female", "male", ""]), count),
            "birth_year": pd.array(birth, dtype="Int64"),
            "city": rng.choice(CITIES, count),
            "country": "GB",
            "created_at": now - pd.to_timedelta(rng.integers(30, 1500, count), unit="D"),
            "merged_into_id": pd.array(np.where(merged > 0, merged, np.nan), dtype="Int64"),
        }
    )


def _features(rng, canonical, group, now) -> pd.DataFrame:
    count = len(canonical)
    buyer = group != ""
    score = lambda: pd.array(np.where(buyer, rng.integers(1, 6, count), np.nan), dtype="Int64")  # noqa: E731
    bot = rng.random(count) < 0.005
    return pd.DataFrame(
        {
            "profile_id": canonical,
            "computed_at": now,
            "recency_days": np.where(buyer, rng.exponential(90, count), np.nan),
            "frequency": np.where(buyer, rng.integers(1, 30, count), 0),
            "monetary": np.where(buyer, rng.lognormal(4, 1, count).round(2), 0),
            "r_score": score(),
            "f_score": score(),
            "m_score": score(),
            "rfm_group": np.where(bot, "", group),
            "events_total": rng.integers(0, 200, count),
            "events_30d": rng.integers(0, 20, count),
            "weighted_engagement": rng.exponential(10, count).round(3),
            "engagement_rate": rng.random(count).round(4),
            "decayed_activity": rng.exponential(2, count).round(3),
            "posting_per_week": rng.exponential(1, count).round(3),
            "top_format": rng.choice(np.array(["image", "video", "reel", ""]), count),
            "channel_shares": rng.choice(_share_arrays("channel_mix"), count),
            "format_shares": rng.choice(_share_arrays("format_affinity"), count),
            "clv_estimate": rng.exponential(300, count).round(2),
            "sentiment": rng.uniform(-1, 1, count).round(3),
            "interests": rng.choice(INTERESTS, count),
            "bot_score": np.where(bot, rng.uniform(0.8, 1, count), rng.uniform(0, 0.5, count)).round(3),
            "is_bot": np.where(bot, "t", "f"),
        }
    )


def _share_arrays(feature: str) -> np.ndarray:
    """CHANNEL_MIXES as the arrays ProfileFeatures stores, in COPY's text form."""
    from segments.services.feature_shares import shares_array

    arrays = [shares_array(feature, mix) for mix in CHANNEL_MIXES]
    return np.array(["{" + ",".join(str(share) for share in array) + "}" for array in arrays])


def _consents(rng, canonical, source_id, now) -> pd.DataFrame:
    asked = canonical[rng.random(len(canonical)) < 0.7]
    count = len(asked)
    expired = rng.random(count) < 0.05
    return pd.DataFrame(
        {
            "profile_id": asked,
            "purpose": "marketing",
            "granted": np.where(rng.random(count) < 0.8, "t", "f"),
            "source_id": source_id,
            "recorded_at": now - timedelta(days=60),
            "expires_at": pd.Series(pd.Timestamp(now - timedelta(days=1)), index=range(count)).where(expired),
        }
    )


def _events(rng, size, cumulative, sources, start, span_days) -> pd.DataFrame:
    owners = np.minimum(np.searchsorted(cumulative, rng.random(size)), len(cumulative) - 1) + 1
    offsets = np.sort(rng.random(size)) * span_days * 86400
    platforms = rng.choice(PLATFORMS, size, p=PLATFORM_SHARES)
    return pd.DataFrame(
        {
            "profile_id": owners,
            "source_id": pd.Series(platforms).map(sources).to_numpy(),
            "platform": platforms,
            "event_type": rng.choice(EVENT_TYPES, size, p=EVENT_SHARES),
            "occurred_at": pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s"),
            "text": "",
            "content_format": "",
            "utm_source": "",
            "utm_medium": "",
            "campaign_code": "",
        }
    )


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N", quoting=csv.QUOTE_NONE)
    buffer.seek(0)
    cursor.cursor.copy_expert(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN", buffer)
