"""Deciding match candidates, and writing the ones the probabilistic pass finds."""

import io

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from governance.models import User
from governance.services.audit import audit_record
from segments.ml import matching
from segments.models import MatchCandidate, ProfileMerge
from segments.services.identity_merge import AlreadyOnePerson, MergeRefused, profiles_merge


def _claim(candidate: MatchCandidate) -> MatchCandidate:
    """Lock the candidate; a second reviewer waits here, then finds it decided."""
    locked = MatchCandidate.objects.select_for_update().select_related("profile_a", "profile_b")
    candidate = locked.get(id=candidate.id)
    if candidate.status != MatchCandidate.Status.PENDING:
        raise MergeRefused(f"This pair was already decided: {candidate.get_status_display().lower()}.")
    return candidate


def _decide(candidate: MatchCandidate, *, status: str, actor: User) -> None:
    candidate.status, candidate.decided_by, candidate.decided_at = status, actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])


def match_candidate_accept(*, candidate: MatchCandidate, actor: User) -> ProfileMerge | None:
    """The reviewer says the pair is one person: merge them. When they already are (merged another
    way since the pair was queued), the pair is closed as accepted and None is returned."""
    with transaction.atomic():
        candidate = _claim(candidate)
        evidence = {"candidate_id": candidate.id, "score": round(candidate.score, 4), **candidate.evidence}
        try:
            with transaction.atomic():
                merge = profiles_merge(
                    first=candidate.profile_a,
                    second=candidate.profile_b,
                    method=ProfileMerge.Method.REVIEWED,
                    evidence=evidence,
                    actor=actor,
                )
        except AlreadyOnePerson:
            merge = None
        _decide(candidate, status=MatchCandidate.Status.ACCEPTED, actor=actor)
        audit_record(
            actor=actor,
            action="identity.candidate_accepted",
            subject=candidate,
            details={"merge": merge.id if merge else None},
        )
    return merge


def match_candidate_reject(*, candidate: MatchCandidate, actor: User) -> MatchCandidate:
    """The reviewer says they are two people: the pair is not offered again."""
    with transaction.atomic():
        candidate = _claim(candidate)
        _decide(candidate, status=MatchCandidate.Status.REJECTED, actor=actor)
        audit_record(actor=actor, action="identity.candidate_rejected", subject=candidate)
    return candidate


def match_candidates_store(*, candidates: pd.DataFrame) -> int:
    """Add pairs above the review threshold as pending candidates, by COPY into a temporary table.
    A pair already in the table (pending, or decided either way) is left as it is. Returns how many
    were added. Call inside the resolve run's transaction."""
    candidates = candidates[candidates["score"] >= matching.REVIEW_THRESHOLD]
    if candidates.empty:
        return 0
    evidence = candidates[list(matching.FIELDS)].assign(
        names_swapped=candidates["names_swapped"].astype(bool)
    )
    rows = pd.DataFrame(
        {
            "a": candidates["a"].to_numpy(),
            "b": candidates["b"].to_numpy(),
            "score": candidates["score"].round(6).to_numpy(),
            "evidence": evidence.apply(lambda row: row.to_json(), axis=1).to_numpy(),
        }
    )
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE identity_new_candidates"
            " (a bigint, b bigint, score float8, evidence jsonb) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY identity_new_candidates FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(
            """
            INSERT INTO segments_matchcandidate
                (profile_a_id, profile_b_id, score, evidence, status, created_at)
            SELECT a, b, score, evidence, %s, now() FROM identity_new_candidates
            ON CONFLICT (profile_a_id, profile_b_id) DO NOTHING
            """,
            [MatchCandidate.Status.PENDING],
        )
        added = cursor.rowcount
        cursor.execute("DROP TABLE identity_new_candidates")
    return added


def match_candidates_prune() -> int:
    """Drop pending candidates whose two profiles have since become one person another way."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM segments_matchcandidate m
            USING segments_profile a, segments_profile b
            WHERE m.status = %s AND a.id = m.profile_a_id AND b.id = m.profile_b_id
              AND COALESCE(a.merged_into_id, a.id) = COALESCE(b.merged_into_id, b.id)
            """,
            [MatchCandidate.Status.PENDING],
        )
        return cursor.rowcount
