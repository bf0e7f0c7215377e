"""First loads: rows bound for a source that has none of their kind yet go straight into the
product's tables by COPY, with the same outcome as the staged merge, row for row, and nothing kept
when they fail."""

import pytest

from segments.models import Consent, Event, Identity, ImportRun, ImportStatus, Profile, RejectedRow
from segments.services import import_direct, import_merge
from segments.services.import_sql import UNKNOWN_PERSON
from segments.services.tombstones import tombstones_record
from tests.factories import DataSourceFactory, ProfileFactory

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])

EVENTS = (
    "order_id,customer_id,email,order_date,total,utm_campaign,note\n"
    'O1,C1,,2025-03-01 10:00,£12.50,SPRING,"Lovely, thanks"\n'
    "O2,C1,,2025-03-02 11:00,7,,\n"
    "O3,C404,,2025-03-02 12:00,9,,\n"
    "O4,C1,,yesterday,9,,\n"
    "O5,C2,,2025-03-03 09:30,,,\n"
    "O2,C2,,2025-03-04 09:30,3,,\n"
    "O6,C3,,2025-03-05 08:00,4,,\n"
    "O7,,bo@example.com,2025-03-06 08:00,5,,\n"
    "O8,C2,,2025-03-07 08:00,6,AUTUMN,\n"
)
FIELDS = {"email": "profile_email", "note": "text"}


@pytest.fixture
def calls(monkeypatch):
    """Small chunks, direct loads at any size, and which path each chunk took."""
    monkeypatch.setattr(import_merge, "CHUNK_ROWS", 3)
    monkeypatch.setattr(import_merge, "DIRECT_CHUNK_ROWS", 3)
    monkeypatch.setattr(import_merge, "FIRST_ROWS", 2)
    monkeypatch.setattr(import_merge, "DIRECT_MIN_BYTES", 0)
    taken = {"direct": 0, "merged": 0}
    real_copy, real_merge = import_merge.direct_chunk_write, import_merge._events_merge

    def copy(*args):
        taken["direct"] += 1
        return real_copy(*args)

    def merge(*args):
        taken["merged"] += 1
        return real_merge(*args)

    monkeypatch.setattr(import_merge, "direct_chunk_write", copy)
    monkeypatch.setattr(import_merge, "_events_merge", merge)
    return taken


def people(source):
    ProfileFactory(source=source, external_id="C1")
    ProfileFactory(source=source, external_id="C2")
    bo = ProfileFactory(source=source, external_id="C9")
    Identity.objects.create(profile=bo, kind="email", value="bo@example.com")


def outcome(run):
    events = sorted(
        Event.objects.filter(source=run.source).values_list(
            "external_id",
            "profile__external_id",
            "event_type",
            "occurred_at",
            "amount",
            "text",
            "campaign_code",
        )
    )
    rejected = sorted(
        RejectedRow.objects.filter(run=run).values_list("row_number", "column", "value", "reason")
    )
    counts = (run.total_rows, run.inserted_rows, run.updated_rows, run.unchanged_rows, run.rejected_rows)
    return events, rejected, counts


def test_a_first_load_of_events_matches_the_merge_row_for_row(crm, imported, calls, monkeypatch):
    people(crm)
    direct = imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    assert direct.status == ImportStatus.SUCCEEDED, direct.error
    assert calls["direct"] >= 2 and calls["merged"] == 1  # the chunk keyed by email is merged

    merged_source = DataSourceFactory(name="Same CRM, merged", kind="crm", platform="crm")
    people(merged_source)
    monkeypatch.setattr(import_merge, "DIRECT_MIN_BYTES", 10**12)
    merged = imported(merged_source, "transactions", EVENTS.encode(), fields=FIELDS)
    assert outcome(direct) == outcome(merged)

    events, rejected, counts = outcome(direct)
    assert counts == (9, 5, 0, 0, 4)
    assert {event[0]: event[1] for event in events} == {
        "O1": "C1",
        "O2": "C1",
        "O5": "C2",
        "O7": "C9",
        "O8": "C2",
    }
    first = Event.objects.get(source=crm, external_id="O1")
    assert (str(first.amount), first.text, first.campaign_code) == ("12.50", "Lovely, thanks", "SPRING")
    assert Event.objects.get(source=crm, external_id="O5").amount is None
    reasons = {row: reason for row, _, _, reason in rejected}
    assert reasons[3] == reasons[7] == UNKNOWN_PERSON
    assert reasons[4].startswith("is not a date") and reasons[6] == "repeats the key of an earlier row"
    assert {row: value for row, _, value, _ in rejected if row in (3, 7)} == {3: "C404", 7: "C3"}


def test_uploading_events_again_merges_and_adds_nothing(crm, imported, calls):
    people(crm)
    imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    direct_chunks = calls["direct"]
    again = imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    assert calls["direct"] == direct_chunks  # the source has events now: every chunk is merged
    assert (again.inserted_rows, again.unchanged_rows, again.rejected_rows) == (0, 5, 4)
    assert Event.objects.filter(source=crm).count() == 5


def test_an_erased_customer_is_refused_without_being_named(crm, imported, calls):
    people(crm)
    tombstones_record(identifiers=[(f"external_id:{crm.id}", "C404")])
    run = imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    assert calls["direct"] >= 2
    erased = RejectedRow.objects.get(run=run, row_number=3)
    assert (erased.value, erased.reason) == ("", "this person asked to be erased")
    assert RejectedRow.objects.get(run=run, row_number=7).value == "C3"


def test_a_person_erased_after_the_customer_ids_were_read_fails_the_load_whole(
    crm, imported, calls, monkeypatch
):
    people(crm)
    real_read = import_direct.DirectEvents.read

    def read_then_erase(cursor, **sources):
        direct = real_read(cursor, **sources)
        Profile.objects.filter(source=crm, external_id="C2").delete()
        return direct

    monkeypatch.setattr(import_merge.DirectEvents, "read", read_then_erase)
    with pytest.raises(import_direct.PeopleErasedMeanwhile):
        imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.error == (
        "The import failed and nothing from it was kept: "
        "some people in this file were erased while it was importing. Start it again."
    )
    assert not Event.objects.exists() and not RejectedRow.objects.filter(run=run).exists()


PEOPLE = (
    "Customer ID,First name,Last name,Email,Phone,Marketing consent,Analytics consent,Birth year,City\n"
    "C1,Ada,Lovelace,ada@example.com,07700 900123,yes,no,1985,Leeds\n"
    "C2,Bob,,BOB@example.com,,no,,,\n"
    "C3,Cy,,not-an-email,,yes,,1990,\n"
    "C1,Ada again,,ada2@example.com,,yes,,1985,\n"
    ",Nobody,,,,,,,\n"
    'C4,"Dee, Jr",O\'Neil,dee@example.com,,,yes,1975,"Paris"\n'
    "C5,Erased,,gone@example.com,,yes,,,\n"
    "C6,Eve,,,,,,2001,York\n"
    "C404,Erased too,,,,no,,,\n"
)
PEOPLE_FIELDS = {"Analytics consent": "consent_analytics", "Birth year": "birth_year"}


def held(source):
    profiles = sorted(
        Profile.objects.filter(source=source).values_list(
            "external_id", "first_name", "last_name", "gender", "birth_year", "city", "country"
        )
    )
    identities = sorted(
        Identity.objects.filter(profile__source=source).values_list("profile__external_id", "kind", "value")
    )
    consents = sorted(
        Consent.objects.filter(profile__source=source).values_list(
            "profile__external_id", "purpose", "granted"
        )
    )
    return profiles, identities, consents


def test_a_first_load_of_profiles_matches_the_merge_row_for_row(crm, imported, calls, monkeypatch):
    copies = []
    real_write = import_merge.direct_chunk_write
    monkeypatch.setattr(
        import_merge, "direct_chunk_write", lambda *args: copies.append(1) or real_write(*args)
    )
    direct = imported(crm, "profiles", PEOPLE.encode(), fields=PEOPLE_FIELDS)
    assert direct.status == ImportStatus.SUCCEEDED, direct.error
    assert len(copies) >= 2

    merged_source = DataSourceFactory(name="Same CRM, merged", kind="crm", platform="crm")
    monkeypatch.setattr(import_merge, "DIRECT_MIN_BYTES", 10**12)
    direct_writes = len(copies)
    merged = imported(merged_source, "profiles", PEOPLE.encode(), fields=PEOPLE_FIELDS)
    assert len(copies) == direct_writes
    assert held(crm) == held(merged_source)
    assert outcome(direct)[1:] == outcome(merged)[1:]

    profiles, identities, consents = held(crm)
    assert outcome(direct)[2] == (9, 6, 0, 0, 3)
    assert ("C4", "Dee, Jr", "O'Neil", "", 1975, "Paris", "") in profiles
    assert ("C1", "email", "ada@example.com") in identities and ("C1", "phone", "+447700900123") in identities
    assert ("C1", "marketing", True) in consents and ("C1", "analytics", False) in consents
    assert ("C6", "marketing", True) not in consents and not [c for c in consents if c[0] == "C6"]
    ids = list(Profile.objects.filter(source=crm).values_list("id", flat=True))
    assert len(set(ids)) == len(ids) == 6
    later = Profile.objects.create(source=crm, external_id="C7", created_at=direct.created_at)
    assert later.id > max(ids)  # ids came from the table's own sequence


def test_uploading_profiles_again_merges_and_adds_nothing(crm, imported, calls, monkeypatch):
    first = imported(crm, "profiles", PEOPLE.encode(), fields=PEOPLE_FIELDS)
    copies = []
    monkeypatch.setattr(import_merge, "direct_chunk_write", lambda *args: copies.append(1))
    again = imported(crm, "profiles", PEOPLE.encode(), fields=PEOPLE_FIELDS)
    assert not copies
    assert (again.inserted_rows, again.updated_rows, again.unchanged_rows) == (0, 0, first.inserted_rows)
    assert Profile.objects.filter(source=crm).count() == first.inserted_rows


def test_a_first_load_refuses_erased_people_without_naming_them(crm, imported, calls):
    tombstones_record(identifiers=[("email", "gone@example.com"), (f"external_id:{crm.id}", "C404")])
    run = imported(crm, "profiles", PEOPLE.encode(), fields=PEOPLE_FIELDS)
    erased = RejectedRow.objects.filter(run=run, reason="this person asked to be erased")
    assert sorted(erased.values_list("row_number", flat=True)) == [7, 9]
    assert set(erased.values_list("value", flat=True)) == {""}
    assert not Profile.objects.filter(external_id__in=["C5", "C404"]).exists()
    assert (run.inserted_rows, run.rejected_rows) == (4, 5)


@pytest.mark.parametrize("first_load", [True, False])
def test_a_repeated_row_of_an_erased_person_names_nobody(crm, imported, calls, monkeypatch, first_load):
    if not first_load:
        monkeypatch.setattr(import_merge, "DIRECT_MIN_BYTES", 10**12)
    tombstones_record(identifiers=[(f"external_id:{crm.id}", "C404")])
    content = "Customer ID,First name\nC1,Ada\nC404,Gone\nC404,Gone again\nC1,Ada again\n"
    run = imported(crm, "profiles", content.encode())
    rejected = dict(RejectedRow.objects.filter(run=run).values_list("row_number", "value"))
    assert rejected == {2: "", 3: "", 4: "C1"}
    assert (run.inserted_rows, run.rejected_rows) == (1, 3)
