"""From a frame of ProfileFeatures rows to the matrix a clustering run fits.

Three steps, each stated so a marketer's question "why is this person here?" has an answer:
1. Expand dict, list, category and clock columns into numeric ones (see clustering_config).
2. Impute missing values: recency_days (never bought) as the largest recency seen, so non-buyers sit
   with the most lapsed buyers; r/f/m scores (not a customer) as 0, below the lowest quintile;
   sentiment (wrote nothing) as 0, neutral; any other number as its median; shares, flags and
   categories as 0; a missing peak hour or weekday as (0, 0), the centre of the clock.
3. log1p the skewed columns (LOG_FEATURES, negatives clipped to 0) when `log_transform`, then scale:
   "standard" (mean 0, standard deviation 1) or "robust" (median 0, interquartile range 1; a column
   whose IQR is 0, such as a share most people lack, falls back on its standard deviation), and project
   on `pca_components` principal components when asked.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from segments.ml.clustering_config import (
    CATEGORY_FEATURES,
    CYCLIC_FEATURES,
    FLAG_FEATURES,
    LOG_FEATURES,
    NUMERIC_FEATURES,
    SHARE_FEATURES,
    ClusteringConfig,
)

BLOCK_ROWS_ELEMENTS = 1_048_576
FIXED_IMPUTATIONS = {"r_score": 0.0, "f_score": 0.0, "m_score": 0.0, "sentiment": 0.0}


@dataclass(frozen=True)
class FeatureSpace:
    """How the model matrix was made from the expanded columns; kept with the run's settings."""

    columns: list[str]  # expanded columns, in original units
    model_columns: list[str]  # the matrix's columns: `columns`, or pc1.. after PCA
    center: np.ndarray
    scale: np.ndarray
    explained_variance: list[float] | None  # share per principal component, with PCA


def feature_matrix(frame: pd.DataFrame, config: ClusteringConfig) -> tuple[np.ndarray, list[str]]:
    """The scaled (and projected) matrix of `config`'s features, row i for frame row i."""
    matrix, space = model_space(expanded_columns(frame, config), config)
    return matrix, space.model_columns


def expand_features(frame: pd.DataFrame, config: ClusteringConfig) -> pd.DataFrame:
    """Numeric columns in original units with missing values imputed, index as the frame's."""
    return pd.DataFrame(expanded_columns(frame, config), index=frame.index)


def expanded_columns(frame: pd.DataFrame, config: ClusteringConfig) -> dict[str, np.ndarray]:
    """expand_features as separate arrays (at a million rows, no DataFrame or 2-D copy is made)."""
    parts: dict[str, np.ndarray] = {}
    for name in config.resolved_features:
        base, _, key = name.partition(".")
        keys = [key] if key else None
        if base in NUMERIC_FEATURES:
            parts[name] = _numeric(frame, name)
        elif base in SHARE_FEATURES:
            parts.update(share_columns(frame, base, keys))
        elif base in FLAG_FEATURES:
            parts.update(_flags(frame, base, keys, config.top_interests))
        elif base in CATEGORY_FEATURES:
            parts.update(_categories(frame, base, keys))
        elif base in CYCLIC_FEATURES:
            parts.update(_cyclic(frame, base, CYCLIC_FEATURES[base]))
    if not parts:
        raise ValueError("the chosen features expand to no columns (no channel, interest or category data)")
    return parts


def model_space(expanded: dict[str, np.ndarray], config: ClusteringConfig) -> tuple[np.ndarray, FeatureSpace]:
    """The matrix the algorithms fit (rows C-contiguous, as scikit-learn wants them).

    Statistics a column at a time, then the matrix a block of rows at a time: at a million rows a
    whole-matrix temporary is 100 MB of fresh pages, which cost more here than the arithmetic."""
    columns = list(expanded)
    arrays = [np.asarray(expanded[column], dtype=np.float64) for column in columns]
    logged = [
        position for position, column in enumerate(columns) if config.log_transform and column in LOG_FEATURES
    ]
    center = np.empty(len(columns))
    scale = np.empty(len(columns))
    for position, values in enumerate(arrays):
        if position in logged:
            values = np.log1p(np.clip(values, 0, None))
        center[position], scale[position] = _center_and_scale(values, config.scaling)
    count = len(arrays[0])
    matrix = np.empty((count, len(columns)), order="C")
    rows = max(1, BLOCK_ROWS_ELEMENTS // len(columns))
    for start in range(0, count, rows):
        block = np.column_stack([values[start : start + rows] for values in arrays])
        if logged:
            block[:, logged] = np.log1p(np.clip(block[:, logged], 0, None))
        block -= center
        block /= scale
        matrix[start : start + len(block)] = block
    explained = None
    model_columns = columns
    if config.pca_components is not None:
        if config.pca_components >= len(columns):
            raise ValueError(
                f"PCA to {config.pca_components} components needs more than {len(columns)} columns"
            )
        pca = PCA(
            n_components=config.pca_components, svd_solver="covariance_eigh", random_state=config.random_state
        )
        matrix = np.ascontiguousarray(pca.fit_transform(matrix))
        explained = [round(float(share), 4) for share in pca.explained_variance_ratio_]
        model_columns = [f"pc{number}" for number in range(1, config.pca_components + 1)]
    return matrix, FeatureSpace(columns, model_columns, center, scale, explained)


def column_std(expanded: dict[str, np.ndarray]) -> pd.Series:
    """Standard deviation of each expanded column, in original units."""
    return pd.Series({column: float(values.std()) for column, values in expanded.items()})


def _center_and_scale(values: np.ndarray, scaling: str) -> tuple[float, float]:
    std = float(values.std())
    if scaling == "robust":
        q25, center, q75 = np.quantile(values, [0.25, 0.5, 0.75])
        spread = q75 - q25 if q75 > q25 else std
    else:
        center, spread = values.mean(), std
    return float(center), float(spread) if spread > 0 else 1.0


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(values)
    if missing.any():
        present = values[~missing]
        if name in FIXED_IMPUTATIONS:
            fill = FIXED_IMPUTATIONS[name]
        elif present.size == 0:
            fill = 0.0
        else:
            fill = present.max() if name == "recency_days" else float(np.median(present))
        values[missing] = fill
    return values


def share_columns(frame: pd.DataFrame, base: str, keys: list[str] | None) -> dict[str, np.ndarray]:
    """From a dict column, or from columns already expanded as `<base>.<key>` (a selector may do it
    in SQL, which is faster than Python dicts at a million rows)."""
    if base not in frame.columns:
        prefix = f"{base}."
        present = sorted(column[len(prefix) :] for column in frame.columns if column.startswith(prefix))
        return {f"{prefix}{key}": _numeric_or_zero(frame, f"{prefix}{key}") for key in (keys or present)}
    dicts = [value if isinstance(value, dict) else {} for value in frame[base].tolist()]
    keys = keys or sorted(set().union(*dicts))
    return {
        f"{base}.{key}": np.fromiter(
            (float(entry.get(key) or 0.0) for entry in dicts), dtype=np.float64, count=len(dicts)
        )
        for key in keys
    }


def _numeric_or_zero(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)


def _flags(frame: pd.DataFrame, base: str, keys: list[str] | None, top: int) -> dict[str, np.ndarray]:
    """A 0/1 column per topic: the given ones, else the `top` most common (ties by name). From a list
    column, or from columns already expanded as `<base>.<topic>` (as share_columns)."""
    if base not in frame.columns:
        prefix = f"{base}."
        present = {column[len(prefix) :]: column for column in frame.columns if column.startswith(prefix)}
        if keys is None:
            counts = {topic: float(frame[column].sum()) for topic, column in present.items()}
            keys = sorted(counts, key=lambda topic: (-counts[topic], topic))[:top]
        return {f"{prefix}{key}": _numeric_or_zero(frame, f"{prefix}{key}") for key in keys}
    listed = pd.Series(frame[base].to_numpy(), dtype=object)
    items = listed.map(lambda value: list(value) if isinstance(value, list | tuple | np.ndarray) else [])
    topics = items.explode().dropna()
    if keys is None:
        counts = topics.value_counts()
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        keys = [topic for topic, _ in ranked[:top]]
    codes = pd.Categorical(topics, categories=keys).codes
    flags = np.zeros((len(frame), len(keys)))
    found = codes >= 0
    flags[topics.index.to_numpy()[found], codes[found]] = 1.0
    return {f"{base}.{key}": flags[:, position] for position, key in enumerate(keys)}


def _categories(frame: pd.DataFrame, base: str, keys: list[str] | None) -> dict[str, np.ndarray]:
    values = frame[base].fillna("").astype(str).to_numpy()
    keys = keys or sorted(set(values) - {""})
    return {f"{base}.{key}": (values == key).astype(np.float64) for key in keys}


def _cyclic(frame: pd.DataFrame, base: str, period: int) -> dict[str, np.ndarray]:
    positions = pd.to_numeric(frame[base], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    angle = 2 * np.pi * positions / period
    missing = np.isnan(positions)
    return {
        f"{base}.sin": np.where(missing, 0.0, np.sin(angle)),
        f"{base}.cos": np.where(missing, 0.0, np.cos(angle)),
    }
