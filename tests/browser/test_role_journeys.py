"""Each role's way in and out: the login form, the menu its permissions open, the header, log out."""

import re

import pytest
from playwright.sync_api import Page, expect

from config.navigation import AREAS
from governance.roles import ADMIN, MANAGER, MARKETER, VIEWER
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Every label the menu can show; a role must see exactly its own and none of the others.
ALL_LINKS = tuple(link.label for area in AREAS for link in area.links)
_READ = ("Dashboard", "Profiles", "Sources and imports", "Features")
_PERSONAS = ("Segments", "Segmentations", "Personas", "Compare personas", "Campaign calendar")
_WORK = (*_READ, "Review matches", "Merge history", *_PERSONAS, "Approvals", "Jobs", "API reference")
MENUS = {
    VIEWER: (*_READ, *_PERSONAS, "API reference"),
    MARKETER: _WORK,
    MANAGER: _WORK,
    ADMIN: (
        *_READ,
        "Review matches",
        "Merge history",
        "Identity settings",
        "Demo data",
        *_PERSONAS,
        "Approvals",
        "Jobs",
        "Audit log",
        "Users",
        "API reference",
    ),
}
LOGIN_FAILED = "Your user name and password did not match. Please try again."


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("role", [VIEWER, MARKETER, MANAGER, ADMIN])
def test_each_role_sees_its_menu_and_name_then_logs_out(page: Page, person, log_in, role):
    user = person(role)
    log_in(user.username)

    header = page.locator("header")
    expect(header.get_by_test_id("user-name")).to_have_text(f"{user.first_name} {user.last_name}")
    expect(header.locator(".roles")).to_have_text(role)

    nav = main_nav(page)
    expect(nav.get_by_role("link")).to_have_text(list(MENUS[role]))
    for label in ALL_LINKS:
        expected = 1 if label in MENUS[role] else 0
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(expected)
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")

    # Every link the menu offers opens for this role.
    for link in nav.get_by_role("link").all():
        href = link.get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200, f"{role} got {response.status} from the menu link {href}"

    header.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(main_nav(page)).to_have_count(0)
    expect(page.get_by_test_id("user-name")).to_have_count(0)


def test_a_wrong_password_shows_the_error_and_no_navigation(page: Page, person):
    user = person(MARKETER)
    page.goto("/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert").filter(has_text=LOGIN_FAILED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("#id_username")).to_have_value(user.username)
    expect(main_nav(page)).to_have_count(0)
    expect(page.get_by_test_id("user-name")).to_have_count(0)


def test_a_viewer_opening_the_audit_log_gets_not_allowed(page: Page, person, log_in):
    log_in(person(VIEWER).username)
    response = page.goto("/governance/audit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Not allowed"))
    expect(main_nav(page).get_by_role("link", name="Audit log")).to_have_count(0)


def focused(page: Page):
    return page.locator(":focus")


def assert_focus_visible(page: Page) -> None:
    outline = focused(page).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused element has no visible outline"


def test_the_login_form_works_from_the_keyboard_with_visible_focus(page: Page, person):
    user = person(VIEWER)
    page.goto("/login/")
    # Start the Tab walk above the form, as a reader arriving at the page would.
    page.get_by_role("heading", name="Log in").click()
    expect(page.locator("#id_username")).not_to_be_focused()

    page.keyboard.press("Tab")
    expect(page.locator("#id_username")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(user.username)

    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(PASSWORD)

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    assert_focus_visible(page)

    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-name")).to_have_text("Vera Viewer")


def test_the_skip_link_is_the_first_tab_stop_and_shows_itself(page: Page):
    page.goto("/login/")
    # From the last control Tab wraps round to the top of the document (Chromium may pause once on
    # the document itself), where the skip link must come before anything else.
    page.get_by_role("button", name="Log in").focus()
    stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        stops.append(focused(page).evaluate("el => el.className") if focused(page).count() else "")
        if stops[-1] == "skip-link":
            break
    assert stops[-1] == "skip-link", f"Tab went through {stops} without reaching the skip link"
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)
