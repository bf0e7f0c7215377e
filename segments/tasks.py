from celery import shared_task

from governance.models import Job
from governance.services.jobs import JobReporter, job_execute
from segments.services.demo_data import demo_data_generate


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
