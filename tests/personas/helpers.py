"""Small audience data for personas tests: segments with members, features, consent, comments."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from personas.models import Persona
from personas.services.records import persona_create
from segments.models import Consent, Event, ProfileFeatures, Segment
from segments.services.feature_shares import share_arrays
from segments.services.segment_versions import NewVersion, segment_versions_write
from tests.factories import DataSourceFactory, EventFactory


def segment_with(owner, name: str, profiles, **extra) -> Segment:
    segment = Segment.objects.create(name=name, kind="rule", owner=owner, **extra)
    segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=np.array([profile.id for profile in profiles]))]
    )
    segment.refresh_from_db()
    return segment


def features_for(profile, **values) -> ProfileFeatures:
    defaults = {
        "computed_at": timezone.now(),
        "monetary": 100.0,
        "clv_estimate": 250.0,
        "rfm_group": "Loyal",
        "events_30d": 6,
        "peak_hour": 19,
        "peak_weekday": 2,
        "channel_mix": {"instagram": 0.7, "email": 0.3},
        "format_affinity": {"video": 0.6, "image": 0.4},
        "sentiment": 0.4,
        "interests": ["running"],
    }
    values = {**defaults, **values}
    shares = share_arrays(values.pop("channel_mix"), values.pop("format_affinity"))
    return ProfileFeatures.objects.create(profile=profile, **values, **shares)


def consent_for(
    profile, *, purpose: str = "marketing", granted: bool = True, expires_in_days: int | None = None
):
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    return Consent.objects.create(
        profile=profile,
        purpose=purpose,
        granted=granted,
        source=DataSourceFactory(),
        recorded_at=timezone.now(),
        expires_at=expires,
    )


def comment_by(profile, text: str, *, days_ago: int = 3) -> Event:
    return EventFactory(
        profile=profile,
        event_type="comment",
        platform="instagram",
        text=text,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def persona_of(owner, name: str = "Weekend runners", segments=(), **data) -> Persona:
    return persona_create(actor=owner, data={"name": name, **data}, segments=segments)
