import math
from datetime import timedelta

import pandas as pd
import pytest
from django.db import connection
from django.utils import timezone

from segments.ml.clustering_config import ClusteringConfig
from segments.models import Consent, Profile, ProfileFeatures
from segments.services.clustering_frame import clustering_frame_read
from segments.services.feature_shares import shares_array
from tests.factories import ProfileFactory


def test_the_frame_holds_canonical_profiles_with_expanded_columns(db):
    alice, bob, merged, carol = ProfileFactory.create_batch(4)
    Profile.objects.filter(id=merged.id).update(merged_into=bob)
    now = timezone.now()
    for person, values in (
        (
            alice,
            {
                "rfm_group": "Champions",
                "channel_shares": shares_array("channel_mix", {"instagram": 0.75, "x": 0.25}),
                "interests": ["travel"],
            },
        ),
        (bob, {"recency_days": 12.5, "peak_hour": 21, "interests": ["food", "travel"], "is_bot": True}),
        (merged, {"monetary": 999}),
        (carol, {"top_format": "video", "format_shares": shares_array("format_affinity", {"video": 1.0})}),
    ):
        ProfileFeatures.objects.create(profile=person, computed_at=now, **values)
    Consent.objects.create(
        profile=alice, purpose="marketing", granted=True, source=alice.source, recorded_at=now
    )
    Consent.objects.create(
        profile=carol,
        purpose="marketing",
        granted=True,
        source=carol.source,
        recorded_at=now,
        expires_at=now - timedelta(days=1),
    )

    config = ClusteringConfig(features=("top_format", "format_affinity"), consent_purpose="marketing")
    frame = clustering_frame_read(config=config).set_index("profile_id")

    assert list(frame.index) == [alice.id, bob.id, carol.id]
    assert frame.loc[alice.id, "channel_mix.instagram"] == 0.75
    assert frame.loc[bob.id, "channel_mix.x"] == 0.0
    assert frame.loc[carol.id, "format_affinity.video"] == 1.0
    assert list(frame["rfm_group"]) == ["Champions", "", ""]
    assert frame.loc[carol.id, "top_format"] == "video"
    assert math.isnan(frame.loc[alice.id, "recency_days"]) and frame.loc[bob.id, "recency_days"] == 12.5
    assert frame.loc[bob.id, "peak_hour"] == 21
    assert list(frame["interests.travel"]) == [1, 1, 0]
    assert list(frame["interests.food"]) == [0, 1, 0]
    assert list(frame["is_bot"]) == [False, True, False]
    assert list(frame["consented"]) == [True, False, False]  # carol's consent expired

    # Bob agreed on a profile merged into his, after his own "no": his latest word counts.
    Consent.objects.create(
        profile=bob, purpose="marketing", granted=False, source=bob.source, recorded_at=now
    )
    Consent.objects.create(
        profile=merged,
        purpose="marketing",
        granted=True,
        source=merged.source,
        recorded_at=now + timedelta(1),
    )
    frame = clustering_frame_read(config=config).set_index("profile_id")
    assert list(frame["consented"]) == [True, True, False]


def test_only_the_columns_a_run_needs_are_read(db):
    ProfileFeatures.objects.create(
        profile=ProfileFactory(),
        computed_at=timezone.now(),
        top_format="video",
        format_shares=shares_array("format_affinity", {"video": 1}),
    )
    frame = clustering_frame_read(config=ClusteringConfig(preset="rfm"))
    assert not {"consented", "top_format", "format_affinity.video"} & set(frame.columns)
    assert {"monetary", "rfm_group", "peak_hour", "is_bot"} <= set(frame.columns)


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_read_the_same_frame_as_one(monkeypatch):
    now = timezone.now()
    profiles = ProfileFactory.create_batch(50)
    ProfileFeatures.objects.bulk_create(
        ProfileFeatures(
            profile=person,
            computed_at=now,
            monetary=number,
            channel_shares=shares_array("channel_mix", {"x": number / 50}),
        )
        for number, person in enumerate(profiles)
    )
    config = ClusteringConfig(preset="rfm")
    one = clustering_frame_read(config=config)
    monkeypatch.setattr("segments.services.clustering_frame.PARALLEL_READ_MIN_ROWS", 0)
    monkeypatch.setattr("segments.services.clustering_frame.page_ranges", lambda table, parts: _halves())

    two = clustering_frame_read(config=config)

    pd.testing.assert_frame_equal(one, two)
    assert list(two["profile_id"]) == sorted(person.id for person in profiles)


def _halves() -> list[str]:
    """Split by profile rather than by page: fifty rows fit on one page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY profile_id) FROM segments_profilefeatures"
        )
        middle = cursor.fetchone()[0]
    return [f"profile_id < {middle}", f"profile_id >= {middle}"]
