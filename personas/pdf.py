"""The persona card as a PDF, drawn with ReportLab (pure Python, no browser, no network): a header with
the avatar, name and summary, the record in two columns, and the evidence as numbered footnotes."""

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph, Spacer, Table

from personas.avatar import avatar_for
from personas.evidence_notes import EvidenceNote
from personas.models import Persona

MARGIN, GUTTER, HEADER_HEIGHT = 14 * mm, 6 * mm, 34 * mm
INK, MUTED = colors.HexColor("#1d2433"), colors.HexColor("#5b6475")
# A TrueType font with wide coverage when the system has one; ReportLab's Helvetica otherwise.
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


def _fonts() -> tuple[str, str]:
    if all(Path(path).exists() for path in FONT_FILES):
        if "CardSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("CardSans", FONT_FILES[0]))
            pdfmetrics.registerFont(TTFont("CardSans-Bold", FONT_FILES[1]))
        return "CardSans", "CardSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def persona_card_pdf(
    *, persona: Persona, sections: list[tuple[str, Any, str]], notes: list[EvidenceNote], footer: str
) -> bytes:
    """`sections`: (heading, text or list of texts, evidence key) in card order; empty ones are left out."""
    regular, bold = _fonts()
    style = {
        "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=22, textColor=INK),
        "summary": ParagraphStyle("summary", fontName=regular, fontSize=10, leading=13, textColor=INK),
        "meta": ParagraphStyle("meta", fontName=regular, fontSize=7.5, leading=10, textColor=MUTED),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=8.5, leading=11, textColor=INK, spaceBefore=5
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=8, leading=10.5, textColor=INK),
        "item": ParagraphStyle(
            "item", fontName=regular, fontSize=8, leading=10.5, leftIndent=8, bulletIndent=0
        ),
        "note": ParagraphStyle("note", fontName=regular, fontSize=6.5, leading=8.5, textColor=MUTED),
    }
    by_key = {note.key: note for note in notes}
    buffer = io.BytesIO()
    width, height = A4
    column = (width - 2 * MARGIN - GUTTER) / 2
    body_height = height - 2 * MARGIN - HEADER_HEIGHT
    document = BaseDocTemplate(buffer, pagesize=A4, title=persona.name, author="Persona Studio")
    frames = [
        Frame(
            MARGIN,
            height - MARGIN - HEADER_HEIGHT,
            width - 2 * MARGIN,
            HEADER_HEIGHT,
            id="header",
            showBoundary=0,
        ),
        Frame(MARGIN, MARGIN, column, body_height, id="left"),
        Frame(MARGIN + column + GUTTER, MARGIN, column, body_height, id="right"),
    ]
    later = [
        Frame(MARGIN, MARGIN, column, height - 2 * MARGIN),
        Frame(MARGIN + column + GUTTER, MARGIN, column, height - 2 * MARGIN),
    ]

    def page_footer(canvas, doc) -> None:
        canvas.setFont(regular, 6.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN / 2, f"{footer} · page {doc.page}")

    document.addPageTemplates(
        [
            PageTemplate(id="first", frames=frames, onPage=page_footer, autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=later, onPage=page_footer),
        ]
    )
    story: list = [
        Table(
            [
                [
                    _avatar(persona.name),
                    [
                        Paragraph(escape(persona.name), style["title"]),
                        Paragraph(
                            escape(persona.summary)
                            + (f"<super>{by_key['summary'].number}</super>" if "summary" in by_key else ""),
                            style["summary"],
                        ),
                        Spacer(1, 3),
                        Paragraph(
                            escape(_meta_line(persona)),
                            style["meta"],
                        ),
                    ],
                ]
            ],
            colWidths=[22 * mm, width - 2 * MARGIN - 22 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        ),
        FrameBreak(),
    ]
    for heading, value, key in sections:
        if value in (None, "", [], {}):
            continue
        marker = f"<super>{by_key[key].number}</super>" if key in by_key else ""
        story.append(Paragraph(escape(heading) + marker, style["heading"]))
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = escape(str(item))
            story.append(
                Paragraph(text, style["item"], bulletText="•")
                if isinstance(value, list)
                else Paragraph(text, style["body"])
            )
    if notes:
        story.append(Paragraph("Where the figures come from", style["heading"]))
        story += [Paragraph(escape(f"{note.number}. {note.text}"), style["note"]) for note in notes]
    document.build(story)
    return buffer.getvalue()


def _avatar(name: str) -> Drawing:
    avatar = avatar_for(name)
    size = 18 * mm
    drawing = Drawing(size, size)
    drawing.add(
        Circle(size / 2, size / 2, size / 2, fillColor=colors.HexColor(avatar.background), strokeColor=None)
    )
    bold = _fonts()[1]
    drawing.add(
        String(
            size / 2,
            size / 2 - 7,
            avatar.initials,
            fontName=bold,
            fontSize=20,
            fillColor=colors.white,
            textAnchor="middle",
        )
    )
    return drawing


def card_sections(persona: Persona, *, linked: list, quotes: list) -> list[tuple[str, Any, str]]:
    """The card's fields in reading order: (heading, value, evidence key)."""
    jobs = persona.jobs_to_be_done or {}
    preferences = persona.content_preferences or {}
    stages = persona.journey_notes or {}
    channels = [
        f"{entry.get('channel')} ({float(entry['share']) * 100:.0f}%)"
        if entry.get("share") is not None
        else entry.get("channel")
        for entry in persona.preferred_channels or []
    ]
    return [
        ("Bio", persona.bio, "bio"),
        ("Demographics", persona.demographics_summary, "demographics_summary"),
        ("Goals", persona.goals, "goals"),
        ("Challenges and pain points", persona.challenges, "challenges"),
        ("Motivations", persona.motivations, "motivations"),
        ("Objections", persona.objections, "objections"),
        ("Decision triggers", persona.decision_triggers, "decision_triggers"),
        *(
            (f"Jobs to be done: {kind}", jobs.get(kind), "jobs_to_be_done")
            for kind in ("functional", "social", "emotional")
        ),
        ("Preferred channels", channels, "preferred_channels"),
        ("Tone", preferences.get("tone"), "content_preferences.tone"),
        ("Formats", ", ".join(preferences.get("formats") or []), "content_preferences.formats"),
        ("Frequency", preferences.get("frequency"), "content_preferences.frequency"),
        ("Best days", ", ".join(preferences.get("best_days") or []), "content_preferences.best_days"),
        ("Best hours", ", ".join(preferences.get("best_hours") or []), "content_preferences.best_hours"),
        ("Hashtags", " ".join(preferences.get("hashtags") or []), "content_preferences.hashtags"),
        *(
            (f"Journey: {stage}", stages.get(stage), f"journey_notes.{stage}")
            for stage in ("awareness", "consideration", "decision", "retention")
        ),
        (
            "Quotes",
            [_quote_line(quote) for quote in quotes[:4]],
            "",
        ),
        ("Linked segments", [f"{item.link.segment.name}: {item.size:,} people" for item in linked], ""),
        ("CRM tags", ", ".join(persona.crm_tags), "crm_tags"),
    ]


def _quote_line(quote) -> str:
    said = f", {quote.said_on:%d %b %Y}" if quote.said_on else ""
    return f"“{quote.text}” — {quote.get_source_display()}{said}"


def _meta_line(persona: Persona) -> str:
    review = f" · next review {persona.next_review_on:%d %b %Y}" if persona.next_review_on else ""
    owner = persona.owner.display_name
    return f"{persona.get_status_display()} · owner {owner} · priority {persona.priority}{review}"
