"""Pages built on vendored JavaScript load everything from this server: nothing from a CDN."""

import re

import pytest
from playwright.sync_api import Page, Request, expect

from governance.roles import VIEWER
from tests.browser.conftest import is_local

pytestmark = pytest.mark.browser


def test_the_api_docs_load_swagger_ui_from_this_server_only(page: Page, person, log_in):
    log_in(person(VIEWER).username)
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API reference").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Persona Studio API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the schema was fetched and read
    page.wait_for_load_state("networkidle")  # let any late request (validator badge, fonts) show itself

    assert any(re.search(r"/api/schema/", url) for url in requests), requests
    assert any("swagger-ui" in url for url in requests), requests
    leaving = [url for url in requests if not is_local(url)]
    assert leaving == [], f"requests left 127.0.0.1: {leaving}"


def test_the_campaign_calendar_renders_from_this_server_only(page: Page, person, log_in):
    log_in(person(VIEWER).username)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaign calendar").click()

    expect(page.locator("#campaign-calendar .fc-daygrid")).to_be_visible()
    expect(page.locator("#calendar-status")).not_to_have_text("Loading the calendar…")  # the feed came back
    assert any("/campaigns/calendar/feed/?start=" in url for url in requests), requests
    assert [url for url in requests if not is_local(url)] == []


def test_a_month_without_campaign_activity_says_so(page: Page, person, log_in):
    log_in(person(VIEWER).username)
    page.goto("/campaigns/calendar/")
    status = page.locator("#calendar-status")
    expect(status).to_have_text("No campaign activity in this month.", timeout=3_000)
