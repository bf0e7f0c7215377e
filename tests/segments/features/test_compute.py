from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import psycopg2
import pytest
from django.db import connection

from governance.models import AuditEntry, Job, JobStatus
from governance.services.jobs import job_execute
from segments.models import FeatureRun, FeatureSettings, InterestTopic, ProfileFeatures
from segments.services import feature_write
from segments.services.features import features_compute, features_compute_request, features_compute_work
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with mock.patch("segments.services.features.timezone.now", return_value=NOW):
        yield


def _event(profile, days_ago, event_type="like", **fields):
    moment = NOW - timedelta(days=days_ago)
    return EventFactory(profile=profile, event_type=event_type, occurred_at=moment, **fields)


@pytest.fixture
def people():
    """Ann bought twice and engages; Bob is Ann under another profile (merged into hers) and bought
    once; Cy never did anything; Dee bought once long ago."""
    ann, cy, dee = ProfileFactory(), ProfileFactory(), ProfileFactory()
    bob = ProfileFactory(merged_into=ann)
    _event(ann, 10, "purchase", platform="shop", amount=Decimal("10.00"))
    _event(ann, 40, "purchase", platform="shop", amount=Decimal("30.00"))
    _event(ann, 1, "like", platform="instagram", content_format="video")
    # At 20:00, two days before noon on the 20th less eight hours.
    _event(
        ann, 1.5 + 1 / 6, "comment", platform="x", content_format="video", text="I love it! #MachineLearning"
    )
    _event(bob, 5, "purchase", platform="shop", amount=Decimal("20.00"))
    _event(dee, 200, "purchase", platform="shop", amount=Decimal("100.00"))
    return {"ann": ann, "bob": bob, "cy": cy, "dee": dee}


def test_features_match_a_hand_computation(people):
    run = features_compute()
    features = {row.profile_id: row for row in ProfileFeatures.objects.all()}
    ann, cy, dee = features[people["ann"].id], features[people["cy"].id], features[people["dee"].id]
    assert run.profiles == 3 and len(features) == 3  # Bob is read as part of Ann
    assert people["bob"].id not in features
    assert (ann.frequency, ann.monetary, ann.events_total, ann.events_30d) == (3, 60.0, 5, 4)
    assert ann.recency_days == pytest.approx(5)
    # Weights: purchase 0, like 1, comment 3.
    assert ann.weighted_engagement == 4.0
    decay = sum(0.5 ** (days / 30) for days in (10, 40, 1, 1.5 + 1 / 6, 5))
    assert ann.decayed_activity == pytest.approx(decay, rel=1e-4)
    # Two customers: Ann beats Dee on recency and frequency, Dee beats Ann on spend.
    assert (ann.r_score, ann.f_score, ann.m_score, ann.rfm_group) == (3, 3, 1, "Potential")
    assert (dee.r_score, dee.f_score, dee.m_score, dee.rfm_group) == (1, 1, 3, "Lost")
    assert ann.peak_hour == 12  # four events at noon UTC, one at 20:00
    assert ann.peak_weekday == 4  # two of her five events fell on a Friday
    assert ann.top_format == "video"
    assert ann.format_affinity == {"video": 1.0}
    assert ann.channel_mix == {"instagram": 0.25, "x": 0.75}
    assert ann.interests == ["AI and data"]
    assert ann.sentiment > 0.5
    assert ann.is_bot is False and ann.bot_score < 0.5
    assert (cy.events_total, cy.frequency, cy.rfm_group, cy.interests, cy.sentiment) == (0, 0, "", [], None)
    assert cy.peak_hour is None and cy.recency_days is None and cy.channel_mix == {}


def test_a_run_records_settings_summary_and_stability(people):
    first = features_compute()
    assert first.finished_at is not None
    assert first.settings_used["summary"]["events"] == 6
    assert first.settings_used["summary"]["rfm_groups"]["Potential"] == 1
    assert first.stability["frequency"]["psi"] is None  # nothing to compare with
    second = features_compute()
    assert second.stability["frequency"]["psi"] == pytest.approx(0.0)
    assert AuditEntry.objects.filter(action="features.computed").count() == 2


def test_settings_and_taxonomy_from_the_database_are_used(people):
    FeatureSettings.objects.update_or_create(
        id=1, defaults={"engagement_weights": {"like": 10.0}, "half_life_days": 5, "bot_threshold": 0.8}
    )
    InterestTopic.objects.all().delete()
    InterestTopic.objects.create(name="Gushing", keywords=["love"])
    features_compute()
    ann = ProfileFeatures.objects.get(profile=people["ann"])
    assert ann.weighted_engagement == 13.0  # like 10 (stored), comment 3 (default)
    assert ann.interests == ["Gushing"]


def test_without_settings_rows_the_defaults_apply(people):
    FeatureSettings.objects.all().delete()
    run = features_compute()
    assert run.settings_used["half_life_days"] == 30
    assert ProfileFeatures.objects.get(profile=people["ann"]).weighted_engagement == 4.0


def test_a_recompute_replaces_every_row(people):
    features_compute()
    shape = _keys_and_indexes()
    people["cy"].delete()
    features_compute()
    assert ProfileFeatures.objects.count() == 2
    assert _keys_and_indexes() == shape


def _keys_and_indexes() -> list[tuple[str, str]]:
    """The features table's constraints and indexes, which a run drops and makes again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'segments_profilefeatures'::regclass "
            "UNION ALL SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'segments_profilefeatures' "
            "ORDER BY 1"
        )
        rows = cursor.fetchall()
    assert {"PRIMARY KEY (profile_id)", "features_rfm_group"} <= {part for row in rows for part in row}
    return rows


@pytest.mark.django_db(databases=["default", "jobs"])
def test_the_job_runs_the_computation_and_reports_its_result(people, marketer):
    job = features_compute_request(actor=marketer)
    assert (job.queue, job.task_name) == ("ml", "segments.features_compute")
    assert features_compute_request(actor=marketer).id == job.id  # one at a time
    job_execute(job_id=job.id, work=features_compute_work)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["profiles"] == 3
    assert FeatureRun.objects.get().job_id == job.id
    assert Job.objects.filter(task_name="segments.features_compute").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_writing_leaves_the_previous_features_intact():
    person = ProfileFactory()
    _event(person, 3, "purchase", platform="shop", amount=Decimal("5.00"))
    features_compute()
    before = list(ProfileFeatures.objects.values_list("profile_id", "frequency", "computed_at"))
    shape = _keys_and_indexes()
    _event(person, 1, "purchase", platform="shop", amount=Decimal("7.00"))

    whole_stream = feature_write.copy_binary_chunks

    def broken_stream(fields):
        *chunks, _ = whole_stream(fields)
        yield from chunks[:-1]
        yield chunks[-1][:-40]  # cut short, and no trailer: COPY fails after TRUNCATE

    with (
        mock.patch.object(feature_write, "copy_binary_chunks", broken_stream),
        pytest.raises(psycopg2.errors.BadCopyFileFormat),
    ):
        features_compute()
    assert list(ProfileFeatures.objects.values_list("profile_id", "frequency", "computed_at")) == before
    assert FeatureRun.objects.count() == 1
    assert _keys_and_indexes() == shape


@pytest.mark.django_db(transaction=True)
def test_reading_in_parallel_gives_the_same_features_as_one_reader():
    people = [ProfileFactory() for _ in range(3)]
    for number, person in enumerate(people):
        _event(person, number + 1, "purchase", platform="shop", amount=Decimal("5.00"))
        _event(person, number + 2, "comment", platform="x", text=f"Love it #ai {number}")
    features_compute()
    one_reader = list(ProfileFeatures.objects.order_by("profile_id").values_list("frequency", "interests"))
    with mock.patch("segments.services.features.PARALLEL_READ_MIN_EVENTS", 0):
        run = features_compute()
    assert run.settings_used["summary"]["events"] == 6
    assert (
        list(ProfileFeatures.objects.order_by("profile_id").values_list("frequency", "interests"))
        == one_reader
    )


@pytest.mark.django_db(transaction=True)
def test_events_over_many_runs_of_pages_are_each_read_once():
    people = [ProfileFactory() for _ in range(4)]
    for number in range(80):  # long texts: the events fill several heap pages
        _event(people[number % 4], number % 9 + 1, "comment", platform="x", text=f"#ai {number} " + "a" * 900)
    _event(people[0], 3, "purchase", platform="shop", amount=Decimal("7.50"))
    features_compute()
    one_reader = list(ProfileFeatures.objects.order_by("profile_id").values_list("events_total", "monetary"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('segments_event') / 8192")
        assert cursor.fetchone()[0] >= 5
    with (
        mock.patch("segments.services.features.PARALLEL_READ_MIN_EVENTS", 0),
        mock.patch("segments.services.feature_io.RECORDS_MAX_PAGES", 1),
    ):
        run = features_compute()
    assert run.settings_used["summary"]["events"] == 81
    assert one_reader == [(21, 7.5), (20, 0.0), (20, 0.0), (20, 0.0)]
    assert (
        list(ProfileFeatures.objects.order_by("profile_id").values_list("events_total", "monetary"))
        == one_reader
    )
