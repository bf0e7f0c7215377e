"""Browser fixtures: one headless Debian Chromium per session, a fresh context and page per test.

Nothing is downloaded: Playwright drives the system Chromium, and every request that would leave this
machine is aborted (and recorded on ``page.external_requests``), so the suite never depends on the net.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from governance.roles import ADMIN, MANAGER, MARKETER, VIEWER
from governance.services.roles import roles_sync
from governance.services.users import user_create
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse the
# ORM calls that fixtures and tests make from that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Each role's full name, as the header shows it.
PEOPLE = {
    VIEWER: ("vera", "Vera", "Viewer"),
    MARKETER: ("mark", "Mark", "Marketer"),
    MANAGER: ("mona", "Mona", "Manager"),
    ADMIN: ("adam", "Adam", "Admin"),
}

expect.set_options(timeout=5_000)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True  # made inside the page, nothing goes on the wire
    return parts.hostname in LOCAL_HOSTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Run on a test database of our own, so that the browser suite and the rest of the tests can run
    at the same time without one dropping the other's database. (When the whole suite runs in one
    session the database is set up once, by whichever test asks first, and this changes nothing.)"""
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        test = db_settings.setdefault("TEST", {})
        if test.get("MIRROR"):
            continue
        test["NAME"] = f"{test.get('NAME') or 'test_' + db_settings['NAME']}_browser"


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_server, request) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    external: list[str] = []

    def keep_local(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", keep_local)
    page = context.new_page()
    page.external_requests = external  # type: ignore[attr-defined]
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def person(transactional_db) -> Callable[[str], object]:
    """A user in a role, with a full name so the header has something to show."""
    roles_sync()

    def make(role: str) -> object:
        username, first_name, last_name = PEOPLE[role]
        return user_create(
            username=username, password=PASSWORD, role=role, first_name=first_name, last_name=last_name
        )

    return make


@pytest.fixture
def log_in(page: Page) -> Callable[[str], Page]:
    """Logs in through the real form and waits for the dashboard."""

    def log_in_as(username: str, password: str = PASSWORD) -> Page:
        page.goto("/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/$"))
        return page

    return log_in_as
