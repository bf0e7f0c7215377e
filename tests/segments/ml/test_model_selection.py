import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_samples

from segments.ml.cluster_metrics import knee_point, silhouette_values
from segments.ml.clustering import ClusteringConfig, feature_matrix, fit_segments
from segments.ml.model_selection import choose_k
from tests.segments.ml.planted import planted_frame

FEATURES = ("frequency", "monetary", "channel_mix.instagram")


def test_recommended_k_finds_the_five_planted_groups_where_silhouette_alone_prefers_fewer():
    frame = planted_frame()
    config = ClusteringConfig(features=FEATURES, k_min=2, k_max=10, min_segment_size=50)
    result = fit_segments(frame, config)

    by_silhouette = max(result.metrics, key=lambda metrics: metrics["silhouette"])["k"]
    assert by_silhouette < 5
    assert result.chosen_k == 5
    assert result.recommendation["k"] == 5
    assert adjusted_rand_score(frame["group"], result.labels) > 0.95
    reasons = " ".join(result.recommendation["reasons"])
    assert "k=2 to 10" in reasons and "minimum segment size of 50" in reasons
    assert "k=5: best combined rank" in reasons
    assert f"k={by_silhouette} had the best silhouette" in reasons
    assert "differ clearly in number of purchases" in reasons


def test_choose_k_returns_the_metrics_of_every_candidate():
    matrix, names = feature_matrix(planted_frame(), ClusteringConfig(features=FEATURES))
    k, metrics, reasons = choose_k(
        matrix, list(range(2, 9)), min_segment_size=50, random_state=0, n_init=3, feature_names=names
    )
    assert k == 5
    assert [entry["k"] for entry in metrics] == list(range(2, 9))
    chosen = next(entry for entry in metrics if entry["k"] == 5)
    assert set(chosen["ranks"]) == {"silhouette", "davies_bouldin", "calinski_harabasz", "elbow"}
    assert chosen["combined_rank"] == min(entry["combined_rank"] for entry in metrics)
    assert reasons[1].startswith("k=5: best combined rank")


def test_ks_that_would_make_a_cluster_under_the_minimum_size_are_left_out():
    # Three groups of 300: from k=4 on, some cluster holds fewer than 250 profiles.
    frame = planted_frame(groups=[(15, 60, 0.8, 200), (0, 0, 0.8, 150), (0, 0, 0.2, 10)])
    result = fit_segments(frame, ClusteringConfig(features=FEATURES, k_max=6, min_segment_size=250))
    eligible = {entry["k"]: entry["eligible"] for entry in result.metrics}
    assert eligible == {2: True, 3: True, 4: False, 5: False, 6: False}
    assert result.chosen_k == 3
    assert any(
        "left out" in reason and "minimum segment size of 250" in reason
        for reason in result.recommendation["reasons"]
    )


def test_when_no_k_keeps_the_minimum_size_the_closest_is_taken_and_merged():
    frame = planted_frame(groups=[(15, 60, 0.8, 200), (0, 0, 0.2, 10)], size=[300, 40])
    result = fit_segments(frame, ClusteringConfig(features=FEATURES, k_min=2, k_max=3, min_segment_size=100))
    assert result.chosen_k == 1
    assert "comes closest" in result.recommendation["reasons"][1]
    assert result.small_clusters and result.small_clusters[0]["merged_into"] == 0


def test_silhouettes_of_several_labellings_match_scikit_learn():
    rng = np.random.default_rng(4)
    points = rng.normal(size=(400, 3))
    labellings = [rng.integers(0, 3, 400), rng.integers(0, 5, 400)]
    labellings[0][0] = 2  # keep every label present
    for ours, labels in zip(silhouette_values(points, labellings), labellings, strict=True):
        np.testing.assert_allclose(ours, silhouette_samples(points, labels), atol=1e-9)


def test_a_point_alone_in_its_cluster_has_silhouette_zero():
    points = np.array([[0.0], [0.1], [0.2], [5.0]])
    values = silhouette_values(points, [np.array([0, 0, 0, 1])])[0]
    assert values[3] == 0.0
    assert (values[:3] > 0.9).all()


@pytest.mark.parametrize(
    ("ys", "increasing", "expected"),
    [
        ([100, 40, 15, 12, 10, 9], False, 2),  # inertia falls steeply, then flattens
        ([1, 1.1, 1.2, 1.3, 4, 9], True, 3),  # k-distances stay low, then shoot up
        ([5, 4, 3, 2, 1, 0], False, None),  # a straight line has no knee
    ],
)
def test_knee_point(ys, increasing, expected):
    assert knee_point(list(range(len(ys))), ys, increasing=increasing) == expected
