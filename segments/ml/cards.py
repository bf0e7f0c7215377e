"""Segment profile cards: the facts that describe a segment against the whole population, JSON-ready
for SegmentVersion.card, with a suggested name built from them (card_names).

Frames hold ProfileFeatures columns (any subset: facts whose columns are missing are left out).
Means are over the profiles with a value; a standardised difference is (segment mean - population
mean) / population standard deviation, the population including the segment. Channel mix is the mean
share per platform over profiles with any engagement; sentiment uses VADER's usual cut-offs (above
0.05 positive, below -0.05 negative).

    cards = segment_cards(frame, result.labels, blocked_terms=terms)   # every segment, population once
    card = segment_card(members, population, blocked_terms=terms)      # one segment
"""

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from segments.ml.card_names import suggested_name
from segments.ml.clustering_features import share_columns
from segments.ml.feature_words import difference_words, feature_noun

CARD_FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "clv_estimate",
    "events_total",
    "events_30d",
    "engagement_rate",
    "decayed_activity",
    "posting_per_week",
    "response_latency_hours",
    "sentiment",
)
SMALL_DIFFERENCE = 0.2  # below this many standard deviations a difference does not distinguish
TOP_DISTINGUISHING = 5
TOP_LISTED = 5
SENTIMENT_CUTOFF = 0.05


def segment_card(members: pd.DataFrame, population: pd.DataFrame, *, blocked_terms: Iterable[str]) -> dict:
    return _card(members, _Population(population), list(blocked_terms))


def segment_cards(
    frame: pd.DataFrame, labels: np.ndarray, *, blocked_terms: Iterable[str]
) -> dict[int, dict]:
    """A card per label (outliers, -1, have none), the population being the whole frame."""
    population = _Population(frame)
    terms = list(blocked_terms)
    return {
        int(label): _card(frame[labels == label], population, terms)
        for label in np.unique(labels[labels >= 0])
    }


class _Population:
    """What every card of one run compares against, computed once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.features = [column for column in CARD_FEATURES if column in frame.columns]
        numbers = frame[self.features].apply(pd.to_numeric, errors="coerce")
        self.means = numbers.mean()
        self.stds = numbers.std(ddof=0)
        self.channels = _channel_shares(frame)
        self.channel_stds = self.channels.std(ddof=0)
        self.channel_means = _active_mean(self.channels)
        self.size = len(frame)
        self.monetary_total = float(frame["monetary"].sum()) if "monetary" in frame.columns else 0.0
        self.interests = _topic_shares(frame, "interests")
        self.hashtags = _topic_shares(frame, "hashtags")
        self.rfm = _mix(frame.get("rfm_group"))


def _card(members: pd.DataFrame, population: _Population, blocked_terms: list[str]) -> dict[str, Any]:
    size = len(members)
    numbers = members[population.features].apply(pd.to_numeric, errors="coerce")
    means = numbers.mean()
    channels = population.channels.loc[members.index]
    # Members without any engagement have no channel mix; a segment of only them has none at all.
    channel_means = (
        channels[channels.sum(axis=1) > 0].mean().dropna() if len(channels.columns) else pd.Series()
    )
    all_means = _with_channels(means, channel_means)
    population_means = _with_channels(population.means, population.channel_means)
    stds = _with_channels(population.stds, population.channel_stds)
    differences = ((all_means - population_means) / stds.where(stds > 0)).dropna()
    card: dict[str, Any] = {
        "size": size,
        "share": _round(size / max(population.size, 1)),
        "value": _value(members, population),
        "means": {
            feature: {"segment": _round(all_means[feature]), "population": _round(population_means[feature])}
            for feature in differences.index
        },
        "standardised_differences": {feature: _round(value) for feature, value in differences.items()},
        "distinguishing": _distinguishing(differences, all_means, population_means),
        "rfm_mix": {"segment": _mix(members.get("rfm_group")), "population": population.rfm},
        "channel_mix": {
            "segment": {platform: _round(share) for platform, share in channel_means.items()},
            "population": {platform: _round(share) for platform, share in population.channel_means.items()},
        },
        "peak_hours": _peaks(members.get("peak_hour"), "hour"),
        "peak_weekdays": _peaks(members.get("peak_weekday"), "weekday"),
        "sentiment": _sentiment(members.get("sentiment"), population.means.get("sentiment")),
        "top_interests": _top_topics(members, "interests", population.interests),
        "top_hashtags": _top_topics(members, "hashtags", population.hashtags),
    }
    card["suggested_name"], card["name_facts"] = suggested_name(card, blocked_terms)
    return card


def _with_channels(values: pd.Series, channels: pd.Series) -> pd.Series:
    """Feature values followed by channel shares named channel_mix.<platform>."""
    return pd.concat([values, channels.add_prefix("channel_mix.")]) if len(channels) else values


def _value(members: pd.DataFrame, population: _Population) -> dict[str, Any]:
    monetary = members["monetary"] if "monetary" in members.columns else pd.Series(dtype=float)
    clv = members["clv_estimate"] if "clv_estimate" in members.columns else pd.Series(dtype=float)
    buyers = members["frequency"] > 0 if "frequency" in members.columns else monetary > 0
    return {
        "monetary_mean": _round(monetary.mean()),
        "monetary_total": _round(monetary.sum()),
        "monetary_share": _round(monetary.sum() / population.monetary_total)
        if population.monetary_total
        else None,
        "clv_mean": _round(clv.mean()),
        "clv_total": _round(clv.sum()),
        "buyer_share": _round(buyers.mean()) if len(members) else 0.0,
        "population_monetary_mean": _round(population.means.get("monetary")),
        "population_clv_mean": _round(population.means.get("clv_estimate")),
    }


def _distinguishing(differences: pd.Series, means: pd.Series, population_means: pd.Series) -> list[dict]:
    ranked = differences[differences.abs() >= SMALL_DIFFERENCE]
    ranked = ranked.reindex(ranked.abs().sort_values(ascending=False, kind="stable").index)
    return [
        {
            "feature": feature,
            "label": feature_noun(feature),
            "std_difference": _round(value),
            "direction": "higher" if value > 0 else "lower",
            "segment_mean": _round(means[feature]),
            "population_mean": _round(population_means[feature]),
            "words": difference_words(feature, float(means[feature]), float(population_means[feature])),
        }
        for feature, value in ranked.head(TOP_DISTINGUISHING).items()
    ]


def _channel_shares(frame: pd.DataFrame) -> pd.DataFrame:
    has_channels = "channel_mix" in frame.columns or any(c.startswith("channel_mix.") for c in frame.columns)
    if not has_channels:
        return pd.DataFrame(index=frame.index)
    shares = share_columns(frame, "channel_mix", None)
    return pd.DataFrame({key.partition(".")[2]: values for key, values in shares.items()}, index=frame.index)


def _active_mean(channels: pd.DataFrame) -> pd.Series:
    if not len(channels.columns):
        return pd.Series(dtype=float)
    return channels[channels.sum(axis=1) > 0].mean()


def _mix(values: pd.Series | None) -> dict[str, float]:
    if values is None:
        return {}
    present = values[values.fillna("").astype(str) != ""]
    return {str(group): _round(share) for group, share in present.value_counts(normalize=True).items()}


def _peaks(values: pd.Series | None, name: str) -> list[dict]:
    if values is None:
        return []
    shares = pd.to_numeric(values, errors="coerce").dropna().astype(int).value_counts(normalize=True)
    ranked = sorted(shares.items(), key=lambda pair: (-pair[1], pair[0]))[:3]
    return [{name: int(position), "share": _round(share)} for position, share in ranked]


def _sentiment(values: pd.Series | None, population_mean: float | None) -> dict[str, Any]:
    if values is None:
        return {}
    scores = pd.to_numeric(values, errors="coerce").dropna()
    return {
        "mean": _round(scores.mean()) if len(scores) else None,
        "positive_share": _round((scores > SENTIMENT_CUTOFF).mean()) if len(scores) else None,
        "negative_share": _round((scores < -SENTIMENT_CUTOFF).mean()) if len(scores) else None,
        "profiles_with_comments": len(scores),
        "population_mean": _round(population_mean),
    }


def _topic_shares(frame: pd.DataFrame, column: str) -> pd.Series:
    """Share of profiles whose list holds each topic; from 0/1 columns `<column>.<topic>` when the
    selector expanded the lists in SQL (as clustering_features accepts them too)."""
    if column not in frame.columns:
        prefix = f"{column}."
        flags = [name for name in frame.columns if name.startswith(prefix)]
        if not flags or frame.empty:
            return pd.Series(dtype=float)
        shares = frame[flags].mean()
        shares.index = [name[len(prefix) :] for name in flags]
        return shares[shares > 0]
    values = frame[column]
    if values.empty:
        return pd.Series(dtype=float)
    lists = values.map(
        lambda value: list(dict.fromkeys(value)) if isinstance(value, list | tuple | np.ndarray) else []
    )
    return lists.explode().dropna().value_counts() / len(values)


def _top_topics(members: pd.DataFrame, column: str, population: pd.Series) -> list[dict]:
    shares = _topic_shares(members, column)
    ranked = sorted(shares.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_LISTED]
    return [
        {
            "topic": str(topic),
            "share": _round(share),
            "lift": _round(share / population[topic]) if population.get(topic, 0) > 0 else None,
        }
        for topic, share in ranked
    ]


def _round(value: Any, digits: int = 4) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)
