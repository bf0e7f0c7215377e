"""Memberships refer to their profile and version by triggers checked once per statement (migration
0009) instead of per-row foreign keys: the same guarantees, tested here, including the race between
writing a version and erasing one of its members."""

import numpy as np
import pytest
from django.db import IntegrityError, connection, transaction

from segments.models import Profile, Segment, SegmentMembership, SegmentVersion
from segments.services.segment_versions import NewVersion, segment_versions_write
from tests.factories import ProfileFactory
from tests.races import delete_during_write


def make_segment(owner, name="Loyal"):
    return Segment.objects.create(name=name, kind="rule", owner=owner)


@pytest.mark.django_db
def test_a_membership_of_a_missing_profile_is_refused_and_nothing_is_written(marketer):
    segment = make_segment(marketer)
    person = ProfileFactory()
    missing = person.id + 1_000_000

    with pytest.raises(IntegrityError, match="segments_segmentmembership") as refused:
        segment_versions_write(
            versions=[NewVersion(segment=segment, profile_ids=np.array([person.id, missing]))]
        )

    assert f"(profile_id)=({missing})" in str(refused.value)
    assert not SegmentVersion.objects.exists() and not SegmentMembership.objects.exists()


@pytest.mark.django_db
def test_a_membership_of_a_missing_version_is_refused(marketer):
    person = ProfileFactory()
    with pytest.raises(IntegrityError, match=r"\(version_id\)=\(987654\)"), transaction.atomic():
        SegmentMembership.objects.create(version_id=987654, profile=person)


@pytest.mark.django_db
def test_moving_a_membership_to_a_missing_profile_is_refused(marketer):
    person = ProfileFactory()
    (version,) = segment_versions_write(
        versions=[NewVersion(segment=make_segment(marketer), profile_ids=np.array([person.id]))]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SegmentMembership.objects.filter(version=version).update(profile_id=person.id + 1_000_000)
    assert SegmentMembership.objects.get(version=version).profile_id == person.id


@pytest.mark.django_db
def test_deleting_profiles_or_versions_deletes_their_memberships(marketer):
    people = ProfileFactory.create_batch(3)
    ids = np.array([person.id for person in people])
    first, second = segment_versions_write(
        versions=[
            NewVersion(segment=make_segment(marketer, "A"), profile_ids=ids),
            NewVersion(segment=make_segment(marketer, "B"), profile_ids=ids[:2]),
        ]
    )

    Profile.objects.filter(id=people[0].id).delete()
    assert set(SegmentMembership.objects.values_list("version_id", "profile_id")) == {
        (first.id, people[1].id),
        (first.id, people[2].id),
        (second.id, people[1].id),
    }

    Segment.objects.filter(current_version=first).update(current_version=None)
    with connection.cursor() as cursor:  # a delete by hand is covered as well as the ORM's
        cursor.execute("DELETE FROM segments_segmentversion WHERE id = %s", [first.id])
    assert list(SegmentMembership.objects.values_list("version_id", "profile_id")) == [
        (second.id, people[1].id)
    ]


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waits_for_a_version_being_written_then_takes_its_member_with_it(marketer):
    """The writer has copied its memberships but not committed; the delete of one member must not
    pass it: it waits, then removes the new membership too. No membership outlives its profile."""
    people = ProfileFactory.create_batch(3)
    segment = make_segment(marketer)
    ids = np.array([person.id for person in people])
    outcomes = delete_during_write(
        lambda: segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=ids)]),
        lambda: Profile.objects.filter(id=people[0].id).delete(),
    )

    assert outcomes[0] is None
    assert outcomes[1] is True, "the delete finished while the version was still being written"
    assert not Profile.objects.filter(id=people[0].id).exists()
    assert sorted(SegmentMembership.objects.values_list("profile_id", flat=True)) == sorted(ids[1:])


@pytest.mark.django_db(transaction=True)
def test_a_version_written_after_an_erasure_of_its_member_is_refused(marketer):
    """The writer read its members before the erasure committed: its write fails whole."""
    people = ProfileFactory.create_batch(2)
    segment = make_segment(marketer)
    ids = np.array([person.id for person in people])
    Profile.objects.filter(id=people[1].id).delete()

    with pytest.raises(IntegrityError):
        segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=ids)])
    assert not SegmentVersion.objects.filter(segment=segment).exists()
    assert not SegmentMembership.objects.exists()
