import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import ApprovalStatus, AuditEntry, Team
from governance.services.approvals import approval_decide, approval_request, approval_withdraw
from governance.signals import approval_decided
from tests.races import race

pytestmark = pytest.mark.django_db
APPROVER = "governance.change_job"  # Managers and Admins hold it


@pytest.fixture
def decisions():
    """A stand-in owning app: records what governance told it."""
    seen = []

    def receiver(sender, subject, request, actor, approved, **kwargs):
        if subject.name == "Explodes":
            raise RuntimeError("the owning app failed")
        seen.append((sender, subject.pk, approved, actor.username))

    approval_decided.connect(receiver, sender=Team, weak=False)
    yield seen
    approval_decided.disconnect(receiver, sender=Team)


@pytest.fixture
def team():
    return Team.objects.create(name="Brand")


def ask(team, marketer, **extra):
    return approval_request(
        subject=team, action="publish", approver_permission=APPROVER, actor=marketer, **extra
    )


def test_a_manager_approves_and_the_owning_app_hears_of_it(team, marketer, manager, decisions):
    request = approval_decide(request=ask(team, marketer), actor=manager, approve=True, comment="Good")
    assert request.status == ApprovalStatus.APPROVED and request.decided_by == manager
    assert decisions == [(Team, team.pk, True, "max")]
    assert AuditEntry.objects.filter(action="approval.approved.publish").exists()


def test_rejecting_needs_a_comment(team, marketer, manager, decisions):
    request = ask(team, marketer)
    with pytest.raises(ValidationError, match="Say why"):
        approval_decide(request=request, actor=manager, approve=False)
    approval_decide(request=request, actor=manager, approve=False, comment="Needs quotes")
    assert decisions == [(Team, team.pk, False, "max")]


def test_the_requester_cannot_decide_their_own_request(team, manager, decisions):
    request = ask(team, manager)
    with pytest.raises(PermissionDenied, match="your own"):
        approval_decide(request=request, actor=manager, approve=True)
    assert decisions == []


def test_someone_without_the_permission_cannot_decide(team, marketer, viewer, decisions):
    with pytest.raises(PermissionDenied):
        approval_decide(request=ask(team, marketer), actor=viewer, approve=True)


def test_a_request_is_decided_once(team, marketer, manager, admin, decisions):
    request = ask(team, marketer)
    approval_decide(request=request, actor=manager, approve=True)
    with pytest.raises(ValidationError, match="already been decided"):
        approval_decide(request=request, actor=admin, approve=False, comment="late")
    assert len(decisions) == 1


def test_only_one_open_request_per_object_and_action(team, marketer, decisions):
    ask(team, marketer)
    with pytest.raises(ValidationError, match="already waiting"):
        ask(team, marketer)


def test_if_the_owning_app_fails_the_decision_is_not_recorded(marketer, manager, decisions):
    request = ask(Team.objects.create(name="Explodes"), marketer)
    with pytest.raises(RuntimeError):
        approval_decide(request=request, actor=manager, approve=True)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING


def test_withdraw(team, marketer, manager, decisions):
    request = approval_withdraw(request=ask(team, marketer), actor=marketer)
    assert request.status == ApprovalStatus.WITHDRAWN


def test_a_decided_request_stays_decided_and_no_withdrawal_is_logged(team, marketer, manager, decisions):
    request = ask(team, marketer)
    approval_decide(request=request, actor=manager, approve=True, comment="")
    assert approval_withdraw(request=request, actor=marketer).status == ApprovalStatus.APPROVED
    assert not AuditEntry.objects.filter(action__startswith="approval.withdrawn").exists()


def test_the_inbox_page_lets_a_manager_decide(team, marketer, manager, login, decisions):
    request = ask(team, marketer, note="Ready for the spring launch")
    client = login(manager)
    page = client.get("/approvals/").content.decode()
    assert "Ready for the spring launch" in page and "Approve" in page
    response = client.post(f"/approvals/{request.id}/decide/", {"decision": "approve"})
    assert response.status_code == 200 and "Approved" in response.content.decode()
    # The lists are drawn again: nothing waits any more, the request is among the decided ones.
    assert response["HX-Retarget"] == "#approval-decisions"
    waiting, decided = response.content.decode().split('id="decided-heading"')
    assert "Nothing waits for your decision." in waiting and "Ready for the spring launch" in decided
    assert (
        "Ready for the spring launch"
        not in login(marketer).get("/approvals/").content.decode().split("Your requests")[0]
    )


def test_the_inbox_hides_requests_from_those_who_may_not_decide(
    team, marketer, viewer, outsider, login, decisions
):
    request = ask(team, marketer)
    assert login(outsider).get("/approvals/").status_code == 403
    assert login(viewer).post(f"/approvals/{request.id}/decide/", {"decision": "approve"}).status_code == 404


def test_approval_api(team, marketer, manager, login, decisions):
    request = ask(team, marketer)
    listing = login(manager).get("/api/v1/approvals/").json()
    assert [item["id"] for item in listing["inbox"]] == [request.id]
    refused = login(manager).post(
        f"/api/v1/approvals/{request.id}/decide/", {"approve": False}, content_type="application/json"
    )
    assert refused.status_code == 400 and "Say why" in refused.json()["error"]["fields"]["comment"][0]
    approved = login(manager).post(
        f"/api/v1/approvals/{request.id}/decide/", {"approve": True}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    own = login(marketer).post(
        f"/api/v1/approvals/{request.id}/decide/", {"approve": True}, content_type="application/json"
    )
    assert own.status_code == 403  # they may see their request, not decide it


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_the_same_moment_decide_once(team, marketer, manager, admin, decisions):
    request = ask(team, marketer)
    outcomes = race(
        lambda: approval_decide(request=request, actor=manager, approve=True),
        lambda: approval_decide(request=request, actor=admin, approve=False, comment="Not on brand"),
    )
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(failures) == 1 and "already been decided" in str(failures[0])
    assert len(decisions) == 1
    request.refresh_from_db()
    assert request.status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)
    decided = AuditEntry.objects.filter(action__in=["approval.approved.publish", "approval.rejected.publish"])
    assert decided.count() == 1
