"""A marketer's audience pages: the live profile search and the dashboard's engagement chart."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.roles import MARKETER
from segments.models import DataSource, Event, Profile, SourceKind
from segments.models.audience import EventType, Platform

pytestmark = pytest.mark.browser

PEOPLE = [("Ada", "Lovelace"), ("Byron", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")]


@pytest.fixture
def crm(transactional_db) -> DataSource:
    return DataSource.objects.create(name="Test CRM", kind=SourceKind.CRM, platform=Platform.CRM)


@pytest.fixture
def profiles(crm) -> list[Profile]:
    now = timezone.now()
    return Profile.objects.bulk_create(
        Profile(source=crm, external_id=f"c-{n}", first_name=first, last_name=last, created_at=now)
        for n, (first, last) in enumerate(PEOPLE)
    )


def mark_document(page: Page) -> None:
    """A flag that only a full page load can remove."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_a_marketer_searches_profiles_live(page: Page, person, log_in, profiles):
    log_in(person(MARKETER).username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profiles").click()
    expect(page.get_by_role("heading", name="Profiles")).to_contain_text(f"{len(PEOPLE)} in all")
    rows = page.locator("#profile-rows tbody tr")
    expect(rows).to_have_count(len(PEOPLE))
    mark_document(page)
    page.wait_for_load_state("load")  # htmx, a deferred script, listens from here on

    page.locator("#q").press_sequentially("lovelace")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lovelace")
    expect(page.locator("#profile-rows")).not_to_contain_text("Turing")
    expect(page.locator("#profile-rows")).to_contain_text("Byron Lovelace")
    expect(page.locator("#profile-rows")).to_contain_text("Ada Lovelace")
    expect(page).to_have_url(re.compile(r"/audience/profiles/\?q=lovelace$"))  # pushed, not loaded
    assert_same_document(page)

    page.locator("#q").fill("Nobodyknows")
    expect(page.locator("#profile-rows .empty")).to_have_text("No profile matches “Nobodyknows”.")
    expect(rows).to_have_count(0)
    assert_same_document(page)

    page.locator("#q").fill("")
    expect(rows).to_have_count(len(PEOPLE))
    assert_same_document(page)


def test_the_dashboard_draws_the_events_chart(page: Page, person, log_in, profiles, crm):
    now = timezone.now()
    kinds = [EventType.LIKE, EventType.CLICK, EventType.PURCHASE]
    Event.objects.bulk_create(
        Event(
            profile=profiles[n % len(profiles)],
            source=crm,
            platform=Platform.CRM,
            event_type=kinds[n % len(kinds)],
            occurred_at=now - timedelta(days=n % 5, hours=1),
        )
        for n in range(12)
    )
    log_in(person(MARKETER).username)

    expect(page.get_by_test_id("count-profiles")).to_have_text(str(len(PEOPLE)))
    expect(page.get_by_test_id("count-events")).to_have_text("12")
    chart = page.locator("#events-chart")
    expect(chart).to_be_visible()
    # Chart.js has taken the canvas over and drawn all three event types onto it.
    page.wait_for_function("() => window.Chart && Chart.getChart('events-chart') !== undefined")
    drawn = chart.evaluate(
        "canvas => { const c = Chart.getChart(canvas);"
        " return {types: c.data.datasets.map(d => d.label).sort(),"
        " total: c.data.datasets.flatMap(d => d.data).reduce((a, b) => a + b, 0),"
        " width: canvas.width, height: canvas.height}; }"
    )
    assert drawn["types"] == sorted(kinds)
    assert drawn["total"] == 12
    assert drawn["width"] > 0 and drawn["height"] > 0
    expect(page.get_by_text("No events yet.")).to_have_count(0)


def test_the_dashboard_without_events_shows_the_empty_state(page: Page, person, log_in):
    log_in(person(MARKETER).username)
    expect(page.get_by_test_id("count-events")).to_have_text("0")
    expect(
        page.get_by_text("No events yet. Once data is imported, daily engagement shows here.")
    ).to_be_visible()
    expect(page.locator("#events-chart")).to_have_count(0)
