import numpy as np
import pandas as pd

from segments.ml.features import RFM_GROUPS, quintile_scores, rfm_groups, rfm_scores


def test_quintiles_of_ten_distinct_values_pair_up():
    scores = quintile_scores(pd.Series([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]))
    assert scores.tolist() == [5, 1, 5, 1, 4, 2, 4, 2, 3, 3]


def test_equal_values_share_the_lowest_score_among_them():
    # Six of ten customers bought once: nobody beats anyone among them, so all score 1.
    scores = quintile_scores(pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 7]))
    assert scores.tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]


def test_missing_values_get_no_score():
    scores = quintile_scores(pd.Series([np.nan, 3.0, 1.0]))
    assert scores.isna().tolist() == [True, False, False]
    assert scores.dropna().tolist() == [3, 1]


def test_quintiles_follow_the_share_strictly_below_on_many_ties():
    rng = np.random.default_rng(2)
    values = pd.Series(rng.integers(0, 40, 5000).astype(np.float64), index=rng.permutation(5000) + 100)
    values[values % 7 == 0] = np.nan
    present = values.dropna()
    below = (present.rank(method="min") - 1) / len(present)
    expected = np.minimum(1 + np.floor(5 * below), 5).astype(int)
    scores = quintile_scores(values)
    assert scores.dtype == "Int16" and scores.index.equals(values.index)
    assert scores.isna().equals(values.isna())
    assert scores.dropna().astype(int).equals(expected)


def test_rfm_scores_rank_recent_buyers_high_and_skip_non_buyers():
    frame = pd.DataFrame(
        {
            "recency_days": [5.0, 200.0, 40.0, np.nan],
            "frequency": [3, 1, 2, 0],
            "monetary": [60.0, 100.0, 20.0, 0.0],
        }
    )
    scores = rfm_scores(frame)
    # Three customers: share below is 0, 1/3 or 2/3, so scores 1, 2 or 4.
    assert scores["r_score"].tolist()[:3] == [4, 1, 2]
    assert scores["f_score"].tolist()[:3] == [4, 1, 2]
    assert scores["m_score"].tolist()[:3] == [2, 4, 1]
    assert scores.iloc[3].isna().all()


def test_named_groups_follow_the_recency_and_frequency_grid():
    r = pd.Series([5, 5, 4, 3, 5, 2, 1, 2, 3, 1, pd.NA], dtype="Int16")
    f = pd.Series([5, 1, 4, 2, 3, 3, 5, 2, 1, 1, 3], dtype="Int16")
    assert rfm_groups(r, f).tolist() == [
        "Champions",
        "New",
        "Loyal",
        "Potential",
        "Potential",
        "At risk",
        "Cannot lose",
        "Hibernating",
        "Hibernating",
        "Lost",
        "",
    ]


def test_every_cell_of_the_grid_is_a_known_group():
    r = pd.Series(np.repeat(np.arange(1, 6), 5), dtype="Int16")
    f = pd.Series(np.tile(np.arange(1, 6), 5), dtype="Int16")
    assert set(rfm_groups(r, f)) == set(RFM_GROUPS)
