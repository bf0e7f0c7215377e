"""Publishing a persona is a manager's decision: the owner asks, a holder of personas.approve_persona
other than the requester approves (the persona becomes active) or rejects with a comment (it goes
back to draft, the comment shown on its page). Governance runs the request and announces the decision;
the receiver in personas.apps calls persona_publish or persona_publish_reject."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from governance.models import ApprovalRequest, User
from governance.services.approvals import approval_request, approval_withdraw
from governance.services.audit import audit_record
from governance.services.notifications import notify
from personas.models import Persona, PersonaStatus
from personas.selectors import APPROVE, PUBLISH, persona_pending_request
from personas.services.primary import primary_persona_assign_request
from personas.services.versions import persona_version_record


def persona_publish_request(*, persona: Persona, actor: User, note: str = "") -> ApprovalRequest:
    if persona.status != PersonaStatus.DRAFT:
        raise ValidationError("Only a draft can be put forward for publication.")
    with transaction.atomic():
        request = approval_request(
            subject=persona, action=PUBLISH, approver_permission=APPROVE, actor=actor, note=note
        )
        _status_set(
            persona=persona, actor=actor, status=PersonaStatus.IN_REVIEW, summary="Publication requested"
        )
    return request


def persona_publish(*, persona: Persona, actor: User) -> Persona:
    """Approved: the persona becomes active and counts in the primary-persona assignment."""
    with transaction.atomic():
        _status_set(persona=persona, actor=actor, status=PersonaStatus.ACTIVE, summary="Published")
        notify(
            user=persona.owner,
            message=f"“{persona.name}” was approved by {actor.display_name} and is now active.",
            link=persona.get_absolute_url(),
        )
        primary_persona_assign_request(actor=actor)
    return persona


def persona_publish_reject(*, persona: Persona, actor: User, comment: str) -> Persona:
    with transaction.atomic():
        _status_set(
            persona=persona,
            actor=actor,
            status=PersonaStatus.DRAFT,
            summary=f"Publication rejected: {comment}",
        )
        notify(
            user=persona.owner,
            message=f"{actor.display_name} sent “{persona.name}” back to draft: {comment}",
            link=persona.get_absolute_url(),
        )
    return persona


def persona_publish_withdraw(*, persona: Persona, actor: User) -> Persona:
    """The owner takes the persona back to draft; an open request is withdrawn by its requester. A
    request already withdrawn from the approvals page just lets the persona return to draft."""
    if persona.status != PersonaStatus.IN_REVIEW:
        raise ValidationError("This persona is not waiting for a decision.")
    pending = persona_pending_request(persona=persona)
    if pending is not None and pending.requested_by_id != actor.id:
        raise PermissionDenied("Only the person who asked can withdraw the request.")
    with transaction.atomic():
        if pending is not None:
            approval_withdraw(request=pending, actor=actor)
        _status_set(
            persona=persona, actor=actor, status=PersonaStatus.DRAFT, summary="Publication request withdrawn"
        )
    return persona


def persona_approval_decided(sender, subject, request, actor, approved, **kwargs) -> None:
    """Receiver of governance.signals.approval_decided for personas (connected in PersonasConfig)."""
    if request.action != PUBLISH:
        return
    persona = Persona.objects.select_for_update().select_related("owner").get(pk=subject.pk)
    if persona.status != PersonaStatus.IN_REVIEW:
        raise ValidationError("This persona is no longer waiting for publication.")
    if approved:
        persona_publish(persona=persona, actor=actor)
    else:
        persona_publish_reject(persona=persona, actor=actor, comment=request.decision_comment)


def _status_set(*, persona: Persona, actor: User, status: str, summary: str) -> None:
    previous = persona.status
    persona.status = status
    persona.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action=f"persona.{status}", subject=persona, details={"from": previous, "to": status}
    )
    persona_version_record(persona=persona, actor=actor, summary=summary)
