import numpy as np
import pandas as pd
import pytest

from segments.defaults import BLOCKED_SEGMENT_TERMS
from segments.ml.card_names import name_allowed
from segments.ml.cards import segment_card, segment_cards
from segments.ml.clustering import ClusteringConfig, fit_segments
from tests.segments.ml.planted import planted_frame


def _population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "monetary": [10.0, 10.0, 30.0, 30.0],
            "frequency": [1, 1, 3, 3],
            "sentiment": [0.0, np.nan, 0.5, 0.3],
            "channel_mix": [{"x": 1.0}, {"x": 1.0}, {"instagram": 1.0}, {"instagram": 0.5, "x": 0.5}],
            "rfm_group": ["Lost", "Lost", "Loyal", "Champions"],
            "interests": [["food"], [], ["travel", "food"], ["travel"]],
            "peak_hour": [9, 9, 21, 21],
        }
    )


def test_standardised_differences_on_a_frame_checked_by_hand():
    population = _population()
    card = segment_card(population.iloc[2:], population, blocked_terms=[])
    # Spend: mean 20, standard deviation 10 (over all four); the segment's mean 30 is 1.0 above.
    assert card["standardised_differences"]["monetary"] == 1.0
    assert card["standardised_differences"]["frequency"] == 1.0
    # Sentiment over those with a value: population (0 + 0.5 + 0.3) / 3, segment 0.4.
    assert card["means"]["sentiment"] == {"segment": 0.4, "population": round(0.8 / 3, 4)}
    spend = next(item for item in card["distinguishing"] if item["feature"] == "monetary")
    assert spend["direction"] == "higher"
    assert spend["words"] == "spends 1.5\u00d7 as much as average"
    assert card["size"] == 2 and card["share"] == 0.5
    assert card["value"]["monetary_total"] == 60.0 and card["value"]["monetary_share"] == 0.75
    assert card["rfm_mix"]["segment"] == {"Champions": 0.5, "Loyal": 0.5}
    assert card["channel_mix"]["segment"] == {"instagram": 0.75, "x": 0.25}
    assert card["channel_mix"]["population"] == {"instagram": 0.375, "x": 0.625}
    assert card["peak_hours"] == [{"hour": 21, "share": 1.0}]
    assert card["top_interests"] == [
        {"topic": "travel", "share": 1.0, "lift": 2.0},
        {"topic": "food", "share": 0.5, "lift": 1.0},
    ]
    assert card["sentiment"]["positive_share"] == 1.0
    assert card["top_hashtags"] == []


def test_a_segment_named_from_its_facts():
    population = _population()
    card = segment_card(population.iloc[2:], population, blocked_terms=[])
    # RFM groups tie at half each; the later name, Loyal, wins the tie.
    assert card["suggested_name"] == "Instagram-first loyal big spenders into travel"
    assert any("Instagram" in fact for fact in card["name_facts"])


@pytest.fixture(scope="module")
def planted_cards():
    frame = planted_frame()
    frame["rfm_group"] = np.where(
        frame["frequency"] > 12, "Loyal", np.where(frame["frequency"] > 0, "Lost", "")
    )
    result = fit_segments(
        frame,
        ClusteringConfig(
            features=("frequency", "monetary", "channel_mix.instagram"), k=5, min_segment_size=50
        ),
    )
    return frame, result.labels


def test_suggested_names_never_contain_a_blocked_term(planted_cards):
    frame, labels = planted_cards
    free = [card["suggested_name"] for card in segment_cards(frame, labels, blocked_terms=[]).values()]
    words = {word.lower() for name in free for word in name.replace("-", " ").split()}
    assert {"loyal", "big", "instagram", "fans"} <= words  # what the blocked list below must remove

    blocked = [*BLOCKED_SEGMENT_TERMS, "loyal", "big spenders", "Instagram", "fans", "customers"]
    cards = segment_cards(frame, labels, blocked_terms=blocked)
    for card in cards.values():
        assert name_allowed(card["suggested_name"], blocked) == (True, None), card["suggested_name"]
        assert card["suggested_name"]
    assert len(cards) == 5


@pytest.mark.parametrize(
    ("name", "allowed", "term"),
    [
        ("Poor spenders", False, "poor"),
        ("Instagram-poor buyers", False, "poor"),  # a hyphen ends a word
        ("POOR  spenders", False, "poor"),
        ("Poorly served", True, None),  # a longer word is another word
        ("Poorer households", True, None),
        ("Big   Spenders", False, "big spenders"),
        ("Big weekend spenders", True, None),
    ],
)
def test_blocked_terms_match_whole_words_case_insensitively(name, allowed, term):
    assert name_allowed(name, ["poor", "big spenders", " "]) == (allowed, term)
