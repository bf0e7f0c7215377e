from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from governance.models import ApprovalRequest, ApprovalStatus, AuditEntry, Job, User


def job_list(*, user: User) -> QuerySet[Job]:
    """Everyone sees the jobs they asked for; those who may manage jobs see all of them."""
    jobs = Job.objects.select_related("requested_by")
    if user.has_perm("governance.change_job"):
        return jobs
    return jobs.filter(requested_by=user)


def job_get_for_user(*, user: User, job_id: int) -> Job:
    """The job, if the user may see it; otherwise 404, so its existence is not revealed."""
    if not user.has_perm("governance.view_job"):
        raise Http404("No such job.")
    try:
        return job_list(user=user).get(id=job_id)
    except Job.DoesNotExist as missing:
        raise Http404("No such job.") from missing


def audit_entry_list(
    *,
    actor: str = "",
    action: str = "",
    subject_type_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("subject_type")
    if actor:
        entries = entries.filter(actor_label__iexact=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if subject_type_id:
        entries = entries.filter(subject_type_id=subject_type_id)
    if since:
        entries = entries.filter(occurred_at__date__gte=since)
    if until:
        entries = entries.filter(occurred_at__date__lte=until)
    return entries


def approval_inbox(*, user: User) -> list[ApprovalRequest]:
    """Pending requests this user may decide: they hold the approver permission and did not ask."""
    pending = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).exclude(requested_by=user)
    pending = pending.select_related("requested_by", "subject_type").order_by("requested_at")
    return [request for request in pending if user.has_perm(request.approver_permission)]


def approvals_decided_by(*, user: User, limit: int = 20) -> QuerySet[ApprovalRequest]:
    """The requests this user decided, latest first."""
    decided = ApprovalRequest.objects.filter(decided_by=user).order_by("-decided_at", "-id")
    return decided.select_related("requested_by", "decided_by", "subject_type")[:limit]


def approval_requests_of(*, user: User) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(requested_by=user).select_related("decided_by", "subject_type")[:50]


def approval_get_for_user(*, user: User, request_id: int) -> ApprovalRequest:
    """The request if the user asked for it or may decide it; 404 otherwise."""
    try:
        request = ApprovalRequest.objects.select_related("requested_by", "subject_type").get(id=request_id)
    except ApprovalRequest.DoesNotExist as missing:
        raise Http404("No such request.") from missing
    if request.requested_by_id != user.id and not user.has_perm(request.approver_permission):
        raise Http404("No such request.")
    return request
