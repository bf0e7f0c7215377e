import pytest

from governance.models import Job
from segments.models import FeatureSettings, InterestTopic
from segments.services.features import features_compute
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    survivor = ProfileFactory()
    absorbed = ProfileFactory(merged_into=survivor)
    EventFactory(
        profile=absorbed,
        event_type="comment",
        platform="instagram",
        content_format="video",
        text="Great deal! #sale",
    )
    features_compute()
    return survivor, absorbed


def test_a_profiles_features(person, viewer, login):
    survivor, _ = person
    response = login(viewer).get(f"/api/v1/profiles/{survivor.id}/features/")
    assert response.status_code == 200
    body = response.json()
    assert body["profile"] == survivor.id
    assert body["events_total"] == 1 and body["interests"] == ["Deals"]
    assert body["excluded_as_bot"] is False and "is_bot" not in body
    assert body["channel_mix"] == {"instagram": 1.0} and body["format_affinity"] == {"video": 1.0}
    assert "channel_shares" not in body


def test_a_merged_profile_answers_with_its_survivors_features(person, viewer, login):
    survivor, absorbed = person
    body = login(viewer).get(f"/api/v1/profiles/{absorbed.id}/features/").json()
    assert body["profile"] == survivor.id


def test_features_not_yet_computed_are_not_found(viewer, login):
    fresh = ProfileFactory()
    assert login(viewer).get(f"/api/v1/profiles/{fresh.id}/features/").status_code == 404


def test_settings_are_read_and_replaced(marketer, login):
    client = login(marketer)
    assert client.get("/api/v1/features/settings/").json()["half_life_days"] == 30
    payload = {"engagement_weights": {"like": 2, "share": 5}, "half_life_days": 7, "bot_threshold": 0.9}
    response = client.put("/api/v1/features/settings/", payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["engagement_weights"]["share"] == 5
    assert FeatureSettings.objects.get(id=1).half_life_days == 7


def test_settings_with_unknown_event_types_are_refused(marketer, login):
    payload = {"engagement_weights": {"wink": 2}, "half_life_days": 7, "bot_threshold": 0.9}
    response = login(marketer).put("/api/v1/features/settings/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "wink" in response.json()["error"]["fields"]["engagement_weights"][0]


def test_topics_crud(marketer, login):
    client = login(marketer)
    created = client.post(
        "/api/v1/features/topics/",
        {"name": "Pets", "keywords": ["#Dogs", "cats"]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["keywords"] == ["dogs", "cats"]
    topic_id = created.json()["id"]
    assert any(row["name"] == "Pets" for row in client.get("/api/v1/features/topics/").json()["results"])
    changed = client.put(
        f"/api/v1/features/topics/{topic_id}/",
        {"name": "Pets", "keywords": ["dogs"]},
        content_type="application/json",
    )
    assert changed.json()["keywords"] == ["dogs"]
    assert client.delete(f"/api/v1/features/topics/{topic_id}/").status_code == 204
    assert not InterestTopic.objects.filter(id=topic_id).exists()


def test_a_duplicate_topic_name_is_a_field_error(marketer, login):
    response = login(marketer).post(
        "/api/v1/features/topics/", {"name": "Fashion", "keywords": ["x"]}, content_type="application/json"
    )
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]


def test_a_run_is_started_and_listed(person, marketer, login):
    client = login(marketer)
    response = client.post("/api/v1/features/runs/")
    assert response.status_code == 202
    assert response.json()["task_name"] == "segments.features_compute"
    assert Job.objects.filter(id=response.json()["id"]).exists()
    runs = client.get("/api/v1/features/runs/").json()["results"]
    assert runs[0]["profiles"] == 1 and runs[0]["psi"]["frequency"] is None
    assert runs[0]["summary"]["events"] == 1


def test_a_viewer_reads_but_does_not_change(person, viewer, login):
    client = login(viewer)
    topic = InterestTopic.objects.first()
    assert client.get("/api/v1/features/settings/").status_code == 200
    assert client.get(f"/api/v1/features/topics/{topic.id}/").status_code == 200
    assert client.get("/api/v1/features/runs/").status_code == 200
    assert client.put("/api/v1/features/settings/", {}, content_type="application/json").status_code == 403
    assert client.post("/api/v1/features/topics/", {}, content_type="application/json").status_code == 403
    assert client.delete(f"/api/v1/features/topics/{topic.id}/").status_code == 403
    assert client.post("/api/v1/features/runs/").status_code == 403


def test_an_outsider_is_refused_lists_and_finds_no_objects(person, outsider, login):
    survivor, _ = person
    client = login(outsider)
    topic = InterestTopic.objects.first()
    assert client.get("/api/v1/features/settings/").status_code == 403
    assert client.get("/api/v1/features/topics/").status_code == 403
    assert client.get("/api/v1/features/runs/").status_code == 403
    assert client.post("/api/v1/features/runs/").status_code == 403
    assert client.get(f"/api/v1/profiles/{survivor.id}/features/").status_code == 404
    assert client.get(f"/api/v1/features/topics/{topic.id}/").status_code == 404
    assert client.delete(f"/api/v1/features/topics/{topic.id}/").status_code == 404
