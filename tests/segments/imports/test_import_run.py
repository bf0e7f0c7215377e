"""Import runs through the database: counts that add up, natural keys, all-or-nothing, erasure."""

import pytest
from django.core.exceptions import ValidationError

from governance.models import Job, JobStatus
from governance.services.jobs import job_execute
from segments.models import (
    Consent,
    ErasureTombstone,
    Event,
    Identity,
    ImportMapping,
    ImportStatus,
    Profile,
    RejectedRow,
)
from segments.services import import_merge, import_sql
from segments.services.imports import import_run_execute_work, import_run_start
from segments.services.tombstones import identifier_hash, tombstones_record
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])

PEOPLE = (
    "Customer ID,First name,Email,Phone,Marketing consent,Age\n"
    "C1,Ada,ada@example.com,07700 900123,yes,34\n"
    "C2,Bob,BOB@example.com,,no,\n"
    "C3,Cy,not-an-email,,yes,41\n"
    "C1,Ada again,ada2@example.com,,yes,34\n"
)


def accounted(run) -> bool:
    return run.inserted_rows + run.updated_rows + run.unchanged_rows + run.rejected_rows == run.total_rows


def test_profiles_identities_and_consent_with_counts_that_add_up(crm, imported):
    run = imported(crm, "profiles", PEOPLE.encode())
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (4, 2, 2) and accounted(run)
    ada = Profile.objects.get(source=crm, external_id="C1")
    assert ada.first_name == "Ada" and ada.birth_year == run.created_at.year - 34
    assert set(ada.identities.values_list("kind", "value")) == {
        ("email", "ada@example.com"),
        ("phone", "+447700900123"),
    }
    assert Consent.objects.get(profile=ada, purpose="marketing").granted is True
    assert Consent.objects.get(profile__external_id="C2", purpose="marketing").granted is False
    rejected = dict(RejectedRow.objects.filter(run=run).values_list("row_number", "reason"))
    assert rejected == {3: "is not an email address", 4: "repeats the key of row 1"}
    assert RejectedRow.objects.get(run=run, row_number=3).column == "Email"
    assert ImportMapping.objects.get(source=crm, record_kind="profiles").columns["Email"]["field"] == "email"


def test_uploading_the_same_file_again_creates_nothing_new(crm, imported):
    first = imported(crm, "profiles", PEOPLE.encode())
    again = imported(crm, "profiles", PEOPLE.encode())
    assert (again.inserted_rows, again.updated_rows, again.unchanged_rows, again.rejected_rows) == (
        0,
        0,
        2,
        2,
    )
    assert Profile.objects.filter(source=crm).count() == first.inserted_rows
    assert Identity.objects.count() == 3 and Consent.objects.count() == 2


def test_changes_update_and_empty_cells_keep_what_is_known(crm, imported):
    imported(crm, "profiles", PEOPLE.encode())
    changed = (
        "Customer ID,First name,Email,Marketing consent\nC1,,,no\nC2,Robert,bob@example.com,\nC9,New,,\n"
    )
    run = imported(crm, "profiles", changed.encode())
    assert (run.inserted_rows, run.updated_rows, run.unchanged_rows) == (1, 2, 0)
    assert Profile.objects.get(external_id="C1").first_name == "Ada"  # the empty cell erased nothing
    assert Consent.objects.get(profile__external_id="C1").granted is False
    assert Profile.objects.get(external_id="C2").first_name == "Robert"


def test_an_erased_person_is_refused_and_not_named(crm, imported):
    tombstones_record(identifiers=[("email", "ada@example.com"), (f"external_id:{crm.id}", "C2")])
    run = imported(crm, "profiles", PEOPLE.encode())
    assert not Profile.objects.filter(external_id__in=["C1", "C2"]).exists()
    erased = RejectedRow.objects.filter(run=run, reason="this person asked to be erased")
    assert sorted(erased.values_list("row_number", flat=True)) == [1, 2]
    assert set(erased.values_list("value", flat=True)) == {""}
    assert accounted(run)


def test_the_sql_hash_matches_the_python_one(crm):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {import_sql.identifier_hash_sql('%(kind)s', '%(value)s')}",
            {"kind": "email", "value": "zoë@example.com", "erasure_salt": import_merge.erasure_salt()},
        )
        assert cursor.fetchone()[0] == identifier_hash(kind="email", value="zoë@example.com")


EVENTS = (
    "order_id,customer_id,order_date,total,utm_campaign\n"
    "O1,C1,2025-03-01 10:00,£12.50,SPRING\n"
    "O2,C1,2025-03-02 11:00,7,\n"
    "O3,C404,2025-03-02 12:00,9,\n"
    "O4,C1,yesterday,9,\n"
)


def test_transactions_by_customer_id(crm, imported):
    ProfileFactory(source=crm, external_id="C1")
    run = imported(crm, "transactions", EVENTS.encode())
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (4, 2, 2) and accounted(run)
    first = Event.objects.get(source=crm, external_id="O1")
    assert (first.event_type, first.platform, str(first.amount), first.campaign_code) == (
        "purchase",
        "crm",
        "12.50",
        "SPRING",
    )
    reasons = dict(RejectedRow.objects.filter(run=run).values_list("row_number", "reason"))
    assert reasons[3].startswith("no profile has this customer id")
    assert reasons[4].startswith("is not a date")
    again = imported(crm, "transactions", EVENTS.encode())
    assert (again.inserted_rows, again.unchanged_rows) == (0, 2)
    assert Event.objects.filter(source=crm).count() == 2


def test_events_of_an_erased_customer_are_refused(crm, imported):
    tombstones_record(identifiers=[(f"external_id:{crm.id}", "C404")])
    ProfileFactory(source=crm, external_id="C1")
    run = imported(crm, "transactions", EVENTS.encode())
    assert RejectedRow.objects.get(run=run, row_number=3).reason == "this person asked to be erased"
    assert RejectedRow.objects.get(run=run, row_number=3).value == ""
    assert ErasureTombstone.objects.count() == 1


def test_a_failure_midway_keeps_nothing(crm, upload, monkeypatch):
    content = "customer_id,first_name\n" + "".join(f"C{n},Name{n}\n" for n in range(1, 51))
    run = upload(crm, "profiles", content.encode())
    monkeypatch.setattr(import_merge, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_merge, "FIRST_ROWS", 10)
    real_merge, calls = import_merge._profiles_merge, []

    def merge_then_fail(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_merge(*args)

    monkeypatch.setattr(import_merge, "_profiles_merge", merge_then_fail)
    with pytest.raises(RuntimeError):
        import_merge_run(run)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "disk full" in run.error and "nothing" in run.error
    assert not Profile.objects.exists() and not RejectedRow.objects.exists()
    assert run.total_rows == 0


def import_merge_run(run):
    from segments.services.imports import import_run_execute

    import_run_execute(run_id=run.id)


def test_the_job_runs_the_import_and_a_cancel_keeps_nothing(crm, upload, marketer):
    content = "customer_id,first_name\n" + "".join(f"C{n},Name{n}\n" for n in range(1, 21))
    run = import_run_start(run=upload(crm, "profiles", content.encode()), actor=marketer)
    assert run.status == ImportStatus.QUEUED and run.job.queue == "imports"
    assert run.job.task_name == "segments.import_run_execute"
    job_execute(job_id=run.job_id, work=import_run_execute_work)
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.inserted_rows == 20
    assert Job.objects.get(id=run.job_id).result["inserted"] == 20
    with pytest.raises(ValidationError):
        import_run_start(run=run, actor=marketer)


@pytest.mark.django_db(databases=["default", "jobs"], transaction=True)
def test_a_cancelled_import_keeps_nothing(crm, upload, marketer):
    """Committed data: the job's progress reports read the cancel flag on their own connection."""
    content = "customer_id,first_name\n" + "".join(f"D{n},Name{n}\n" for n in range(1, 21))
    run = import_run_start(run=upload(crm, "profiles", content.encode()), actor=marketer)
    Job.objects.filter(id=run.job_id).update(cancel_requested=True)
    job_execute(job_id=run.job_id, work=import_run_execute_work)
    run.refresh_from_db()
    assert Job.objects.get(id=run.job_id).status == JobStatus.CANCELLED
    assert run.status == ImportStatus.FAILED and "Cancelled" in run.error
    assert not Profile.objects.exists() and not RejectedRow.objects.exists()


def test_an_incomplete_mapping_cannot_start(crm, upload, marketer):
    run = upload(crm, "profiles", b"name,city\nAda,Leeds\n")
    with pytest.raises(ValidationError) as raised:
        import_run_start(run=run, actor=marketer)
    assert "Customer id" in str(raised.value)
