"""Channel mix and format affinity are stored as real[] with one place per key, not as jsonb objects.

PostgreSQL parses every number of a jsonb value it takes in: writing a million feature rows spent
1.7 s more on the two jsonb columns than on the whole rest of the row. The keys behind the places
live in segments_featuresharekey, which only ever grows, so a place keeps its meaning for good.
Existing rows are converted both ways.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

import segments.models.features

IMMEDIATE = "SET CONSTRAINTS ALL IMMEDIATE"
SHARED = (("channel_mix", "channel_shares"), ("format_affinity", "format_shares"))

KEYS_FROM_OBJECTS = """
INSERT INTO segments_featuresharekey (feature, position, name)
SELECT '{feature}', row_number() OVER (ORDER BY key) - 1, key
FROM (SELECT DISTINCT jsonb_object_keys({feature}) AS key FROM segments_profilefeatures) keys
"""
# One UPDATE sets both columns of a direction: each UPDATE rewrites every row.
EVERY_ROW = "UPDATE segments_profilefeatures features SET {assignments}"
ARRAY_FROM_OBJECT = """{array} = ARRAY(
    SELECT COALESCE((features.{feature} ->> key.name)::real, 0)
    FROM segments_featuresharekey key WHERE key.feature = '{feature}' ORDER BY key.position)"""
OBJECT_FROM_ARRAY = """{feature} = COALESCE((
    SELECT jsonb_object_agg(key.name, round(share.value::numeric, 3))
    FROM unnest(features.{array}) WITH ORDINALITY AS share(value, place)
    JOIN segments_featuresharekey key ON key.feature = '{feature}' AND key.position = share.place - 1
    WHERE share.value > 0), '{{}}')"""


def _statements(template: str) -> list[str]:
    return [template.format(feature=feature, array=array) for feature, array in SHARED]


def _update(assignment: str) -> str:
    return EVERY_ROW.format(assignments=", ".join(_statements(assignment)))


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0012_people_references_per_statement"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeatureShareKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "feature",
                    models.CharField(
                        choices=[("channel_mix", "Channel mix"), ("format_affinity", "Format affinity")],
                        max_length=20,
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(help_text="0-based place in the feature's array.")),
                ("name", models.CharField(max_length=20)),
            ],
            options={
                "ordering": ["feature", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("feature", "name"), name="share_key_name_once"),
                    models.UniqueConstraint(fields=("feature", "position"), name="share_key_position_once"),
                ],
            },
        ),
        migrations.AddField(
            model_name="profilefeatures",
            name="channel_shares",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=segments.models.features.RealField(),
                default=list,
                help_text="Share of weighted engagement per platform, by key position.",
                size=None,
            ),
        ),
        migrations.AddField(
            model_name="profilefeatures",
            name="format_shares",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=segments.models.features.RealField(),
                default=list,
                help_text="Share of events per content format.",
                size=None,
            ),
        ),
        # The updates' foreign-key checks are deferred; pending, they would block the ALTER TABLEs after.
        migrations.RunSQL(
            [IMMEDIATE, *_statements(KEYS_FROM_OBJECTS), _update(ARRAY_FROM_OBJECT)],
            [IMMEDIATE, _update(OBJECT_FROM_ARRAY)],
        ),
        migrations.RemoveField(model_name="profilefeatures", name="channel_mix"),
        migrations.RemoveField(model_name="profilefeatures", name="format_affinity"),
    ]
