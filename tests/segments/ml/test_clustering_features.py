import numpy as np
import pandas as pd
import pytest

from segments.ml.clustering import ClusteringConfig, expand_features, feature_matrix


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "recency_days": [10.0, np.nan, 30.0, 20.0],
            "r_score": pd.array([5, pd.NA, 1, 3], dtype="Int16"),
            "sentiment": [0.5, np.nan, -0.5, 0.1],
            "response_latency_hours": [1.0, 3.0, np.nan, 10.0],
            "channel_mix": [{"instagram": 0.75, "x": 0.25}, {}, None, {"tiktok": 1.0}],
            "interests": [["travel", "food"], ["travel"], [], ["gaming", "travel"]],
            "rfm_group": ["Loyal", "", "Lost", "Loyal"],
            "peak_hour": pd.array([0, 6, pd.NA, 12], dtype="Int16"),
        }
    )


def test_missing_values_are_imputed_by_the_stated_rules():
    config = ClusteringConfig(features=("recency_days", "r_score", "sentiment", "response_latency_hours"))
    expanded = expand_features(_frame(), config)
    assert expanded["recency_days"].tolist() == [10.0, 30.0, 30.0, 20.0]  # never bought: the most lapsed
    assert expanded["r_score"].tolist() == [5.0, 0.0, 1.0, 3.0]  # not a customer: below every quintile
    assert expanded["sentiment"].tolist() == [0.5, 0.0, -0.5, 0.1]  # wrote nothing: neutral
    assert expanded["response_latency_hours"].tolist() == [1.0, 3.0, 3.0, 10.0]  # the median


def test_dict_list_category_and_clock_columns_expand_into_numbers():
    config = ClusteringConfig(
        features=("channel_mix", "interests", "rfm_group", "peak_hour"), top_interests=2
    )
    expanded = expand_features(_frame(), config)
    assert list(expanded.columns) == [
        "channel_mix.instagram",
        "channel_mix.tiktok",
        "channel_mix.x",
        "interests.travel",
        "interests.food",  # food and gaming tie on one profile each; the name decides
        "rfm_group.Lost",
        "rfm_group.Loyal",
        "peak_hour.sin",
        "peak_hour.cos",
    ]
    assert expanded["channel_mix.instagram"].tolist() == [0.75, 0.0, 0.0, 0.0]
    assert expanded["interests.travel"].tolist() == [1.0, 1.0, 0.0, 1.0]
    assert expanded["rfm_group.Loyal"].tolist() == [1.0, 0.0, 0.0, 1.0]
    np.testing.assert_allclose(expanded["peak_hour.sin"], [0.0, 1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(expanded["peak_hour.cos"], [1.0, 0.0, 0.0, -1.0], atol=1e-12)


def test_one_key_of_a_dict_column_and_columns_already_expanded_by_a_selector():
    frame = _frame()
    one = expand_features(frame, ClusteringConfig(features=("channel_mix.tiktok",)))
    assert one["channel_mix.tiktok"].tolist() == [0.0, 0.0, 0.0, 1.0]
    flat = pd.DataFrame({"channel_mix.x": [0.25, 0.0, 0.0, 0.0], "channel_mix.instagram": [0.75, 0, 0, 0]})
    expanded = expand_features(flat, ClusteringConfig(features=("channel_mix",)))
    assert list(expanded.columns) == ["channel_mix.instagram", "channel_mix.x"]


@pytest.mark.parametrize("scaling", ["standard", "robust"])
def test_scaled_columns_are_centred_and_comparable(scaling):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"monetary": rng.lognormal(3, 1, 1000), "sentiment": rng.normal(0, 0.3, 1000)})
    matrix, names = feature_matrix(
        frame, ClusteringConfig(features=("monetary", "sentiment"), scaling=scaling)
    )
    assert names == ["monetary", "sentiment"]
    assert matrix.flags["C_CONTIGUOUS"]
    centre = np.median(matrix, axis=0) if scaling == "robust" else matrix.mean(axis=0)
    np.testing.assert_allclose(centre, 0.0, atol=1e-9)
    if scaling == "standard":
        np.testing.assert_allclose(matrix.std(axis=0), 1.0)
    # Spend was log-transformed first: scaled, it is no longer skewed.
    assert abs(np.mean(matrix[:, 0] ** 3)) < 0.3


def test_pca_projects_on_the_asked_components():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(500, 1))
    frame = pd.DataFrame(
        {"monetary": base[:, 0], "frequency": base[:, 0] * 2, "sentiment": rng.normal(size=500)}
    )
    config = ClusteringConfig(
        features=("monetary", "frequency", "sentiment"), log_transform=False, pca_components=2
    )
    matrix, names = feature_matrix(frame, config)
    assert names == ["pc1", "pc2"] and matrix.shape == (500, 2)


def test_presets_name_their_features():
    assert ClusteringConfig(preset="rfm").resolved_features == (
        "recency_days",
        "frequency",
        "monetary",
        "clv_estimate",
    )
    assert ClusteringConfig(preset="channel_mix", features=("monetary",)).resolved_features == ("monetary",)
