import numpy as np
import pytest

from segments.ml.bots import bot_scores, normalised_entropy, timing_regularity, volume_signal
from segments.ml.stability import (
    bin_shares,
    decile_edges,
    distribution_summary,
    population_stability_index,
    psi_against_summary,
)

SECOND = 1_000_000
DAY = 86_400 * SECOND


def _human_and_script():
    """A person: 30 events over 60 days at irregular times, several kinds. A script: 600 likes
    exactly ten minutes apart, around the clock."""
    rng = np.random.default_rng(3)
    human_times = np.sort(rng.integers(0, 60 * DAY, 30))
    script_times = np.arange(600) * 600 * SECOND
    profile = np.concatenate([np.zeros(30, dtype=np.int64), np.ones(600, dtype=np.int64)])
    occurred = np.concatenate([human_times, script_times])
    human_types = np.bincount(rng.integers(0, 5, 30), minlength=12)
    script_types = np.zeros(12, dtype=np.int64)
    script_types[1] = 600
    human_hours = np.bincount(((human_times // (3600 * SECOND)) % 6) + 9, minlength=24)  # daytime only
    script_hours = np.bincount((script_times // (3600 * SECOND)) % 24, minlength=24)
    return profile, occurred, np.vstack([human_types, script_types]), np.vstack([human_hours, script_hours])


def test_clockwork_timing_scores_one_and_bursty_timing_low():
    profile, occurred, _, _ = _human_and_script()
    regularity = timing_regularity(profile, occurred, 3)
    assert regularity[1] == pytest.approx(1.0)
    assert regularity[0] < 0.3
    assert np.isnan(regularity[2])  # no events: unknown


def test_volume_is_zero_for_people_and_one_for_machines():
    assert volume_signal(np.array([30, 600, 1]), np.array([60.0, 4.2, 0.0])).tolist() == pytest.approx(
        [0.0, 1.0, 0.0]
    )


def test_entropy_is_zero_for_one_kind_and_one_for_an_even_spread():
    assert normalised_entropy(np.array([[5, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]])).tolist() == pytest.approx(
        [0.0, 1.0, 0.0]
    )


def test_entropy_from_the_lookup_and_from_logarithms_agree_with_the_definition():
    small = np.array([[3, 1, 0, 4], [7, 7, 0, 0]])
    huge = small * 100_000  # beyond the lookup table: logarithms per cell
    for counts in (small, huge):
        shares = counts / counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = -np.nansum(shares * np.log(shares), axis=1) / np.log(4)
        assert normalised_entropy(counts).tolist() == pytest.approx(expected.tolist())
    assert normalised_entropy(huge).tolist() == pytest.approx(normalised_entropy(small).tolist())


def test_the_bot_score_separates_a_regular_high_volume_account_from_a_person():
    profile, occurred, types, hours = _human_and_script()
    span = np.array([(occurred[:30].max() - occurred[:30].min()) / DAY, (occurred[30:].max() / DAY)])
    scores = bot_scores(
        events_total=np.array([30, 600]),
        span_days=span,
        type_counts=types,
        hours=hours,
        regularity=timing_regularity(profile, occurred, 2),
    )
    human, script = scores["bot_score"].tolist()
    assert script >= 0.95
    assert human < 0.3


def test_psi_of_identical_distributions_is_zero():
    values = np.random.default_rng(1).normal(size=5000)
    assert population_stability_index(values, values.copy()) == pytest.approx(0.0)


def test_psi_of_a_shifted_distribution_is_large():
    rng = np.random.default_rng(1)
    expected = rng.normal(size=5000)
    assert population_stability_index(expected, expected + 0.05) < 0.1
    assert population_stability_index(expected, expected + 1.0) > 0.25


def test_psi_by_hand_on_two_bins():
    # Edges at the median 0.5: expected shares 1/2 and 1/2; actual 1/4 and 3/4.
    expected = np.array([0.0, 0.0, 1.0, 1.0])
    actual = np.array([0.0, 1.0, 1.0, 1.0])
    by_hand = (0.25 - 0.5) * np.log(0.25 / 0.5) + (0.75 - 0.5) * np.log(0.75 / 0.5)
    assert population_stability_index(expected, actual, bins=2) == pytest.approx(by_hand)


def test_missing_values_are_a_bin_of_their_own():
    expected = np.array([1.0, 2.0, np.nan, np.nan])
    summary = distribution_summary(expected)
    assert summary["shares"][-1] == 0.5
    assert psi_against_summary(summary, expected) == pytest.approx(0.0)
    assert psi_against_summary(summary, np.array([1.0, 2.0, 3.0, 4.0])) > 0.25


def test_bin_shares_follow_the_definition_with_ties_edges_and_missing_values():
    """Each value falls in the bin after the last edge at or below it; missing values last."""
    rng = np.random.default_rng(5)
    values = rng.integers(0, 6, 2000).astype(np.float64)
    values[rng.random(2000) < 0.1] = np.nan
    values[:3] = [np.inf, -np.inf, 2.0]
    edges = np.array([1.0, 2.0, 2.5, 4.0])
    present = values[~np.isnan(values)]
    per_value = np.array([np.sum(edges <= value) for value in present])
    expected = np.append(np.bincount(per_value, minlength=len(edges) + 1), np.isnan(values).sum()) / 2000
    np.testing.assert_array_equal(bin_shares(values, edges), expected)
    np.testing.assert_array_equal(
        bin_shares(values, np.array([])), [len(present) / 2000, (2000 - len(present)) / 2000]
    )


def test_decile_edges_are_the_distinct_quantiles_of_the_present_values():
    values = np.array([5.0, np.nan, 1.0, 3.0, 3.0, 3.0, 2.0, np.nan, 4.0])
    present = values[~np.isnan(values)]
    np.testing.assert_array_equal(
        decile_edges(values), np.unique(np.quantile(present, np.arange(1, 10) / 10))
    )
    assert decile_edges(np.array([np.nan])).size == 0
