"""The persona gallery and the persona page (the one-page card)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.models import User
from personas.evidence_notes import evidence_notes
from personas.forms_actions import (
    MergeForm,
    PublishRequestForm,
    QuoteForm,
    ReassignForm,
    RetireForm,
    ValidationForm,
)
from personas.models import Persona, PersonaStatus, StaleFlag
from personas.overlap import persona_overlaps
from personas.people_counts import persona_people
from personas.primary_selectors import primary_persona_count
from personas.selectors import (
    ADD,
    LIVE_STATUSES,
    VIEW,
    persona_can_change,
    persona_can_reassign,
    persona_get_for_user,
    persona_linked_segments,
    persona_list,
    persona_merge_targets,
    persona_owner_candidates,
    persona_pending_request,
    persona_publication_requests,
    quotes_without_consent,
)

GALLERY_LIMIT = 200


@login_required
@permission_required(VIEW, raise_exception=True)
def persona_gallery_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    personas = list(
        persona_list(user=request.user, status=status).order_by("priority", "name")[:GALLERY_LIMIT]
    )
    stale = set(
        StaleFlag.objects.filter(persona__in=personas, cleared_at=None).values_list("persona_id", flat=True)
    )
    context = {
        "personas": personas,
        "people": persona_people(user=request.user, personas=personas),
        "stale": stale,
        "status": status,
        "status_label": dict(PersonaStatus.choices).get(status, ""),
        "statuses": PersonaStatus.choices,
        "can_add": request.user.has_perm(ADD),
        "limit": GALLERY_LIMIT,
    }
    template = "personas/_gallery_cards.html" if request.htmx else "personas/gallery.html"
    return render(request, template, context)


@login_required
def persona_detail_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    return render(request, "personas/persona_detail.html", persona_page_context(request.user, persona))


@login_required
def persona_overlap_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    """Loaded after the page: the shares of people this persona has in common with the others."""
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    others = list(persona_list(user=request.user).filter(status__in=LIVE_STATUSES).exclude(id=persona.id))
    overlaps = persona_overlaps(user=request.user, persona=persona, others=others)
    return render(request, "personas/_overlap.html", {"persona": persona, "overlaps": overlaps})


def persona_page_context(user: User, persona: Persona) -> dict:
    can_change = persona_can_change(user=user, persona=persona)
    quotes = list(persona.quotes.order_by("is_candidate", "-said_on", "id"))
    kept = [quote for quote in quotes if not quote.is_candidate]
    withdrawn = quotes_without_consent(quotes=quotes)
    pending = persona_pending_request(persona=persona)
    last_request = persona_publication_requests(persona=persona).first()
    context = {
        "persona": persona,
        "can_change": can_change,
        "is_owner": persona.owner_id == user.id,
        "can_reassign": persona_can_reassign(user=user) and persona.status in LIVE_STATUSES,
        "linked": persona_linked_segments(persona=persona),
        "validations": list(persona.validations.select_related("created_by")),
        "quotes": kept,
        "candidates": [quote for quote in quotes if quote.is_candidate] if can_change else [],
        "consent_withdrawn": withdrawn,
        "flags": list(persona.stale_flags.filter(cleared_at=None)),
        "pending": pending,
        "last_request": last_request,
        "evidence": evidence_notes(persona, quote_ids=[quote.id for quote in kept]),
        "primary_count": primary_persona_count(persona=persona),
        "quote_form": QuoteForm(),
        "validation_form": ValidationForm(),
    }
    if can_change:
        targets = persona_merge_targets(user=user, persona=persona)
        context["publish_form"] = PublishRequestForm()
        context["retire_form"] = RetireForm()
        if targets:
            context["merge_form"] = MergeForm(
                targets=Persona.objects.filter(id__in=[other.id for other in targets])
            )
    if context["can_reassign"]:
        owners = persona_owner_candidates()
        context["reassign_form"] = ReassignForm(
            owners=User.objects.filter(id__in=[owner.id for owner in owners]).order_by("username"),
            initial={"owner": persona.owner_id},
        )
    return context
