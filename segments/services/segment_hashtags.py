"""The hashtags a segment's members use most in their comments, for the segment's card: the share of
members (on a sample of at most SAMPLE of them, the same people each time) who used each tag lately.

A written version's members are sampled in the database; a clustering's groups, whose members are
already in memory, are sampled here before their versions are written."""

import numpy as np
from django.db import connection

SAMPLE = 20_000
RECENT_DAYS = 180

SAMPLED_FROM_VERSIONS = """
    SELECT version_id AS group_key, profile_id FROM (
        SELECT version_id, profile_id,
               row_number() OVER (PARTITION BY version_id ORDER BY hashint8(profile_id), profile_id) AS n
        FROM segments_segmentmembership WHERE version_id = ANY(%(versions)s)
    ) numbered WHERE n <= %(sample)s
"""
SAMPLED_FROM_GROUPS = """
    SELECT * FROM unnest(%(groups)s::bigint[], %(profiles)s::bigint[]) AS sampled(group_key, profile_id)
"""
TOP_HASHTAGS_SQL = """
WITH sampled AS ({sampled}), counted AS (
    SELECT group_key, count(*) AS people FROM sampled GROUP BY group_key
), profiles AS (  -- each person's own profile and the profiles merged into it
    SELECT group_key, profile_id AS person, profile_id FROM sampled
    UNION ALL
    SELECT s.group_key, s.profile_id, p.id
    FROM sampled s JOIN segments_profile p ON p.merged_into_id = s.profile_id
), tags AS (
    SELECT profiles.group_key, lower(tag[1]) AS tag, count(DISTINCT profiles.person) AS people
    FROM profiles
    JOIN segments_event e ON e.profile_id = profiles.profile_id
    CROSS JOIN LATERAL regexp_matches(e.text, '#([[:alnum:]_]+)', 'g') AS tag
    WHERE e.event_type = 'comment' AND strpos(e.text, '#') > 0
      AND e.occurred_at >= now() - make_interval(days => %(days)s)
    GROUP BY 1, 2
), ranked AS (
    SELECT tags.*, row_number() OVER (PARTITION BY group_key ORDER BY people DESC, tag) AS rank FROM tags
)
SELECT ranked.group_key, ranked.tag, ranked.people::float / counted.people
FROM ranked JOIN counted USING (group_key)
WHERE rank <= %(limit)s
ORDER BY ranked.group_key, rank
"""


def top_hashtags(*, version_ids: list[int], limit: int = 8) -> dict[int, list[dict]]:
    """{version id: [{"topic": tag, "share": share of members}, ...]}, most used first."""
    return _top_hashtags(
        SAMPLED_FROM_VERSIONS,
        {"versions": list(version_ids), "sample": SAMPLE},
        keys=version_ids,
        limit=limit,
    )


def top_hashtags_of_groups(*, groups: dict[int, np.ndarray], limit: int = 8) -> dict[int, list[dict]]:
    """The same for groups of profile ids not written yet: {group: [...]}."""
    samples = {group: _sample(np.asarray(ids, dtype=np.int64)) for group, ids in groups.items()}
    # As array literals: PostgreSQL reads '{1,2,...}' far faster than the ARRAY[1, 2, ...] expression
    # psycopg2 would make of a list of 100,000 numbers.
    params = {
        "groups": _array_literal(np.repeat(list(samples), [len(ids) for ids in samples.values()])),
        "profiles": _array_literal(np.concatenate([np.zeros(0, np.int64), *samples.values()])),
    }
    return _top_hashtags(SAMPLED_FROM_GROUPS, params, keys=list(groups), limit=limit)


def _array_literal(values: np.ndarray) -> str:
    return "{" + ",".join(map(str, values.tolist())) + "}"


def _sample(ids: np.ndarray) -> np.ndarray:
    """At most SAMPLE ids, the same ones each time: the lowest by a multiplicative hash of the id."""
    if len(ids) <= SAMPLE:
        return ids
    scrambled = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # wraps around, as intended
    return ids[np.argpartition(scrambled, SAMPLE)[:SAMPLE]]


def _top_hashtags(sampled: str, params: dict, *, keys: list[int], limit: int) -> dict[int, list[dict]]:
    tags: dict[int, list[dict]] = {key: [] for key in keys}
    if not keys:
        return tags
    with connection.cursor() as cursor:
        cursor.execute(
            TOP_HASHTAGS_SQL.format(sampled=sampled), params | {"days": RECENT_DAYS, "limit": limit}
        )
        for key, tag, share in cursor.fetchall():
            tags[key].append({"topic": tag, "share": round(share, 4)})
    return tags
