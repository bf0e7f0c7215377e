import pytest
from django.db import connection

from governance.models import Job
from governance.services.jobs import job_execute
from segments.models import ClusteringRun, DriftAlert, Profile, Segment, SegmentVersion
from segments.services.clustering_runs import (
    MembersErasedMeanwhile,
    clustering_run_execute,
    clustering_run_request,
    clustering_run_work,
)
from tests.segments.clustering.conftest import GROUP_SIZE

# Jobs report progress on the "jobs" connection.
pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def run_now(segmentation, actor) -> ClusteringRun:
    """Request a run and do its job here, as a worker would."""
    run = clustering_run_request(segmentation=segmentation, actor=actor)
    job_execute(job_id=run.job_id, work=clustering_run_work)
    run.refresh_from_db()
    return run


def test_a_run_publishes_one_segment_per_planted_group_with_cards(planted, segmentation, marketer):
    run = run_now(segmentation, marketer)

    assert run.status == "succeeded"
    assert run.chosen_k == 3
    assert run.recommendation["reasons"]
    segments = Segment.objects.filter(segmentation=segmentation).select_related("current_version")
    assert sorted(segment.current_version.size for segment in segments) == [GROUP_SIZE] * 3
    for segment in segments:
        card = segment.current_version.card
        assert segment.name == card["suggested_name"]
        assert card["distinguishing"] and 0 < card["confident_share"] <= 1
        assert card["top_hashtags"] == []  # the planted people wrote no comments
        assert segment.current_version.lineage["clustering_run_id"] == run.id
    segmentation.refresh_from_db()
    assert segmentation.current_run == run


def test_a_second_run_keeps_segments_and_names_and_compares_with_the_first(planted, segmentation, marketer):
    first = run_now(segmentation, marketer)
    Segment.objects.filter(segmentation=segmentation, cluster_key=0).update(name="Our best")
    second = run_now(segmentation, marketer)

    assert second.stability["ari_previous"] == 1.0
    assert second.stability["common_profiles"] == GROUP_SIZE * 3
    assert Segment.objects.filter(segmentation=segmentation).count() == 3
    renamed = Segment.objects.get(segmentation=segmentation, cluster_key=0)
    assert renamed.name == "Our best"
    assert list(renamed.versions.values_list("run_id", flat=True)) == [second.id, first.id]
    assert not DriftAlert.objects.filter(kind="size").exists()


def test_a_run_that_fails_keeps_the_current_versions(planted, segmentation, marketer, monkeypatch):
    run_now(segmentation, marketer)
    before = dict(Segment.objects.values_list("id", "current_version_id"))
    versions_before = SegmentVersion.objects.count()

    def broken(**arguments):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("segments.services.clustering_publish.segment_versions_write", broken)
    run = clustering_run_request(segmentation=segmentation, actor=marketer)
    with pytest.raises(RuntimeError):
        clustering_run_execute(run_id=run.id)

    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "the disk is full")
    assert dict(Segment.objects.values_list("id", "current_version_id")) == before
    assert SegmentVersion.objects.count() == versions_before


def test_a_request_while_a_run_is_queued_returns_that_run(segmentation, marketer):
    first = clustering_run_request(segmentation=segmentation, actor=marketer)
    again = clustering_run_request(segmentation=segmentation, actor=marketer)

    assert again == first
    assert ClusteringRun.objects.count() == 1
    job = Job.objects.get(id=first.job_id)
    assert (job.queue, job.task_name, job.params) == (
        "ml",
        "segments.clustering_run_execute",
        {"run_id": first.id},
    )


def test_memberships_are_written_with_their_confidence(planted, segmentation, marketer):
    run_now(segmentation, marketer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(confidence), max(confidence) FROM segments_segmentmembership")
        count, lowest, highest = cursor.fetchone()
    assert count == GROUP_SIZE * 3
    assert 0 <= lowest <= highest <= 1


def test_past_the_sample_size_the_previous_run_is_compared_on_every_nth_profile(
    planted, segmentation, marketer, monkeypatch
):
    run_now(segmentation, marketer)
    monkeypatch.setattr("segments.services.clustering_publish.ARI_SAMPLE", 60)  # 180 profiles: every 3rd
    second = run_now(segmentation, marketer)

    every_third = sum(1 for profile in planted if profile.id % 3 == 0)
    assert second.stability["common_profiles"] == every_third
    assert second.stability["ari_previous"] == 1.0


def test_a_person_erased_while_the_run_computes_fails_it_plainly_and_publishes_nothing(
    planted, segmentation, marketer, monkeypatch
):
    from segments.services import clustering_runs

    run_now(segmentation, marketer)
    before = dict(Segment.objects.values_list("id", "current_version_id"))
    fit = clustering_runs.fit_segments

    def fit_then_erase(frame, config):
        result = fit(frame, config)
        Profile.objects.filter(id=int(result.profile_id[0])).delete()  # as an erasure would, meanwhile
        return result

    monkeypatch.setattr(clustering_runs, "fit_segments", fit_then_erase)
    run = clustering_run_request(segmentation=segmentation, actor=marketer)
    with pytest.raises(MembersErasedMeanwhile):
        clustering_run_execute(run_id=run.id)

    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("Some people were erased while this run")
    assert dict(Segment.objects.values_list("id", "current_version_id")) == before
    assert not SegmentVersion.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_outside_a_transaction_the_previous_run_is_read_while_fitting(planted, segmentation, marketer):
    """As in a worker: the previous run's members are read on a connection of their own meanwhile."""
    run_now(segmentation, marketer)
    second = run_now(segmentation, marketer)

    assert second.stability["ari_previous"] == 1.0
    assert second.stability["common_profiles"] == GROUP_SIZE * 3
