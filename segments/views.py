from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.selectors import job_list
from segments.forms import DemoDataForm
from segments.selectors import profile_list, table_row_counts
from segments.services.demo_jobs import demo_data_job_request

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
@permission_required("segments.generate_demo_data", raise_exception=True)
def demo_data_view(request: HttpRequest) -> HttpResponse:
    form = DemoDataForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = demo_data_job_request(actor=request.user, **form.cleaned_data)
        messages.success(request, "The demo company is being generated; you can leave this page.")
        return redirect("governance:job_detail", job_id=job.id)
    recent = job_list(user=request.user).filter(task_name="segments.demo_data_generate")[:10]
    return render(request, "segments/demo_data.html", {"form": form, "recent_jobs": recent})
