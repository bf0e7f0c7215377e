import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from segments.models import FeatureShareKey, ProfileFeatures
from segments.services.feature_shares import share_arrays, share_positions
from segments.services.features import features_compute
from tests.factories import EventFactory, ProfileFactory

BEFORE = [("segments", "0012_people_references_per_statement")]
AFTER = [("segments", "0013_features_shares_as_arrays")]


def _engaged(profile, platform: str, content_format: str):
    EventFactory(
        profile=profile,
        event_type="like",
        platform=platform,
        content_format=content_format,
        occurred_at=timezone.now() - timedelta(days=1),
    )


@pytest.mark.django_db
def test_keys_keep_their_places_and_new_ones_come_after():
    assert share_positions("format_affinity", ["video", "image"]) == [0, 1]
    assert share_positions("format_affinity", ["reel", "video"]) == [2, 0]
    assert share_positions("channel_mix", ["x"]) == [0]  # each feature has places of its own
    assert list(FeatureShareKey.objects.values_list("feature", "position", "name")) == [
        ("channel_mix", 0, "x"),
        ("format_affinity", 0, "video"),
        ("format_affinity", 1, "image"),
        ("format_affinity", 2, "reel"),
    ]


@pytest.mark.django_db
def test_a_row_shows_its_positive_shares_by_name_largest_first():
    share_positions("channel_mix", ["email", "x"])
    features = ProfileFeatures.objects.create(
        profile=ProfileFactory(),
        computed_at=timezone.now(),
        **share_arrays({"instagram": 0.25, "tiktok": 0.0, "x": 0.75}, {}),
    )
    features.refresh_from_db()
    assert features.channel_shares == [0.0, 0.75, 0.25, 0.0]
    assert list(features.channel_mix.items()) == [("x", 0.75), ("instagram", 0.25)]
    assert features.format_affinity == {}


@pytest.mark.django_db
def test_a_later_run_adds_the_formats_it_meets_and_earlier_rows_keep_their_meaning():
    ann, bo = ProfileFactory(), ProfileFactory()
    _engaged(ann, "instagram", "video")
    features_compute()
    first = ProfileFeatures.objects.get(profile=ann)
    _engaged(bo, "x", "podcast")
    features_compute()

    again, bo_features = ProfileFeatures.objects.get(profile=ann), ProfileFeatures.objects.get(profile=bo)
    assert again.format_affinity == first.format_affinity == {"video": 1.0}
    assert bo_features.format_affinity == {"podcast": 1.0} and bo_features.channel_mix == {"x": 1.0}
    assert share_positions("format_affinity", ["video", "podcast"]) == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_objects_into_arrays_and_back():
    people = ProfileFactory.create_batch(3)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        with connection.cursor() as cursor:
            for person, channels, formats in zip(
                people,
                ['{"x": 0.25, "instagram": 0.75}', '{"x": 1.0}', "{}"],
                ['{"video": 1.0}', "{}", '{"image": 0.5, "reel": 0.5}'],
                strict=True,
            ):
                cursor.execute(
                    "INSERT INTO segments_profilefeatures (profile_id, computed_at, frequency, monetary, "
                    "rfm_group, events_total, events_30d, weighted_engagement, engagement_rate, "
                    "decayed_activity, posting_per_week, top_format, channel_mix, format_affinity, "
                    "clv_estimate, interests, bot_score, is_bot) VALUES "
                    "(%s, now(), 0, 0, '', 0, 0, 0, 0, 0, 0, '', %s, %s, 0, '{}', 0, false)",
                    [person.id, channels, formats],
                )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT channel_shares, format_shares FROM segments_profilefeatures ORDER BY profile_id"
            )
            assert cursor.fetchall() == [
                ([0.75, 0.25], [0.0, 0.0, 1.0]),
                ([0.0, 1.0], [0.0, 0.0, 0.0]),
                ([0.0, 0.0], [0.5, 0.5, 0.0]),
            ]
            cursor.execute("SELECT feature, position, name FROM segments_featuresharekey ORDER BY 1, 2")
            assert cursor.fetchall() == [
                ("channel_mix", 0, "instagram"),
                ("channel_mix", 1, "x"),
                ("format_affinity", 0, "image"),
                ("format_affinity", 1, "reel"),
                ("format_affinity", 2, "video"),
            ]

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT channel_mix, format_affinity FROM segments_profilefeatures ORDER BY profile_id"
            )
            rows = cursor.fetchall()
        assert [tuple(json.loads(value) for value in row) for row in rows] == [
            ({"x": 0.25, "instagram": 0.75}, {"video": 1.0}),
            ({"x": 1.0}, {}),
            ({}, {"image": 0.5, "reel": 0.5}),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_snapshot_is_older_than_a_new_key_places_its_own_after_it():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert not FeatureShareKey.objects.exists()  # the run's snapshot is taken here
        other_run = connection.get_new_connection(connection.get_connection_params())
        with other_run, other_run.cursor() as cursor:
            cursor.execute(
                "INSERT INTO segments_featuresharekey (feature, position, name) "
                "VALUES ('format_affinity', 0, 'video')"
            )
        other_run.close()

        assert share_positions("format_affinity", ["podcast", "video"]) == [1, 0]
