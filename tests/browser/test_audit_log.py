"""The admin's audit log: the HTMX filter form narrows the rows in place."""

import re

import pytest
from playwright.sync_api import Page, expect

from governance.roles import ADMIN
from governance.services.audit import audit_record

pytestmark = pytest.mark.browser


def test_an_admin_filters_the_audit_log_in_place(page: Page, person, log_in):
    admin = person(ADMIN)
    for action in ("job.requested", "job.cancel_requested", "profile.erased"):
        audit_record(actor=admin, action=action)
    log_in(admin.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    rows = page.locator("#audit-rows tbody tr")
    expect(rows).to_have_count(3)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Action starts with").fill("job.")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#audit-rows")).not_to_contain_text("profile.erased")
    expect(page).to_have_url(re.compile(r"[?&]action=job\.(&|$)"))

    page.get_by_label("Action starts with").fill("nothing.like.this")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-rows")).to_have_text("No audit entries match these filters.")
    assert page.evaluate("window.__sameDocument === true"), "the audit page was reloaded"
