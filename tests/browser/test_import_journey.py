"""A marketer brings a real Instagram export into the product: adds the source, uploads the file,
checks the suggested mapping and the preview, starts the import and watches every row accounted for;
uploading the same file again adds nothing."""

import re

from playwright.sync_api import Page, expect

from governance.roles import MARKETER
from governance.services import jobs as job_services
from segments.models import Event, Identity, ImportRun, Profile
from segments.services.imports import import_run_execute_work
from tests.browser.journeys import BROWSER_WITH_JOBS, keep_jobs_queued, open_from_menu
from tests.segments.imports.conftest import SAMPLES

pytestmark = BROWSER_WITH_JOBS

SAMPLE = SAMPLES / "instagram_reach.csv"


def upload_and_map(page: Page) -> None:
    page.get_by_label("What the file holds").select_option(label="Comments and messages")
    page.get_by_label("File", exact=True).set_input_files(SAMPLE)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Map the columns of instagram_reach.csv")).to_be_visible()


def run_the_import(page: Page, queued: list) -> dict[str, int]:
    """Start it, play the worker, and read the counts the page shows once its polling sees the end."""
    page.get_by_role("button", name="Start the import").click()
    expect(page).to_have_url(re.compile(r"/audience/imports/\d+/$"))
    expect(page.get_by_test_id("import-status")).to_have_text(re.compile("Queued|Running"))
    job_services.job_execute(job_id=queued[-1].id, work=import_run_execute_work)
    expect(page.get_by_test_id("import-status")).to_have_text("Succeeded", timeout=10_000)
    names = ("total", "inserted", "updated", "unchanged", "rejected")
    return {name: int(page.get_by_test_id(f"import-{name}").inner_text().replace(",", "")) for name in names}


def test_a_marketer_imports_an_instagram_export_and_sees_every_row_accounted_for(
    page: Page, person, log_in, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    queued = keep_jobs_queued(monkeypatch)
    log_in(person(MARKETER).username)
    open_from_menu(page, "Sources and imports")
    expect(page.get_by_text("No data source yet.")).to_be_visible()
    page.get_by_label("Name").fill("Brand Instagram")
    page.get_by_label("Kind of source").select_option(label="Social platform")
    page.get_by_label("Platform").select_option(label="Instagram")
    page.get_by_role("button", name="Add source").click()
    expect(page.get_by_role("heading", name=re.compile("Brand Instagram"))).to_be_visible()

    upload_and_map(page)
    # The suggestions, with the reasons for what the product does not keep.
    expect(page.get_by_label("Field for “USERNAME”")).to_have_value("profile_handle")
    expect(page.get_by_label("How to read “Time since posted”")).to_have_value("relative")
    expect(page.get_by_text("A column without a name (a row index?): ignored.")).to_be_visible()
    expect(page.get_by_text("Follower counts are not kept yet")).to_be_visible()
    # The marketer's own choice: the captions are read as plain text, whatever was guessed.
    page.get_by_label("Field for “Caption”").select_option(label="Text")
    page.get_by_role("button", name="Save mapping and preview").click()

    expect(page.get_by_role("heading", name="Preview of instagram_reach.csv")).to_be_visible()
    expect(page.get_by_text("Nothing has been stored yet.")).to_be_visible()
    expect(page.get_by_text("None of them has a problem.")).to_be_visible()
    expect(page.get_by_role("cell", name="mikequindazzi", exact=True)).to_be_visible()
    assert not Profile.objects.exists()

    counts = run_the_import(page, queued)
    assert counts == {"total": 100, "inserted": 100, "updated": 0, "unchanged": 0, "rejected": 0}
    expect(page.get_by_text("No row was rejected.")).to_be_visible()
    assert Event.objects.filter(event_type="comment").count() == 100
    assert Identity.objects.filter(kind="instagram", value="mikequindazzi").exists()

    # The same file again: the saved mapping is offered, and nothing is added twice.
    page.get_by_role("link", name="Brand Instagram").click()
    upload_and_map(page)
    expect(page.get_by_text("As saved for this source.").first).to_be_visible()
    page.get_by_role("button", name="Save mapping and preview").click()
    again = run_the_import(page, queued)
    assert again == {"total": 100, "inserted": 0, "updated": 0, "unchanged": 100, "rejected": 0}
    assert Event.objects.count() == 100

    page.get_by_role("link", name="Brand Instagram").click()
    history = page.get_by_role("table", name="Imports from Brand Instagram, newest first")
    expect(history.get_by_role("row")).to_have_count(3)  # the header and the two imports
    assert ImportRun.objects.filter(status="succeeded").count() == 2
