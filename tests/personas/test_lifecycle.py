import json
from datetime import date
from unittest.mock import ANY

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.access import access_check
from governance.models import AuditEntry, Notification
from personas.diffing import snapshot_diff
from personas.models import PersonaStatus, PersonaVersion, PrimaryPersona, Quote, Validation
from personas.selectors import persona_can_change, quotes_without_consent
from personas.services.drafts import persona_draft_from_segment
from personas.services.lifecycle import persona_merge, persona_owner_reassign, persona_retire
from personas.services.quotes import (
    quote_create,
    quote_delete,
    quote_keep,
    quote_update,
    validation_create,
    validation_delete,
)
from personas.services.records import persona_update
from personas.services.versions import ERASED_QUOTE, persona_version_record
from segments.models import Profile
from segments.services.access_request import profile_access_request
from segments.services.privacy import profile_erase
from tests.factories import ProfileFactory
from tests.personas.helpers import comment_by, consent_for, features_for, persona_of, segment_with

pytestmark = pytest.mark.django_db


def test_each_saved_change_is_a_version_and_reads_as_a_diff(marketer):
    persona = persona_of(marketer, goals=["Finish a 10k"])
    persona_update(
        persona=persona, actor=marketer, data={"goals": ["Finish a 10k", "Run a marathon"], "summary": "Keen"}
    )
    persona_update(persona=persona, actor=marketer, data={"summary": "Keen"})  # nothing changed: no version
    first, second = persona.versions.order_by("number")
    assert (first.number, second.number) == (1, 2) and persona.versions.count() == 2
    assert second.change_summary == "Edited: summary, goals"
    changes = {change.label: change for change in snapshot_diff(first.snapshot, second.snapshot)}
    assert changes["Goals"].added == ["Run a marathon"]
    assert (changes["Summary"].before, changes["Summary"].after) == ("", "Keen")


def test_a_field_drafted_from_data_is_marked_edited_once_changed(marketer):
    persona = persona_of(marketer)
    persona.evidence = {"summary": {"figure": "1,000 members"}, "bio": {"figure": "Spend"}}
    persona.save()
    persona_update(persona=persona, actor=marketer, data={"summary": "Written by hand"})
    assert persona.evidence["summary"]["edited"] is True
    assert "edited" not in persona.evidence["bio"]


def test_only_the_owner_edits(marketer, second_marketer, admin):
    persona = persona_of(marketer)
    assert persona_can_change(user=marketer, persona=persona)
    assert not persona_can_change(user=second_marketer, persona=persona)
    assert persona_can_change(user=admin, persona=persona)  # admins hold change on every persona


def test_retiring_needs_a_reason_and_freezes_the_record(marketer):
    persona = persona_of(marketer)
    with pytest.raises(ValidationError):
        persona_retire(persona=persona, actor=marketer, reason="  ")
    persona_retire(persona=persona, actor=marketer, reason="Folded into the loyalty programme")
    persona.refresh_from_db()
    assert (
        persona.status == PersonaStatus.RETIRED
        and persona.retired_reason == "Folded into the loyalty programme"
    )
    assert AuditEntry.objects.filter(action="persona.retired", subject_id=str(persona.id)).exists()
    with pytest.raises(ValidationError, match="kept as it was"):
        persona_update(persona=persona, actor=marketer, data={"name": "Back"})


def test_merging_folds_one_persona_into_another(marketer, people):
    segment_a = segment_with(marketer, "A", people[:3])
    segment_b = segment_with(marketer, "B", people[2:])
    source = persona_of(
        marketer, "Runners", [segment_a], goals=["Run", "Rest"], crm_tags=["run"], bio="Bio A"
    )
    target = persona_of(marketer, "Athletes", [segment_b], goals=["Run"], crm_tags=["sport"])
    quote_create(persona=source, actor=marketer, data={"text": "I run daily", "source": "interview"})
    validation_create(persona=source, actor=marketer, kind="survey", title="Q3 survey", held_on="2026-09-01")
    PrimaryPersona.objects.all().delete()

    persona_merge(source=source, target=target, actor=marketer)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == PersonaStatus.MERGED and source.merged_into == target
    assert target.goals == ["Run", "Rest"] and target.crm_tags == ["sport", "run"] and target.bio == "Bio A"
    assert set(target.segments.all()) == {segment_a, segment_b}
    assert Quote.objects.get().persona == target and Validation.objects.get().persona == target
    assert target.versions.order_by("-number").first().change_summary == "Runners merged into this persona"
    with pytest.raises(ValidationError):
        persona_merge(source=target, target=source, actor=marketer)


def test_merging_needs_change_rights_on_both(marketer, second_marketer):
    mine, theirs = persona_of(marketer, "Mine"), persona_of(second_marketer, "Theirs")
    with pytest.raises(PermissionDenied):
        persona_merge(source=mine, target=theirs, actor=marketer)


def test_a_manager_reassigns_the_owner_and_the_right_to_edit_moves(marketer, second_marketer, manager):
    persona = persona_of(marketer)
    with pytest.raises(PermissionDenied):
        persona_owner_reassign(persona=persona, actor=marketer, owner=second_marketer)
    persona_owner_reassign(persona=persona, actor=manager, owner=second_marketer)
    persona.refresh_from_db()
    assert persona.owner == second_marketer
    fresh = (
        type(marketer).objects.get(id=marketer.id),
        type(second_marketer).objects.get(id=second_marketer.id),
    )
    assert not access_check(user=fresh[0], perm="personas.change_persona", obj=persona)
    assert access_check(user=fresh[1], perm="personas.change_persona", obj=persona)
    assert not access_check(user=manager, perm="personas.change_persona", obj=persona)  # not model-wide
    assert Notification.objects.filter(user=second_marketer, message__contains="You now own").exists()


def test_the_new_owner_must_work_on_personas(marketer, viewer, manager):
    with pytest.raises(ValidationError):
        persona_owner_reassign(persona=persona_of(marketer), actor=manager, owner=viewer)


def test_a_manager_does_not_take_a_persona_for_themselves_nor_move_a_retired_one(
    marketer, second_marketer, manager
):
    persona = persona_of(marketer)
    with pytest.raises(ValidationError, match="not to themselves"):
        persona_owner_reassign(persona=persona, actor=manager, owner=manager)
    assert not persona_can_change(user=manager, persona=persona)
    persona_retire(persona=persona, actor=marketer, reason="Replaced")
    with pytest.raises(ValidationError, match="kept as it was"):
        persona_owner_reassign(persona=persona, actor=manager, owner=second_marketer)


def test_a_retired_personas_validations_stay(marketer):
    persona = persona_of(marketer)
    validation = validation_create(
        persona=persona, actor=marketer, kind="interviews", title="Round 1", held_on=date(2026, 3, 1)
    )
    persona_retire(persona=persona, actor=marketer, reason="Replaced")
    with pytest.raises(ValidationError, match="keeps its validations"):
        validation_delete(validation=validation, actor=marketer)
    assert Validation.objects.filter(id=validation.id).exists()


def candidate_quote(marketer) -> Quote:
    """A persona drafted from one consenting commenter, and the candidate quote taken from them."""
    author = ProfileFactory(city="Leeds")
    features_for(author)
    consent_for(author)
    comment_by(author, "Running with friends every weekend is the best part of my week.")
    persona = persona_draft_from_segment(segment=segment_with(marketer, "Runners", [author]), actor=marketer)
    return Quote.objects.get(persona=persona, profile=author, is_candidate=True)


def test_an_erased_authors_words_leave_every_version_of_the_persona(marketer, admin):
    quote = candidate_quote(marketer)
    persona, author = quote.persona, quote.profile
    quote_keep(quote=quote, actor=marketer)
    assert any("weekend" in json.dumps(v.snapshot) for v in PersonaVersion.objects.filter(persona=persona))

    profile_erase(profile=author, actor=admin)

    versions = PersonaVersion.objects.filter(persona=persona)
    assert not any("weekend" in json.dumps(version.snapshot) for version in versions)
    assert any(ERASED_QUOTE in version.snapshot["quotes"] for version in versions)


def test_erasure_reaches_a_merged_personas_history_and_the_notes_on_why_quotes_were_chosen(marketer, admin):
    quote = candidate_quote(marketer)
    source, author = quote.persona, quote.profile
    quote_keep(quote=quote, actor=marketer)
    assert str(quote.id) in source.evidence["quotes"]
    target = persona_of(marketer, name="Joggers")
    persona_merge(source=source, target=target, actor=marketer)  # the quote and its note move over
    target.refresh_from_db()
    assert str(quote.id) in target.evidence["quotes"]

    profile_erase(profile=author, actor=admin)

    for persona in (source, target):
        persona.refresh_from_db()
        assert str(quote.id) not in persona.evidence.get("quotes", {})
        versions = PersonaVersion.objects.filter(persona=persona)
        assert not any("weekend" in json.dumps(version.snapshot) for version in versions)


@pytest.mark.parametrize("afterwards", ["edited", "removed"])
def test_erasure_finds_words_a_quote_no_longer_holds(marketer, admin, afterwards, login):
    quote = candidate_quote(marketer)
    persona, author = quote.persona, quote.profile
    quote_keep(quote=quote, actor=marketer)
    if afterwards == "edited":
        quote_update(quote=quote, actor=marketer, data={"text": "Weekends with friends, running."})
    else:
        quote_delete(quote=quote, actor=marketer)

    profile_erase(profile=author, actor=admin)

    versions = PersonaVersion.objects.filter(persona=persona)
    assert not any("best part of my week" in json.dumps(version.snapshot) for version in versions)
    assert not any("Weekends with friends" in json.dumps(version.snapshot) for version in versions)
    history = login(marketer).get(f"/api/v1/personas/{persona.id}/versions/")
    assert history.status_code == 200 and "snapshot" in history.content.decode()
    assert "quote_authors" not in history.content.decode()


def test_a_save_that_changes_nothing_a_reader_sees_writes_no_version(marketer):
    quote = candidate_quote(marketer)
    quote_keep(quote=quote, actor=marketer)
    latest = PersonaVersion.objects.filter(persona=quote.persona).order_by("-number").first()
    del latest.snapshot["quote_authors"]  # as versions written before authors were kept read
    latest.save()
    assert persona_version_record(persona=quote.persona, actor=marketer, summary="Saved") is None


def test_an_access_request_gives_the_persons_quotes_and_primary_persona(marketer, manager):
    quote = candidate_quote(marketer)
    quote_keep(quote=quote, actor=marketer)
    other = ProfileFactory()
    PrimaryPersona.objects.create(profile=quote.profile, persona=quote.persona, assigned_at=timezone.now())
    PrimaryPersona.objects.create(profile=other, persona=quote.persona, assigned_at=timezone.now())

    export = profile_access_request(profile=quote.profile, actor=manager)

    [given] = export["persona_quotes"]
    assert given["persona"] == quote.persona.name and given["text"].startswith("Running with friends")
    assert given["why_chosen"].startswith("Comment on") and given["suggested_only"] is False
    assert export["primary_persona"] == [
        {"profile_id": quote.profile_id, "persona": quote.persona.name, "assigned_at": ANY}
    ]


def test_a_quote_whose_author_was_merged_into_a_consenting_person_is_kept(marketer):
    quote = candidate_quote(marketer)
    crm = ProfileFactory()
    consent_for(crm)  # the person's main profile agrees too
    Profile.objects.filter(id=quote.profile_id).update(merged_into=crm)

    kept = quote_keep(quote=quote, actor=marketer)
    assert not kept.is_candidate
    assert not quotes_without_consent(quotes=[kept])
