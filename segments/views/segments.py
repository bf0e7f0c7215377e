"""Segment pages: the list, a segment's detail (rules or segmentation, members, version history and
comparison, lineage, refresh, access to a sensitive segment's members). The rule builder's pages are
in segments.views.rule_builder."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from governance.models import User
from segments.models import ConsentPurpose, Segment, SegmentKind, Sensitivity
from segments.rule_builder_nodes import readable_rules
from segments.rule_segment_selectors import (
    SHARE_MEMBERS,
    lineage_facts,
    segment_access_candidates,
    segment_access_holders,
    segment_member_page,
    segment_names,
    segment_refresh_job_visible,
    segment_version_get,
    segment_versions,
    size_series,
    version_transition_table,
)
from segments.rules.validation import referenced_segments
from segments.segment_selectors import segment_get_for_user, segment_list, segment_members_visible
from segments.services.drift import drift_alert_acknowledge
from segments.services.rule_segment_checks import SegmentRefused
from segments.services.rule_segment_refresh import rule_segment_refresh_request
from segments.services.rule_segments import segment_access_grant, segment_access_revoke
from segments.views import rule_builder

VIEW = "segments.view_segment"
CHANGE = "segments.change_segment"
LIST_LIMIT = 200
MEMBER_PAGE_SIZE = 50


@login_required
@permission_required(VIEW, raise_exception=True)
def segment_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    segments = segment_list(user=request.user).order_by("-updated_at", "-id")
    if search:
        segments = segments.filter(name__icontains=search)
    if kind in SegmentKind.values:
        segments = segments.filter(kind=kind)
    context = {
        "segments": list(segments[:LIST_LIMIT]),
        "limit": LIST_LIMIT,
        "search": search,
        "kind": kind,
        "kinds": SegmentKind.choices,
    }
    template = "segments/_segment_rows.html" if request.htmx else "segments/segment_list.html"
    return render(request, template, context)


@login_required
def segment_detail_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    versions = segment_versions(segment=segment)
    for each in versions:
        each.lineage_facts = lineage_facts(each.lineage)
    context = {
        "segment": segment,
        "version": segment.current_version,
        "versions": versions,
        "size_chart": size_series(versions),
        "rules": _rules(segment),
        "job": segment_refresh_job_visible(user=request.user, segment=segment),
        "can_change": request.user.has_perm(CHANGE),
        "consent_purposes": ConsentPurpose.choices,
        "alerts": segment.alerts.filter(segmentation=None).select_related("acknowledged_by")[:10],
        **_members_context(request, segment),
        **_access_context(request, segment),
    }
    if "before" in request.GET and "after" in request.GET:  # the compare form, sent without JavaScript
        context |= _comparison(segment, request.GET["before"], request.GET["after"])
    elif len(versions) >= 2:  # the latest change, loaded after the page: on big segments it takes a second
        context["compared"] = (versions[1], versions[0])
    return render(request, "segments/segment_detail.html", context)


@login_required
def segment_members_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    """A page of members, for the filter and the "next page" link (404 when they are not shared)."""
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not segment_members_visible(user=request.user, segment=segment):
        raise Http404("The members of this segment are not shared with you.")
    return render(
        request, "segments/_segment_members.html", {"segment": segment, **_members_context(request, segment)}
    )


@login_required
def segment_compare_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    comparison = _comparison(segment, request.GET.get("before"), request.GET.get("after"))
    if not request.htmx:
        query = f"?before={comparison['compared'][0].id}&after={comparison['compared'][1].id}#compare-heading"
        return redirect(reverse("segments:segment_detail", args=[segment.id]) + query)
    context = {"segment": segment, "versions": segment_versions(segment=segment), **comparison}
    return render(request, "segments/_segment_compare.html", context)


@require_POST
@login_required
def segment_refresh_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _changeable(request, segment_id)
    if segment.kind != SegmentKind.RULE:
        return HttpResponse("Cluster segments are refreshed by re-clustering their segmentation.", status=409)
    job = rule_segment_refresh_request(segment=segment, actor=request.user)
    visible = segment_refresh_job_visible(user=request.user, segment=segment, job=job)
    if request.htmx:
        if visible is None:
            return HttpResponse('<p class="alert">A refresh is under way; reload the page in a moment.</p>')
        return render(request, "governance/_job_progress.html", {"job": visible})
    messages.success(request, "The members are being recomputed; this page shows the progress.")
    return redirect("segments:segment_detail", segment.id)


@require_POST
@login_required
def segment_access_grant_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _shareable(request, segment_id)
    chosen = request.POST.get("user", "")
    grantee = get_object_or_404(User, id=int(chosen) if chosen.isdigit() else 0, is_active=True)
    problem = ""
    try:
        segment_access_grant(actor=request.user, segment=segment, grantee=grantee)
    except SegmentRefused as refused:
        problem = str(refused)
    return _access_panel(request, segment, problem)


@require_POST
@login_required
def segment_access_revoke_view(request: HttpRequest, segment_id: int, user_id: int) -> HttpResponse:
    segment = _shareable(request, segment_id)
    segment_access_revoke(actor=request.user, segment=segment, grantee=get_object_or_404(User, id=user_id))
    return _access_panel(request, segment, "")


def _comparison(segment: Segment, before_id, after_id) -> dict:
    """Two versions of the segment (404 if either is not one of its versions) and who moved where."""
    before = segment_version_get(segment=segment, version_id=before_id)
    after = segment_version_get(segment=segment, version_id=after_id)
    table = version_transition_table(before=before, after=after) if before != after else None
    return {"compared": (before, after), "comparison": table}


def _rules(segment: Segment) -> dict | None:
    if segment.kind != SegmentKind.RULE:
        return None
    names = segment_names(ids=referenced_segments(segment.definition))
    return readable_rules(segment.definition, names=names)


def _changeable(request: HttpRequest, segment_id: int) -> Segment:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    return segment


def _shareable(request: HttpRequest, segment_id: int) -> Segment:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm(SHARE_MEMBERS):
        raise PermissionDenied
    return segment


def _members_context(request: HttpRequest, segment: Segment) -> dict:
    visible = segment_members_visible(user=request.user, segment=segment)
    try:
        min_confidence = min(max(float(request.GET.get("min_confidence", 0)), 0.0), 1.0)
    except ValueError:
        min_confidence = 0.0
    after = request.GET.get("after", "")
    members, next_after = [], None
    if visible and segment.current_version_id:
        members, next_after = segment_member_page(
            user=request.user,
            segment=segment,
            min_confidence=min_confidence,
            after=int(after) if after.isdigit() else None,
            size=MEMBER_PAGE_SIZE,
        )
    return {
        "members_visible": visible,
        "members": members,
        "next_after": next_after,
        "min_confidence": min_confidence,
        "paged": after.isdigit(),
    }


def _access_context(request: HttpRequest, segment: Segment) -> dict:
    if segment.sensitivity == Sensitivity.NORMAL or not request.user.has_perm(SHARE_MEMBERS):
        return {"access_panel": False}
    return {
        "access_panel": True,
        "holders": segment_access_holders(segment=segment),
        # Access is given by a colleague, never to oneself (segment_access_grant refuses it too).
        "candidates": [
            user for user in segment_access_candidates(segment=segment) if user.id != request.user.id
        ],
    }


def _access_panel(request: HttpRequest, segment: Segment, problem: str) -> HttpResponse:
    context = {"segment": segment, "access_problem": problem, **_access_context(request, segment)}
    if request.htmx:
        return render(request, "segments/_segment_access.html", context)
    if problem:
        messages.error(request, problem)
    return redirect("segments:segment_detail", segment.id)


@require_POST
@login_required
def segment_alert_acknowledge_view(request: HttpRequest, segment_id: int, alert_id: int) -> HttpResponse:
    """A rule segment's own alert (a refresh's), marked as seen; a segmentation's are on its page."""
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    alert = drift_alert_acknowledge(
        alert=get_object_or_404(segment.alerts, id=alert_id, segmentation=None), actor=request.user
    )
    if request.htmx:
        return render(request, "segments/_drift_alert.html", {"alert": alert, "can_change": True})
    return redirect("segments:segment_detail", segment.id)


urlpatterns = [
    path("segments/", segment_list_view, name="segment_list"),
    path("segments/<int:segment_id>/", segment_detail_view, name="segment_detail"),
    path("segments/<int:segment_id>/members/", segment_members_view, name="segment_members"),
    path("segments/<int:segment_id>/compare/", segment_compare_view, name="segment_compare"),
    path("segments/<int:segment_id>/refresh/", segment_refresh_view, name="segment_refresh"),
    path(
        "segments/<int:segment_id>/alerts/<int:alert_id>/acknowledge/",
        segment_alert_acknowledge_view,
        name="segment_alert_acknowledge",
    ),
    path("segments/<int:segment_id>/access/", segment_access_grant_view, name="segment_access_grant"),
    path(
        "segments/<int:segment_id>/access/<int:user_id>/revoke/",
        segment_access_revoke_view,
        name="segment_access_revoke",
    ),
    *rule_builder.urlpatterns,
]
