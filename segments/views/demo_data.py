from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from governance.selectors import job_list
from segments.forms import DemoDataForm
from segments.services.demo_jobs import demo_data_job_request


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


urlpatterns = [path("demo-data/", demo_data_view, name="demo_data")]
