import numpy as np
import pandas as pd

from segments.ml.text import (
    is_valid_keyword,
    normalise_keyword,
    profile_interests,
    sentiment_scores,
    text_topics,
)

TAXONOMY = {
    "AI and data": ["ai", "machinelearning", "data"],
    "Fashion": ["#fashion", "OOTD"],
    "Deals": ["sale"],
}


def test_sentiment_has_the_sign_of_clear_sentences():
    scores = sentiment_scores(
        pd.Series(
            ["I love this, it is wonderful!", "This is terrible, I hate it.", "The parcel came on Tuesday."]
        )
    )
    assert scores[0] > 0.5
    assert scores[1] < -0.5
    assert scores[2] == 0


def test_repeated_texts_get_the_same_score():
    scores = sentiment_scores(pd.Series(["great stuff", "awful", "great stuff"]))
    assert scores[0] == scores[2]


def test_hashtags_lead_to_their_topic():
    topics = text_topics(pd.Series(["#MachineLearning #AI"]), TAXONOMY)
    assert topics.to_dict("records") == [{"position": 0, "topic": "AI and data"}]


def test_plain_words_count_and_keywords_are_normalised():
    topics = text_topics(pd.Series(["Big sale on today", "my #ootd", "nothing to see"]), TAXONOMY)
    assert sorted(map(tuple, topics.to_numpy().tolist())) == [(0, "Deals"), (1, "Fashion")]


def test_interests_are_ordered_by_mentions_then_name_and_limited():
    texts = pd.Series(["#fashion", "#ootd again", "#ai", "sale", "#ai #sale"])
    profile = np.array([0, 0, 0, 1, 1])
    interests = profile_interests(profile, texts, TAXONOMY, limit=1)
    assert interests[["profile", "topic"]].to_numpy().tolist() == [[0, "Fashion"], [1, "Deals"]]
    full = profile_interests(profile, texts, TAXONOMY)
    assert full[full["profile"] == 1]["topic"].tolist() == ["Deals", "AI and data"]


def test_no_taxonomy_gives_no_interests():
    assert profile_interests(np.array([0]), pd.Series(["#ai"]), {}).empty


def test_keywords_are_single_words():
    assert normalise_keyword(" #MachineLearning ") == "machinelearning"
    assert is_valid_keyword("#ootd")
    assert not is_valid_keyword("machine learning")
