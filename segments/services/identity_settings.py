"""What admins configure for identity resolution: the identifier trust order and blocked values."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from governance.models import User
from governance.services.audit import audit_record
from segments.identity_selectors import HANDLE_KINDS
from segments.ml.identifiers import normalise_email, normalise_handle, normalise_phone, phone_region
from segments.models import BlockedIdentifier, IdentifierPolicy, IdentityKind


class SettingRefused(Exception):
    """The value cannot be stored; the message says why."""


@dataclass(frozen=True)
class PolicyChoice:
    kind: str
    priority: int
    merges: bool


def identifier_policies_set(*, choices: list[PolicyChoice], actor: User) -> list[IdentifierPolicy]:
    """Store the trust order. Priorities are renumbered 1, 2, 3 … in the order given (ties keep the
    order of the list), so the stored order is always a clean ranking."""
    kinds = [choice.kind for choice in choices]
    if len(set(kinds)) != len(kinds) or not set(kinds) <= set(IdentityKind.values):
        raise SettingRefused("Each identifier kind must appear once.")
    ordered = sorted(enumerate(choices), key=lambda pair: (pair[1].priority, pair[0]))
    with transaction.atomic():
        policies = [
            IdentifierPolicy.objects.update_or_create(
                kind=choice.kind, defaults={"priority": rank, "merges": choice.merges}
            )[0]
            for rank, (_, choice) in enumerate(ordered, start=1)
        ]
        audit_record(
            actor=actor,
            action="identity.policy_changed",
            details={"order": [p.kind for p in policies], "merging": [p.kind for p in policies if p.merges]},
        )
    return policies


def blocked_value_normalise(*, kind: str, value: str, region: str = "GB") -> str:
    """The value as identities store it, so that the block matches them."""
    if kind == IdentityKind.EMAIL:
        normalised = normalise_email(value)
    elif kind == IdentityKind.PHONE:
        try:
            normalised = normalise_phone(value, default_region=phone_region(region))
        except ValueError as unknown_region:
            raise SettingRefused(str(unknown_region)) from unknown_region
    elif kind in HANDLE_KINDS:
        normalised = normalise_handle(value)
    else:
        normalised = value.strip() or None
    if normalised is None:
        raise SettingRefused(f"“{value}” is not a valid {IdentityKind(kind).label.lower()}.")
    return normalised


def blocked_identifier_add(
    *, kind: str, value: str, reason: str, actor: User, region: str = "GB"
) -> BlockedIdentifier:
    normalised = blocked_value_normalise(kind=kind, value=value, region=region)
    try:
        with transaction.atomic():
            blocked = BlockedIdentifier.objects.create(kind=kind, value=normalised, reason=reason)
            audit_record(actor=actor, action="identity.value_blocked", subject=blocked)
    except IntegrityError as duplicate:
        raise SettingRefused(f"{normalised} is already blocked.") from duplicate
    return blocked


def blocked_identifier_update(*, blocked: BlockedIdentifier, reason: str, actor: User) -> BlockedIdentifier:
    with transaction.atomic():
        blocked.reason = reason
        blocked.save(update_fields=["reason"])
        audit_record(actor=actor, action="identity.block_changed", subject=blocked)
    return blocked


def blocked_identifier_remove(*, blocked: BlockedIdentifier, actor: User) -> None:
    """Unblocking merges nothing by itself: the next resolve run may use the value again."""
    with transaction.atomic():
        audit_record(actor=actor, action="identity.value_unblocked", subject=blocked)
        blocked.delete()
