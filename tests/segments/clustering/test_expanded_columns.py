"""The frame reader expands interest lists into 0/1 columns in SQL; segments.ml must read those as it
reads the lists themselves."""

import numpy as np
import pandas as pd

from segments.ml.cards import segment_cards
from segments.ml.clustering import ClusteringConfig, fit_segments
from tests.segments.ml.planted import planted_frame

TOPICS = ["travel", "food", "fitness"]


def with_interests(frame: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = frame.copy()
    # Each planted group leans to one topic.
    frame["interests"] = [
        [
            topic
            for position, topic in enumerate(TOPICS)
            if rng.random() < (0.7 if group % 3 == position else 0.1)
        ]
        for group in frame["group"]
    ]
    return frame


def expanded(frame: pd.DataFrame) -> pd.DataFrame:
    flags = {
        f"interests.{topic}": frame["interests"].map(lambda topics, t=topic: int(t in topics))
        for topic in TOPICS
    }
    return frame.drop(columns="interests").assign(**flags)


def test_cards_read_expanded_interests_as_lists():
    frame = with_interests(planted_frame(size=100))
    labels = frame["group"].to_numpy()

    from_lists = segment_cards(frame, labels, blocked_terms=[])
    from_flags = segment_cards(expanded(frame), labels, blocked_terms=[])

    for label, card in from_lists.items():
        assert from_flags[label]["top_interests"] == card["top_interests"]
        assert from_flags[label]["suggested_name"] == card["suggested_name"]


def test_clustering_on_expanded_interests_matches_clustering_on_lists():
    frame = with_interests(planted_frame(size=100))
    config = ClusteringConfig(
        features=("monetary", "interests"), k=3, bootstrap_resamples=0, min_segment_size=5
    )

    from_lists = fit_segments(frame, config)
    from_flags = fit_segments(expanded(frame), config)

    assert (from_flags.labels == from_lists.labels).all()
    assert sorted(from_flags.centroids.columns) == sorted(from_lists.centroids.columns)
