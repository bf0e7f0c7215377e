"""The hashtags a segment's members use most in their comments, for the segment's card: the share of
members (on a sample of at most SAMPLE of them, the same people each time) who used each tag lately."""

from django.db import connection

SAMPLE = 20_000
RECENT_DAYS = 180

TOP_HASHTAGS_SQL = """
WITH sampled AS (
    SELECT version_id, profile_id FROM (
        SELECT version_id, profile_id,
               row_number() OVER (PARTITION BY version_id ORDER BY hashint8(profile_id), profile_id) AS n
        FROM segments_segmentmembership WHERE version_id = ANY(%(versions)s)
    ) numbered WHERE n <= %(sample)s
), counted AS (
    SELECT version_id, count(*) AS people FROM sampled GROUP BY version_id
), profiles AS (  -- each person's own profile and the profiles merged into it
    SELECT version_id, profile_id AS person, profile_id FROM sampled
    UNION ALL
    SELECT s.version_id, s.profile_id, p.id
    FROM sampled s JOIN segments_profile p ON p.merged_into_id = s.profile_id
), tags AS (
    SELECT profiles.version_id, lower(tag[1]) AS tag, count(DISTINCT profiles.person) AS people
    FROM profiles
    JOIN segments_event e ON e.profile_id = profiles.profile_id
    CROSS JOIN LATERAL regexp_matches(e.text, '#([[:alnum:]_]+)', 'g') AS tag
    WHERE e.event_type = 'comment' AND strpos(e.text, '#') > 0
      AND e.occurred_at >= now() - make_interval(days => %(days)s)
    GROUP BY 1, 2
), ranked AS (
    SELECT tags.*, row_number() OVER (PARTITION BY version_id ORDER BY people DESC, tag) AS rank FROM tags
)
SELECT ranked.version_id, ranked.tag, ranked.people::float / counted.people
FROM ranked JOIN counted USING (version_id)
WHERE rank <= %(limit)s
ORDER BY ranked.version_id, rank
"""


def top_hashtags(*, version_ids: list[int], limit: int = 8) -> dict[int, list[dict]]:
    """{version id: [{"topic": tag, "share": share of members}, ...]}, most used first."""
    tags: dict[int, list[dict]] = {version_id: [] for version_id in version_ids}
    if not version_ids:
        return tags
    with connection.cursor() as cursor:
        cursor.execute(
            TOP_HASHTAGS_SQL,
            {"versions": list(version_ids), "sample": SAMPLE, "days": RECENT_DAYS, "limit": limit},
        )
        for version_id, tag, share in cursor.fetchall():
            tags[version_id].append({"topic": tag, "share": round(share, 4)})
    return tags
