"""First loads: rows bound for a source that holds none of their kind yet can only be new, so they
go straight into the product's tables by COPY, with no staging table and no merge.

- Events: each row's person is found in a map of the profile source's customer ids, read once at
  the start. Rows keyed by email, phone or handle are left to the merge.
- Profiles: ids are taken from the table's sequence on a connection of their own (so the thread
  preparing the next chunk can number its rows while the import's transaction writes the last
  one), and each chunk is three COPYs: profiles, identities, consents. Erased people are recognised
  in Python by the same salted hashes the merge compares.

Both are chosen only for a file of DIRECT_MIN_BYTES or more, and only while the import holds the
source's lock, so nothing else adds to the source meanwhile."""

import io
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg2.errors
from django.db import connection

from segments.importing.mapping import CONSENT_FIELDS, IDENTIFIER_FIELDS
from segments.models import ErasureTombstone
from segments.services import import_sql
from segments.services.copy_csv import copy_in, csv_of_columns
from segments.services.copy_out import copy_out, parse_fixed
from segments.services.tombstones import identifier_hash

# Below this size a file is not worth the set-up: reading every customer id, a second connection.
DIRECT_MIN_BYTES = 4 * 1024**2
# A first load has no join per chunk, so its chunks stay small: the last one, which PostgreSQL
# takes alone after reading has ended, is short.
DIRECT_CHUNK_ROWS = 200_000
PROFILE_COPY_COLUMNS = (
    "id",
    "source_id",
    "external_id",
    *import_sql.PROFILE_TEXT,
    "birth_year",
    "created_at",
)
PROFILE_COPY = (
    f"COPY segments_profile ({', '.join(PROFILE_COPY_COLUMNS)}) FROM STDIN "
    f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(import_sql.PROFILE_TEXT)}))"
)
IDENTITY_COPY = "COPY segments_identity (profile_id, kind, value) FROM STDIN WITH (FORMAT csv)"
CONSENT_COPY_COLUMNS = "profile_id, purpose, granted, source_id, recorded_at"
CONSENT_COPY = f"COPY segments_consent ({CONSENT_COPY_COLUMNS}) FROM STDIN WITH (FORMAT csv)"


class PeopleErasedMeanwhile(Exception):
    """A person whose events a first load was writing was erased after their id was read."""


@dataclass
class DirectChunk:
    """A chunk ready for its COPYs, in order, and the rows they insert."""

    copies: list[tuple[str, bytes]]
    inserted: int
    unknown: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # events: key by row


def source_is_empty(cursor, *, table: str, source_id: int) -> bool:
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table} WHERE source_id = %s)", [source_id])
    return cursor.fetchone()[0]


def direct_chunk_write(cursor, params: dict, chunk: DirectChunk) -> tuple[int, int]:
    """(inserted, rejected): the chunk's COPYs, and its unknown people rejected with a reason."""
    try:
        for sql, data in chunk.copies:
            copy_in(cursor, sql, data)
    except psycopg2.errors.ForeignKeyViolation as error:  # the statement-level check on events
        raise PeopleErasedMeanwhile(
            "some people in this file were erased while it was importing. Start it again."
        ) from error
    unknown = chunk.unknown
    if len(unknown):
        cursor.execute(
            import_sql.UNKNOWN_CUSTOMERS_REJECT,
            {**params, "rows": unknown.index.tolist(), "keys": unknown.tolist()},
        )
    return chunk.inserted, len(unknown)


@dataclass(frozen=True)
class DirectEvents:
    """What a first load of events needs: the source, and the profile id of each customer id."""

    source_id: int
    profile_ids: pd.Series  # index: customer ids of the profile source

    @classmethod
    def read(cls, cursor, *, source_id: int, profile_source_id: int) -> "DirectEvents":
        raw = copy_out(
            f"SELECT external_id, id FROM segments_profile WHERE source_id = {int(profile_source_id)}",
            "FORMAT csv",
            cursor=cursor.cursor,
        )
        frame = pd.read_csv(
            io.BytesIO(raw), names=["key", "id"], dtype={"key": str, "id": np.int64}, keep_default_na=False
        )
        return cls(source_id, pd.Series(frame["id"].to_numpy(), index=pd.Index(frame["key"], dtype=object)))

    def chunk(self, clean: pd.DataFrame) -> DirectChunk:
        """The events of the rows whose person is known; the customer ids of the rest."""
        found = self.profile_ids.index.get_indexer(clean["profile_key"])
        known = found >= 0
        everyone = bool(known.all())
        profile_ids = self.profile_ids.to_numpy()[found if everyone else found[known]]
        columns = [
            np.fromiter(map(str, profile_ids.tolist()), dtype=object, count=len(profile_ids)),
            np.full(len(profile_ids), str(self.source_id), dtype=object),
        ]
        for name in import_sql.EVENT_COPY_COLUMNS[2:]:
            values = clean[name].to_numpy(dtype=object)
            columns.append(values if everyone else values[known])
        copies = [(import_sql.EVENT_COPY, csv_of_columns(columns))]
        return DirectChunk(copies, inserted=len(profile_ids), unknown=clean["profile_key"][~known])


class DirectProfiles:
    """A first load of profiles: numbers each chunk's people, recognises the erased ones, and makes
    the rows of profiles, identities and consents. close() when the import ends."""

    def __init__(self, *, source_id: int, now: datetime, external_kind: str, mapped: set[str]) -> None:
        self.source_id, self.created_at = str(source_id), now.isoformat()
        self.identifiers = [name for name in IDENTIFIER_FIELDS if name in mapped]
        self.consents = [name for name in CONSENT_FIELDS if name in mapped]
        checked = {external_kind: "external_id", **{name: name for name in self.identifiers}}
        erased = ErasureTombstone.objects.filter(kind__in=list(checked)).values_list(
            "kind", "identifier_hash"
        )
        self.erased: dict[str, set[str]] = {}
        for kind, digest in erased:
            self.erased.setdefault(kind, set()).add(digest)
        self.erased_columns = {kind: checked[kind] for kind in self.erased}
        self._ids = None  # a connection of its own, opened by the preparing thread

    def erased_rows(self, clean: pd.DataFrame) -> np.ndarray:
        """Which rows name an erased person by any identifier."""
        erased = np.zeros(len(clean), dtype=bool)
        for kind, column in self.erased_columns.items():
            values = clean[column].to_numpy(dtype=object)
            present = np.flatnonzero(~pd.isna(values))
            digests = [identifier_hash(kind=kind, value=value) for value in values[present]]
            erased[present[np.fromiter(map(self.erased[kind].__contains__, digests), dtype=bool)]] = True
        return erased

    def chunk(self, clean: pd.DataFrame) -> DirectChunk:
        if clean.empty:
            return DirectChunk([], inserted=0)
        ids = self._take_ids(len(clean))
        id_text = np.fromiter(map(str, ids.tolist()), dtype=object, count=len(ids))
        count = len(clean)
        profiles = [id_text, np.full(count, self.source_id, dtype=object)]
        profiles += [clean[name].to_numpy(dtype=object) for name in ("external_id", *import_sql.PROFILE_TEXT)]
        profiles += [
            clean["birth_year"].to_numpy(dtype=object),
            np.full(count, self.created_at, dtype=object),
        ]
        copies = [(PROFILE_COPY, csv_of_columns(profiles))]
        identities = [
            _present([id_text, np.full(count, kind, dtype=object), clean[kind].to_numpy(dtype=object)])
            for kind in self.identifiers
        ]
        consents = [
            _present(
                [
                    id_text,
                    np.full(count, name.removeprefix("consent_"), dtype=object),
                    clean[name].to_numpy(dtype=object),
                    np.full(count, self.source_id, dtype=object),
                    np.full(count, self.created_at, dtype=object),
                ]
            )
            for name in self.consents
        ]
        for sql, parts in ((IDENTITY_COPY, identities), (CONSENT_COPY, consents)):
            if parts:
                copies.append(
                    (sql, csv_of_columns([np.concatenate(column) for column in zip(*parts, strict=True)]))
                )
        return DirectChunk(copies, inserted=count)

    def close(self) -> None:
        if self._ids is not None:
            self._ids.close()

    def _take_ids(self, count: int) -> np.ndarray:
        """Ids from the profiles' sequence: taken on another connection, they are never handed out
        twice, whatever becomes of this import's transaction."""
        if self._ids is None:
            self._ids = connection.get_new_connection(connection.get_connection_params())
            self._ids.autocommit = True
        with self._ids.cursor() as cursor:
            raw = copy_out(
                "SELECT nextval(pg_get_serial_sequence('segments_profile', 'id')) "
                f"FROM generate_series(1, {int(count)})",
                cursor=cursor,
            )
        return parse_fixed(raw, [("id", ">i8")])["id"].astype(np.int64)


def _present(columns: list[np.ndarray]) -> list[np.ndarray]:
    """The rows that have a value (an identifier, a consent answer) in the third column."""
    keep = ~pd.isna(columns[2])
    return [column[keep] for column in columns]
