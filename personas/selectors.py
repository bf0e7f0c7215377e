"""Reads of personas that apply permissions, and the facts a persona page shows beside its record."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from governance.access import access_check, access_filter
from governance.models import ApprovalRequest, ApprovalStatus, User
from personas.models import (
    Persona,
    PersonaSegment,
    PersonaStatus,
    PersonaVersion,
    PrimaryPersona,
    Quote,
    StaleFlag,
)
from personas.segment_evidence import QUOTE_CONSENT_PURPOSE
from segments.models import DriftAlert, Segment, SegmentVersion, VersionStatus
from segments.selectors import profiles_whose_person_consents

VIEW = "personas.view_persona"
ADD = "personas.add_persona"
CHANGE = "personas.change_persona"
APPROVE = "personas.approve_persona"
PUBLISH = "publish"
LIVE_STATUSES = (PersonaStatus.DRAFT, PersonaStatus.IN_REVIEW, PersonaStatus.ACTIVE)
EDITABLE_STATUSES = (PersonaStatus.DRAFT, PersonaStatus.ACTIVE)
TREND_POINTS = 12


def persona_list(*, user: User, status: str = "") -> QuerySet[Persona]:
    """Personas the user may read (per model or per object), optionally of one status."""
    personas = access_filter(user=user, perm=VIEW, queryset=Persona.objects.select_related("owner"))
    if status in PersonaStatus.values:
        personas = personas.filter(status=status)
    return personas


def persona_get_for_user(*, user: User, persona_id: int, perm: str = VIEW) -> Persona:
    """The persona if the user may read it, else 404 (its existence stays hidden); 403 when they may
    read it but `perm` (change, say) is not theirs."""
    try:
        persona = Persona.objects.select_related("owner", "merged_into").get(id=persona_id)
    except (Persona.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such persona.") from missing
    if not persona_can_view(user=user, persona=persona):
        raise Http404("No such persona.")
    if perm != VIEW and not access_check(user=user, perm=perm, obj=persona):
        raise PermissionDenied("Only the persona's owner may do this.")
    return persona


def persona_can_view(*, user: User, persona: Persona) -> bool:
    return access_check(user=user, perm=VIEW, obj=persona) or access_check(
        user=user, perm=CHANGE, obj=persona
    )


def persona_can_change(*, user: User, persona: Persona) -> bool:
    """The owner (object permission) or an Admin (model permission), while the record is editable."""
    return persona.status in EDITABLE_STATUSES and access_check(user=user, perm=CHANGE, obj=persona)


def persona_can_reassign(*, user: User) -> bool:
    # Managers approve personas and reassign owners; they do not get change rights on every persona.
    return user.is_active and user.has_perm(APPROVE)


def persona_segment_sizes(*, personas: list[Persona]) -> dict[int, int]:
    """Persona id -> the summed sizes of its linked segments' current versions (cheap: stored sizes)."""
    rows = (
        PersonaSegment.objects.filter(persona__in=personas, segment__retired_at=None)
        .values("persona_id")
        .annotate(size=Sum("segment__current_version__size"))
    )
    return {row["persona_id"]: row["size"] or 0 for row in rows}


@dataclass
class LinkedSegment:
    link: PersonaSegment
    size: int
    trend: dict[str, list]
    alerts: list[DriftAlert]

    @property
    def trend_id(self) -> str:
        return f"trend-{self.link.segment_id}"

    @property
    def change(self) -> float | None:
        """Growth since the segment was linked, as a share."""
        if not self.link.size_when_linked:
            return None
        return (self.size - self.link.size_when_linked) / self.link.size_when_linked


def persona_linked_segments(*, persona: Persona) -> list[LinkedSegment]:
    links = list(
        PersonaSegment.objects.filter(persona=persona)
        .select_related("segment__current_version")
        .order_by("segment__name")
    )
    segment_ids = [link.segment_id for link in links]
    recent = (
        SegmentVersion.objects.filter(segment_id__in=segment_ids, status=VersionStatus.READY)
        .annotate(newest=Window(RowNumber(), partition_by=F("segment_id"), order_by=F("number").desc()))
        .filter(newest__lte=TREND_POINTS)
        .order_by("segment_id", "number")
    )
    trends: dict[int, dict[str, list]] = {}
    for version in recent:
        trend = trends.setdefault(version.segment_id, {"labels": [], "sizes": []})
        trend["labels"].append(f"v{version.number} · {version.created_at:%d %b}")
        trend["sizes"].append(version.size)
    since = persona_last_reviewed_at(persona=persona)
    alerts: dict[int, list[DriftAlert]] = {}
    segments_of: dict[int, list[int]] = {}  # segmentation id -> the linked segments it made
    for segment_id, segmentation_id in Segment.objects.filter(
        id__in=segment_ids, segmentation__isnull=False
    ).values_list("id", "segmentation_id"):
        segments_of.setdefault(segmentation_id, []).append(segment_id)
    run_wide = Q(segment=None, segmentation_id__in=list(segments_of))  # feature drift, stability
    for alert in DriftAlert.objects.filter(Q(segment_id__in=segment_ids) | run_wide, created_at__gt=since)[
        :50
    ]:
        for segment_id in [alert.segment_id] if alert.segment_id else segments_of[alert.segmentation_id]:
            alerts.setdefault(segment_id, []).append(alert)
    return [
        LinkedSegment(
            link=link,
            size=link.segment.current_version.size if link.segment.current_version else 0,
            trend=trends.get(link.segment_id, {"labels": [], "sizes": []}),
            alerts=alerts.get(link.segment_id, []),
        )
        for link in links
    ]


def persona_last_reviewed_at(*, persona: Persona) -> datetime:
    """When the owner last confirmed the evidence: carried in the version snapshots (a review is a
    saved change), else when the persona was created."""
    latest = PersonaVersion.objects.filter(persona=persona).order_by("-number").values("snapshot").first()
    reviewed = (latest or {}).get("snapshot", {}).get("last_reviewed_at")
    return datetime.fromisoformat(reviewed) if reviewed else persona.created_at


def persona_open_flags(*, persona: Persona) -> list[StaleFlag]:
    return list(StaleFlag.objects.filter(persona=persona, cleared_at=None))


def persona_publication_requests(*, persona: Persona) -> QuerySet[ApprovalRequest]:
    """The persona's publication requests, newest first. Governance has no reader by subject, so the
    generic key is matched here (content type and the persona's id as text)."""
    return ApprovalRequest.objects.filter(
        subject_type=ContentType.objects.get_for_model(Persona), subject_id=str(persona.pk), action=PUBLISH
    ).select_related("requested_by", "decided_by")


def persona_pending_request(*, persona: Persona) -> ApprovalRequest | None:
    return persona_publication_requests(persona=persona).filter(status=ApprovalStatus.PENDING).first()


def persona_versions(*, persona: Persona) -> QuerySet[PersonaVersion]:
    return PersonaVersion.objects.filter(persona=persona).select_related("created_by").order_by("-number")


def persona_merge_targets(*, user: User, persona: Persona) -> list[Persona]:
    """Other live personas this user may change: where `persona` can be merged into."""
    candidates = persona_list(user=user).filter(status__in=EDITABLE_STATUSES).exclude(id=persona.id)
    return [other for other in candidates if access_check(user=user, perm=CHANGE, obj=other)]


def persona_owner_candidates() -> list[User]:
    """Who can own a persona: active users whose role lets them create personas."""
    users = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [user for user in users if user.has_perm(ADD)]


def quotes_without_consent(*, quotes: list[Quote]) -> set[int]:
    """Ids of the quotes whose author (a profile) no longer consents: shown flagged, to be removed."""
    authors = {quote.profile_id for quote in quotes if quote.profile_id}
    if not authors:
        return set()
    consenting = profiles_whose_person_consents(purpose=QUOTE_CONSENT_PURPOSE, profile_ids=list(authors))
    return {quote.id for quote in quotes if quote.profile_id and quote.profile_id not in consenting}


def persona_latest_version(persona: Persona) -> int:
    """The number of the persona's latest version (0 before its first): what an editor's form is based on."""
    return PersonaVersion.objects.filter(persona=persona).aggregate(top=Max("number"))["top"] or 0


def person_persona_records(sender, *, profile_ids: list[int], **kwargs) -> dict[str, Any]:
    """Receiver of segments' person_exporting: the persona quotes taken from the person's words, why
    each was chosen, and the persona they are counted under; nothing about other people."""
    quotes = Quote.objects.filter(profile_id__in=profile_ids).select_related("persona").order_by("id")
    primary = PrimaryPersona.objects.filter(profile_id__in=profile_ids).select_related("persona")
    return {
        "persona_quotes": [
            {
                "persona": quote.persona.name,
                "text": quote.text,
                "source": quote.get_source_display(),
                "said_on": quote.said_on.isoformat() if quote.said_on else None,
                "consent_confirmed": quote.consent_confirmed,
                "suggested_only": quote.is_candidate,
                "why_chosen": (quote.persona.evidence.get("quotes") or {}).get(str(quote.id)),
                "created_at": quote.created_at.isoformat(),
            }
            for quote in quotes
        ],
        "primary_persona": [
            {
                "profile_id": each.profile_id,
                "persona": each.persona.name,
                "assigned_at": each.assigned_at.isoformat(),
            }
            for each in primary
        ],
    }
