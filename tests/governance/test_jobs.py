from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Job, JobStatus
from governance.services import jobs as job_services
from governance.services.jobs import job_cancel, job_execute, job_reap, job_request

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])
# Progress and cancel requests travel on a second connection, as in production; tests of them need
# committed rows to see, hence real transactions.
committed = pytest.mark.django_db(databases=["default", "jobs"], transaction=True)


def request_job(actor=None) -> Job:
    return job_request(task_name="tests.noop", title="Test job", actor=actor, params={"size": 3})


def test_a_claimed_job_runs_once_and_records_its_result(marketer):
    job = request_job(marketer)
    calls = []

    def work(job, reporter):
        calls.append(job.id)
        return {"rows": 3}

    job_execute(job_id=job.id, work=work)
    job_execute(job_id=job.id, work=work)  # a redelivered message finds the job done

    job.refresh_from_db()
    assert calls == [job.id]
    assert (job.status, job.progress, job.result, job.attempts) == (JobStatus.SUCCEEDED, 100, {"rows": 3}, 1)
    assert job.finished_at is not None


@committed
def test_progress_is_visible_while_the_job_runs(marketer):
    job = request_job(marketer)
    seen = {}

    def work(job, reporter):
        reporter.progress(40, "Halfway there")
        seen["row"] = Job.objects.values("progress", "message").get(id=job.id)
        return {}

    job_execute(job_id=job.id, work=work)
    assert seen["row"] == {"progress": 40, "message": "Halfway there"}


def test_a_failing_job_records_the_error(marketer):
    job = request_job(marketer)

    def work(job, reporter):
        raise ValueError("row 7, column 'email': not an email address")

    job_execute(job_id=job.id, work=work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "row 7, column 'email': not an email address"


def test_cancelling_a_queued_job_stops_it_before_it_starts(marketer):
    job = job_cancel(job=request_job(marketer), actor=marketer)
    job_execute(job_id=job.id, work=lambda job, reporter: pytest.fail("cancelled work ran"))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


@committed
def test_a_running_job_stops_at_its_next_progress_report_after_cancel(marketer):
    job = request_job(marketer)

    def work(job, reporter):
        job_cancel(job=job, actor=marketer)
        reporter.progress(50, "still going")
        pytest.fail("work went on after cancel")

    job_execute(job_id=job.id, work=work)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_a_lost_worker_cannot_overwrite_the_attempt_that_replaced_it(marketer):
    job = request_job(marketer)

    def work(job, reporter):
        # Meanwhile the reaper presumed this worker dead and another worker claimed the job again.
        Job.objects.filter(id=job.id).update(attempts=job.attempts + 1)
        return {"stale": True}

    job_execute(job_id=job.id, work=work)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.result == {}


@pytest.mark.parametrize("taken_over", [{"status": JobStatus.QUEUED}, {"attempts": 2}])
def test_a_lost_worker_stops_at_its_next_progress_report(marketer, taken_over):
    job = request_job(marketer)
    reached = []

    def work(job, reporter):
        # The reaper re-queued the job (and maybe another worker claimed it) while this one waited.
        Job.objects.filter(id=job.id).update(**taken_over)
        reporter.progress(50, "Half way")
        reached.append("after the report")
        return {"stale": True}

    job_execute(job_id=job.id, work=work)
    job.refresh_from_db()
    assert not reached
    assert job.status == taken_over.get("status", JobStatus.RUNNING) and job.result == {}
    assert job.progress == 0


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(job_services, "_job_enqueue", lambda job: sent.append(job.id))
    return sent


def test_the_reaper_requeues_a_job_whose_worker_went_silent(
    settings, enqueued, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER_SECONDS = 60
    job = request_job()
    long_ago = timezone.now() - timedelta(minutes=5)
    Job.objects.filter(id=job.id).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=long_ago)
    fresh = request_job()
    Job.objects.filter(id=fresh.id).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        counts = job_reap()

    job.refresh_from_db()
    assert counts["requeued"] == 1
    assert job.status == JobStatus.QUEUED
    assert enqueued == [job.id]
    assert Job.objects.get(id=fresh.id).status == JobStatus.RUNNING


def test_the_reaper_gives_up_after_the_last_attempt(settings, enqueued):
    settings.JOB_STALE_AFTER_SECONDS = 60
    settings.JOB_MAX_ATTEMPTS = 3
    job = request_job()
    Job.objects.filter(id=job.id).update(
        status=JobStatus.RUNNING, attempts=3, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    job_reap()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "lost 3 times" in job.error


def test_the_reaper_resends_a_job_nobody_claimed(settings, enqueued, django_capture_on_commit_callbacks):
    settings.JOB_UNCLAIMED_AFTER_SECONDS = 60
    job = request_job()
    Job.objects.filter(id=job.id).update(queued_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        counts = job_reap()
    assert counts["resent"] == 1
    assert enqueued == [job.id]
    with django_capture_on_commit_callbacks(execute=True):
        assert job_reap()["resent"] == 0  # not again within the next minute


def test_requesting_a_job_enqueues_it_only_after_commit(
    marketer, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = request_job(marketer)
    assert enqueued == []
    callbacks[0]()
    assert enqueued == [job.id]


def test_job_api_shows_the_owner_their_job_and_hides_it_from_others(marketer, viewer, login):
    job = request_job(marketer)
    response = login(marketer).get(f"/api/v1/jobs/{job.id}/")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    assert login(viewer).get(f"/api/v1/jobs/{job.id}/").status_code == 404


def test_job_api_cancel(marketer, login):
    job = request_job(marketer)
    response = login(marketer).post(f"/api/v1/jobs/{job.id}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_progress_partial_polls_until_the_job_finishes(marketer, login):
    job = request_job(marketer)
    client = login(marketer)
    assert 'hx-trigger="every 1s"' in client.get(f"/jobs/{job.id}/progress/").content.decode()
    job_execute(job_id=job.id, work=lambda job, reporter: {"rows": 1})
    finished = client.get(f"/jobs/{job.id}/progress/").content.decode()
    assert "hx-trigger" not in finished
    assert "Succeeded" in finished
