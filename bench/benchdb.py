"""Shared set-up for the benchmarks: Django on a database of its own, `personastudio_bench`, created
and migrated on first use, so a benchmark never touches the product's data.

    from benchdb import bench_django
    bench_django()            # before importing any model
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "personastudio_bench"


def bench_django(database: str | None = None) -> None:
    """Django set up on `database` (default BENCH_DATABASE), created and migrated if need be; and
    this process set up as a worker is, since the benchmarks run the jobs in it."""
    database = database or BENCH_DATABASE
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/personastudio")
    server = database_url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    from config.memory import freed_memory_kept

    freed_memory_kept()
    _database_create(server, database)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _database_create(server_url: str, database: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{server_url}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()


@contextmanager
def timed(label: str, results: dict[str, float]):
    """Measure a block's wall time into results[label] and print it."""
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started
    print(f"  {label}: {results[label]:.2f} s", flush=True)


def demo_company_ensure(*, profiles: int, events: int, seed: int = 7, refill: bool = False) -> None:
    """The demo company at this size in the benchmark database, generated only when what is there
    differs (or `refill`); statistics fresh, as autovacuum would leave them."""
    from django.db import connection

    from segments.models import DataSource
    from segments.selectors import table_row_counts
    from segments.services.demo_data import demo_data_generate

    counts = table_row_counts()
    sized = counts.get("segments_profile") == profiles and counts.get("segments_event") == events
    if sized and not refill and DataSource.objects.filter(name__startswith="Demo · ").exists():
        return
    print(f"filling the benchmark database: {profiles:,} profiles, {events:,} events...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # the benchmark's own database: start from nothing
        audience_truncate(cursor)
    demo_data_generate(profiles=profiles, events=events, seed=seed, replace=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)


# Tables whose references triggers check instead of foreign keys (segments migrations 0009, 0010 and
# 0012): TRUNCATE ... CASCADE does not reach them from the sources, so a fresh start names them.
TRIGGER_CHECKED_TABLES = (
    "segments_profile",
    "segments_identity",
    "segments_consent",
    "segments_event",
    "segments_segmentmembership",
)


def audience_truncate(cursor, *more_tables: str) -> None:
    """Empty every source and all that hangs from it (and `more_tables`), in one TRUNCATE."""
    tables = ("segments_datasource", "segments_featurerun", *TRIGGER_CHECKED_TABLES, *more_tables)
    cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
