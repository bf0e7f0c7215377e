"""Identity resolution by hand: a marketer accepts a likely match and undoes the merge from the merge
history; an admin blocks a placeholder email so that it never merges anyone."""

import re

import pytest
from playwright.sync_api import Page, expect

from governance.roles import ADMIN, MARKETER
from segments.models import BlockedIdentifier, MatchCandidate, Profile
from tests.browser.journeys import open_from_menu
from tests.factories import DataSourceFactory, IdentityFactory, ProfileFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def likely_match(transactional_db) -> MatchCandidate:
    """The same Ada in the CRM and on Instagram, her surname mistyped there; no identifier in common."""
    crm = DataSourceFactory(name="CRM", kind="crm", platform="crm")
    instagram = DataSourceFactory(name="Instagram", kind="social", platform="instagram")
    in_crm = ProfileFactory(
        source=crm, first_name="Ada", last_name="Lovelace", city="London", birth_year=1985
    )
    IdentityFactory(profile=in_crm, kind="email", value="ada@analytical.example")
    on_instagram = ProfileFactory(
        source=instagram, first_name="Ada", last_name="Lovelase", city="London", birth_year=1985
    )
    IdentityFactory(profile=on_instagram, kind="instagram", value="ada.codes")
    return MatchCandidate.objects.create(
        profile_a=in_crm,
        profile_b=on_instagram,
        score=0.97,
        evidence={"first_name": "exact", "last_name": "close", "city": "exact", "birth_year": "exact"},
    )


def test_a_marketer_accepts_a_match_then_undoes_it(page: Page, person, log_in, likely_match):
    log_in(person(MARKETER).username)
    open_from_menu(page, "Review matches")
    expect(page.get_by_role("heading", name="Review likely matches")).to_be_visible()

    pair = page.locator(f"#candidate-{likely_match.id}")
    title = pair.get_by_role("heading", level=3)
    expect(title).to_contain_text("match score 0.970")
    expect(title).to_contain_text("Strong")
    first = pair.get_by_role("region", name="First profile")
    second = pair.get_by_role("region", name="Second profile")
    expect(first).to_contain_text("Ada Lovelace")
    expect(first).to_contain_text("CRM")
    expect(first).to_contain_text("ada@analytical.example")
    expect(second).to_contain_text("Ada Lovelase")
    expect(second).to_contain_text("Instagram")
    expect(second).to_contain_text("ada.codes")
    expect(pair.get_by_text("Last name: nearly the same")).to_be_visible()
    expect(pair.get_by_text("Birth year: same")).to_be_visible()
    expect(pair.get_by_text("Handle or email name: not on both profiles")).to_be_visible()

    pair.get_by_role("button", name="Accept: same person").click()
    expect(pair).to_contain_text(
        f"Pair {likely_match.id} merged: Ada Lovelase (Instagram) is now read as part of Ada Lovelace (CRM)."
    )
    expect(pair).to_be_focused()
    absorbed = Profile.objects.exclude(merged_into=None).get()

    pair.get_by_role("link", name="Undo in the merge history").click()
    expect(page).to_have_url(re.compile(r"/audience/identity/merges/#merge-\d+$"))
    row = page.locator("#merge-rows tr").first
    expect(row).to_contain_text("Reviewed candidate")
    expect(row).to_contain_text(f"match score 0.970, pair {likely_match.id}")
    expect(row).to_contain_text("Mark Marketer")
    row.get_by_role("button", name=re.compile(r"^Undo merge")).click()
    expect(row.locator(".badge")).to_contain_text("Undone")
    expect(row.get_by_role("button", name=re.compile(r"^Undo merge"))).to_have_count(0)
    absorbed.refresh_from_db()
    assert absorbed.merged_into_id is None


def test_an_admin_blocks_a_placeholder_email(page: Page, person, log_in):
    log_in(person(ADMIN).username)
    open_from_menu(page, "Identity settings")
    expect(page.get_by_role("heading", name="Identity resolution settings")).to_be_visible()
    blocked = page.locator("#blocked")
    expect(blocked.get_by_text("No values are blocked")).to_be_visible()

    blocked.get_by_label("Kind of identifier").select_option(label="Email")
    blocked.get_by_label("Value").fill("  Test@Example.com ")
    blocked.get_by_label("Reason").fill("Placeholder typed by the shop's staff")
    blocked.get_by_role("button", name="Block", exact=True).click()

    row = blocked.get_by_role("row").filter(has_text="test@example.com")
    expect(row).to_contain_text("Email")
    expect(row).to_contain_text("Placeholder typed by the shop's staff")
    expect(blocked.get_by_label("Value")).to_have_value("")
    assert BlockedIdentifier.objects.filter(kind="email", value="test@example.com").exists()

    blocked.get_by_label("Value").fill("test@example.com")
    blocked.get_by_role("button", name="Block", exact=True).click()
    expect(blocked.get_by_text("test@example.com is already blocked.")).to_be_visible()
    expect(blocked.get_by_role("row").filter(has_text="test@example.com")).to_have_count(1)
