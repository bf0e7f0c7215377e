"""The resolve run: a deterministic pass that merges people sharing an identifier, then a
probabilistic pass that puts likely pairs in the review queue. Both read and write whole tables:
COPY out to pandas, pure code in segments/ml, COPY back into a temporary table and set-based SQL."""

import io
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.db import connection, transaction

from governance.models import Job, User
from governance.services.audit import audit_record
from governance.services.jobs import job_request
from segments.identity_selectors import (
    cannot_link_frame,
    identifier_policy_list,
    identity_link_frame,
    people_frame,
)
from segments.ml import matching
from segments.ml.identity_components import link_people
from segments.models import ProfileMerge
from segments.services.identity_candidates import match_candidates_prune, match_candidates_store
from segments.services.identity_merge import erasures_held_off

RESOLVE_TASK = "segments.identity_resolve"
# Serialises resolve runs: a second run waits, then finds the first one's work done.
RESOLVE_LOCK_KEY = 7_304_511

Progress = Callable[[float, str], None]


def identity_resolve_job_request(*, actor: User) -> Job:
    with transaction.atomic():
        return job_request(task_name=RESOLVE_TASK, queue="ml", title="Resolve identities", actor=actor)


def _write_merges(merges: pd.DataFrame) -> int:
    """Record and apply the merges in a few statements: ProfileMerge rows with the ids each merge
    repoints, then the pointers. The profiles involved are locked first, in id order."""
    buffer = io.StringIO()
    merges[["absorbed", "survivor", "kind", "value"]].to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    erasures_held_off()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE identity_merges (absorbed bigint PRIMARY KEY, survivor bigint,"
            " kind text, value text) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY identity_merges FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("ANALYZE identity_merges")
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT p.id, p.merged_into_id FROM segments_profile p
                WHERE p.id IN (
                    SELECT absorbed FROM identity_merges UNION SELECT survivor FROM identity_merges
                )
                ORDER BY p.id FOR UPDATE
            ) locked WHERE locked.merged_into_id IS NOT NULL
            """
        )
        if cursor.fetchone()[0]:
            raise RuntimeError("Profiles were merged by someone else during the run; run it again.")
        cursor.execute(
            """
            INSERT INTO segments_profilemerge
                (survivor_id, absorbed_id, method, evidence, repointed_ids, created_at)
            SELECT m.survivor, m.absorbed, %s, jsonb_build_object('kind', m.kind, 'value', m.value),
                   COALESCE(jsonb_agg(p.id ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL), '[]'::jsonb), now()
            FROM identity_merges m LEFT JOIN segments_profile p ON p.merged_into_id = m.absorbed
            GROUP BY m.absorbed, m.survivor, m.kind, m.value
            ORDER BY m.absorbed
            """,
            [ProfileMerge.Method.DETERMINISTIC],
        )
        written = cursor.rowcount
        # Those that pointed at an absorbed profile first (the partial index finds them), then the
        # absorbed profiles themselves.
        cursor.execute(
            "UPDATE segments_profile p SET merged_into_id = m.survivor"
            " FROM identity_merges m WHERE p.merged_into_id = m.absorbed"
        )
        cursor.execute(
            "UPDATE segments_profile p SET merged_into_id = m.survivor"
            " FROM identity_merges m WHERE p.id = m.absorbed"
        )
        cursor.execute("DROP TABLE identity_merges")
    return written


def identity_deterministic_pass(*, progress: Progress) -> dict[str, int]:
    kinds = {row.kind: row.priority for row in identifier_policy_list() if row.merges}
    progress(5, "Reading identifiers")
    identities = identity_link_frame(kinds=kinds)
    cannot = cannot_link_frame()
    progress(25, f"Linking {len(identities):,} identifiers")
    rank = identities.groupby("person")["rank"].first()
    linkage = link_people(identities, survivor_rank=rank, cannot_link=cannot)
    progress(40, f"Recording {len(linkage.merges):,} merges")
    merged = _write_merges(linkage.merges) if len(linkage.merges) else 0
    return {
        "identifiers_read": len(identities),
        "profiles_merged": merged,
        "crowded_values_skipped": linkage.crowded_values,
        "links_refused": linkage.links_refused,
    }


def identity_probabilistic_pass(*, progress: Progress) -> dict[str, int]:
    progress(55, "Reading people for likely matches")
    people, handles = people_frame()
    progress(65, f"Comparing {len(people):,} people")
    result = matching.match_candidates(people, handles, threshold=matching.REVIEW_THRESHOLD)
    cannot = cannot_link_frame()
    said_apart = pd.DataFrame(
        {"a": cannot[["a", "b"]].min(axis=1), "b": cannot[["a", "b"]].max(axis=1), "apart": True}
    ).drop_duplicates(["a", "b"])
    flagged = result.candidates.merge(said_apart, on=["a", "b"], how="left")
    candidates = result.candidates[flagged["apart"].isna().to_numpy()]
    progress(90, f"Queueing {len(candidates):,} pairs for review")
    return {
        "pairs_compared": result.pairs_compared,
        "blocks_skipped": result.blocks_skipped,
        "candidates_added": match_candidates_store(candidates=candidates),
        "candidates_pruned": match_candidates_prune(),
    }


def identity_resolve(*, actor: User | None, progress: Progress, job: Job | None = None) -> dict[str, Any]:
    """Both passes in one transaction: a failed or cancelled run leaves nothing half done."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RESOLVE_LOCK_KEY])
        result = identity_deterministic_pass(progress=progress)
        result |= identity_probabilistic_pass(progress=progress)
        audit_record(actor=actor, action="identity.resolved", subject=job, details=result)
    return result
