"""Steps the journeys share: opening a page from the menu, and running queued jobs as a worker would."""

import pytest
from playwright.sync_api import Page

import personas.tasks  # noqa: F401  (registers the tasks the journeys' jobs run)
import segments.tasks  # noqa: F401
from config.celery import app as celery_app
from governance.models import Job
from governance.services import jobs as job_services

# Jobs write their progress through the "jobs" alias, so the journeys that run jobs need both databases.
BROWSER_WITH_JOBS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "jobs"]),
]


def open_from_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state("load")  # htmx, a deferred script, listens from here on


def run_jobs_at_once(monkeypatch: pytest.MonkeyPatch) -> list[Job]:
    """Each job runs as soon as its request commits, through its Celery task in the server's own
    thread, so a page that queued one shows its outcome. Returns the jobs run, in order."""
    ran: list[Job] = []

    def run(job: Job) -> None:
        ran.append(job)
        celery_app.tasks[job.task_name](job.id)

    monkeypatch.setattr(job_services, "_job_enqueue", run)
    return ran


def keep_jobs_queued(monkeypatch: pytest.MonkeyPatch) -> list[Job]:
    """Jobs stay queued, as with no worker running; the test then plays the worker. Returns them."""
    queued: list[Job] = []
    monkeypatch.setattr(job_services, "_job_enqueue", queued.append)
    return queued
