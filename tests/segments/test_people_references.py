"""Profiles, identities and consents refer to their profile and source through triggers checked once
per statement (migration 0012) instead of per-row foreign keys: the same guarantees, tested here."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from segments.models import Consent, DataSource, Identity, Profile
from tests.factories import DataSourceFactory, IdentityFactory, ProfileFactory
from tests.races import delete_during_write


def consent_of(person: Profile, *, source: DataSource | None = None) -> Consent:
    return Consent.objects.create(
        profile=person,
        purpose="marketing",
        granted=True,
        source=source or person.source,
        recorded_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_missing_profile_or_source_is_refused():
    person = ProfileFactory()
    missing_profile, missing_source = person.id + 1000, person.source_id + 1000
    with pytest.raises(IntegrityError, match=r"\(profile_id\)"), transaction.atomic():
        Identity.objects.create(profile_id=missing_profile, kind="email", value="a@example.com")
    with pytest.raises(IntegrityError, match=r"\(profile_id\)"), transaction.atomic():
        Consent.objects.create(
            profile_id=missing_profile,
            purpose="marketing",
            granted=True,
            source=person.source,
            recorded_at=timezone.now(),
        )
    with pytest.raises(IntegrityError, match=r"\(source_id\)"), transaction.atomic():
        Consent.objects.create(
            profile=person,
            purpose="marketing",
            granted=True,
            source_id=missing_source,
            recorded_at=timezone.now(),
        )
    with pytest.raises(IntegrityError, match=r"\(source_id\)"), transaction.atomic():
        Profile.objects.create(source_id=missing_source, external_id="C1", created_at=timezone.now())
    with pytest.raises(IntegrityError, match=r"\(profile_id\)"), transaction.atomic():
        Identity.objects.filter(id=IdentityFactory(profile=person).id).update(profile_id=missing_profile)
    assert not Consent.objects.exists() and Profile.objects.count() == 1


@pytest.mark.django_db
def test_deleting_a_profile_deletes_its_identities_and_consents_however_it_is_deleted():
    kept, gone_by_orm, gone_by_sql = ProfileFactory.create_batch(3)
    for person in (kept, gone_by_orm, gone_by_sql):
        IdentityFactory.create_batch(2, profile=person)
        consent_of(person)

    Profile.objects.filter(id=gone_by_orm.id).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM segments_profile WHERE id = %s", [gone_by_sql.id])

    assert set(Identity.objects.values_list("profile_id", flat=True)) == {kept.id}
    assert set(Consent.objects.values_list("profile_id", flat=True)) == {kept.id}


@pytest.mark.django_db
def test_a_source_with_profiles_or_consents_cannot_be_deleted():
    person = ProfileFactory()
    other = DataSourceFactory()
    consent_of(person, source=other)  # a consent recorded by another source than the person's
    for source_id in (person.source_id, other.id):
        with pytest.raises(ProtectedError):
            DataSource.objects.filter(id=source_id).delete()
        refused = pytest.raises(IntegrityError, match="without a source")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM segments_datasource WHERE id = %s", [source_id])
    assert Profile.objects.filter(id=person.id).exists() and Consent.objects.filter(profile=person).exists()


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waits_for_an_import_of_the_persons_identity_then_takes_it_too():
    person = ProfileFactory()
    outcomes = delete_during_write(
        lambda: Identity.objects.create(profile=person, kind="email", value="late@example.com"),
        lambda: Profile.objects.filter(id=person.id).delete(),
    )

    assert outcomes == [None, True]
    assert not Identity.objects.exists()
