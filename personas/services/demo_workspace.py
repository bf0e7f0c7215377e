"""The demo company brought to life for a first look: identities resolved, features computed, a few
rule segments a marketing team would build, the customer base clustered into segments with cards, and
a draft persona from the largest clustered segment. Each step runs as
the job it is in the product, executed here and now, so the Jobs page shows what was done."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from governance.models import Job, JobStatus, User
from governance.services.jobs import JobReporter, job_execute
from personas.models import Persona
from personas.services.drafts import persona_draft_from_segment
from segments.ml.clustering_config import ClusteringConfig
from segments.models import Schedule, Segment, SegmentKind
from segments.rule_segment_selectors import segment_refresh_jobs_active
from segments.services.clustering_runs import clustering_run_request, clustering_run_work
from segments.services.clustering_segmentations import segmentation_create
from segments.services.features import features_compute_request, features_compute_work
from segments.services.identity_resolve import identity_resolve, identity_resolve_job_request
from segments.services.rule_segment_refresh import rule_segment_refresh_work
from segments.services.rule_segments import rule_segment_create


class DemoWorkspaceFailed(Exception):
    pass


@dataclass(frozen=True)
class ExampleSegment:
    name: str
    description: str
    definition: dict[str, Any]


def _events(operator: str, value: int, **where: Any) -> dict[str, Any]:
    return {"field": "events", "operator": operator, "value": value, "within_days": 30, **where}


EXAMPLE_SEGMENTS = (
    ExampleSegment(
        "Engaged Instagram commenters",
        "Commented on Instagram at least twice in the last 30 days.",
        {"op": "and", "rules": [_events(">=", 2, event_type="comment", platform="instagram")]},
    ),
    ExampleSegment(
        "Champions open to marketing",
        "Best customers by recency, frequency and spend who agreed to marketing.",
        {
            "op": "and",
            "rules": [
                {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
                {"field": "consent", "operator": "granted", "value": "marketing"},
            ],
        },
    ),
    ExampleSegment(
        "Valuable customers slipping away",
        "Spent well before but have not bought for a while.",
        {
            "op": "or",
            "rules": [{"field": "rfm_group", "operator": "in", "value": ["At risk", "Cannot lose"]}],
        },
    ),
)


DEMO_CLUSTERING = ClusteringConfig(
    features=(
        "recency_days",
        "frequency",
        "monetary",
        "clv_estimate",
        "events_30d",
        "engagement_rate",
        "decayed_activity",
        "posting_per_week",
    ),
    preset=None,
    k_min=3,
    k_max=8,
    min_segment_size=200,
)


def demo_workspace_prepare(*, owner: User, say: Callable[[str], None] = lambda line: None) -> dict[str, Any]:
    """Run once on a fresh demo company; `owner` (the demo marketer) owns what is made."""
    say("Resolving identities")
    resolved = _run_here(
        identity_resolve_job_request(actor=owner),
        lambda job, reporter: identity_resolve(actor=owner, progress=reporter.progress, job=job),
    )
    say("Computing features")
    _run_here(features_compute_request(actor=owner), features_compute_work)
    segments = []
    for example in EXAMPLE_SEGMENTS:
        say(f"Building the segment “{example.name}”")
        segment = rule_segment_create(
            actor=owner, name=example.name, description=example.description, definition=example.definition
        )
        _run_here(segment_refresh_jobs_active(segment=segment).get(), rule_segment_refresh_work)
        segments.append(Segment.objects.select_related("current_version").get(id=segment.id))
    say("Clustering customers by value and engagement")
    segmentation = segmentation_create(
        actor=owner,
        name="Customer base by value and engagement",
        description="Recency, frequency, spend and engagement; k chosen in 3..8; re-clustered monthly.",
        config=DEMO_CLUSTERING,
        schedule=Schedule.MONTHLY,
    )
    _run_here(clustering_run_request(segmentation=segmentation, actor=owner).job, clustering_run_work)
    clustered = Segment.objects.filter(segmentation=segmentation, kind=SegmentKind.CLUSTER, retired_at=None)
    segments += list(clustered.select_related("current_version"))
    source = max(clustered, key=lambda segment: segment.current_version.size)
    say(f"Drafting a persona from “{source.name}”")
    persona = persona_draft_from_segment(segment=source, actor=owner)
    return {
        "profiles_merged": resolved.get("profiles_merged", 0),
        "segments": {segment.name: segment.current_version.size for segment in segments},
        "persona": persona.name,
    }


def demo_workspace_prepared() -> bool:
    return Segment.objects.exists() or Persona.objects.exists()


def _run_here(job: Job, work: Callable[[Job, JobReporter], dict[str, Any]]) -> dict[str, Any]:
    job_execute(job_id=job.id, work=work)
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise DemoWorkspaceFailed(f"{job.title}: {job.error or job.status}")
    return job.result or {}
