"""Profiles, identities and consents check their profile and source once per statement, as
memberships (0009) and events (0010) do.

An import of a million people wrote four foreign-key checks a person (the profile's source, the
identity's profile, the consent's profile and source), each locking the row it found: about half of
the import's time. The statement-level check of 0009 does the same work in one anti-join over each
statement's new rows. Deleting profiles takes 0009's advisory lock and deletes their identities and
consents in one statement each; deleting a source that still has profiles or consents is refused,
as PROTECT did.
"""

import django.db.models.deletion
from django.db import migrations, models

PROFILE_REFERENCES = "'source_id', 'segments_datasource'"
IDENTITY_REFERENCES = "'profile_id', 'segments_profile'"
CONSENT_REFERENCES = "'profile_id', 'segments_profile', 'source_id', 'segments_datasource'"

FUNCTIONS = """
CREATE FUNCTION segments_people_of_deleted_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM segments_identity i USING old_rows o WHERE i.profile_id = o.id;
  DELETE FROM segments_consent c USING old_rows o WHERE c.profile_id = o.id;
  RETURN NULL;
END $$;

CREATE FUNCTION segments_sources_with_people_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept bigint;
  holder text;
BEGIN
  SELECT o.id, 'segments_profile' INTO kept, holder FROM old_rows o
  WHERE EXISTS (SELECT 1 FROM segments_profile p WHERE p.source_id = o.id) LIMIT 1;
  IF kept IS NULL THEN
    SELECT o.id, 'segments_consent' INTO kept, holder FROM old_rows o
    WHERE EXISTS (SELECT 1 FROM segments_consent c WHERE c.source_id = o.id) LIMIT 1;
  END IF;
  IF kept IS NOT NULL THEN
    RAISE EXCEPTION 'delete on table "segments_datasource" would leave its people without a source'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', kept, holder);
  END IF;
  RETURN NULL;
END $$;
"""


def _checks(table: str, references: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_{action.lower()}_references AFTER {action} ON segments_{table} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION segments_references_check({references})"
        for action in ("INSERT", "UPDATE")
    ]


TRIGGERS = [
    FUNCTIONS,
    *_checks("profile", PROFILE_REFERENCES),
    *_checks("identity", IDENTITY_REFERENCES),
    *_checks("consent", CONSENT_REFERENCES),
    "CREATE TRIGGER profile_delete_people AFTER DELETE ON segments_profile "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_people_of_deleted_profiles()",
    "CREATE TRIGGER source_delete_keeps_people AFTER DELETE ON segments_datasource "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION segments_sources_with_people_kept()",
]

TRIGGERS_DROP = [
    "DROP TRIGGER source_delete_keeps_people ON segments_datasource",
    "DROP TRIGGER profile_delete_people ON segments_profile",
    *(
        f"DROP TRIGGER {table}_{action}_references ON segments_{table}"
        for table in ("consent", "identity", "profile")
        for action in ("update", "insert")
    ),
    "DROP FUNCTION segments_sources_with_people_kept()",
    "DROP FUNCTION segments_people_of_deleted_profiles()",
]


class Migration(migrations.Migration):

    dependencies = [
        ('segments', '0011_profile_indexes_covered_by_others'),
    ]

    operations = [
        migrations.AlterField(
            model_name='consent',
            name='profile',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='consents', to='segments.profile'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='source',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='segments.datasource'),
        ),
        migrations.AlterField(
            model_name='identity',
            name='profile',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='identities', to='segments.profile'),
        ),
        migrations.AlterField(
            model_name='profile',
            name='source',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='profiles', to='segments.datasource'),
        ),
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=TRIGGERS_DROP),
    ]
