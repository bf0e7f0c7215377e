"""Consent, erasure and access requests: privacy operations on a person's data, each audited."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from governance.models import User
from governance.services.audit import audit_record
from segments.importing.mapping import PROFILE_KINDS
from segments.models import (
    BlockedIdentifier,
    Consent,
    DataSource,
    Event,
    Identity,
    ImportRun,
    ImportStatus,
    MatchCandidate,
    Profile,
    ProfileMerge,
    RejectedRow,
)
from segments.services.references import references_lock
from segments.services.tombstones import tombstones_record
from segments.signals import people_erasing


def person_profiles(*, profile: Profile) -> list[Profile]:
    """The canonical profile and every profile merged into it: one person's records."""
    canonical_id = profile.merged_into_id or profile.id
    return list(Profile.objects.filter(Q(id=canonical_id) | Q(merged_into_id=canonical_id)).order_by("id"))


@transaction.atomic
def consent_set(
    *,
    profile: Profile,
    purpose: str,
    granted: bool,
    actor: User | None,
    source: DataSource | None = None,
    expires_at: datetime | None = None,
) -> Consent:
    """Record a person's consent for one purpose. A withdrawal counts from this moment: selections of
    consenting people (segments.selectors.consenting_profiles) no longer include them."""
    consent, _ = Consent.objects.update_or_create(
        profile=profile,
        purpose=purpose,
        defaults={
            "granted": granted,
            "source": source or profile.source,
            "recorded_at": timezone.now(),
            "expires_at": expires_at,
        },
    )
    action = "consent.granted" if granted else "consent.withdrawn"
    audit_record(actor=actor, action=action, subject=profile, details={"purpose": purpose})
    return consent


def person_identifiers(profiles: list[Profile]) -> set[tuple[str, str]]:
    """(kind, value) of everything that identifies the person: their emails, phones and handles, and
    their customer id in each source, as "external_id:<source id>"."""
    identifiers = {(identity.kind, identity.value) for each in profiles for identity in each.identities.all()}
    return identifiers | {(f"external_id:{each.source_id}", each.external_id) for each in profiles}


def person_rejections(profiles: list[Profile], identifiers: set[tuple[str, str]]) -> QuerySet[RejectedRow]:
    """Rejected rows that quote the person: their emails, phones and handles in any file (say, events
    of someone not yet imported); their customer id where a file of the source that gave it, or an
    events file keyed by that source's ids, holds it as the customer id (in another column, "12" may
    be someone else's birth year or order number)."""
    by_customer_id = Q()
    for each in profiles:
        by_customer_id |= Q(value=each.external_id) & (
            Q(run__source_id=each.source_id) | Q(run__mapping__profile_source_id=each.source_id)
        )
    as_customer_id = [
        rejection.id
        for rejection in RejectedRow.objects.filter(by_customer_id).select_related("run")
        if rejection.column in _customer_id_headers(rejection.run) or _repeats_a_customer_id(rejection)
    ]
    personal = [value for kind, value in identifiers if not kind.startswith("external_id:")]
    return RejectedRow.objects.filter(Q(value__in=personal) | Q(id__in=as_customer_id))


def _repeats_a_customer_id(rejection: RejectedRow) -> bool:
    # A row of a profiles file that repeats one before it names the key it repeats, in no column; in
    # an events file that key is an order or message id, not a person's.
    return (
        rejection.column == ""
        and rejection.run.record_kind in PROFILE_KINDS
        and rejection.reason.startswith("repeats the key")
    )


def _customer_id_headers(run: ImportRun) -> set[str]:
    """The run's columns that hold customer ids."""
    field = "external_id" if run.record_kind in PROFILE_KINDS else "profile_external_id"
    return {
        header[:255] for header, spec in run.mapping.get("columns", {}).items() if spec.get("field") == field
    }


def _shared(identifiers: set[tuple[str, str]], profile_ids: list[int]) -> set[tuple[str, str]]:
    """The identifiers not the person's alone: values admins blocked as placeholders, and values
    someone else still holds. Tombstoned, they would turn those other people away at every import."""
    kinds = {kind for kind, _ in identifiers}
    values = [value for _, value in identifiers]
    blocked = set(
        BlockedIdentifier.objects.filter(kind__in=kinds, value__in=values).values_list("kind", "value")
    )
    others = Identity.objects.filter(kind__in=kinds, value__in=values).exclude(profile_id__in=profile_ids)
    return (blocked | set(others.values_list("kind", "value"))) & identifiers


@transaction.atomic
def profile_erase(*, profile: Profile, actor: User, reason: str = "") -> dict[str, int]:
    """The right to be forgotten: remove the person from every table and file, keeping only salted
    hashes of their identifiers so that a later import does not bring them back."""
    with connection.cursor() as cursor:
        # The delete takes this lock anyway; taken first, no row lock is held while an import that
        # writes about people finishes, so the two cannot deadlock.
        references_lock(cursor, Profile._meta.db_table, shared=False)
    # Merges take the same lock, shared: none is under way, so these are all the person's profiles.
    profiles = person_profiles(profile=profile)
    profile_ids = [each.id for each in profiles]
    list(Profile.objects.select_for_update().filter(id__in=profile_ids))

    identifiers = person_identifiers(profiles)
    tombstones_record(identifiers=identifiers - _shared(identifiers, profile_ids))

    source_ids = set(Event.objects.filter(profile_id__in=profile_ids).values_list("source_id", flat=True))
    source_ids |= {each.source_id for each in profiles}
    rejections = person_rejections(profiles, identifiers)
    source_ids |= set(rejections.values_list("run__source_id", flat=True))
    files_deleted = _import_files_delete(source_ids=source_ids)
    rejected = rejections.delete()[0]

    people_erasing.send(sender=Profile, profile_ids=profile_ids)
    events = Event.objects.filter(profile_id__in=profile_ids)._raw_delete(Event.objects.db)
    MatchCandidate.objects.filter(Q(profile_a_id__in=profile_ids) | Q(profile_b_id__in=profile_ids)).delete()
    ProfileMerge.objects.filter(Q(survivor_id__in=profile_ids) | Q(absorbed_id__in=profile_ids)).delete()
    Profile.objects.filter(id__in=profile_ids).update(merged_into=None)
    Profile.objects.filter(id__in=profile_ids).delete()

    counts = {
        "profiles": len(profile_ids),
        "events": events,
        "identifiers_tombstoned": len(identifiers),
        "rejected_rows": rejected,
        "files_deleted": files_deleted,
    }
    audit_record(actor=actor, action="profile.erased", subject=profile, details={**counts, "reason": reason})
    return counts


def _import_files_delete(*, source_ids: set[int]) -> int:
    """Uploaded files are kept only to re-run imports; any imported from a source that held the
    person is deleted after commit (its imported data stays, minus the person). A file still to be
    imported, or to be started again, stays: it holds other people too, and the erased person's
    rows in it are refused by the tombstones when it runs."""
    runs = list(
        ImportRun.objects.filter(source_id__in=source_ids, status=ImportStatus.SUCCEEDED).exclude(file="")
    )
    for run in runs:
        stored = run.file
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    ImportRun.objects.filter(id__in=[run.id for run in runs]).update(file="")
    return len(runs)
