from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from segments.selectors import profile_list, table_row_counts

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


urlpatterns = [path("profiles/", profile_list_view, name="profile_list")]
