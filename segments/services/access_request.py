"""A data subject access request: everything held on a person, as JSON-ready data.

Only the person's own data is given: the other side of a merge or a match candidate is not named,
staff are "staff", and the salted hashes that erasure keeps are never part of it."""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from governance.models import AuditEntry, User
from governance.services.audit import audit_record
from segments.models import (
    SHARE_ARRAYS,
    Event,
    FeatureShareKey,
    MatchCandidate,
    Profile,
    ProfileFeatures,
    ProfileMerge,
)
from segments.services.privacy import person_identifiers, person_profiles, person_rejections
from segments.signals import person_exporting

CONSENT_ACTIONS = ("consent.granted", "consent.withdrawn")
REQUEST_ACTIONS = {"profile.access_exported": "access"}


@transaction.atomic
def profile_access_request(*, profile: Profile, actor: User) -> dict[str, Any]:
    """Everything held on a person: each of their profiles (merged ones too) with identities and
    consents, events, features, segment placements with the rule behind them, how their profiles were
    matched, rows of imports that quoted them, staff consent changes, earlier requests, and what the
    apps above segments hold (persona quotes, primary persona)."""
    profiles = person_profiles(profile=profile)
    ids = [each.id for each in profiles]
    identifiers = person_identifiers(profiles)
    audit = _audit_about(ids)
    export = {
        "exported_at": timezone.now().isoformat(),
        "profiles": [_profile(each) for each in profiles],
        "events": _events(ids),
        "features": list(_features(ids)),
        "segments": _memberships(ids),
        "identity_resolution": _identity_resolution(ids, identifiers),
        "consent_history": [
            {
                "profile_id": int(entry.subject_id),
                "purpose": entry.details.get("purpose"),
                "granted": entry.action == "consent.granted",
                "at": entry.occurred_at.isoformat(),
                "by": "staff" if entry.actor_id else "system",
            }
            for entry in audit
            if entry.action in CONSENT_ACTIONS
        ],
        "import_rejections": [
            {
                "source": rejection.run.source.name,
                "file_kind": rejection.run.record_kind,
                "uploaded_at": rejection.run.created_at.isoformat(),
                "row": rejection.row_number,
                "column": rejection.column,
                "value": rejection.value,
                "reason": rejection.reason,
            }
            for rejection in person_rejections(profiles, identifiers)
            .select_related("run__source")
            .order_by("run_id", "row_number")
        ],
        "earlier_requests": [
            {"kind": REQUEST_ACTIONS[entry.action], "at": entry.occurred_at.isoformat()}
            for entry in audit
            if entry.action in REQUEST_ACTIONS
        ],
    }
    for _, held in person_exporting.send(sender=Profile, profile_ids=ids):
        export |= held
    audit_record(
        actor=actor, action="profile.access_exported", subject=profile, details={"profiles": len(ids)}
    )
    return export


def _profile(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "source": profile.source.name,
        "external_id": profile.external_id,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "gender": profile.gender,
        "birth_year": profile.birth_year,
        "city": profile.city,
        "country": profile.country,
        "created_at": profile.created_at.isoformat(),
        "merged_into": profile.merged_into_id,
        "identities": list(profile.identities.values("kind", "value")),
        "consents": [
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "active": consent.is_active,
                "source": consent.source.name if consent.source_id else None,
                "recorded_at": consent.recorded_at.isoformat(),
                "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
            }
            for consent in profile.consents.select_related("source")
        ],
    }


def _events(profile_ids: list[int]) -> list[dict[str, Any]]:
    events = (
        Event.objects.filter(profile_id__in=profile_ids)
        .order_by("occurred_at", "id")
        .values(
            "profile_id",
            "source__name",
            "external_id",
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
    )
    return [
        {
            **event,
            "source": event.pop("source__name"),
            "occurred_at": event["occurred_at"].isoformat(),
            "amount": None if event["amount"] is None else str(event["amount"]),
        }
        for event in events
    ]


def _memberships(profile_ids: list[int]) -> list[dict[str, Any]]:
    """Every segment version the person was placed in, current or past, with how: the rule of a rule
    segment, the segmentation of a cluster (profiling they may ask about). Found through the versions:
    memberships are indexed by version, then profile."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.name, s.kind, s.sensitivity, s.retired_at IS NOT NULL, v.number, v.created_at,
                   s.current_version_id = v.id, m.confidence, v.definition, sg.name
            FROM segments_segmentversion v
            JOIN segments_segment s ON s.id = v.segment_id
            LEFT JOIN segments_segmentation sg ON sg.id = s.segmentation_id
            JOIN segments_segmentmembership m ON m.version_id = v.id AND m.profile_id = ANY(%s)
            ORDER BY s.name, v.number
            """,
            [profile_ids],
        )
        return [
            {
                "segment": name,
                "kind": kind,
                "sensitivity": sensitivity,
                "retired": retired,
                "version": number,
                "version_created_at": created_at.isoformat(),
                "current": current,
                "confidence": confidence,
                "rule": definition or None,
                "segmentation": segmentation,
            }
            for (
                name,
                kind,
                sensitivity,
                retired,
                number,
                created_at,
                current,
                confidence,
                definition,
                segmentation,
            ) in cursor.fetchall()
        ]


def _identity_resolution(profile_ids: list[int], identifiers: set[tuple[str, str]]) -> dict[str, list]:
    """How the person's profiles were matched. A profile that is not theirs (a merge since undone, a
    pair judged to be two people) is left unnamed, and so is evidence that is not theirs alone."""
    own = set(profile_ids)

    def theirs(profile_id: int) -> int | None:
        return profile_id if profile_id in own else None

    merges = ProfileMerge.objects.filter(Q(survivor_id__in=own) | Q(absorbed_id__in=own)).order_by("id")
    candidates = MatchCandidate.objects.filter(Q(profile_a_id__in=own) | Q(profile_b_id__in=own)).order_by(
        "id"
    )
    return {
        "merges": [
            {
                "kept_profile": theirs(merge.survivor_id),
                "merged_profile": theirs(merge.absorbed_id),
                "method": merge.get_method_display(),
                "shared_identifier": merge.evidence
                if (merge.evidence.get("kind"), merge.evidence.get("value")) in identifiers
                else None,
                "score": merge.evidence.get("score"),
                "at": merge.created_at.isoformat(),
                "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
            }
            for merge in merges
        ],
        "match_candidates": [
            {
                "profiles": [theirs(candidate.profile_a_id), theirs(candidate.profile_b_id)],
                "score": candidate.score,
                "status": candidate.get_status_display(),
                "at": candidate.created_at.isoformat(),
                "decided_at": candidate.decided_at.isoformat() if candidate.decided_at else None,
            }
            for candidate in candidates
        ],
    }


def _audit_about(profile_ids: list[int]) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            subject_type=ContentType.objects.get_for_model(Profile),
            subject_id__in=[str(profile_id) for profile_id in profile_ids],
        ).order_by("id")
    )


def _features(profile_ids: list[int]):
    for row in ProfileFeatures.objects.filter(profile_id__in=profile_ids).values():
        for feature, array in SHARE_ARRAYS.items():
            row[feature.value] = FeatureShareKey.shares_named(feature, row.pop(array))
        yield {key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}
