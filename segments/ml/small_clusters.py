"""The minimum segment size, and each member's confidence: no cluster under the minimum is published.

k-means, GMM and agglomerative: the smallest cluster under the minimum is merged into the nearest
cluster that is large enough (nearest by centre, size-weighted), and again until none is left; GMM
posteriors of merged components add up. DBSCAN: clusters under the minimum become outliers (-1),
since a density method's stray pocket is not a group. Published clusters are then numbered 0..k-1 from
the largest.

Confidence in [0, 1]:
    kmeans, agglomerative  1 - d_own / d_other: d_own the distance to the own cluster's nearest
                           centroid (micro-centroid), d_other to the nearest of any other cluster. A
                           profile merged in from a small cluster is measured from the large cluster's
                           own centroids, so its lower confidence shows it was not a natural member.
    gmm                    the posterior probability of the own cluster.
    dbscan                 1 - d / eps, d the distance to the nearest core sample; outliers 0.
"""

from dataclasses import dataclass

import numpy as np

from segments.ml.cluster_metrics import group_distances, margin_confidence
from segments.ml.clustering_algorithms import RawPartition


@dataclass
class Published:
    labels: np.ndarray
    confidence: np.ndarray
    memberships: np.ndarray | None
    rule: str  # "merged" or "outliers"
    small_clusters: list[dict]  # {"size": n, "merged_into": label or None}


def publish(raw: RawPartition, matrix: np.ndarray, *, min_segment_size: int, algorithm: str) -> Published:
    if algorithm == "dbscan":
        return _as_outliers(raw, min_segment_size)
    return _merged(raw, matrix, min_segment_size)


def _as_outliers(raw: RawPartition, min_segment_size: int) -> Published:
    sizes = np.bincount(raw.labels[raw.labels >= 0], minlength=raw.cluster_count)
    kept = np.flatnonzero(sizes >= min_segment_size)
    if kept.size == 0:
        raise ValueError(f"no dense group reaches the minimum segment size of {min_segment_size:,}")
    order = kept[np.argsort(-sizes[kept], kind="stable")]
    renumber = np.full(raw.cluster_count + 1, -1)  # the extra slot maps -1 to -1
    renumber[order] = np.arange(order.size)
    labels = renumber[raw.labels]
    eps = raw.settings["eps"]
    confidence = np.where(labels >= 0, np.clip(1.0 - raw.neighbour_distance / eps, 0.0, 1.0), 0.0)
    small = [
        {"size": int(sizes[cluster]), "merged_into": None}
        for cluster in np.flatnonzero(sizes < min_segment_size)
    ]
    return Published(labels, confidence, None, "outliers", small)


def _merged(raw: RawPartition, matrix: np.ndarray, min_segment_size: int) -> Published:
    count = raw.cluster_count
    raw_sizes = np.bincount(raw.labels, minlength=count).astype(np.float64)
    group = np.arange(count)  # raw cluster -> the cluster it now belongs to
    merges: list[tuple[int, int]] = []  # (size of the small cluster, the cluster it went into)
    while True:
        labels = _labels(raw, group)
        sizes = np.bincount(labels, minlength=count)
        alive = np.unique(group)
        small = [cluster for cluster in alive if sizes[cluster] < min_segment_size]
        if not small or alive.size == 1:
            break
        source = min(small, key=lambda cluster: (sizes[cluster], cluster))
        targets = [c for c in alive if c != source and sizes[c] >= min_segment_size]
        targets = targets or [c for c in alive if c != source]
        target = min(
            targets,
            key=lambda c: np.linalg.norm(
                _centre(raw, raw_sizes, group, c) - _centre(raw, raw_sizes, group, source)
            ),
        )
        merges.append((int(sizes[source]), int(target)))
        group[group == source] = target
    if sizes[alive].min() < min_segment_size:
        raise ValueError(
            f"{int(sizes.sum()):,} profiles are fewer than the minimum segment size of {min_segment_size:,}"
        )
    order = alive[np.argsort(-sizes[alive], kind="stable")]
    renumber = np.full(count, -1)
    renumber[order] = np.arange(order.size)
    labels = renumber[labels]
    small = [{"size": size, "merged_into": int(renumber[group[into]])} for size, into in merges]
    memberships = None
    if raw.memberships is not None:
        memberships = _merge_columns(raw.memberships, renumber[group], order.size)
        confidence = memberships[np.arange(len(labels)), labels]
    elif not merges and raw.distances is not None:
        # Nothing merged: the fit's own distances serve (the score ignores how clusters are numbered).
        confidence = margin_confidence(raw.distances, raw.labels)
    else:
        # Prototypes of clusters merged away do not count: a merged-in row is measured from its new
        # cluster's own centroids.
        own = group[raw.prototype_clusters] == raw.prototype_clusters
        prototype_labels = renumber[raw.prototype_clusters[own]]
        distances = group_distances(matrix, raw.prototypes[own], prototype_labels, order.size)
        confidence = margin_confidence(distances, labels)
    return Published(labels, confidence, memberships, "merged", small)


def _labels(raw: RawPartition, group: np.ndarray) -> np.ndarray:
    if raw.memberships is None:
        return group[raw.labels]
    return _merge_columns(raw.memberships, group, len(group)).argmax(axis=1)


def _merge_columns(memberships: np.ndarray, target: np.ndarray, width: int) -> np.ndarray:
    merged = np.zeros((len(memberships), width))
    for column, into in enumerate(target):
        merged[:, into] += memberships[:, column]
    return merged


def _centre(raw: RawPartition, raw_sizes: np.ndarray, group: np.ndarray, cluster: int) -> np.ndarray:
    """The centre of a (possibly merged) cluster: its raw clusters' centres weighted by their sizes."""
    members = np.flatnonzero(group == cluster)
    weight = raw_sizes[members]
    if weight.sum() == 0:
        return raw.centres[members].mean(axis=0)
    return (raw.centres[members] * weight[:, None]).sum(axis=0) / weight.sum()
