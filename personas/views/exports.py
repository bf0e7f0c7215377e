"""Downloads: one persona as JSON, CSV or a PDF card, the gallery as CSV or JSON, and the avatar."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from governance.services.audit import audit_record
from personas.avatar import avatar_svg
from personas.evidence_notes import evidence_notes
from personas.exports import GALLERY_COLUMNS, csv_text, gallery_rows, persona_document, persona_rows
from personas.models import PersonaSegment
from personas.pdf import card_sections, persona_card_pdf
from personas.people_counts import persona_people
from personas.selectors import (
    VIEW,
    persona_get_for_user,
    persona_linked_segments,
    persona_list,
)


@require_GET
@login_required
def persona_export_view(request: HttpRequest, persona_id: int, file_format: str) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    quotes = list(persona.quotes.filter(is_candidate=False).order_by("-said_on", "id"))
    linked = persona_linked_segments(persona=persona)
    name = slugify(persona.name) or f"persona-{persona.id}"
    audit_record(actor=request.user, action=f"persona.exported.{file_format}", subject=persona)
    if file_format == "pdf":
        notes = evidence_notes(persona, quote_ids=[quote.id for quote in quotes])
        content = persona_card_pdf(
            persona=persona,
            sections=card_sections(persona, linked=linked, quotes=quotes),
            notes=list(notes.values()),
            footer=f"Persona Studio · {persona.name} · printed {timezone.localdate():%d %b %Y}",
        )
        return _download(content, "application/pdf", f"{name}.pdf")
    document = persona_document(persona, linked=linked, quotes=quotes, validations=persona.validations.all())
    if file_format == "json":
        return _download(
            json.dumps(document, cls=DjangoJSONEncoder, indent=2), "application/json", f"{name}.json"
        )
    return _download(csv_text(("field", "item", "value"), persona_rows(document)), "text/csv", f"{name}.csv")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def persona_gallery_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    personas = list(
        persona_list(user=request.user, status=request.GET.get("status", "")).order_by("priority", "name")
    )
    people = persona_people(user=request.user, personas=personas)
    names: dict[int, list[str]] = {}
    for persona_id, segment_name in PersonaSegment.objects.filter(persona__in=personas).values_list(
        "persona_id", "segment__name"
    ):
        names.setdefault(persona_id, []).append(segment_name)
    rows = list(gallery_rows(personas, people=people, segment_names=names))
    audit_record(
        actor=request.user, action=f"persona.gallery_exported.{file_format}", details={"personas": len(rows)}
    )
    if file_format == "json":
        content = json.dumps(
            [dict(zip(GALLERY_COLUMNS, row, strict=True)) for row in rows], cls=DjangoJSONEncoder, indent=2
        )
        return _download(content, "application/json", "personas.json")
    return _download(csv_text(GALLERY_COLUMNS, rows), "text/csv", "personas.csv")


@require_GET
@login_required
def persona_avatar_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    response = HttpResponse(avatar_svg(persona.name, 128), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        content,
        content_type=content_type if content_type == "application/pdf" else f"{content_type}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
