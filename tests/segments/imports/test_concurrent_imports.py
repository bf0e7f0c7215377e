"""Two marketers importing into the same source at the same moment, each in its own transaction."""

import threading

import pytest
from django.db import connections

from segments.models import Event, ImportRun, ImportStatus, Profile
from segments.services.imports import import_mapping_save, import_run_execute

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
