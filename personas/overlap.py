"""How much personas share their people: the guard against over-segmentation. Two personas whose linked
segments hold largely the same people describe one audience twice."""

from dataclasses import dataclass

from django.db import connection

from governance.models import User
from personas.models import Persona
from personas.people_counts import linked_segments_shown
from personas.sampling import SAMPLE_SIZE, sample_clause, sample_rate
from personas.selectors import persona_segment_sizes

OVERLAP_WARNING = 0.30  # share of the smaller persona's people also in the other
SAMPLED, _ = sample_clause("m.profile_id", 1.0)

MEMBERS = f"""
    SELECT DISTINCT ps.persona_id, m.profile_id
    FROM personas_personasegment ps
    JOIN segments_segment s ON s.id = ps.segment_id AND s.retired_at IS NULL
    JOIN segments_segmentmembership m ON m.version_id = s.current_version_id
    WHERE ps.persona_id = ANY(%s) AND ps.segment_id = ANY(%s) AND {SAMPLED}"""


@dataclass(frozen=True)
class Overlap:
    persona: Persona
    other: Persona
    common: int
    size: int
    other_size: int
    estimated: bool = False  # counted over a sample of people and scaled up

    @property
    def share(self) -> float:
        """Common people as a share of the smaller of the two: a persona inside another shows 100%."""
        smaller = min(self.size, self.other_size)
        return self.common / smaller if smaller else 0.0

    @property
    def too_high(self) -> bool:
        return self.share > OVERLAP_WARNING


def persona_overlaps(*, user: User, persona: Persona, others: list[Persona]) -> list[Overlap]:
    """`persona` against each of `others`, by the members of their linked segments' current versions,
    largest share first. One query; the distinct people of each persona are counted once, through a
    hash sample of people when the personas are large. Segments whose members `user` may not see are
    left out: people in common with them would tell who is in them."""
    others = [other for other in others if other.id != persona.id]
    if not others:
        return []
    ids = [persona.id, *(other.id for other in others)]
    largest = max(persona_segment_sizes(personas=[persona, *others]).values(), default=0)
    rate = sample_rate(people=largest, wanted=SAMPLE_SIZE)
    _, sample_params = sample_clause("m.profile_id", rate)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH members AS ({MEMBERS}),
            sizes AS (SELECT persona_id, count(*) AS size FROM members GROUP BY persona_id),
            shared AS (
                SELECT other.persona_id, count(*) AS common
                FROM members mine JOIN members other ON other.profile_id = mine.profile_id
                WHERE mine.persona_id = %s AND other.persona_id <> %s
                GROUP BY other.persona_id
            )
            SELECT sizes.persona_id, sizes.size, coalesce(shared.common, 0)
            FROM sizes LEFT JOIN shared USING (persona_id)""",
            [
                ids,
                linked_segments_shown(user=user, personas=[persona, *others]),
                *sample_params,
                persona.id,
                persona.id,
            ],
        )
        rows = {
            persona_id: (round(size / rate), round(common / rate))
            for persona_id, size, common in cursor.fetchall()
        }
    size = rows.get(persona.id, (0, 0))[0]
    overlaps = [
        Overlap(
            persona=persona,
            other=other,
            common=rows.get(other.id, (0, 0))[1],
            size=size,
            other_size=rows.get(other.id, (0, 0))[0],
            estimated=rate < 1,
        )
        for other in others
    ]
    return sorted(overlaps, key=lambda overlap: (-overlap.share, overlap.other.name))


def persona_overlap_pairs(*, user: User, personas: list[Persona]) -> list[Overlap]:
    """Every pair among a few personas (the comparison page: two or three)."""
    pairs = []
    for index, persona in enumerate(personas[:-1]):
        pairs += persona_overlaps(user=user, persona=persona, others=personas[index + 1 :])
    return pairs
