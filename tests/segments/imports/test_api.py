"""The import API: sources, uploads by file or JSON records, status, rejected rows, access."""

from importlib import import_module

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from segments.models import DataSource, Event, ImportRun, ImportStatus, Profile
from segments.services.imports import import_run_execute
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def test_sources_are_listed_and_created(marketer, viewer, login):
    created = login(marketer).post(
        "/api/v1/sources/",
        {"name": "Shop", "kind": "web", "platform": "shop"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["default_region"] == "GB"
    assert [source["name"] for source in login(viewer).get("/api/v1/sources/").json()["results"]] == ["Shop"]
    again = login(marketer).post(
        "/api/v1/sources/",
        {"name": "shop", "kind": "web", "platform": "shop"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "already exists" in str(again.json()["error"]["fields"])
    uk = {"name": "UK shop", "kind": "web", "platform": "shop", "default_region": "uk"}
    assert (
        login(marketer).post("/api/v1/sources/", uk, content_type="application/json").json()["default_region"]
        == "GB"
    )
    unknown = {"name": "Nowhere", "kind": "web", "platform": "shop", "default_region": "XX"}
    refused = login(marketer).post("/api/v1/sources/", unknown, content_type="application/json")
    assert refused.status_code == 400 and "not a country code" in str(
        refused.json()["error"]["fields"]["default_region"]
    )
    assert (
        login(viewer).post("/api/v1/sources/", {"name": "X"}, content_type="application/json").status_code
        == 403
    )


def test_a_file_upload_starts_an_import_and_its_status_and_rejections_are_readable(crm, marketer, login):
    client = login(marketer)
    upload = SimpleUploadedFile("people.csv", b"customer_id,email\nC1,ada@example.com\nC2,broken\n")
    response = client.post("/api/v1/imports/", {"source": crm.id, "record_kind": "profiles", "file": upload})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["job"]["status"] == "queued"
    assert body["mapping"]["columns"]["email"]["field"] == "email"
    import_run_execute(run_id=body["id"])
    status = client.get(f"/api/v1/imports/{body['id']}/").json()
    assert (status["status"], status["inserted_rows"], status["rejected_rows"], status["total_rows"]) == (
        "succeeded",
        1,
        1,
        2,
    )
    rejected = client.get(f"/api/v1/imports/{body['id']}/rejected-rows/").json()["results"]
    assert rejected == [
        {
            "id": rejected[0]["id"],
            "row_number": 2,
            "column": "email",
            "value": "broken",
            "reason": "is not an email address",
        }
    ]
    listed = client.get(f"/api/v1/imports/?source={crm.id}").json()["results"]
    assert [run["id"] for run in listed] == [body["id"]]


def test_an_import_shows_others_its_jobs_progress_not_what_the_job_holds(crm, marketer, viewer, login):
    upload = SimpleUploadedFile("people.csv", b"customer_id,email\nC1,ada@example.com\n")
    body = (
        login(marketer)
        .post("/api/v1/imports/", {"source": crm.id, "record_kind": "profiles", "file": upload})
        .json()
    )
    seen = login(viewer).get(f"/api/v1/imports/{body['id']}/").json()
    assert login(viewer).get(f"/api/v1/jobs/{body['job']['id']}/").status_code == 404
    assert set(seen["job"]) == {
        "id",
        "status",
        "progress",
        "message",
        "created_at",
        "started_at",
        "finished_at",
    }


def test_json_records_with_a_mapping(crm, marketer, login):
    ProfileFactory(source=crm, external_id="C1")
    records = [
        {"order": "O1", "customer": "C1", "at": "2025-03-01T10:00:00Z", "total": 12.5},
        {"order": "O2", "customer": "C1", "at": "not a time", "total": 3},
    ]
    mapping = {
        "columns": {
            "order": {"field": "external_id"},
            "customer": {"field": "profile_external_id"},
            "at": {"field": "occurred_at", "type": "datetime", "date_format": "ISO8601"},
            "total": {"field": "amount", "type": "decimal"},
        }
    }
    response = login(marketer).post(
        "/api/v1/imports/",
        {"source": crm.id, "record_kind": "transactions", "records": records, "mapping": mapping},
        content_type="application/json",
    )
    assert response.status_code == 202, response.json()
    run = ImportRun.objects.get(id=response.json()["id"])
    assert run.file_format == "jsonl"
    import_run_execute(run_id=run.id)
    run.refresh_from_db()
    assert (run.inserted_rows, run.rejected_rows) == (1, 1)
    assert str(Event.objects.get(external_id="O1").amount) == "12.50"


def test_the_source_of_customer_ids_is_kept_as_a_number_however_it_is_sent(crm, marketer, login):
    shop = DataSource.objects.create(name="Shop", kind="web", platform="shop")
    records = [{"customer": "C1", "at": "2025-03-01T10:00:00Z"}]
    mapping = {
        "columns": {"customer": {"field": "profile_external_id"}, "at": {"field": "occurred_at"}},
        "event_type": "click",
        "profile_source_id": str(crm.id),
    }
    sent = {"source": shop.id, "record_kind": "events", "records": records, "mapping": mapping}
    response = login(marketer).post("/api/v1/imports/", sent, content_type="application/json")
    assert response.status_code == 202, response.json()
    assert ImportRun.objects.get(id=response.json()["id"]).mapping["profile_source_id"] == crm.id
    refused = login(marketer).post(
        "/api/v1/imports/",
        {**sent, "mapping": {**mapping, "profile_source_id": "the CRM"}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "by its id" in str(refused.json())


def test_a_mapping_that_names_no_type_reads_each_field_as_it_usually_is(crm, marketer, login):
    ProfileFactory(source=crm, external_id="C1")
    records = [
        {"order": "O1", "customer": "C1", "at": "2025-03-01T10:00:00Z", "total": "£1,234.50"},
        {"order": "O2", "customer": "C1", "at": "03/02/2025", "total": "7"},
    ]
    mapping = {
        "columns": {
            "order": {"field": "external_id"},
            "customer": {"field": "profile_external_id"},
            "at": {"field": "occurred_at"},
            "total": {"field": "amount"},
        }
    }
    response = login(marketer).post(
        "/api/v1/imports/",
        {"source": crm.id, "record_kind": "transactions", "records": records, "mapping": mapping},
        content_type="application/json",
    )
    run = ImportRun.objects.get(id=response.json()["id"])
    assert run.mapping["columns"]["total"]["type"] == "decimal"
    import_run_execute(run_id=run.id)
    run.refresh_from_db()
    # The day-first date is not guessed at: its row is rejected with the reason.
    assert (run.inserted_rows, run.rejected_rows) == (1, 1)
    assert str(Event.objects.get(external_id="O1").amount) == "1234.50"


def test_an_incomplete_mapping_is_a_400_and_the_import_waits(crm, marketer, login):
    client = login(marketer)
    response = client.post(
        "/api/v1/imports/",
        {"source": crm.id, "record_kind": "profiles", "records": [{"name": "Ada"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Customer id" in str(response.json()["error"]["fields"]["mapping"])
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.UPLOADED
    mapping = {"columns": {"name": {"field": "external_id"}}}
    fixed = client.put(
        f"/api/v1/imports/{run.id}/mapping/", {"mapping": mapping}, content_type="application/json"
    )
    assert fixed.status_code == 200
    assert client.post(f"/api/v1/imports/{run.id}/start/").status_code == 202
    import_run_execute(run_id=run.id)
    assert Profile.objects.filter(external_id="Ada").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"id,name\n", "header but no rows"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        ("quote.csv", b'id,text\n1,"open\n', "never closed"),
    ],
)
def test_hostile_files_are_400_with_a_clear_message(crm, marketer, login, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = login(marketer).post(
        "/api/v1/imports/", {"source": crm.id, "record_kind": "profiles", "file": upload}
    )
    assert response.status_code == 400
    assert message in response.json()["error"]["fields"]["file"][0]
    assert not ImportRun.objects.exists()


def test_a_viewer_reads_imports_but_cannot_upload(crm, viewer, login):
    client = login(viewer)
    response = client.post(
        "/api/v1/imports/",
        {"source": crm.id, "record_kind": "profiles", "records": [{"id": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get("/api/v1/imports/").status_code == 200


def test_an_outsider_gets_nothing(crm, upload, outsider, login):
    run = upload(crm, "profiles", b"id\nC1\n")
    client = login(outsider)
    assert client.get("/api/v1/sources/").status_code == 403
    assert client.get("/api/v1/imports/").status_code == 403
    assert client.get(f"/api/v1/imports/{run.id}/").status_code == 404
    assert client.get(f"/api/v1/imports/{run.id}/rejected-rows/").status_code == 404
    assert client.post(f"/api/v1/imports/{run.id}/start/").status_code == 404
    mapping = client.put(
        f"/api/v1/imports/{run.id}/mapping/", {"mapping": {}}, content_type="application/json"
    )
    assert mapping.status_code == 404
    assert DataSource.objects.count() == 1


def test_source_ids_stored_as_strings_before_are_turned_into_numbers(crm):
    run = ImportRun.objects.create(
        source=crm, record_kind="events", original_name="x.csv", mapping={"profile_source_id": str(crm.id)}
    )
    stored_before = import_module("segments.migrations.0019_import_source_ids_as_numbers")
    with connection.cursor() as cursor:
        cursor.execute(stored_before.SOURCE_IDS_AS_NUMBERS)
    run.refresh_from_db()
    assert run.mapping["profile_source_id"] == crm.id
