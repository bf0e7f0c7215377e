"""What erasure leaves behind: salted hashes of an erased person's identifiers, so that a later
import of the same person is recognised and refused without the product keeping who they were."""

import hashlib
from collections.abc import Iterable

from django.conf import settings

from segments.models import ErasureTombstone


def identifier_hash(*, kind: str, value: str) -> str:
    """`value` must already be normalised (segments.ml.identifiers)."""
    salted = f"{settings.ERASURE_HASH_SALT}\x00{kind}\x00{value}".encode()
    return hashlib.sha256(salted).hexdigest()


def tombstones_record(*, identifiers: Iterable[tuple[str, str]]) -> None:
    """Record (kind, normalised value) pairs as erased."""
    rows = {(kind, identifier_hash(kind=kind, value=value)) for kind, value in identifiers}
    ErasureTombstone.objects.bulk_create(
        [ErasureTombstone(kind=kind, identifier_hash=digest) for kind, digest in rows], ignore_conflicts=True
    )


def erased_hashes(*, kind: str, hashes: Iterable[str]) -> set[str]:
    """Which of these hashes belong to erased people."""
    return set(
        ErasureTombstone.objects.filter(kind=kind, identifier_hash__in=list(hashes)).values_list(
            "identifier_hash", flat=True
        )
    )
