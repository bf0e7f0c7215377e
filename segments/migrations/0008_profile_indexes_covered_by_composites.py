# The profile foreign keys of events, identities and consents each had an index of their own that a
# composite index already leads with (event_profile_time, identity_unique_per_profile,
# consent_one_per_purpose). Only the indexes go; the foreign keys stay as they are, unvalidated again.

import django.db.models.deletion
from django.db import migrations, models

REDUNDANT_INDEXES = (
    "segments_consent_profile_id_2ee629e4",
    "segments_event_profile_id_868f9f11",
    "segments_identity_profile_id_7296b649",
)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0007_default_sensitivity_and_terms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consent",
                    name="profile",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to="segments.profile",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="profile",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="segments.profile",
                    ),
                ),
                migrations.AlterField(
                    model_name="identity",
                    name="profile",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="identities",
                        to="segments.profile",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[f'DROP INDEX IF EXISTS "{name}"' for name in REDUNDANT_INDEXES],
                    reverse_sql=[
                        'CREATE INDEX "segments_consent_profile_id_2ee629e4" ON "segments_consent" ("profile_id")',
                        'CREATE INDEX "segments_event_profile_id_868f9f11" ON "segments_event" ("profile_id")',
                        'CREATE INDEX "segments_identity_profile_id_7296b649" ON "segments_identity" ("profile_id")',
                    ],
                ),
            ],
        ),
    ]
