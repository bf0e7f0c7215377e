"""Is a clustering real or an accident of the sample, and which new cluster is which old segment?

bootstrap_ari         refit on bootstrap resamples of a base sample and compare each refit with the
                      run's own labels on the resampled profiles (adjusted Rand index: 1 the same
                      grouping, about 0 no better than chance). Well separated groups stay near 1;
                      k-means on structureless noise cuts it differently each time and scores low.
ari_against_previous  the index between this run and the previous one over the profiles in both.
match_clusters        Hungarian matching of centroids, so a segment keeps its cluster_key across runs.

(The feature drift index, PSI, is in segments.ml.stability.)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from segments.ml.cluster_metrics import sample_indices, single_threaded

# Fewer shared profiles than this and an index says more about chance than about the segments.
MIN_COMMON_PROFILES = 30


def bootstrap_ari(
    matrix: np.ndarray,
    labels: np.ndarray,
    refit: Callable[[np.ndarray, int], np.ndarray],
    *,
    resamples: int,
    sample_size: int,
    random_state: int,
) -> dict:
    """`refit(rows, seed)` clusters the given rows afresh and returns their labels. Each resample draws
    the base sample's rows with replacement; the comparison is over its distinct rows."""
    rng = np.random.default_rng(random_state)
    base = sample_indices(len(matrix), sample_size, rng)
    scores = []
    for seed in rng.integers(0, 2**31 - 1, size=resamples):
        drawn = rng.choice(base, size=len(base), replace=True)
        distinct, first = np.unique(drawn, return_index=True)
        with single_threaded():
            refitted = refit(matrix[drawn], int(seed))
        scores.append(adjusted_rand_score(labels[distinct], refitted[first]))
    if not scores:
        return {"bootstrap_ari": None, "resamples": 0, "sample": len(base)}
    return {
        "bootstrap_ari": round(float(np.mean(scores)), 4),
        "bootstrap_ari_min": round(float(np.min(scores)), 4),
        "bootstrap_ari_values": [round(float(score), 4) for score in scores],
        "resamples": resamples,
        "sample": len(base),
    }


def ari_against_previous(previous: pd.Series, current: pd.Series) -> dict:
    """Both series: profile id -> label (or cluster key; -1 for outliers). Profiles in only one run
    (new, erased, excluded) are left out; None when too few are shared to say."""
    common = previous.index.intersection(current.index)
    if len(common) < MIN_COMMON_PROFILES:
        return {"ari_previous": None, "common_profiles": len(common)}
    score = adjusted_rand_score(previous.loc[common].to_numpy(), current.loc[common].to_numpy())
    return {"ari_previous": round(float(score), 4), "common_profiles": len(common)}


@dataclass(frozen=True)
class ClusterMatch:
    keys: dict[int, int]  # new label -> cluster key (kept or new)
    new_keys: list[int]  # keys given to clusters that match no previous segment
    retired_keys: list[int]  # previous keys no new cluster took
    distances: dict[int, float]  # new label -> scaled centroid distance to its match


def match_clusters(
    previous_centroids: pd.DataFrame,
    new_centroids: pd.DataFrame,
    *,
    scale: pd.Series | None = None,
    max_distance: float | None = None,
    used_keys: Iterable[int] = (),
) -> ClusterMatch:
    """previous_centroids: index = cluster keys; new_centroids: index = new labels; columns are
    features in original units (only the columns both have are compared). Distances are Euclidean
    after dividing each column by `scale` (the population's standard deviation, from the run), by
    default the spread of all centroids together. The assignment minimising the total distance wins
    (Hungarian); a pair further apart than `max_distance` is no match. Unmatched clusters get keys
    above every key in `used_keys` and the previous run, so a retired key is never given again."""
    columns = previous_centroids.columns.intersection(new_centroids.columns)
    old = previous_centroids[columns].to_numpy(dtype=np.float64)
    new = new_centroids[columns].to_numpy(dtype=np.float64)
    if scale is None:
        spread = np.vstack([old, new]).std(axis=0)
    else:
        spread = scale.reindex(columns).fillna(0).to_numpy(dtype=np.float64)
    spread = np.where(spread > 0, spread, 1.0)
    cost = np.sqrt((((new[:, None, :] - old[None, :, :]) / spread) ** 2).sum(axis=2))
    keys: dict[int, int] = {}
    distances: dict[int, float] = {}
    if len(old) and len(new):
        for row, column in zip(*linear_sum_assignment(cost), strict=True):
            if max_distance is None or cost[row, column] <= max_distance:
                label = int(new_centroids.index[row])
                keys[label] = int(previous_centroids.index[column])
                distances[label] = round(float(cost[row, column]), 4)
    next_key = max([*used_keys, *previous_centroids.index.astype(int), -1]) + 1
    new_keys = []
    for label in new_centroids.index.astype(int):
        if label not in keys:
            keys[int(label)] = next_key
            new_keys.append(next_key)
            next_key += 1
    taken = set(keys.values())
    retired = [int(key) for key in previous_centroids.index if int(key) not in taken]
    return ClusterMatch(keys, new_keys, retired, distances)
