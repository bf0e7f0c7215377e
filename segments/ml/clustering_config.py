"""The settings of a clustering run, stored whole (seed included) so a run can be repeated exactly.

`Segmentation.config` and `ClusteringRun.config` hold `ClusteringConfig.to_dict()`. Feature names are
ProfileFeatures columns, or a dict/list/category column expanded into numeric columns:

    channel_mix, format_affinity   one share column per key in the data (channel_mix.instagram ...);
                                   "channel_mix.instagram" alone takes only that key
    interests                      a 0/1 flag per topic, for the `top_interests` most common topics;
                                   "interests.travel" alone flags only that topic
    rfm_group, top_format          a 0/1 flag per value (rfm_group.Champions ...)
    peak_hour, peak_weekday        sine and cosine of the position on the clock or week, so 23:00 sits
                                   next to 00:00 (peak_hour.sin, peak_hour.cos)
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

from segments.ml.features import MEASURES

NUMERIC_FEATURES = (*MEASURES, "r_score", "f_score", "m_score")
SHARE_FEATURES = ("channel_mix", "format_affinity")  # dict columns: key -> share
FLAG_FEATURES = ("interests",)  # list columns
CATEGORY_FEATURES = ("rfm_group", "top_format")
CYCLIC_FEATURES = {"peak_hour": 24, "peak_weekday": 7}
# Counts, money and durations are skewed (a few customers spend 100 times the median); log1p keeps them
# from deciding every cluster on their own.
LOG_FEATURES = frozenset(MEASURES) - {"sentiment", "bot_score"}  # those two are bounded scores

FEATURE_PRESETS: dict[str, tuple[str, ...]] = {
    "rfm": ("recency_days", "frequency", "monetary", "clv_estimate"),
    "engagement": (
        "events_total",
        "events_30d",
        "engagement_rate",
        "decayed_activity",
        "posting_per_week",
        "response_latency_hours",
    ),
    "channel_mix": ("channel_mix",),
    "interests": ("interests",),
}
SCALINGS = ("standard", "robust")
ALGORITHMS = ("kmeans", "gmm", "dbscan", "agglomerative")


def is_known_feature(name: str) -> bool:
    base, dot, key = name.partition(".")
    if not dot:
        return name in NUMERIC_FEATURES or name in (
            *SHARE_FEATURES,
            *FLAG_FEATURES,
            *CATEGORY_FEATURES,
            *CYCLIC_FEATURES,
        )
    return bool(key) and base in (*SHARE_FEATURES, *FLAG_FEATURES, *CATEGORY_FEATURES)


@dataclass(frozen=True)
class ClusteringConfig:
    """What to cluster on and how. `features` wins over `preset`; `preset` alone selects its features
    and is kept as where the marketer started. `k` fixes the number of clusters; without it k is
    chosen in k_min..k_max (DBSCAN finds its own number and ignores both)."""

    features: tuple[str, ...] = ()
    preset: str | None = "rfm"
    scaling: str = "standard"
    log_transform: bool = True
    pca_components: int | None = None
    algorithm: str = "kmeans"
    k: int | None = None
    k_min: int = 2
    k_max: int = 10
    min_segment_size: int = 100
    exclude_bots: bool = True
    consent_purpose: str | None = None  # the frame's `consented` column says who agreed to it
    top_interests: int = 10
    fit_sample: int = 100_000  # k selection, GMM and micro-clusters fit on this many rows
    silhouette_sample: int = 10_000
    projection_sample: int = 5_000  # scatter and silhouette plot
    micro_clusters: int = 1_000  # agglomerative: k-means centroids the tree is built on
    density_sample: int = 20_000  # DBSCAN fits on this many rows
    dbscan_eps: float | None = None  # None: the knee of the k-distance curve
    dbscan_min_samples: int = 10
    bootstrap_resamples: int = 10  # 0 skips the bootstrap stability
    bootstrap_sample: int = 10_000
    selection_n_init: int = 3  # k-means restarts per candidate k on the selection sample
    random_state: int = 0
    n_init: int = 3

    def __post_init__(self) -> None:
        problems = []
        if not self.features and self.preset is None:
            problems.append("choose features or a preset")
        if self.preset is not None and self.preset not in FEATURE_PRESETS:
            problems.append(f"unknown preset {self.preset!r}")
        problems += [f"unknown feature {name!r}" for name in self.features if not is_known_feature(name)]
        if self.scaling not in SCALINGS:
            problems.append(f"scaling must be one of {', '.join(SCALINGS)}")
        if self.algorithm not in ALGORITHMS:
            problems.append(f"algorithm must be one of {', '.join(ALGORITHMS)}")
        if self.k is not None and self.k < 2:
            problems.append("k must be at least 2")
        if not 2 <= self.k_min <= self.k_max:
            problems.append("the k range must satisfy 2 <= k_min <= k_max")
        if self.pca_components is not None and self.pca_components < 2:
            problems.append("PCA needs at least 2 components")
        if self.min_segment_size < 1 or self.n_init < 1 or self.selection_n_init < 1:
            problems.append("min_segment_size, n_init and selection_n_init must be positive")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def resolved_features(self) -> tuple[str, ...]:
        return self.features or FEATURE_PRESETS[self.preset or ""]

    @property
    def candidate_ks(self) -> list[int]:
        return [self.k] if self.k is not None else list(range(self.k_min, self.k_max + 1))

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["features"] = list(self.features)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ClusteringConfig":
        """The inverse of to_dict; missing keys take their defaults, unknown keys are an error (a
        setting this code does not know would be silently ignored, and the run not repeated)."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown clustering settings: {', '.join(unknown)}")
        values = dict(values)
        if "features" in values:
            values["features"] = tuple(values["features"])
        return cls(**values)
