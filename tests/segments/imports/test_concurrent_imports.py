"""Two marketers importing into the same source at the same moment, each in its own transaction."""

import threading

import psycopg2
import pytest
from django.db import connection, connections, transaction

from segments.models import Event, ImportRun, ImportStatus, Profile, RejectedRow
from segments.services import import_merge
from segments.services.import_merge import IMPORT_LOCK, _source_lock
from segments.services.imports import import_mapping_save, import_run_execute
from segments.services.privacy import profile_erase

pytestmark = pytest.mark.django_db(databases=["default", "jobs"], transaction=True)


def run_together(run_ids: list[int]) -> None:
    start = threading.Barrier(len(run_ids))
    failures: list[BaseException] = []

    def work(run_id: int) -> None:
        try:
            start.wait()
            import_run_execute(run_id=run_id)
        except BaseException as error:  # handed to the test's thread below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def mapped(run: ImportRun) -> int:
    return import_mapping_save(run=run, mapping=run.mapping, actor=None).id


def test_overlapping_files_at_once_make_each_profile_and_event_once(crm, upload):
    people = "customer_id,first_name\n" + "".join(f"C{n},Name {n}\n" for n in range(1, 3001))
    others = "customer_id,first_name\n" + "".join(f"C{n},Name {n}\n" for n in range(2001, 5001))
    run_together(
        [mapped(upload(crm, "profiles", people.encode())), mapped(upload(crm, "profiles", others.encode()))]
    )
    runs = list(ImportRun.objects.filter(record_kind="profiles"))
    assert all(run.status == ImportStatus.SUCCEEDED for run in runs), [run.error for run in runs]
    assert Profile.objects.filter(source=crm).count() == 5000
    assert sum(run.inserted_rows for run in runs) == 5000
    assert sum(run.unchanged_rows for run in runs) == 1000  # the overlap, met by whichever came second

    events = "order_id,customer_id,order_date,total\n" + "".join(
        f"O{n},C{n % 5000 + 1},2025-03-01 10:00,{n}\n" for n in range(1, 4001)
    )
    content = events.encode()
    run_together([mapped(upload(crm, "transactions", content)), mapped(upload(crm, "transactions", content))])
    first, second = ImportRun.objects.filter(record_kind="transactions")
    assert sorted([first.inserted_rows, second.inserted_rows]) == [0, 4000]
    assert sorted([first.unchanged_rows, second.unchanged_rows]) == [0, 4000]
    assert Event.objects.filter(source=crm).count() == 4000


def test_an_import_waiting_for_the_source_keeps_saying_so(crm):
    """Another import holds the source: this one reports while it waits, so the reaper does not take
    it for a lost worker, and it goes on once the source is free."""
    holder = psycopg2.connect(**connection.get_connection_params())
    holder.autocommit = True
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK, crm.id])
    reports = []
    threading.Timer(3, holder.close).start()  # the other import ends
    with transaction.atomic(), connection.cursor() as cursor:
        _source_lock(cursor, crm.id, lambda percent, message: reports.append(message))
    assert reports and set(reports) == {"Waiting for another import into this source to finish"}


def test_a_retried_import_finds_its_work_done(crm, upload):
    run = upload(crm, "profiles", b"customer_id,email\nC1,ada@example.com\nC2,not an email\n")
    import_run_execute(run_id=mapped(run))
    run.refresh_from_db()
    first = (run.inserted_rows, run.rejected_rows)
    assert first == (1, 1)
    assert import_run_execute(run_id=run.id) == {
        "total": run.total_rows,
        "inserted": run.inserted_rows,
        "updated": run.updated_rows,
        "unchanged": run.unchanged_rows,
        "rejected": run.rejected_rows,
    }
    run.refresh_from_db()
    assert (run.inserted_rows, run.rejected_rows) == first
    assert RejectedRow.objects.filter(run=run).count() == run.rejected_rows


def test_an_import_sees_an_erasure_committed_before_it_took_the_lock(crm, upload, admin, monkeypatch):
    # The first erasure ever: before it, the import had decided there was nothing erased to check.
    first = upload(crm, "profiles", b"customer_id,email\nC1,ada@example.com\n", name="first.csv")
    import_run_execute(run_id=mapped(first))
    again = upload(crm, "profiles", b"customer_id,email\nC1,ada@example.com\n", name="again.csv")
    run_id = mapped(again)
    taking_the_lock = import_merge.references_lock

    def erased_just_before(cursor, table, *, shared):
        eraser = threading.Thread(target=erase_ada)
        eraser.start()
        eraser.join(timeout=30)
        taking_the_lock(cursor, table, shared=shared)

    def erase_ada():
        try:
            profile_erase(profile=Profile.objects.get(external_id="C1"), actor=admin)
        finally:
            connections.close_all()

    monkeypatch.setattr(import_merge, "references_lock", erased_just_before)
    import_run_execute(run_id=run_id)

    assert not Profile.objects.filter(external_id="C1").exists()
    assert ImportRun.objects.get(id=run_id).rejected_rows == 1
