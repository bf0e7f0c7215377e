"""Reads of the primary-persona table: how many people each persona is primary for, and whose primary
persona a person is. The table is replaced whole by the assignment job, so these reads are cheap."""

from django.db.models import Count
from django.http import Http404

from governance.models import User
from personas.models import Persona, PersonaSegment, PrimaryPersona
from personas.selectors import persona_list
from segments.models import Profile
from segments.segment_selectors import segment_members_visible


def primary_persona_counts(*, user: User) -> list[tuple[Persona, int]]:
    """(persona, people) for the personas the user may read, most people first; the index on
    persona makes this one grouped scan of the table."""
    counts = dict(
        PrimaryPersona.objects.values("persona_id")
        .annotate(people=Count("pk"))
        .values_list("persona_id", "people")
    )
    personas = persona_list(user=user).filter(id__in=counts)
    return sorted(
        ((persona, counts[persona.id]) for persona in personas), key=lambda row: (-row[1], row[0].name)
    )


def primary_persona_count(*, persona: Persona) -> int:
    return PrimaryPersona.objects.filter(persona=persona).count()


def primary_persona_of(*, user: User, profile_id: int) -> tuple[int, Persona | None]:
    """The person's canonical profile id and its primary persona (None when it has none, or when the
    persona stands on a segment whose members the user may not see: naming it would tell who is in
    that segment). A merged-away profile answers for the person it was merged into. 404 when the user
    may not read profiles."""
    if not user.has_perm("segments.view_profile"):
        raise Http404("No such profile.")
    profile = Profile.objects.filter(id=profile_id).only("id", "merged_into_id").first()
    if profile is None:
        raise Http404("No such profile.")
    canonical_id = profile.merged_into_id or profile.id
    row = PrimaryPersona.objects.filter(profile_id=canonical_id).select_related("persona").first()
    if row is None or not persona_list(user=user).filter(id=row.persona_id).exists():
        return canonical_id, None
    links = PersonaSegment.objects.filter(persona_id=row.persona_id).select_related("segment")
    if not all(segment_members_visible(user=user, segment=link.segment) for link in links):
        return canonical_id, None
    return canonical_id, row.persona
