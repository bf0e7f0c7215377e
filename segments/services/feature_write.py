"""The feature job's one write: the whole features table replaced in the run's transaction."""

import numpy as np
import pandas as pd
from django.db import connection

from segments.ml.profile_features import ProfileFeatureSet
from segments.models import SharedFeature
from segments.services.binary_copy import (
    ChunkReader,
    Field,
    category_field,
    copy_binary_chunks,
    fixed_field,
    float_field,
    real_array_field,
    timestamp_field,
    varchar_array_field,
)
from segments.services.feature_shares import share_positions

FEATURE_COLUMNS = (
    "profile_id",
    "computed_at",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_group",
    "events_total",
    "events_30d",
    "weighted_engagement",
    "engagement_rate",
    "decayed_activity",
    "posting_per_week",
    "response_latency_hours",
    "peak_hour",
    "peak_weekday",
    "top_format",
    "channel_shares",
    "format_shares",
    "clv_estimate",
    "sentiment",
    "interests",
    "bot_score",
    "is_bot",
)
# Lock waits beyond this fail the run (and leave the old features) rather than queue every reader.
REPLACE_LOCK_TIMEOUT = "60s"


def features_replace(features: ProfileFeatureSet, *, profile_ids: np.ndarray, computed_at_us: int) -> None:
    """Replace the whole content of segments_profilefeatures with these features.

    Call inside the transaction that records the run: TRUNCATE and COPY commit together, so
    readers see the old table until the new one is complete, never a half-written one."""
    chunks = copy_binary_chunks(_feature_fields(features, profile_ids, computed_at_us))
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{REPLACE_LOCK_TIMEOUT}'")
        cursor.execute("TRUNCATE segments_profilefeatures")
        # Checking the foreign key row by row at commit, and growing the indexes a row at a time, took
        # longer than the COPY itself. Dropped and made again in this transaction, the key is checked
        # by one join and each index (the primary key's too) built by one sort. No other transaction
        # ever sees the table without them: TRUNCATE holds its exclusive lock until commit.
        constraints = _definitions(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'segments_profilefeatures'::regclass AND contype IN ('p', 'f') "
            "ORDER BY contype DESC",  # the primary key first
        )
        indexes = _definitions(
            cursor,
            "SELECT class.relname, pg_get_indexdef(index.indexrelid) FROM pg_index index "
            "JOIN pg_class class ON class.oid = index.indexrelid "
            "WHERE index.indrelid = 'segments_profilefeatures'::regclass AND NOT index.indisprimary",
        )
        # ALTER TABLE refuses while earlier writes of this transaction wait for deferred checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in constraints:
            cursor.execute(f'ALTER TABLE segments_profilefeatures DROP CONSTRAINT "{name}"')
        for name in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        columns = ", ".join(FEATURE_COLUMNS)
        cursor.cursor.copy_expert(
            f"COPY segments_profilefeatures ({columns}) FROM STDIN (FORMAT binary)",
            ChunkReader(chunks),
            size=1 << 20,
        )
        for name, definition in constraints.items():
            cursor.execute(f'ALTER TABLE segments_profilefeatures ADD CONSTRAINT "{name}" {definition}')
        for definition in indexes.values():
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are deferrable, deferred at first


def _definitions(cursor, sql: str) -> dict[str, str]:
    cursor.execute(sql)
    return dict(cursor.fetchall())


def _feature_fields(features: ProfileFeatureSet, profile_ids: np.ndarray, computed_at_us: int) -> list[Field]:
    frame = features.frame
    count = len(frame)

    def number(column: str) -> Field:
        return float_field(frame[column].to_numpy(dtype=np.float64))

    def integer(column: str, kind: str) -> Field:
        values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        return fixed_field(values, kind, null=np.isnan(values))

    def text(column: str) -> Field:
        codes, names = pd.factorize(frame[column], sort=False)
        return category_field(codes, [str(name) for name in names])

    fields = {
        "profile_id": fixed_field(profile_ids, ">i8"),
        "computed_at": timestamp_field(np.full(count, computed_at_us, dtype=np.int64)),
        "recency_days": number("recency_days"),
        "frequency": integer("frequency", ">i4"),
        "monetary": number("monetary"),
        "r_score": integer("r_score", ">i2"),
        "f_score": integer("f_score", ">i2"),
        "m_score": integer("m_score", ">i2"),
        "rfm_group": text("rfm_group"),
        "events_total": integer("events_total", ">i4"),
        "events_30d": integer("events_30d", ">i4"),
        "weighted_engagement": number("weighted_engagement"),
        "engagement_rate": number("engagement_rate"),
        "decayed_activity": number("decayed_activity"),
        "posting_per_week": number("posting_per_week"),
        "response_latency_hours": number("response_latency_hours"),
        "peak_hour": integer("peak_hour", ">i2"),
        "peak_weekday": integer("peak_weekday", ">i2"),
        "top_format": text("top_format"),
        "channel_shares": _shares(SharedFeature.CHANNEL_MIX, features.channel_mix),
        "format_shares": _shares(SharedFeature.FORMAT_AFFINITY, features.format_affinity),
        "clv_estimate": number("clv_estimate"),
        "sentiment": number("sentiment"),
        "interests": _interests(features.interests, count),
        "bot_score": number("bot_score"),
        "is_bot": fixed_field(frame["is_bot"].to_numpy(dtype=bool), "?"),
    }
    return [fields[column] for column in FEATURE_COLUMNS]


def _shares(feature: str, shares: pd.DataFrame) -> Field:
    """real[] of each row's shares at their keys' places, in permille as the features show them."""
    positions = share_positions(feature, [str(key) for key in shares.columns])
    values = np.zeros((len(shares), max(positions, default=-1) + 1), dtype=np.float32)
    permille = np.rint(np.clip(np.nan_to_num(shares.to_numpy(dtype=np.float64)), 0, 1) * 1000)
    values[:, positions] = permille / 1000
    return real_array_field(values)


def _interests(interests: pd.DataFrame, count: int) -> Field:
    """varchar[] of each profile's topics, in the order given (interests are sorted by profile)."""
    topic_codes, topics = pd.factorize(interests["topic"], sort=False)
    owners = interests["profile"].to_numpy(dtype=np.int64)
    per_profile = np.bincount(owners, minlength=count)
    place = np.arange(len(owners)) - np.searchsorted(owners, owners, side="left")
    elements = np.full((count, int(per_profile.max(initial=0))), -1, dtype=np.int64)
    elements[owners, place] = topic_codes
    return varchar_array_field(per_profile, elements, [str(topic) for topic in topics])
