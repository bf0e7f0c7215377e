"""What a segment's members look like, computed inside PostgreSQL over their per-profile features.

The members are read once into a temporary table with their features and profile facts; every figure
is an aggregate over it, and only aggregates and at most a hundred candidate comments travel to
Python. A segment larger than SAMPLE_SIZE is read through a uniform hash sample of its members, so
a 500,000-member segment drafts in seconds; the figures then say they are estimates and from what."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from personas.drafting import CandidateComment, SegmentEvidence
from personas.sampling import SAMPLE_SIZE, sample_clause, sample_rate
from segments.models import Segment
from segments.selectors import consenting_profiles

# Whose words may be offered as quotes: people who agreed to marketing use of their data, checked
# again when a marketer keeps the quote.
QUOTE_CONSENT_PURPOSE = "marketing"
COMMENT_WINDOW_DAYS = 365
CANDIDATE_COMMENTS = 100
TABLE = "persona_evidence_members"
SAMPLED_MEMBER, _ = sample_clause("m.profile_id", 1.0)
SAMPLED_PERSON, _ = sample_clause("p.merged_into_id", 1.0)

# One row per person: a profile merged into another since the version was built counts as the person
# it now belongs to, once (versions are history and keep the profiles they were built from). The
# sample is drawn by person, so a person's profiles are in or out of it together: members not merged
# are sampled before anything is joined; merged ones are few and found through their own index.
MEMBERS_SQL = f"""
    CREATE TEMPORARY TABLE {TABLE} ON COMMIT DROP AS
    SELECT person.id AS person, (f.profile_id IS NOT NULL AND NOT f.is_bot) AS counted,
           f.is_bot, f.monetary, f.clv_estimate, f.events_30d, f.sentiment, f.rfm_group, f.peak_hour,
           f.peak_weekday, f.channel_shares, f.format_shares, f.interests, person.country, person.city,
           person.birth_year
    FROM (
        SELECT m.profile_id AS id
        FROM segments_segmentmembership m JOIN segments_profile p ON p.id = m.profile_id
        WHERE m.version_id = %s AND {SAMPLED_MEMBER} AND p.merged_into_id IS NULL
        UNION
        SELECT p.merged_into_id
        FROM segments_profile p
        JOIN segments_segmentmembership m ON m.version_id = %s AND m.profile_id = p.id
        WHERE p.merged_into_id IS NOT NULL AND {SAMPLED_PERSON}
    ) members
    JOIN segments_profile person ON person.id = members.id
    LEFT JOIN segments_profilefeatures f ON f.profile_id = members.id"""

# The sampled members and the profiles merged into them: a person's comments may sit on an absorbed
# profile. Bots are left out.
PEOPLE = f"""
    WITH people AS (
        SELECT person, person AS profile_id FROM {TABLE} WHERE NOT coalesce(is_bot, false)
        UNION ALL
        SELECT t.person, p.id FROM {TABLE} t JOIN segments_profile p ON p.merged_into_id = t.person
        WHERE NOT coalesce(t.is_bot, false)
    )"""


def segment_evidence(*, segment: Segment, with_comments: bool = True) -> SegmentEvidence:
    """Aggregates over the current version's members (or a uniform sample of them). `with_comments`
    False leaves the members' own words out (a sensitive segment the reader may not see into)."""
    version = segment.current_version
    if version is None:
        raise ValueError("This segment has no members yet.")
    since = timezone.now() - timedelta(days=COMMENT_WINDOW_DAYS)
    rate = sample_rate(people=version.size, wanted=SAMPLE_SIZE)
    _, sample_params = sample_clause("m.profile_id", rate)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(MEMBERS_SQL, [version.id, *sample_params, version.id, *sample_params])
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        sampled = cursor.fetchone()[0]
        members = _people_in(cursor, version) if rate < 1 else int(sampled)
        cursor.execute(
            f"""SELECT count(*), coalesce(sum(monetary), 0), coalesce(avg(monetary), 0),
                coalesce(avg(clv_estimate), 0), coalesce(avg(events_30d), 0), avg(sentiment),
                count(*) FILTER (WHERE sentiment >= 0.05),
                count(*) FILTER (WHERE sentiment > -0.05 AND sentiment < 0.05),
                count(*) FILTER (WHERE sentiment <= -0.05)
            FROM {TABLE} WHERE counted"""
        )
        people, total, mean, clv, events_30d, sentiment, positive, neutral, negative = cursor.fetchone()
        figures = {**_grouped(cursor), **_mixes(cursor, int(people)), **_demographics(cursor)}
        cursor.execute(
            f"""{PEOPLE}
            SELECT lower(tag[1]), count(DISTINCT people.person) FROM people
            JOIN segments_event e ON e.profile_id = people.profile_id
            CROSS JOIN LATERAL regexp_matches(e.text, '#([[:alnum:]_]+)', 'g') AS tag
            WHERE e.event_type = 'comment' AND e.occurred_at >= %s AND strpos(e.text, '#') > 0
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10""",
            [since],
        )
        hashtags = [(tag, int(count)) for tag, count in cursor.fetchall()]
        comments = _candidate_comments(cursor, since, sentiment) if with_comments else []
        cursor.execute(f"DROP TABLE {TABLE}")
    sentiment_counts = {"positive": positive, "neutral": neutral, "negative": negative}
    return SegmentEvidence(
        segment_id=segment.id,
        segment_name=segment.name,
        version_number=version.number,
        members=members,
        sampled=int(sampled),
        with_features=int(people),
        computed_at=timezone.now().isoformat(timespec="seconds"),
        monetary_total=float(total) / rate,
        monetary_mean=float(mean),
        clv_mean=float(clv),
        events_30d_mean=float(events_30d),
        sentiment_mean=None if sentiment is None else float(sentiment),
        sentiment_counts=sentiment_counts if sentiment is not None else {},
        hashtags=hashtags,
        comments=comments,
        quotes_withheld=""
        if with_comments
        else "The members of this sensitive segment are not shared with you.",
        **figures,
    )


def _people_in(cursor, version) -> int:
    """The version's people, exactly: its rows, less those of profiles merged into someone since,
    plus each person those were merged into who is not a row of the version too. Only merged
    profiles are looked at (a partial index holds just them), not every member."""
    cursor.execute(
        """SELECT count(*), count(DISTINCT p.merged_into_id) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM segments_segmentmembership kept
                WHERE kept.version_id = %s AND kept.profile_id = p.merged_into_id))
        FROM segments_profile p
        JOIN segments_segmentmembership m ON m.version_id = %s AND m.profile_id = p.id
        WHERE p.merged_into_id IS NOT NULL""",
        [version.id, version.id],
    )
    merged_rows, their_people = cursor.fetchone()
    return version.size - merged_rows + their_people


def _grouped(cursor) -> dict:
    cursor.execute(
        f"""SELECT rfm_group, peak_hour, peak_weekday, GROUPING(rfm_group), GROUPING(peak_hour), count(*)
        FROM {TABLE} WHERE counted GROUP BY GROUPING SETS ((rfm_group), (peak_hour), (peak_weekday))"""
    )
    rfm, hours, weekdays = {}, {}, {}
    # GROUPING(x) is 0 on the rows grouped by x, 1 on the others.
    for group, hour, weekday, rfm_row, hour_row, count in cursor.fetchall():
        if rfm_row == 0:
            if group:
                rfm[group] = int(count)
        elif hour_row == 0:
            if hour is not None:
                hours[int(hour)] = int(count)
        elif weekday is not None:
            weekdays[int(weekday)] = int(count)
    return {"rfm_mix": rfm, "peak_hours": hours, "peak_weekdays": weekdays}


# Each key's shares summed over the members: the arrays hold a share per place of segments_featuresharekey.
SHARE_SUMS = f"""SELECT '{{kind}}', key.name, sum(share.value::float8)
    FROM {TABLE}, unnest({{array}}) WITH ORDINALITY AS share(value, place)
    JOIN segments_featuresharekey key ON key.feature = '{{feature}}' AND key.position = share.place - 1
    WHERE counted AND share.value > 0 GROUP BY key.name"""


def _mixes(cursor, people: int) -> dict:
    """Mean channel and format shares over the people with features, and interest counts."""
    cursor.execute(
        f"""{SHARE_SUMS.format(kind="channel", array="channel_shares", feature="channel_mix")}
        UNION ALL {SHARE_SUMS.format(kind="format", array="format_shares", feature="format_affinity")}
        UNION ALL SELECT 'interest', topic.name, count(*) FROM {TABLE}, unnest(interests) AS topic(name)
            WHERE counted GROUP BY topic.name"""
    )
    rows = cursor.fetchall()
    people = people or 1
    channels = {key: float(value) / people for kind, key, value in rows if kind == "channel" and key}
    formats = {key: float(value) / people for kind, key, value in rows if kind == "format" and key}
    interests = [(key, int(value)) for kind, key, value in rows if kind == "interest" and key]
    interests.sort(key=lambda item: (-item[1], item[0]))
    return {"channel_mix": channels, "format_affinity": formats, "interests": interests[:10]}


def _demographics(cursor) -> dict:
    cursor.execute(
        f"""SELECT country, city, GROUPING(country), count(*) FROM {TABLE}
        GROUP BY GROUPING SETS ((country), (city))"""
    )
    countries, cities = [], []
    for country, city, not_by_country, count in cursor.fetchall():
        if not not_by_country and country:
            countries.append((country, int(count)))
        elif not_by_country and city:
            cities.append((city, int(count)))
    cursor.execute(
        f"""SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(year FROM now()) - birth_year),
        count(birth_year) FROM {TABLE} WHERE birth_year IS NOT NULL"""
    )
    median, known = cursor.fetchone()

    def top(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return sorted(rows, key=lambda item: (-item[1], item[0]))[:5]

    return {
        "countries": top(countries),
        "cities": top(cities),
        "age_median": None if median is None else float(median),
        "ages_known": int(known),
    }


def _candidate_comments(cursor, since, sentiment_mean: float | None) -> list[CandidateComment]:
    """Each consenting member's latest readable comment; of those, the authors nearest the segment's
    mean sentiment, so the quotes sound like the segment rather than its loudest edges."""
    consenting_sql, consenting_params = (
        consenting_profiles(purpose=QUOTE_CONSENT_PURPOSE).values("id").query.sql_with_params()
    )
    cursor.execute(
        f"""{PEOPLE}, latest AS (
            SELECT DISTINCT ON (people.person)
                e.id, e.profile_id AS author, e.text, e.occurred_at, e.platform, t.sentiment
            FROM people
            JOIN {TABLE} t ON t.person = people.person
            JOIN segments_event e ON e.profile_id = people.profile_id
            WHERE e.event_type = 'comment' AND e.occurred_at >= %s AND char_length(e.text) BETWEEN 30 AND 300
              AND people.person IN ({consenting_sql})
            ORDER BY people.person, e.occurred_at DESC, e.id DESC
        )
        SELECT id, author, text, occurred_at, platform, sentiment FROM latest
        ORDER BY abs(coalesce(sentiment, 0) - %s), id LIMIT %s""",
        [since, *consenting_params, sentiment_mean or 0.0, CANDIDATE_COMMENTS],
    )
    return [
        CandidateComment(
            event_id=event_id,
            profile_id=author,  # the profile that wrote it: a merge undone later takes the words along
            text=text.strip(),
            said_on=occurred_at.date().isoformat(),
            platform=platform,
            author_sentiment=None if author_sentiment is None else float(author_sentiment),
        )
        for event_id, author, text, occurred_at, platform, author_sentiment in cursor.fetchall()
    ]
