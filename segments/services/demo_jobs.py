from governance.models import Job, User
from governance.services.jobs import job_request

MAX_DEMO_PROFILES = 1_000_000
MAX_DEMO_EVENTS = 10_000_000


def demo_data_job_request(*, actor: User, profiles: int, events: int, seed: int, replace: bool) -> Job:
    if not 1 <= profiles <= MAX_DEMO_PROFILES:
        raise ValueError(f"Profiles must be between 1 and {MAX_DEMO_PROFILES:,}.")
    if not 0 <= events <= MAX_DEMO_EVENTS:
        raise ValueError(f"Events must be between 0 and {MAX_DEMO_EVENTS:,}.")
    return job_request(
        task_name="segments.demo_data_generate",
        queue="imports",
        title=f"Generate the demo company ({profiles:,} profiles, {events:,} events)",
        actor=actor,
        params={"profiles": profiles, "events": events, "seed": seed, "replace": replace},
    )
