"""The set-based SQL of an import: a TEMP staging table per import, and per chunk one merge of the
staged rows into the product's tables keyed by their natural keys.

Parameters every statement takes: %(run)s, %(source)s, %(now)s, %(erasure_salt)s; events also
%(profile_source)s (whose customer ids the file uses) and %(external_kind)s (their tombstone kind)."""

from segments.importing.mapping import CONSENT_FIELDS, IDENTIFIER_FIELDS
from segments.importing.validation import EVENT_COLUMNS, PROFILE_COLUMNS
from segments.services.tombstones import identifier_hash_sql

ERASED = "this person asked to be erased"
UNKNOWN_PERSON = (
    "no profile has this customer id or identifier; import the profiles first"
    " (a value blocked as a placeholder names no one)"
)
PROFILE_TEXT = ("first_name", "last_name", "gender", "city", "country")
# Staging columns in the order validation gives them (the COPY's column list follows these dicts).
_TYPES = {"birth_year": "smallint", "occurred_at": "timestamptz", "amount": "numeric(12,2)"}
PROFILE_STAGE = {
    name: "boolean" if name in CONSENT_FIELDS else _TYPES.get(name, "text") for name in PROFILE_COLUMNS
}
EVENT_STAGE = {name: _TYPES.get(name, "text") for name in EVENT_COLUMNS}
EVENT_TEXT = ("text", "content_format", "utm_source", "utm_medium", "campaign_code")


def stage_create(columns: dict[str, str]) -> str:
    body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return f"CREATE TEMP TABLE import_stage (row_number bigint, {body}) ON COMMIT DROP"


def stage_copy(columns: dict[str, str]) -> str:
    return f"COPY import_stage (row_number, {', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"


REJECTED_COPY = (
    'COPY segments_rejectedrow (run_id, row_number, "column", value, reason) FROM STDIN '
    'WITH (FORMAT csv, FORCE_NOT_NULL ("column", value, reason))'
)
CHANGED_CREATE = "CREATE TEMP TABLE import_changed (profile_id bigint, inserted boolean) ON COMMIT DROP"


def profiles_erased_remove() -> str:
    """Staged rows of erased people leave the stage and become rejections that name nothing."""
    checks = ", ".join(f"('{field}', s.{field})" for field in IDENTIFIER_FIELDS)
    return f"""
    WITH erased AS (
        SELECT DISTINCT s.row_number FROM import_stage s
        CROSS JOIN LATERAL (VALUES (%(external_kind)s, s.external_id), {checks}) AS v(kind, value)
        JOIN segments_erasuretombstone t
          ON t.kind = v.kind AND t.identifier_hash = {identifier_hash_sql("v.kind", "v.value")}
        WHERE v.value IS NOT NULL
    ), removed AS (
        DELETE FROM import_stage s USING erased WHERE s.row_number = erased.row_number RETURNING s.row_number
    ), rejected AS (
        INSERT INTO segments_rejectedrow (run_id, row_number, "column", value, reason)
        SELECT %(run)s, row_number, '', '', '{ERASED}' FROM removed RETURNING 1
    )
    SELECT count(*) FROM rejected"""


# A repeat's rejection shows the key it repeats; of an erased person it must show nothing.
REPEATS_OF_ERASED_BLANKED = f"""
    UPDATE segments_rejectedrow r SET value = ''
    WHERE r.run_id = %(run)s AND r."column" = '' AND r.value <> '' AND r.reason LIKE 'repeats the key%%'
      AND EXISTS (SELECT 1 FROM segments_erasuretombstone t WHERE t.kind = %(external_kind)s
                  AND t.identifier_hash = {identifier_hash_sql("%(external_kind)s", "r.value")})"""


def profiles_merge(mapped: set[str]) -> list[str]:
    """Upsert the profiles, then add their identities and record their consents; every profile
    inserted or changed lands in import_changed. Empty cells leave what is already known."""
    updates = [
        f"{field} = CASE WHEN EXCLUDED.{field} = '' THEN p.{field} ELSE EXCLUDED.{field} END"
        for field in PROFILE_TEXT
        if field in mapped
    ]
    if "birth_year" in mapped:
        updates.append("birth_year = COALESCE(EXCLUDED.birth_year, p.birth_year)")
    old = ", ".join(f"p.{field}" for field in (*PROFILE_TEXT, "birth_year")) if updates else ""
    new = ", ".join(
        f"COALESCE(NULLIF(EXCLUDED.{f}, ''), p.{f})"
        if f in PROFILE_TEXT
        else f"COALESCE(EXCLUDED.{f}, p.{f})"
        for f in (*PROFILE_TEXT, "birth_year")
    )
    conflict = (
        f"DO UPDATE SET {', '.join(updates)} WHERE ({old}) IS DISTINCT FROM ({new})"
        if updates
        else "DO NOTHING"
    )
    columns = ", ".join(PROFILE_TEXT)
    values = ", ".join(f"COALESCE(s.{field}, '')" for field in PROFILE_TEXT)
    upsert = f"""
    WITH upserted AS (
        INSERT INTO segments_profile AS p (source_id, external_id, {columns}, birth_year, created_at)
        SELECT %(source)s, s.external_id, {values}, s.birth_year, %(now)s FROM import_stage s
        ON CONFLICT (source_id, external_id) {conflict}
        RETURNING p.id, (p.xmax = 0) AS inserted
    )
    INSERT INTO import_changed SELECT id, inserted FROM upserted"""
    identity_values = ", ".join(f"('{field}', s.{field})" for field in IDENTIFIER_FIELDS if field in mapped)
    statements = [upsert]
    if identity_values:
        statements.append(f"""
        WITH added AS (
            INSERT INTO segments_identity (profile_id, kind, value)
            SELECT p.id, v.kind, v.value FROM import_stage s
            JOIN segments_profile p ON p.source_id = %(source)s AND p.external_id = s.external_id
            CROSS JOIN LATERAL (VALUES {identity_values}) AS v(kind, value)
            WHERE v.value IS NOT NULL
            ON CONFLICT (profile_id, kind, value) DO NOTHING
            RETURNING profile_id
        )
        INSERT INTO import_changed SELECT DISTINCT profile_id, false FROM added""")
    consents = ", ".join(
        f"('{field.removeprefix('consent_')}', s.{field})" for field in CONSENT_FIELDS if field in mapped
    )
    if consents:
        statements.append(f"""
        WITH recorded AS (
            INSERT INTO segments_consent AS c (profile_id, purpose, granted, source_id, recorded_at)
            SELECT p.id, v.purpose, v.granted, %(source)s, %(now)s FROM import_stage s
            JOIN segments_profile p ON p.source_id = %(source)s AND p.external_id = s.external_id
            CROSS JOIN LATERAL (VALUES {consents}) AS v(purpose, granted)
            WHERE v.granted IS NOT NULL
            ON CONFLICT (profile_id, purpose) DO UPDATE
                SET granted = EXCLUDED.granted, source_id = EXCLUDED.source_id,
                    recorded_at = EXCLUDED.recorded_at
                WHERE c.granted IS DISTINCT FROM EXCLUDED.granted
            RETURNING profile_id
        )
        INSERT INTO import_changed SELECT DISTINCT profile_id, false FROM recorded""")
    return statements


PROFILES_COUNT = """
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
    FROM (SELECT profile_id, bool_or(inserted) AS inserted FROM import_changed GROUP BY profile_id)
        AS changed"""


# A direct load's rows: new events of a source that had none, their people already known.
EVENT_COPY_COLUMNS = (
    "profile_id",
    "source_id",
    "platform",
    "event_type",
    "occurred_at",
    "external_id",
    "amount",
    *EVENT_TEXT,
)
EVENT_COPY = (
    f"COPY segments_event ({', '.join(EVENT_COPY_COLUMNS)}) FROM STDIN "
    f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(EVENT_TEXT)}))"
)
UNKNOWN_CUSTOMERS_REJECT = f"""
    INSERT INTO segments_rejectedrow (run_id, row_number, "column", value, reason)
    SELECT %(run)s, row_number, %(key_column)s,
           CASE WHEN erased THEN '' ELSE left(key, 255) END,
           CASE WHEN erased THEN '{ERASED}' ELSE %(unknown_reason)s END
    FROM (
        SELECT u.row_number, u.key, EXISTS (
            SELECT 1 FROM segments_erasuretombstone t WHERE t.kind = %(external_kind)s
            AND t.identifier_hash = {identifier_hash_sql("%(external_kind)s", "u.key")}) AS erased
        FROM unnest(%(rows)s::bigint[], %(keys)s::text[]) AS u(row_number, key)
    ) AS unknown"""


def events_profiles_create() -> str:
    """People named by a handle (a commenter) that no profile has yet get a profile in this source,
    keyed "<kind>:<value>", with that identity; erased people do not. An unknown email or phone is
    rejected instead: the profiles it belongs to come from their own import."""
    return f"""
    WITH wanted AS (
        SELECT DISTINCT s.profile_kind AS kind, s.profile_key AS value FROM import_stage s
        WHERE s.profile_kind NOT IN ('external_id', 'email', 'phone')
          AND NOT EXISTS (SELECT 1 FROM segments_identity i
                          WHERE i.kind = s.profile_kind AND i.value = s.profile_key)
          AND NOT EXISTS (SELECT 1 FROM segments_erasuretombstone t WHERE t.kind = s.profile_kind
                          AND t.identifier_hash = {identifier_hash_sql("s.profile_kind", "s.profile_key")})
    ), created AS (
        INSERT INTO segments_profile
            (source_id, external_id, first_name, last_name, gender, city, country, created_at)
        SELECT %(source)s, left(kind || ':' || value, 100), '', '', '', '', '', %(now)s FROM wanted
        ON CONFLICT (source_id, external_id) DO NOTHING
        RETURNING id, external_id
    ), identified AS (
        INSERT INTO segments_identity (profile_id, kind, value)
        SELECT created.id, wanted.kind, wanted.value FROM created
        JOIN wanted ON left(wanted.kind || ':' || wanted.value, 100) = created.external_id
        ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT count(*) FROM identified"""


# Whose event each staged row is: by customer id in the profile source (a hash join over the whole
# chunk), or by identifier (an index look-up per row; such files are small).
BY_CUSTOMER_ID = """
    SELECT s.*, p.id AS profile_id FROM import_stage s
    JOIN segments_profile p ON p.source_id = %(profile_source)s AND p.external_id = s.profile_key"""
# A value admins blocked as a placeholder (noemail@shop.com) names no one: the row is rejected rather
# than given to whoever holds the value first. Other values shared by several profiles are the
# resolver's to merge; until then the first holder takes the event, as the merge will.
HOLDER = """(
        SELECT i.profile_id FROM segments_identity i
        WHERE i.kind = s.profile_kind AND i.value = s.profile_key
          AND NOT EXISTS (SELECT 1 FROM segments_blockedidentifier b
                          WHERE b.kind = s.profile_kind AND b.value = s.profile_key)
        ORDER BY i.profile_id LIMIT 1
    )"""
BY_EITHER = f"""
    SELECT s.*, p.id AS profile_id FROM import_stage s
    JOIN segments_profile p ON p.source_id = %(profile_source)s AND p.external_id = s.profile_key
    WHERE s.profile_kind = 'external_id'
    UNION ALL
    SELECT s.*, found.profile_id FROM import_stage s
    CROSS JOIN LATERAL {HOLDER} AS found
    WHERE s.profile_kind <> 'external_id'"""
UNKNOWN_BY_CUSTOMER_ID = """NOT EXISTS (
    SELECT 1 FROM segments_profile p
    WHERE p.source_id = %(profile_source)s AND p.external_id = s.profile_key)"""
UNKNOWN_BY_EITHER = f"""CASE WHEN s.profile_kind = 'external_id' THEN {UNKNOWN_BY_CUSTOMER_ID}
    ELSE NOT EXISTS {HOLDER}
    END"""


def events_merge(mapped: set[str], *, keep_first_time: bool, tombstones: bool, identity_keys: bool) -> str:
    """Insert new events, update changed ones, and reject the rows whose person is not known.
    Returns (inserted, updated, rejected)."""
    kept = {
        "profile_id",
        "event_type",
        "platform",
        "occurred_at",
        *(field for field in mapped if field in EVENT_STAGE),
    }
    kept -= {"profile_kind", "profile_key", "external_id"}
    if keep_first_time:  # "11 hours" ago reads as another time at every upload: the first one stands
        kept.discard("occurred_at")
    kept = sorted(kept)
    sets = ", ".join(f"{field} = EXCLUDED.{field}" for field in kept)
    old = ", ".join(f"e.{field}" for field in kept)
    new = ", ".join(f"EXCLUDED.{field}" for field in kept)
    texts = ", ".join(f"COALESCE(s.{field}, '')" for field in EVENT_TEXT)
    tombstone_kind = "CASE WHEN s.profile_kind = 'external_id' THEN %(external_kind)s ELSE s.profile_kind END"
    erased = (
        f"""EXISTS (SELECT 1 FROM segments_erasuretombstone t WHERE t.kind = {tombstone_kind}
              AND t.identifier_hash = {identifier_hash_sql(tombstone_kind, "s.profile_key")})"""
        if tombstones
        else "false"
    )
    resolved = BY_EITHER if identity_keys else BY_CUSTOMER_ID
    unknown = UNKNOWN_BY_EITHER if identity_keys else UNKNOWN_BY_CUSTOMER_ID
    return f"""
    WITH merged AS (
        INSERT INTO segments_event AS e (
            profile_id, source_id, platform, event_type, occurred_at, external_id, amount,
            {", ".join(EVENT_TEXT)})
        SELECT s.profile_id, %(source)s, s.platform, s.event_type, s.occurred_at, s.external_id, s.amount,
               {texts}
        FROM ({resolved}) AS s
        ON CONFLICT (source_id, external_id) WHERE external_id IS NOT NULL
        DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new})
        RETURNING (e.xmax = 0) AS inserted
    ),
    unknown AS (
        SELECT s.row_number, s.profile_key, {erased} AS erased FROM import_stage s WHERE {unknown}
    ),
    rejected AS (
        INSERT INTO segments_rejectedrow (run_id, row_number, "column", value, reason)
        SELECT %(run)s, row_number, %(key_column)s,
               CASE WHEN erased THEN '' ELSE left(profile_key, 255) END,
               CASE WHEN erased THEN '{ERASED}' ELSE %(unknown_reason)s END
        FROM unknown RETURNING 1
    )
    SELECT (SELECT count(*) FILTER (WHERE inserted) FROM merged),
           (SELECT count(*) FILTER (WHERE NOT inserted) FROM merged),
           (SELECT count(*) FROM rejected)"""
