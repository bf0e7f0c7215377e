"""Events refer to their profile and source through triggers checked once per statement (migrations
0009 and 0010) instead of per-row foreign keys: the same guarantees, tested here."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from segments.models import DataSource, Event, Profile
from tests.factories import DataSourceFactory, EventFactory, ProfileFactory
from tests.races import delete_during_write


def event_insert(cursor, *, profile_id: int, source_id: int) -> None:
    cursor.execute(
        "INSERT INTO segments_event (profile_id, source_id, platform, event_type, occurred_at, amount, "
        "text, content_format, utm_source, utm_medium, campaign_code) "
        "VALUES (%s, %s, 'instagram', 'like', now(), NULL, '', '', '', '', '')",
        [profile_id, source_id],
    )


@pytest.mark.django_db
def test_an_event_of_a_missing_profile_or_source_is_refused():
    person = ProfileFactory()
    with pytest.raises(IntegrityError, match=r"\(profile_id\)"), transaction.atomic():
        Event.objects.create(
            profile_id=person.id + 1000,
            source=person.source,
            platform="x",
            event_type="like",
            occurred_at=timezone.now(),
        )
    with pytest.raises(IntegrityError, match=r"\(source_id\)"), transaction.atomic():
        Event.objects.create(
            profile=person,
            source_id=person.source_id + 1000,
            platform="x",
            event_type="like",
            occurred_at=timezone.now(),
        )
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_deleting_a_profile_deletes_its_events_however_it_is_deleted():
    kept, gone_by_orm, gone_by_sql = ProfileFactory.create_batch(3)
    for person in (kept, gone_by_orm, gone_by_sql):
        EventFactory.create_batch(2, profile=person)

    Profile.objects.filter(id=gone_by_orm.id).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM segments_profile WHERE id = %s", [gone_by_sql.id])

    assert set(Event.objects.values_list("profile_id", flat=True)) == {kept.id}


@pytest.mark.django_db
def test_a_source_with_events_cannot_be_deleted():
    event = EventFactory(source=DataSourceFactory(), profile=ProfileFactory())
    with pytest.raises(ProtectedError):
        DataSource.objects.filter(id=event.source_id).delete()
    refused = pytest.raises(IntegrityError, match="without a source")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM segments_datasource WHERE id = %s", [event.source_id])
    assert Event.objects.filter(id=event.id).exists()


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waits_for_an_import_of_the_persons_events_then_takes_them_too():
    person = ProfileFactory()

    def import_events():
        with connection.cursor() as cursor:
            event_insert(cursor, profile_id=person.id, source_id=person.source_id)

    outcomes = delete_during_write(import_events, lambda: Profile.objects.filter(id=person.id).delete())

    assert outcomes == [None, True]
    assert not Event.objects.exists()
