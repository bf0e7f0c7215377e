from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import AuditEntry
from segments.models import ClusteringRun, DriftAlert, Profile, Segmentation
from segments.services.clustering_runs import clustering_runs_due
from segments.services.drift import drift_alerts_raise
from tests.segments.clustering.conftest import GROUP_SIZE, planted_features
from tests.segments.clustering.test_runs import run_now

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def test_a_segment_that_triples_and_a_feature_that_moves_raise_alerts(planted, segmentation, marketer):
    segmentation.config["k"] = 3
    segmentation.save()
    run_now(segmentation, marketer)
    newcomers = Profile.objects.bulk_create(
        Profile(source=planted[0].source, external_id=f"N{number}", created_at=timezone.now())
        for number in range(GROUP_SIZE * 2)
    )
    planted_features(newcomers, seed=1, first_group=2)
    second = run_now(segmentation, marketer)

    alerts = DriftAlert.objects.filter(segmentation=segmentation)
    size = alerts.get(kind="size")
    assert size.value == pytest.approx(2.0, abs=0.05)  # 60 lapsed buyers, then 180 (give or take one)
    assert " grew by 19" in size.message or " grew by 20" in size.message
    assert {alert.message.split(" moved")[0] for alert in alerts.filter(kind="feature")} >= {
        "The distribution of recency days"
    }
    assert second.metrics["psi"]["recency_days"] > segmentation.psi_alert


def test_an_unstable_run_raises_an_alert_and_a_stable_one_does_not(segmentation):
    drift_alerts_raise(
        segmentation=segmentation, sizes={}, previous_sizes={}, psi={}, stability={"bootstrap_ari": 0.9}
    )
    assert not DriftAlert.objects.exists()
    drift_alerts_raise(
        segmentation=segmentation, sizes={}, previous_sizes={}, psi={}, stability={"bootstrap_ari": 0.41}
    )
    alert = DriftAlert.objects.get()
    assert (alert.kind, alert.value, alert.threshold) == ("stability", 0.41, 0.6)


def test_beat_queues_a_run_of_each_segmentation_that_is_due_once(segmentation):
    Segmentation.objects.filter(id=segmentation.id).update(
        schedule="weekly", next_run_at=timezone.now() - timedelta(minutes=5)
    )

    first = clustering_runs_due()
    again = clustering_runs_due()

    assert [run.segmentation_id for run in first] == [segmentation.id]
    assert again == []
    segmentation.refresh_from_db()
    assert segmentation.next_run_at > timezone.now() + timedelta(days=6)
    assert ClusteringRun.objects.get().requested_by is None


def test_segmentations_without_a_schedule_are_left_alone(segmentation):
    Segmentation.objects.filter(id=segmentation.id).update(next_run_at=timezone.now() - timedelta(days=1))
    assert clustering_runs_due() == []


def test_an_alert_is_marked_as_seen_once_by_someone_who_may_change_the_segmentation(
    segmentation, marketer, viewer, manager, login
):
    (alert,) = drift_alerts_raise(
        segmentation=segmentation, sizes={}, previous_sizes={}, psi={}, stability={"bootstrap_ari": 0.2}
    )
    page = login(marketer).get(f"/audience/segmentations/{segmentation.id}/").content.decode()
    assert "Mark as seen" in page
    url = f"/audience/segmentations/{segmentation.id}/alerts/{alert.id}/acknowledge/"
    assert login(viewer).post(url).status_code == 403

    answer = login(marketer).post(url, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "seen by" in answer.content.decode()
    api = login(manager).post(f"/api/v1/segmentations/{segmentation.id}/alerts/{alert.id}/acknowledge/")
    assert api.status_code == 200 and api.json()["acknowledged_at"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == marketer  # the first acknowledgement stands
    assert AuditEntry.objects.filter(action="drift_alert.acknowledged").count() == 1
    assert (
        "Mark as seen"
        not in login(marketer).get(f"/audience/segmentations/{segmentation.id}/").content.decode()
    )
