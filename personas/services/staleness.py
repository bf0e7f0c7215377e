"""The daily check that a persona's evidence still holds: its review date has not passed, and since the
owner last reviewed it none of its linked segments drifted, was rebuilt from other rules, moved in
size past its threshold, or was retired. Each new reason raises one flag and
tells the owner once; the flag stays until the owner reviews the persona."""

from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from governance.services.audit import audit_record
from governance.services.notifications import notify
from personas.models import Persona, PersonaVersion, StaleFlag
from personas.selectors import LIVE_STATUSES

LOCK_KEY = 7_310_001  # pg advisory lock: two checks never run at once, so flags are not doubled


def staleness_check(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    raised = {StaleFlag.Reason.REVIEW_DUE: 0, StaleFlag.Reason.SEGMENT_DRIFT: 0}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        personas = list(Persona.objects.filter(status__in=LIVE_STATUSES).select_related("owner"))
        ids = [persona.id for persona in personas]
        open_flags = set(
            StaleFlag.objects.filter(persona_id__in=ids, cleared_at=None).values_list("persona_id", "reason")
        )
        reviewed = _last_reviews(ids)
        drifted = _drifted_segments(ids, reviewed, personas)
        for persona in personas:
            reasons = []
            if persona.next_review_on and persona.next_review_on < today:
                reasons.append(
                    (StaleFlag.Reason.REVIEW_DUE, f"The review was due on {persona.next_review_on:%d %b %Y}.")
                )
            if drifted.get(persona.id):
                reasons.append(
                    (
                        StaleFlag.Reason.SEGMENT_DRIFT,
                        "Changed since the last review: " + "; ".join(drifted[persona.id]),
                    )
                )
            for reason, detail in reasons:
                if (persona.id, reason) in open_flags:
                    continue
                StaleFlag.objects.create(persona=persona, reason=reason, detail=detail[:300])
                audit_record(actor=None, action="persona.stale", subject=persona, details={"reason": reason})
                notify(
                    user=persona.owner,
                    message=f"“{persona.name}” may be out of date. {detail}",
                    link=persona.get_absolute_url(),
                )
                raised[reason] += 1
    return {str(reason): count for reason, count in raised.items()}


def _last_reviews(ids: list[int]) -> dict[int, str]:
    latest = (
        PersonaVersion.objects.filter(persona_id__in=ids)
        .order_by("persona_id", "-number")
        .distinct("persona_id")
        .values_list("persona_id", "snapshot")
    )
    return {persona_id: snapshot.get("last_reviewed_at") for persona_id, snapshot in latest}


def _drifted_segments(
    ids: list[int], reviewed: dict[int, str], personas: list[Persona]
) -> dict[int, list[str]]:
    """Persona id -> "segment: what happened" for each linked segment that, since both the persona's
    last review and the link itself, raised a drift alert (its own, or its segmentation's: feature
    drift and stability belong to the whole run) or was retired."""
    created = {persona.id: persona.created_at for persona in personas}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT link.persona_id, link.linked_at, segment.name, alert.created_at, alert.message,
                   'alert ' || alert.id
            FROM personas_personasegment link
            JOIN segments_segment segment ON segment.id = link.segment_id
            JOIN LATERAL (
                SELECT id, created_at, message FROM segments_driftalert
                WHERE segment_id = link.segment_id
                   OR (segment_id IS NULL AND segmentation_id = segment.segmentation_id)
                ORDER BY created_at DESC LIMIT 3
            ) alert ON true
            WHERE link.persona_id = ANY(%s)
            UNION ALL
            SELECT link.persona_id, link.linked_at, segment.name, segment.retired_at,
                   'retired, so it no longer stands behind this persona', 'segment ' || segment.id
            FROM personas_personasegment link
            JOIN segments_segment segment ON segment.id = link.segment_id AND segment.retired_at IS NOT NULL
            WHERE link.persona_id = ANY(%s)""",
            [ids, ids],
        )
        rows = cursor.fetchall()
    drifted: dict[int, list[str]] = {}
    told = set()  # a segmentation's alert reaches each of its segments: said once
    for persona_id, linked_at, name, happened_at, message, what in rows:
        review = reviewed.get(persona_id)
        since = max(linked_at, datetime.fromisoformat(review) if review else created[persona_id])
        if happened_at > since and (persona_id, what) not in told:
            told.add((persona_id, what))
            drifted.setdefault(persona_id, []).append(f"{name}: {message}")
    return drifted
