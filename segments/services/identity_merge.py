"""Merging two people into one and undoing it. Merging never moves rows: the absorbed profile points
at the survivor, and so does every profile that pointed at the absorbed one (recorded, so that an
undo restores each pointer exactly).

Survivor rule: the profile from the most trusted kind of source wins (CRM first, see
SURVIVOR_SOURCE_ORDER in segments.identity_selectors); between equals the older profile, the lower id.

Both writes lock the profiles involved (SELECT ... FOR UPDATE, in id order so that two writers never
wait on each other in a circle) and re-read them under the lock, so two reviewers racing on the same
pair cannot merge it twice.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import ChangedMeanwhile
from governance.models import User
from governance.services.audit import audit_record
from segments.identity_selectors import source_rank
from segments.models import Identity, MatchCandidate, Profile, ProfileMerge
from segments.services.references import references_lock


class MergeRefused(ChangedMeanwhile):
    """The merge or undo cannot happen as asked; the message says why, for the person who asked."""


class AlreadyOnePerson(MergeRefused):
    """Both profiles already belong to the same person: there is nothing to merge."""


def _lock(ids: Iterable[int]) -> dict[int, Profile]:
    profiles = Profile.objects.select_for_update().select_related("source").filter(id__in=set(ids))
    return {profile.id: profile for profile in profiles.order_by("id")}


def _lock_people(first_id: int, second_id: int) -> tuple[Profile, Profile]:
    """Lock both profiles and the canonical profiles they resolve to; return the two canonical ones.
    A pointer can change between reading it and locking, so repeat until what we locked still holds."""
    ids = {first_id, second_id}
    for _ in range(5):
        locked = _lock(ids)
        if len(locked) < len({first_id, second_id}):
            raise MergeRefused("One of the profiles no longer exists.")
        canonical = {locked[i].merged_into_id or i for i in (first_id, second_id)}
        if canonical <= ids:
            return tuple(locked[locked[i].merged_into_id or i] for i in (first_id, second_id))
        ids |= canonical
    raise MergeRefused("The profiles kept changing while they were being merged; please try again.")


def erasures_held_off() -> None:
    """An erasure takes this lock exclusively before it reads a person's profiles: taken shared here,
    a merge and an erasure never interleave, so no profile joins a person while it is erased."""
    with connection.cursor() as cursor:
        references_lock(cursor, Profile._meta.db_table, shared=True)


def choose_survivor(first: Profile, second: Profile) -> tuple[Profile, Profile]:
    """(survivor, absorbed) by the rule in this module's docstring."""
    ranked = sorted([first, second], key=lambda profile: (source_rank(profile.source.kind), profile.id))
    return ranked[0], ranked[1]


def profiles_merge(
    *,
    first: Profile,
    second: Profile,
    method: str,
    evidence: dict[str, Any],
    actor: User | None,
) -> ProfileMerge:
    """Make the people `first` and `second` belong to one person."""
    with transaction.atomic():
        erasures_held_off()
        first, second = _lock_people(first.id, second.id)
        if first.id == second.id:
            raise AlreadyOnePerson("These profiles already belong to the same person.")
        survivor, absorbed = choose_survivor(first, second)
        repointed = list(
            Profile.objects.filter(merged_into_id=absorbed.id).order_by("id").values_list("id", flat=True)
        )
        Profile.objects.filter(id__in=repointed).update(merged_into_id=survivor.id)
        Profile.objects.filter(id=absorbed.id).update(merged_into_id=survivor.id)
        merge = ProfileMerge.objects.create(
            survivor=survivor,
            absorbed=absorbed,
            method=method,
            evidence=evidence,
            repointed_ids=repointed,
            decided_by=actor,
        )
        audit_record(
            actor=actor,
            action="identity.merged",
            subject=merge,
            details={"survivor": survivor.id, "absorbed": absorbed.id, "method": method},
        )
    return merge


def _blocking_merge(merge: ProfileMerge) -> ProfileMerge | None:
    """The later merge that must be undone first: the one that absorbed this merge's survivor."""
    return (
        ProfileMerge.objects.filter(absorbed_id=merge.survivor_id, undone_at__isnull=True, id__gt=merge.id)
        .order_by("-id")
        .first()
    )


def _merge_through_absorbed(merge: ProfileMerge) -> ProfileMerge | None:
    """A later merge into the same person on an identifier that only the profiles this merge brought
    in hold: undone, this merge would leave that one standing on nothing the person still has."""
    leaving = {merge.absorbed_id, *merge.repointed_ids}
    for later in ProfileMerge.objects.filter(
        survivor_id=merge.survivor_id,
        undone_at__isnull=True,
        id__gt=merge.id,
        method=ProfileMerge.Method.DETERMINISTIC,
    ).order_by("-id"):
        came_with_it = {later.absorbed_id, *later.repointed_ids}
        staying = Profile.objects.filter(
            Q(id=merge.survivor_id) | Q(merged_into_id=merge.survivor_id)
        ).exclude(id__in=leaving | came_with_it)
        holders = Identity.objects.filter(kind=later.evidence.get("kind"), value=later.evidence.get("value"))
        if (
            holders.filter(profile_id__in=leaving).exists()
            and not holders.filter(profile__in=staying).exists()
        ):
            return later
    return None


def profile_merge_undo(*, merge: ProfileMerge, actor: User) -> ProfileMerge:
    """Separate the absorbed profile again and put back every pointer the merge moved. Merges are
    undone newest first along a chain: if the survivor has since been merged into someone else,
    that later merge has to be undone before this one."""
    with transaction.atomic():
        merge = ProfileMerge.objects.select_for_update().get(id=merge.id)
        if merge.undone_at is not None:
            raise MergeRefused(f"Merge {merge.id} was already undone.")
        locked = _lock([merge.survivor_id, merge.absorbed_id, *merge.repointed_ids])
        survivor, absorbed = locked[merge.survivor_id], locked[merge.absorbed_id]
        if survivor.merged_into_id is not None or absorbed.merged_into_id != survivor.id:
            later = _blocking_merge(merge)
            hint = f" Undo merge {later.id} first." if later else ""
            raise MergeRefused(f"Merge {merge.id} has been built on by a later merge.{hint}")
        leaning = _merge_through_absorbed(merge)
        if leaning is not None:
            raise MergeRefused(
                f"Merge {leaning.id} joined a profile to this person through the "
                f"{leaning.evidence.get('kind')} of the profile this merge brought in. "
                f"Undo merge {leaning.id} first."
            )
        restored = Profile.objects.filter(id__in=merge.repointed_ids, merged_into_id=survivor.id).update(
            merged_into_id=absorbed.id
        )
        Profile.objects.filter(id=absorbed.id).update(merged_into_id=None)
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        # "Not the same person" sticks: the pair is not offered to reviewers again.
        candidate_id = merge.evidence.get("candidate_id")
        if candidate_id:
            MatchCandidate.objects.filter(id=candidate_id).update(
                status=MatchCandidate.Status.REJECTED, decided_by=actor, decided_at=merge.undone_at
            )
        audit_record(
            actor=actor,
            action="identity.merge_undone",
            subject=merge,
            details={"survivor": survivor.id, "absorbed": absorbed.id, "restored": restored},
        )
    return merge
