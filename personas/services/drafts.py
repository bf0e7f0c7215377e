"""One action from a segment to a draft persona, every filled field carrying the figure it came from."""

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.models import User
from governance.services.audit import audit_record
from personas.drafting import draft_content
from personas.models import Persona, Quote
from personas.segment_evidence import segment_evidence
from personas.services.records import persona_create
from segments.models import Segment
from segments.segment_selectors import segment_members_visible


def persona_draft_from_segment(*, segment: Segment, actor: User) -> Persona:
    """A draft owned by `actor`, filled from the segment's current version. Members' comments are
    offered as candidate quotes only when the actor may see who is in the segment, and only from
    people who consent."""
    if segment.current_version_id is None:
        raise ValidationError("This segment has no members yet: refresh it before drafting a persona.")
    evidence = segment_evidence(
        segment=segment, with_comments=segment_members_visible(user=actor, segment=segment)
    )
    draft = draft_content(evidence)
    if evidence.quotes_withheld:
        draft.evidence["quotes_withheld"] = {"figure": evidence.quotes_withheld}
    with transaction.atomic():
        persona = persona_create(
            actor=actor,
            data=draft.fields,
            segments=[segment],
            evidence=draft.evidence,
            summary=f"Drafted from segment {segment.name} (version {evidence.version_number})",
        )
        quotes = Quote.objects.bulk_create(
            Quote(
                persona=persona,
                text=comment.text,
                source=Quote.Source.SOCIAL_COMMENT,
                said_on=comment.said_on,
                consent_confirmed=True,
                profile_id=comment.profile_id,
                is_candidate=True,
            )
            for comment, _ in draft.quotes
        )
        persona.evidence["quotes"] = {
            str(quote.id): figure for quote, (_, figure) in zip(quotes, draft.quotes, strict=True)
        }
        persona.save(update_fields=["evidence", "updated_at"])
        audit_record(
            actor=actor,
            action="persona.drafted",
            subject=persona,
            details={
                "segment": segment.id,
                "version": evidence.version_number,
                "candidate_quotes": len(quotes),
            },
        )
    return persona
