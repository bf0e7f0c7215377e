"""Benchmark: exporting a segment's members for activation against a raw COPY of the same members.

    .venv/bin/python bench/segment_export.py                              # 1,000,000 profiles
    .venv/bin/python bench/segment_export.py --profiles 100000 --events 1000000 --repeat 3

The demo company fills the benchmark database (kept between runs). A segment of every canonical
profile (the largest export there can be) is written as one version; then `segment_export` (consent
checked per member at this moment, email and phone looked up across merged profiles, CSV by COPY, an
audit entry) is timed against a bare `COPY` of the same version's members joined to their profiles,
with no consent or identity lookups. Best of --repeat, alternated, after a warm-up.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchdb  # noqa: E402

RAW_SQL = """
COPY (SELECT p.id, p.external_id, p.first_name, p.last_name, p.country, m.confidence
      FROM segments_segmentmembership m JOIN segments_profile p ON p.id = m.profile_id
      WHERE m.version_id = {version} ORDER BY m.profile_id) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=None, help="default: 10 per profile")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database", default=benchdb.BENCH_DATABASE)
    arguments = parser.parse_args()
    benchdb.bench_django(arguments.database)
    benchdb.demo_company_ensure(
        profiles=arguments.profiles, events=arguments.events or arguments.profiles * 10, seed=arguments.seed
    )
    segment = _everyone_segment()
    print(f"segment of {segment.current_version.size:,} members")
    _export(segment)
    _raw(segment)  # warm-up of each
    exports, raws = [], []
    for _ in range(arguments.repeat):
        exports.append(_timed(lambda: _export(segment)))
        raws.append(_timed(lambda: _raw(segment)))
    exported, raw = min(exports), min(raws)
    rows = _export(segment)
    print(f"segment_export (consenting members, contacts): {exported:7.2f} s  {rows:,} rows")
    print(
        f"raw COPY of the members joined to profiles:    {raw:7.2f} s  {segment.current_version.size:,} rows"
    )
    print(f"ratio export / raw COPY:                       {exported / raw:7.2f}")
    print(f"rows per second exported:                      {segment.current_version.size / exported:,.0f}")


def _everyone_segment():
    import numpy as np

    from governance.models import User
    from segments.models import Profile, Segment
    from segments.services.segment_versions import NewVersion, segment_versions_write

    owner, _ = User.objects.get_or_create(username="bench-manager")
    segment, created = Segment.objects.get_or_create(name="Everyone (bench)", kind="rule", owner=owner)
    canonical = Profile.objects.filter(merged_into=None).count()
    if created or segment.current_version is None or segment.current_version.size != canonical:
        ids = np.fromiter(
            Profile.objects.filter(merged_into=None).values_list("id", flat=True), dtype=np.int64
        )
        segment_versions_write(
            versions=[NewVersion(segment=segment, profile_ids=ids, confidences=np.ones(len(ids)))]
        )
    return Segment.objects.select_related("current_version").get(id=segment.id)


def _export(segment) -> int:
    from django.contrib.auth.models import Permission

    from governance.models import User
    from segments.services.segment_export import segment_export

    user = User.objects.get(username="bench-manager")
    user.user_permissions.add(Permission.objects.get(codename="export_profile"))
    user.user_permissions.add(Permission.objects.get(codename="view_segment"))
    user = User.objects.get(id=user.id)  # permissions are cached per instance
    with segment_export(segment=segment, actor=user, purpose="marketing") as export:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: export.read(1 << 20), b"")) - 1


def _raw(segment) -> None:
    import io

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(RAW_SQL.format(version=segment.current_version_id), io.BytesIO())


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
