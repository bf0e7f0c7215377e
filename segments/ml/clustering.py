"""A clustering run's numeric core: ProfileFeatures rows in, segments with confidences and evidence out.

    result = fit_segments(frame, ClusteringConfig.from_dict(segmentation.config))

`frame` has one row per profile: `profile_id`, the ProfileFeatures columns the config names (dicts for
channel_mix and format_affinity, lists for interests, or those already expanded as
`channel_mix.<platform>` ...), `is_bot` when bots are excluded, and `consented` (bool: an active grant
for `config.consent_purpose`) when a purpose is set. Excluded profiles are not in the result.

The steps: eligible rows -> feature matrix (clustering_features) -> k chosen on a sample
(model_selection) unless fixed -> the algorithm (clustering_algorithms) -> the minimum segment size and
confidences (small_clusters) -> plots, quality and bootstrap stability. Every random step is seeded
from `config.random_state`, so the same frame and config give the same labels.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import sklearn

from segments.ml.cluster_metrics import cluster_means, thread_limit
from segments.ml.cluster_stability import bootstrap_ari
from segments.ml.clustering_algorithms import RawPartition, fit_raw
from segments.ml.clustering_config import FEATURE_PRESETS, ClusteringConfig
from segments.ml.clustering_diagnostics import elbow_series, plot_rows, projection, quality, silhouette_plot
from segments.ml.clustering_features import (
    column_std,
    expand_features,
    expanded_columns,
    feature_matrix,
    model_space,
)
from segments.ml.model_selection import KSelection, select_k
from segments.ml.small_clusters import publish

__all__ = [
    "FEATURE_PRESETS",
    "ClusteringConfig",
    "ClusteringResult",
    "expand_features",
    "feature_matrix",
    "fit_segments",
]

ALGORITHM_NAMES = {
    "kmeans": "k-means",
    "gmm": "a Gaussian mixture",
    "agglomerative": "agglomerative (ward) clustering",
    "dbscan": "DBSCAN",
}


@dataclass
class ClusteringResult:
    """Row i of profile_id, labels, confidence and memberships is the same profile."""

    profile_id: np.ndarray
    labels: np.ndarray  # 0..chosen_k-1 from the largest segment down; -1 outlier (DBSCAN only)
    confidence: np.ndarray  # in [0, 1]; how in small_clusters' docstring
    memberships: np.ndarray | None  # GMM: (rows x chosen_k) posteriors summing to 1; else None
    centroids: pd.DataFrame  # per label, the mean of every expanded feature in original units
    feature_scale: pd.Series  # standard deviation of each expanded feature, for match_clusters
    chosen_k: int  # segments published
    fitted_k: int  # clusters the algorithm made, before the minimum-size rule
    metrics: list[dict[str, Any]]  # per candidate k; the published clusters' quality when k was fixed
    quality: dict[str, Any]  # silhouette, Davies-Bouldin, Calinski-Harabasz, inertia of what is published
    recommendation: dict[str, Any]  # {"k" fitted, "segments" published, "method", "reasons": [sentences]}
    sizes: dict[int, int]
    outliers: int
    small_cluster_rule: str  # "merged" or "outliers"
    small_clusters: list[dict[str, Any]]  # {"size", "merged_into": label or None}
    excluded: dict[str, int]  # {"bots", "no_consent"}
    projection: dict[str, Any]  # {"x", "y", "label", "profile_id", "explained_variance"}
    silhouette: dict[str, Any]  # {"average", "clusters": [{"label", "values" (highest first)}]}
    elbow: dict[str, Any]  # {"k", "inertia", "knee"}
    stability: dict[str, Any]  # bootstrap ARI (cluster_stability.bootstrap_ari)
    settings: dict[str, Any]  # config, expanded columns, fitted parameters, library versions

    def membership_frame(self) -> pd.DataFrame:
        """(profile_id, label, confidence) of every segment member, outliers left out: ready for COPY."""
        members = self.labels >= 0
        return pd.DataFrame(
            {
                "profile_id": self.profile_id[members],
                "label": self.labels[members],
                "confidence": np.round(self.confidence[members], 4),
            }
        )

    def run_fields(self) -> dict[str, Any]:
        """JSON-ready values for ClusteringRun's columns of the same names."""
        return {
            "chosen_k": self.chosen_k,
            "recommendation": self.recommendation,
            "metrics": {
                "per_k": self.metrics,
                "quality": self.quality,
                "elbow": self.elbow,
                "silhouette": self.silhouette,
                "sizes": {str(label): size for label, size in self.sizes.items()},
                "small_cluster_rule": self.small_cluster_rule,
                "small_clusters": self.small_clusters,
                "excluded": self.excluded,
                "centroids": {
                    str(label): {column: round(float(value), 6) for column, value in row.items()}
                    for label, row in self.centroids.iterrows()
                },
                "feature_scale": {column: round(float(v), 6) for column, v in self.feature_scale.items()},
            },
            "stability": self.stability,
            "projection": self.projection,
            "profiles_used": len(self.profile_id),
            "outliers": self.outliers,
        }


def eligible_rows(frame: pd.DataFrame, config: ClusteringConfig) -> tuple[np.ndarray, dict[str, int]]:
    """Who may be clustered: not a bot (when excluded), and consented (when a purpose is set)."""
    keep = np.ones(len(frame), dtype=bool)
    excluded = {"bots": 0, "no_consent": 0}
    if config.exclude_bots:
        if "is_bot" not in frame.columns:
            raise ValueError("excluding bots needs the is_bot column")
        bots = frame["is_bot"].fillna(False).to_numpy(dtype=bool)
        excluded["bots"] = int(bots.sum())
        keep &= ~bots
    if config.consent_purpose is not None:
        if "consented" not in frame.columns:
            raise ValueError(f"consent to {config.consent_purpose} needs the consented column")
        refused = ~frame["consented"].fillna(False).to_numpy(dtype=bool)
        excluded["no_consent"] = int((refused & keep).sum())
        keep &= ~refused
    return keep, excluded


def fit_segments(
    frame: pd.DataFrame, config: ClusteringConfig, *, threads: int | None = 1
) -> ClusteringResult:
    """`threads` caps BLAS and OpenMP threads for the run; None leaves the libraries' defaults (every
    core). One by default: the ml worker shares its machine with the web process and PostgreSQL, and on
    the 2-core machine here, under that load, one thread was faster at every step (bare k-means on
    1M x 12: 1.07 s on one thread, 1.69 s on two; bench/README.md). Sums split over threads may round
    differently, so keep the same value to repeat a run exactly."""
    if threads is None:
        return _fit_segments(frame, config)
    with thread_limit(threads):
        return _fit_segments(frame, config)


def _fit_segments(frame: pd.DataFrame, config: ClusteringConfig) -> ClusteringResult:
    if "profile_id" not in frame.columns:
        raise ValueError("the frame needs a profile_id column")
    if frame["profile_id"].duplicated().any():
        raise ValueError("each profile must appear once")
    keep, excluded = eligible_rows(frame, config)
    bases = {name.partition(".")[0] for name in config.resolved_features}
    needed = [column for column in frame.columns if column.partition(".")[0] in bases | {"profile_id"}]
    frame = frame.loc[keep, needed]  # copying only the columns used
    if len(frame) < max(2, config.min_segment_size):
        raise ValueError(f"{len(frame):,} eligible profiles are fewer than the minimum segment size")
    expanded = expanded_columns(frame, config)
    matrix, space = model_space(expanded, config)
    if not np.ptp(matrix, axis=0).any():
        raise ValueError(
            "every eligible profile has the same values of these features, so there is nothing to "
            "group them by: choose features that differ between people"
        )

    selection: KSelection | None = None
    k = config.k
    if config.algorithm != "dbscan" and k is None:
        selection = select_k(
            matrix,
            config.candidate_ks,
            min_segment_size=config.min_segment_size,
            random_state=config.random_state,
            n_init=config.selection_n_init,
            fit_sample=config.fit_sample,
            silhouette_sample=config.silhouette_sample,
            feature_names=space.model_columns,
            scaling=config.scaling,
        )
        k = selection.k
    raw = fit_raw(matrix, k, config)
    published = publish(raw, matrix, min_segment_size=config.min_segment_size, algorithm=config.algorithm)
    labels = published.labels
    chosen_k = int(labels.max()) + 1
    profile_ids = frame["profile_id"].to_numpy()

    with ThreadPoolExecutor(max_workers=1) as pool:
        # The bootstrap refits samples on one core while the rest is measured on the other; it draws
        # from its own seeds, so the results are the same either way.
        bootstrap = pool.submit(_stability, matrix, labels, raw, k, config)
        rows = plot_rows(len(matrix), config)
        silhouette = silhouette_plot(matrix, labels, rows)
        scores = quality(matrix, labels, config, silhouette["average"])
        centroids = cluster_means(list(expanded.values()), labels, chosen_k)
        sizes = np.bincount(labels[labels >= 0], minlength=chosen_k)
        plotted = projection(matrix, labels, rows, config.random_state)
        stability = bootstrap.result()
    return ClusteringResult(
        profile_id=profile_ids,
        labels=labels,
        confidence=published.confidence,
        memberships=published.memberships,
        centroids=pd.DataFrame(centroids, columns=space.columns),
        feature_scale=column_std(expanded),
        chosen_k=chosen_k,
        fitted_k=raw.cluster_count,
        metrics=selection.metrics if selection else [{"k": chosen_k, **scores}],
        quality=scores,
        recommendation={
            "k": raw.cluster_count,
            "segments": chosen_k,
            "method": config.algorithm,
            "reasons": _reasons(config, selection, raw, published.small_clusters, chosen_k),
        },
        sizes={label: int(size) for label, size in enumerate(sizes)},
        outliers=int((labels < 0).sum()),
        small_cluster_rule=published.rule,
        small_clusters=published.small_clusters,
        excluded=excluded,
        projection=plotted,
        silhouette=silhouette,
        elbow=elbow_series(selection, chosen_k, scores["inertia"] or 0.0),
        stability=stability,
        settings={
            "config": config.to_dict(),
            "columns": space.columns,
            "model_columns": space.model_columns,
            "pca_explained_variance": space.explained_variance,
            "fitted": raw.settings,
            "versions": {
                "scikit-learn": sklearn.__version__,
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
        },
    )


def _stability(
    matrix: np.ndarray, labels: np.ndarray, raw: RawPartition, k: int | None, config: ClusteringConfig
) -> dict[str, Any]:
    if config.bootstrap_resamples == 0:
        return {}
    local = config if "eps" not in raw.settings else replace(config, dbscan_eps=raw.settings["eps"])

    def refit(rows: np.ndarray, seed: int) -> np.ndarray:
        return fit_raw(rows, k, replace(local, random_state=seed)).labels

    return bootstrap_ari(
        matrix,
        labels,
        refit,
        resamples=config.bootstrap_resamples,
        sample_size=config.bootstrap_sample,
        random_state=config.random_state,
    )


def _reasons(
    config: ClusteringConfig,
    selection: KSelection | None,
    raw: RawPartition,
    small: list[dict[str, Any]],
    chosen_k: int,
) -> list[str]:
    name = ALGORITHM_NAMES[config.algorithm]
    if selection is not None:
        reasons = list(selection.reasons)
        if config.algorithm != "kmeans":
            reasons.append(f"k was chosen with k-means on a sample; the segments come from {name}.")
    elif config.algorithm == "dbscan":
        reasons = [f"DBSCAN found {raw.cluster_count} dense groups at eps={raw.settings['eps']:.3g}."]
    else:
        reasons = [f"k={config.k} was set by you; {name} made {raw.cluster_count} clusters."]
    if small:
        sizes = ", ".join(f"{entry['size']:,}" for entry in small)
        fate = (
            "became outliers (not published)"
            if config.algorithm == "dbscan"
            else "were merged into their nearest large cluster"
        )
        reasons.append(
            f"{len(small)} cluster(s) under the minimum segment size of {config.min_segment_size:,} "
            f"(sizes {sizes}) {fate}, leaving {chosen_k} segments."
        )
    return reasons
