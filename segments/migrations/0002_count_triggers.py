"""Statement-level triggers keep segments_rowcount and segments_eventdailycount exact after every
insert, delete or truncate (COPY included), so pages never COUNT(*) millions of rows."""

from django.db import migrations

COUNTED_TABLES = ["segments_profile", "segments_identity", "segments_event", "segments_consent"]

COUNT_FUNCTION = """
CREATE FUNCTION segments_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO segments_rowcount (table_name, rows) SELECT TG_TABLE_NAME, count(*) FROM new_rows
    ON CONFLICT (table_name) DO UPDATE SET rows = segments_rowcount.rows + EXCLUDED.rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO segments_rowcount (table_name, rows) SELECT TG_TABLE_NAME, -count(*) FROM old_rows
    ON CONFLICT (table_name) DO UPDATE SET rows = segments_rowcount.rows + EXCLUDED.rows;
  ELSE
    UPDATE segments_rowcount SET rows = 0 WHERE table_name = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END $$;
"""

DAILY_FUNCTION = """
CREATE FUNCTION segments_count_event_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO segments_eventdailycount (day, event_type, events)
    SELECT (occurred_at AT TIME ZONE 'UTC')::date, event_type, count(*) FROM new_rows GROUP BY 1, 2
    ON CONFLICT (day, event_type) DO UPDATE SET events = segments_eventdailycount.events + EXCLUDED.events;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO segments_eventdailycount (day, event_type, events)
    SELECT (occurred_at AT TIME ZONE 'UTC')::date, event_type, -count(*) FROM old_rows GROUP BY 1, 2
    ON CONFLICT (day, event_type) DO UPDATE SET events = segments_eventdailycount.events + EXCLUDED.events;
  ELSE
    DELETE FROM segments_eventdailycount;
  END IF;
  RETURN NULL;
END $$;
"""


def _triggers(table: str, function: str, prefix: str) -> str:
    return f"""
CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_truncate AFTER TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


def _drop_triggers(table: str, prefix: str) -> str:
    return "".join(f"DROP TRIGGER {prefix}_{op} ON {table};" for op in ("insert", "delete", "truncate"))


FORWARD = (
    COUNT_FUNCTION
    + DAILY_FUNCTION
    + "".join(_triggers(table, "segments_count_rows", f"{table}_count") for table in COUNTED_TABLES)
    + _triggers("segments_event", "segments_count_event_days", "segments_event_daily")
    + "".join(
        f"INSERT INTO segments_rowcount (table_name, rows) VALUES ('{table}', 0);" for table in COUNTED_TABLES
    )
)

BACKWARD = (
    "".join(_drop_triggers(table, f"{table}_count") for table in COUNTED_TABLES)
    + _drop_triggers("segments_event", "segments_event_daily")
    + "DROP FUNCTION segments_count_rows(); DROP FUNCTION segments_count_event_days();"
    + "DELETE FROM segments_rowcount;"
)


class Migration(migrations.Migration):
    dependencies = [("segments", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
