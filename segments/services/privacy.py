"""Consent, erasure and access requests: privacy operations on a person's data, each audited."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from governance.models import User
from governance.services.audit import audit_record
from segments.models import (
    SHARE_ARRAYS,
    BlockedIdentifier,
    Consent,
    DataSource,
    Event,
    FeatureShareKey,
    Identity,
    ImportRun,
    MatchCandidate,
    Profile,
    ProfileFeatures,
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

    identifiers = {(identity.kind, identity.value) for each in profiles for identity in each.identities.all()}
    identifiers |= {(f"external_id:{each.source_id}", each.external_id) for each in profiles}
    tombstones_record(identifiers=identifiers - _shared(identifiers, profile_ids))

    source_ids = set(Event.objects.filter(profile_id__in=profile_ids).values_list("source_id", flat=True))
    source_ids |= {each.source_id for each in profiles}
    # Rejections quote the cell: the person's customer ids within the sources that knew them, their
    # emails, phones and handles wherever a file held them (say, events of someone not yet imported).
    values = [value for _, value in identifiers]
    personal = [value for kind, value in identifiers if not kind.startswith("external_id:")]
    rejections = RejectedRow.objects.filter(
        Q(run__source_id__in=source_ids, value__in=values) | Q(value__in=personal)
    )
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
    """Uploaded files are kept only to re-run imports; any from a source that held the person is
    deleted after commit (its imported data stays, minus the person)."""
    runs = list(ImportRun.objects.filter(source_id__in=source_ids).exclude(file=""))
    for run in runs:
        stored = run.file
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    ImportRun.objects.filter(id__in=[run.id for run in runs]).update(file="")
    return len(runs)


@transaction.atomic
def profile_access_request(*, profile: Profile, actor: User) -> dict[str, Any]:
    """Everything held on a person, as JSON-ready data (a data subject access request)."""
    profiles = person_profiles(profile=profile)
    ids = [each.id for each in profiles]
    audit_record(
        actor=actor, action="profile.access_exported", subject=profile, details={"profiles": len(ids)}
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "profiles": [
            {
                "id": each.id,
                "source": each.source.name,
                "external_id": each.external_id,
                "first_name": each.first_name,
                "last_name": each.last_name,
                "gender": each.gender,
                "birth_year": each.birth_year,
                "city": each.city,
                "country": each.country,
                "created_at": each.created_at.isoformat(),
                "merged_into": each.merged_into_id,
                "identities": list(each.identities.values("kind", "value")),
                "consents": [
                    {
                        "purpose": consent.purpose,
                        "granted": consent.granted,
                        "recorded_at": consent.recorded_at.isoformat(),
                        "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
                    }
                    for consent in each.consents.all()
                ],
            }
            for each in profiles
        ],
        "events": [
            {**event, "occurred_at": event["occurred_at"].isoformat(), "amount": _decimal(event["amount"])}
            for event in Event.objects.filter(profile_id__in=ids)
            .order_by("occurred_at")
            .values(
                "profile_id",
                "platform",
                "event_type",
                "occurred_at",
                "amount",
                "text",
                "content_format",
                "utm_source",
                "utm_medium",
                "campaign_code",
            )
        ],
        "features": list(_features(ids)),
        "segments": _memberships(ids),
    }


def _memberships(profile_ids: list[int]) -> list[dict[str, Any]]:
    """Every segment version the person was placed in, current or past (profiling they may ask about).
    Found through the versions: memberships are indexed by version, then profile."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.name, v.number, v.created_at, s.current_version_id = v.id, m.confidence
            FROM segments_segmentversion v
            JOIN segments_segment s ON s.id = v.segment_id
            JOIN segments_segmentmembership m ON m.version_id = v.id AND m.profile_id = ANY(%s)
            ORDER BY s.name, v.number
            """,
            [profile_ids],
        )
        return [
            {
                "segment": name,
                "version": number,
                "version_created_at": created_at.isoformat(),
                "current": current,
                "confidence": confidence,
            }
            for name, number, created_at, current, confidence in cursor.fetchall()
        ]


def _features(profile_ids: list[int]):
    for row in ProfileFeatures.objects.filter(profile_id__in=profile_ids).values():
        for feature, array in SHARE_ARRAYS.items():
            row[feature.value] = FeatureShareKey.shares_named(feature, row.pop(array))
        yield {key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}


def _decimal(value) -> str | None:
    return None if value is None else str(value)
