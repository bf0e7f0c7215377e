"""A persona from draft to active: a marketer drafts it from a segment and asks for publication, a
manager approves it, and a viewer reads, downloads and prints it. An owner never approves their own."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from governance.roles import MANAGER, MARKETER, VIEWER
from personas.models import Persona, PersonaStatus
from tests.browser.journeys import BROWSER_WITH_JOBS, open_from_menu, run_jobs_at_once
from tests.factories import ProfileFactory
from tests.personas.helpers import features_for, persona_of, segment_with

pytestmark = BROWSER_WITH_JOBS

SEGMENT = "Leeds runners"
NAME = "Rita the Leeds runner"


@pytest.fixture
def runners_segment(person):
    """Four members in Leeds with features: mostly on Instagram, all interested in running."""
    marketer = person(MARKETER)
    members = [ProfileFactory(city="Leeds", country="GB", birth_year=1990) for _ in range(4)]
    for member in members:
        features_for(member, interests=["running"], channel_mix={"instagram": 0.75, "email": 0.25})
    return segment_with(marketer, SEGMENT, members)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_a_persona_is_drafted_approved_and_printed(page: Page, person, log_in, runners_segment, monkeypatch):
    run_jobs_at_once(monkeypatch)
    manager, viewer = person(MANAGER), person(VIEWER)

    # The marketer drafts the persona from the segment; every filled field shows its figure.
    log_in(runners_segment.owner.username)
    open_from_menu(page, "Segments")
    page.get_by_role("link", name=SEGMENT).click()
    page.get_by_role("link", name="Draft a persona").click()
    expect(page.get_by_role("heading", name=f"Draft a persona from “{SEGMENT}”")).to_be_visible()
    page.get_by_role("button", name="Draft a persona").click()
    expect(page.get_by_text("Draft ready: each filled field shows the figure it came from.")).to_be_visible()
    expect(page.get_by_test_id("persona-status")).to_have_text("Draft")
    channels = page.locator("#channels-heading")
    expect(channels.locator(".evidence-tip")).to_be_hidden()
    channels.locator(".evidence").focus()
    expect(channels.locator(".evidence-tip")).to_be_visible()
    expect(channels.locator(".evidence-tip")).to_contain_text(f"segment “{SEGMENT}” v1")
    expect(page.locator(".channel-bar").first).to_contain_text("instagram")
    expect(page.locator(".channel-bar").first).to_contain_text("75%")
    expect(page.locator(".evidence-notes")).to_contain_text(f"segment “{SEGMENT}” v1")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved. The change is in the persona's history.")).to_be_visible()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    # Only the name was changed: the history says so, and no drafted figure reads as edited.
    expect(page.locator(".evidence-notes")).not_to_contain_text("edited since it was drafted")
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", name=f"History of {NAME}")).to_be_visible()
    expect(page.get_by_text("Edited: name", exact=True)).to_be_visible()
    page.go_back()

    page.get_by_text("Ask a manager to publish it").click()
    page.get_by_role("button", name="Request publication").click()
    expect(page.get_by_text("Sent for approval. A manager decides on the Approvals page.")).to_be_visible()
    expect(page.get_by_test_id("persona-status")).to_have_text("In review")
    expect(page.get_by_test_id("pending-request")).to_be_visible()
    persona_url = page.url
    log_out(page)

    # The manager approves it from the Approvals page, with a comment.
    log_in(manager.username)
    open_from_menu(page, "Approvals")
    request = page.locator(".approval").filter(has_text=NAME)
    expect(request).to_contain_text("Asked by Mark Marketer")
    request.get_by_label("Comment (needed to reject)").fill("Clear and well evidenced.")
    request.get_by_role("button", name="Approve").click()
    # It leaves the waiting list for the decided one, without a reload.
    expect(page.get_by_role("status")).to_contain_text("It is listed under “Decided by you”")
    sections = page.locator("section")
    waiting = sections.filter(has=page.get_by_role("heading", name="Waiting for your decision"))
    expect(waiting).to_contain_text("Nothing waits for your decision.")
    decided = sections.filter(has=page.get_by_role("heading", name="Decided by you"))
    request = decided.locator(".approval").filter(has_text=NAME)
    expect(request.locator(".badge")).to_have_text("Approved")
    expect(request).to_contain_text("Clear and well evidenced.")
    expect(request.get_by_role("button", name="Approve")).to_have_count(0)
    request.get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("persona-status")).to_have_text("Active")
    assert Persona.objects.get(name=NAME).status == PersonaStatus.ACTIVE
    log_out(page)

    # The viewer finds it active in the gallery, downloads the PDF and prints the card.
    log_in(viewer.username)
    open_from_menu(page, "Personas")
    tile = page.get_by_test_id("persona-tile").filter(has_text=NAME)
    expect(tile.locator(".status")).to_have_text("Active")
    tile.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(persona_url)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_be_visible()
    page.emulate_media(media="print")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("heading", name="Use and manage")).to_be_hidden()
    expect(page.get_by_role("link", name="← All personas")).to_be_hidden()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.locator(".print-only")).to_be_visible()
    expect(page.locator(".print-only")).to_contain_text("Not validated yet.")
    page.emulate_media(media="screen")
    expect(navigation).to_be_visible()


def test_an_owner_cannot_approve_their_own_request(page: Page, person, log_in, monkeypatch):
    run_jobs_at_once(monkeypatch)
    manager = person(MANAGER)
    persona = persona_of(manager, "Night owls")
    log_in(manager.username)
    page.goto(persona.get_absolute_url())
    page.get_by_text("Ask a manager to publish it").click()
    page.get_by_role("button", name="Request publication").click()
    expect(page.get_by_test_id("persona-status")).to_have_text("In review")

    open_from_menu(page, "Approvals")
    expect(page.get_by_text("Nothing waits for your decision.")).to_be_visible()
    own = page.locator(".approval").filter(has_text="Night owls")
    expect(own.locator(".badge")).to_have_text("Waiting for a decision")
    expect(own.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(own.get_by_role("button", name="Approve")).to_have_count(0)

    # Sent from the page anyway, the decision is refused.
    request_id = own.get_attribute("id").removeprefix("approval-")
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const body = new URLSearchParams({decision: "approve"});
            const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token}, body});
            return response.status;
        }""",
        reverse("governance:approval_decide", args=[request_id]),
    )
    assert status == 403
    page.reload()
    still_own = page.locator(".approval").filter(has_text="Night owls")
    expect(still_own.locator(".badge")).to_have_text("Waiting for a decision")
    assert Persona.objects.get(id=persona.id).status == PersonaStatus.IN_REVIEW
