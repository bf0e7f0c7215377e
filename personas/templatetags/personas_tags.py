from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from personas.avatar import avatar_svg

register = template.Library()


@register.simple_tag
def persona_avatar(name: str, size: int = 64) -> SafeString:
    """The avatar inline: drawn here from the name, nothing fetched (avatar_svg escapes the name)."""
    return mark_safe(avatar_svg(name, size))


@register.simple_tag(takes_context=True)
def evidence(context: template.Context, key: str) -> str:
    """The figure behind a data-filled field: a numbered marker whose note shows on hover and focus,
    matching the footnote printed at the bottom of the card. Nothing when the field has no evidence."""
    note = (context.get("evidence") or {}).get(key)
    if note is None:
        return ""
    return format_html(
        '<span class="evidence{}" tabindex="0" aria-describedby="evidence-tip-{}">'
        '<sup>{}</sup><span class="evidence-tip" role="tooltip" id="evidence-tip-{}">{}</span></span>',
        " edited" if note.edited else "",
        note.number,
        note.number,
        note.number,
        note.text,
    )


@register.simple_tag(takes_context=True)
def quote_evidence(context: template.Context, quote) -> str:
    return evidence(context, f"quote:{quote.id}")


@register.filter
def quote_figure(persona, quote) -> str:
    """Why a comment was suggested as a quote (the figure stored when the persona was drafted)."""
    return ((persona.evidence or {}).get("quotes") or {}).get(str(quote.id), "")


@register.filter
def percent(value: float | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def get_item(mapping: dict, key: str):
    return (mapping or {}).get(key)


@register.filter
def get_attr(obj, name: str):
    return getattr(obj, name, None)
