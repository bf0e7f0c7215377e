import pytest
from django.contrib.auth.models import Permission

from governance.access import access_grant
from governance.models import ApprovalRequest
from personas.models import Persona, PersonaStatus, PrimaryPersona
from personas.services.primary import primary_persona_assign
from segments.models import Segment
from tests.factories import ProfileFactory
from tests.personas.helpers import comment_by, consent_for, features_for, persona_of, segment_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(marketer):
    people = ProfileFactory.create_batch(3)
    for profile in people:
        features_for(profile)
        consent_for(profile)
        comment_by(profile, "Every Saturday I run with my club and these shoes never let me down.")
    return segment_with(marketer, "Club runners", people)


def test_a_marketer_creates_reads_and_changes_their_persona(marketer, segment, login):
    client = login(marketer)
    created = client.post(
        "/api/v1/personas/",
        {
            "name": "Club runners",
            "goals": ["Run a marathon"],
            "preferred_channels": [{"channel": "instagram", "share": 0.6}],
            "content_preferences": {"tone": "Warm", "formats": ["video"]},
            "segments": [segment.id],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["owner"] == "mia" and body["status"] == "draft" and body["segments"][0]["size"] == 3
    assert body["avatar_url"].endswith("/avatar.svg")
    changed = client.patch(
        f"/api/v1/personas/{body['id']}/", {"summary": "Keen"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["summary"] == "Keen"
    assert changed.json()["goals"] == ["Run a marathon"]
    listed = client.get("/api/v1/personas/", {"status": "draft"}).json()
    assert [item["name"] for item in listed["results"]] == ["Club runners"]


def test_bad_input_and_unknown_segments_are_refused(marketer, login):
    client = login(marketer)
    response = client.post(
        "/api/v1/personas/", {"name": "", "segments": [999]}, content_type="application/json"
    )
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]
    response = client.post(
        "/api/v1/personas/", {"name": "X", "segments": [999]}, content_type="application/json"
    )
    assert response.status_code == 400 and "segments" in response.json()["error"]["fields"]


def test_only_the_owner_changes_a_persona(marketer, second_marketer, viewer, login):
    persona = persona_of(marketer)
    assert (
        login(second_marketer)
        .patch(f"/api/v1/personas/{persona.id}/", {}, content_type="application/json")
        .status_code
        == 403
    )
    assert login(viewer).get(f"/api/v1/personas/{persona.id}/").status_code == 200
    assert (
        login(viewer).post("/api/v1/personas/", {"name": "X"}, content_type="application/json").status_code
        == 403
    )


def test_draft_from_a_segment_answers_201_with_the_persona(marketer, segment, login):
    client = login(marketer)
    response = client.post(
        "/api/v1/personas/drafts/", {"segment": segment.id}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Club runners" and body["evidence"]["summary"]["figure"]
    quotes = client.get(f"/api/v1/personas/{body['id']}/quotes/").json()
    assert len(quotes) == 3 and all(quote["is_candidate"] and quote["figure"] for quote in quotes)
    kept = client.post(f"/api/v1/personas/{body['id']}/quotes/{quotes[0]['id']}/keep/")
    assert kept.status_code == 200 and kept.json()["is_candidate"] is False
    missing = client.post("/api/v1/personas/drafts/", {"segment": 999999}, content_type="application/json")
    assert missing.status_code == 404


def test_quotes_crud_and_readers_see_kept_quotes_only(marketer, viewer, segment, login):
    client = login(marketer)
    persona_id = client.post(
        "/api/v1/personas/drafts/", {"segment": segment.id}, content_type="application/json"
    ).json()["id"]
    quote = client.post(
        f"/api/v1/personas/{persona_id}/quotes/",
        {
            "text": "I run to think.",
            "source": "interview",
            "said_on": "2026-10-01",
            "consent_confirmed": True,
        },
        content_type="application/json",
    ).json()
    path = f"/api/v1/personas/{persona_id}/quotes/{quote['id']}/"
    assert (
        client.patch(path, {"text": "I run to clear my head."}, content_type="application/json").json()[
            "text"
        ]
        == "I run to clear my head."
    )
    assert [item["text"] for item in login(viewer).get(f"/api/v1/personas/{persona_id}/quotes/").json()] == [
        "I run to clear my head."
    ]
    assert client.delete(path).status_code == 204
    assert login(viewer).get(f"/api/v1/personas/{persona_id}/quotes/").json() == []


def test_versions_list_with_changes(marketer, login):
    persona = persona_of(marketer, goals=["Run"])
    client = login(marketer)
    client.patch(
        f"/api/v1/personas/{persona.id}/", {"goals": ["Run", "Rest"]}, content_type="application/json"
    )
    versions = client.get(f"/api/v1/personas/{persona.id}/versions/").json()
    assert [version["number"] for version in versions] == [2, 1]
    assert versions[0]["changes"] == [
        {"field": "goals", "label": "Goals", "before": None, "after": None, "added": ["Rest"], "removed": []}
    ]


def test_publish_request_over_the_api(marketer, login):
    persona = persona_of(marketer)
    response = login(marketer).post(
        f"/api/v1/personas/{persona.id}/publish-request/", {"note": "Ready"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["persona_status"] == "in_review"
    assert ApprovalRequest.objects.get().note == "Ready"
    again = login(marketer).post(
        f"/api/v1/personas/{persona.id}/publish-request/", {}, content_type="application/json"
    )
    assert again.status_code == 400


def test_primary_persona_counts_lookup_and_assignment(marketer, admin, segment, login):
    persona = persona_of(marketer, segments=[segment])
    Persona.objects.filter(id=persona.id).update(status=PersonaStatus.ACTIVE)
    client = login(marketer)
    job = client.post("/api/v1/personas/primary/assign/")
    assert job.status_code == 202 and job.json()["task_name"] == "personas.primary_persona_assign"
    primary_persona_assign()
    assert client.get("/api/v1/personas/primary/counts/").json() == [
        {"persona": persona.id, "name": persona.name, "priority": 100, "people": 3}
    ]
    someone = PrimaryPersona.objects.first().profile_id
    assert client.get(f"/api/v1/personas/primary/profiles/{someone}/").json() == {
        "profile": someone,
        "persona": persona.id,
        "name": persona.name,
    }


def test_the_lookup_does_not_name_a_persona_that_stands_on_hidden_members(
    marketer, manager, viewer, segment, login
):
    persona = persona_of(marketer, segments=[segment])
    Persona.objects.filter(id=persona.id).update(status=PersonaStatus.ACTIVE)
    primary_persona_assign()
    someone = PrimaryPersona.objects.first().profile_id
    Segment.objects.filter(id=segment.id).update(sensitivity="sensitive")
    url = f"/api/v1/personas/primary/profiles/{someone}/"
    assert login(viewer).get(url).json()["persona"] is None
    access_grant(actor=manager, grantee=viewer, perm="segments.view_members", obj=segment)
    assert login(viewer).get(url).json()["persona"] == persona.id


API_LISTS = [
    ("get", "/api/v1/personas/"),
    ("post", "/api/v1/personas/"),
    ("post", "/api/v1/personas/drafts/"),
    ("get", "/api/v1/personas/primary/counts/"),
    ("post", "/api/v1/personas/primary/assign/"),
    ("get", "/api/v1/personas/primary/profiles/1/"),
]
API_OBJECTS = [
    ("get", ""),
    ("patch", ""),
    ("get", "versions/"),
    ("post", "publish-request/"),
    ("get", "quotes/"),
    ("post", "quotes/"),
]


@pytest.mark.parametrize(("method", "url"), API_LISTS)
def test_the_api_refuses_a_user_without_a_role(outsider, login, method, url):
    assert getattr(login(outsider), method)(url, content_type="application/json").status_code == 403


@pytest.mark.parametrize(("method", "suffix"), API_OBJECTS)
def test_the_api_hides_personas_from_outsiders(outsider, marketer, login, method, suffix):
    persona = persona_of(marketer)
    response = getattr(login(outsider), method)(
        f"/api/v1/personas/{persona.id}/{suffix}", content_type="application/json"
    )
    assert response.status_code == 404


def test_someone_who_reads_personas_but_not_profiles_cannot_look_people_up(login, make_user):
    reader = make_user("sales", None)
    reader.user_permissions.add(Permission.objects.get(codename="view_persona"))
    person = ProfileFactory()
    assert login(reader).get("/api/v1/personas/primary/counts/").status_code == 200
    assert login(reader).get(f"/api/v1/personas/primary/profiles/{person.id}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "url"), [("get", "/api/v1/personas/"), ("post", "/api/v1/personas/drafts/")]
)
def test_the_api_refuses_anonymous_callers(client, method, url):
    assert getattr(client, method)(url).status_code in (401, 403)
