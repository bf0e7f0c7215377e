"""Plain words for feature columns, so reasons and segment cards read as sentences, not column names.

Expanded columns are named `<column>.<key>` (channel_mix.instagram, interests.travel, rfm_group.Loyal,
peak_hour.sin); their words are built from the key."""

NOUNS = {
    "recency_days": "days since the last purchase",
    "frequency": "number of purchases",
    "monetary": "spend",
    "r_score": "recency score",
    "f_score": "frequency score",
    "m_score": "spend score",
    "events_total": "number of interactions",
    "events_30d": "interactions in the last 30 days",
    "weighted_engagement": "weighted engagement",
    "engagement_rate": "engagement rate",
    "decayed_activity": "recent activity",
    "posting_per_week": "posts per week",
    "response_latency_hours": "hours to reply",
    "clv_estimate": "estimated lifetime value",
    "sentiment": "sentiment of comments",
    "bot_score": "bot score",
}

TIMES = "\u00d7"  # the multiplication sign, as in "3.1x" typeset
# How a ratio to the population's mean reads, per feature: "{ratio}" is filled in as 3.1 and TIMES.
RATIO_PHRASES = {
    "frequency": "buys {ratio} as often as average",
    "monetary": "spends {ratio} as much as average",
    "clv_estimate": "is worth {ratio} the average lifetime value",
    "recency_days": "last bought {ratio} as long ago as average",
    "events_total": "interacts {ratio} as often as average",
    "events_30d": "interacted {ratio} as often as average in the last 30 days",
    "weighted_engagement": "engages {ratio} as much as average",
    "engagement_rate": "engages {ratio} as much as average for their platforms",
    "decayed_activity": "is {ratio} as active lately as average",
    "posting_per_week": "posts {ratio} as often as average",
    "response_latency_hours": "takes {ratio} as long to reply as average",
}

PLATFORM_NAMES = {
    "crm": "CRM",
    "shop": "Web shop",
    "instagram": "Instagram",
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "email": "Email",
    "web": "Website",
}


def platform_name(key: str) -> str:
    return PLATFORM_NAMES.get(key, key.replace("_", " ").title())


def feature_noun(column: str) -> str:
    """A noun phrase for a column: "spend", "Instagram share", "interest in travel"."""
    if column in NOUNS:
        return NOUNS[column]
    base, _, key = column.partition(".")
    if base == "channel_mix":
        return f"{platform_name(key)} share"
    if base == "format_affinity":
        return f"share of {key} content"
    if base == "interests":
        return f"interest in {key.replace('_', ' ')}"
    if base in ("rfm_group", "top_format"):
        return f"{key} ({base.replace('_', ' ')})"
    if base in ("peak_hour", "peak_weekday"):
        return f"{base.replace('_', ' ')} ({key})"
    return column.replace("_", " ")


def ratio_phrase(column: str, segment_mean: float, population_mean: float) -> str | None:
    """ "spends 2.4 times as much as average" (with TIMES), or None when the ratio says nothing (a mean
    at or below 0)."""
    if column not in RATIO_PHRASES or segment_mean <= 0 or population_mean <= 0:
        return None
    return RATIO_PHRASES[column].format(ratio=f"{segment_mean / population_mean:.1f}{TIMES}")


def difference_words(column: str, segment_mean: float, population_mean: float) -> str:
    """How a segment differs on a feature, in words: a ratio where one reads well, else both means."""
    if column == "recency_days":
        return f"last bought {segment_mean:.0f} days ago on average, against {population_mean:.0f} overall"
    phrase = ratio_phrase(column, segment_mean, population_mean)
    if phrase is not None:
        return phrase
    direction = "higher" if segment_mean > population_mean else "lower"
    return (
        f"{direction} {feature_noun(column)} than average ({segment_mean:.2f} against {population_mean:.2f})"
    )
