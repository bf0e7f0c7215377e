"""What the run page draws and scores: a 2-D scatter sample, the silhouette plot, the elbow series and
the published clusters' quality. All JSON-ready (lists and plain numbers)."""

from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from segments.ml.cluster_metrics import cluster_means, sample_indices, silhouette_values
from segments.ml.clustering_config import ClusteringConfig
from segments.ml.model_selection import KSelection


def plot_rows(count: int, config: ClusteringConfig) -> np.ndarray:
    """The rows both plots show, drawn once so the scatter and the silhouettes are the same people."""
    return sample_indices(count, config.projection_sample, np.random.default_rng(config.random_state + 1))


def projection(matrix: np.ndarray, labels: np.ndarray, rows: np.ndarray, random_state: int) -> dict[str, Any]:
    """The plot rows on the first two principal components of the model space (outliers included).
    Points carry their cluster, never the person: whoever may read a run may not see every cluster's
    members."""
    points = matrix[rows]
    if points.shape[1] >= 2 and len(points) >= 2:
        pca = PCA(n_components=2, svd_solver="full", random_state=random_state).fit(points)
        flat = pca.transform(points)
        explained = [round(float(share), 4) for share in pca.explained_variance_ratio_]
    else:
        flat = np.column_stack([points[:, 0], np.zeros(len(points))])
        explained = [1.0, 0.0]
    return {
        "x": np.round(flat[:, 0], 4).tolist(),
        "y": np.round(flat[:, 1], 4).tolist(),
        "label": labels[rows].tolist(),
        "explained_variance": explained,
    }


def silhouette_plot(matrix: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> dict[str, Any]:
    """Per cluster, its members' silhouettes on the plot rows, highest first; outliers left out."""
    rows = rows[labels[rows] >= 0]
    sample_labels = labels[rows]
    if np.unique(sample_labels).size < 2:
        return {"average": None, "clusters": []}
    values = silhouette_values(matrix[rows], [sample_labels])[0]
    clusters = [
        {"label": int(label), "values": np.round(np.sort(values[sample_labels == label])[::-1], 3).tolist()}
        for label in np.unique(sample_labels)
    ]
    return {"average": round(float(values.mean()), 4), "clusters": clusters}


def elbow_series(selection: KSelection | None, k: int, inertia: float) -> dict[str, Any]:
    if selection is None:
        return {"k": [k], "inertia": [round(inertia, 2)], "knee": None}
    return {
        "k": [candidate.k for candidate in selection.candidates],
        "inertia": [round(candidate.inertia, 2) for candidate in selection.candidates],
        "knee": selection.knee,
    }


def quality(
    matrix: np.ndarray, labels: np.ndarray, config: ClusteringConfig, silhouette: float | None
) -> dict[str, Any]:
    """Davies-Bouldin, Calinski-Harabasz and inertia of the published clusters on the fit sample (outliers
    left out), with the silhouette of the plot rows."""
    rows = sample_indices(len(matrix), config.fit_sample, np.random.default_rng(config.random_state))
    rows = rows[labels[rows] >= 0]
    points, sample_labels = matrix[rows], labels[rows]
    present = np.unique(sample_labels)
    if present.size < 2:
        return {"silhouette": silhouette, "davies_bouldin": None, "calinski_harabasz": None, "inertia": None}
    means = cluster_means(points, sample_labels, int(present.max()) + 1)
    inertia = float(((points - means[sample_labels]) ** 2).sum())
    return {
        "silhouette": silhouette,
        "davies_bouldin": round(float(davies_bouldin_score(points, sample_labels)), 4),
        "calinski_harabasz": round(float(calinski_harabasz_score(points, sample_labels)), 1),
        "inertia": round(inertia, 2),
    }
