"""Small audience data for tests, made through the models (bulk paths are tested on their own)."""

from datetime import UTC, datetime

import factory
from django.utils import timezone

from segments.models import DataSource, Event, Identity, Profile


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource
        django_get_or_create = ("name",)

    name = "Test CRM"
    kind = "crm"
    platform = "crm"


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    source = factory.SubFactory(DataSourceFactory)
    external_id = factory.Sequence(lambda number: f"C{number:06d}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda number: f"Example{number}")
    created_at = factory.LazyFunction(timezone.now)


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    profile = factory.SubFactory(ProfileFactory)
    kind = "email"
    value = factory.Sequence(lambda number: f"person{number}@example.com")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    profile = factory.SubFactory(ProfileFactory)
    source = factory.SelfAttribute("profile.source")
    platform = "instagram"
    event_type = "like"
    occurred_at = factory.LazyFunction(timezone.now)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
