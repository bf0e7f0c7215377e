import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from segments.ml.clustering import ClusteringConfig, fit_segments
from tests.segments.ml.planted import blobs, planted_frame

FEATURES = ("frequency", "monetary", "channel_mix.instagram")
PLAIN = {"features": ("monetary", "frequency"), "log_transform": False, "min_segment_size": 50}


def test_the_same_seed_repeats_the_run_exactly_and_the_stored_config_repeats_it_too():
    frame = planted_frame()
    config = ClusteringConfig(features=FEATURES, k_max=8, min_segment_size=50, random_state=11)
    first = fit_segments(frame, config)
    again = fit_segments(frame, config)
    stored = fit_segments(frame, ClusteringConfig.from_dict(json.loads(json.dumps(config.to_dict()))))
    for other in (again, stored):
        np.testing.assert_array_equal(first.labels, other.labels)
        np.testing.assert_array_equal(first.confidence, other.confidence)
        assert first.metrics == other.metrics
        assert first.stability == other.stability
    assert first.settings["config"]["random_state"] == 11


def test_a_tiny_planted_group_is_merged_into_its_nearest_large_cluster_never_published():
    frame = blobs([(0, 0), (8, 0), (0, 8), (14, 14)], size=200)
    frame = frame[(frame["group"] < 3) | (frame.index % 20 == 0)]  # group 3: ten profiles
    result = fit_segments(frame, ClusteringConfig(**PLAIN, k=4))

    assert result.fitted_k == 4 and result.chosen_k == 3
    assert result.small_cluster_rule == "merged"
    assert result.small_clusters == [{"size": 10, "merged_into": result.small_clusters[0]["merged_into"]}]
    assert min(result.sizes.values()) >= 50 and result.outliers == 0
    tiny = (frame["group"] == 3).to_numpy()
    assert len(set(result.labels[tiny])) == 1
    # Measured from the large cluster's own centre, merged-in profiles are less certain members.
    host = result.labels == result.labels[tiny][0]
    assert result.confidence[tiny].max() < np.median(result.confidence[host & ~tiny])
    assert any(
        "were merged into their nearest large cluster" in reason
        for reason in result.recommendation["reasons"]
    )


def test_confidence_is_lower_between_clusters():
    frame = blobs([(-4, 0), (4, 0)], size=300, spread=0.8)
    between = pd.DataFrame({"monetary": [0.0, 0.3, -0.3], "frequency": [0.0, 0.5, -0.5], "is_bot": False})
    between["profile_id"] = [9001, 9002, 9003]
    frame = pd.concat([frame, between], ignore_index=True)
    result = fit_segments(frame, ClusteringConfig(**PLAIN, k=2))
    confidence = pd.Series(result.confidence, index=result.profile_id)
    assert confidence.loc[[9001, 9002, 9003]].max() < 0.15
    assert confidence.drop([9001, 9002, 9003]).median() > 0.6
    assert ((result.confidence >= 0) & (result.confidence <= 1)).all()


def test_gaussian_mixture_gives_soft_memberships_that_sum_to_one():
    frame = blobs([(0, 0), (3, 0), (0, 6)], size=200, spread=0.9)
    result = fit_segments(frame, ClusteringConfig(**PLAIN, algorithm="gmm", k=3))
    assert result.memberships.shape == (600, 3)
    np.testing.assert_allclose(result.memberships.sum(axis=1), 1.0)
    np.testing.assert_array_equal(result.labels, result.memberships.argmax(axis=1))
    np.testing.assert_allclose(result.confidence, result.memberships.max(axis=1))
    # Between the two near groups, memberships are shared rather than all-or-nothing.
    assert ((result.memberships > 0.2) & (result.memberships < 0.8)).any(axis=1).sum() > 10
    assert adjusted_rand_score(frame["group"], result.labels) > 0.8


def test_agglomerative_on_micro_centroids_of_a_sample_assigns_every_profile():
    frame = planted_frame()
    config = ClusteringConfig(
        features=FEATURES,
        algorithm="agglomerative",
        k=5,
        min_segment_size=50,
        fit_sample=600,
        micro_clusters=60,
    )
    result = fit_segments(frame, config)
    assert result.settings["fitted"]["micro_clusters"] == 60
    assert len(result.labels) == len(frame) and (result.labels >= 0).all()
    assert adjusted_rand_score(frame["group"], result.labels) > 0.9
    assert ((result.confidence >= 0) & (result.confidence <= 1)).all()


def test_dbscan_leaves_small_dense_pockets_and_strays_as_outliers():
    frame = blobs([(0, 0), (10, 0), (0, 10), (10, 10)], size=200, spread=0.4)
    frame = frame[(frame["group"] < 3) | (frame.index % 10 == 0)]  # group 3: a pocket of 20
    result = fit_segments(frame, ClusteringConfig(**PLAIN, algorithm="dbscan", density_sample=400))
    assert result.chosen_k == 3
    assert result.small_cluster_rule == "outliers"
    assert (result.labels[(frame["group"] == 3).to_numpy()] == -1).all()
    assert result.outliers == (result.labels == -1).sum() >= 20
    assert (result.confidence[result.labels == -1] == 0).all()
    assert "outliers" not in result.membership_frame()["label"].astype(str).tolist()
    assert (result.membership_frame()["label"] >= 0).all()


def test_bots_and_profiles_without_consent_are_left_out():
    frame = planted_frame()
    frame["is_bot"] = frame.index % 10 == 0
    frame["consented"] = frame.index % 7 != 0
    config = ClusteringConfig(features=FEATURES, k=5, min_segment_size=50, consent_purpose="marketing")
    result = fit_segments(frame, config)
    kept = frame[~frame["is_bot"] & frame["consented"]]
    assert sorted(result.profile_id) == sorted(kept["profile_id"])
    refused_people = ~frame["consented"] & ~frame["is_bot"]
    assert result.excluded == {"bots": int(frame["is_bot"].sum()), "no_consent": int(refused_people.sum())}


def test_run_fields_are_json_and_carry_everything_the_run_row_stores():
    result = fit_segments(planted_frame(), ClusteringConfig(features=FEATURES, k_max=6, min_segment_size=50))
    fields = json.loads(json.dumps(result.run_fields()))
    assert fields["chosen_k"] == result.chosen_k == len(fields["metrics"]["sizes"])
    assert fields["profiles_used"] == 1500 and fields["outliers"] == 0
    assert len(fields["projection"]["x"]) == len(fields["projection"]["label"]) == 1500
    assert [cluster["label"] for cluster in fields["metrics"]["silhouette"]["clusters"]] == list(
        range(result.chosen_k)
    )
    values = fields["metrics"]["silhouette"]["clusters"][0]["values"]
    assert values == sorted(values, reverse=True)
    assert fields["metrics"]["elbow"]["k"] == [2, 3, 4, 5, 6]
    assert fields["stability"]["bootstrap_ari"] > 0.95
    assert set(fields["metrics"]["centroids"]["0"]) == set(FEATURES)
    members = result.membership_frame()
    assert list(members.columns) == ["profile_id", "label", "confidence"] and len(members) == 1500


def test_centroids_are_in_original_units():
    frame = blobs([(100, 2), (300, 9)], size=100, spread=0.01)
    result = fit_segments(
        frame, ClusteringConfig(features=("monetary", "frequency"), k=2, min_segment_size=50)
    )
    centroids = result.centroids.sort_values("monetary").round(0)
    assert centroids.to_dict("list") == {"monetary": [100.0, 300.0], "frequency": [2.0, 9.0]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"algorithm": "kmedoids"}, "algorithm"),
        ({"features": ("shoe_size",)}, "unknown feature"),
        ({"k_min": 5, "k_max": 3}, "k range"),
        ({"preset": None}, "features or a preset"),
    ],
)
def test_invalid_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        ClusteringConfig(**changes)


def test_stored_settings_with_an_unknown_key_are_refused():
    with pytest.raises(ValueError, match="unknown clustering settings: colour"):
        ClusteringConfig.from_dict({"colour": "blue"})


def test_features_that_do_not_vary_are_refused_with_the_reason():
    frame = planted_frame()
    for column in ("frequency", "monetary", "clv_estimate"):
        frame[column] = 0  # nobody has bought anything
    frame["recency_days"] = np.nan
    config = ClusteringConfig(
        features=("recency_days", "frequency", "monetary"), k_max=4, min_segment_size=50
    )
    with pytest.raises(ValueError, match="same values of these features"):
        fit_segments(frame, config)


def test_dbscan_finds_its_scale_when_most_profiles_are_exact_twins():
    frame = planted_frame()
    alike = frame.index % 20 != 0  # 95% never bought: one and the same point
    frame.loc[alike, ["frequency", "monetary", "clv_estimate"]] = 0
    frame.loc[alike, "recency_days"] = np.nan
    config = ClusteringConfig(**PLAIN, algorithm="dbscan", density_sample=1500)
    result = fit_segments(frame, config)
    assert result.settings["fitted"]["eps"] > 0
    json.dumps(result.run_fields(), allow_nan=False)
