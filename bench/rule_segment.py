"""Benchmark: a rule segment compiled by segments.rules against the same selection written by hand.

    .venv/bin/python bench/rule_segment.py                       # 1,000,000 profiles, 10,000,000 events
    .venv/bin/python bench/rule_segment.py --profiles 100000 --events 1000000 --repeat 9

The rule is the realistic one: RFM group Champions or Loyal, AND marketing consent, AND at least 3
Instagram comments in the last 30 days. Runs against its own database (personastudio_bench_rules
unless --database), created, migrated and filled on first use with simple synthetic rows by COPY
(bench/rule_segment_data.py); kept between runs and refilled only when its size differs. Each figure
is the median of --repeat runs, alternated, after a warm-up of each.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402

from segments.consent_sql import consenting_people_sql  # noqa: E402

RULE = {
    "op": "and",
    "rules": [
        {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
        {"field": "consent", "operator": "granted", "value": "marketing"},
        {
            "field": "events",
            "event_type": "comment",
            "platform": "instagram",
            "operator": ">=",
            "value": 3,
            "within_days": 30,
        },
    ],
}
# A rule the indexes cannot narrow, for the live preview's worst case: every profile and its features
# are read, and the events of a whole week counted.
BROAD_RULE = {
    "op": "or",
    "rules": [
        {"field": "city", "operator": "=", "value": "London"},
        {"field": "age", "operator": "between", "value": [25, 34]},
        {"field": "events", "operator": ">=", "value": 2, "within_days": 7},
    ],
}
# The same people written by hand, straightforwardly: canonical profiles that are not bots, their
# merged profiles' comments counted with theirs, their latest word on marketing taken over all their
# profiles.
HAND_WRITTEN = """
SELECT p.id
FROM segments_profile p
JOIN segments_profilefeatures f ON f.profile_id = p.id
WHERE p.merged_into_id IS NULL
  AND NOT f.is_bot
  AND f.rfm_group IN ('Champions', 'Loyal')
  AND p.id IN (SELECT person FROM (
                   SELECT DISTINCT ON (COALESCE(o.merged_into_id, o.id))
                          COALESCE(o.merged_into_id, o.id) AS person, c.granted, c.expires_at
                   FROM segments_consent c JOIN segments_profile o ON o.id = c.profile_id
                   WHERE c.purpose = 'marketing'
                   ORDER BY 1, c.recorded_at DESC, c.granted) latest
               WHERE granted AND (expires_at IS NULL OR expires_at > now()))
  AND p.id IN (SELECT COALESCE(ep.merged_into_id, ep.id)
               FROM segments_event e JOIN segments_profile ep ON ep.id = e.profile_id
               WHERE e.event_type = 'comment' AND e.platform = 'instagram'
                 AND e.occurred_at >= now() - interval '30 days'
               GROUP BY 1 HAVING count(*) >= 3)
"""
# ...and tuned as the compiler does it: comments counted per profile first, and only merged profiles
# (a partial index holds them) looked up to move their counts and their consent to their person.
HAND_TUNED = f"""
SELECT p.id
FROM segments_profile p
JOIN segments_profilefeatures f ON f.profile_id = p.id
JOIN (SELECT COALESCE(ep.merged_into_id, counted.profile_id) AS id
      FROM (SELECT profile_id, count(*) AS comments FROM segments_event
            WHERE event_type = 'comment' AND platform = 'instagram'
              AND occurred_at >= now() - interval '30 days'
            GROUP BY profile_id) counted
      LEFT JOIN segments_profile ep ON ep.id = counted.profile_id AND ep.merged_into_id IS NOT NULL
      GROUP BY 1 HAVING sum(comments) >= 3) commenters ON commenters.id = p.id
WHERE p.merged_into_id IS NULL
  AND NOT f.is_bot
  AND f.rfm_group IN ('Champions', 'Loyal')
  AND p.id IN ({consenting_people_sql("'marketing'")})
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each, after a warm-up")
    parser.add_argument("--database", default="personastudio_bench_rules")
    parser.add_argument("--refill", action="store_true", help="regenerate the data even if its size fits")
    arguments = parser.parse_args()
    benchdb.bench_django(arguments.database)

    from bench.rule_segment_data import rule_bench_fill_if_needed

    rule_bench_fill_if_needed(
        profiles=arguments.profiles, events=arguments.events, seed=arguments.seed, refill=arguments.refill
    )
    members = {name: _members(sql) for name, sql in (("plain", HAND_WRITTEN), ("tuned", HAND_TUNED))}
    members["compiled"] = _members_compiled()
    if len({frozenset(ids) for ids in members.values()}) != 1:
        raise SystemExit("different members: " + ", ".join(f"{k} {len(v):,}" for k, v in members.items()))
    size = len(members["plain"])
    print(f"data: {arguments.profiles:,} profiles, {arguments.events:,} events; members: {size:,}")

    runs = {
        "hand-written SQL, plain": lambda: _members(HAND_WRITTEN),
        "hand-written SQL, tuned": lambda: _members(HAND_TUNED),
        "rule: compile + run": _members_compiled,
        "hand-written count(*), tuned": lambda: _count(HAND_TUNED),
        "preview (rule_segment_preview)": _preview,
        "preview of a broad OR rule": lambda: _preview(BROAD_RULE),
    }
    for work in runs.values():  # warm-up: caches, plans
        work()
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(arguments.repeat):  # alternated, so a busy moment of the machine hits every figure
        for name, work in runs.items():
            timings[name].append(_timed(work))
    median = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"median of {arguments.repeat} runs each (ms):")
    for name, value in median.items():
        print(f"  {name:<40} {value:9.1f}")
    compiled = median["rule: compile + run"]
    print(f"ratio compiled / hand-written, tuned:     {compiled / median['hand-written SQL, tuned']:9.2f}")
    print(f"ratio compiled / hand-written, plain:     {compiled / median['hand-written SQL, plain']:9.2f}")
    preview = median["preview (rule_segment_preview)"] / median["hand-written count(*), tuned"]
    print(f"ratio preview / hand-written count(*):    {preview:9.2f}")
    _refresh_once()


def _members_compiled() -> set[int]:
    from django.db import connection

    from segments.rules.compiler import compile_definition

    compiled = compile_definition(RULE)
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        return {row[0] for row in cursor.fetchall()}


def _members(sql: str) -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def _count(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS member")
        return cursor.fetchone()[0]


def _preview(definition: dict = RULE) -> int:
    from segments.services.rule_segments import rule_segment_preview

    return rule_segment_preview(definition=definition, actor=None)


def _refresh_once() -> None:
    """For scale: one whole refresh (members inserted into a new version, switched), rolled back."""
    from django.db import transaction

    from governance.models import User
    from segments.models import Segment
    from segments.services.rule_segment_refresh import rule_segment_refresh

    with transaction.atomic():
        owner, _ = User.objects.get_or_create(username="bench")
        segment = Segment.objects.create(name="Bench rule", kind="rule", owner=owner, definition=RULE)
        started = time.perf_counter()
        version = rule_segment_refresh(segment_id=segment.id)
        took = time.perf_counter() - started
        transaction.set_rollback(True)
    print(f"one refresh (version of {version.size:,} members written and switched): {took * 1000:9.1f} ms")


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
