"""Writing a persona's record: a blank new one, a draft from a segment, and the edit form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance.models import User
from personas.forms import PersonaForm
from personas.models import Persona
from personas.selectors import ADD, CHANGE, persona_can_change, persona_get_for_user
from personas.services.drafts import persona_draft_from_segment
from personas.services.records import persona_create, persona_review, persona_update
from segments.models import Segment
from segments.segment_selectors import segment_get_for_user, segment_list, segment_members_visible


@login_required
@permission_required(ADD, raise_exception=True)
def persona_create_view(request: HttpRequest) -> HttpResponse:
    form = PersonaForm(request.POST or None, segments=_segment_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            persona = persona_create(
                actor=request.user, data=form.record_data(), segments=form.cleaned_data["segments"]
            )
        except ValidationError as problem:
            _form_errors(form, problem)
        else:
            messages.success(request, "Persona created as a draft.")
            return redirect(persona)
    return render(request, "personas/persona_form.html", {"form": form, "persona": None})


@login_required
def persona_edit_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    if not persona_can_change(user=request.user, persona=persona):
        messages.error(request, f"A persona that is {persona.get_status_display().lower()} cannot be edited.")
        return redirect(persona)
    # The segments this user may link, and those already linked (kept even if hidden from them).
    visible = segment_list(user=request.user).values("id")
    segments = Segment.objects.filter(Q(id__in=visible) | Q(personas=persona)).distinct().order_by("name")
    form = PersonaForm(request.POST or None, segments=segments, initial=PersonaForm.initial_for(persona))
    if request.method == "POST" and form.is_valid():
        try:
            persona_update(
                persona=persona,
                actor=request.user,
                data=form.record_data(persona=persona),
                segments=form.cleaned_data["segments"],
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except ValidationError as problem:
            _form_errors(form, problem)
        else:
            messages.success(request, "Saved. The change is in the persona's history.")
            return redirect(persona)
    return render(request, "personas/persona_form.html", {"form": form, "persona": persona})


@login_required
@permission_required(ADD, raise_exception=True)
def persona_draft_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    """GET: what drafting from this segment will do; POST: draft it and open the new persona."""
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if request.method == "POST":
        try:
            persona = persona_draft_from_segment(segment=segment, actor=request.user)
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            messages.success(request, "Draft ready: each filled field shows the figure it came from.")
            return redirect(persona)
    context = {
        "segment": segment,
        "existing": list(Persona.objects.filter(segments=segment).order_by("name")),
        "quotes_shared": segment_members_visible(user=request.user, segment=segment),
    }
    return render(request, "personas/draft.html", context)


@require_POST
@login_required
def persona_review_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    try:
        persona_review(persona=persona, actor=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"Reviewed. Next review on {persona.next_review_on:%d %b %Y}.")
    return redirect(persona)


def _segment_choices(user: User) -> QuerySet[Segment]:
    return segment_list(user=user).order_by("name")


def _form_errors(form: PersonaForm, problem: ValidationError) -> None:
    if hasattr(problem, "error_dict"):
        for field, errors in problem.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, problem.messages)
