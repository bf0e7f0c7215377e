"""The marketer's journey through the pages, and who may see what."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import Job
from segments.models import DataSource, ImportRun, ImportStatus, RejectedRow
from segments.services.imports import import_run_execute
from tests.segments.imports.conftest import SAMPLES

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def test_a_marketer_adds_a_source_uploads_maps_previews_and_starts(marketer, login):
    client = login(marketer)
    response = client.post(
        "/audience/sources/", {"name": "Mall CRM", "kind": "crm", "platform": "crm", "default_region": "GB"}
    )
    source = DataSource.objects.get(name="Mall CRM")
    assert response.status_code == 302 and response.url == f"/audience/sources/{source.id}/"
    upload = SimpleUploadedFile("mall_customers.csv", (SAMPLES / "mall_customers.csv").read_bytes())
    response = client.post(f"/audience/sources/{source.id}/", {"record_kind": "profiles", "file": upload})
    run = ImportRun.objects.get(source=source)
    assert response.url == f"/audience/imports/{run.id}/mapping/"

    page = client.get(response.url).content.decode()
    assert "Annual Income (k$)" in page and "not a profile field yet" in page
    assert 'value="external_id" selected' in page and "minus the age" in page
    form = (
        {f"field_{n}": "" for n in range(5)}
        | {f"type_{n}": "" for n in range(5)}
        | {f"format_{n}": "" for n in range(5)}
    )
    form |= {"field_0": "external_id", "field_1": "gender", "field_2": "birth_year", "type_2": "age"}
    response = client.post(f"/audience/imports/{run.id}/mapping/", form)
    assert response.url == f"/audience/imports/{run.id}/preview/"

    page = client.get(response.url).content.decode()
    assert "None of them has a problem" in page and "Start the import" in page
    response = client.post(f"/audience/imports/{run.id}/start/")
    run.refresh_from_db()
    assert response.url == f"/audience/imports/{run.id}/" and run.status == ImportStatus.QUEUED
    assert Job.objects.get(id=run.job_id).queue == "imports"
    import_run_execute(run_id=run.id)
    page = client.get(f"/audience/imports/{run.id}/").content.decode()
    assert 'data-testid="import-inserted">200<' in page and "No row was rejected" in page
    assert page.index("CustomerID") < page.index("Annual Income")  # the file order, not jsonb order
    assert "mall_customers.csv" in client.get(f"/audience/sources/{source.id}/").content.decode()


def test_the_preview_shows_each_bad_cell_and_the_download_lists_rejections(crm, upload, marketer, login):
    run = upload(crm, "profiles", b"Customer ID,Email,Age\nC1,ada@example.com,34\nC2,nope,300\nC3\n")
    client = login(marketer)
    page = client.get(f"/audience/imports/{run.id}/preview/").content.decode()
    assert page.count('data-testid="cell-error"') == 2
    assert "is not an email address" in page and "is not an age in years" in page
    assert "has 1 values where the header has 3 columns" in page
    assert "2 of them will be rejected" in page or "3 of them will be rejected" in page
    import_run_execute(run_id=run.id)
    response = client.get(f"/audience/imports/{run.id}/rejected.csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0] == "row,column,value,reason"
    assert "2,Email,nope,is not an email address" in body and "3,,,has 1 values" in body


def test_a_json_list_of_records_as_an_api_exports_it_is_previewed_and_imported(crm, upload, marketer, login):
    export = {
        "data": [
            {"id": "C1", "email": "ada@example.com", "name": {"first": "Ada"}},
            {"id": "C2", "email": "nope"},
        ],
        "paging": {"next": None},
    }
    run = upload(crm, "profiles", json.dumps(export, indent=2).encode(), name="contacts.json")
    assert run.file_format == "json" and run.mapping["columns"]["email"]["field"] == "email"
    page = login(marketer).get(f"/audience/imports/{run.id}/preview/").content.decode()
    assert "a JSON document" in login(marketer).get(f"/audience/imports/{run.id}/mapping/").content.decode()
    assert page.count('data-testid="cell-error"') == 1 and "is not an email address" in page
    import_run_execute(run_id=run.id)
    run.refresh_from_db()
    assert (run.status, run.inserted_rows, run.rejected_rows) == (ImportStatus.SUCCEEDED, 1, 1)


def test_a_hostile_upload_is_a_form_error_not_a_crash(crm, marketer, login):
    png = SimpleUploadedFile("people.csv", b"\x89PNG\r\n\x1a\n" + bytes(200))
    response = login(marketer).post(f"/audience/sources/{crm.id}/", {"record_kind": "profiles", "file": png})
    assert response.status_code == 422
    assert "This is a PNG image" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_source_in_a_country_the_phone_library_does_not_know_is_refused(marketer, login):
    form = {"name": "Atlantis CRM", "kind": "crm", "platform": "crm", "default_region": "XX"}
    response = login(marketer).post("/audience/sources/", form)
    assert response.status_code == 422 and "not a country code" in response.content.decode()
    login(marketer).post("/audience/sources/", {**form, "name": "UK CRM", "default_region": "UK"})
    assert DataSource.objects.get().default_region == "GB"


def test_a_long_file_name_is_kept_whole(crm, marketer, login):
    name = "Shopify_customers_export_2025-06-01_to_2025-06-30_all_stores_final_v2.csv"
    csv = SimpleUploadedFile(name, b"customer_id,email\nC1,ada@example.com\n")
    response = login(marketer).post(f"/audience/sources/{crm.id}/", {"record_kind": "profiles", "file": csv})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.original_name == name and len(run.file.name) <= 100


def test_an_incomplete_mapping_is_explained(crm, upload, marketer, login):
    run = upload(crm, "profiles", b"name,city\nAda,Leeds\n")
    form = {
        "field_0": "first_name",
        "field_1": "city",
        "type_0": "",
        "type_1": "",
        "format_0": "",
        "format_1": "",
    }
    response = login(marketer).post(f"/audience/imports/{run.id}/mapping/", form)
    assert (
        response.status_code == 422
        and "Choose the column that holds “Customer id”" in response.content.decode()
    )


def test_a_viewer_reads_but_does_not_import(crm, upload, viewer, login):
    run = upload(crm, "profiles", b"id\nC1\n")
    client = login(viewer)
    page = client.get("/audience/sources/").content.decode()
    assert "Test CRM" in page and "Add source" not in page
    assert "Upload and map" not in client.get(f"/audience/sources/{crm.id}/").content.decode()
    assert client.post(f"/audience/sources/{crm.id}/", {"record_kind": "profiles"}).status_code == 403
    assert client.get(f"/audience/imports/{run.id}/").status_code == 200
    assert client.get(f"/audience/imports/{run.id}/mapping/").status_code == 404
    assert client.post(f"/audience/imports/{run.id}/start/").status_code == 404


def test_an_outsider_sees_nothing(crm, upload, outsider, login):
    run = upload(crm, "profiles", b"id\nC1\n")
    RejectedRow.objects.create(run=run, row_number=1, reason="x")
    client = login(outsider)
    assert client.get("/audience/sources/").status_code == 403
    for url in (
        f"/audience/sources/{crm.id}/",
        f"/audience/imports/{run.id}/",
        f"/audience/imports/{run.id}/mapping/",
        f"/audience/imports/{run.id}/preview/",
        f"/audience/imports/{run.id}/rejected.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/audience/imports/{run.id}/start/").status_code == 404
