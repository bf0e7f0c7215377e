"""The rule builder: create and edit a rule segment, redraw the tree after a button (HTMX, or a plain
post without JavaScript), and count the members live while the marketer edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from segments.forms_rule_segments import (
    SegmentDetailsForm,
    apply_action,
    blank_definition,
    definition_from_form,
)
from segments.models import Segment, SegmentKind
from segments.rule_builder_nodes import (
    EVENT_TYPE_CHOICES,
    PLATFORM_CHOICES,
    builder_nodes,
    errors_by_key,
    field_groups,
    node_keys,
)
from segments.rule_segment_selectors import segment_choices
from segments.rules.validation import DefinitionInvalid, RuleError
from segments.segment_selectors import segment_get_for_user
from segments.services.rule_segment_checks import SegmentRefused, rule_definition_check
from segments.services.rule_segments import (
    PreviewTimedOut,
    rule_segment_create,
    rule_segment_preview,
    rule_segment_update,
)

ADD = "segments.add_segment"
CHANGE = "segments.change_segment"


@login_required
@permission_required(ADD, raise_exception=True)
def rule_segment_create_view(request: HttpRequest) -> HttpResponse:
    return _edit(request, segment=None)


@login_required
def rule_segment_edit_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _editable(request, segment_id)
    if segment.kind != SegmentKind.RULE:
        messages.info(request, "A cluster segment changes when its segmentation is re-clustered.")
        return redirect("segments:segment_detail", segment.id)
    return _edit(request, segment=segment)


@require_POST
@login_required
def rule_builder_view(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    """The tree after an add or remove button, drawn again; the preview then counts it."""
    segment = _editable(request, segment_id)
    definition, focus = apply_action(definition_from_form(request.POST), request.POST.get("action", ""))
    context = _builder_context(definition=definition, errors=[], segment=segment, focus=focus)
    response = render(request, "segments/_rule_group.html", context | {"node": context["builder"]})
    # After the swap: the preview counts the form as it then stands, not the tree before the button.
    response["HX-Trigger-After-Swap"] = "rules-changed"
    return response


@require_POST
@login_required
def rule_preview_view(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    """The live size, and each condition's problems swapped in beside it."""
    segment = _editable(request, segment_id)
    definition = definition_from_form(request.POST)
    context: dict = {"size": None, "problems": [], "timed_out": ""}
    try:
        context["size"] = rule_segment_preview(definition=definition, actor=request.user, segment=segment)
    except DefinitionInvalid as invalid:
        context["problems"] = invalid.errors
    except PreviewTimedOut as slow:
        context["timed_out"] = str(slow)
    found = errors_by_key(context["problems"])
    context["error_slots"] = [(key, found.get(key, [])) for key in node_keys(definition)]
    return render(request, "segments/_rule_preview.html", context)


def _editable(request: HttpRequest, segment_id: int | None) -> Segment | None:
    """The segment being edited (404 if hidden), after checking the right to create or change."""
    if segment_id is None:
        if not request.user.has_perm(ADD):
            raise PermissionDenied
        return None
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    return segment


def _edit(request: HttpRequest, *, segment: Segment | None) -> HttpResponse:
    if request.method != "POST":
        initial = (
            {
                "name": segment.name,
                "description": segment.description,
                "refresh_schedule": segment.refresh_schedule,
                "based_on_updated_at": segment.updated_at.isoformat(),
            }
            if segment
            else {}
        )
        definition = segment.definition if segment and segment.definition else blank_definition()
        return _form_page(request, segment, SegmentDetailsForm(initial=initial), definition, [])
    details = SegmentDetailsForm(request.POST, segment=segment)
    definition = definition_from_form(request.POST)
    action = request.POST.get("action", "save")
    if action != "save":  # a builder button, posted without JavaScript: redraw, save nothing
        definition, focus = apply_action(definition, action)
        return _form_page(request, segment, details, definition, [], focus=focus)
    if details.is_valid():
        values = {
            "actor": request.user,
            "name": details.cleaned_data["name"],
            "description": details.cleaned_data["description"],
            "refresh_schedule": details.cleaned_data["refresh_schedule"],
            "definition": definition,
        }
        try:
            saved = (
                rule_segment_update(
                    segment=segment, based_on_updated_at=details.cleaned_data["based_on_updated_at"], **values
                )
                if segment
                else rule_segment_create(**values)
            )
        except DefinitionInvalid:
            pass  # shown beside the conditions below
        except SegmentRefused as refused:
            details.add_error(refused.field if refused.field in details.fields else None, str(refused))
        else:
            messages.success(request, f"“{saved.name}” is saved; its members are being computed.")
            return redirect("segments:segment_detail", saved.id)
    errors = _definition_errors(definition, segment)
    return _form_page(request, segment, details, definition, errors, status=422)


def _definition_errors(definition: dict, segment: Segment | None) -> list[RuleError]:
    try:
        rule_definition_check(definition=definition, segment=segment)
    except DefinitionInvalid as invalid:
        return invalid.errors
    return []


def _builder_context(
    *, definition: dict, errors: list[RuleError], segment: Segment | None, focus: str = ""
) -> dict:
    tree = builder_nodes(definition, errors=errors, segments=segment_choices(exclude=segment), focus=focus)
    suffix = [segment.id] if segment else []
    return {
        "builder": tree,
        "field_groups": field_groups(),
        "event_types": EVENT_TYPE_CHOICES,
        "platforms": PLATFORM_CHOICES,
        "builder_url": reverse("segments:rule_builder", args=suffix),
        "segment": segment,
    }


def _form_page(
    request, segment, details, definition, errors, *, focus: str = "", status: int = 200
) -> HttpResponse:
    context = _builder_context(definition=definition, errors=errors, segment=segment, focus=focus)
    context |= {
        "details_form": details,
        "problem_count": len(errors),
        "preview_url": reverse("segments:rule_preview", args=[segment.id] if segment else []),
    }
    return render(request, "segments/segment_form.html", context, status=status)


urlpatterns = [
    path("segments/new/", rule_segment_create_view, name="rule_segment_create"),
    path("segments/<int:segment_id>/edit/", rule_segment_edit_view, name="rule_segment_edit"),
    path("segments/builder/", rule_builder_view, name="rule_builder"),
    path("segments/<int:segment_id>/builder/", rule_builder_view, name="rule_builder"),
    path("segments/preview/", rule_preview_view, name="rule_preview"),
    path("segments/<int:segment_id>/preview/", rule_preview_view, name="rule_preview"),
]
