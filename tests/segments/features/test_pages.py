import pytest

from governance.models import AuditEntry, Job
from segments.models import FeatureSettings, InterestTopic
from segments.services.features import features_compute
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db
PAGE = "/audience/features/"


@pytest.fixture
def computed():
    person = ProfileFactory()
    EventFactory(profile=person, event_type="purchase", platform="shop", amount=12)
    return features_compute()


def test_the_page_shows_the_last_run_chart_and_stability(computed, viewer, login):
    response = login(viewer).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="features-profiles">1<' in page
    assert 'id="rfm-series"' in page and "js/features.js" in page
    assert "First computation: nothing to compare with" in page
    assert "Recompute features" not in page  # a Viewer may not start jobs
    assert "Save settings" not in page and "Add topic" not in page


def test_the_page_warns_about_a_shifted_feature(computed, marketer, login):
    computed.stability["monetary"]["psi"] = 0.4
    computed.save()
    page = login(marketer).get(PAGE).content.decode()
    assert "Warning: shifted" in page and 'data-shifted="true"' in page


def test_before_any_run_the_page_says_so(marketer, login):
    page = login(marketer).get(PAGE).content.decode()
    assert "Features have not been computed yet" in page
    assert "No customer has an RFM group yet" in page


def test_recompute_starts_one_job_and_shows_its_progress(marketer, login):
    client = login(marketer)
    response = client.post("/audience/features/compute/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    job = Job.objects.get(task_name="segments.features_compute")
    assert f'id="job-{job.id}"' in response.content.decode()
    client.post("/audience/features/compute/", headers={"HX-Request": "true"})
    assert Job.objects.filter(task_name="segments.features_compute").count() == 1
    assert f'id="job-{job.id}"' in client.get(PAGE).content.decode()


def test_a_run_started_by_someone_else_is_named_not_polled(marketer, make_user, login):
    from governance.roles import MARKETER

    other = make_user("otto", MARKETER)
    login(other).post("/audience/features/compute/")
    response = login(marketer).post("/audience/features/compute/", headers={"HX-Request": "true"})
    assert "started by someone else" in response.content.decode()


def test_settings_are_saved_and_audited(marketer, login):
    data = {"half_life_days": "14", "bot_threshold": "0.7"}
    data.update({f"weight_{name}": "1" for name in ["view", "like", "comment", "share", "save", "click"]})
    data.update({f"weight_{name}": "0" for name in ["follow", "purchase", "message", "page_view"]})
    data.update({"weight_email_open": "0.5", "weight_email_click": "2"})
    response = login(marketer).post("/audience/features/settings/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Settings saved" in response.content.decode()
    stored = FeatureSettings.objects.get(id=1)
    assert (stored.half_life_days, stored.bot_threshold, stored.engagement_weights["share"]) == (14, 0.7, 1.0)
    assert AuditEntry.objects.filter(action="features.settings_updated").exists()


def test_invalid_settings_show_the_error_and_change_nothing(marketer, login):
    response = login(marketer).post(
        "/audience/features/settings/",
        {"half_life_days": "0", "bot_threshold": "2"},
        headers={"HX-Request": "true"},
    )
    assert "Ensure this value is greater than or equal to 0.5" in response.content.decode()
    assert FeatureSettings.objects.get(id=1).half_life_days == 30


def test_topics_are_added_edited_and_deleted(marketer, login):
    client = login(marketer)
    response = client.post(
        "/audience/features/topics/add/",
        {"name": "Pets", "keywords": "#dogs, cats"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Pets" in response.content.decode()
    topic = InterestTopic.objects.get(name="Pets")
    assert topic.keywords == ["dogs", "cats"]
    assert (
        "Keywords and hashtags" in client.get(f"/audience/features/topics/{topic.id}/edit/").content.decode()
    )
    response = client.post(
        f"/audience/features/topics/{topic.id}/edit/", {"name": "Pets", "keywords": "dogs puppy"}
    )
    assert response.status_code == 200 and "puppy" in response.content.decode()
    assert client.post(f"/audience/features/topics/{topic.id}/delete/").status_code == 200
    assert not InterestTopic.objects.filter(name="Pets").exists()
    actions = set(
        AuditEntry.objects.filter(action__startswith="features.topic").values_list("action", flat=True)
    )
    assert actions == {"features.topic_created", "features.topic_updated", "features.topic_deleted"}


def test_a_topic_with_phrases_or_a_taken_name_is_refused(marketer, login):
    client = login(marketer)
    response = client.post("/audience/features/topics/add/", {"name": "X", "keywords": "machine-learning"})
    assert response.status_code == 422 and "single words" in response.content.decode()
    response = client.post("/audience/features/topics/add/", {"name": "fashion", "keywords": "style"})
    assert response.status_code == 422 and "already a topic called" in response.content.decode()


def test_a_viewer_may_look_but_not_change(viewer, login):
    client = login(viewer)
    topic = InterestTopic.objects.first()
    assert client.get(f"/audience/features/topics/{topic.id}/").status_code == 200
    assert client.post("/audience/features/compute/").status_code == 403
    assert client.post("/audience/features/settings/", {}).status_code == 403
    assert client.post("/audience/features/topics/add/", {"name": "Y", "keywords": "y"}).status_code == 403
    assert client.get(f"/audience/features/topics/{topic.id}/edit/").status_code == 403
    assert client.post(f"/audience/features/topics/{topic.id}/delete/").status_code == 403
    assert InterestTopic.objects.filter(id=topic.id).exists()


def test_an_outsider_sees_nothing(outsider, login):
    client = login(outsider)
    topic = InterestTopic.objects.first()
    assert client.get(PAGE).status_code == 403
    assert client.get("/audience/features/topics/").status_code == 403
    assert client.post("/audience/features/compute/").status_code == 403
    assert client.post("/audience/features/settings/", {}).status_code == 403
    assert client.post("/audience/features/topics/add/", {"name": "Y", "keywords": "y"}).status_code == 403
    for suffix in ("", "edit/"):
        assert client.get(f"/audience/features/topics/{topic.id}/{suffix}").status_code == 404
    assert client.post(f"/audience/features/topics/{topic.id}/delete/").status_code == 404
