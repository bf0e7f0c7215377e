"""Simple synthetic audience rows for the benchmarks, written with COPY, for when the demo generator
(segments.services.demo_data) is not available. Reproducible by seed; shaped like real data where the
feature job cares: skewed activity, purchases with amounts, comments with hashtags, a few bots that
like at a fixed interval, and 2% of profiles merged into another."""

import csv
import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

PLATFORM_SOURCES = ["crm", "shop", "instagram", "x", "linkedin", "tiktok", "email", "web"]
EVENT_TYPES = np.array(
    [
        *("view", "like", "page_view", "click", "comment", "share", "save", "follow"),
        *("purchase", "message", "email_open", "email_click"),
    ]
)
EVENT_SHARES = np.array([0.28, 0.24, 0.1, 0.08, 0.06, 0.04, 0.04, 0.02, 0.05, 0.02, 0.05, 0.02])
SOCIAL = np.array(["instagram", "x", "linkedin", "tiktok"])
FORMATS = np.array(["image", "video", "reel", "story", "carousel", "text"])
PHRASES = [
    "love this, great quality",
    "this is terrible, never again",
    "ok I guess",
    "amazing service, thank you so much",
    "the delivery was slow and the box was damaged",
    "nice colours",
    "worst purchase ever, really disappointed",
    "so happy with it",
    "not sure about the price",
    "brilliant idea, well done",
]
HASHTAGS = ["#ai", "#machinelearning", "#fashion", "#ootd", "#fitness", "#gym", "#travel", "#food", "#crypto"]
CHUNK = 1_000_000
DISTINCT_VARIANTS = 50  # x 810 phrase and hashtag pairs: about 40,000 distinct comments


def synthetic_audience_fill(*, connection, profiles: int, events: int, seed: int) -> None:
    """Replace the audience tables' rows with `profiles` profiles and `events` events."""
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE segments_profilefeatures, segments_event, segments_identity, segments_consent, "
            "segments_profile, segments_featurerun CASCADE"
        )
        source_ids = {}
        for platform in PLATFORM_SOURCES:
            cursor.execute(
                "INSERT INTO segments_datasource"
                " (name, kind, platform, default_region, created_at, updated_at)"
                " VALUES (%s, 'crm', %s, 'GB', now(), now()) ON CONFLICT (name) DO UPDATE SET"
                " platform = EXCLUDED.platform RETURNING id",
                [f"Bench {platform}", platform],
            )
            source_ids[platform] = cursor.fetchone()[0]
        _copy(cursor, "segments_profile", _profiles(rng, profiles, source_ids["crm"], now))
        cursor.execute("SELECT setval(pg_get_serial_sequence('segments_profile', 'id'), %s)", [profiles])
        activity = rng.lognormal(0, 1.0, profiles)
        bots = rng.choice(profiles, size=max(1, profiles // 200), replace=False)
        activity[bots] *= 20
        cumulative = np.cumsum(activity / activity.sum())
        preferred_hour = rng.integers(6, 23, profiles)
        is_bot = np.zeros(profiles, dtype=bool)
        is_bot[bots] = True
        bot_period_s = rng.integers(300, 1800, profiles)  # a bot acts every period, on the second
        emitted = np.zeros(profiles, dtype=np.int64)
        for start in range(0, events, CHUNK):
            size = min(CHUNK, events - start)
            frame = _events(rng, size, cumulative, preferred_hour, is_bot, source_ids, now)
            owners = frame["profile_id"].to_numpy() - 1
            bot_rows = is_bot[owners]
            sequence = (
                emitted[owners[bot_rows]]
                + pd.Series(owners[bot_rows]).groupby(owners[bot_rows]).cumcount().to_numpy()
            )
            emitted += np.bincount(owners[bot_rows], minlength=profiles)
            seconds_ago = (sequence + 1) * bot_period_s[owners[bot_rows]]
            frame.loc[bot_rows, "occurred_at"] = pd.Timestamp(now) - pd.to_timedelta(seconds_ago, unit="s")
            _copy(cursor, "segments_event", frame)


def _profiles(rng, count: int, source_id: int, now: datetime) -> pd.DataFrame:
    ids = np.arange(1, count + 1)
    merged = np.where(rng.random(count) < 0.02, rng.integers(1, count + 1, count), 0)
    # Merge only into a lower, itself unmerged, id so that no chain forms.
    merged = np.where(merged < ids, merged, 0)
    merged[np.isin(merged, ids[merged > 0])] = 0
    created = now - pd.to_timedelta(rng.integers(30, 1500, count), unit="D")
    return pd.DataFrame(
        {
            "id": ids,
            "source_id": source_id,
            "external_id": [f"B{number:07d}" for number in ids],
            "first_name": "Bench",
            "last_name": "Person",
            "gender": "",
            "city": "",
            "country": "GB",
            "created_at": created,
            "merged_into_id": pd.array(np.where(merged > 0, merged, None), dtype="Int64"),
        }
    )


def _events(rng, size, cumulative, preferred_hour, is_bot, source_ids, now) -> pd.DataFrame:
    profile_index = np.minimum(np.searchsorted(cumulative, rng.random(size)), len(cumulative) - 1)
    kinds = rng.choice(EVENT_TYPES, size=size, p=EVENT_SHARES / EVENT_SHARES.sum())
    days_ago = rng.exponential(120, size) % 730
    hours = (preferred_hour[profile_index] + rng.normal(0, 2.5, size)).round() % 24
    bot = is_bot[profile_index]
    kinds = np.where(bot, "like", kinds)
    seconds = rng.integers(0, 3600, size)
    occurred = (
        pd.Timestamp(now.date(), tz="UTC")
        - pd.to_timedelta(np.floor(days_ago), unit="D")
        + pd.to_timedelta(hours, unit="h")
        + pd.to_timedelta(seconds, unit="s")
    )
    occurred = occurred.where(occurred < now, occurred - timedelta(days=1))
    platforms = rng.choice(SOCIAL, size=size)
    platforms = np.select(
        [kinds == "purchase", np.char.startswith(kinds.astype(str), "email"), kinds == "page_view"],
        ["shop", "email", "web"],
        platforms,
    )
    platforms = np.where(bot, "x", platforms)
    purchase = kinds == "purchase"
    amount = np.where(purchase, np.round(rng.lognormal(3.5, 0.8, size), 2), np.nan)
    texted = (kinds == "comment") | (kinds == "message")
    phrase = rng.integers(0, len(PHRASES), size)
    tag_a = rng.integers(0, len(HASHTAGS), size)
    tag_b = rng.integers(0, len(HASHTAGS), size)
    variant = rng.integers(0, DISTINCT_VARIANTS, size)
    phrases = pd.Series(np.array(PHRASES, dtype=object)[phrase])
    tags = (
        pd.Series(np.array(HASHTAGS, dtype=object)[tag_a])
        + " "
        + pd.Series(np.array(HASHTAGS, dtype=object)[tag_b])
    )
    # Texts differ as real comments do: VADER's cost grows with the number of distinct texts.
    text = phrases + " " + tags + " #t" + pd.Series(variant).astype(str)
    social = np.isin(platforms, SOCIAL)
    campaign = rng.integers(0, 40, size)
    return pd.DataFrame(
        {
            "profile_id": profile_index + 1,
            "source_id": pd.Series(platforms).map(source_ids).to_numpy(),
            "platform": platforms,
            "event_type": kinds,
            "occurred_at": occurred,
            "amount": amount,
            "text": text.where(texted, ""),
            "content_format": np.where(social, rng.choice(FORMATS, size=size), ""),
            "utm_source": "",
            "utm_medium": "",
            "campaign_code": np.where(rng.random(size) < 0.15, np.char.add("CMP-", campaign.astype(str)), ""),
        }
    )


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N", quoting=csv.QUOTE_NONE)
    buffer.seek(0)
    columns = ", ".join(frame.columns)
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
