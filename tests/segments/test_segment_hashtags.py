from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from segments.models import Segment
from segments.services import segment_hashtags
from segments.services.segment_hashtags import top_hashtags, top_hashtags_of_groups
from segments.services.segment_versions import NewVersion, segment_versions_write
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_the_share_of_members_using_each_recent_hashtag_merged_profiles_included(marketer):
    ada, bea, cy, stranger = ProfileFactory.create_batch(4)
    old_ada = ProfileFactory(merged_into=ada)
    comment = {"event_type": "comment"}
    EventFactory(profile=ada, text="Love it #Style #ootd", **comment)
    EventFactory(profile=ada, text="again #style", **comment)  # one person counts once
    EventFactory(profile=old_ada, text="from my old account #Travel", **comment)
    EventFactory(profile=bea, text="#style all day", **comment)
    EventFactory(profile=cy, text="#style", occurred_at=timezone.now() - timedelta(days=400), **comment)
    EventFactory(profile=cy, text="#style in a like is not a comment", event_type="like")
    EventFactory(profile=stranger, text="#style but not a member", **comment)
    segment = Segment.objects.create(name="Fans", kind="rule", owner=marketer)
    (version,) = segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([ada.id, bea.id, cy.id]))]
    )

    tags = top_hashtags(version_ids=[version.id])[version.id]

    assert tags == [
        {"topic": "style", "share": round(2 / 3, 4)},
        {"topic": "ootd", "share": round(1 / 3, 4)},
        {"topic": "travel", "share": round(1 / 3, 4)},
    ]


def test_a_version_without_comments_has_none(marketer):
    segment = Segment.objects.create(name="Quiet", kind="rule", owner=marketer)
    (version,) = segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([ProfileFactory().id]))]
    )
    assert top_hashtags(version_ids=[version.id]) == {version.id: []}


def test_groups_not_yet_written_get_the_same_figures_as_their_versions(marketer):
    ada, bea, cy = ProfileFactory.create_batch(3)
    EventFactory(profile=ada, text="#style #ootd", event_type="comment")
    EventFactory(profile=bea, text="#Style", event_type="comment")
    EventFactory(profile=cy, text="#travel", event_type="comment")
    groups = {0: np.array([ada.id, bea.id]), 1: np.array([cy.id]), 2: np.array([], dtype=np.int64)}

    tags = top_hashtags_of_groups(groups=groups)

    assert tags == {
        0: [{"topic": "style", "share": 1.0}, {"topic": "ootd", "share": 0.5}],
        1: [{"topic": "travel", "share": 1.0}],
        2: [],
    }
    segment = Segment.objects.create(name="Fans", kind="rule", owner=marketer)
    (version,) = segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=groups[0])])
    assert top_hashtags(version_ids=[version.id])[version.id] == tags[0]


def test_a_big_group_is_sampled_the_same_way_every_time(monkeypatch):
    monkeypatch.setattr(segment_hashtags, "SAMPLE", 50)
    ids = np.arange(1, 1001, dtype=np.int64)
    first = segment_hashtags._sample(ids)
    assert len(first) == 50 and len(set(first)) == 50
    assert set(segment_hashtags._sample(ids[::-1])) == set(first)
    assert first.max() > 500  # spread over the ids, not the lowest ones
