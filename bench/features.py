"""Benchmark: the feature job against one hand-written set-based GROUP BY of the core features.

    .venv/bin/python bench/features.py                      # 1,000,000 profiles, 10,000,000 events
    .venv/bin/python bench/features.py --profiles 100000 --events 1000000 --repeat 3

Runs against its own database (personastudio_bench unless --database), created, migrated and filled
on first use: by the demo generator when it is installed, else by bench/synthetic_audience.py. The
data is kept between runs and refilled only when its size differs from the one asked for. Both
timings are taken in this process, each the best of --repeat runs (alternated) after a warm-up of each.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402

CORE_FEATURES_SQL = """
    SELECT COALESCE(p.merged_into_id, p.id) AS profile_id,
           EXTRACT(EPOCH FROM now() - max(e.occurred_at) FILTER (WHERE e.event_type = 'purchase')) / 86400
               AS recency_days,
           count(*) FILTER (WHERE e.event_type = 'purchase') AS frequency,
           COALESCE(sum(e.amount) FILTER (WHERE e.event_type = 'purchase'), 0) AS monetary,
           count(*) AS events_total,
           count(*) FILTER (WHERE e.occurred_at >= now() - interval '30 days') AS events_30d,
           COALESCE(sum(w.weight), 0) AS weighted_engagement
    FROM segments_event e
    JOIN segments_profile p ON p.id = e.profile_id
    LEFT JOIN (SELECT key AS event_type, value::float8 AS weight FROM jsonb_each_text(%s::jsonb)) w
           ON w.event_type = e.event_type
    GROUP BY 1
"""
BASELINE_SQL = f"COPY ({CORE_FEATURES_SQL}) TO STDOUT"
# The same GROUP BY written the plain SQL way, for scale: the feature job writes every row too.
WRITTEN_SQL = f"""
INSERT INTO segments_profilefeatures (
    profile_id, recency_days, frequency, monetary, events_total, events_30d, weighted_engagement,
    computed_at, rfm_group, engagement_rate, decayed_activity, posting_per_week, top_format,
    channel_shares, format_shares, clv_estimate, interests, bot_score, is_bot)
SELECT core.*, now(), '', 0, 0, 0, '', '{{}}', '{{}}', 0, '{{}}', 0, false FROM ({CORE_FEATURES_SQL}) core
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each, after a warm-up")
    parser.add_argument("--database", default="personastudio_bench")
    parser.add_argument("--refill", action="store_true", help="regenerate the data even if its size fits")
    parser.add_argument(
        "--data",
        choices=["demo", "synthetic"],
        default="demo",
        help="the demo company (segments.services.demo_data), or bench/synthetic_audience.py: many "
        "distinct comments and clockwork bots",
    )
    arguments = parser.parse_args()
    benchdb.bench_django(arguments.database)

    from django.db import connection

    _fill_if_needed(arguments.data, arguments.profiles, arguments.events, arguments.seed, arguments.refill)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM segments_profile WHERE merged_into_id IS NULL")
        canonical = cursor.fetchone()[0]
    print(f"data: {arguments.profiles:,} profiles ({canonical:,} canonical), {arguments.events:,} events")
    stages = _Stages()
    _baseline()  # warm-up of each: caches, JIT, the first run's table
    _features(stages)
    baseline, written, features = [], [], []
    for _ in range(arguments.repeat):  # alternated, so a busy moment of the machine hits all three
        baseline.append(_timed(_baseline))
        written.append(_timed(_baseline_written))
        features.append(_timed(lambda: _features(stages)))
    baseline, written, features = min(baseline), min(written), min(features)
    print(f"hand-written GROUP BY of the core features: {baseline:8.2f} s")
    print(f"  the same, inserted into the features table: {written:6.2f} s (rolled back)")
    print(f"features_compute (every feature, written):  {features:8.2f} s")
    print(f"ratio features / baseline:                  {features / baseline:8.2f}")
    print(f"ratio features / baseline inserted:         {features / written:8.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak memory of this process:                {peak:8.2f} GB")
    print("stages of the last features_compute:")
    for message, seconds in stages.seconds.items():
        print(f"  {message:<45} {seconds:6.2f} s")


def _fill_if_needed(kind: str, profiles: int, events: int, seed: int, refill: bool) -> None:
    if kind == "demo":
        benchdb.demo_company_ensure(profiles=profiles, events=events, seed=seed, refill=refill)
        return
    from django.db import connection, transaction

    from bench.synthetic_audience import synthetic_audience_fill
    from segments.models import DataSource
    from segments.selectors import table_row_counts

    counts = table_row_counts()
    sized = counts.get("segments_profile") == profiles and counts.get("segments_event") == events
    if sized and not refill and DataSource.objects.filter(name__startswith="Bench ").exists():
        return
    print(
        f"filling the benchmark database (synthetic): {profiles:,} profiles, {events:,} events...", flush=True
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:  # the benchmark's own database: start from nothing
        benchdb.audience_truncate(cursor)
    with transaction.atomic():
        synthetic_audience_fill(connection=connection, profiles=profiles, events=events, seed=seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: hint bits set, statistics fresh
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)


def _baseline() -> None:
    import io
    import json

    from django.db import connection

    from segments.services.features import feature_config_current

    weights = json.dumps(feature_config_current().engagement_weights)
    with connection.cursor() as cursor:
        query = cursor.mogrify(BASELINE_SQL, [weights]).decode()
        cursor.cursor.copy_expert(query, io.StringIO())


def _baseline_written() -> None:
    import json

    from django.db import connection, transaction

    from segments.services.features import feature_config_current

    weights = json.dumps(feature_config_current().engagement_weights)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE segments_profilefeatures")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the key checked as rows go in, not skipped
        cursor.execute(WRITTEN_SQL, [weights])
        transaction.set_rollback(True)


class _Stages:
    """A stand-in for the job's reporter: how long each stage of a run took."""

    job = None

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stage, self._since = "", 0.0

    def progress(self, percent: float, message: str = "") -> None:
        self._close()
        self._stage, self._since = message, time.perf_counter()

    def _close(self) -> None:
        if self._stage:
            self.seconds[self._stage] = time.perf_counter() - self._since
            self._stage = ""


def _features(stages: _Stages) -> None:
    from segments.services.features import features_compute

    stages.seconds.clear()
    features_compute(reporter=stages)
    stages.progress(100, "")  # closes the last stage (the write and commit)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
