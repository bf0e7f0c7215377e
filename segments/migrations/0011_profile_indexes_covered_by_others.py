# Two indexes of profiles that every import grew row by row, each covered by another index:
# the source's (profile_unique_per_source leads with source_id) and the merge target's, which holds
# every profile as NULL (profile_merged_into, partial, holds only the merged ones and serves any
# merged_into_id = x look-up). Only the indexes go; the foreign keys stay as they are.

import django.db.models.deletion
from django.db import migrations, models

REDUNDANT_INDEXES = (
    "segments_profile_source_id_6c30fe67",
    "segments_profile_merged_into_id_f111af51",
)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0010_event_references_per_statement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="profile",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="profiles",
                        to="segments.datasource",
                    ),
                ),
                migrations.AlterField(
                    model_name="profile",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Set when identity resolution found this to be the same person as another profile.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="absorbed",
                        to="segments.profile",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[f'DROP INDEX IF EXISTS "{name}"' for name in REDUNDANT_INDEXES],
                    reverse_sql=[
                        'CREATE INDEX "segments_profile_source_id_6c30fe67" ON "segments_profile" ("source_id")',
                        'CREATE INDEX "segments_profile_merged_into_id_f111af51" '
                        'ON "segments_profile" ("merged_into_id")',
                    ],
                ),
            ],
        ),
    ]
