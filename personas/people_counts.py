"""How many people a persona stands on: the distinct members of its linked segments' current versions.
Overlapping segments count a person once. Members of a segment hidden from the reader never enter a
distinct count (the difference it makes would tell who is in it); that segment adds its public size,
and the figure reads "up to"."""

from dataclasses import dataclass

from django.db import connection

from governance.models import User
from personas.models import Persona, PersonaSegment
from personas.sampling import SAMPLE_SIZE, sample_clause, sample_rate
from segments.models import Segment
from segments.segment_selectors import segment_members_visible


@dataclass(frozen=True)
class PeopleCount:
    people: int
    estimated: bool = False  # counted over a hash sample of people and scaled up
    at_most: bool = False  # segments hidden from the reader are added by size: overlaps unknown


def persona_people(*, user: User, personas: list[Persona]) -> dict[int, PeopleCount]:
    """Persona id -> its people, as `user` may know them. A persona on one segment costs nothing
    (the version's stored size); several segments are counted in one query over their members."""
    links = list(
        PersonaSegment.objects.filter(persona__in=personas, segment__retired_at=None).select_related(
            "segment__current_version"
        )
    )
    visible = _members_visible(user, [link.segment for link in links])
    shown: dict[int, list[tuple[int, int]]] = {}  # persona id -> (version id, size) of shown segments
    hidden: dict[int, list[int]] = {}  # persona id -> sizes of segments hidden from the reader
    for link in links:
        segment, version = link.segment, link.segment.current_version
        if version is None:
            continue
        if segment.id in visible:
            shown.setdefault(link.persona_id, []).append((version.id, version.size))
        else:
            hidden.setdefault(link.persona_id, []).append(version.size)
    overlapping = {persona_id: versions for persona_id, versions in shown.items() if len(versions) > 1}
    distinct, rate = _distinct_members(overlapping)
    counts = {}
    for persona in personas:
        versions = shown.get(persona.id, [])
        people = (
            distinct.get(persona.id, 0) if persona.id in overlapping else sum(size for _, size in versions)
        )
        hidden_sizes = hidden.get(persona.id, [])
        counts[persona.id] = PeopleCount(
            people=people + sum(hidden_sizes),
            estimated=persona.id in overlapping and rate < 1,
            at_most=bool(hidden_sizes) and len(versions) + len(hidden_sizes) > 1,
        )
    return counts


def _distinct_members(versions_of: dict[int, list[tuple[int, int]]]) -> tuple[dict[int, int], float]:
    if not versions_of:
        return {}, 1.0
    largest = max(sum(size for _, size in versions) for versions in versions_of.values())
    rate = sample_rate(people=largest, wanted=SAMPLE_SIZE)
    sampled, sample_params = sample_clause("m.profile_id", rate)
    pairs = [
        (persona_id, version_id) for persona_id, versions in versions_of.items() for version_id, _ in versions
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT link.persona_id, count(DISTINCT m.profile_id)
            FROM unnest(%s::bigint[], %s::bigint[]) AS link(persona_id, version_id)
            JOIN segments_segmentmembership m ON m.version_id = link.version_id
            WHERE {sampled}
            GROUP BY link.persona_id""",
            [[pair[0] for pair in pairs], [pair[1] for pair in pairs], *sample_params],
        )
        return {persona_id: round(count / rate) for persona_id, count in cursor.fetchall()}, rate


def linked_segments_shown(*, user: User, personas: list[Persona]) -> list[int]:
    """Ids of the segments linked to these personas whose members `user` may see: the only ones a
    count of people in common may read."""
    links = PersonaSegment.objects.filter(persona__in=personas).select_related("segment")
    return sorted(_members_visible(user, [link.segment for link in links]))


def _members_visible(user: User, segments: list[Segment]) -> set[int]:
    """Ids of the segments whose members `user` may see, each asked once."""
    distinct = {segment.id: segment for segment in segments}
    return {
        segment_id
        for segment_id, segment in distinct.items()
        if segment_members_visible(user=user, segment=segment)
    }
