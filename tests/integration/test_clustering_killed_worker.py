"""A clustering run whose worker is killed leaves the current segments whole; the reaper's rerun
publishes the next versions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from governance.models import Job, JobStatus
from governance.services.jobs import job_execute, job_reap
from segments.ml.clustering_config import ClusteringConfig
from segments.models import ClusteringRun, Segment, SegmentMembership, SegmentVersion
from segments.services.clustering_runs import clustering_run_request, clustering_run_work
from segments.services.clustering_segmentations import segmentation_create
from tests.factories import DataSourceFactory
from tests.integration.worker import broker_flush, celery_worker, wait_until, worker_kill

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]

PROFILES = 200_000
# Slow enough to be caught half-way: every k from 2 to 12 is tried, with a large bootstrap.
SETTINGS = ClusteringConfig(preset="rfm", k_min=2, k_max=12, bootstrap_resamples=20, bootstrap_sample=20_000)


def audience_fill(count: int) -> None:
    """Three groups of customers, written by PostgreSQL itself."""
    source = DataSourceFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.5)")
        cursor.execute(
            "INSERT INTO segments_profile (source_id, external_id, first_name, last_name, gender, city,"
            " country, created_at) SELECT %s, 'K' || g, 'Kim', '', '', '', '', now()"
            " FROM generate_series(1, %s) g",
            [source.id, count],
        )
        cursor.execute(
            """
            INSERT INTO segments_profilefeatures (profile_id, computed_at, recency_days, frequency,
                monetary, rfm_group, events_total, events_30d, weighted_engagement, engagement_rate,
                decayed_activity, posting_per_week, top_format, channel_shares, format_shares, clv_estimate,
                interests, bot_score, is_bot)
            SELECT id, now(), 5 + (id % 3) * 120 + random() * 10, 1 + (id % 3) * 6,
                20 + (id % 3) * 300 * random(), '', 10, 1, 5, 0.1, 1, 0, '', '{}', '{}', 30 + (id % 3) * 400,
                '{}', 0, false
            FROM segments_profile
            """
        )


def current_versions() -> dict[int, int]:
    return dict(Segment.objects.values_list("id", "current_version_id"))


def test_a_killed_run_leaves_the_current_segments_and_its_rerun_replaces_them(marketer):
    broker_flush()
    audience_fill(PROFILES)
    segmentation = segmentation_create(actor=marketer, name="Value", config=SETTINGS)
    first = clustering_run_request(segmentation=segmentation, actor=marketer)
    job_execute(job_id=first.job_id, work=clustering_run_work)
    before = current_versions()
    members_before = SegmentMembership.objects.count()
    assert before and members_before == PROFILES

    second = clustering_run_request(segmentation=segmentation, actor=marketer)
    with celery_worker("clustering-doomed") as doomed:
        wait_until(
            lambda: Job.objects.filter(id=second.job_id, status=JobStatus.RUNNING, progress__gte=20).exists(),
            timeout=120,
            what="the run to be clustering",
        )
        worker_kill(doomed)

    # The killed transaction dies with its connection: the current versions and their members stay.
    wait_until(lambda: SegmentMembership.objects.count() == members_before, timeout=30, what="the rollback")
    assert current_versions() == before
    assert not SegmentVersion.objects.filter(run=second).exists()
    assert ClusteringRun.objects.get(id=second.id).status == "running"  # only the reaper knows better

    assert job_reap(now=timezone.now() + timedelta(hours=1))["requeued"] == 1
    with celery_worker("clustering-rescuer"):
        wait_until(
            lambda: Job.objects.get(id=second.job_id).is_finished, timeout=300, what="the rerun to finish"
        )
    job = Job.objects.get(id=second.job_id)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2), job.error
    second.refresh_from_db()
    assert second.status == "succeeded"
    assert set(current_versions().values()) == set(second.versions.values_list("id", flat=True))
    assert SegmentVersion.objects.filter(run=second).count() == second.chosen_k
