from celery import shared_task

from governance.models import Job
from governance.services.jobs import JobReporter, job_execute
from segments.services.demo_data import demo_data_generate
from segments.services.retention import retention_enforce, retention_enforce_request


def _generate_demo_company(job: Job, reporter: JobReporter) -> dict:
    return demo_data_generate(
        profiles=job.params["profiles"],
        events=job.params["events"],
        seed=job.params["seed"],
        replace=job.params.get("replace", False),
        progress=reporter.progress,
    )


@shared_task(name="segments.demo_data_generate", ignore_result=True)
def demo_data_generate_task(job_id: int) -> None:
    job_execute(job_id=job_id, work=_generate_demo_company)


@shared_task(name="segments.retention_enforce", ignore_result=True)
def retention_enforce_task(job_id: int) -> None:
    job_execute(job_id=job_id, work=lambda job, reporter: retention_enforce(reporter=reporter))


@shared_task(name="segments.retention_enforce_schedule", ignore_result=True)
def retention_enforce_schedule_task() -> None:
    """Beat's nightly bell: the work itself runs as a job, visible on the Jobs page."""
    retention_enforce_request()


@shared_task(name="segments.identity_resolve", ignore_result=True)
def identity_resolve_task(job_id: int) -> None:
    from segments.services.identity_resolve import identity_resolve  # the task module stays light to import

    job_execute(
        job_id=job_id,
        work=lambda job, reporter: identity_resolve(
            actor=job.requested_by, progress=reporter.progress, job=job
        ),
    )


@shared_task(name="segments.features_compute", ignore_result=True)
def features_compute_task(job_id: int) -> None:
    from segments.services.features import features_compute_work  # pandas and numpy load with the work

    job_execute(job_id=job_id, work=features_compute_work)


@shared_task(name="segments.features_compute_schedule", ignore_result=True)
def features_compute_schedule_task() -> None:
    """Beat's bell: queues a run unless one is already queued or running."""
    from segments.services.features import features_compute_request

    features_compute_request(actor=None)


@shared_task(name="segments.rule_segment_refresh", ignore_result=True)
def rule_segment_refresh_task(job_id: int) -> None:
    from segments.services.rule_segment_refresh import rule_segment_refresh_work

    job_execute(job_id=job_id, work=rule_segment_refresh_work)


@shared_task(name="segments.rule_segments_refresh_schedule", ignore_result=True)
def rule_segments_refresh_schedule_task() -> None:
    """Beat's hourly bell: queues a refresh of each rule segment whose schedule is due."""
    from segments.services.rule_segment_refresh import rule_segments_refresh_due

    rule_segments_refresh_due()


@shared_task(name="segments.import_run_execute", ignore_result=True)
def import_run_execute_task(job_id: int) -> None:
    from segments.services.imports import import_run_execute_work  # pandas loads with the work

    job_execute(job_id=job_id, work=import_run_execute_work)


@shared_task(name="segments.clustering_run_execute", ignore_result=True)
def clustering_run_execute_task(job_id: int) -> None:
    from segments.services.clustering_runs import clustering_run_work  # scikit-learn loads with the work

    job_execute(job_id=job_id, work=clustering_run_work)


@shared_task(name="segments.clustering_runs_due_schedule", ignore_result=True)
def clustering_runs_due_schedule_task() -> None:
    """Beat's hourly bell: queues a run of each segmentation whose re-clustering is due."""
    from segments.services.clustering_runs import clustering_runs_due

    clustering_runs_due()
