"""Distances and scores shared by model selection and the clustering run, written to stay fast at a
million rows: distances in row chunks (never an n x n or n x 1,000 matrix at once), and one pass of
pairwise distances serving the silhouettes of every candidate k."""

from collections.abc import Sequence
from contextlib import AbstractContextManager
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

# Temporaries stay under glibc's largest reusable block (32 MB): bigger ones are fresh mmap pages
# that the kernel zeroes on every chunk.
BLOCK_ELEMENTS = 2_097_152


@cache
def _controller() -> ThreadpoolController:
    # Finding the loaded BLAS and OpenMP libraries takes ~8 ms; once per process is enough.
    return ThreadpoolController()


def single_threaded() -> AbstractContextManager:
    """A context in which BLAS and OpenMP use one thread. Fits on samples (up to ~100k rows) run in it:
    there, OpenMP's spin-waiting threads next to OpenBLAS's own (scikit-learn issue 17334) cost more
    than a second core gains. Measured here: k-means on 20k x 12, 3 starts, 0.15 s on one thread and
    1.3-2.0 s on two."""
    return thread_limit(1)


def thread_limit(threads: int) -> AbstractContextManager:
    return _controller().limit(limits=threads)


def sample_indices(count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of a uniform sample without replacement; every position when count <= size."""
    if count <= size:
        return np.arange(count)
    return np.sort(rng.choice(count, size=size, replace=False))


def cluster_means(values: np.ndarray | Sequence[np.ndarray], labels: np.ndarray, count: int) -> np.ndarray:
    """(count x columns) mean of each cluster's rows (rows labelled -1 left out; empty clusters 0).
    `values`: a 2-D array, or its columns as separate arrays."""
    columns = values.T if isinstance(values, np.ndarray) else values
    kept = labels >= 0
    kept_labels = labels[kept]
    sizes = np.maximum(np.bincount(kept_labels, minlength=count), 1)
    sums = [np.bincount(kept_labels, weights=column[kept], minlength=count) for column in columns]
    return np.column_stack(sums) / sizes[:, None]


def group_distances(
    matrix: np.ndarray, prototypes: np.ndarray, groups: np.ndarray, group_count: int
) -> np.ndarray:
    """(rows x group_count) Euclidean distance from each row to the nearest prototype of each group.

    With one prototype per group (k-means centroids) this is the plain distance to each centroid;
    with many (the micro-centroids under an agglomerative cluster) the nearest of them."""
    order = np.argsort(groups, kind="stable")
    prototypes, groups = prototypes[order], groups[order]
    starts = np.searchsorted(groups, np.arange(group_count))
    if np.any(np.diff(np.append(starts, len(groups))) == 0):
        raise ValueError("every group needs at least one prototype")
    one_each = len(prototypes) == group_count
    prototype_norms = np.einsum("ij,ij->i", prototypes, prototypes)
    scaled = -2.0 * prototypes.T
    chunk = max(1_024, BLOCK_ELEMENTS // len(prototypes))
    result = np.empty((len(matrix), group_count), order="F")  # columns are read one at a time later
    for start in range(0, len(matrix), chunk):
        block = matrix[start : start + chunk]
        squared = block @ scaled
        squared += prototype_norms
        squared += np.einsum("ij,ij->i", block, block)[:, None]
        result[start : start + len(block)] = (
            squared if one_each else np.minimum.reduceat(squared, starts, axis=1)
        )
    np.clip(result, 0.0, None, out=result)
    return np.sqrt(result, out=result)


def margin_confidence(distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """1 - d_own / d_nearest_other, clipped to [0, 1]: 1 at the own cluster's centre, 0 halfway to
    (or nearer to) another cluster. Rows labelled -1 score 0."""
    if distances.shape[1] < 2:
        return np.where(labels >= 0, 1.0, 0.0)
    own = distances[np.arange(len(labels)), np.maximum(labels, 0)]
    # The two smallest distances, a column at a time (k is small; a sort would copy the matrix).
    nearest = np.full(len(labels), np.inf)
    second = np.full(len(labels), np.inf)
    for position in range(distances.shape[1]):
        column = distances[:, position]
        second = np.minimum(second, np.maximum(nearest, column))
        nearest = np.minimum(nearest, column)
    nearest_other = np.where(own <= nearest, second, nearest)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(nearest_other > 0, 1.0 - own / nearest_other, 0.0)
    return np.where(labels >= 0, np.clip(score, 0.0, 1.0), 0.0)


def silhouette_values(points: np.ndarray, label_sets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Silhouette of every point under each labelling (labels 0..k-1, no outliers), as scikit-learn's
    silhouette_samples: (b - a) / max(a, b), 0 for a point alone in its cluster.

    The distances are computed once for all labellings: the sums of distances to each cluster are a
    product of a chunk of the distance matrix with the labellings' one-hot matrices side by side."""
    count = len(points)
    widths = [int(labels.max()) + 1 for labels in label_sets]
    onehot = np.zeros((count, sum(widths)))
    offsets = np.concatenate([[0], np.cumsum(widths)])
    for labels, offset in zip(label_sets, offsets, strict=False):
        onehot[np.arange(count), offset + labels] = 1.0
    norms = np.einsum("ij,ij->i", points, points)
    sums = np.empty_like(onehot)
    chunk = max(1, BLOCK_ELEMENTS // max(count, 1))
    for start in range(0, count, chunk):
        block = points[start : start + chunk]
        squared = norms[start : start + chunk, None] + norms - 2.0 * block @ points.T
        squared[np.arange(len(block)), start + np.arange(len(block))] = 0.0
        sums[start : start + len(block)] = np.sqrt(np.clip(squared, 0.0, None)) @ onehot
    sizes = onehot.sum(axis=0)
    values = []
    for labels, offset, width in zip(label_sets, offsets, widths, strict=False):
        cluster_sums = sums[:, offset : offset + width]
        cluster_sizes = sizes[offset : offset + width]
        rows = np.arange(count)
        own_size = cluster_sizes[labels]
        inside = cluster_sums[rows, labels] / np.maximum(own_size - 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = cluster_sums / cluster_sizes
        means[rows, labels] = np.inf
        means[:, cluster_sizes == 0] = np.inf
        between = means.min(axis=1)
        largest = np.maximum(inside, between)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(largest > 0, (between - inside) / largest, 0.0)
        values.append(np.where(own_size > 1, np.nan_to_num(score), 0.0))
    return values


def knee_point(xs: Sequence[float], ys: Sequence[float], *, increasing: bool = False) -> int | None:
    """Position of the knee of a convex curve (Kneedle: the point farthest below the chord from the
    first to the last point, both axes scaled to [0, 1]); None when the curve has no bend.

    Decreasing (an inertia curve): where adding clusters stops paying. Increasing (sorted k-nearest
    neighbour distances): where points stop being in dense regions."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    x = (x - x.min()) / np.ptp(x)
    y = (y - y.min()) / np.ptp(y)
    gap = (x - y) if increasing else (1.0 - x - y)
    position = int(np.argmax(gap))
    return position if gap[position] > 0 else None
