"""An admin generates the demo company: the form, the queued job's page, and its progress bar turning
to "Succeeded" by HTMX polling while the job runs in the test process (no Celery worker needed)."""

import re

import pytest
from playwright.sync_api import Page, expect

from governance.models import Job, JobStatus
from governance.roles import ADMIN
from governance.services import jobs as job_services
from segments.models import Profile
from segments.tasks import _generate_demo_company

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Catches the message that would go to the broker; the test plays the worker itself."""
    sent: list[int] = []
    monkeypatch.setattr(job_services, "_job_enqueue", lambda job: sent.append(job.id))
    return sent


def test_an_admin_generates_the_demo_company_and_watches_it_finish(page: Page, person, log_in, enqueued):
    log_in(person(ADMIN).username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Demo data").click()
    expect(page.get_by_role("heading", name="Demo company")).to_be_visible()
    page.get_by_label("Profiles").fill("200")
    page.get_by_label("Events", exact=True).fill("1000")
    page.get_by_label("Seed").fill("3")
    page.get_by_role("button", name="Generate").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    job_id = int(re.search(r"/jobs/(\d+)/$", page.url).group(1))
    assert enqueued == [job_id]
    expect(page.get_by_text("The demo company is being generated")).to_be_visible()
    status = page.get_by_test_id("job-status")
    expect(status).to_have_text("Queued")
    expect(page.locator(f"#job-{job_id}")).to_have_attribute("data-status", "queued")
    expect(page.get_by_text("Waiting for a worker…")).to_be_visible()
    assert Job.objects.get(id=job_id).params == {"profiles": 200, "events": 1000, "seed": 3, "replace": False}

    page.evaluate("window.__sameDocument = true")
    # The worker's part, played here: the same work function the Celery task runs.
    job_services.job_execute(job_id=job_id, work=_generate_demo_company)
    job = Job.objects.get(id=job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error

    expect(status).to_have_text("Succeeded", timeout=10_000)
    progress = page.locator(f"#job-{job_id}")
    expect(progress).to_have_attribute("data-status", "succeeded")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "100")
    expect(progress.get_by_role("button", name="Cancel")).to_have_count(0)  # finished: nothing to cancel
    expect(progress.locator(".job-result")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "the job page was reloaded"
    assert Profile.objects.count() >= 200
