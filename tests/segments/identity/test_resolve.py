"""The resolve run end to end through the database: deterministic merges, then review candidates."""

import pytest

from governance.models import AuditEntry, JobStatus
from segments.models import BlockedIdentifier, IdentifierPolicy, MatchCandidate, Profile, ProfileMerge
from segments.services.identity_merge import profile_merge_undo
from segments.services.identity_resolve import identity_resolve, identity_resolve_job_request
from segments.tasks import identity_resolve_task
from tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def resolve(actor=None) -> dict:
    return identity_resolve(actor=actor, progress=lambda percent, message="": None)


def canonical(profile) -> int:
    profile.refresh_from_db()
    return profile.merged_into_id or profile.id


def test_shared_identifiers_chain_into_one_person_with_the_crm_profile_surviving(person, instagram):
    social = person(source=instagram, email="ada@x.io")
    crm_record = person(email="ada@x.io", phone="+447700900123")
    other = person(source=instagram, phone="+447700900123")
    stranger = person(email="bob@x.io")
    result = resolve()
    assert result["profiles_merged"] == 2
    assert {canonical(p) for p in (social, crm_record, other)} == {crm_record.id}
    assert canonical(stranger) == stranger.id
    evidence = dict(ProfileMerge.objects.values_list("absorbed_id", "evidence__kind"))
    assert evidence == {social.id: "email", other.id: "phone"}


def test_blocked_values_and_kinds_that_do_not_merge_link_nobody(person):
    IdentifierPolicy.objects.update_or_create(kind="phone", defaults={"priority": 3, "merges": False})
    BlockedIdentifier.objects.get_or_create(kind="email", value="test@example.com")
    first = person(email="test@example.com", phone="+447700900123")
    second = person(email="test@example.com", phone="+447700900123")
    assert resolve()["profiles_merged"] == 0
    assert canonical(first) != canonical(second)


def test_a_second_run_finds_nothing_left_and_earlier_merges_are_repointed(person):
    first, second = person(email="a@x.io"), person(email="a@x.io")
    resolve()
    third = person(email="c@x.io")
    IdentityFactory(profile=second, kind="phone", value="+447700900999")
    fourth = person(phone="+447700900999")  # reaches the person through the merged second profile
    IdentityFactory(profile=third, kind="email", value="a@x.io")
    result = resolve()
    assert result["profiles_merged"] == 2
    assert {canonical(p) for p in (first, second, third, fourth)} == {first.id}
    assert resolve()["profiles_merged"] == 0


def test_a_merge_someone_undid_is_not_made_again(person, marketer):
    first, second = person(email="shared@x.io"), person(email="shared@x.io")
    resolve()
    assert canonical(second) == first.id
    profile_merge_undo(merge=ProfileMerge.objects.get(), actor=marketer)
    assert resolve()["profiles_merged"] == 0
    assert canonical(second) == second.id


def test_likely_pairs_go_to_the_queue_once_and_unlikely_ones_nowhere(person):
    ada = person(first_name="Ada", last_name="Lovelace", city="London", birth_year=1985)
    twin = person(first_name="Ada", last_name="Lovelase", city="London", birth_year=1985)
    person(first_name="Adam", last_name="Lowe", city="Leeds", birth_year=1960)
    assert resolve()["candidates_added"] == 1
    candidate = MatchCandidate.objects.get()
    assert (candidate.profile_a_id, candidate.profile_b_id) == (ada.id, twin.id)
    assert candidate.status == "pending" and candidate.evidence["last_name"] == "close"
    assert resolve()["candidates_added"] == 0
    assert MatchCandidate.objects.count() == 1


def test_a_social_handle_like_an_email_name_finds_the_customer(person, instagram):
    customer = person(
        first_name="Grace", last_name="Smith", city="Cork", birth_year=1990, email="grace.smith12@x.io"
    )
    social = person(source=instagram, first_name="Grace", last_name="Smith", city="Cork")
    IdentityFactory(profile=social, kind="instagram", value="gracesmith12")
    resolve()
    candidate = MatchCandidate.objects.get()
    assert {candidate.profile_a_id, candidate.profile_b_id} == {customer.id, social.id}
    assert candidate.evidence["handle"] == "exact" and candidate.score >= 0.97


def test_a_pending_pair_that_became_one_person_another_way_leaves_the_queue(person):
    person(first_name="Ada", last_name="Lovelace", city="London", birth_year=1985, email="ada@x.io")
    person(first_name="Ada", last_name="Lovelase", city="London", birth_year=1985)
    resolve()
    candidate = MatchCandidate.objects.get()
    IdentityFactory(profile=candidate.profile_b, kind="email", value="ada@x.io")
    result = resolve()
    assert result["profiles_merged"] == 1 and result["candidates_pruned"] == 1
    assert not MatchCandidate.objects.exists()


def test_the_job_runs_the_resolve_and_records_its_result(person, marketer):
    person(email="a@x.io"), person(email="a@x.io")
    job = identity_resolve_job_request(actor=marketer)
    assert (job.task_name, job.queue) == ("segments.identity_resolve", "ml")
    identity_resolve_task(job.id)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["profiles_merged"] == 1
    audit = AuditEntry.objects.get(action="identity.resolved")
    assert audit.actor == marketer and audit.subject_id == str(job.id)


def test_without_stored_policies_the_default_order_applies(person):
    """Transactional tests empty every table, the seeded policies included: defaults take over."""
    IdentifierPolicy.objects.all().delete()
    first, second = person(email="a@x.io"), person(email="a@x.io")
    assert resolve()["profiles_merged"] == 1
    assert Profile.objects.get(id=second.id).merged_into_id == first.id
