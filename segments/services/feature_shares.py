"""The places of the features' share arrays: which key (platform, content format) each one holds.

A run registers the keys it meets for the first time after the known ones; a key keeps its place."""

from django.db import connection, transaction

from segments.models import SharedFeature

# Lock waits beyond this fail the registration (and the run) rather than queue behind another run.
REGISTER_LOCK_TIMEOUT = "60s"


def share_positions(feature: str, names: list[str]) -> list[int]:
    """The place of each of these keys in `feature`'s arrays, new keys added after the others.

    Registrations queue behind each other (a table lock that readers do not feel), so two never
    hand out one place. In a REPEATABLE READ transaction (the feature job's), whose snapshot may be
    older than keys another run has added since, they are registered on a connection of their own
    and committed at once: keys only ever grow, so one registered by a run that then fails does no
    harm."""
    if _keeps_its_snapshot():
        own = connection.get_new_connection(connection.get_connection_params())
        try:
            with own, own.cursor() as cursor:  # commits on leaving
                places = _registered(cursor, feature, names)
        finally:
            own.close()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            places = _registered(cursor, feature, names)
    return [places[name] for name in names]


def _keeps_its_snapshot() -> bool:
    """Whether this connection is in a transaction that reads from one snapshot throughout."""
    if not connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        return cursor.fetchone()[0] != "read committed"


def _registered(cursor, feature: str, names: list[str]) -> dict[str, int]:
    cursor.execute(f"SET LOCAL lock_timeout = '{REGISTER_LOCK_TIMEOUT}'")
    cursor.execute("LOCK TABLE segments_featuresharekey IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT name, position FROM segments_featuresharekey WHERE feature = %s", [feature])
    known = dict(cursor.fetchall())
    first = max(known.values(), default=-1) + 1
    new = [name for name in dict.fromkeys(names) if name not in known]
    added = {name: first + offset for offset, name in enumerate(new)}
    cursor.executemany(
        "INSERT INTO segments_featuresharekey (feature, position, name) VALUES (%s, %s, %s)",
        [(feature, position, name) for name, position in added.items()],
    )
    return {**known, **added}


def shares_array(feature: str, shares: dict[str, float]) -> list[float]:
    """One profile's shares by key as the array ProfileFeatures stores, e.g. for a hand-made row."""
    positions = share_positions(feature, list(shares))
    array = [0.0] * (max(positions, default=-1) + 1)
    for position, share in zip(positions, shares.values(), strict=True):
        array[position] = float(share)
    return array


def share_arrays(channel_mix: dict[str, float], format_affinity: dict[str, float]) -> dict[str, list[float]]:
    """ProfileFeatures' `channel_shares` and `format_shares` for shares given by key."""
    return {
        "channel_shares": shares_array(SharedFeature.CHANNEL_MIX, channel_mix),
        "format_shares": shares_array(SharedFeature.FORMAT_AFFINITY, format_affinity),
    }
