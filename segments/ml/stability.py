"""Population stability index (PSI): how far a feature's distribution moved between two runs.

PSI = Σ (actual_i - expected_i) x ln(actual_i / expected_i) over bins cut at the deciles of the
expected distribution, with missing values as a bin of their own. By the usual reading, below 0.1
nothing moved, 0.1-0.25 some shift, above 0.25 the feature changed enough to re-check segments."""

import numpy as np

SHIFT_WARNING = 0.25
# Empty bins would make ln(0); a floor this small keeps them from dominating the sum.
SHARE_FLOOR = 1e-4


def decile_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """The distinct inner quantile cut points of the non-missing values (fewer with many ties)."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.array([])
    return np.unique(np.quantile(present, np.arange(1, bins) / bins))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of values per bin: len(edges) + 1 bins (a value on an edge goes right), then missing."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    positions = np.searchsorted(edges, values[~missing], side="right")
    counts = np.append(np.bincount(positions, minlength=len(edges) + 1), missing.sum())
    return counts / max(values.size, 1)


def psi_from_shares(expected: np.ndarray, actual: np.ndarray) -> float:
    expected = np.maximum(np.asarray(expected, dtype=np.float64), SHARE_FLOOR)
    actual = np.maximum(np.asarray(actual, dtype=np.float64), SHARE_FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def population_stability_index(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    expected = np.asarray(expected, dtype=np.float64)
    edges = decile_edges(expected, bins)
    return psi_from_shares(bin_shares(expected, edges), bin_shares(actual, edges))


def distribution_summary(values: np.ndarray, bins: int = 10) -> dict[str, list[float]]:
    """What the next run needs to compute PSI against this one: the cut points and the shares."""
    values = np.asarray(values, dtype=np.float64)
    edges = decile_edges(values, bins)
    return {"edges": edges.tolist(), "shares": bin_shares(values, edges).tolist()}


def psi_against_summary(summary: dict[str, list[float]], actual: np.ndarray) -> float:
    edges = np.asarray(summary["edges"], dtype=np.float64)
    return psi_from_shares(np.asarray(summary["shares"]), bin_shares(actual, edges))
