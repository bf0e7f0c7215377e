"""Events loaded into a source that has none yet go straight into segments_event by COPY: the same
outcome as the staged merge, row for row, and nothing kept when it fails."""

import pytest

from segments.models import Event, Identity, ImportRun, ImportStatus, Profile, RejectedRow
from segments.services import import_merge
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
    real_copy, real_merge = import_merge._events_copy, import_merge._events_merge

    def copy(*args):
        taken["direct"] += 1
        return real_copy(*args)

    def merge(*args):
        taken["merged"] += 1
        return real_merge(*args)

    monkeypatch.setattr(import_merge, "_events_copy", copy)
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


def test_a_first_load_copies_and_matches_the_merge_row_for_row(crm, imported, calls, monkeypatch):
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
    assert reasons[3] == reasons[7] == import_merge_unknown_reason()
    assert reasons[4].startswith("is not a date") and reasons[6] == "repeats the key of an earlier row"
    assert {row: value for row, _, value, _ in rejected if row in (3, 7)} == {3: "C404", 7: "C3"}


def import_merge_unknown_reason() -> str:
    return "no profile has this customer id or identifier; import the profiles first"


def test_uploading_it_again_merges_and_adds_nothing(crm, imported, calls):
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
    real_read = import_merge._profile_ids_by_customer_id

    def read_then_erase(cursor, source_id):
        profile_ids = real_read(cursor, source_id)
        Profile.objects.filter(source=crm, external_id="C2").delete()
        return profile_ids

    monkeypatch.setattr(import_merge, "_profile_ids_by_customer_id", read_then_erase)
    with pytest.raises(import_merge.PeopleErasedMeanwhile):
        imported(crm, "transactions", EVENTS.encode(), fields=FIELDS)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.error == (
        "The import failed and nothing from it was kept: "
        "some people in this file were erased while it was importing. Start it again."
    )
    assert not Event.objects.exists() and not RejectedRow.objects.filter(run=run).exists()
