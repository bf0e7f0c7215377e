from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from governance.models import AuditEntry, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change it records, so that the
    entry and the change land or vanish together.

    The subject is named by its `audit_label` when it has one: the log is append-only, so a subject
    that holds personal data (a profile) names itself without it, and erasure leaves nothing behind."""
    entry = AuditEntry(
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        action=action,
        details=details or {},
    )
    if subject is not None:
        entry.subject_type = ContentType.objects.get_for_model(subject)
        entry.subject_id = str(subject.pk)
        entry.subject_label = str(getattr(subject, "audit_label", subject))[:255]
    entry.save()
    return entry
