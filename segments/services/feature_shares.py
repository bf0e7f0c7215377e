"""The places of the features' share arrays: which key (platform, content format) each one holds.

A run registers the keys it meets for the first time after the known ones; a key keeps its place."""

from django.db import connection, transaction

from segments.models import FeatureShareKey, SharedFeature


def share_positions(feature: str, names: list[str]) -> list[int]:
    """The place of each of these keys in `feature`'s arrays, new keys added after the others.

    Registrations queue behind each other (a table lock that readers do not feel) until the
    transaction that made them ends, so two never hand out one place."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE segments_featuresharekey IN SHARE ROW EXCLUSIVE MODE")
        known = dict(FeatureShareKey.objects.filter(feature=feature).values_list("name", "position"))
        new = [name for name in dict.fromkeys(names) if name not in known]
        first = max(known.values(), default=-1) + 1
        added = {name: first + offset for offset, name in enumerate(new)}
        FeatureShareKey.objects.bulk_create(
            FeatureShareKey(feature=feature, position=position, name=name) for name, position in added.items()
        )
        known.update(added)
    return [known[name] for name in names]


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
