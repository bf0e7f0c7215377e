"""Benchmark: a full re-clustering by the product's job against a minimal hand-written pipeline.

    .venv/bin/python bench/clustering.py                         # 1,000,000 profiles
    .venv/bin/python bench/clustering.py --profiles 100000 --repeat 3

Runs against its own database (personastudio_bench_clustering unless --database), created, migrated
and filled on first use with the rule benchmark's synthetic profiles, features and consents (no
events: clustering reads only features; bench/rule_segment_data.py). Twelve features, k = 6,
n_init 3, seed 0.

1. The product: clustering_run_execute, everything a re-clustering does: COPY the features out (two
   COPYs at once), fit (segments.ml.clustering.fit_segments, with confidences, plots, quality,
   bootstrap stability), the segment cards, matching to the previous run's segments and the ARI
   against it, then in one transaction COPY every membership into new versions, switch them, record
   the run and its alerts. A first run is untimed, so every timed run has a previous one; after each
   run the versions of the runs before it are deleted (untimed), as the table would hold them once.
2. The baseline: COPY the same columns out (binary), log1p and standard scaling, the faster of
   KMeans and MiniBatchKMeans (same k, seed and n_init; each on one thread and on every core), and
   COPY the labels into a plain table.
3. The product with k chosen in 2..12.

Each figure is the best of --repeat runs, alternated.
"""

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402

FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "clv_estimate",
    "events_total",
    "events_30d",
    "weighted_engagement",
    "engagement_rate",
    "decayed_activity",
    "posting_per_week",
    "bot_score",
    "sentiment",
)
LOGGED = {"recency_days", "frequency", "monetary", "clv_estimate", "events_total", "events_30d"}
LOGGED |= {"weighted_engagement", "engagement_rate", "decayed_activity", "posting_per_week"}
K = 6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each")
    parser.add_argument("--database", default="personastudio_bench_clustering")
    parser.add_argument("--refill", action="store_true", help="regenerate the data even if its size fits")
    arguments = parser.parse_args()
    benchdb.bench_django(arguments.database)

    from bench.rule_segment_data import rule_bench_fill_if_needed

    rule_bench_fill_if_needed(
        profiles=arguments.profiles, events=0, seed=arguments.seed, refill=arguments.refill
    )
    segmentation = _segmentation(k=K)
    _product(segmentation)  # the previous run the first timed run compares with
    product, baseline = [], []
    for _ in range(arguments.repeat):
        product.append(_product(segmentation))
        baseline.append(_baseline())
    best_baseline = min(min(times.values()) for times in baseline)
    fastest = min(((name, times[name]) for times in baseline for name in times), key=lambda pair: pair[1])
    print(f"profiles: {arguments.profiles:,}; k = {K}; best of {arguments.repeat}")
    print(f"  product, full re-clustering:          {min(product):7.2f} s")
    for name in baseline[0]:
        print(f"  baseline, {name:<28} {min(times[name] for times in baseline):7.2f} s")
    print(f"  ratio product / fastest baseline ({fastest[0]}): {min(product) / best_baseline:.2f}")
    chosen = _segmentation(k=None)
    choosing = [_product(chosen) for _ in range(arguments.repeat)]
    print(f"  product, k chosen in 2..12:           {min(choosing):7.2f} s")


def _segmentation(*, k: int | None):
    from governance.models import User
    from segments.ml.clustering_config import ClusteringConfig
    from segments.models import Segmentation

    owner, _ = User.objects.get_or_create(username="bench")
    config = ClusteringConfig(
        features=FEATURES, preset=None, k=k, k_min=2, k_max=12, n_init=3, random_state=0
    )
    segmentation, _ = Segmentation.objects.update_or_create(
        name=f"Bench k={k or '2..12'}", defaults={"owner": owner, "config": config.to_dict()}
    )
    return segmentation


def _product(segmentation) -> float:
    from segments.models import ClusteringRun
    from segments.services.clustering_runs import clustering_run_execute

    run = ClusteringRun.objects.create(segmentation=segmentation, config=segmentation.config)
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()
    clustering_run_execute(
        run_id=run.id, progress=lambda percent, message="": stages.append((message, time.perf_counter()))
    )
    finished = time.perf_counter()
    # The job's progress messages mark its stages: each lasts until the next message.
    ends = [moment for _, moment in stages[1:]] + [finished]
    steps = ", ".join(
        f"{message.split(' ')[0].lower()} {end - moment:.1f}"
        for (message, moment), end in zip(stages, ends, strict=True)
    )
    print(f"    product run: {finished - started:.2f} s ({steps})", flush=True)
    _older_runs_delete(segmentation)
    return finished - started


def _older_runs_delete(segmentation) -> None:
    """Keep only the current run's versions (the next run's previous one), so the table stays at one
    audience's memberships; by SQL, as the ORM would load a million memberships to cascade."""
    from django.db import connection

    older = "SELECT id FROM segments_clusteringrun WHERE segmentation_id = %s AND id <> %s"
    params = [segmentation.id, segmentation.__class__.objects.get(id=segmentation.id).current_run_id]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM segments_segmentmembership WHERE version_id IN "
            f"(SELECT id FROM segments_segmentversion WHERE run_id IN ({older}))",
            params,
        )
        cursor.execute(f"DELETE FROM segments_segmentversion WHERE run_id IN ({older})", params)
    _vacuum()


def _vacuum() -> None:
    """Rolled-back runs leave dead rows and index entries behind; clear them, as autovacuum would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE segments_segmentmembership, segments_segmentversion")


def _baseline() -> dict[str, float]:
    """The least a re-clustering must do, written by hand, once per way of fitting."""
    import numpy as np
    from django.db import connection, transaction
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from threadpoolctl import threadpool_limits

    from segments.services.copy_out import copy_out, parse_fixed

    columns = ", ".join(f"COALESCE(f.{name}::float8, 'NaN')" for name in FEATURES)
    sql = (
        f"SELECT f.profile_id, {columns} FROM segments_profilefeatures f "
        "JOIN segments_profile p ON p.id = f.profile_id WHERE p.merged_into_id IS NULL AND NOT f.is_bot"
    )
    fits = {
        "KMeans, 1 thread": (KMeans, 1),
        "KMeans, every core": (KMeans, None),
        "MiniBatchKMeans, 1 thread": (MiniBatchKMeans, 1),
        "MiniBatchKMeans, every core": (MiniBatchKMeans, None),
    }
    times = {}
    for name, (model, threads) in fits.items():
        started = time.perf_counter()
        records = parse_fixed(copy_out(sql), [("id", ">i8"), *((feature, ">f8") for feature in FEATURES)])
        matrix = np.column_stack([records[feature].astype(np.float64) for feature in FEATURES])
        matrix = np.where(np.isnan(matrix), np.nanmedian(matrix, axis=0), matrix)
        logged = [position for position, feature in enumerate(FEATURES) if feature in LOGGED]
        matrix[:, logged] = np.log1p(np.clip(matrix[:, logged], 0, None))
        spread = matrix.std(axis=0)
        matrix = (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1)
        with threadpool_limits(threads):
            labels = model(n_clusters=K, n_init=3, random_state=0).fit_predict(matrix)
        buffer = io.StringIO()
        np.savetxt(buffer, np.column_stack([records["id"].astype(np.int64), labels]), fmt="%d", delimiter=",")
        buffer.seek(0)
        # Committed, as the product's memberships are.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_labels (profile_id bigint, label smallint)")
            cursor.execute("TRUNCATE bench_labels")
            cursor.cursor.copy_expert("COPY bench_labels FROM STDIN WITH (FORMAT csv)", buffer)
        times[name] = time.perf_counter() - started
    print("    baseline: " + ", ".join(f"{name} {took:.2f} s" for name, took in times.items()), flush=True)
    return times


if __name__ == "__main__":
    main()
