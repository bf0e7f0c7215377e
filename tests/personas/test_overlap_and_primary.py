import pytest
from django.utils import timezone

from governance.access import access_grant
from governance.models import Job, JobStatus
from governance.services.jobs import job_execute
from personas.models import Persona, PersonaStatus, PrimaryPersona
from personas.overlap import persona_overlap_pairs, persona_overlaps
from personas.people_counts import PeopleCount, persona_people
from personas.primary_selectors import primary_persona_counts, primary_persona_of
from personas.services.primary import (
    primary_persona_assign,
    primary_persona_assign_request,
    primary_persona_assign_work,
)
from segments.models import Segment
from tests.factories import ProfileFactory
from tests.personas.helpers import persona_of, segment_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd():
    return ProfileFactory.create_batch(10)


def active(owner, name, segments, priority):
    persona = persona_of(owner, name, segments, priority=priority)
    Persona.objects.filter(id=persona.id).update(status=PersonaStatus.ACTIVE)
    persona.refresh_from_db()
    return persona


def test_overlap_is_the_share_of_the_smaller_personas_people_in_common(marketer, crowd, login):
    big = persona_of(marketer, "Big", [segment_with(marketer, "S1", crowd[:8])])
    small = persona_of(marketer, "Small", [segment_with(marketer, "S2", crowd[6:10])])
    apart = persona_of(marketer, "Apart", [segment_with(marketer, "S3", crowd[9:10])])
    overlaps = {
        overlap.other.name: overlap
        for overlap in persona_overlaps(user=marketer, persona=big, others=[small, apart])
    }
    assert (overlaps["Small"].common, overlaps["Small"].size, overlaps["Small"].other_size) == (2, 8, 4)
    assert overlaps["Small"].share == 0.5 and overlaps["Small"].too_high
    assert overlaps["Apart"].common == 0 and not overlaps["Apart"].too_high

    page = login(marketer).get(f"/personas/{big.id}/overlap/").content.decode()
    assert 'data-testid="overlap-warning"' in page and "50%" in page and "Small" in page
    assert [
        pair.other.name for pair in persona_overlap_pairs(user=marketer, personas=[big, small, apart])
    ] == [
        "Small",
        "Apart",
        "Apart",
    ]


def test_a_persona_in_two_segments_counts_each_person_once(marketer, crowd):
    both = persona_of(
        marketer, "Both", [segment_with(marketer, "X", crowd[:4]), segment_with(marketer, "Y", crowd[2:6])]
    )
    other = persona_of(marketer, "Other", [segment_with(marketer, "Z", crowd[:6])])
    (overlap,) = persona_overlaps(user=marketer, persona=both, others=[other])
    assert (overlap.size, overlap.common, overlap.share) == (6, 6, 1.0)


def test_people_in_linked_segments_count_each_person_once_on_every_page(marketer, crowd, login):
    both = persona_of(
        marketer, "Both", [segment_with(marketer, "X", crowd[:4]), segment_with(marketer, "Y", crowd[2:6])]
    )
    assert persona_people(user=marketer, personas=[both]) == {both.id: PeopleCount(people=6)}
    client = login(marketer)
    other = persona_of(marketer, "Other", [segment_with(marketer, "Z", crowd[:1])])
    assert "6 people in linked segments" in client.get("/personas/").content.decode()
    compare = client.get(f"/personas/compare/?ids={both.id}&ids={other.id}").content.decode()
    assert "<td>6</td><td>1</td>" in compare
    rows = {row["name"]: row for row in client.get("/personas/export.json").json()}
    assert (rows["Both"]["people_in_segments"], rows["Both"]["people_counted"]) == (6, "exactly")


def test_members_hidden_from_the_reader_never_enter_a_count_of_people(marketer, manager, crowd):
    hidden = segment_with(marketer, "Health", crowd[:1], sensitivity="sensitive")
    both = persona_of(marketer, "Both", [hidden, segment_with(marketer, "X", crowd[:4])])
    one = persona_of(marketer, "One", [segment_with(marketer, "Just one", crowd[:1])])

    # Counted apart, the hidden segment would tell whether crowd[0] is in it.
    assert persona_people(user=marketer, personas=[both]) == {both.id: PeopleCount(people=5, at_most=True)}
    (overlap,) = persona_overlaps(user=marketer, persona=one, others=[both])
    assert overlap.other_size == 4

    access_grant(actor=manager, grantee=marketer, perm="segments.view_members", obj=hidden)
    assert persona_people(user=marketer, personas=[both]) == {both.id: PeopleCount(people=4)}


def test_the_lowest_priority_number_wins_and_is_counted(marketer, admin, crowd):
    loyal = active(marketer, "Loyal", [segment_with(marketer, "L", crowd[:6])], priority=10)
    bargain = active(marketer, "Bargain", [segment_with(marketer, "B", crowd[4:9])], priority=20)
    persona_of(marketer, "Draft only", [segment_with(marketer, "D", crowd)], priority=1)  # drafts never win

    result = primary_persona_assign()
    assert result == {"profiles": 9, "assigned": 9, "unassigned": 0, "active_personas": 2}
    assigned = dict(PrimaryPersona.objects.values_list("profile_id", "persona_id"))
    assert all(assigned[person.id] == loyal.id for person in crowd[:6])
    assert all(assigned[person.id] == bargain.id for person in crowd[6:9])
    assert crowd[9].id not in assigned
    assert [(persona.name, people) for persona, people in primary_persona_counts(user=admin)] == [
        ("Loyal", 6),
        ("Bargain", 3),
    ]

    Persona.objects.filter(id=bargain.id).update(priority=5)
    changed = primary_persona_assign()  # the table becomes the new assignment; only changes are written
    assert changed == {"profiles": 9, "assigned": 2, "unassigned": 2, "active_personas": 2}
    assert PrimaryPersona.objects.filter(persona=bargain).count() == 5
    assert PrimaryPersona.objects.count() == 9


def test_a_merged_away_profile_answers_for_its_person(marketer, admin, crowd):
    member, absorbed = crowd[0], crowd[1]
    absorbed.merged_into = member
    absorbed.save()
    persona = active(marketer, "Loyal", [segment_with(marketer, "L", [member, absorbed])], priority=10)
    primary_persona_assign()
    assert list(PrimaryPersona.objects.values_list("profile_id", flat=True)) == [member.id]
    assert primary_persona_of(user=admin, profile_id=absorbed.id) == (member.id, persona)
    assert primary_persona_of(user=admin, profile_id=crowd[5].id) == (crowd[5].id, None)


def test_retired_segments_do_not_assign(marketer, crowd):
    segment = segment_with(marketer, "Gone", crowd[:3])
    active(marketer, "Loyal", [segment], priority=10)
    primary_persona_assign()
    Segment.objects.filter(id=segment.id).update(retired_at=timezone.now())
    assert primary_persona_assign()["unassigned"] == 3
    assert not PrimaryPersona.objects.exists()


@pytest.mark.django_db(databases=["default", "jobs"])
def test_the_assignment_runs_as_a_job_requested_once(marketer, crowd):
    active(marketer, "Loyal", [segment_with(marketer, "L", crowd[:3])], priority=10)
    job = primary_persona_assign_request(actor=marketer)
    assert primary_persona_assign_request(actor=marketer) == job  # one waiting job is enough
    job_execute(job_id=job.id, work=primary_persona_assign_work)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["profiles"] == 3
    assert Job.objects.filter(task_name="personas.primary_persona_assign").count() == 1
