"""The four algorithms, each made to finish at a million rows: what cannot scale is fitted on a sample
or on k-means micro-clusters, and every row is then assigned.

    kmeans         k-means on the fit sample (n_init restarts, ~100k rows); every row joins its
                   nearest centroid.
    gmm            a full-covariance Gaussian mixture fitted on the fit sample, started from k-means
                   means; every row gets its posterior probabilities.
    agglomerative  ward linkage on `micro_clusters` k-means centroids of the fit sample (ward on 45k
                   points needs 15.6 GB); each row joins the cluster of its nearest micro-centroid.
    dbscan         DBSCAN on `density_sample` rows; each row joins the cluster of its nearest core
                   sample when that is within eps, else it is an outlier (-1).
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors

from segments.ml.cluster_metrics import group_distances, knee_point, sample_indices, single_threaded
from segments.ml.clustering_config import ClusteringConfig

# Micro-clusters need covering, not convergence: a few Lloyd passes from random starts are enough.
MICRO_MAX_ITER = 30
MIN_ROWS_PER_MICRO_CLUSTER = 5


@dataclass
class RawPartition:
    """An algorithm's clusters before the minimum-size rule."""

    labels: np.ndarray  # per row, -1 for DBSCAN's outliers
    centres: np.ndarray  # per cluster, in model space
    prototypes: np.ndarray | None = None  # distance-scored methods: the points clusters are measured from
    prototype_clusters: np.ndarray | None = None
    memberships: np.ndarray | None = None  # GMM: posterior per row and cluster
    distances: np.ndarray | None = None  # rows x clusters: to each cluster's nearest prototype
    neighbour_distance: np.ndarray | None = None  # DBSCAN: distance to the nearest core sample
    settings: dict = field(default_factory=dict)  # what was fitted, for the run's record

    @property
    def cluster_count(self) -> int:
        return len(self.centres)


def fit_raw(matrix: np.ndarray, k: int | None, config: ClusteringConfig) -> RawPartition:
    if config.algorithm == "dbscan":
        return fit_dbscan(matrix, config)
    if k is None:
        raise ValueError(f"{config.algorithm} needs a number of clusters")
    fitters = {"kmeans": fit_kmeans, "gmm": fit_gmm, "agglomerative": fit_agglomerative}
    return fitters[config.algorithm](matrix, k, config)


def fit_kmeans(matrix: np.ndarray, k: int, config: ClusteringConfig) -> RawPartition:
    """The best of n_init k-means fits on the fit sample; every row then joins its nearest centroid.

    Refining on all rows from those centroids was measured to be no better: on 1M x 12 with six
    planted groups, two more Lloyd passes (0.9 s) left the inertia unchanged to 6 digits."""
    rows = sample_indices(len(matrix), config.fit_sample, np.random.default_rng(config.random_state))
    model = KMeans(n_clusters=k, n_init=config.n_init, random_state=config.random_state)
    with single_threaded():
        model.fit(matrix[rows])
    distances = group_distances(matrix, model.cluster_centers_, np.arange(k), k)
    return RawPartition(
        labels=distances.argmin(axis=1),
        centres=model.cluster_centers_,
        prototypes=model.cluster_centers_,
        prototype_clusters=np.arange(k),
        distances=distances,
        settings={"iterations": int(model.n_iter_), "fitted_rows": len(rows)},
    )


def fit_gmm(matrix: np.ndarray, k: int, config: ClusteringConfig) -> RawPartition:
    rows = sample_indices(len(matrix), config.fit_sample, np.random.default_rng(config.random_state))
    sample = matrix[rows]
    with single_threaded():
        start = KMeans(n_clusters=k, n_init=config.n_init, random_state=config.random_state).fit(sample)
        mixture = GaussianMixture(
            n_components=k,
            covariance_type="full",
            means_init=start.cluster_centers_,
            n_init=1,
            random_state=config.random_state,
            max_iter=200,
        ).fit(sample)
    memberships = mixture.predict_proba(matrix)
    return RawPartition(
        labels=memberships.argmax(axis=1),
        centres=mixture.means_,
        memberships=memberships,
        settings={"converged": bool(mixture.converged_), "iterations": int(mixture.n_iter_)},
    )


def fit_agglomerative(matrix: np.ndarray, k: int, config: ClusteringConfig) -> RawPartition:
    rows = sample_indices(len(matrix), config.fit_sample, np.random.default_rng(config.random_state))
    micro_count = max(k, min(config.micro_clusters, len(rows) // MIN_ROWS_PER_MICRO_CLUSTER))
    with single_threaded():
        micro = KMeans(
            n_clusters=micro_count,
            init="random",
            n_init=1,
            max_iter=MICRO_MAX_ITER,
            random_state=config.random_state,
        ).fit(matrix[rows])
    prototypes = micro.cluster_centers_
    prototype_clusters = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(prototypes)
    distances = group_distances(matrix, prototypes, prototype_clusters, k)
    centres = np.array([prototypes[prototype_clusters == cluster].mean(axis=0) for cluster in range(k)])
    return RawPartition(
        labels=distances.argmin(axis=1),
        distances=distances,
        centres=centres,
        prototypes=prototypes,
        prototype_clusters=prototype_clusters,
        settings={"micro_clusters": micro_count},
    )


def fit_dbscan(matrix: np.ndarray, config: ClusteringConfig) -> RawPartition:
    rows = sample_indices(len(matrix), config.density_sample, np.random.default_rng(config.random_state))
    sample = matrix[rows]
    eps = config.dbscan_eps or estimate_eps(sample, config.dbscan_min_samples)
    fitted = DBSCAN(eps=eps, min_samples=config.dbscan_min_samples).fit(sample)
    core = fitted.core_sample_indices_
    if core.size == 0:
        raise ValueError(f"DBSCAN found no dense region at eps={eps:.3g}; try a larger eps")
    core_labels = fitted.labels_[core]
    distance, nearest = NearestNeighbors(n_neighbors=1).fit(sample[core]).kneighbors(matrix)
    distance, nearest = distance[:, 0], nearest[:, 0]
    labels = np.where(distance <= eps, core_labels[nearest], -1)
    count = int(core_labels.max()) + 1
    centres = np.array([sample[core][core_labels == cluster].mean(axis=0) for cluster in range(count)])
    return RawPartition(
        labels=labels,
        centres=centres,
        neighbour_distance=distance,
        settings={"eps": round(float(eps), 6), "min_samples": config.dbscan_min_samples},
    )


def estimate_eps(sample: np.ndarray, min_samples: int) -> float:
    """The knee of the sorted distances to each point's min_samples-th neighbour: below it points sit
    in dense regions, above it they are strays. Points with that many exact twins (non-buyers, all
    alike) say nothing of the scale, so only positive distances are weighed."""
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(sample).kneighbors(sample)
    ordered = np.sort(distances[:, -1])
    ordered = ordered[ordered > 0]
    if not len(ordered):
        raise ValueError("the sampled profiles are all alike: DBSCAN has no distance to work with")
    knee = knee_point(np.arange(len(ordered)), ordered, increasing=True)
    return float(ordered[knee] if knee is not None else np.median(ordered))
