"""Why a k was recommended, in sentences for a marketer (model_selection states the rule)."""

from typing import TYPE_CHECKING

import numpy as np

from segments.ml.feature_words import feature_noun

if TYPE_CHECKING:
    from segments.ml.model_selection import Candidate

CRITERION_NAMES = {
    "silhouette": "silhouette",
    "davies_bouldin": "Davies-Bouldin",
    "calinski_harabasz": "Calinski-Harabasz",
    "elbow": "the elbow",
}
CLOSE_CALL = 0.5  # combined ranks this near are worth telling the marketer about
SCALE_UNITS = {"standard": "standard deviations", "robust": "interquartile ranges"}


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def recommendation_reasons(
    candidates: list["Candidate"],
    *,
    chosen: int,
    knee: int | None,
    min_segment_size: int,
    points: np.ndarray,
    feature_names: list[str] | None,
    scaling: str,
) -> list[str]:
    ks = [candidate.k for candidate in candidates]
    best = next(candidate for candidate in candidates if candidate.k == chosen)
    span = f"k={ks[0]}" if len(ks) == 1 else f"k={ks[0]} to {ks[-1]}"
    criteria = "Silhouette, Davies-Bouldin, Calinski-Harabasz and the elbow of the inertia curve"
    if knee is None:
        criteria = "Silhouette, Davies-Bouldin and Calinski-Harabasz (the inertia curve has no elbow)"
    reasons = [
        f"Tried {span} (your range) on a sample. {criteria} count equally, clusters must reach the "
        f"minimum segment size of {min_segment_size:,}, and on a tie the larger k wins."
    ]
    if best.combined is None:
        reasons.append(
            f"No k in {span} keeps every cluster at the minimum segment size of {min_segment_size:,}; "
            f"k={chosen} comes closest (smallest cluster about {best.smallest:,}), and clusters under the "
            "minimum are merged into their nearest large cluster."
        )
        return reasons
    reasons.append(f"k={chosen}: best combined rank of {_criteria_summary(best, knee)}.")
    eligible = [candidate for candidate in candidates if candidate.combined is not None]
    runner_up = min(
        (candidate for candidate in eligible if candidate.k != chosen),
        key=lambda candidate: (candidate.combined, -candidate.k),
        default=None,
    )
    if runner_up is not None and runner_up.combined == best.combined:
        reasons.append(
            f"A close call: k={runner_up.k} tied (combined rank {best.combined:.2f}) and the larger k "
            "wins ties; the ranks are among the k tried, so another range can tip it."
        )
    elif runner_up is not None and runner_up.combined - best.combined <= CLOSE_CALL:
        reasons.append(
            f"A close call: k={runner_up.k} came next (combined rank {runner_up.combined:.2f} against "
            f"{best.combined:.2f}); the ranks are among the k tried, so another range can tip it."
        )
    by_silhouette = max(eligible, key=lambda candidate: (round(candidate.silhouette, 3), -candidate.k))
    if by_silhouette.k < chosen:
        reasons.append(_coarser_silhouette(by_silhouette, best, points, feature_names, scaling))
    elif by_silhouette.k > chosen:
        reasons.append(
            f"k={by_silhouette.k} had the best silhouette ({by_silhouette.silhouette:.2f}) but ranks "
            "lower on the other criteria."
        )
    rejected = [candidate for candidate in candidates if candidate.combined is None]
    if rejected:
        names = ", ".join(f"k={candidate.k}" for candidate in rejected)
        smallest = ", ".join(f"{candidate.smallest:,}" for candidate in rejected)
        reasons.append(
            f"{names} left out: each would make a cluster smaller than the minimum segment size of "
            f"{min_segment_size:,} (smallest about {smallest})."
        )
    return reasons


def _criteria_summary(candidate: "Candidate", knee: int | None) -> str:
    values = {
        "silhouette": f"{candidate.silhouette:.2f}",
        "davies_bouldin": f"{candidate.davies_bouldin:.2f}",
        "calinski_harabasz": f"{candidate.calinski_harabasz:,.0f}",
        "elbow": f"at k={knee}",
    }
    parts = [
        f"{CRITERION_NAMES[criterion]} ({values[criterion]}, {ordinal(rank)})"
        for criterion, rank in candidate.ranks.items()
    ]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]


def _coarser_silhouette(
    coarse: "Candidate",
    fine: "Candidate",
    points: np.ndarray,
    feature_names: list[str] | None,
    scaling: str,
) -> str:
    """ "k=2 had the best silhouette but would put together groups that differ clearly in spend"."""
    opening = f"k={coarse.k} had the best silhouette ({coarse.silhouette:.2f}) but "
    closing = "; silhouette alone tends to favour a few broad groups."
    gap = _widest_merged_gap(coarse.silhouette_labels, fine.silhouette_labels, points)
    if gap is None:
        return opening + "ranks lower on the other criteria" + closing
    column, size = gap
    name = feature_names[column] if feature_names and column < len(feature_names) else f"column {column + 1}"
    if name.startswith("pc") and name[2:].isdigit():
        noun = f"principal component {name[2:]}"
    else:
        noun = feature_noun(name)
    units = SCALE_UNITS.get(scaling, "scaled units")
    return opening + (
        f"would put together groups that differ clearly in {noun} ({size:.1f} {units} apart after scaling)"
        + closing
    )


def _widest_merged_gap(
    coarse_labels: np.ndarray, fine_labels: np.ndarray, points: np.ndarray
) -> tuple[int, float] | None:
    """The column and size of the largest difference between the means of two fine clusters that the
    coarse solution puts in one cluster (each holding at least 5% of it)."""
    widest: tuple[int, float] | None = None
    for coarse_label in np.unique(coarse_labels):
        inside = coarse_labels == coarse_label
        parts, counts = np.unique(fine_labels[inside], return_counts=True)
        parts = parts[counts >= max(5, 0.05 * inside.sum())]
        if len(parts) < 2:
            continue
        means = np.array([points[inside & (fine_labels == part)].mean(axis=0) for part in parts])
        spread = means.max(axis=0) - means.min(axis=0)
        column = int(np.argmax(spread))
        if widest is None or spread[column] > widest[1]:
            widest = (column, float(spread[column]))
    return widest
