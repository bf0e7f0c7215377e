"""All per-profile features from the event stream and the texts, as one frame: the pure core of the
feature job (the service only reads, and writes the result)."""

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segments.ml.bots import MIN_EVENTS_FOR_TIMING, bot_scores, timing_regularity, volume_signal
from segments.ml.event_aggregates import EventColumns, aggregate_events
from segments.ml.features import (
    MEASURES,
    clv_estimates,
    engagement_rates,
    peak_positions,
    posting_per_week,
    rfm_groups,
    rfm_scores,
    row_shares,
    top_labels,
)
from segments.ml.text import mean_per_profile, profile_interests, sentiment_scores

# Numeric features whose distribution each run compares with the previous run's (PSI): every measure.
STABILITY_FEATURES = MEASURES


@dataclass(frozen=True)
class FeatureConfig:
    engagement_weights: dict[str, float]
    half_life_days: float
    bot_threshold: float
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Texts:
    """Comments and messages: the dense profile index of each, and its text."""

    profile: np.ndarray
    text: pd.Series
    taxonomy: Mapping[str, Iterable[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileFeatureSet:
    """Every feature of every profile (row i is dense profile i)."""

    frame: pd.DataFrame  # the scalar features
    channel_mix: pd.DataFrame  # share of weighted engagement per platform, one column each
    format_affinity: pd.DataFrame  # share of events per content format, one column each
    interests: pd.DataFrame  # (profile, topic, hits), each profile's topics in order, by profile


def profile_features(
    events: EventColumns, texts: Texts, *, profile_count: int, now_us: int, config: FeatureConfig
) -> ProfileFeatureSet:
    # The texts' features need no event, and the shares and peaks only the aggregates: threads work
    # them out while the main line goes on (numpy lets go of the GIL; VADER takes turns with it).
    with ThreadPoolExecutor(max_workers=4) as pool:  # the texts' two never hold up the rest
        sentiment = pool.submit(_sentiment, texts, profile_count)
        interests = pool.submit(profile_interests, texts.profile, texts.text, texts.taxonomy)
        aggregates = aggregate_events(
            events,
            profile_count=profile_count,
            now_us=now_us,
            weights=config.engagement_weights,
            half_life_days=config.half_life_days,
            time_zone=config.time_zone,
        )
        channel_mix = pool.submit(row_shares, aggregates.platform_engagement)
        format_affinity = pool.submit(row_shares, aggregates.format_counts)
        peak_hour = pool.submit(peak_positions, aggregates.hours)
        peak_weekday = pool.submit(peak_positions, aggregates.weekdays)
        frame = aggregates.frame
        bots = _bot_scores(events, aggregates.frame, aggregates.type_counts, aggregates.hours, profile_count)
        frame["bot_score"] = bots.round(4)
        frame["is_bot"] = bots >= config.bot_threshold
        # Bots are left out of everyone else's yardsticks: RFM quintiles and platform averages.
        people = ~frame["is_bot"]
        frame = frame.join(rfm_scores(frame.assign(frequency=frame["frequency"].where(people, 0))))
        frame["rfm_group"] = rfm_groups(frame["r_score"], frame["f_score"])
        frame["engagement_rate"] = engagement_rates(aggregates.platform_engagement, reference=people)
        frame["top_format"] = top_labels(aggregates.format_counts)
        frame["peak_hour"] = peak_hour.result()
        frame["peak_weekday"] = peak_weekday.result()
        frame["posting_per_week"] = posting_per_week(frame["posts"], frame["first_event_days_ago"])
        frame["clv_estimate"] = clv_estimates(frame)
        frame["monetary"] = frame["monetary"].round(2)
        frame["sentiment"] = sentiment.result()
        return ProfileFeatureSet(
            frame=frame,
            channel_mix=channel_mix.result(),
            format_affinity=format_affinity.result(),
            interests=interests.result(),
        )


def _bot_scores(
    events: EventColumns, frame: pd.DataFrame, type_counts: np.ndarray, hours: np.ndarray, profile_count: int
) -> pd.Series:
    span_days = (frame["first_event_days_ago"] - frame["last_event_days_ago"]).to_numpy()
    totals = frame["events_total"].to_numpy()
    # Timing needs a sort of each person's events: only for those busy enough to be suspects.
    suspects = (volume_signal(totals, span_days) > 0) & (totals >= MIN_EVENTS_FOR_TIMING)
    regularity = np.full(profile_count, np.nan)
    if suspects.any():
        theirs = suspects[events.profile]
        regularity = timing_regularity(events.profile[theirs], events.occurred_us[theirs], profile_count)
    scores = bot_scores(
        events_total=totals, span_days=span_days, type_counts=type_counts, hours=hours, regularity=regularity
    )
    return scores["bot_score"]


def _sentiment(texts: Texts, profile_count: int) -> np.ndarray:
    if texts.text.empty:
        return np.full(profile_count, np.nan)
    scores = sentiment_scores(texts.text).to_numpy()
    return np.round(mean_per_profile(texts.profile, scores, profile_count), 4)
