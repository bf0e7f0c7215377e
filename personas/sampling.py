"""A uniform, repeatable sample of people by their profile id, shared by every figure read from big
segments. Hashing the id (not drawing at random) keeps a person in or out of the sample in every query,
so samples of two audiences intersect exactly in the sample of their intersection: shares of people
in common estimated this way are unbiased."""

HASH_BUCKETS = 1 << 20
SAMPLE_SIZE = 50_000  # people read from the largest audience of a figure; the others through the same hash


def sample_rate(*, people: int, wanted: int) -> float:
    """The share of people to read so that about `wanted` of `people` are read (all when fewer)."""
    return min(1.0, wanted / people) if people else 1.0


def sample_clause(column: str, rate: float) -> tuple[str, list[int]]:
    """An SQL condition keeping a `rate` share of rows by hashed profile id, with its parameter."""
    return f"(hashint8({column}) & {HASH_BUCKETS - 1}) < %s", [round(rate * HASH_BUCKETS)]
