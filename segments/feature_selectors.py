"""Reads for the Features page and API: the latest run, its stability table, a profile's features."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from governance.models import Job, JobStatus, User
from governance.selectors import job_list
from segments.ml.features import RFM_GROUPS
from segments.ml.stability import SHIFT_WARNING
from segments.models import FeatureRun, InterestTopic, Profile, ProfileFeatures
from segments.selectors import profile_get_for_user
from segments.services.features import TASK_NAME

FEATURE_LABELS = {
    "recency_days": "Days since last purchase",
    "frequency": "Purchases",
    "monetary": "Spend",
    "events_total": "Events",
    "events_30d": "Events in 30 days",
    "weighted_engagement": "Weighted engagement",
    "engagement_rate": "Engagement rate (platform-normalised)",
    "decayed_activity": "Time-decayed activity",
    "posting_per_week": "Posts per week",
    "response_latency_hours": "Response latency (hours)",
    "clv_estimate": "Lifetime value estimate",
    "sentiment": "Sentiment",
    "bot_score": "Bot score",
}


@dataclass(frozen=True)
class StabilityRow:
    feature: str
    label: str
    psi: float | None
    shifted: bool


def feature_run_latest() -> FeatureRun | None:
    return FeatureRun.objects.filter(finished_at__isnull=False).select_related("job").order_by("-id").first()


def feature_runs() -> QuerySet[FeatureRun]:
    return FeatureRun.objects.filter(finished_at__isnull=False).order_by("-id")


def feature_jobs_active() -> QuerySet[Job]:
    return Job.objects.filter(task_name=TASK_NAME, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


def feature_job_visible(*, user: User, job: Job | None = None) -> Job | None:
    """`job` (or the active feature job) if this user may watch its progress, else None."""
    jobs = feature_jobs_active() if job is None else Job.objects.filter(id=job.id)
    if not user.has_perm("governance.view_job"):
        return None
    return job_list(user=user).filter(id__in=jobs.values("id")).first()


def rfm_group_sizes(run: FeatureRun | None) -> dict[str, int]:
    summary = (run.settings_used or {}).get("summary", {}) if run else {}
    sizes = summary.get("rfm_groups", {})
    return {name: int(sizes.get(name, 0)) for name in RFM_GROUPS}


def stability_rows(run: FeatureRun | None) -> list[StabilityRow]:
    """The run's PSI per feature, in the order features are listed (jsonb keeps its own order)."""
    stability = (run.stability or {}) if run else {}
    rows = []
    order = {name: position for position, name in enumerate(FEATURE_LABELS)}
    for feature in sorted(stability, key=lambda name: (order.get(name, len(order)), name)):
        record = stability[feature]
        psi = record.get("psi") if isinstance(record, dict) else None
        rows.append(
            StabilityRow(
                feature=feature,
                label=FEATURE_LABELS.get(feature, feature),
                psi=psi,
                shifted=psi is not None and psi > SHIFT_WARNING,
            )
        )
    return rows


def profile_features_get_for_user(*, user: User, profile_id: int) -> tuple[Profile, ProfileFeatures]:
    """The features that count for this profile: its own, or its survivor's when it was merged.
    404 when the user may not read profiles, or nothing has been computed for the person yet."""
    profile = profile_get_for_user(user=user, profile_id=profile_id)
    canonical_id = profile.merged_into_id or profile.id
    features = ProfileFeatures.objects.filter(profile_id=canonical_id).first()
    if features is None:
        raise Http404("No features have been computed for this profile yet.")
    return profile, features


def interest_topic_get_for_user(*, user: User, topic_id: int) -> InterestTopic:
    if not user.has_perm("segments.view_profile"):
        raise Http404("No such topic.")
    try:
        return InterestTopic.objects.get(id=topic_id)
    except InterestTopic.DoesNotExist as missing:
        raise Http404("No such topic.") from missing
