"""Identity resolution pages: the review queue, merge history with undo, and the admins' settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from segments.forms_identity import BlockedIdentifierForm, IdentifierPolicyForm
from segments.identity_selectors import (
    blocked_identifier_get_for_user,
    blocked_identifier_list,
    identifier_policy_list,
    match_candidate_get_for_user,
    match_candidate_list,
    profile_merge_get_for_user,
    profile_merge_list,
)
from segments.ml.matching import REVIEW_THRESHOLD, STRONG_THRESHOLD
from segments.services.identity_candidates import match_candidate_accept, match_candidate_reject
from segments.services.identity_merge import MergeRefused, profile_merge_undo
from segments.services.identity_resolve import identity_resolve_job_request
from segments.services.identity_settings import (
    SettingRefused,
    blocked_identifier_add,
    blocked_identifier_remove,
    identifier_policies_set,
)

QUEUE_PAGE_SIZE = 20
MERGE_PAGE_SIZE = 50


@login_required
@permission_required("segments.change_profile", raise_exception=True)
def review_queue_view(request: HttpRequest) -> HttpResponse:
    candidates = match_candidate_list()
    score, before = request.GET.get("score", ""), request.GET.get("before", "")
    if before.isdigit():  # keyset: strictly after the last pair shown, in (score, id) order
        try:
            last_score = float(score)
        except ValueError:
            last_score = 1.0
        candidates = candidates.filter(Q(score__lt=last_score) | Q(score=last_score, id__lt=int(before)))
    page = list(candidates[: QUEUE_PAGE_SIZE + 1])
    context = {
        "candidates": page[:QUEUE_PAGE_SIZE],
        "next_page": page[QUEUE_PAGE_SIZE - 1] if len(page) > QUEUE_PAGE_SIZE else None,
        "review_threshold": REVIEW_THRESHOLD,
        "strong_threshold": STRONG_THRESHOLD,
        "can_resolve": request.user.has_perm("governance.add_job"),
    }
    template = "segments/identity_review_page.html" if request.htmx else "segments/identity_review.html"
    return render(request, template, context)


def _decision(request: HttpRequest, candidate_id: int, *, accept: bool) -> HttpResponse:
    candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
    context = {"candidate": candidate, "strong_threshold": STRONG_THRESHOLD}
    try:
        if accept:
            context["merge"] = match_candidate_accept(candidate=candidate, actor=request.user)
            context["accepted"] = True
        else:
            context["rejected"] = match_candidate_reject(candidate=candidate, actor=request.user)
    except MergeRefused as refused:
        context["error"] = str(refused)
    if not request.htmx:
        if "error" in context:
            messages.error(request, context["error"])
        return redirect("segments:identity_review")
    return render(request, "segments/identity_decision.html", context)


@require_POST
@login_required
def candidate_accept_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decision(request, candidate_id, accept=True)


@require_POST
@login_required
def candidate_reject_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decision(request, candidate_id, accept=False)


@require_POST
@login_required
@permission_required(["segments.change_profile", "governance.add_job"], raise_exception=True)
def resolve_start_view(request: HttpRequest) -> HttpResponse:
    job = identity_resolve_job_request(actor=request.user)
    if request.htmx:
        return render(request, "governance/_job_progress.html", {"job": job})
    return redirect("governance:job_detail", job_id=job.id)


@login_required
@permission_required("segments.change_profile", raise_exception=True)
def merge_history_view(request: HttpRequest) -> HttpResponse:
    merges = profile_merge_list()
    before = request.GET.get("before", "")
    if before.isdigit():
        merges = merges.filter(id__lt=int(before))
    page = list(merges[: MERGE_PAGE_SIZE + 1])
    context = {
        "merges": page[:MERGE_PAGE_SIZE],
        "next_before": page[MERGE_PAGE_SIZE - 1].id if len(page) > MERGE_PAGE_SIZE else None,
    }
    template = "segments/identity_merge_rows.html" if request.htmx else "segments/identity_merges.html"
    return render(request, template, context)


@require_POST
@login_required
def merge_undo_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = profile_merge_get_for_user(user=request.user, merge_id=merge_id)
    error = ""
    try:
        merge = profile_merge_undo(merge=merge, actor=request.user)
    except MergeRefused as refused:
        error = str(refused)
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or f"Merge {merge.id} undone.")
        return redirect("segments:identity_merges")
    return render(request, "segments/identity_merge_row.html", {"merge": merge, "error": error})


def _settings_context(request: HttpRequest, **overrides) -> dict:
    context = {
        "policy_form": IdentifierPolicyForm(policies=identifier_policy_list()),
        "blocked_form": BlockedIdentifierForm(),
        "blocked": blocked_identifier_list(),
    }
    return context | overrides


@login_required
@permission_required("segments.change_identifierpolicy", raise_exception=True)
def identity_settings_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = IdentifierPolicyForm(request.POST, policies=identifier_policy_list())
        if form.is_valid():
            try:
                identifier_policies_set(choices=form.choices(), actor=request.user)
            except SettingRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "The identifier order is saved; the next resolve run uses it.")
                return redirect("segments:identity_settings")
        context = _settings_context(request, policy_form=form)
    else:
        context = _settings_context(request)
    return render(request, "segments/identity_settings.html", context)


@require_POST
@login_required
@permission_required("segments.add_blockedidentifier", raise_exception=True)
def blocked_add_view(request: HttpRequest) -> HttpResponse:
    form = BlockedIdentifierForm(request.POST)
    if form.is_valid():
        try:
            blocked_identifier_add(actor=request.user, **form.cleaned_data)
        except SettingRefused as refused:
            form.add_error("value", str(refused))
        else:
            form = BlockedIdentifierForm()
    context = _settings_context(request, blocked_form=form)
    if request.htmx:
        return render(request, "segments/identity_blocked.html", context)
    return render(request, "segments/identity_settings.html", context)


@require_POST
@login_required
def blocked_remove_view(request: HttpRequest, blocked_id: int) -> HttpResponse:
    blocked = blocked_identifier_get_for_user(
        user=request.user, blocked_id=blocked_id, perm="segments.delete_blockedidentifier"
    )
    blocked_identifier_remove(blocked=blocked, actor=request.user)
    if request.htmx:
        return render(request, "segments/identity_blocked.html", _settings_context(request))
    return redirect("segments:identity_settings")


urlpatterns = [
    path("identity/review/", review_queue_view, name="identity_review"),
    path("identity/candidates/<int:candidate_id>/accept/", candidate_accept_view, name="candidate_accept"),
    path("identity/candidates/<int:candidate_id>/reject/", candidate_reject_view, name="candidate_reject"),
    path("identity/resolve/", resolve_start_view, name="identity_resolve"),
    path("identity/merges/", merge_history_view, name="identity_merges"),
    path("identity/merges/<int:merge_id>/undo/", merge_undo_view, name="merge_undo"),
    path("identity/settings/", identity_settings_view, name="identity_settings"),
    path("identity/settings/blocked/", blocked_add_view, name="blocked_add"),
    path("identity/settings/blocked/<int:blocked_id>/remove/", blocked_remove_view, name="blocked_remove"),
]
