"""Memberships check their profile and version once per statement instead of once per row.

A re-clustering writes a million memberships at once. PostgreSQL checks a foreign key row by row,
locking the referenced row each time: 10.8 s of the 14.6 s a million memberships took. These
triggers keep the same guarantee with set-based work:

- after each INSERT or UPDATE of memberships, one anti-join over the statement's new rows refuses
  the statement (foreign_key_violation) when a profile or version it names does not exist;
- before a DELETE of profiles or versions, the deleter takes an exclusive advisory lock that the
  check takes shared, so a delete and a membership write never pass each other unseen;
- after that DELETE, the memberships of the deleted rows go in one statement (the database's
  ON DELETE CASCADE, which the ORM no longer needs to do).

The advisory lock is pg_advisory_xact_lock(7311, oid of the referenced table).

No index by profile is kept, the foreign key's nor membership_profile: keeping it up to date took
1.6-2.1 s of a million memberships. Every reader that starts from a person (the profile page, a rule
on segment membership, these cascades) goes through the versions instead, one primary key
(version_id, profile_id) probe each.
"""

import django.db.models.deletion
from django.db import migrations, models

CHECK_FUNCTION = """
CREATE FUNCTION segments_references_check() RETURNS trigger LANGUAGE plpgsql
-- Room for the hash of a million ids, so the anti-join runs in memory.
SET work_mem = '64MB' AS $$
-- TG_ARGV holds pairs: a column of the new rows, the table whose id it names.
DECLARE
  position int := 0;
  missing bigint;
BEGIN
  WHILE position < TG_NARGS LOOP
    PERFORM pg_advisory_xact_lock_shared(7311, to_regclass(TG_ARGV[position + 1])::oid::int);
    EXECUTE format(
      'SELECT n.%1$I FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM %2$I r WHERE r.id = n.%1$I) LIMIT 1',
      TG_ARGV[position], TG_ARGV[position + 1]
    ) INTO missing;
    IF missing IS NOT NULL THEN
      RAISE EXCEPTION 'insert or update on table "%" refers to a missing row', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation',
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                              TG_ARGV[position], missing, TG_ARGV[position + 1]);
    END IF;
    position := position + 2;
  END LOOP;
  RETURN NULL;
END $$;
"""

DELETE_LOCK_FUNCTION = """
CREATE FUNCTION segments_references_delete_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7311, TG_RELID::int);
  RETURN NULL;
END $$;
"""

CASCADE_FUNCTIONS = """
CREATE FUNCTION segments_memberships_of_deleted_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Through the versions: the primary key (version_id, profile_id) finds each membership.
  DELETE FROM segments_segmentmembership m USING segments_segmentversion v, old_rows o
  WHERE m.version_id = v.id AND m.profile_id = o.id;
  RETURN NULL;
END $$;

CREATE FUNCTION segments_memberships_of_deleted_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM segments_segmentmembership m USING old_rows o WHERE m.version_id = o.id;
  RETURN NULL;
END $$;
"""

MEMBERSHIP_REFERENCES = "'profile_id', 'segments_profile', 'version_id', 'segments_segmentversion'"

TRIGGERS = [
    CHECK_FUNCTION,
    DELETE_LOCK_FUNCTION,
    CASCADE_FUNCTIONS,
    "CREATE TRIGGER membership_insert_references AFTER INSERT ON segments_segmentmembership "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION segments_references_check({MEMBERSHIP_REFERENCES})",
    "CREATE TRIGGER membership_update_references AFTER UPDATE ON segments_segmentmembership "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION segments_references_check({MEMBERSHIP_REFERENCES})",
    "CREATE TRIGGER profile_delete_lock BEFORE DELETE ON segments_profile "
    "FOR EACH STATEMENT EXECUTE FUNCTION segments_references_delete_lock()",
    "CREATE TRIGGER profile_delete_memberships AFTER DELETE ON segments_profile "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_memberships_of_deleted_profiles()",
    "CREATE TRIGGER version_delete_lock BEFORE DELETE ON segments_segmentversion "
    "FOR EACH STATEMENT EXECUTE FUNCTION segments_references_delete_lock()",
    "CREATE TRIGGER version_delete_memberships AFTER DELETE ON segments_segmentversion "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_memberships_of_deleted_versions()",
]

TRIGGERS_DROP = [
    "DROP TRIGGER version_delete_memberships ON segments_segmentversion",
    "DROP TRIGGER version_delete_lock ON segments_segmentversion",
    "DROP TRIGGER profile_delete_memberships ON segments_profile",
    "DROP TRIGGER profile_delete_lock ON segments_profile",
    "DROP TRIGGER membership_update_references ON segments_segmentmembership",
    "DROP TRIGGER membership_insert_references ON segments_segmentmembership",
    "DROP FUNCTION segments_memberships_of_deleted_versions()",
    "DROP FUNCTION segments_memberships_of_deleted_profiles()",
    "DROP FUNCTION segments_references_delete_lock()",
    "DROP FUNCTION segments_references_check()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0008_profile_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.AlterField(
            model_name="segmentmembership",
            name="profile",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="memberships",
                to="segments.profile",
            ),
        ),
        migrations.AlterField(
            model_name="segmentmembership",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="memberships",
                to="segments.segmentversion",
            ),
        ),
        migrations.RemoveIndex(model_name="segmentmembership", name="membership_profile"),
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=TRIGGERS_DROP),
    ]
