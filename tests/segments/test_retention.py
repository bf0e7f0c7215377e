from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from segments.models import Event, ImportRun, MatchCandidate, RetentionPolicy
from segments.services import retention
from segments.services.retention import retention_enforce, retention_enforce_request
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_retention_deletes_what_outlived_its_period(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(retention, "EVENT_DELETE_BATCH", 2)  # exercise several batches
    RetentionPolicy.objects.update_or_create(data_kind="events", defaults={"keep_days": 30})
    now = timezone.now()
    profile = ProfileFactory()
    EventFactory.create_batch(5, profile=profile, occurred_at=now - timedelta(days=40))
    kept = EventFactory(profile=profile, occurred_at=now - timedelta(days=10))
    run = ImportRun.objects.create(source=profile.source, record_kind="profiles", original_name="old.csv")
    run.file.save("old.csv", ContentFile(b"x"))
    ImportRun.objects.filter(id=run.id).update(created_at=now - timedelta(days=400))

    deleted = retention_enforce(now=now)

    assert deleted["events"] == 5
    assert list(Event.objects.all()) == [kept]
    assert deleted["import_files"] == 1
    run.refresh_from_db()
    assert not run.file


def test_a_second_nightly_request_reuses_the_pending_job():
    assert retention_enforce_request().id == retention_enforce_request().id


def test_old_merges_are_forgotten_but_not_the_pairs_said_to_be_two_people():
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    decided = []
    for status in (MatchCandidate.Status.ACCEPTED, MatchCandidate.Status.REJECTED):
        first, second = ProfileFactory(), ProfileFactory()
        decided.append(
            MatchCandidate.objects.create(
                profile_a=first, profile_b=second, score=0.9, status=status, decided_at=long_ago
            )
        )
    deleted = retention_enforce(now=now)
    assert deleted["match_candidates"] == 1
    assert list(MatchCandidate.objects.values_list("status", flat=True)) == [MatchCandidate.Status.REJECTED]
