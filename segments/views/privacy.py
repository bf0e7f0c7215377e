from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from segments.forms import ConsentForm, ErasureForm
from segments.models import ConsentPurpose
from segments.selectors import profile_get_for_user
from segments.services.access_request import profile_access_request
from segments.services.privacy import consent_set, profile_erase


@require_POST
@login_required
@permission_required("segments.change_consent", raise_exception=True)
def consent_set_view(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = profile_get_for_user(user=request.user, profile_id=profile_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose a purpose and whether consent is granted.", status=400)
    consent = consent_set(
        profile=profile,
        purpose=form.cleaned_data["purpose"],
        granted=form.cleaned_data["granted"],
        expires_at=form.cleaned_data["expires_at"],
        actor=request.user,
    )
    label = ConsentPurpose(consent.purpose).label
    return render(
        request, "segments/_consent_row.html", {"profile": profile, "row": (consent.purpose, label, consent)}
    )


@login_required
@permission_required("segments.export_profile", raise_exception=True)
def profile_access_export_view(request: HttpRequest, profile_id: int) -> JsonResponse:
    profile = profile_get_for_user(user=request.user, profile_id=profile_id)
    response = JsonResponse(
        profile_access_request(profile=profile, actor=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="profile-{profile.id}-access-request.json"'
    return response


@require_POST
@login_required
@permission_required("segments.erase_profile", raise_exception=True)
def profile_erase_view(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = profile_get_for_user(user=request.user, profile_id=profile_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("confirm", ["The erasure was not confirmed."])))
        return redirect("segments:profile_detail", profile_id=profile.id)
    counts = profile_erase(profile=profile, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        f"The person was erased: {counts['profiles']} profile(s) and {counts['events']:,} events removed; "
        "only salted hashes of their identifiers remain, so a later import will not bring them back.",
    )
    return redirect("segments:profile_list")


urlpatterns = [
    path("profiles/<int:profile_id>/consent/", consent_set_view, name="consent_set"),
    path(
        "profiles/<int:profile_id>/access-export/", profile_access_export_view, name="profile_access_export"
    ),
    path("profiles/<int:profile_id>/erase/", profile_erase_view, name="profile_erase"),
]
