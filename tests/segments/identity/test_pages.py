"""The review queue, merge history and settings pages, through the test client."""

import pytest

from segments.models import BlockedIdentifier, IdentifierPolicy, MatchCandidate, Profile, ProfileMerge
from segments.services.identity_merge import profiles_merge

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_queue_shows_both_sides_and_what_matched(person, candidate_for, marketer, login):
    first = person(first_name="Ada", last_name="Lovelace", city="London", birth_year=1985, email="ada@x.io")
    candidate_for(first, person(first_name="Ada", last_name="Lovelase", city="London", birth_year=1985), 0.98)
    page = login(marketer).get("/audience/identity/review/").content.decode()
    assert "Lovelace" in page and "Lovelase" in page and "ada@x.io" in page
    assert "match score 0.980" in page and "Strong" in page
    assert 'Last name: <span class="badge running">nearly the same</span>' in page
    assert "Resolve identities" in page


def test_the_empty_queue_says_so(marketer, login):
    assert (
        "No pairs are waiting for review"
        in login(marketer).get("/audience/identity/review/").content.decode()
    )


def test_accepting_through_htmx_merges_and_answers_with_a_focused_message(
    person, candidate_for, marketer, login
):
    candidate = candidate_for(person(), person())
    response = login(marketer).post(f"/audience/identity/candidates/{candidate.id}/accept/", **HTMX)
    assert response.status_code == 200
    assert "merged" in response.content.decode() and "autofocus" in response.content.decode()
    assert ProfileMerge.objects.filter(evidence__candidate_id=candidate.id).exists()
    again = login(marketer).post(f"/audience/identity/candidates/{candidate.id}/accept/", **HTMX)
    assert "already decided" in again.content.decode()


def test_rejecting_without_htmx_returns_to_the_queue(person, candidate_for, manager, login):
    candidate = candidate_for(person(), person())
    response = login(manager).post(f"/audience/identity/candidates/{candidate.id}/reject/")
    assert response.status_code == 302
    assert MatchCandidate.objects.get(id=candidate.id).status == "rejected"


def test_the_history_lists_merges_and_undo_separates_them(person, marketer, login):
    first, second = person(), person()
    merge = profiles_merge(first=first, second=second, method="reviewed", evidence={}, actor=marketer)
    client = login(marketer)
    assert f'id="merge-{merge.id}"' in client.get("/audience/identity/merges/").content.decode()
    row = client.post(f"/audience/identity/merges/{merge.id}/undo/", **HTMX).content.decode()
    assert "Undone" in row
    assert Profile.objects.get(id=second.id).merged_into_id is None


def test_the_resolve_button_starts_a_job_and_shows_its_progress(marketer, login):
    response = login(marketer).post("/audience/identity/resolve/", **HTMX)
    assert response.status_code == 200
    assert 'class="job-progress"' in response.content.decode()


def test_an_admin_reorders_identifiers_and_switches_one_off(admin, login):
    client = login(admin)
    assert "Identifier order" in client.get("/audience/identity/settings/").content.decode()
    form = {f"priority_{kind}": rank for rank, kind in enumerate(["email", "crm_id", "phone"], start=1)}
    form |= {"priority_instagram": 4, "priority_x": 5, "priority_linkedin": 6, "priority_tiktok": 7}
    form |= {f"merges_{kind}": "on" for kind in ["email", "crm_id", "instagram", "x", "linkedin", "tiktok"]}
    assert client.post("/audience/identity/settings/", form).status_code == 302
    policies = list(IdentifierPolicy.objects.order_by("priority").values_list("kind", "merges"))
    assert policies[:3] == [("email", True), ("crm_id", True), ("phone", False)]


def test_an_admin_blocks_a_phone_placeholder_normalised_and_removes_it(admin, login):
    client = login(admin)
    form = {"kind": "phone", "value": "0000000000", "region": "us", "reason": "placeholder"}
    response = client.post("/audience/identity/settings/blocked/", form, **HTMX)
    assert "+10000000000" in response.content.decode()
    blocked = BlockedIdentifier.objects.get(kind="phone", value="+10000000000")
    duplicate = client.post("/audience/identity/settings/blocked/", form, **HTMX).content.decode()
    assert "already blocked" in duplicate
    bad = client.post(
        "/audience/identity/settings/blocked/", {**form, "kind": "email", "value": "nope"}, **HTMX
    )
    assert "not a valid email" in bad.content.decode()
    nowhere = client.post("/audience/identity/settings/blocked/", {**form, "region": "xx"}, **HTMX)
    assert "not a country code" in nowhere.content.decode()
    client.post(f"/audience/identity/settings/blocked/{blocked.id}/remove/", **HTMX)
    assert not BlockedIdentifier.objects.filter(id=blocked.id).exists()


@pytest.mark.parametrize(
    "url", ["/audience/identity/review/", "/audience/identity/merges/", "/audience/identity/settings/"]
)
def test_pages_refuse_a_user_without_a_role(outsider, login, url):
    assert login(outsider).get(url).status_code == 403


def test_a_marketer_cannot_open_the_admin_settings(marketer, login):
    assert login(marketer).get("/audience/identity/settings/").status_code == 403
    assert login(marketer).post("/audience/identity/settings/blocked/", {"kind": "email"}).status_code == 403


def test_a_viewer_may_not_start_a_run(viewer, login):
    assert login(viewer).post("/audience/identity/resolve/").status_code == 403


def test_objects_are_not_found_for_those_who_may_not_act_on_them(
    person, candidate_for, outsider, viewer, login
):
    candidate = candidate_for(person(), person())
    merge = profiles_merge(first=person(), second=person(), method="reviewed", evidence={}, actor=None)
    blocked = BlockedIdentifier.objects.create(kind="email", value="x@example.com")
    for user in (outsider, viewer):
        client = login(user)
        assert client.post(f"/audience/identity/candidates/{candidate.id}/accept/").status_code == 404
        assert client.post(f"/audience/identity/candidates/{candidate.id}/reject/").status_code == 404
        assert client.post(f"/audience/identity/merges/{merge.id}/undo/").status_code == 404
        assert client.post(f"/audience/identity/settings/blocked/{blocked.id}/remove/").status_code == 404
    assert MatchCandidate.objects.get(id=candidate.id).status == "pending"
