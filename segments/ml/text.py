"""Psychographic features from what people write: sentiment with VADER (its lexicon ships inside
the vaderSentiment package) and interests from hashtags and keywords through a taxonomy."""

import re
from collections.abc import Iterable, Mapping
from functools import cache

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

WORD = r"\w+"
KEYWORD = re.compile(r"^\w+$")
INTEREST_LIMIT = 5


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment_scores(texts: pd.Series) -> pd.Series:
    """VADER's compound score (-1 very negative ... +1 very positive) of each text. Each distinct text
    is scored once: VADER takes ~25 µs a text, and comments repeat (bots, copied replies)."""
    codes, distinct = pd.factorize(texts, sort=False)
    analyzer = _analyzer()
    scores = np.fromiter(
        (analyzer.polarity_scores(text)["compound"] for text in distinct),
        dtype=np.float64,
        count=len(distinct),
    )
    return pd.Series(scores[codes], index=texts.index)


def normalise_keyword(keyword: str) -> str:
    """Lower-case, without a leading #; the form hashtags and words are matched in."""
    return keyword.strip().lstrip("#").lower()


def is_valid_keyword(keyword: str) -> bool:
    """One word (letters, digits, underscore), as a hashtag is."""
    return bool(KEYWORD.match(normalise_keyword(keyword)))


def keyword_index(taxonomy: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """(keyword, topic) rows; a keyword may signal several topics."""
    rows = [
        (normalise_keyword(keyword), topic) for topic, keywords in taxonomy.items() for keyword in keywords
    ]
    return pd.DataFrame(rows, columns=["keyword", "topic"]).drop_duplicates()


def text_topics(texts: pd.Series, taxonomy: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """(text position, topic) for every text that mentions one of a topic's keywords, as a hashtag
    (#MachineLearning) or a word; each pair once however often the text repeats it."""
    index = keyword_index(taxonomy)
    if index.empty or texts.empty:
        return pd.DataFrame({"position": pd.Series(dtype=np.int64), "topic": pd.Series(dtype=object)})
    codes, distinct = pd.factorize(texts, sort=False)
    words = pd.Series(distinct).str.lower().str.findall(WORD).explode().dropna()
    found = words.rename("keyword").reset_index().merge(index, on="keyword")
    found = found[["index", "topic"]].drop_duplicates().rename(columns={"index": "distinct"})
    occurrences = pd.DataFrame({"position": np.arange(len(codes)), "distinct": codes})
    return occurrences.merge(found, on="distinct")[["position", "topic"]]


def profile_interests(
    profile: np.ndarray,
    texts: pd.Series,
    taxonomy: Mapping[str, Iterable[str]],
    limit: int = INTEREST_LIMIT,
) -> pd.DataFrame:
    """(profile, topic, hits) rows: each profile's topics, the most mentioned first (by how many of
    their texts mention it, then by name), at most `limit`; sorted by profile."""
    mentions = text_topics(texts.reset_index(drop=True), taxonomy)
    if mentions.empty:
        return pd.DataFrame({"profile": [], "topic": [], "hits": []}).astype({"profile": np.int64})
    mentions["profile"] = np.asarray(profile)[mentions["position"].to_numpy()]
    hits = mentions.groupby(["profile", "topic"]).size().rename("hits").reset_index()
    hits = hits.sort_values(["profile", "hits", "topic"], ascending=[True, False, True])
    return hits.groupby("profile").head(limit).reset_index(drop=True)


def mean_per_profile(profile: np.ndarray, values: np.ndarray, profile_count: int) -> np.ndarray:
    """Mean of `values` per profile; NaN for profiles without any."""
    counts = np.bincount(profile, minlength=profile_count)
    sums = np.bincount(profile, weights=values, minlength=profile_count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)
