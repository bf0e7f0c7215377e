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


def identifier_hash_sql(kind_sql: str, value_sql: str) -> str:
    """identifier_hash computed by PostgreSQL over columns, for set-based checks of a whole import;
    the query must pass erasure_salt() as the parameter %(erasure_salt)s."""
    return (
        "encode(sha256(%(erasure_salt)s::bytea || '\\x00'::bytea || convert_to("
        f"{kind_sql}, 'UTF8') || '\\x00'::bytea || convert_to({value_sql}, 'UTF8')), 'hex')"
    )


def erasure_salt() -> bytes:
    return settings.ERASURE_HASH_SALT.encode()


def external_id_kind(*, source_id: int) -> str:
    """The tombstone kind of a source's customer ids (profile_erase records them so)."""
    return f"external_id:{source_id}"
