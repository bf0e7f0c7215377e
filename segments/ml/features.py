"""Profile-level features from per-profile aggregates: RFM scores and groups, engagement normalised
across platforms, posting frequency, peaks, format affinity and a customer lifetime value estimate.

Every function takes and returns whole columns; nothing loops over profiles in Python."""

import numpy as np
import pandas as pd

# A profile's measured features: money, counts, rates, durations, and the scores of mood and of being a
# bot. Each feature run checks their stability; clustering may use any of them as a number.
MEASURES = (
    "recency_days",
    "frequency",
    "monetary",
    "events_total",
    "events_30d",
    "weighted_engagement",
    "engagement_rate",
    "decayed_activity",
    "posting_per_week",
    "response_latency_hours",
    "clv_estimate",
    "sentiment",
    "bot_score",
)
RFM_GROUPS = ("Champions", "Loyal", "Potential", "New", "At risk", "Cannot lose", "Hibernating", "Lost")

# Rows: recency score 5 (bought lately) down to 1. Columns: frequency score 1 to 5.
_RFM_GRID = np.array(
    [
        ["New", "Potential", "Potential", "Champions", "Champions"],
        ["New", "Potential", "Potential", "Loyal", "Loyal"],
        ["Hibernating", "Potential", "Potential", "Loyal", "Loyal"],
        ["Lost", "Hibernating", "At risk", "At risk", "Cannot lose"],
        ["Lost", "Lost", "At risk", "Cannot lose", "Cannot lose"],
    ],
    dtype=object,
)
CLV_HORIZON_YEARS = 3.0
DAYS_PER_YEAR = 365.25


def quintile_scores(values: pd.Series) -> pd.Series:
    """1-5 from the share of values strictly below each one: 1 + floor(5 x share below).

    Equal values get equal scores (ranking by order of appearance would split equal customers at
    random), so a value many share, like a single purchase, scores as low as the lowest of them."""
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(numbers)
    present = numbers[~missing]
    order = np.argsort(present)
    ordered = present[order]
    # In sorted order, the values below one are those before the first of its equals.
    first_of_equals = np.r_[True, ordered[1:] != ordered[:-1]] if ordered.size else np.zeros(0, dtype=bool)
    below = np.empty(present.size)
    below[order] = np.maximum.accumulate(np.where(first_of_equals, np.arange(present.size), 0))
    scores = np.zeros(numbers.size, dtype=np.int16)
    scores[~missing] = np.minimum(1 + np.floor(5 * below / max(present.size, 1)), 5)
    return pd.Series(pd.arrays.IntegerArray(scores, missing), index=values.index)


def rfm_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """r_score, f_score and m_score from `recency_days`, `frequency` and `monetary`.

    Only customers (frequency > 0) are scored, against each other; a lower recency scores higher."""
    customers = frame["frequency"] > 0
    return pd.DataFrame(
        {
            "r_score": quintile_scores(-frame["recency_days"].where(customers)),
            "f_score": quintile_scores(frame["frequency"].where(customers)),
            "m_score": quintile_scores(frame["monetary"].where(customers)),
        },
        index=frame.index,
    )


def rfm_groups(r_score: pd.Series, f_score: pd.Series) -> pd.Series:
    """The named group of each (recency, frequency) score pair; "" where a score is missing."""
    scored = (r_score.notna() & f_score.notna()).to_numpy()
    groups = np.full(len(r_score), "", dtype=object)
    rows = 5 - r_score.to_numpy(dtype=np.float64)[scored].astype(np.int64)
    columns = f_score.to_numpy(dtype=np.float64)[scored].astype(np.int64) - 1
    groups[scored] = _RFM_GRID[rows, columns]
    return pd.Series(groups, index=r_score.index)


def engagement_rates(platform_engagement: pd.DataFrame, reference: pd.Series | None = None) -> pd.Series:
    """Weighted engagement in units of each platform's average: Σ_p engagement_p / mean_p, where
    mean_p is over the people active on p (among `reference` rows, when given). A like where
    everyone likes a lot counts less than one where people rarely engage, so people compare across
    platforms: 1.0 is an average person on one platform."""
    values = platform_engagement.to_numpy(dtype=np.float64)
    counted = values if reference is None else values[reference.to_numpy()]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = counted.sum(axis=0) / (counted > 0).sum(axis=0)
        normalised = np.where(values > 0, values / means, 0.0)
    return pd.Series(np.nan_to_num(normalised).sum(axis=1), index=platform_engagement.index)


def row_shares(matrix: pd.DataFrame) -> pd.DataFrame:
    """Each row divided by its total; rows that total 0 stay 0."""
    totals = matrix.sum(axis=1).to_numpy()[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, matrix.to_numpy(dtype=np.float64) / totals, 0.0)
    return pd.DataFrame(shares, index=matrix.index, columns=matrix.columns)


def top_labels(counts: pd.DataFrame) -> pd.Series:
    """The column with the most counts per row (the first on ties); "" where the row is empty."""
    if counts.shape[1] == 0:
        return pd.Series("", index=counts.index, dtype=object)
    values = counts.to_numpy()
    labels = np.array(counts.columns, dtype=object)[values.argmax(axis=1)]
    return pd.Series(np.where(values.sum(axis=1) > 0, labels, ""), index=counts.index)


def peak_positions(histogram: np.ndarray) -> pd.Series:
    """Position of each row's maximum (the earliest on ties), missing where the row is empty:
    the hour of day or weekday a person is most active."""
    peaks = pd.Series(histogram.argmax(axis=1), dtype="Int16")
    return peaks.mask(histogram.sum(axis=1) == 0)


def posting_per_week(posts: pd.Series, first_event_days_ago: pd.Series) -> pd.Series:
    """Posts (comments, shares, messages) per week since the person's first event, at least a week."""
    weeks = np.maximum(first_event_days_ago.fillna(0).to_numpy() / 7, 1.0)
    return pd.Series(posts.to_numpy() / weeks, index=posts.index)


def clv_estimates(frame: pd.DataFrame, horizon_years: float = CLV_HORIZON_YEARS) -> pd.Series:
    """Customer lifetime value: the person's yearly spend since their first purchase, projected over
    `horizon_years` and discounted by the chance they are still a customer, e^(-recency / 1 year).

    Reads `monetary`, `frequency`, `recency_days` and `first_purchase_days_ago`; 0 for non-buyers."""
    tenure_years = np.maximum(frame["first_purchase_days_ago"].fillna(0).to_numpy(), 30) / DAYS_PER_YEAR
    yearly_spend = frame["monetary"].to_numpy(dtype=np.float64) / tenure_years
    still_customer = np.exp(-frame["recency_days"].fillna(np.inf).to_numpy() / DAYS_PER_YEAR)
    value = np.where(frame["frequency"].to_numpy() > 0, yearly_spend * horizon_years * still_customer, 0.0)
    return pd.Series(value, index=frame.index)
