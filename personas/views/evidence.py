"""Quotes and validations on a persona page: HTMX posts that return the refreshed section (or, without
JavaScript, a redirect back to the page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from personas.forms_actions import QuoteForm, ValidationForm
from personas.models import Persona, Quote, Validation
from personas.selectors import CHANGE, persona_get_for_user
from personas.services.quotes import (
    quote_create,
    quote_delete,
    quote_keep,
    validation_create,
    validation_delete,
)
from personas.views.gallery import persona_page_context


@require_POST
@login_required
def quote_add_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    form = QuoteForm(request.POST)
    error = ""
    if form.is_valid():
        error = _refusal(lambda: quote_create(persona=persona, actor=request.user, data=form.cleaned_data))
        if not error:
            form = QuoteForm()
    return _section(request, persona, "personas/_quotes.html", quote_form=form, error=error)


@require_POST
@login_required
def quote_keep_view(request: HttpRequest, persona_id: int, quote_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    quote = _quote(persona, quote_id)
    error = _refusal(lambda: quote_keep(quote=quote, actor=request.user))
    return _section(request, persona, "personas/_quotes.html", error=error)


@require_POST
@login_required
def quote_remove_view(request: HttpRequest, persona_id: int, quote_id: int) -> HttpResponse:
    """Discards a candidate or removes a kept quote."""
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    quote = _quote(persona, quote_id)
    error = _refusal(lambda: quote_delete(quote=quote, actor=request.user))
    return _section(request, persona, "personas/_quotes.html", error=error)


@require_POST
@login_required
def validation_add_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    form = ValidationForm(request.POST)
    error = ""
    if form.is_valid():
        error = _refusal(lambda: validation_create(persona=persona, actor=request.user, **form.cleaned_data))
        if not error:
            form = ValidationForm()
    return _section(request, persona, "personas/_validations.html", validation_form=form, error=error)


@require_POST
@login_required
def validation_remove_view(request: HttpRequest, persona_id: int, validation_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
    validation = get_object_or_404(Validation, id=validation_id, persona=persona)
    error = _refusal(lambda: validation_delete(validation=validation, actor=request.user))
    return _section(request, persona, "personas/_validations.html", error=error)


def _refusal(action) -> str:
    """Run a service call; its refusal, if it refused, as one message for the section ("" if not)."""
    try:
        action()
    except ValidationError as problem:
        return " ".join(problem.messages)
    return ""


def _quote(persona: Persona, quote_id: int) -> Quote:
    try:
        quote = Quote.objects.select_related("persona").get(id=quote_id, persona=persona)
    except Quote.DoesNotExist as missing:
        raise Http404("No such quote.") from missing
    quote.persona = persona
    return quote


def _section(
    request: HttpRequest, persona: Persona, template: str, *, error: str = "", **forms
) -> HttpResponse:
    """The refreshed section for HTMX (200 even with form errors, so HTMX swaps them in beside the
    fields); a redirect with the error as a message otherwise."""
    if not request.htmx:
        for form in forms.values():
            error = error or " ".join(
                str(message) for messages_ in form.errors.values() for message in messages_
            )
        if error:
            messages.error(request, error)
        return redirect(persona)
    persona.refresh_from_db()
    context = {**persona_page_context(request.user, persona), **forms, "section_error": error}
    return render(request, template, context)
