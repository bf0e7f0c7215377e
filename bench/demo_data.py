"""How fast the demo company is written, against raw COPY of the same rows into plain tables.

    .venv/bin/python bench/demo_data.py --profiles 1000000 --events 10000000

The product run is demo_data_generate(replace=True): generation, CSV and COPY into the real tables
with their foreign keys and count triggers, in one transaction. The baseline then records the same
CSV (same generator, seed and sizes) to files, untimed, and times only COPY of those files into
tables with the same columns and indexes but no foreign keys or triggers.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb

TABLES = ("segments_profile", "segments_identity", "segments_consent", "segments_event")


class CopyRecorder:
    """Stands in for a cursor: keeps each COPY's statement and data in a file instead of sending it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.copies: list[tuple[str, Path]] = []

    def copy_expert(self, sql: str, file, size: int = 8192) -> None:
        path = self.directory / f"{len(self.copies):04d}.csv"
        with path.open("wb") as out:
            shutil.copyfileobj(file, out)
        self.copies.append((sql, path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default=benchdb.BENCH_DATABASE)
    args = parser.parse_args()
    benchdb.bench_django(args.database)

    print(f"Demo company: {args.profiles:,} profiles, {args.events:,} events (database {args.database})")
    product = product_run(profiles=args.profiles, events=args.events, seed=args.seed)
    baseline = baseline_run(profiles=args.profiles, events=args.events, seed=args.seed)
    print()
    print(
        f"product  demo_data_generate: {product:8.2f} s   {args.profiles / product:>10,.0f} profiles/s"
        f"   {args.events / product:>10,.0f} events/s"
    )
    print(
        f"baseline raw COPY only:      {baseline:8.2f} s   {args.profiles / baseline:>10,.0f} profiles/s"
        f"   {args.events / baseline:>10,.0f} events/s"
    )
    print(f"ratio product / baseline:    {product / baseline:8.2f}")


def product_run(*, profiles: int, events: int, seed: int) -> float:
    """Seconds for demo_data_generate, not counting the removal of a previous demo company."""
    from segments.services.demo_data import demo_data_generate

    marks: dict[str, float] = {}

    def progress(percent: float, message: str) -> None:
        if message.startswith("Inventing"):
            marks["removed"] = time.perf_counter()
        print(f"  {percent:5.1f}%  {message}", flush=True)

    started = time.perf_counter()
    result = demo_data_generate(profiles=profiles, events=events, seed=seed, replace=True, progress=progress)
    finished = time.perf_counter()
    removing = marks.get("removed", started) - started
    print(f"  written: {result}; {removing:.1f} s of it removing the previous demo company")
    return finished - started - removing


def baseline_run(*, profiles: int, events: int, seed: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from segments.ml.synthetic import DemoCompanyConfig
    from segments.models import DataSource
    from segments.services.demo_data import DEMO_SOURCES, demo_company_copy

    config = DemoCompanyConfig(profiles=profiles, events=events, seed=seed, as_of=timezone.now())
    sources = DataSource.objects.filter(name__in=[name for name, _, _ in DEMO_SOURCES.values()])
    ids_by_name = dict(sources.values_list("name", "id"))
    source_ids = {key: ids_by_name[name] for key, (name, _, _) in DEMO_SOURCES.items()}
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as directory:
        recorder = CopyRecorder(Path(directory))
        print("  baseline: recording the same rows as CSV files (not timed)", flush=True)
        demo_company_copy(
            cursor=recorder, config=config, first_id=1, source_ids=source_ids, report=lambda p, m: None
        )
        with transaction.atomic(), connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            for sql, path in recorder.copies:
                with path.open("rb") as data:
                    cursor.copy_expert(
                        sql.replace("COPY segments_", "COPY bench_segments_", 1), data, size=1 << 20
                    )
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)  # the tables and their rows go again
    print(f"  baseline COPY: {seconds:.2f} s", flush=True)
    return seconds


if __name__ == "__main__":
    main()
