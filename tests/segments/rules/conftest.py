"""A small audience whose members under each rule are known by hand."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from segments.models import Consent, Profile, ProfileFeatures, Segment
from tests.factories import DataSourceFactory, EventFactory, ProfileFactory


@dataclass
class Audience:
    alice: Profile  # Champions, consents, 3 Instagram comments this month (and older ones)
    bob: Profile  # Loyal, consents, 1 comment himself and 2 on a profile merged into his
    bob_merged: Profile
    carol: Profile  # Champions, refused marketing, 5 comments
    dave: Profile  # Lost, consents, no events
    eve: Profile  # Champions, consents, 4 comments, but a bot
    frank: Profile  # no features yet; consent expired

    def ids(self, *names: str) -> set[int]:
        return {getattr(self, name).id for name in names}


def _features(profile: Profile, **values) -> ProfileFeatures:
    return ProfileFeatures.objects.create(profile=profile, computed_at=timezone.now(), **values)


def _consent(profile: Profile, granted: bool = True, expires_at=None) -> None:
    Consent.objects.create(
        profile=profile,
        purpose="marketing",
        granted=granted,
        source=profile.source,
        recorded_at=timezone.now(),
        expires_at=expires_at,
    )


def _comments(profile: Profile, count: int, days_ago: int = 3, platform: str = "instagram") -> None:
    for number in range(count):
        EventFactory(
            profile=profile,
            event_type="comment",
            platform=platform,
            occurred_at=timezone.now() - timedelta(days=days_ago, hours=number),
        )


@pytest.fixture
def audience(db) -> Audience:
    source = DataSourceFactory()
    make = lambda **values: ProfileFactory(source=source, **values)  # noqa: E731
    people = Audience(
        alice=make(first_name="Alice", city="London", birth_year=1985, gender="female"),
        bob=make(first_name="Bob", city="Leeds", birth_year=1990),
        bob_merged=make(first_name="Bob", city="Leeds"),
        carol=make(first_name="Carol", city="London", birth_year=1979),
        dave=make(first_name="Dave", city="Paris", birth_year=1970),
        eve=make(first_name="Eve", city="London"),
        frank=make(first_name="Frank", city="london"),
    )
    Profile.objects.filter(id=people.bob_merged.id).update(merged_into=people.bob)
    _features(people.alice, rfm_group="Champions", monetary=500, frequency=9, interests=["fitness", "travel"])
    _features(people.bob, rfm_group="Loyal", monetary=200, frequency=5, interests=["travel"])
    _features(people.bob_merged, rfm_group="", monetary=0)
    _features(people.carol, rfm_group="Champions", monetary=800, frequency=12, interests=["food"])
    _features(people.dave, rfm_group="Lost", monetary=20, frequency=1, sentiment=-0.4)
    _features(people.eve, rfm_group="Champions", monetary=900, frequency=20, is_bot=True, bot_score=0.95)
    for person in (people.alice, people.bob, people.dave, people.eve):
        _consent(person)
    _consent(people.carol, granted=False)
    _consent(people.frank, expires_at=timezone.now() - timedelta(days=1))
    _comments(people.alice, 3)
    _comments(people.alice, 4, days_ago=40)
    _comments(people.alice, 1, platform="x")
    _comments(people.bob, 1)
    _comments(people.bob_merged, 2)
    _comments(people.carol, 5)
    _comments(people.eve, 4)
    return people


@pytest.fixture
def make_rule_segment():
    def make(owner, name: str, definition: dict, **extra) -> Segment:
        return Segment.objects.create(name=name, kind="rule", owner=owner, definition=definition, **extra)

    return make


REALISTIC = {
    "op": "and",
    "rules": [
        {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
        {"field": "consent", "operator": "granted", "value": "marketing"},
        {
            "field": "events",
            "event_type": "comment",
            "platform": "instagram",
            "operator": ">=",
            "value": 3,
            "within_days": 30,
        },
    ],
}
