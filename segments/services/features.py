"""The feature job and the settings behind it.

features_compute reads every event once (binary COPY), computes every profile's features with the
pure functions of segments/ml, and replaces the features table in one transaction together with
the run's record: a failure anywhere leaves the previous features and runs as they were."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus, User
from governance.services.audit import audit_record
from governance.services.jobs import JobReporter, job_request
from segments import defaults
from segments.ml.features import RFM_GROUPS
from segments.ml.profile_features import STABILITY_FEATURES, FeatureConfig, Texts, profile_features
from segments.ml.stability import distribution_summary, psi_against_summary
from segments.ml.text import is_valid_keyword, normalise_keyword
from segments.models import FeatureRun, FeatureSettings, InterestTopic
from segments.selectors import table_row_counts
from segments.services.feature_io import PARALLEL_READ_MIN_EVENTS, feature_inputs_read
from segments.services.feature_write import features_replace

TASK_NAME = "segments.features_compute"
SETTINGS_ID = 1


def feature_config_current() -> FeatureConfig:
    """The stored settings, or the defaults where the row (or a weight) is missing."""
    stored = FeatureSettings.objects.filter(id=SETTINGS_ID).first()
    weights = dict(defaults.ENGAGEMENT_WEIGHTS)
    if stored is None:
        return FeatureConfig(weights, defaults.HALF_LIFE_DAYS, defaults.BOT_THRESHOLD, settings.TIME_ZONE)
    weights.update({name: float(weight) for name, weight in stored.engagement_weights.items()})
    return FeatureConfig(weights, stored.half_life_days, stored.bot_threshold, settings.TIME_ZONE)


def interest_taxonomy() -> dict[str, list[str]]:
    return dict(InterestTopic.objects.values_list("name", "keywords"))


def features_compute(*, reporter: JobReporter | None = None) -> FeatureRun:
    progress = reporter.progress if reporter else _no_progress
    job = reporter.job if reporter else None
    config = feature_config_current()
    taxonomy = interest_taxonomy()
    now = timezone.now()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            # One snapshot for every read, so profiles, events and texts agree with each other.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        run = FeatureRun.objects.create(job=job, settings_used=_settings_record(config, taxonomy))
        progress(2, "Reading profiles, events, comments and messages")
        inputs = feature_inputs_read(parallel=outermost and _event_count() >= PARALLEL_READ_MIN_EVENTS)
        progress(40, "Computing features")
        now_us = int(now.timestamp() * 1_000_000)
        features = profile_features(
            inputs.events,
            Texts(profile=inputs.text_profile, text=inputs.text, taxonomy=taxonomy),
            profile_count=len(inputs.audience.profile_ids),
            now_us=now_us,
            config=config,
        )
        frame, previous = features.frame, _previous_run(run)
        progress(75, "Writing features")
        # The comparison with the previous run is numpy work: it runs while PostgreSQL writes.
        with ThreadPoolExecutor(max_workers=1) as pool:
            stability = pool.submit(_stability, frame, previous=previous)
            features_replace(features, profile_ids=inputs.audience.profile_ids, computed_at_us=now_us)
            run.stability = stability.result()
        run.profiles = len(frame)
        run.finished_at = timezone.now()
        run.settings_used["summary"] = _summary(frame, events=len(inputs.events.profile))
        run.save(update_fields=["profiles", "finished_at", "stability", "settings_used"])
        audit_record(
            actor=job.requested_by if job else None,
            action="features.computed",
            subject=run,
            details={"profiles": run.profiles, "bots": run.settings_used["summary"]["bots"]},
        )
    return run


def _summary(frame: pd.DataFrame, *, events: int) -> dict[str, Any]:
    """What the Features page shows, kept with the run so the page never counts a million rows."""
    groups = frame["rfm_group"].value_counts()
    return {
        "events": int(events),
        "bots": int(frame["is_bot"].sum()),
        "rfm_groups": {name: int(groups.get(name, 0)) for name in RFM_GROUPS},
        "without_group": int(groups.get("", 0)),  # no purchase, or a bot
    }


def features_compute_work(job: Job, reporter: JobReporter) -> dict[str, Any]:
    """The job's work: compute, and the result its page shows."""
    run = features_compute(reporter=reporter)
    summary = run.settings_used.get("summary", {})
    return {"feature run": run.id, "profiles": run.profiles, "excluded as bots": summary.get("bots", 0)}


def _event_count() -> int:
    return table_row_counts().get("segments_event", 0)


def _no_progress(percent: float, message: str = "") -> None:
    return None


def _settings_record(config: FeatureConfig, taxonomy: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "engagement_weights": config.engagement_weights,
        "half_life_days": config.half_life_days,
        "bot_threshold": config.bot_threshold,
        "time_zone": config.time_zone,
        "interest_topics": len(taxonomy),
    }


def _previous_run(run: FeatureRun) -> FeatureRun | None:
    return FeatureRun.objects.filter(finished_at__isnull=False).exclude(id=run.id).order_by("-id").first()


def _stability(frame: pd.DataFrame, *, previous: FeatureRun | None) -> dict[str, dict[str, Any]]:
    """Per feature: this run's decile edges and bin shares (for the next run to compare against)
    and the PSI against the previous run, when it recorded the same feature."""
    stability = {}
    for feature in STABILITY_FEATURES:
        values = frame[feature].to_numpy(dtype=np.float64)
        summary = distribution_summary(values)
        earlier = (previous.stability or {}).get(feature) if previous else None
        psi = psi_against_summary(earlier, values) if earlier and "edges" in earlier else None
        stability[feature] = {"psi": None if psi is None else round(psi, 4), **summary}
    return stability


def features_compute_request(*, actor: User | None) -> Job:
    """Queue a run on the "ml" queue; while one is queued or running, that one is returned."""
    with transaction.atomic():
        pending = (
            Job.objects.select_for_update()
            .filter(task_name=TASK_NAME, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .first()
        )
        if pending is not None:
            return pending
        return job_request(task_name=TASK_NAME, title="Compute profile features", actor=actor, queue="ml")


@transaction.atomic
def feature_settings_update(
    *, actor: User, engagement_weights: dict[str, float], half_life_days: float, bot_threshold: float
) -> FeatureSettings:
    if half_life_days <= 0:
        raise ValueError("The half-life must be more than 0 days.")
    if not 0 <= bot_threshold <= 1:
        raise ValueError("The bot threshold is a score between 0 and 1.")
    if any(weight < 0 for weight in engagement_weights.values()):
        raise ValueError("Engagement weights cannot be negative.")
    stored, _ = FeatureSettings.objects.select_for_update().get_or_create(id=SETTINGS_ID)
    before = {
        "engagement_weights": stored.engagement_weights,
        "half_life_days": stored.half_life_days,
        "bot_threshold": stored.bot_threshold,
    }
    stored.engagement_weights = {name: float(weight) for name, weight in engagement_weights.items()}
    stored.half_life_days = float(half_life_days)
    stored.bot_threshold = float(bot_threshold)
    stored.save()
    audit_record(
        actor=actor,
        action="features.settings_updated",
        subject=stored,
        details={
            "before": before,
            "after": {
                "engagement_weights": stored.engagement_weights,
                "half_life_days": stored.half_life_days,
                "bot_threshold": stored.bot_threshold,
            },
        },
    )
    return stored


def interest_keywords_clean(keywords: list[str]) -> list[str]:
    """Normalised (lower-case, no #), de-duplicated in order; ValueError names any that is not one
    word, since texts are matched word by word."""
    cleaned = [normalise_keyword(keyword) for keyword in keywords if keyword.strip()]
    invalid = [keyword for keyword in cleaned if not is_valid_keyword(keyword)]
    if invalid:
        raise ValueError(f"Keywords are single words or hashtags; not: {', '.join(invalid)}.")
    if not cleaned:
        raise ValueError("A topic needs at least one keyword.")
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def interest_topic_save(
    *, actor: User, name: str, keywords: list[str], topic: InterestTopic | None = None
) -> InterestTopic:
    """Create a topic, or rename and re-key `topic`."""
    name = name.strip()
    if not name:
        raise ValueError("A topic needs a name.")
    clashing = InterestTopic.objects.filter(name__iexact=name)
    if topic is not None:
        clashing = clashing.exclude(id=topic.id)
    if clashing.exists():
        raise ValueError(f"There is already a topic called {name}.")
    cleaned = interest_keywords_clean(keywords)
    created = topic is None
    topic = topic or InterestTopic()
    before = {"name": topic.name, "keywords": list(topic.keywords)}
    topic.name, topic.keywords = name, cleaned
    topic.save()
    audit_record(
        actor=actor,
        action="features.topic_created" if created else "features.topic_updated",
        subject=topic,
        details={"name": name, "keywords": cleaned} if created else {"before": before, "keywords": cleaned},
    )
    return topic


@transaction.atomic
def interest_topic_delete(*, actor: User, topic: InterestTopic) -> None:
    audit_record(
        actor=actor,
        action="features.topic_deleted",
        subject=topic,
        details={"name": topic.name, "keywords": list(topic.keywords)},
    )
    topic.delete()
