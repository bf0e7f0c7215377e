from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from governance.models import AuditEntry, User
from segments.consent_sql import PURPOSE_USES, consenting_people_sql
from segments.models import Event, Identity, Profile, RowCount, SegmentMembership
from segments.segment_selectors import segment_members_visible


def profile_list(*, search: str = "") -> QuerySet[Profile]:
    """Profiles, newest first; `search` matches a name or an exact identifier (email, phone, handle)."""
    profiles = Profile.objects.filter(merged_into=None).select_related("source").order_by("-id")
    search = search.strip()
    if not search:
        return profiles
    identifier = search.lower().lstrip("@")
    by_identity = Identity.objects.filter(profile=OuterRef("pk"), value=identifier)
    if " " in search:
        first, last = search.split(" ", 1)
        by_name = Profile.objects.filter(first_name__iexact=first, last_name__iexact=last.strip())
    else:
        by_name = Profile.objects.filter(last_name__iexact=search)
    return profiles.filter(Exists(by_identity) | Exists(by_name.filter(pk=OuterRef("pk"))))


@dataclass(frozen=True)
class SharedIdentifier:
    profile: Profile  # the other person, as their canonical profile
    kind: str
    value: str


def profiles_sharing_identifiers(*, profile: Profile, limit: int = 20) -> list[SharedIdentifier]:
    """Other people's profiles that hold one of this person's emails, phones or handles. A privacy
    request about this person does not reach them: they may be the same person not merged yet (the
    identity run, or the review queue, settles that first) or someone who shares it, as a family
    email. Shown to whoever acts on a request, so that the choice is made knowingly."""
    canonical = profile.merged_into_id or profile.id
    mine = Profile.objects.filter(Q(id=canonical) | Q(merged_into_id=canonical)).values("id")
    pairs = Q()
    for kind, value in Identity.objects.filter(profile_id__in=mine).values_list("kind", "value"):
        pairs |= Q(kind=kind, value=value)
    if not pairs:
        return []
    held = Identity.objects.filter(pairs).exclude(profile_id__in=mine).select_related("profile__merged_into")
    shared = {}
    for identity in held.order_by("profile_id")[: limit * 2]:
        other = identity.profile.merged_into or identity.profile
        shared.setdefault(
            (other.id, identity.kind, identity.value), SharedIdentifier(other, identity.kind, identity.value)
        )
    return list(shared.values())[:limit]


def profile_segments(*, user: User, profile: Profile) -> list[SegmentMembership]:
    """The live segments this person is in now, with the confidence of each membership; a sensitive
    segment is named only to users who may see its members."""
    if not user.has_perm("segments.view_segment"):
        return []
    memberships = (
        SegmentMembership.objects.filter(
            profile=profile,
            version__segment__current_version=models.F("version"),
            version__segment__retired_at=None,
        )
        .select_related("version__segment")
        .order_by("version__segment__name")
    )
    return [m for m in memberships if segment_members_visible(user=user, segment=m.version.segment)]


def table_row_counts() -> dict[str, int]:
    """Row counts kept by triggers: cheap at any size, exact after every committed write."""
    return dict(RowCount.objects.values_list("table_name", "rows"))


def profile_get_for_user(*, user: User, profile_id: int) -> Profile:
    """The profile if the user may read profiles; 404 otherwise, so its existence is not revealed."""
    if not user.has_perm("segments.view_profile"):
        raise Http404("No such profile.")
    try:
        return Profile.objects.select_related("source", "merged_into").get(id=profile_id)
    except Profile.DoesNotExist as missing:
        raise Http404("No such profile.") from missing


def profile_timeline(*, profile: Profile, before_id: int | None = None, limit: int = 50) -> list[Event]:
    """The person's events, newest first, including those of profiles merged into this one."""
    person_ids = [profile.id, *Profile.objects.filter(merged_into=profile).values_list("id", flat=True)]
    events = Event.objects.filter(profile_id__in=person_ids).order_by("-occurred_at", "-id")
    if before_id is not None:
        anchor = Event.objects.filter(id=before_id).values("occurred_at").first()
        if anchor:
            events = events.filter(
                Q(occurred_at__lt=anchor["occurred_at"])
                | Q(occurred_at=anchor["occurred_at"], id__lt=before_id)
            )
    return list(events[:limit])


def profile_audit_trail(*, profile: Profile) -> QuerySet[AuditEntry]:
    profile_type = ContentType.objects.get_for_model(Profile)
    return AuditEntry.objects.filter(subject_type=profile_type, subject_id=str(profile.id))[:50]


def consenting_profiles(*, purpose: str) -> QuerySet[Profile]:
    """Canonical profiles of the people who consent to `purpose` right now, by their latest word on
    any of their profiles (segments.consent_sql): every activation and export selects through this,
    so a withdrawal takes effect at once."""
    consenting = RawSQL(consenting_people_sql(), [purpose] * PURPOSE_USES)
    return Profile.objects.filter(merged_into=None, id__in=consenting)


def profiles_whose_person_consents(*, purpose: str, profile_ids: list[int]) -> set[int]:
    """Which of these profiles belong to a person who consents to `purpose` now: a profile merged
    into someone answers for that person."""
    person_of = {
        profile_id: merged_into_id or profile_id
        for profile_id, merged_into_id in Profile.objects.filter(id__in=profile_ids).values_list(
            "id", "merged_into_id"
        )
    }
    consenting = set(
        consenting_profiles(purpose=purpose)
        .filter(id__in=set(person_of.values()))
        .values_list("id", flat=True)
    )
    return {profile_id for profile_id, person in person_of.items() if person in consenting}
