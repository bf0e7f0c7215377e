from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from governance.selectors import (
    approval_get_for_user,
    approval_inbox,
    approval_requests_of,
    approvals_decided_by,
)
from governance.services.approvals import approval_decide, approval_withdraw


@login_required
@permission_required("governance.view_approvalrequest", raise_exception=True)
def approval_list_view(request: HttpRequest) -> HttpResponse:
    context = _decision_lists(request.user) | {"mine": approval_requests_of(user=request.user)}
    return render(request, "governance/approval_list.html", context)


def _decision_lists(user) -> dict:
    return {"inbox": approval_inbox(user=user), "decided": approvals_decided_by(user=user)}


@require_POST
@login_required
def approval_decide_view(request: HttpRequest, request_id: int) -> HttpResponse:
    approval = approval_get_for_user(user=request.user, request_id=request_id)
    error = ""
    try:
        approval = approval_decide(
            request=approval,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
        )
    except PermissionDenied:
        raise
    except ValidationError as problem:
        error = " ".join(problem.messages)
        context = {"approval": approval, "error": error}
        return render(request, "governance/_approval_item.html", context, status=400)
    # Decided: the request leaves the waiting list for the decided one, both drawn again.
    context = _decision_lists(request.user) | {"just_decided": approval}
    response = render(request, "governance/_approval_decisions.html", context)
    response["HX-Retarget"] = "#approval-decisions"
    response["HX-Reswap"] = "outerHTML"
    return response


@require_POST
@login_required
def approval_withdraw_view(request: HttpRequest, request_id: int) -> HttpResponse:
    approval = approval_withdraw(
        request=approval_get_for_user(user=request.user, request_id=request_id), actor=request.user
    )
    return render(request, "governance/_approval_item.html", {"approval": approval, "mine": True})
