import numpy as np
import pytest

from governance.access import access_grant
from segments.models import ClusteringRun, Segment, Segmentation, SegmentMembership, SegmentVersion
from segments.segment_selectors import segment_members, segment_members_visible, version_transitions
from segments.services.segment_versions import (
    NewVersion,
    segment_version_write_from_sql,
    segment_versions_write,
)
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return ProfileFactory.create_batch(6)


def make_segment(owner, name, **extra):
    return Segment.objects.create(name=name, kind="rule", owner=owner, **extra)


def test_a_new_version_is_written_whole_and_becomes_current(marketer, people):
    segment = make_segment(marketer, "Loyal")
    ids = np.array([people[0].id, people[2].id])
    (first,) = segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=ids, confidences=np.array([0.9, 0.4]))]
    )
    segment.refresh_from_db()
    assert segment.current_version == first and first.number == 1 and first.size == 2
    assert dict(SegmentMembership.objects.values_list("profile_id", "confidence")) == {
        ids[0]: 0.9,
        ids[1]: 0.4,
    }

    (second,) = segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([people[1].id]))]
    )
    segment.refresh_from_db()
    assert segment.current_version == second and second.number == 2
    assert SegmentMembership.objects.filter(version=first).count() == 2  # history is kept


def test_a_failure_while_writing_leaves_the_current_version(marketer, people, monkeypatch):
    from segments.services import segment_versions

    segment = make_segment(marketer, "Loyal")
    (current,) = segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([people[0].id]))]
    )

    def broken_copy(parts):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(segment_versions, "_memberships_copy", broken_copy)
    with pytest.raises(RuntimeError):
        segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=np.array([people[1].id]))])
    segment.refresh_from_db()
    assert segment.current_version == current
    assert SegmentVersion.objects.filter(segment=segment).count() == 1


def test_a_rule_version_is_selected_inside_the_database(marketer, people):
    segment = make_segment(marketer, "Everyone but one")
    version = segment_version_write_from_sql(
        segment=segment,
        member_sql="SELECT id FROM segments_profile WHERE id <> %s",
        params=[people[0].id],
        definition={"all": []},
    )
    assert version.size == 5 and version.status == "ready"


def test_members_of_a_sensitive_segment_need_a_grant(marketer, viewer, admin, people):
    segment = make_segment(marketer, "By gender", sensitivity="sensitive")
    segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=np.array([people[0].id]))])
    segment.refresh_from_db()
    assert not segment_members_visible(user=viewer, segment=segment)
    with pytest.raises(Exception, match="not shared"):
        list(segment_members(user=viewer, segment=segment))
    access_grant(actor=admin, grantee=viewer, perm="segments.view_members", obj=segment)
    viewer = type(viewer).objects.get(id=viewer.id)
    assert [m.profile_id for m in segment_members(user=viewer, segment=segment)] == [people[0].id]


def test_transitions_between_two_runs_count_who_moved_where(marketer, people):
    segmentation = Segmentation.objects.create(name="Behaviour", owner=marketer, config={})
    first_run, second_run = (
        ClusteringRun.objects.create(segmentation=segmentation, config={}) for _ in range(2)
    )
    a, b = make_segment(marketer, "A"), make_segment(marketer, "B")
    ids = np.array([person.id for person in people])
    before = segment_versions_write(
        run=first_run,
        versions=[NewVersion(segment=a, profile_ids=ids[:3]), NewVersion(segment=b, profile_ids=ids[3:5])],
    )
    after = segment_versions_write(
        run=second_run,
        versions=[NewVersion(segment=a, profile_ids=ids[:2]), NewVersion(segment=b, profile_ids=ids[2:])],
    )
    matrix = version_transitions(before=before[0], after=after[0])
    assert matrix.loc["A", "A"] == 2 and matrix.loc["A", "B"] == 1
    assert matrix.loc["B", "B"] == 2 and matrix.loc["(none)", "B"] == 1


def test_the_profile_page_lists_current_segments_and_hides_sensitive_ones(marketer, viewer, people, login):
    loyal = make_segment(marketer, "Loyal")
    health = make_segment(marketer, "Health worries", sensitivity="special")
    old = make_segment(marketer, "Last year's buyers")
    person = people[0]
    for segment in (loyal, health, old):
        segment_versions_write(
            versions=[
                NewVersion(segment=segment, profile_ids=np.array([person.id]), confidences=np.array([0.8]))
            ]
        )
    segment_versions_write(versions=[NewVersion(segment=old, profile_ids=np.array([people[1].id]))])

    page = login(viewer).get(f"/audience/profiles/{person.id}/").content.decode()
    assert "Loyal" in page and "0.80" in page
    assert "Health worries" not in page  # special category: only for users granted its members
    assert "Last year&#x27;s buyers" not in page  # no longer in its current version

    access_grant(actor=marketer, grantee=viewer, perm="segments.view_members", obj=health)
    assert "Health worries" in login(viewer).get(f"/audience/profiles/{person.id}/").content.decode()
