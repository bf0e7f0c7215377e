"""Merging never moves rows; undo restores every pointer; both are audited and race-safe."""

import pytest

from governance.models import AuditEntry
from segments.models import MatchCandidate, Profile, ProfileMerge
from segments.services.identity_candidates import match_candidate_accept, match_candidate_reject
from segments.services.identity_merge import MergeRefused, profile_merge_undo, profiles_merge
from tests.races import race

pytestmark = pytest.mark.django_db


def pointers(*profiles) -> list[int | None]:
    return [Profile.objects.get(id=profile.id).merged_into_id for profile in profiles]


def merge(first, second, actor=None) -> ProfileMerge:
    return profiles_merge(first=first, second=second, method="reviewed", evidence={}, actor=actor)


def test_a_crm_profile_survives_a_younger_social_one_and_an_older_one_survives_its_peer(
    person, instagram, marketer
):
    social = person(source=instagram)
    crm_record = person()
    assert merge(social, crm_record, marketer).survivor_id == crm_record.id
    older, younger = person(), person()
    assert merge(younger, older).survivor_id == older.id


def test_merging_repoints_those_already_merged_and_undo_puts_each_back(person, instagram, marketer):
    first, second, third, fourth = person(source=instagram), person(source=instagram), person(), person()
    merge(first, second)  # second -> first
    step = merge(first, third, marketer)  # the CRM profile third wins: first and second move to it
    assert step.survivor_id == third.id and step.repointed_ids == [second.id]
    assert pointers(first, second, third, fourth) == [third.id, third.id, None, None]

    profile_merge_undo(merge=step, actor=marketer)
    assert pointers(first, second, third) == [None, first.id, None]
    step.refresh_from_db()
    assert step.undone_at is not None
    actions = list(AuditEntry.objects.filter(action__startswith="identity.").values_list("action", flat=True))
    assert actions.count("identity.merged") == 2 and "identity.merge_undone" in actions


def test_merging_a_merged_profile_merges_its_person(person):
    first, second, third = person(), person(), person()
    merge(first, second)
    made = merge(second, third)  # second resolves to first
    assert (made.survivor_id, made.absorbed_id) == (first.id, third.id)
    with pytest.raises(MergeRefused, match="already belong"):
        merge(second, third)


def test_an_earlier_merge_under_a_later_one_waits_for_the_later_to_be_undone(person, marketer):
    first, second, third = person(), person(), person()
    earlier = merge(second, third)  # third -> second
    later = merge(first, second)  # second (and third) -> first
    with pytest.raises(MergeRefused, match=f"Undo merge {later.id} first"):
        profile_merge_undo(merge=earlier, actor=marketer)
    profile_merge_undo(merge=later, actor=marketer)
    profile_merge_undo(merge=earlier, actor=marketer)
    assert pointers(first, second, third) == [None, None, None]
    with pytest.raises(MergeRefused, match="already undone"):
        profile_merge_undo(merge=earlier, actor=marketer)


@pytest.mark.parametrize("kept_holds_it_too", [False, True])
def test_a_merge_others_joined_through_waits_for_them_to_be_undone(person, marketer, kept_holds_it_too):
    kept = person(email="ada.l@example.com" if kept_holds_it_too else None)
    brought_in = person(email="ada.l@example.com")
    reviewed = merge(kept, brought_in)
    # Later, a newsletter profile joins on an email the profile brought in holds.
    newsletter = person(email="ada.l@example.com")
    joined = profiles_merge(
        first=kept,
        second=newsletter,
        method="deterministic",
        evidence={"kind": "email", "value": "ada.l@example.com"},
        actor=None,
    )
    if kept_holds_it_too:  # the person still holds the email: the later merge stands on it
        profile_merge_undo(merge=reviewed, actor=marketer)
        assert pointers(brought_in, newsletter) == [None, kept.id]
        return
    with pytest.raises(
        MergeRefused, match=f"the profile this merge brought in. Undo merge {joined.id} first"
    ):
        profile_merge_undo(merge=reviewed, actor=marketer)
    profile_merge_undo(merge=joined, actor=marketer)
    profile_merge_undo(merge=reviewed, actor=marketer)
    assert pointers(brought_in, newsletter) == [None, None]


def test_accepting_a_candidate_merges_it_and_undo_rejects_it_for_good(person, candidate_for, marketer):
    first, second = person(), person()
    candidate = candidate_for(first, second)
    made = match_candidate_accept(candidate=candidate, actor=marketer)
    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.ACCEPTED and candidate.decided_by == marketer
    assert made.method == "reviewed" and made.evidence["candidate_id"] == candidate.id
    with pytest.raises(MergeRefused, match="already decided"):
        match_candidate_reject(candidate=candidate, actor=marketer)
    profile_merge_undo(merge=made, actor=marketer)
    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.REJECTED
    assert pointers(first, second) == [None, None]


def test_a_pair_that_became_one_person_another_way_is_closed_without_a_merge(person, candidate_for, marketer):
    first, second = person(), person()
    candidate = candidate_for(first, second)
    merge(first, second)
    assert match_candidate_accept(candidate=candidate, actor=marketer) is None
    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.ACCEPTED
    assert ProfileMerge.objects.count() == 1


def test_rejecting_keeps_them_apart_and_is_audited(person, candidate_for, manager):
    candidate = candidate_for(person(), person())
    match_candidate_reject(candidate=candidate, actor=manager)
    assert Profile.objects.filter(merged_into__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action="identity.candidate_rejected", actor=manager).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_accepting_the_same_pair_merge_it_once(person, candidate_for, marketer, manager):
    candidate = candidate_for(person(), person())
    outcomes = race(
        lambda: match_candidate_accept(candidate=candidate, actor=marketer),
        lambda: match_candidate_accept(candidate=candidate, actor=manager),
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["MergeRefused", "ProfileMerge"]
    assert ProfileMerge.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_merging_overlapping_pairs_end_with_one_person(
    person, candidate_for, marketer, manager
):
    first, second, third = person(), person(), person()
    one, two = candidate_for(first, second), candidate_for(first, third)
    outcomes = race(
        lambda: match_candidate_accept(candidate=one, actor=marketer),
        lambda: match_candidate_accept(candidate=two, actor=manager),
    )
    assert all(isinstance(outcome, ProfileMerge) for outcome in outcomes)
    assert pointers(first, second, third) == [None, first.id, first.id]
