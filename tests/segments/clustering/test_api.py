import pytest
from django.core.management import call_command

from segments.models import ClusteringRun, Segment
from tests.segments.clustering.test_runs import run_now

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])

SETTINGS = {"preset": "rfm", "k_min": 2, "k_max": 5, "min_segment_size": 10, "bootstrap_resamples": 2}


def test_a_marketer_creates_a_segmentation_and_starts_a_run(login, marketer):
    client = login(marketer)
    created = client.post(
        "/api/v1/segmentations/",
        {"name": "Value", "config": SETTINGS, "schedule": "monthly"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["config"]["k_max"] == 5
    assert created.json()["next_run_at"] is not None

    started = client.post(
        f"/api/v1/segmentations/{created.json()['id']}/runs/", {}, content_type="application/json"
    )
    assert started.status_code == 202
    assert started.json()["status"] == "pending"
    assert started.json()["job"]["status"] == "queued"


def test_settings_the_product_does_not_know_are_refused_by_name(login, marketer):
    response = login(marketer).post(
        "/api/v1/segmentations/",
        {"name": "Value", "config": {"preset": "rfm", "clusters": 4}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "clusters" in response.json()["error"]["fields"]["config"][0]


def test_run_detail_cards_and_confident_members(login, marketer, viewer, planted, segmentation):
    run = run_now(segmentation, marketer)
    client = login(viewer)

    detail = client.get(f"/api/v1/segmentations/{segmentation.id}/runs/{run.id}/").json()
    assert detail["status"] == "succeeded"
    assert detail["recommendation"]["reasons"]
    assert [row["k"] for row in detail["metrics"]["per_k"]] == [2, 3, 4, 5]
    # Anyone who reads the run sees the scatter: its points name their cluster, never the person.
    assert set(detail["projection"]) == {"x", "y", "label", "explained_variance"}

    cards = client.get(f"/api/v1/segmentations/{segmentation.id}/runs/{run.id}/cards/").json()
    assert len(cards) == 3
    assert all(card["card"]["distinguishing"] for card in cards)

    segment = cards[0]["segment"]
    every = client.get(f"/api/v1/segments/{segment}/members/", {"page_size": 500}).json()["results"]
    confident = client.get(
        f"/api/v1/segments/{segment}/members/", {"page_size": 500, "min_confidence": 0.9}
    ).json()["results"]
    assert len(every) == cards[0]["size"]
    assert len(confident) < len(every)
    assert all(member["confidence"] >= 0.9 for member in confident)


def test_a_clustered_segment_is_renamed_but_never_to_a_blocked_term(login, marketer, planted, segmentation):
    run_now(segmentation, marketer)
    segment = Segment.objects.filter(segmentation=segmentation).first()
    client = login(marketer)

    refused = client.post(f"/api/v1/segments/{segment.id}/rename/", {"name": "Poor buyers"})
    assert refused.status_code == 400
    assert "poor" in refused.json()["error"]["fields"]["name"][0]

    renamed = client.post(f"/api/v1/segments/{segment.id}/rename/", {"name": "Weekend browsers"})
    assert renamed.json()["name"] == "Weekend browsers"


def test_a_viewer_reads_but_cannot_run_and_an_outsider_sees_nothing(login, viewer, outsider, segmentation):
    assert login(viewer).post(f"/api/v1/segmentations/{segmentation.id}/runs/").status_code == 403
    assert not ClusteringRun.objects.exists()
    assert login(outsider).get(f"/api/v1/segmentations/{segmentation.id}/").status_code == 404
    assert login(outsider).get("/api/v1/segmentations/").status_code == 403
    assert login(outsider).get(f"/api/v1/segmentations/{segmentation.id}/alerts/").status_code == 404


def test_the_schema_describes_the_clustering_api(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/segmentations/{segmentation_id}/runs/" in (tmp_path / "schema.yml").read_text()
