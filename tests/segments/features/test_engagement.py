import numpy as np
import pandas as pd
import pytest

from segments.ml import event_aggregates
from segments.ml.event_aggregates import (
    MICROSECONDS_PER_DAY,
    MICROSECONDS_PER_HOUR,
    EventColumns,
    aggregate_events,
    decayed_counts,
    local_hours_and_weekdays,
)
from segments.ml.features import (
    clv_estimates,
    engagement_rates,
    peak_positions,
    posting_per_week,
    row_shares,
    top_labels,
)

NOW = 1_780_000_000 * 1_000_000  # 2026-05-28 20:26:40 UTC, a Thursday
TYPES = ("like", "comment", "share", "purchase", "view")
PLATFORMS = ("instagram", "x", "shop")
FORMATS = ("", "video", "image")


def _events(rows):
    """rows: (profile, days ago, type, platform, format, amount, campaign)."""
    columns = list(zip(*rows, strict=True))
    return EventColumns(
        profile=np.array(columns[0]),
        occurred_us=NOW - (np.array(columns[1]) * MICROSECONDS_PER_DAY).astype(np.int64),
        amount=np.array(columns[5], dtype=float),
        event_type=np.array([TYPES.index(name) for name in columns[2]]),
        event_types=TYPES,
        platform=np.array([PLATFORMS.index(name) for name in columns[3]]),
        platforms=PLATFORMS,
        content_format=np.array([FORMATS.index(name) for name in columns[4]]),
        content_formats=FORMATS,
        campaign=np.array(columns[6]),
    )


def test_decay_halves_an_event_every_half_life():
    counts = decayed_counts(np.array([0, 0, 0, 1]), np.array([0.0, 30.0, 60.0, 90.0]), 2, half_life_days=30)
    assert counts == pytest.approx([1 + 0.5 + 0.25, 0.125])


def test_decay_treats_future_events_as_today():
    assert decayed_counts(np.array([0]), np.array([-3.0]), 1, half_life_days=7) == pytest.approx([1.0])


def test_aggregates_of_two_people():
    events = _events(
        [
            (0, 10, "purchase", "shop", "", 10.0, -1),
            (0, 40, "purchase", "shop", "", 30.0, -1),
            (0, 1, "like", "instagram", "video", 0.0, 0),
            (0, 2, "comment", "x", "image", 0.0, 0),
            (1, 100, "share", "instagram", "video", 0.0, 0),
        ]
    )
    weights = {"like": 1.0, "comment": 3.0, "share": 4.0, "purchase": 0.0}
    result = aggregate_events(events, profile_count=3, now_us=NOW, weights=weights, half_life_days=30)
    frame = result.frame
    assert frame["events_total"].tolist() == [4, 1, 0]
    assert frame["events_30d"].tolist() == [3, 0, 0]
    assert frame["frequency"].tolist() == [2, 0, 0]
    assert frame["monetary"].tolist() == [40.0, 0.0, 0.0]
    assert frame["recency_days"].iloc[0] == pytest.approx(10)
    assert frame["first_purchase_days_ago"].iloc[0] == pytest.approx(40)
    assert np.isnan(frame["recency_days"].iloc[1])
    assert frame["weighted_engagement"].tolist() == [4.0, 4.0, 0.0]
    assert frame["posts"].tolist() == [1, 1, 0]
    expected_decay = 0.5 ** (10 / 30) + 0.5 ** (40 / 30) + 0.5 ** (1 / 30) + 0.5 ** (2 / 30)
    assert frame["decayed_activity"].iloc[0] == pytest.approx(expected_decay)
    # Campaign 0 started 100 days ago with person 1's share: person 0 answered 99 and 98 days later.
    assert frame["response_latency_hours"].iloc[0] == pytest.approx(98.5 * 24)
    assert frame["response_latency_hours"].iloc[1] == pytest.approx(0)
    assert result.platform_engagement.loc[0].tolist() == [1.0, 3.0, 0.0]
    assert list(result.format_counts.columns) == ["video", "image"]
    assert result.format_counts.loc[0].tolist() == [1, 1]


def test_hours_and_weekdays_in_utc_and_in_a_time_zone():
    thursday_20h = np.array([NOW])
    hours, weekdays = local_hours_and_weekdays(thursday_20h, "UTC")
    assert (hours[0], weekdays[0]) == (20, 3)
    # 20:26 UTC in late May is 05:26 the next morning (a Friday) in Tokyo.
    hours, weekdays = local_hours_and_weekdays(thursday_20h, "Asia/Tokyo")
    assert (hours[0], weekdays[0]) == (5, 4)
    hours, _ = local_hours_and_weekdays(thursday_20h + 3 * MICROSECONDS_PER_HOUR, "UTC")
    assert hours[0] == 23


# Clock changes of an hour (London, New York) and of half an hour (Lord Howe); a half-hour offset (Kolkata).
TIME_ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@pytest.mark.parametrize("time_zone", TIME_ZONES)
@pytest.mark.parametrize("long_span", [False, True])
def test_offsets_per_minute_agree_with_converting_each_instant(time_zone, long_span, monkeypatch):
    if long_span:  # the span is converted whole
        monkeypatch.setattr(event_aggregates, "MAX_OFFSET_MINUTES", 10)
    # Every 7 minutes and 13 seconds through 2024, across both clock changes of each zone.
    start = pd.Timestamp("2024-01-01", tz="UTC").value // 1000
    instants = start + np.arange(0, 366 * MICROSECONDS_PER_DAY, 433_000_000, dtype=np.int64)
    local = pd.DatetimeIndex(pd.to_datetime(instants, unit="us", utc=True)).tz_convert(time_zone)
    hours, weekdays = local_hours_and_weekdays(instants, time_zone)
    assert np.array_equal(hours, local.hour.to_numpy(np.int64))
    assert np.array_equal(weekdays, local.dayofweek.to_numpy(np.int64))


def test_peaks_take_the_busiest_position_and_leave_empty_rows_missing():
    histogram = np.array([[0, 3, 1], [2, 0, 2], [0, 0, 0]])
    assert peak_positions(histogram).tolist() == [1, 0, pd.NA]


def test_engagement_is_normalised_by_each_platforms_average():
    engagement = pd.DataFrame({"instagram": [10.0, 30.0, 0.0], "x": [1.0, 0.0, 3.0]})
    # Instagram's average among its active people is 20, X's is 2.
    assert engagement_rates(engagement).tolist() == pytest.approx([0.5 + 0.5, 1.5, 1.5])


def test_a_reference_group_sets_the_averages():
    engagement = pd.DataFrame({"instagram": [10.0, 1000.0]})
    rates = engagement_rates(engagement, reference=pd.Series([True, False]))
    assert rates.tolist() == pytest.approx([1.0, 100.0])


def test_shares_and_top_labels():
    counts = pd.DataFrame({"video": [3, 0, 1], "image": [1, 0, 1]})
    assert row_shares(counts).to_numpy().tolist() == [[0.75, 0.25], [0.0, 0.0], [0.5, 0.5]]
    assert top_labels(counts).tolist() == ["video", "", "video"]


def test_posting_frequency_is_per_week_since_the_first_event_and_at_least_a_week():
    posts = pd.Series([14, 3, 0])
    first = pd.Series([70.0, 2.0, np.nan])
    assert posting_per_week(posts, first).tolist() == pytest.approx([1.4, 3.0, 0.0])


def test_lifetime_value_projects_yearly_spend_and_discounts_by_recency():
    frame = pd.DataFrame(
        {
            "monetary": [365.25, 100.0, 0.0],
            "frequency": [4, 1, 0],
            "recency_days": [0.0, 365.25, np.nan],
            "first_purchase_days_ago": [365.25, 365.25, np.nan],
        }
    )
    values = clv_estimates(frame, horizon_years=3)
    assert values.tolist() == pytest.approx([3 * 365.25, 3 * 100 * np.exp(-1), 0.0])
