"""The identity API: same rules as the pages, one error format."""

import pytest

from segments.models import BlockedIdentifier, MatchCandidate, ProfileMerge
from segments.services.identity_merge import profiles_merge
from tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db


def test_a_profiles_identities_are_its_persons(person, viewer, login):
    first, second = person(email="ada@x.io"), person(phone="+447700900123")
    IdentityFactory(profile=second, kind="instagram", value="ada.codes")
    profiles_merge(first=first, second=second, method="reviewed", evidence={}, actor=None)
    for profile in (first, second):
        body = login(viewer).get(f"/api/v1/profiles/{profile.id}/identities/").json()
        assert {(row["kind"], row["value"]) for row in body} == {
            ("email", "ada@x.io"),
            ("phone", "+447700900123"),
            ("instagram", "ada.codes"),
        }


def test_the_queue_pages_by_score_and_accept_then_undo(person, candidate_for, marketer, login):
    strong = candidate_for(person(), person(), 0.99)
    weak = candidate_for(person(), person(), 0.85)
    client = login(marketer)
    page = client.get("/api/v1/identity/candidates/?page_size=1").json()
    assert [row["id"] for row in page["results"]] == [strong.id]
    assert [row["id"] for row in client.get(page["next"]).json()["results"]] == [weak.id]

    merge = client.post(f"/api/v1/identity/candidates/{strong.id}/accept/").json()
    assert merge["method"] == "reviewed" and merge["evidence"]["candidate_id"] == strong.id
    conflict = client.post(f"/api/v1/identity/candidates/{strong.id}/accept/")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"

    merges = client.get("/api/v1/identity/merges/").json()["results"]
    assert [row["id"] for row in merges] == [merge["id"]]
    undone = client.post(f"/api/v1/identity/merges/{merge['id']}/undo/").json()
    assert undone["undone_at"] is not None
    assert client.post(f"/api/v1/identity/candidates/{weak.id}/reject/").json()["status"] == "rejected"
    assert client.get("/api/v1/identity/candidates/?status=rejected").json()["results"][0]["id"] in {
        strong.id,
        weak.id,
    }


def test_blocked_identifiers_crud_for_an_admin(admin, login):
    client = login(admin)
    created = client.post("/api/v1/identity/blocked/", {"kind": "email", "value": " Nobody@Example.COM "})
    assert created.status_code == 201 and created.json()["value"] == "nobody@example.com"
    invalid = client.post("/api/v1/identity/blocked/", {"kind": "email", "value": "nope"})
    assert invalid.status_code == 400 and "value" in invalid.json()["error"]["fields"]
    blocked_id = created.json()["id"]
    assert any(row["id"] == blocked_id for row in client.get("/api/v1/identity/blocked/").json())
    patched = client.patch(
        f"/api/v1/identity/blocked/{blocked_id}/", {"reason": "shared inbox"}, content_type="application/json"
    )
    assert patched.json()["reason"] == "shared inbox"
    assert client.delete(f"/api/v1/identity/blocked/{blocked_id}/").status_code == 204
    assert not BlockedIdentifier.objects.filter(id=blocked_id).exists()


def test_starting_a_run_answers_with_the_job(marketer, login):
    response = login(marketer).post("/api/v1/identity/resolve/")
    assert response.status_code == 202 and response.json()["task_name"] == "segments.identity_resolve"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/identity/candidates/"),
        ("get", "/api/v1/identity/merges/"),
        ("get", "/api/v1/identity/blocked/"),
        ("post", "/api/v1/identity/blocked/"),
        ("post", "/api/v1/identity/resolve/"),
    ],
)
def test_lists_and_actions_refuse_a_user_without_a_role(outsider, login, method, url):
    assert getattr(login(outsider), method)(url).status_code == 403


def test_a_marketer_may_not_block_values(marketer, login):
    assert (
        login(marketer).post("/api/v1/identity/blocked/", {"kind": "email", "value": "a@b.io"}).status_code
        == 403
    )


def test_objects_are_not_found_for_an_outsider(person, candidate_for, outsider, viewer, login):
    candidate = candidate_for(person(), person())
    merge = profiles_merge(first=person(), second=person(), method="reviewed", evidence={}, actor=None)
    blocked = BlockedIdentifier.objects.create(kind="email", value="y@example.com")
    client = login(outsider)
    assert client.get(f"/api/v1/profiles/{candidate.profile_a_id}/identities/").status_code == 404
    assert client.post(f"/api/v1/identity/candidates/{candidate.id}/accept/").status_code == 404
    assert client.post(f"/api/v1/identity/candidates/{candidate.id}/reject/").status_code == 404
    assert client.post(f"/api/v1/identity/merges/{merge.id}/undo/").status_code == 404
    assert client.get(f"/api/v1/identity/blocked/{blocked.id}/").status_code == 404
    assert client.delete(f"/api/v1/identity/blocked/{blocked.id}/").status_code == 404
    assert login(viewer).post(f"/api/v1/identity/candidates/{candidate.id}/accept/").status_code == 404
    assert MatchCandidate.objects.get(id=candidate.id).status == "pending"
    assert ProfileMerge.objects.get(id=merge.id).undone_at is None
