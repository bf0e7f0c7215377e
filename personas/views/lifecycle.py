"""The lifecycle buttons of a persona page: ask for publication (or withdraw), retire, merge,
reassign the owner. Each posts, calls one service and returns to the persona with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from governance.models import User
from personas.forms_actions import MergeForm, PublishRequestForm, ReassignForm, RetireForm
from personas.models import Persona
from personas.selectors import (
    CHANGE,
    persona_can_reassign,
    persona_get_for_user,
    persona_merge_targets,
    persona_owner_candidates,
)
from personas.services.lifecycle import persona_merge, persona_owner_reassign, persona_retire
from personas.services.publication import persona_publish_request, persona_publish_withdraw


@require_POST
@login_required
def persona_publish_request_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    form = PublishRequestForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: persona_publish_request(
                persona=persona, actor=request.user, note=form.cleaned_data["note"]
            ),
            "Sent for approval. A manager decides on the Approvals page.",
        )
    return redirect(persona)


@require_POST
@login_required
def persona_withdraw_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    _attempt(request, lambda: persona_publish_withdraw(persona=persona, actor=request.user), "Back to draft.")
    return redirect(persona)


@require_POST
@login_required
def persona_retire_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the persona is retired.")
    else:
        _attempt(
            request,
            lambda: persona_retire(persona=persona, actor=request.user, reason=form.cleaned_data["reason"]),
            "Retired. It stays readable, with the reason.",
        )
    return redirect(persona)


@require_POST
@login_required
def persona_merge_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    targets = persona_merge_targets(user=request.user, persona=persona)
    form = MergeForm(request.POST, targets=Persona.objects.filter(id__in=[target.id for target in targets]))
    if not form.is_valid():
        messages.error(request, "Choose a persona you may change to merge into.")
        return redirect(persona)
    target = form.cleaned_data["target"]
    if _attempt(
        request,
        lambda: persona_merge(source=persona, target=target, actor=request.user),
        f"Merged into {target.name}.",
    ):
        return redirect(target)
    return redirect(persona)


@require_POST
@login_required
def persona_reassign_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    if not persona_can_reassign(user=request.user):
        raise PermissionDenied("Only managers reassign owners.")
    owners = User.objects.filter(id__in=[user.id for user in persona_owner_candidates()])
    form = ReassignForm(request.POST, owners=owners)
    if not form.is_valid():
        messages.error(request, "Choose a new owner who may work on personas.")
        return redirect(persona)
    owner = form.cleaned_data["owner"]
    _attempt(
        request,
        lambda: persona_owner_reassign(persona=persona, actor=request.user, owner=owner),
        f"{owner.display_name} now owns this persona.",
    )
    return redirect(persona)


def _attempt(request: HttpRequest, action, success: str) -> bool:
    """Run a service; its refusal becomes a message on the persona page."""
    try:
        action()
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return False
    messages.success(request, success)
    return True
