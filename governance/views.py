from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance.forms import AuditFilterForm
from governance.selectors import audit_entry_list, job_get_for_user, job_list
from governance.services.jobs import job_cancel
from governance.services.notifications import notifications_mark_read

AUDIT_PAGE_SIZE = 50


@login_required
@permission_required("governance.view_job", raise_exception=True)
def job_list_view(request: HttpRequest) -> HttpResponse:
    jobs = job_list(user=request.user)[:100]
    return render(request, "governance/job_list.html", {"jobs": jobs})


@login_required
def job_detail_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "governance/job_detail.html", {"job": job})


@login_required
def job_progress_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress bar partial; it keeps polling itself until the job has finished."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "governance/_job_progress.html", {"job": job})


@require_POST
@login_required
def job_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    job = job_cancel(job=job, actor=request.user)
    return render(request, "governance/_job_progress.html", {"job": job})


@login_required
@permission_required("governance.view_auditentry", raise_exception=True)
def audit_list_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(
        actor=filters.get("actor", ""),
        action=filters.get("action", ""),
        subject_type_id=filters["subject_type"].id if filters.get("subject_type") else None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    page = list(entries[: AUDIT_PAGE_SIZE + 1])
    older = page[AUDIT_PAGE_SIZE - 1].id if len(page) > AUDIT_PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "entries": page[:AUDIT_PAGE_SIZE],
        "older": older,
        "query": query.urlencode(),
    }
    template = "governance/_audit_rows.html" if request.htmx else "governance/audit_list.html"
    return render(request, template, context)


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    notifications = list(request.user.notifications.all()[:100])
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("governance:notification_list")
    return render(request, "governance/notification_list.html", {"notifications": notifications})
