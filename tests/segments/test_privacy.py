import json
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from governance.models import AuditEntry
from segments.models import (
    BlockedIdentifier,
    Consent,
    ErasureTombstone,
    Event,
    Identity,
    ImportRun,
    MatchCandidate,
    Profile,
    ProfileFeatures,
    ProfileMerge,
    RejectedRow,
    Segment,
)
from segments.selectors import consenting_profiles
from segments.services.access_request import profile_access_request
from segments.services.feature_shares import share_arrays
from segments.services.identity_merge import profiles_merge
from segments.services.privacy import consent_set, profile_erase
from segments.services.rule_segments import rule_segment_preview
from segments.services.segment_versions import NewVersion, segment_versions_write
from segments.services.tombstones import erased_hashes, identifier_hash
from tests.factories import DataSourceFactory, EventFactory, IdentityFactory, ProfileFactory
from tests.races import delete_during_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    """Ada, with a second profile already merged into her, events, identities and consent."""
    ada = ProfileFactory(first_name="Ada", last_name="Lovelace")
    insta = ProfileFactory(first_name="ada", last_name="", merged_into=ada, source__name="Instagram")
    IdentityFactory(profile=ada, kind="email", value="ada@example.com")
    IdentityFactory(profile=insta, kind="instagram", value="ada.codes")
    EventFactory.create_batch(3, profile=ada)
    EventFactory.create_batch(2, profile=insta, text="Love it #ai")
    consent_set(profile=ada, purpose="marketing", granted=True, actor=None)
    return ada


def test_withdrawal_takes_effect_at_once(person, marketer):
    assert list(consenting_profiles(purpose="marketing")) == [person]
    consent_set(profile=person, purpose="marketing", granted=False, actor=marketer)
    assert list(consenting_profiles(purpose="marketing")) == []
    assert AuditEntry.objects.filter(action="consent.withdrawn", subject_id=str(person.id)).exists()


MARKETING_RULE = {"op": "and", "rules": [{"field": "consent", "operator": "granted", "value": "marketing"}]}


def test_the_latest_word_on_any_of_the_persons_profiles_counts(person):
    insta = Profile.objects.get(merged_into=person)
    consent_set(profile=insta, purpose="marketing", granted=False, actor=None)  # unsubscribed there
    assert list(consenting_profiles(purpose="marketing")) == []
    assert rule_segment_preview(definition=MARKETING_RULE, actor=None) == 0

    consent_set(profile=person, purpose="marketing", granted=True, actor=None)  # and later agreed again
    assert list(consenting_profiles(purpose="marketing")) == [person]
    assert rule_segment_preview(definition=MARKETING_RULE, actor=None) == 1

    # Stated at the same moment: the withdrawal wins.
    Consent.objects.filter(profile=insta).update(recorded_at=Consent.objects.get(profile=person).recorded_at)
    assert list(consenting_profiles(purpose="marketing")) == []


def test_a_grant_on_a_merged_profile_counts_until_it_expires(person):
    insta = Profile.objects.get(merged_into=person)
    consent_set(profile=person, purpose="analytics", granted=False, actor=None)
    consent_set(profile=insta, purpose="analytics", granted=True, actor=None)
    assert list(consenting_profiles(purpose="analytics")) == [person]
    Consent.objects.filter(profile=insta).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert list(consenting_profiles(purpose="analytics")) == []


def test_expired_consent_does_not_count(person):
    consent_set(
        profile=person,
        purpose="analytics",
        granted=True,
        actor=None,
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert list(consenting_profiles(purpose="analytics")) == []


def test_erasure_removes_the_person_everywhere_and_keeps_only_hashes(
    person, admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    other = ProfileFactory(last_name="Hopper")
    EventFactory(profile=other)
    run = ImportRun.objects.create(
        source=person.source, record_kind="profiles", original_name="crm.csv", status="succeeded"
    )
    run.file.save("crm.csv", ContentFile(b"email\nada@example.com\n"))
    # A file still to be imported holds other people too: it stays, and the tombstones refuse Ada in it.
    waiting = ImportRun.objects.create(source=person.source, record_kind="profiles", original_name="next.csv")
    waiting.file.save("next.csv", ContentFile(b"email\nada@example.com\ngrace@example.com\n"))
    RejectedRow.objects.create(run=run, row_number=4, column="email", value="ada@example.com", reason="bad")
    stored = tmp_path / run.file.name

    with django_capture_on_commit_callbacks(execute=True):
        counts = profile_erase(profile=person, actor=admin, reason="Request 42")

    assert counts["profiles"] == 2 and counts["events"] == 5 and counts["files_deleted"] == 1
    assert list(Profile.objects.all()) == [other]
    assert Event.objects.count() == 1
    assert not Identity.objects.exists() and not Consent.objects.exists() and not RejectedRow.objects.exists()
    assert not stored.exists() and (tmp_path / waiting.file.name).exists()
    digest = identifier_hash(kind="email", value="ada@example.com")
    assert erased_hashes(kind="email", hashes=[digest]) == {digest}
    assert ErasureTombstone.objects.filter(kind="instagram").exists()
    entry = AuditEntry.objects.get(action="profile.erased")
    assert "Ada" not in entry.subject_label and "ada@" not in str(entry.details)


def test_erasure_reaches_rejections_and_files_of_sources_that_never_knew_the_person(
    person, admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    web = DataSourceFactory(name="Website", kind="web", platform="web")
    run = ImportRun.objects.create(
        source=web, record_kind="events", original_name="clicks.csv", status="succeeded"
    )
    run.file.save("clicks.csv", ContentFile(b"email,type\nada@example.com,click\n"))
    RejectedRow.objects.create(
        run=run, row_number=2, column="email", value="ada@example.com", reason="unknown"
    )
    elsewhere = ImportRun.objects.create(source=web, record_kind="events", original_name="other.csv")
    RejectedRow.objects.create(
        run=elsewhere, row_number=2, column="customer_id", value=person.external_id, reason="x"
    )

    with django_capture_on_commit_callbacks(execute=True):
        profile_erase(profile=person, actor=admin)

    assert not RejectedRow.objects.filter(value="ada@example.com").exists()
    assert not (tmp_path / run.file.name).exists()
    # Another source's customer ids are its own: the same id there is someone else.
    assert RejectedRow.objects.filter(run=elsewhere).exists()


def test_erasure_reaches_rejections_of_events_files_keyed_by_the_persons_customer_ids(person, admin):
    # Web events that name their people by the CRM's customer ids: none of Ada's events came from
    # that source, so it was not among the sources searched.
    web = DataSourceFactory(name="Website", kind="web", platform="web")
    keyed_by_crm = ImportRun.objects.create(
        source=web,
        record_kind="events",
        original_name="clicks.csv",
        mapping={
            "profile_source_id": person.source_id,
            "columns": {"customer_id": {"field": "profile_external_id"}, "age": {"field": ""}},
        },
    )
    unknown = RejectedRow.objects.create(
        run=keyed_by_crm, row_number=7, column="customer_id", value=person.external_id, reason="unknown"
    )
    # The same characters in another column are someone else's data, not Ada's customer id; nor is
    # an order id a later row repeats (an events file's key is the event's).
    someone_elses = RejectedRow.objects.create(
        run=keyed_by_crm, row_number=8, column="age", value=person.external_id, reason="is not an age"
    )
    RejectedRow.objects.create(
        run=keyed_by_crm, row_number=9, column="", value=person.external_id, reason="repeats the key of row 2"
    )

    assert [
        row["row"] for row in profile_access_request(profile=person, actor=admin)["import_rejections"]
    ] == [7]
    profile_erase(profile=person, actor=admin)

    assert not RejectedRow.objects.filter(id=unknown.id).exists()
    assert RejectedRow.objects.filter(id=someone_elses.id).exists()
    assert RejectedRow.objects.filter(run=keyed_by_crm, row_number=9).exists()


def test_erasure_leaves_no_tombstone_on_values_others_hold_or_admins_blocked(person, admin):
    IdentityFactory(profile=person, kind="email", value="family@example.com")
    IdentityFactory(profile=person, kind="email", value="noemail@example.com")
    BlockedIdentifier.objects.create(kind="email", value="noemail@example.com", reason="Placeholder")
    brother = ProfileFactory(first_name="Bob")
    IdentityFactory(profile=brother, kind="email", value="family@example.com")

    profile_erase(profile=person, actor=admin)

    def erased(value):
        digest = identifier_hash(kind="email", value=value)
        return bool(erased_hashes(kind="email", hashes=[digest]))

    assert erased("ada@example.com")
    assert not erased("family@example.com") and not erased("noemail@example.com")
    assert Identity.objects.filter(profile=brother, value="family@example.com").exists()


def test_a_failed_erasure_changes_nothing(person, admin, monkeypatch):
    from segments.services import privacy

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_import_files_delete", explode)
    with pytest.raises(RuntimeError):
        profile_erase(profile=person, actor=admin)
    assert Profile.objects.count() == 2 and Event.objects.count() == 5
    assert not ErasureTombstone.objects.exists()


def test_access_request_exports_everything_about_the_person(person, manager):
    export = profile_access_request(profile=person, actor=manager)
    assert [each["first_name"] for each in export["profiles"]] == ["Ada", "ada"]
    assert {identity["value"] for each in export["profiles"] for identity in each["identities"]} == {
        "ada@example.com",
        "ada.codes",
    }
    assert len(export["events"]) == 5
    assert export["profiles"][0]["consents"][0]["purpose"] == "marketing"
    assert AuditEntry.objects.filter(action="profile.access_exported").count() == 1


def test_the_export_says_where_data_came_from_and_how_the_profiles_were_matched(person, manager):
    insta = Profile.objects.get(merged_into=person)
    stranger = ProfileFactory(first_name="Grace")
    ProfileMerge.objects.create(
        survivor=person,
        absorbed=insta,
        method="deterministic",
        evidence={"kind": "instagram", "value": "ada.codes"},
    )
    MatchCandidate.objects.create(profile_a=person, profile_b=stranger, score=0.81, status="rejected")
    run = ImportRun.objects.create(source=person.source, record_kind="events", original_name="shop.csv")
    RejectedRow.objects.create(
        run=run, row_number=3, column="email", value="ada@example.com", reason="unknown"
    )
    consent_set(profile=person, purpose="marketing", granted=False, actor=manager)
    profile_access_request(profile=person, actor=manager)

    export = profile_access_request(profile=person, actor=manager)

    consent = export["profiles"][0]["consents"][0]
    assert consent["source"] == person.source.name and consent["active"] is False
    event = export["events"][0]
    assert event["source"] and "external_id" in event
    [merge] = export["identity_resolution"]["merges"]
    assert merge["kept_profile"] == person.id and merge["merged_profile"] == insta.id
    assert merge["shared_identifier"] == {"kind": "instagram", "value": "ada.codes"}
    [candidate] = export["identity_resolution"]["match_candidates"]
    assert candidate["profiles"] == [person.id, None] and candidate["status"] == "Not the same person"
    assert str(stranger.id) not in json.dumps(export["identity_resolution"])
    [rejection] = export["import_rejections"]
    assert (rejection["row"], rejection["column"], rejection["value"]) == (3, "email", "ada@example.com")
    assert [(change["granted"], change["by"]) for change in export["consent_history"]] == [
        (True, "system"),
        (False, "staff"),
    ]
    assert [request["kind"] for request in export["earlier_requests"]] == ["access"]
    assert "identifier_hash" not in json.dumps(export)


def test_the_export_and_the_profile_page_name_each_share_of_the_features(person, manager, login):
    ProfileFeatures.objects.create(
        profile=person,
        computed_at=timezone.now(),
        **share_arrays({"x": 0.25, "instagram": 0.75}, {"video": 1.0}),
    )

    (features,) = profile_access_request(profile=person, actor=manager)["features"]
    page = login(manager).get(f"/audience/profiles/{person.id}/").content.decode()

    assert features["channel_mix"] == {"instagram": 0.75, "x": 0.25}
    assert features["format_affinity"] == {"video": 1.0} and "channel_shares" not in features
    assert "instagram 75% · x 25%" in page and "video 100%" in page


def test_access_request_lists_every_segment_version_the_person_was_placed_in(person, manager):
    segment = Segment.objects.create(name="Loyal", kind="rule", owner=manager)
    others = ProfileFactory.create_batch(2)
    segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([person.id, others[0].id]))]
    )
    segment_versions_write(versions=[NewVersion(segment=segment, profile_ids=np.array([others[1].id]))])
    segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([person.id]), confidences=np.array([0.7]))]
    )

    memberships = profile_access_request(profile=person, actor=manager)["segments"]

    assert [
        (each["segment"], each["version"], each["current"], each["confidence"]) for each in memberships
    ] == [
        ("Loyal", 1, False, 1.0),
        ("Loyal", 3, True, 0.7),
    ]


def test_profile_page_shows_the_person_with_consent_and_timeline(person, viewer, login):
    page = login(viewer).get(f"/audience/profiles/{person.id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "ada@example.com" in body and "Marketing" in body and "Love it #ai" in body
    assert "Erase permanently" not in body and "Withdraw" not in body


def test_whoever_acts_on_a_request_sees_other_profiles_holding_the_persons_identifiers(
    person, admin, viewer, login
):
    unmerged = ProfileFactory(first_name="Ada", last_name="King")  # the same person, not merged yet?
    IdentityFactory(profile=unmerged, kind="email", value="ada@example.com")
    stranger = ProfileFactory(first_name="Grace")
    IdentityFactory(profile=stranger, kind="email", value="grace@example.com")

    body = login(admin).get(f"/audience/profiles/{person.id}/").content.decode()
    assert 'data-testid="shared-identifiers"' in body
    assert f"/audience/profiles/{unmerged.id}/" in body and "Ada King" in body
    assert "Grace" not in body
    # A viewer, who acts on no request, is not shown who else holds the email.
    assert "shared-identifiers" not in login(viewer).get(f"/audience/profiles/{person.id}/").content.decode()


def test_consent_toggle_over_htmx(person, marketer, login):
    response = login(marketer).post(f"/audience/profiles/{person.id}/consent/", {"purpose": "marketing"})
    assert response.status_code == 200
    assert "Withdrawn" in response.content.decode()
    assert not Consent.objects.get(profile=person, purpose="marketing").granted


def test_erasure_page_needs_the_word_erase(person, admin, login):
    client = login(admin)
    client.post(f"/audience/profiles/{person.id}/erase/", {"confirm": "yes"})
    assert Profile.objects.filter(id=person.id).exists()
    response = client.post(f"/audience/profiles/{person.id}/erase/", {"confirm": "ERASE"})
    assert response.status_code == 302
    assert not Profile.objects.filter(id=person.id).exists()


@pytest.mark.parametrize(
    ("method", "suffix", "role_that_may"),
    [("post", "erase/", "admin"), ("get", "access-export/", "manager"), ("post", "consent/", "marketer")],
)
def test_privacy_actions_are_refused_to_other_roles(
    person, viewer, outsider, login, method, suffix, role_that_may
):
    url = f"/audience/profiles/{person.id}/{suffix}"
    for user in (viewer, outsider):
        assert (
            getattr(login(user), method)(url, {"purpose": "marketing", "confirm": "ERASE"}).status_code == 403
        )
    assert Profile.objects.filter(id=person.id).exists()


def test_an_outsider_cannot_see_a_profile(person, outsider, login):
    assert login(outsider).get(f"/audience/profiles/{person.id}/").status_code == 404
    assert login(outsider).get(f"/api/v1/profiles/{person.id}/").status_code == 404


def test_privacy_api(person, admin, login):
    client = login(admin)
    detail = client.get(f"/api/v1/profiles/{person.id}/").json()
    assert detail["identities"] == [{"kind": "email", "value": "ada@example.com"}]
    consent = client.put(
        f"/api/v1/profiles/{person.id}/consents/analytics/",
        {"granted": True},
        content_type="application/json",
    )
    assert consent.json()["is_active"] is True
    bad = client.put(
        f"/api/v1/profiles/{person.id}/consents/astrology/",
        {"granted": True},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "purpose" in bad.json()["error"]["fields"]
    assert len(client.get(f"/api/v1/profiles/{person.id}/access-export/").json()["events"]) == 5
    erased = client.post(
        f"/api/v1/profiles/{person.id}/erasure/", {"reason": "ticket 7"}, content_type="application/json"
    )
    assert erased.json()["profiles"] == 2


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waits_for_a_merge_under_way_and_erases_the_profile_it_brought(admin):
    """The merge has pointed a twin at the person but not committed: the erasure must not read the
    person without it (the twin would survive, its identifiers not tombstoned)."""
    ada = ProfileFactory(first_name="Ada")
    twin = ProfileFactory(first_name="Ada", source=DataSourceFactory(name="Shop", kind="web"))
    IdentityFactory(profile=twin, kind="email", value="ada.twin@example.com")
    EventFactory(profile=twin)
    outcomes = delete_during_write(
        lambda: profiles_merge(first=ada, second=twin, method="reviewed", evidence={}, actor=None),
        lambda: profile_erase(profile=ada, actor=admin),
    )
    assert outcomes[0] is None  # the merge went through
    assert outcomes[1] is True, "the erasure finished while the merge was still under way"
    assert not Profile.objects.filter(id__in=[ada.id, twin.id]).exists()
    assert not Event.objects.exists()
    digest = identifier_hash(kind="email", value="ada.twin@example.com")
    assert erased_hashes(kind="email", hashes=[digest]) == {digest}
