"""Events check their profile and source once per statement, as memberships do since 0009.

An import merges its events with one INSERT; PostgreSQL checked the two foreign keys row by row,
locking each profile and source as it went. The statement-level check of 0009 does the same work in
one anti-join over the new rows, which the event count triggers capture already. Deleting profiles
takes 0009's advisory lock and now deletes their events in one statement too (by event_profile_time,
which leads with profile_id); deleting a source that still has events is refused, as PROTECT did.
"""

import django.db.models.deletion
from django.db import migrations, models

EVENT_REFERENCES = "'profile_id', 'segments_profile', 'source_id', 'segments_datasource'"

FUNCTIONS = """
CREATE FUNCTION segments_events_of_deleted_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM segments_event e USING old_rows o WHERE e.profile_id = o.id;
  RETURN NULL;
END $$;

CREATE FUNCTION segments_sources_with_events_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept bigint;
BEGIN
  SELECT o.id INTO kept FROM old_rows o
  WHERE EXISTS (SELECT 1 FROM segments_event e WHERE e.source_id = o.id) LIMIT 1;
  IF kept IS NOT NULL THEN
    RAISE EXCEPTION 'delete on table "segments_datasource" would leave its events without a source'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "segments_event".', kept);
  END IF;
  RETURN NULL;
END $$;
"""

TRIGGERS = [
    FUNCTIONS,
    "CREATE TRIGGER event_insert_references AFTER INSERT ON segments_event "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION segments_references_check({EVENT_REFERENCES})",
    "CREATE TRIGGER event_update_references AFTER UPDATE ON segments_event "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION segments_references_check({EVENT_REFERENCES})",
    "CREATE TRIGGER profile_delete_events AFTER DELETE ON segments_profile "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_events_of_deleted_profiles()",
    "CREATE TRIGGER source_delete_lock BEFORE DELETE ON segments_datasource "
    "FOR EACH STATEMENT EXECUTE FUNCTION segments_references_delete_lock()",
    "CREATE TRIGGER source_delete_keeps_events AFTER DELETE ON segments_datasource "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_sources_with_events_kept()",
]

TRIGGERS_DROP = [
    "DROP TRIGGER source_delete_keeps_events ON segments_datasource",
    "DROP TRIGGER source_delete_lock ON segments_datasource",
    "DROP TRIGGER profile_delete_events ON segments_profile",
    "DROP TRIGGER event_update_references ON segments_event",
    "DROP TRIGGER event_insert_references ON segments_event",
    "DROP FUNCTION segments_sources_with_events_kept()",
    "DROP FUNCTION segments_events_of_deleted_profiles()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0009_membership_references_per_statement"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="profile",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="segments.profile",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="source",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="segments.datasource",
            ),
        ),
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=TRIGGERS_DROP),
    ]
