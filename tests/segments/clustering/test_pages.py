import json

import pytest

from segments.ml.clustering_config import ClusteringConfig
from segments.models import ClusteringRun, Segment, Segmentation, SensitiveAttribute
from segments.services.clustering_runs import clustering_run_request
from segments.services.clustering_segmentations import segmentation_update
from tests.segments.clustering.test_runs import run_now

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])

FORM = {
    "name": "Engagement groups",
    "preset": "engagement",
    "scaling": "robust",
    "log_transform": "on",
    "algorithm": "gmm",
    "k_min": 2,
    "k_max": 6,
    "min_segment_size": 50,
    "exclude_bots": "on",
    "consent_purpose": "marketing",
    "random_state": 7,
    "schedule": "weekly",
    "size_change_alert": 0.3,
    "psi_alert": 0.25,
    "stability_alert": 0.5,
}


def test_a_marketer_creates_a_segmentation_from_the_form(login, marketer):
    response = login(marketer).post("/audience/segmentations/new/", FORM)

    segmentation = Segmentation.objects.get(name="Engagement groups")
    assert response.status_code == 302
    assert segmentation.config["algorithm"] == "gmm"
    assert segmentation.config["consent_purpose"] == "marketing"
    assert (segmentation.config["random_state"], segmentation.schedule) == (7, "weekly")
    assert segmentation.next_run_at is not None


def test_settings_that_cannot_work_are_explained_on_the_form(login, marketer):
    response = login(marketer).post("/audience/segmentations/new/", FORM | {"k_min": 8, "k_max": 3})

    assert response.status_code == 200
    assert "k_min &lt;= k_max" in response.content.decode()
    assert not Segmentation.objects.exists()


def test_the_edit_form_shows_the_stored_settings_and_saves_new_ones(login, marketer, segmentation):
    client = login(marketer)
    page = client.get(f"/audience/segmentations/{segmentation.id}/edit/").content.decode()
    assert 'value="Customer value"' in page

    client.post(
        f"/audience/segmentations/{segmentation.id}/edit/", FORM | {"name": "Customer value", "k_max": 4}
    )
    segmentation.refresh_from_db()
    assert segmentation.config["k_max"] == 4


def test_the_run_page_explains_k_and_shows_cards_and_charts(login, marketer, viewer, planted, segmentation):
    run = run_now(segmentation, marketer)

    page = login(viewer).get(f"/audience/segmentations/{segmentation.id}/runs/{run.id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert run.recommendation["reasons"][0] in html
    assert html.count('data-testid="cluster-card"') == 3
    assert "Rename" not in html  # a viewer reads the cards, and cannot rename
    charts = page.context["charts"]
    assert charts["k"]["k"] == [2, 3, 4, 5]
    assert sorted(charts["sizes"]["sizes"]) == [60, 60, 60]
    assert set(charts["projection"]["segment"]) == set(charts["sizes"]["labels"])
    assert len(charts["heatmap"]["rows"]) == 3
    json.loads(html.split('id="clustering-charts" type="application/json">')[1].split("</script>")[0])


def test_the_segment_page_shows_the_card_of_a_clustered_segment(login, marketer, planted, segmentation):
    run_now(segmentation, marketer)
    segment = Segment.objects.filter(segmentation=segmentation).first()

    html = login(marketer).get(f"/audience/segments/{segment.id}/").content.decode()
    assert 'data-testid="cluster-card"' in html
    assert "What sets them apart" in html


def test_renaming_on_the_run_page_refuses_blocked_terms(login, marketer, planted, segmentation):
    run_now(segmentation, marketer)
    segment = Segment.objects.filter(segmentation=segmentation).first()
    client = login(marketer)

    refused = client.post(
        f"/audience/segments/{segment.id}/rename/", {"name": "Lazy buyers"}, HTTP_HX_REQUEST="true"
    )
    assert "lazy" in refused.content.decode()
    client.post(
        f"/audience/segments/{segment.id}/rename/", {"name": "Weekday regulars"}, HTTP_HX_REQUEST="true"
    )
    segment.refresh_from_db()
    assert segment.name == "Weekday regulars"


def test_cluster_now_queues_a_run_and_shows_its_progress(login, marketer, segmentation):
    response = login(marketer).post(f"/audience/segmentations/{segmentation.id}/run/", HTTP_HX_REQUEST="true")

    assert 'class="job-progress"' in response.content.decode()
    assert segmentation.runs.count() == 1


def test_sensitive_features_make_the_segments_sensitive(login, marketer, planted, segmentation):
    SensitiveAttribute.objects.create(attribute="monetary", sensitivity="sensitive", reason="Income proxy")
    run_now(segmentation, marketer)

    assert set(Segment.objects.values_list("sensitivity", flat=True)) == {"sensitive"}
    page = login(marketer).get(f"/audience/segmentations/{segmentation.id}/").content.decode()
    assert "Income proxy" in page


def test_features_without_the_sensitive_one_lower_the_class_only_with_the_next_run(
    login, viewer, marketer, planted, segmentation
):
    SensitiveAttribute.objects.create(attribute="monetary", sensitivity="sensitive", reason="Income proxy")
    run_now(segmentation, marketer)
    segment = Segment.objects.filter(segmentation=segmentation).first()
    engagement = ClusteringConfig.from_dict({**segmentation.config, "preset": "engagement"})

    segmentation_update(actor=marketer, segmentation=segmentation, name=segmentation.name, config=engagement)
    segment.refresh_from_db()
    assert segment.sensitivity == "sensitive"  # its members were still clustered on spend
    assert login(viewer).get(f"/api/v1/segments/{segment.id}/members/").status_code == 404

    run_now(segmentation, marketer)
    assert set(Segment.objects.filter(retired_at=None).values_list("sensitivity", flat=True)) == {"normal"}


def test_viewers_cannot_change_and_outsiders_see_nothing(
    login, viewer, outsider, planted, segmentation, marketer
):
    run = run_now(segmentation, marketer)
    segment = Segment.objects.filter(segmentation=segmentation).first()
    assert login(viewer).post(f"/audience/segmentations/{segmentation.id}/run/").status_code == 403
    assert login(viewer).get(f"/audience/segmentations/{segmentation.id}/edit/").status_code == 403
    assert login(viewer).post(f"/audience/segments/{segment.id}/rename/", {"name": "Mine"}).status_code == 403
    for url in (
        "/audience/segmentations/",
        f"/audience/segmentations/{segmentation.id}/",
        f"/audience/segmentations/{segmentation.id}/runs/{run.id}/",
        f"/audience/segmentations/{segmentation.id}/edit/",
    ):
        assert login(outsider).get(url).status_code in (403, 404), url


def test_the_segmentation_page_draws_each_segments_size_after_each_run(
    login, marketer, planted, segmentation
):
    run_now(segmentation, marketer)
    run_now(segmentation, marketer)

    history = login(marketer).get(f"/audience/segmentations/{segmentation.id}/").context["size_history"]
    assert len(history["labels"]) == 2
    assert sorted(segment["sizes"] for segment in history["segments"]) == [[60, 60]] * 3


def test_a_queued_run_shows_its_progress_and_a_failed_one_why_it_stopped(login, marketer, segmentation):
    run = clustering_run_request(segmentation=segmentation, actor=marketer)
    client = login(marketer)
    queued = client.get(f"/audience/segmentations/{segmentation.id}/runs/{run.id}/").content.decode()
    assert 'class="job-progress"' in queued

    ClusteringRun.objects.filter(id=run.id).update(status="failed", error="Too few profiles to cluster")
    failed = client.get(f"/audience/segmentations/{segmentation.id}/runs/{run.id}/").content.decode()
    assert "Too few profiles to cluster" in failed
    assert "The segments stayed as they were" in failed
