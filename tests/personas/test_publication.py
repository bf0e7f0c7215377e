import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import ApprovalRequest, ApprovalStatus, Job, Notification
from governance.selectors import approval_inbox
from governance.services.approvals import approval_decide
from personas.models import PersonaStatus
from personas.services.publication import persona_publish_request, persona_publish_withdraw
from personas.services.records import persona_update
from tests.personas.helpers import persona_of

pytestmark = pytest.mark.django_db


def test_a_marketer_asks_and_a_manager_approves(marketer, manager):
    persona = persona_of(marketer)
    request = persona_publish_request(persona=persona, actor=marketer, note="Ready for sales")
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.IN_REVIEW
    assert request in approval_inbox(user=manager)

    approval_decide(request=request, actor=manager, approve=True, comment="Good evidence")
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.ACTIVE
    assert persona.versions.order_by("-number").first().change_summary == "Published"
    assert Notification.objects.filter(user=marketer, message__contains="approved by").exists()
    assert Job.objects.filter(task_name="personas.primary_persona_assign").exists()


def test_the_requester_cannot_approve_their_own_request(manager):
    persona = persona_of(manager)
    request = persona_publish_request(persona=persona, actor=manager)
    assert request not in approval_inbox(user=manager)
    with pytest.raises(PermissionDenied, match="your own"):
        approval_decide(request=request, actor=manager, approve=True)
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.IN_REVIEW


def test_a_marketer_cannot_approve(marketer, second_marketer):
    request = persona_publish_request(persona=persona_of(marketer), actor=marketer)
    with pytest.raises(PermissionDenied):
        approval_decide(request=request, actor=second_marketer, approve=True)


def test_a_rejection_returns_the_persona_to_draft_with_the_comment(marketer, manager, login):
    persona = persona_of(marketer)
    request = persona_publish_request(persona=persona, actor=marketer)
    approval_decide(request=request, actor=manager, approve=False, comment="Add interview quotes first")
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.DRAFT
    assert Notification.objects.filter(user=marketer, message__contains="Add interview quotes first").exists()
    page = login(marketer).get(persona.get_absolute_url()).content.decode()
    assert "Publication was rejected" in page and "Add interview quotes first" in page


def test_a_persona_in_review_is_not_edited_until_withdrawn(marketer):
    persona = persona_of(marketer)
    request = persona_publish_request(persona=persona, actor=marketer)
    with pytest.raises(ValidationError, match="waits for a publication decision"):
        persona_update(persona=persona, actor=marketer, data={"summary": "Changed"})
    persona_publish_withdraw(persona=persona, actor=marketer)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.WITHDRAWN and persona.status == PersonaStatus.DRAFT
    persona_update(persona=persona, actor=marketer, data={"summary": "Changed"})


def test_only_a_draft_can_be_put_forward(marketer, manager):
    persona = persona_of(marketer)
    approval_decide(
        request=persona_publish_request(persona=persona, actor=marketer), actor=manager, approve=True
    )
    with pytest.raises(ValidationError, match="Only a draft"):
        persona_publish_request(persona=persona, actor=marketer)


def test_publication_through_the_pages(marketer, manager, login):
    persona = persona_of(marketer)
    response = login(marketer).post(f"/personas/{persona.id}/publish/", {"note": "Please"})
    assert response.status_code == 302
    inbox = login(manager).get("/approvals/").content.decode()
    assert persona.name in inbox
    request_id = ApprovalRequest.objects.get(status="pending").id
    decided = login(manager).post(f"/approvals/{request_id}/decide/", {"decision": "approve"})
    assert decided.status_code == 200
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.ACTIVE
