"""A marketer builds a rule segment in the visual builder, watching its size change while editing,
and saves it; a viewer then reads the segment without any of the controls that change it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Job, JobStatus
from governance.roles import MARKETER, VIEWER
from segments.models import Segment
from tests.browser.journeys import BROWSER_WITH_JOBS, open_from_menu, run_jobs_at_once
from tests.factories import EventFactory, ProfileFactory

pytestmark = BROWSER_WITH_JOBS

NAME = "Berlin regulars"


@pytest.fixture
def berliners(transactional_db) -> None:
    """Three people in Berlin and one in Paris. Under "in Berlin, and (liked twice this month or born
    before 1980)" exactly Anna and Bernd belong."""
    recently = timezone.now() - timedelta(days=2)
    anna = ProfileFactory(first_name="Anna", city="Berlin", birth_year=1990)
    ProfileFactory(first_name="Bernd", city="Berlin", birth_year=1970)
    clara = ProfileFactory(first_name="Clara", city="Berlin", birth_year=1995)
    pierre = ProfileFactory(first_name="Pierre", city="Paris", birth_year=1970)
    for profile, likes in ((anna, 3), (clara, 1), (pierre, 5)):
        EventFactory.create_batch(likes, profile=profile, event_type="like", occurred_at=recently)


def preview(page: Page):
    return page.locator("#rule-preview")


def choose(page: Page, select: str, label: str) -> None:
    """Picks a field or a test, which redraws the rules (once htmx, a deferred script, is listening:
    a heading can show before it is)."""
    page.wait_for_load_state("load")
    page.locator(select).select_option(label=label)
    wait_for_redraw(page)


def wait_for_redraw(page: Page) -> None:
    """Like a person, the test looks at the redrawn rules before going on: what is typed while a redraw
    is on its way is drawn over, and the new controls answer once htmx has settled them."""
    busy = "#rule-builder.htmx-settling, #rule-builder .htmx-request, #rule-builder .htmx-added"
    expect(page.locator(busy)).to_have_count(0)


def test_a_marketer_builds_a_segment_and_a_viewer_reads_it(
    page: Page, person, log_in, berliners, monkeypatch
):
    jobs = run_jobs_at_once(monkeypatch)
    marketer, viewer = person(MARKETER), person(VIEWER)
    log_in(marketer.username)
    open_from_menu(page, "Segments")
    expect(page.get_by_role("heading", name="Segments", exact=True)).to_be_visible()
    page.get_by_role("link", name="New rule segment").click()
    expect(page.get_by_role("heading", name="New rule segment")).to_be_visible()

    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Description").fill("Berlin people who are active or long-standing")
    # The first condition: City is Berlin.
    choose(page, "#n-0-field", "City")
    page.locator("#n-0-value").fill("Berlin")
    expect(preview(page)).to_contain_text("3 people match right now.")

    # An OR group beside it: liked at least twice in the last 30 days, or born before 1980.
    page.get_by_role("button", name="Add group").click()
    wait_for_redraw(page)
    expect(page.locator("#n-1-0-field")).to_be_focused()
    expect(preview(page)).to_contain_text("Not counted yet: 1 problem in the rules")
    expect(page.locator("#err-n-1-0")).not_to_be_empty()
    page.locator("#n-1-op").select_option(label="any of these (OR)")
    choose(page, "#n-1-0-field", "Number of events")
    page.locator("#n-1-0-event_type").select_option(label="Like")
    choose(page, "#n-1-0-operator", "is at least")
    page.locator("#n-1-0-value").fill("2")
    expect(page.locator("#n-1-0-within_days")).to_have_value("30")
    expect(preview(page)).to_contain_text("1 person matches right now.")

    page.locator("#n-1 > .rule-actions").get_by_role("button", name="Add condition").click()
    wait_for_redraw(page)
    choose(page, "#n-1-1-field", "Year of birth")
    choose(page, "#n-1-1-operator", "is less than")
    page.locator("#n-1-1-value").fill("1980")
    expect(preview(page)).to_contain_text("2 people match right now.")

    page.get_by_role("button", name="Create segment").click()
    expect(page).to_have_url(re.compile(r"/audience/segments/\d+/$"))
    expect(page.get_by_text(f"“{NAME}” is saved; its members are being computed.")).to_be_visible()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.get_by_test_id("segment-size")).to_have_text("2")
    rules = page.locator(".rule-read").first
    expect(rules).to_contain_text("City is Berlin")
    segment = Segment.objects.get(name=NAME)
    assert list(Job.objects.filter(id__in=[job.id for job in jobs]).values_list("task_name", "status")) == [
        ("segments.rule_segment_refresh", JobStatus.SUCCEEDED)
    ]
    assert segment.definition["op"] == "and" and segment.definition["rules"][1]["op"] == "or"

    page.get_by_role("button", name="Log out").click()
    log_in(viewer.username)
    open_from_menu(page, "Segments")
    expect(page.get_by_role("link", name="New rule segment")).to_have_count(0)
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.get_by_test_id("segment-size")).to_have_text("2")
    expect(page.locator(".rule-read").first).to_contain_text("City is Berlin")
    for control in ("Edit the rules", "Draft a persona"):
        expect(page.get_by_role("link", name=control)).to_have_count(0)
    expect(page.get_by_role("button", name="Refresh now")).to_have_count(0)
    response = page.goto(f"/audience/segments/{segment.id}/edit/")
    assert response is not None and response.status == 403


def test_a_value_typed_while_the_rules_are_redrawn_is_kept(page: Page, person, log_in, berliners):
    """The marketer changes a condition's test and types the value at once, before the redrawn rules
    arrive: the value must survive the redraw, with the caret still in it, and be counted."""
    log_in(person(MARKETER).username)
    page.goto("/audience/segments/new/")
    choose(page, "#n-0-field", "City")
    held = []
    page.route(re.compile(r".*/segments/builder/$"), lambda route: held.append(route))

    page.locator("#n-0-operator").select_option(label="is not")
    page.locator("#n-0-value").press_sequentially("Paris")  # the redraw is held back meanwhile
    assert len(held) == 1
    held[0].continue_()
    wait_for_redraw(page)
    page.unroute(re.compile(r".*/segments/builder/$"))

    expect(page.locator("#n-0-operator")).to_have_value("!=")
    expect(page.locator("#n-0-value")).to_have_value("Paris")
    expect(page.locator("#n-0-value")).to_be_focused()
    expect(preview(page)).to_contain_text("3 people match right now.")
