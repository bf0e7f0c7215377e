"""The advisory lock that the reference triggers share (segments migrations 0009, 0010 and 0012).

Writes of rows that refer to a table take it shared, in their statement-level check; deletes from
that table take it exclusively, so a delete and a write that refers to the deleted row never pass
each other unseen. Code that must not interleave with them takes the same lock up front."""

REFERENCES_LOCK = 7_311  # pg_advisory_xact_lock namespace; the second key is the table's oid


def references_lock(cursor, table: str, *, shared: bool) -> None:
    """Hold the table's lock until the end of the transaction."""
    take = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    cursor.execute(f"SELECT {take}(%s, %s::regclass::oid::int)", [REFERENCES_LOCK, table])
