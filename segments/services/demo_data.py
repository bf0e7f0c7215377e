"""Writing the demo company into the database: one transaction, COPY only."""

import io
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone

from segments.ml.synthetic import DemoCompanyConfig, demo_company
from segments.ml.synthetic_events import demo_event_chunks
from segments.models import Consent, DataSource, Event, Identity, Platform, Profile, SourceKind

DEMO_PREFIX = "Demo · "
DEMO_SOURCES = {
    "crm": ("Demo · CRM", SourceKind.CRM, Platform.CRM),
    "shop": ("Demo · Web shop", SourceKind.WEB, Platform.SHOP),
    "instagram": ("Demo · Instagram", SourceKind.SOCIAL, Platform.INSTAGRAM),
    "x": ("Demo · X", SourceKind.SOCIAL, Platform.X),
    "linkedin": ("Demo · LinkedIn", SourceKind.SOCIAL, Platform.LINKEDIN),
    "tiktok": ("Demo · TikTok", SourceKind.SOCIAL, Platform.TIKTOK),
}
ALREADY_LOADED = (
    "The demo company is already loaded; generate it with replace to start afresh "
    "(manage.py demo_data --replace)."
)
Progress = Callable[[float, str], None]

PROFILE_COLUMNS = [
    "id",
    "source_id",
    "external_id",
    "first_name",
    "last_name",
    "gender",
    "birth_year",
    "city",
    "country",
    "created_at",
]
IDENTITY_COLUMNS = ["profile_id", "kind", "value"]
CONSENT_COLUMNS = ["profile_id", "purpose", "granted", "source_id", "recorded_at", "expires_at"]
EVENT_COLUMNS = [
    "profile_id",
    "source_id",
    "platform",
    "event_type",
    "occurred_at",
    "amount",
    "text",
    "content_format",
    "utm_source",
    "utm_medium",
    "campaign_code",
]
PEOPLE_PROGRESS = {"profiles": 10, "identities": 15, "consents": 20}


def demo_company_loaded() -> bool:
    return DataSource.objects.filter(name__startswith=DEMO_PREFIX).exists()


def demo_data_generate(
    *,
    profiles: int = 20_000,
    events: int | None = None,
    seed: int = 7,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Generate the fictional company and write it whole, or not at all."""
    started = time.perf_counter()
    report = progress or (lambda percent, message: None)
    if not replace and demo_company_loaded():  # fail before the slow part; checked again under lock
        raise ValueError(ALREADY_LOADED)
    events = 10 * profiles if events is None else events
    as_of = timezone.now().replace(microsecond=0)
    # Chunks smaller than the generator's default keep PostgreSQL busy while the next is made.
    config = DemoCompanyConfig(profiles=profiles, events=events, seed=seed, as_of=as_of, chunk_rows=250_000)
    with transaction.atomic(), connection.cursor() as cursor:
        # Serialises demo runs, and keeps other writers from taking profile ids while we reserve ours.
        cursor.execute(f"LOCK TABLE {Profile._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        # Foreign keys are checked after each COPY, not queued by the million until commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        source_ids = _demo_sources_prepare(cursor=cursor, replace=replace, report=report)
        first_id = _profile_ids_reserve(cursor=cursor, count=profiles)
        written = demo_company_copy(
            cursor=cursor, config=config, first_id=first_id, source_ids=source_ids, report=report
        )
    seconds = time.perf_counter() - started
    return {**written, "seconds": round(seconds, 2), "profiles_per_second": round(profiles / seconds)}


def demo_company_copy(
    *, cursor, config: DemoCompanyConfig, first_id: int, source_ids: dict[str, int], report: Progress
) -> dict[str, int]:
    """Generate the company and COPY it through `cursor`, inside the caller's transaction; profiles
    take the ids first_id, first_id + 1, ... Returns the number of rows written per kind."""
    report(5, "Inventing the people")
    written = dict.fromkeys(("profiles", "identities", "consents", "events"), 0)
    batches = _copy_batches(config=config, first_id=first_id, source_ids=source_ids)
    for batch in _made_ahead(batches):
        _copy(cursor=cursor, batch=batch)
        written[batch.kind] += batch.rows
        if batch.kind == "events":
            percent = 20 + 79 * written["events"] / config.events
            report(percent, f"Wrote {written['events']:,} of {config.events:,} events")
        else:
            report(PEOPLE_PROGRESS[batch.kind], f"Wrote {batch.rows:,} {batch.kind}")
    return written


def _demo_sources_prepare(*, cursor, replace: bool, report: Progress) -> dict[str, int]:
    existing = DataSource.objects.filter(name__startswith=DEMO_PREFIX)
    if existing.exists():
        if not replace:
            raise ValueError(ALREADY_LOADED)
        report(1, "Removing the previous demo company")
        _demo_rows_delete(cursor=cursor, source_ids=list(existing.values_list("id", flat=True)))
    source_ids = {}
    for key, (name, kind, platform) in DEMO_SOURCES.items():
        source, _ = DataSource.objects.update_or_create(
            name=name, defaults={"kind": kind, "platform": platform, "default_region": "GB"}
        )
        source_ids[key] = source.id
    return source_ids


def _demo_rows_delete(*, cursor, source_ids: list[int]) -> None:
    """The demo profiles go with everything recorded about them; the sources stay (imports may
    refer to them)."""
    _rows_delete(cursor=cursor, model=Profile, where="source_id = ANY(%s)", params=[source_ids])


def _rows_delete(*, cursor, model: type[models.Model], where: str, params: list) -> None:
    """A set-based delete that honours each reverse relation's on_delete as the ORM would, without
    loading a million objects first."""
    table = model._meta.db_table
    chosen = f"SELECT {model._meta.pk.column} FROM {table} WHERE {where}"
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_one or field.one_to_many)
    ]
    for relation in relations:
        related, column = relation.related_model, relation.field.column
        if relation.on_delete is models.CASCADE and related is not model:
            _rows_delete(cursor=cursor, model=related, where=f"{column} IN ({chosen})", params=params)
        elif relation.on_delete is models.SET_NULL:
            cursor.execute(
                f"UPDATE {related._meta.db_table} SET {column} = NULL WHERE {column} IN ({chosen})", params
            )
        elif relation.on_delete is not models.DO_NOTHING:
            referring = f"SELECT 1 FROM {related._meta.db_table} WHERE {column} IN ({chosen})"
            cursor.execute(f"SELECT EXISTS ({referring})", params)
            if cursor.fetchone()[0]:
                raise ValueError(f"Rows in {related._meta.db_table} still refer to the demo company.")
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def _profile_ids_reserve(*, cursor, count: int) -> int:
    """A contiguous block of ids, so identities and events can refer to profiles without reading
    them back. The caller's lock keeps other inserts from taking ids meanwhile."""
    table = Profile._meta.db_table
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT nextval(%s), (SELECT COALESCE(MAX(id), 0) FROM {table})", [sequence])
    next_id, highest_id = cursor.fetchone()
    first_id = max(next_id, highest_id + 1)
    if count:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + count - 1])
    return first_id


@dataclass(frozen=True)
class CopyBatch:
    kind: str
    table: str
    columns: list[str]
    nullable: tuple[str, ...]  # where an empty CSV field means NULL rather than ""
    rows: int
    data: bytes


def _copy_batches(
    *, config: DemoCompanyConfig, first_id: int, source_ids: dict[str, int]
) -> Iterator[CopyBatch]:
    company = demo_company(config=config)
    profiles = company.profiles.assign(
        id=first_id + np.arange(len(company.profiles)), source_id=company.profiles["source"].map(source_ids)
    )
    yield _batch("profiles", Profile, profiles, PROFILE_COLUMNS, nullable=("birth_year",))
    identities = company.identities.assign(profile_id=company.identities["profile_index"] + first_id)
    yield _batch("identities", Identity, identities, IDENTITY_COLUMNS)
    consents = company.consents.assign(
        profile_id=company.consents["profile_index"] + first_id,
        source_id=company.consents["source"].map(source_ids),
    )
    yield _batch("consents", Consent, consents, CONSENT_COLUMNS, nullable=("expires_at",))
    for chunk in demo_event_chunks(profiles=company.profiles, config=config):
        events = chunk.assign(
            profile_id=chunk["profile_index"] + first_id, source_id=chunk["source"].map(source_ids)
        )
        yield _batch("events", Event, events, EVENT_COLUMNS, nullable=("amount",))


def _batch(
    kind: str,
    model: type[models.Model],
    frame: pd.DataFrame,
    columns: list[str],
    nullable: tuple[str, ...] = (),
) -> CopyBatch:
    return CopyBatch(
        kind, model._meta.db_table, columns, nullable, rows=len(frame), data=_csv(frame[columns])
    )


def _made_ahead(items: Iterator) -> Iterator:
    """The same items, the next one made in a thread while the caller uses this one: here Python
    builds the next chunk while PostgreSQL writes the last."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        done = object()
        upcoming = worker.submit(next, items, done)
        while (item := upcoming.result()) is not done:
            upcoming = worker.submit(next, items, done)
            yield item


def _copy(*, cursor, batch: CopyBatch) -> None:
    not_null = ", ".join(column for column in batch.columns if column not in batch.nullable)
    options = f"FORMAT csv, FORCE_NOT_NULL ({not_null})"
    sql = f"COPY {batch.table} ({', '.join(batch.columns)}) FROM STDIN WITH ({options})"
    cursor.copy_expert(sql, io.BytesIO(batch.data), 1 << 20)  # positional: DEBUG wraps the cursor


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV for COPY, several times faster than DataFrame.to_csv here: each distinct value is formatted
    once, and timestamps by numpy."""
    if frame.empty:
        return b""
    fields = [_csv_fields(frame[column]) for column in frame.columns]
    return ("\n".join(map(",".join, zip(*fields, strict=True))) + "\n").encode()


def _csv_fields(values: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(values):
        moments = values.to_numpy(dtype="datetime64[s]")  # in UTC
        text = np.datetime_as_string(moments, unit="s", timezone="UTC").astype(object)
        text[np.isnat(moments)] = ""
        return text.tolist()
    if values.dtype.kind == "f":
        text = np.full(len(values), "", dtype=object)
        present = values.notna().to_numpy()
        text[present] = values[present].astype(str).to_numpy()
        return text.tolist()
    codes, uniques = pd.factorize(values)  # a missing value gets code -1: the "" appended last
    formatted = [_csv_quoted(str(value)) for value in uniques]
    return np.array([*formatted, ""], dtype=object)[codes].tolist()


def _csv_quoted(value: str) -> str:
    if any(special in value for special in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value
