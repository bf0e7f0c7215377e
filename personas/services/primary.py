"""Each person's primary persona: among the active personas whose linked segments hold them, the one
with the lowest priority number. The whole assignment is recomputed in one statement; the table then
becomes exactly that assignment in the same transaction (rows that changed are deleted and inserted,
the others left alone), so readers see either the old assignment or the new one, never a mix."""

from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from governance.models import Job, JobStatus, User
from governance.services.audit import audit_record
from governance.services.jobs import JobReporter, job_request
from personas.models import Persona, PersonaStatus

TASK = "personas.primary_persona_assign"

# Members of every active persona's linked (live) segments, counted as their canonical person; for
# each person the lowest priority wins, the older persona breaking ties.
NEXT = "persona_primary_next"
ASSIGN_SQL = f"""
    CREATE TEMPORARY TABLE {NEXT} ON COMMIT DROP AS
    SELECT DISTINCT ON (candidate.person) candidate.person AS profile_id, candidate.persona_id
    FROM (
        SELECT coalesce(merged.merged_into_id, member.profile_id) AS person,
               persona.id AS persona_id, persona.priority
        FROM personas_persona persona
        JOIN personas_personasegment link ON link.persona_id = persona.id
        JOIN segments_segment segment ON segment.id = link.segment_id AND segment.retired_at IS NULL
        JOIN segments_segmentmembership member ON member.version_id = segment.current_version_id
        -- Only the few merged-away profiles are looked up (a partial index holds them).
        LEFT JOIN (
            SELECT id, merged_into_id FROM segments_profile WHERE merged_into_id IS NOT NULL
        ) AS merged ON merged.id = member.profile_id
        WHERE persona.status = %s
    ) AS candidate
    ORDER BY candidate.person, candidate.priority, candidate.persona_id
"""
# Writing only what changed: on a million people a full rewrite costs half a minute (index upkeep
# and the deferred foreign-key checks at commit); a nightly run where little moved costs seconds.
REMOVE_SQL = f"""
    DELETE FROM personas_primarypersona stored WHERE NOT EXISTS (
        SELECT 1 FROM {NEXT} wanted
        WHERE wanted.profile_id = stored.profile_id AND wanted.persona_id = stored.persona_id
    )"""
ADD_SQL = f"""
    INSERT INTO personas_primarypersona (profile_id, persona_id, assigned_at)
    SELECT wanted.profile_id, wanted.persona_id, %s FROM {NEXT} wanted
    WHERE NOT EXISTS (
        SELECT 1 FROM personas_primarypersona stored WHERE stored.profile_id = wanted.profile_id
    )"""


def primary_persona_assign(*, progress: Callable[[float, str], None] | None = None) -> dict[str, int]:
    """Recompute the primary persona of everyone, set-based, and make the table that assignment."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Writers wait for one another; readers keep reading the previous assignment until commit.
        cursor.execute("LOCK TABLE personas_primarypersona IN EXCLUSIVE MODE")
        if progress:
            progress(5, "Working out everyone's primary persona")
        cursor.execute(f"DROP TABLE IF EXISTS {NEXT}")
        cursor.execute(ASSIGN_SQL, [PersonaStatus.ACTIVE])
        profiles = cursor.rowcount
        cursor.execute(f"CREATE UNIQUE INDEX ON {NEXT} (profile_id)")
        cursor.execute(f"ANALYZE {NEXT}")
        if progress:
            progress(40, "Writing the changes")
        cursor.execute(REMOVE_SQL)
        removed = cursor.rowcount
        cursor.execute(ADD_SQL, [timezone.now()])
        added = cursor.rowcount
        cursor.execute(f"DROP TABLE {NEXT}")
        personas = Persona.objects.filter(status=PersonaStatus.ACTIVE).count()
        result = {"profiles": profiles, "assigned": added, "unassigned": removed, "active_personas": personas}
        audit_record(actor=None, action="persona.primary_assigned", details=result)
    return result


def primary_persona_assign_work(job: Job, reporter: JobReporter) -> dict[str, int]:
    return primary_persona_assign(progress=reporter.progress)


def primary_persona_assign_request(*, actor: User | None) -> Job:
    """Queue a recomputation, unless one is already waiting to start (it will see the latest state)."""
    waiting = Job.objects.filter(task_name=TASK, status=JobStatus.QUEUED).order_by("id").first()
    if waiting is not None:
        return waiting
    return job_request(task_name=TASK, title="Assign primary personas", actor=actor, queue="default")
