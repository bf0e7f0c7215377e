import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from segments.ml.cluster_stability import ari_against_previous, bootstrap_ari, match_clusters


def _kmeans(k: int):
    def refit(rows: np.ndarray, seed: int) -> np.ndarray:
        return KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(rows)

    return refit


def _stability(points: np.ndarray, k: int) -> dict:
    labels = _kmeans(k)(points, 0)
    return bootstrap_ari(points, labels, _kmeans(k), resamples=8, sample_size=1_000, random_state=0)


def test_bootstrap_ari_is_high_on_well_separated_groups_and_low_on_uniform_noise():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, (4, 8))
    separated = np.vstack([centre + rng.normal(0, 1, (300, 8)) for centre in centres])
    noise = rng.random((1_200, 8))

    stable = _stability(separated, 4)
    unstable = _stability(noise, 4)
    assert stable["bootstrap_ari"] > 0.95 and stable["bootstrap_ari_min"] > 0.9
    assert unstable["bootstrap_ari"] < 0.5
    assert stable["resamples"] == len(stable["bootstrap_ari_values"]) == 8
    assert stable["sample"] == 1_000


def test_ari_against_the_previous_run_counts_only_profiles_in_both():
    previous = pd.Series([0, 0, 1, 1, 2, 2] * 10, index=range(60))
    renamed = previous.map({0: 7, 1: 3, 2: 5})  # the same grouping under other labels
    current = pd.concat([renamed.iloc[5:], pd.Series([1, 1], index=[100, 101])])
    result = ari_against_previous(previous, current)
    assert result == {"ari_previous": 1.0, "common_profiles": 55}
    assert ari_against_previous(previous.iloc[:10], current)["ari_previous"] is None


def test_hungarian_matching_maps_permuted_clusters_back_to_their_keys():
    previous = pd.DataFrame(
        {"monetary": [900.0, 300.0, 60.0, 0.0], "frequency": [20.0, 8.0, 2.0, 0.0]}, index=[3, 7, 8, 11]
    )
    # The same segments, slightly moved, numbered in another order.
    new = previous.iloc[[2, 0, 3, 1]].reset_index(drop=True) * 1.05
    match = match_clusters(previous, new)
    assert match.keys == {0: 8, 1: 3, 2: 11, 3: 7}
    assert match.new_keys == [] and match.retired_keys == []


def test_unmatched_clusters_get_keys_never_used_before_and_lost_ones_retire():
    previous = pd.DataFrame({"monetary": [900.0, 60.0], "frequency": [20.0, 2.0]}, index=[0, 1])
    new = pd.DataFrame({"monetary": [880.0, 400.0, 5000.0], "frequency": [19.0, 9.0, 90.0]})
    scale = pd.Series({"monetary": 300.0, "frequency": 6.0})
    match = match_clusters(previous, new, scale=scale, max_distance=1.0, used_keys=[0, 1, 2, 3])
    assert match.keys[0] == 0
    assert sorted(match.keys[label] for label in (1, 2)) == [4, 5] and match.new_keys == [4, 5]
    assert match.retired_keys == [1]


def test_matching_compares_only_the_columns_both_runs_have():
    previous = pd.DataFrame({"monetary": [10.0, 500.0], "interests.travel": [1.0, 0.0]}, index=[4, 5])
    new = pd.DataFrame({"monetary": [480.0, 12.0], "interests.food": [0.0, 1.0]})
    assert match_clusters(previous, new).keys == {0: 5, 1: 4}
