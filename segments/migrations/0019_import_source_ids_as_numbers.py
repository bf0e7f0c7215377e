from django.db import migrations

# An events file's source of customer ids, sent as a string through the API, was stored as one;
# erasure and access requests look it up as a number.
SOURCE_IDS_AS_NUMBERS = """
    UPDATE segments_importrun
    SET mapping = jsonb_set(mapping, '{profile_source_id}', to_jsonb((mapping->>'profile_source_id')::bigint))
    WHERE jsonb_typeof(mapping->'profile_source_id') = 'string' AND mapping->>'profile_source_id' ~ '^[0-9]{1,18}$'
"""


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0018_drift_alerts_for_rule_changes"),
    ]

    operations = [
        migrations.RunSQL(SOURCE_IDS_AS_NUMBERS, migrations.RunSQL.noop),
    ]
