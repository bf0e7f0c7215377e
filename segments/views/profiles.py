from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from segments.forms import ErasureForm
from segments.models import ConsentPurpose, ProfileFeatures
from segments.selectors import (
    profile_audit_trail,
    profile_get_for_user,
    profile_list,
    profile_segments,
    profile_timeline,
    profiles_sharing_identifiers,
    table_row_counts,
)

PROFILE_PAGE_SIZE = 50


@login_required
@permission_required("segments.view_profile", raise_exception=True)
def profile_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    profiles = profile_list(search=search)
    before = request.GET.get("before", "")
    if before.isdigit():
        profiles = profiles.filter(id__lt=int(before))
    page = list(profiles[: PROFILE_PAGE_SIZE + 1])
    context = {
        "profiles": page[:PROFILE_PAGE_SIZE],
        "next_before": page[PROFILE_PAGE_SIZE - 1].id if len(page) > PROFILE_PAGE_SIZE else None,
        "search": search,
        "total": table_row_counts().get("segments_profile", 0),
    }
    template = "segments/_profile_rows.html" if request.htmx else "segments/profile_list.html"
    return render(request, template, context)


@login_required
def profile_detail_view(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = profile_get_for_user(user=request.user, profile_id=profile_id)
    consents = {consent.purpose: consent for consent in profile.consents.all()}
    context = {
        "profile": profile,
        "identities": profile.identities.order_by("kind", "value"),
        "consent_rows": [
            (purpose, label, consents.get(purpose)) for purpose, label in ConsentPurpose.choices
        ],
        "features": ProfileFeatures.objects.filter(profile=profile).first(),
        "memberships": profile_segments(user=request.user, profile=profile),
        "absorbed": profile.absorbed.select_related("source"),
        "events": profile_timeline(profile=profile),
        "audit_entries": profile_audit_trail(profile=profile),
        "erasure_form": ErasureForm(),
        "sharing": profiles_sharing_identifiers(profile=profile),
    }
    return render(request, "segments/profile_detail.html", context)


@login_required
def profile_timeline_view(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The next page of the timeline, appended by HTMX."""
    profile = profile_get_for_user(user=request.user, profile_id=profile_id)
    before = request.GET.get("before", "")
    events = profile_timeline(profile=profile, before_id=int(before) if before.isdigit() else None)
    return render(request, "segments/_timeline_rows.html", {"profile": profile, "events": events})


urlpatterns = [
    path("profiles/", profile_list_view, name="profile_list"),
    path("profiles/<int:profile_id>/", profile_detail_view, name="profile_detail"),
    path("profiles/<int:profile_id>/timeline/", profile_timeline_view, name="profile_timeline"),
]
