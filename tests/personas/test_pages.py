import csv
import io
import json

import pytest
from django.urls import reverse

from personas.models import Persona, PersonaStatus
from personas.services.drafts import persona_draft_from_segment
from tests.factories import ProfileFactory
from tests.personas.helpers import comment_by, consent_for, features_for, persona_of, segment_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(marketer):
    people = ProfileFactory.create_batch(3, city="Leeds")
    for profile in people:
        features_for(profile)
        consent_for(profile)
        comment_by(profile, f"Running with friends every weekend is the best part, says number {profile.id}.")
    return persona_draft_from_segment(
        segment=segment_with(marketer, "Weekend runners", people), actor=marketer
    )


def test_the_gallery_shows_cards_and_filters_by_status(marketer, viewer, login, drafted):
    active = persona_of(marketer, "Busy parents")
    Persona.objects.filter(id=active.id).update(status=PersonaStatus.ACTIVE)
    page = login(viewer).get(reverse("personas:gallery")).content.decode()
    assert "Weekend runners" in page and "Busy parents" in page and "<svg" in page
    assert "3 people in linked segments" in page
    only_active = login(viewer).get(reverse("personas:gallery"), {"status": "active"}, HTTP_HX_REQUEST="true")
    assert (
        "Busy parents" in only_active.content.decode()
        and "Weekend runners" not in only_active.content.decode()
    )
    assert "<html" not in only_active.content.decode()  # the HTMX partial


def test_an_empty_gallery_points_to_segments(marketer, login):
    page = login(marketer).get(reverse("personas:gallery")).content.decode()
    assert "No personas yet" in page and "Draft a persona" in page


def test_the_persona_page_is_a_card_with_evidence_and_print_rules(viewer, login, drafted):
    page = login(viewer).get(drafted.get_absolute_url()).content.decode()
    assert 'class="evidence"' in page and 'role="tooltip"' in page
    assert "Where the figures come from" in page and "Weekend runners" in page
    assert "personas/persona.css" in page and "card.pdf" in page
    assert "Suggested from comments" not in page  # candidates are for the owner
    assert "Edit</a>" not in page


def test_the_owner_sees_candidates_and_actions(marketer, login, drafted):
    page = login(marketer).get(drafted.get_absolute_url()).content.decode()
    assert "Suggested from comments" in page and page.count('data-testid="candidate-quote"') == 3
    assert "Request publication" in page and "Retire" in page and "Edit</a>" in page


def test_keep_and_discard_candidates_with_htmx(marketer, login, drafted):
    client = login(marketer)
    first, second, _ = drafted.quotes.order_by("id")
    kept = client.post(f"/personas/{drafted.id}/quotes/{first.id}/keep/", HTTP_HX_REQUEST="true")
    assert kept.status_code == 200 and "Consent given" in kept.content.decode()
    client.post(f"/personas/{drafted.id}/quotes/{second.id}/remove/", HTTP_HX_REQUEST="true")
    assert list(drafted.quotes.values_list("id", "is_candidate")) == [(first.id, False), (_.id, True)]


def test_the_owner_adds_quotes_and_validations(marketer, login, drafted):
    client = login(marketer)
    added = client.post(
        f"/personas/{drafted.id}/quotes/",
        {
            "text": "I plan my week around the Saturday run.",
            "source": "interview",
            "said_on": "2026-10-02",
            "consent_confirmed": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200 and "I plan my week" in added.content.decode()
    invalid = client.post(f"/personas/{drafted.id}/quotes/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert "This field is required" in invalid.content.decode()
    client.post(
        f"/personas/{drafted.id}/validations/",
        {"kind": "interviews", "title": "Five runner interviews", "held_on": "2026-10-10"},
    )
    assert drafted.validations.get().title == "Five runner interviews"


def test_edit_form_saves_lists_one_per_line(marketer, login, drafted):
    client = login(marketer)
    form = client.get(f"/personas/{drafted.id}/edit/").content.decode()
    assert "instagram 70%" in form
    data = {
        "name": "Saturday runners",
        "summary": drafted.summary,
        "goals": "Run a marathon\n\nStay injury-free\nRun a marathon",
        "preferred_channels": "instagram 60%\nemail: 40",
        "crm_tags": "runner, weekend",
        "priority": 5,
        "refresh_cycle_days": 60,
        "segments": [segment.id for segment in drafted.segments.all()],
    }
    response = client.post(f"/personas/{drafted.id}/edit/", data)
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.name == "Saturday runners" and drafted.goals == ["Run a marathon", "Stay injury-free"]
    assert drafted.preferred_channels == [
        {"channel": "instagram", "share": 0.6},
        {"channel": "email", "share": 0.4},
    ]
    assert drafted.crm_tags == ["runner", "weekend"]
    assert drafted.evidence["preferred_channels"]["edited"] is True


def test_only_the_owner_may_open_the_edit_form(second_marketer, viewer, outsider, login, drafted):
    assert login(second_marketer).get(f"/personas/{drafted.id}/edit/").status_code == 403
    assert login(viewer).post(f"/personas/{drafted.id}/retire/", {"reason": "x"}).status_code == 403
    assert login(outsider).get(f"/personas/{drafted.id}/edit/").status_code == 404


def test_drafting_from_a_segment_page(marketer, login):
    people = ProfileFactory.create_batch(2)
    for profile in people:
        features_for(profile)
    segment = segment_with(marketer, "Night owls", people)
    client = login(marketer)
    assert "Draft a persona" in client.get(f"/personas/from-segment/{segment.id}/").content.decode()
    response = client.post(f"/personas/from-segment/{segment.id}/")
    persona = Persona.objects.get()
    assert response.status_code == 302 and response.url == persona.get_absolute_url()


def test_exports_as_json_csv_and_pdf(viewer, login, drafted):
    client = login(viewer)
    document = json.loads(client.get(f"/personas/{drafted.id}/export.json").content)
    assert document["name"] == "Weekend runners" and document["segments"][0]["size"] == 3
    assert document["evidence"]["summary"]["figure"]
    rows = list(csv.reader(io.StringIO(client.get(f"/personas/{drafted.id}/export.csv").content.decode())))
    assert rows[0] == ["field", "item", "value"] and ["name", "", "Weekend runners"] in rows
    pdf = client.get(f"/personas/{drafted.id}/card.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="weekend-runners.pdf"' in pdf["Content-Disposition"]
    gallery = client.get("/personas/export.csv").content.decode()
    assert "Weekend runners" in gallery.splitlines()[1]
    assert json.loads(client.get("/personas/export.json").content)[0]["name"] == "Weekend runners"
    assert client.get(f"/personas/{drafted.id}/avatar.svg")["Content-Type"] == "image/svg+xml"


def test_csv_cells_cannot_run_as_formulas(marketer, login):
    persona_of(marketer, '=HYPERLINK("http://x")')
    text = login(marketer).get("/personas/export.csv").content.decode()
    assert "'=HYPERLINK" in text


def test_compare_two_personas_side_by_side(marketer, viewer, login, drafted):
    other = persona_of(marketer, "Busy parents", segments=list(drafted.segments.all()), goals=["Save time"])
    page = login(viewer).get("/personas/compare/", {"ids": [drafted.id, other.id]}).content.decode()
    assert "Weekend runners" in page and "Save time" in page
    assert 'data-testid="pair-overlap"' in page and "share 3 people (100%" in page
    assert "Choose two or three" in login(viewer).get("/personas/compare/").content.decode()


def test_versions_page_shows_the_diff(marketer, login, drafted):
    client = login(marketer)
    client.post(f"/personas/{drafted.id}/retire/", {"reason": "Replaced by a broader persona"})
    page = client.get(f"/personas/{drafted.id}/versions/").content.decode()
    assert (
        "Version 2" in page
        and "Retired: Replaced by a broader persona" in page
        and "Reason for retiring" in page
    )


def test_merge_and_reassign_through_the_page(marketer, manager, second_marketer, login, drafted):
    other = persona_of(marketer, "Busy parents")
    response = login(marketer).post(f"/personas/{drafted.id}/merge/", {"target": other.id})
    assert response.status_code == 302 and response.url == other.get_absolute_url()
    assert (
        login(marketer).post(f"/personas/{other.id}/owner/", {"owner": second_marketer.id}).status_code == 403
    )
    login(manager).post(f"/personas/{other.id}/owner/", {"owner": second_marketer.id})
    other.refresh_from_db()
    assert other.owner == second_marketer


PAGES = [
    "/personas/",
    "/personas/compare/",
    "/personas/export.csv",
    "/personas/export.json",
    "/personas/new/",
]
OBJECT_PAGES = ["", "edit/", "versions/", "overlap/", "export.json", "export.csv", "card.pdf", "avatar.svg"]
OBJECT_POSTS = ["publish/", "withdraw/", "retire/", "merge/", "owner/", "review/", "quotes/", "validations/"]


@pytest.mark.parametrize("url", PAGES)
def test_an_outsider_is_refused_the_lists(outsider, login, url):
    assert login(outsider).get(url).status_code == 403


@pytest.mark.parametrize("suffix", OBJECT_PAGES)
def test_an_outsider_does_not_find_a_persona(outsider, login, drafted, suffix):
    assert login(outsider).get(f"/personas/{drafted.id}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", OBJECT_POSTS)
def test_an_outsider_cannot_act_on_a_persona(outsider, login, drafted, suffix):
    assert login(outsider).post(f"/personas/{drafted.id}/{suffix}").status_code == 404


def test_an_outsider_cannot_draft_from_a_segment(outsider, login, marketer):
    segment = segment_with(marketer, "S", ProfileFactory.create_batch(1))
    assert login(outsider).post(f"/personas/from-segment/{segment.id}/").status_code == 403


@pytest.mark.parametrize("url", PAGES[:2])
def test_anonymous_visitors_log_in_first(client, url):
    assert client.get(url).status_code == 302
