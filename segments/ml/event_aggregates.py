"""Per-profile aggregates of the event stream in one vectorised pass of bincounts.

Measured on 10,000,000 events, a GROUP BY with one FILTER clause per hour, weekday, event type,
platform and format took five times as long as the same GROUP BY with six aggregates: PostgreSQL
evaluates every FILTER expression on every row. Here each histogram is a single bincount."""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

MICROSECONDS_PER_MINUTE = 60_000_000
MICROSECONDS_PER_HOUR = 60 * MICROSECONDS_PER_MINUTE
MICROSECONDS_PER_DAY = 24 * MICROSECONDS_PER_HOUR
# utc_offsets_us converts at most this many minutes (about 19 years) once each.
MAX_OFFSET_MINUTES = 10_000_000
# What a person writes or passes on themselves: their "posts" for posting frequency.
POSTING_TYPES = ("comment", "share", "message")
PURCHASE = "purchase"


@dataclass(frozen=True)
class EventColumns:
    """Events as parallel arrays. Categorical columns are codes into the name tuple beside them."""

    profile: np.ndarray  # dense index (0..n-1) of the canonical profile
    occurred_us: np.ndarray  # int64 microseconds since 1970-01-01 UTC
    amount: np.ndarray  # float64, 0 where the event has none
    event_type: np.ndarray
    event_types: tuple[str, ...]
    platform: np.ndarray
    platforms: tuple[str, ...]
    content_format: np.ndarray
    content_formats: tuple[str, ...]  # may include "" for events without a format
    campaign: np.ndarray  # int codes, -1 where the event carries no campaign code


@dataclass(frozen=True)
class EventAggregates:
    frame: pd.DataFrame  # one row per profile, index 0..n-1
    platform_engagement: pd.DataFrame  # weighted engagement, one column per platform
    format_counts: pd.DataFrame  # events, one column per (non-empty) content format
    type_counts: np.ndarray  # (n, event types)
    hours: np.ndarray  # (n, 24) events per local hour of day
    weekdays: np.ndarray  # (n, 7) events per local weekday, 0 is Monday


def histogram_per_profile(
    profile: np.ndarray, codes: np.ndarray, profile_count: int, width: int
) -> np.ndarray:
    """(profile_count, width) counts of each code per profile."""
    flat = np.bincount(profile * width + codes, minlength=profile_count * width)
    return flat.reshape(profile_count, width)


def local_hours_and_weekdays(occurred_us: np.ndarray, time_zone: str) -> tuple[np.ndarray, np.ndarray]:
    """Hour of day (0-23) and weekday (0 is Monday) of each instant in `time_zone`."""
    local_us = occurred_us if time_zone == "UTC" else occurred_us + utc_offsets_us(occurred_us, time_zone)
    hours = (local_us // MICROSECONDS_PER_HOUR) % 24
    weekdays = (local_us // MICROSECONDS_PER_DAY + 3) % 7  # 1970-01-01 was a Thursday
    return hours, weekdays


def utc_offsets_us(instants_us: np.ndarray, time_zone: str) -> np.ndarray:
    """The offset from UTC of `time_zone` at each instant, in microseconds.

    Converting ten million instants one by one took pandas two seconds. Offsets change only at
    transitions, which fall on whole minutes: the zone is converted once per minute of the span the
    instants cover, and each instant takes its minute's offset. Very long spans are converted whole."""
    if instants_us.size == 0:
        return np.zeros(0, dtype=np.int64)
    first = int(instants_us.min()) // MICROSECONDS_PER_MINUTE
    minutes = int(instants_us.max()) // MICROSECONDS_PER_MINUTE - first + 1
    if minutes > MAX_OFFSET_MINUTES:
        return _offsets_of(instants_us, time_zone)
    starts = (first + np.arange(minutes, dtype=np.int64)) * MICROSECONDS_PER_MINUTE
    return _offsets_of(starts, time_zone)[instants_us // MICROSECONDS_PER_MINUTE - first]


def _offsets_of(instants_us: np.ndarray, time_zone: str) -> np.ndarray:
    utc = pd.DatetimeIndex(pd.to_datetime(instants_us, unit="us", utc=True))
    wall_clock = utc.tz_convert(time_zone).tz_localize(None).as_unit("us").asi8
    return wall_clock - instants_us


def decayed_counts(
    profile: np.ndarray, age_days: np.ndarray, profile_count: int, half_life_days: float
) -> np.ndarray:
    """Σ 0.5^(age / half-life) per profile: an event today counts 1, one a half-life ago 0.5."""
    weights = np.exp2(-np.clip(age_days, 0, None) / half_life_days)
    return np.bincount(profile, weights=weights, minlength=profile_count)


def aggregate_events(
    events: EventColumns,
    *,
    profile_count: int,
    now_us: int,
    weights: dict[str, float],
    half_life_days: float,
    time_zone: str = "UTC",
) -> EventAggregates:
    profile, count, occurred = events.profile, profile_count, events.occurred_us
    type_weight = np.array([float(weights.get(name, 0.0)) for name in events.event_types] + [0.0])
    event_weight = type_weight[events.event_type]
    age_days = (now_us - occurred) / MICROSECONDS_PER_DAY
    purchase = events.event_type == _code(events.event_types, PURCHASE)
    posting = np.isin(events.event_type, [_code(events.event_types, name) for name in POSTING_TYPES])
    bought_by, bought_at = profile[purchase], occurred[purchase]

    def clock() -> tuple[np.ndarray, np.ndarray]:
        hours, weekdays = local_hours_and_weekdays(occurred, time_zone)
        return histogram_per_profile(profile, hours, count, 24), histogram_per_profile(
            profile, weekdays, count, 7
        )

    work = {
        "events_total": lambda: np.bincount(profile, minlength=count),
        "events_30d": lambda: np.bincount(profile[age_days <= 30], minlength=count),
        "frequency": lambda: np.bincount(bought_by, minlength=count),
        "monetary": lambda: np.bincount(bought_by, weights=events.amount[purchase], minlength=count),
        "weighted_engagement": lambda: np.bincount(profile, weights=event_weight, minlength=count),
        "decayed_activity": lambda: decayed_counts(profile, age_days, count, half_life_days),
        "posts": lambda: np.bincount(profile[posting], minlength=count),
        "recency_days": lambda: _days_ago(_extreme(np.maximum, bought_by, bought_at, count), now_us),
        "first_purchase_days_ago": lambda: _days_ago(
            _extreme(np.minimum, bought_by, bought_at, count), now_us
        ),
        "first_event_days_ago": lambda: _days_ago(_extreme(np.minimum, profile, occurred, count), now_us),
        "last_event_days_ago": lambda: _days_ago(_extreme(np.maximum, profile, occurred, count), now_us),
        "response_latency_hours": lambda: campaign_latency_hours(events, count),
        "platforms": lambda: histogram_weighted(
            profile, events.platform, event_weight, count, len(events.platforms)
        ),
        "formats": lambda: histogram_per_profile(
            profile, events.content_format, count, len(events.content_formats)
        ),
        "types": lambda: histogram_per_profile(profile, events.event_type, count, len(events.event_types)),
        "clock": clock,
    }
    # numpy lets go of the GIL inside bincount and its ufuncs: threads use every core.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        futures = {name: pool.submit(task) for name, task in work.items()}
        done = {name: future.result() for name, future in futures.items()}
    hours, weekdays = done.pop("clock")
    platforms, formats, types = done.pop("platforms"), done.pop("formats"), done.pop("types")
    return EventAggregates(
        frame=pd.DataFrame(done),
        platform_engagement=pd.DataFrame(platforms, columns=list(events.platforms)),
        format_counts=pd.DataFrame(formats, columns=list(events.content_formats)).drop(
            columns="", errors="ignore"
        ),
        type_counts=types,
        hours=hours,
        weekdays=weekdays,
    )


def histogram_weighted(
    profile: np.ndarray, codes: np.ndarray, weights: np.ndarray, profile_count: int, width: int
) -> np.ndarray:
    flat = np.bincount(profile * width + codes, weights=weights, minlength=profile_count * width)
    return flat.reshape(profile_count, width)


def campaign_latency_hours(events: EventColumns, profile_count: int) -> np.ndarray:
    """Mean hours from a campaign's first tracked event to each of the person's events on it: how
    quickly someone answers a campaign. NaN for people who never engaged with one."""
    tagged = events.campaign >= 0
    campaign = events.campaign[tagged]
    occurred = events.occurred_us[tagged]
    if campaign.size == 0:
        return np.full(profile_count, np.nan)
    started = np.full(campaign.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(started, campaign, occurred)
    latency_hours = (occurred - started[campaign]) / MICROSECONDS_PER_HOUR
    owners = events.profile[tagged]
    engaged = np.bincount(owners, minlength=profile_count)
    total = np.bincount(owners, weights=latency_hours, minlength=profile_count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(engaged > 0, total / engaged, np.nan)


def _code(names: tuple[str, ...], name: str) -> int:
    # A name absent from the data gets a code no event has.
    return names.index(name) if name in names else len(names)


def _extreme(ufunc: np.ufunc, profile: np.ndarray, values: np.ndarray, profile_count: int) -> np.ndarray:
    """Per-profile max or min of int64 values, as floats; NaN where a profile has no value."""
    sentinel = np.iinfo(np.int64).min if ufunc is np.maximum else np.iinfo(np.int64).max
    result = np.full(profile_count, sentinel, dtype=np.int64)
    ufunc.at(result, profile, values)
    return np.where(result == sentinel, np.nan, result.astype(np.float64))


def _days_ago(instants_us: np.ndarray, now_us: int) -> np.ndarray:
    return (now_us - instants_us) / MICROSECONDS_PER_DAY
