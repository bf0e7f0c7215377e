from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from governance.models import ApprovalRequest, ApprovalStatus, User
from governance.services.audit import audit_record
from governance.signals import approval_decided


def approval_request(
    *, subject: models.Model, action: str, approver_permission: str, actor: User, note: str = ""
) -> ApprovalRequest:
    """Ask for approval of `action` on `subject`, to be decided by a holder of `approver_permission`.
    A second request for the same object and action while one is open is refused."""
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=str(subject.pk),
                subject_label=str(getattr(subject, "audit_label", subject))[:255],
                action=action,
                approver_permission=approver_permission,
                note=note,
                requested_by=actor,
            )
            audit_record(actor=actor, action=f"approval.requested.{action}", subject=subject)
    except IntegrityError as duplicate:
        raise ValidationError("A request for this is already waiting for a decision.") from duplicate
    return request


def approval_decide(
    *, request: ApprovalRequest, actor: User, approve: bool, comment: str = ""
) -> ApprovalRequest:
    """Approve or reject. Only a holder of the approver permission who did not make the request may
    decide; the owning app's callback runs in the same transaction, and a request decided meanwhile by
    someone else is not decided twice."""
    if not actor.has_perm(request.approver_permission):
        raise PermissionDenied("You may not decide this request.")
    if actor.pk == request.requested_by_id:
        raise PermissionDenied("You cannot approve or reject your own request.")
    if not approve and not comment.strip():
        raise ValidationError("Say why you reject it, so the requester can act on it.")
    with transaction.atomic():
        decided = ApprovalRequest.objects.filter(id=request.id, status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_comment=comment,
        )
        if decided != 1:
            raise ValidationError("This request has already been decided or withdrawn.")
        request.refresh_from_db()
        subject = request.subject
        approval_decided.send(
            sender=type(subject), subject=subject, request=request, actor=actor, approved=approve
        )
        audit_record(
            actor=actor,
            action=f"approval.{request.status}.{request.action}",
            subject=subject,
            details={"comment": comment[:500]},
        )
    return request


def approval_withdraw(*, request: ApprovalRequest, actor: User) -> ApprovalRequest:
    """Withdraw a pending request; one decided meanwhile stays as decided, and is returned so."""
    if actor.pk != request.requested_by_id:
        raise PermissionDenied("Only the requester can withdraw a request.")
    with transaction.atomic():
        withdrawn = ApprovalRequest.objects.filter(id=request.id, status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.WITHDRAWN, decided_at=timezone.now()
        )
        if withdrawn:
            audit_record(actor=actor, action=f"approval.withdrawn.{request.action}", subject=request.subject)
    request.refresh_from_db()
    return request
