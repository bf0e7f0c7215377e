"""Choosing the number of clusters k, with reasons a marketer can read.

Every candidate k is fitted with k-means on one sample (`fit_sample` rows, ~100k), and scored on it:
silhouette (on a smaller `silhouette_sample`, ~10k, since it is quadratic), Davies-Bouldin (lower is
better), Calinski-Harabasz (higher is better) and the elbow of the inertia curve (distance from the
knee, Kneedle). The rule:

1. A k whose smallest cluster, scaled up from the sample to all rows, is under `min_segment_size` is
   rejected: it would publish a segment too small to use (if every k is, the one whose smallest
   cluster is largest, then the smaller, is kept and its small clusters are merged later).
2. The remaining ks are ranked on each criterion (1 = best; values equal to 3 decimals tie) and the
   ranks averaged, the four criteria weighing the same. Ranks are among the ks tried, so a wider or
   narrower range can change the choice; a close call is reported as such.
3. The lowest average wins; on a tie, the larger k. Silhouette on realistic marketing features favours
   k = 2 (one broad split, e.g. buyers and non-buyers); taken together with the other criteria, and
   with ties broken upwards, it no longer hides groups the others see.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from segments.ml.cluster_metrics import knee_point, sample_indices, silhouette_values, single_threaded
from segments.ml.k_reasons import recommendation_reasons

CRITERIA = ("silhouette", "davies_bouldin", "calinski_harabasz", "elbow")


@dataclass
class Candidate:
    k: int
    inertia: float  # on the fit sample
    smallest: int  # the smallest cluster's size, scaled to all rows
    silhouette: float
    davies_bouldin: float
    calinski_harabasz: float
    silhouette_labels: np.ndarray  # on the silhouette sample
    ranks: dict[str, float] = field(default_factory=dict)
    combined: float | None = None

    def as_metrics(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "silhouette": _finite(self.silhouette, 4),
            "davies_bouldin": _finite(self.davies_bouldin, 4),  # undefined with a single cluster
            "calinski_harabasz": _finite(self.calinski_harabasz, 1),
            "inertia": round(self.inertia, 2),
            "smallest_cluster": self.smallest,
            "eligible": self.combined is not None,
            "ranks": self.ranks,
            "combined_rank": None if self.combined is None else round(self.combined, 3),
        }


def _finite(value: float, digits: int) -> float | None:
    """The score rounded, or None where it is undefined (JSON has no NaN or infinity)."""
    return round(value, digits) if np.isfinite(value) else None


@dataclass
class KSelection:
    k: int
    candidates: list[Candidate]
    knee: int | None  # the k at the elbow of the inertia curve
    reasons: list[str]
    silhouette_points: np.ndarray  # the silhouette sample, in model space

    @property
    def metrics(self) -> list[dict[str, Any]]:
        return [candidate.as_metrics() for candidate in self.candidates]

    def candidate(self, k: int) -> Candidate:
        return next(candidate for candidate in self.candidates if candidate.k == k)


def choose_k(
    matrix: np.ndarray,
    ks: list[int],
    *,
    min_segment_size: int,
    random_state: int,
    n_init: int = 1,
    fit_sample: int = 100_000,
    silhouette_sample: int = 10_000,
    feature_names: list[str] | None = None,
) -> tuple[int, list[dict[str, Any]], list[str]]:
    """The recommended k, the metrics of every candidate (JSON-ready), and the reasons in words."""
    selection = select_k(
        matrix,
        ks,
        min_segment_size=min_segment_size,
        random_state=random_state,
        n_init=n_init,
        fit_sample=fit_sample,
        silhouette_sample=silhouette_sample,
        feature_names=feature_names,
    )
    return selection.k, selection.metrics, selection.reasons


def select_k(
    matrix: np.ndarray,
    ks: list[int],
    *,
    min_segment_size: int,
    random_state: int,
    n_init: int,
    fit_sample: int,
    silhouette_sample: int,
    feature_names: list[str] | None = None,
    scaling: str = "standard",
) -> KSelection:
    """choose_k with the candidates kept, for the elbow chart and the run's record."""
    ks = sorted(set(ks))
    rng = np.random.default_rng(random_state)
    sample = matrix[sample_indices(len(matrix), fit_sample, rng)]
    if len(sample) <= max(ks):
        raise ValueError(f"{len(sample)} profiles are too few to try {max(ks)} clusters")
    silhouette_rows = sample_indices(len(sample), silhouette_sample, rng)
    points = sample[silhouette_rows]
    with single_threaded():
        candidates = [
            _fit_candidate(sample, k, silhouette_rows, len(matrix), random_state=random_state, n_init=n_init)
            for k in ks
        ]
        silhouettes = silhouette_values(points, [candidate.silhouette_labels for candidate in candidates])
    for candidate, values in zip(candidates, silhouettes, strict=True):
        candidate.silhouette = float(values.mean())
    knee_position = knee_point(ks, [candidate.inertia for candidate in candidates])
    knee = None if knee_position is None else ks[knee_position]
    chosen = _rank(candidates, knee, min_segment_size)
    reasons = recommendation_reasons(
        candidates,
        chosen=chosen,
        knee=knee,
        min_segment_size=min_segment_size,
        points=points,
        feature_names=feature_names,
        scaling=scaling,
    )
    return KSelection(chosen, candidates, knee, reasons, points)


def _fit_candidate(
    sample: np.ndarray, k: int, silhouette_rows: np.ndarray, total: int, *, random_state: int, n_init: int
) -> Candidate:
    model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(sample)
    labels = model.labels_
    sizes = np.bincount(labels, minlength=k)
    several = np.count_nonzero(sizes) > 1
    return Candidate(
        k=k,
        inertia=float(model.inertia_),
        smallest=round(sizes.min() * total / len(sample)),
        silhouette=float("nan"),
        davies_bouldin=float(davies_bouldin_score(sample, labels)) if several else float("inf"),
        calinski_harabasz=float(calinski_harabasz_score(sample, labels)) if several else 0.0,
        silhouette_labels=labels[silhouette_rows],
    )


def _rank(candidates: list[Candidate], knee: int | None, min_segment_size: int) -> int:
    eligible = [candidate for candidate in candidates if candidate.smallest >= min_segment_size]
    if not eligible:
        # Fewest clusters to merge: the largest smallest cluster, then the smaller k.
        return max(candidates, key=lambda candidate: (candidate.smallest, -candidate.k)).k
    # Lower is better for every array below; rounding lets near-equal values tie.
    scores = {
        "silhouette": [-round(c.silhouette, 3) for c in eligible],
        "davies_bouldin": [round(c.davies_bouldin, 3) for c in eligible],
        "calinski_harabasz": [-round(c.calinski_harabasz, 1) for c in eligible],
    }
    if knee is not None:
        scores["elbow"] = [abs(c.k - knee) for c in eligible]
    for criterion, values in scores.items():
        for candidate, rank in zip(eligible, rankdata(values, method="min"), strict=True):
            candidate.ranks[criterion] = int(rank)
    for candidate in eligible:
        candidate.combined = float(np.mean(list(candidate.ranks.values())))
    return min(eligible, key=lambda candidate: (candidate.combined, -candidate.k)).k
