"""Probabilistic identity matching: blocking, pair scoring and the thresholds, in one place.

A person is a row of `people` (id, first_name, last_name, city, birth_year) and their handles, a frame
(id, handle) of any platform. Pairs come from blocking rules that keep counts small; each pair is
compared field by field into agreement levels, and the levels add up as Fellegi-Sunter log2 weights
into a match probability. The weights are priors set by hand (how much more often a level occurs
among true matches than among random pairs), not fitted to the benchmark that measures them.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

# Pairs at or above this probability wait for a person in the review queue; below it nothing happens.
REVIEW_THRESHOLD = 0.80
# Pairs at or above this are marked strong in the queue; they are still merged only by a reviewer.
STRONG_THRESHOLD = 0.97
# Blocks larger than this are split by a longer key; still larger ones are skipped (counted).
MAX_BLOCK_SIZE = 100
# Bounds memory: pairs are generated and scored in chunks of about this many.
PAIR_CHUNK = 2_000_000
# log2(prior odds) that two people in one block are the same person.
PRIOR_LOG_ODDS = -6.5

MISSING, EXACT, CLOSE, PARTIAL, DIFFERENT = "missing", "exact", "close", "partial", "different"
LEVELS = (MISSING, DIFFERENT, PARTIAL, CLOSE, EXACT)  # pairs carry the index: weaker levels lower
WEIGHTS: dict[str, dict[str, float]] = {
    "first_name": {EXACT: 4.0, CLOSE: 2.5, PARTIAL: -1.0, DIFFERENT: -3.0, MISSING: 0.0},
    "last_name": {EXACT: 5.0, CLOSE: 3.0, PARTIAL: -2.0, DIFFERENT: -4.0, MISSING: 0.0},
    "city": {EXACT: 2.5, CLOSE: 1.5, PARTIAL: 1.5, DIFFERENT: -1.5, MISSING: 0.0},
    "birth_year": {EXACT: 3.0, CLOSE: 0.5, PARTIAL: 0.5, DIFFERENT: -4.0, MISSING: 0.0},
    "handle": {EXACT: 6.0, CLOSE: 3.0, PARTIAL: 0.0, DIFFERENT: -1.0, MISSING: 0.0},
}
# Close names agree by Jaro-Winkler and by edit distance: Jaro-Winkler alone rewards a long shared
# prefix (Johnson, Johnston), edit distance alone misses transposed letters.
NAME_CLOSE = (0.92, 80.0)
NAME_PARTIAL = 0.80
# The exact-agreement weights above hold for values no more common than these shares of the people.
# Agreeing on a commoner value says less (two John Smiths in London are often two people): the weight
# drops by log2(share / typical share). It never rises: rare values do not earn extra credit.
TYPICAL_SHARE = {"first_name": 0.01, "last_name": 0.005, "city": 0.02}
MIN_OTHER_HOLDERS = 5
FIELDS = tuple(WEIGHTS)
_WEIGHT_TABLE = {field: np.array([WEIGHTS[field][level] for level in LEVELS]) for field in FIELDS}
_M, _D, _P, _C, _E = range(len(LEVELS))


@dataclass(frozen=True)
class BlockingRule:
    """Pairs share every column of `keys[0]`; blocks too big for it are split by `keys[1]`, then on."""

    name: str
    keys: tuple[tuple[str, ...], ...]


BLOCKING_RULES = (
    BlockingRule(
        "birth year and last-name initial", (("birth_year", "last_1"), ("birth_year", "last_1", "first_1"))
    ),
    BlockingRule("city and first-name initial", (("city", "first_1"), ("city", "first_1", "last_1"))),
    BlockingRule(
        "birth year and both initials, in either order",
        (("birth_year", "initials"), ("birth_year", "initials", "city")),
    ),
    BlockingRule("similar handles or email names", (("handle_6",), ("handle_6", "first_1"), ("handle",))),
)


@dataclass(frozen=True)
class MatchResult:
    candidates: pd.DataFrame  # a < b, score, and one level column per field
    pairs_compared: int
    blocks_skipped: int


def _clean(values: pd.Series) -> pd.Series:
    """Lower case, accents and punctuation removed: names and cities compare on their letters."""

    def clean(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return " ".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())

    return values.fillna("").astype(str).map(clean)


def _handle_key(values: pd.Series) -> pd.Series:
    """Separators dropped, digits kept: ada.king85 and ada_king85 agree, ada.king85 and adaking12 do not."""
    return values.fillna("").astype(str).str.lower().str.replace(r"[^a-z0-9]", "", regex=True)


def prepare_people(people: pd.DataFrame, handles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cleaned fields and blocking keys; one row per person and one per (person, handle key)."""
    frame = pd.DataFrame({"id": people["id"].astype("int64")})
    for column in ("first_name", "last_name", "city"):
        frame[column] = _clean(people[column]).to_numpy()
    years = pd.to_numeric(people["birth_year"], errors="coerce")
    frame["birth_year"] = years.fillna(0).astype("int64").to_numpy()  # 0: not known
    for column in TYPICAL_SHARE:
        # How common the value is among other people: the pair being compared holds it twice itself,
        # and would otherwise make any value look common in a small population.
        # Below a few other holders a share says nothing yet (a small population), so no discount.
        others = frame[column].map(frame[column].value_counts()).to_numpy() - 2
        share = np.where(others >= MIN_OTHER_HOLDERS, others, 0) / max(len(frame), 1)
        with np.errstate(divide="ignore"):
            frame[f"{column}_discount"] = np.minimum(0.0, np.log2(TYPICAL_SHARE[column] / share))
    frame["first_1"] = frame["first_name"].str[:1]
    frame["last_1"] = frame["last_name"].str[:1]
    # Both initials in alphabetical order: the same key when first and last name were swapped.
    initials = np.sort(np.stack([frame["first_1"].to_numpy(), frame["last_1"].to_numpy()]), axis=0)
    frame["initials"] = np.where((initials[0] == "") | (initials[1] == ""), "", initials[0] + initials[1])
    keyed = pd.DataFrame({"id": handles["id"].astype("int64"), "handle": _handle_key(handles["handle"])})
    keyed = keyed[keyed["handle"].str.len() >= 3].drop_duplicates()
    return frame, keyed


def _present(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    known = np.ones(len(frame), dtype=bool)
    for column in columns:
        values = frame[column].to_numpy()
        known &= values != (0 if values.dtype.kind in "iu" else "")
    return known


def _blocks(frame: pd.DataFrame, rule: BlockingRule) -> tuple[list[pd.DataFrame], int]:
    """Rows grouped into blocks of at most MAX_BLOCK_SIZE, each frame with a numbered `block`; and how
    many blocks were still too big at the rule's longest key (skipped)."""
    pending, done, oversized, numbered = frame, [], 0, 0
    for keys in rule.keys:
        usable = pending[_present(pending, keys)]
        block = usable.groupby(list(keys), sort=False).ngroup().to_numpy() + numbered
        numbered = int(block.max()) + 1 if len(block) else numbered
        sizes = np.bincount(block)[block] if len(block) else block
        small = (sizes > 1) & (sizes <= MAX_BLOCK_SIZE)
        done.append(usable[small].assign(block=block[small]))
        pending = usable[sizes > MAX_BLOCK_SIZE]
        oversized = len(np.unique(block[sizes > MAX_BLOCK_SIZE]))
    return done, oversized


def _pairs_in(blocked: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Every pair (a < b) within each block, in chunks of about PAIR_CHUNK."""
    if blocked.empty:
        return
    blocked = blocked[["id", "block"]].drop_duplicates().sort_values("block")
    sizes = blocked.groupby("block", sort=True).size()
    chunk_of_block = ((sizes**2).cumsum() // PAIR_CHUNK).rename("chunk")
    blocked = blocked.join(chunk_of_block, on="block")
    for _, part in blocked.groupby("chunk", sort=True):
        pairs = part.merge(part, on="block", suffixes=("_a", "_b"))
        pairs = pairs[pairs["id_a"] < pairs["id_b"]]
        yield pd.DataFrame({"a": pairs["id_a"].to_numpy(), "b": pairs["id_b"].to_numpy()})


def _similarity(left: np.ndarray, right: np.ndarray, scorer) -> np.ndarray:
    return np.asarray(process.cpdist(left, right, scorer=scorer, workers=-1))


def _levels(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Name agreement: exact, close, partial or different (and missing) per pair, as level codes."""
    winkler = _similarity(left, right, JaroWinkler.normalized_similarity)
    close = (winkler >= NAME_CLOSE[0]) & (left != right)
    close[close] = _similarity(left[close], right[close], fuzz.ratio) >= NAME_CLOSE[1]  # only where it counts
    return np.select(
        [(left == "") | (right == ""), left == right, close, winkler >= NAME_PARTIAL], [_M, _E, _C, _P], _D
    ).astype(np.int8)


def _city_levels(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    close = _similarity(left, right, JaroWinkler.normalized_similarity) >= 0.90
    return np.select([(left == "") | (right == ""), left == right, close], [_M, _E, _C], _D).astype(np.int8)


def _name_levels(left: pd.DataFrame, right: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last name levels; names entered the other way round compare crosswise."""
    first_a, last_a = left["first_name"].to_numpy(), left["last_name"].to_numpy()
    first_b, last_b = right["first_name"].to_numpy(), right["last_name"].to_numpy()
    first, last = _levels(first_a, first_b), _levels(last_a, last_b)
    # Worth comparing crosswise only where the straight comparison is weak and the initials cross.
    maybe = (np.minimum(first, last) < _C) & (left["first_1"].to_numpy() == right["last_1"].to_numpy())
    maybe &= left["last_1"].to_numpy() == right["first_1"].to_numpy()
    crossed_first, crossed_last = (
        _levels(first_a[maybe], last_b[maybe]),
        _levels(last_a[maybe], first_b[maybe]),
    )
    swapped = np.zeros(len(first), dtype=bool)
    swapped[maybe] = (crossed_first.astype(int) + crossed_last > first[maybe].astype(int) + last[maybe]) & (
        np.minimum(crossed_first, crossed_last) >= _C
    )
    first, last = first.copy(), last.copy()
    first[maybe] = np.where(swapped[maybe], crossed_first, first[maybe])
    last[maybe] = np.where(swapped[maybe], crossed_last, last[maybe])
    return first, last, swapped


def _year_levels(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Equal, one digit apart (a typo or a year off by one), or different."""
    differing = sum(((left // 10**place) % 10) != ((right // 10**place) % 10) for place in range(4))
    return np.select([(left == 0) | (right == 0), left == right, differing == 1], [_M, _E, _C], _D).astype(
        np.int8
    )


def _handle_levels(pairs: pd.DataFrame, handles: pd.DataFrame) -> np.ndarray:
    """The best agreement between any handle of a and any handle of b (platforms may differ)."""
    levels = np.full(len(pairs), _M, dtype=np.int8)
    if handles.empty or pairs.empty:
        return levels
    indexed = pairs[["a", "b"]].reset_index(drop=True).rename_axis("pair").reset_index()
    crossed = indexed.merge(handles.rename(columns={"id": "a", "handle": "ha"}), on="a").merge(
        handles.rename(columns={"id": "b", "handle": "hb"}), on="b"
    )
    if crossed.empty:
        return levels
    similarity = np.asarray(
        process.cpdist(crossed["ha"].tolist(), crossed["hb"].tolist(), scorer=fuzz.ratio, workers=-1)
    )
    # Handles made of a name differ by their number, if anything: a different number is a different
    # person however alike the letters (hugomiller31, hugomiller76).
    same_number = crossed["ha"].str.replace(r"\D", "", regex=True) == crossed["hb"].str.replace(
        r"\D", "", regex=True
    )
    crossed["level"] = np.select(
        [crossed["ha"] == crossed["hb"], (similarity >= 85) & same_number.to_numpy()], [_E, _C], _D
    )
    best = crossed.groupby("pair")["level"].max()
    levels[best.index.to_numpy()] = best.to_numpy()
    return levels


def score_pairs(people: pd.DataFrame, handles: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs (a, b) of prepared people with a level code per field and the match probability `score`."""
    indexed = people.set_index("id")
    left = indexed.loc[pairs["a"]].reset_index(drop=True)
    right = indexed.loc[pairs["b"]].reset_index(drop=True)
    scored = pairs[["a", "b"]].reset_index(drop=True)
    scored["first_name"], scored["last_name"], scored["names_swapped"] = _name_levels(left, right)
    scored["city"] = _city_levels(left["city"].to_numpy(), right["city"].to_numpy())
    scored["birth_year"] = _year_levels(left["birth_year"].to_numpy(), right["birth_year"].to_numpy())
    scored["handle"] = _handle_levels(scored, handles)
    log_odds = np.full(len(scored), PRIOR_LOG_ODDS)
    for field in FIELDS:
        log_odds += _WEIGHT_TABLE[field][scored[field].to_numpy()]
    for field in TYPICAL_SHARE:  # swapped names: the discount of the left side's own field, close enough
        log_odds += np.where(scored[field].to_numpy() == _E, left[f"{field}_discount"].to_numpy(), 0.0)
    scored["score"] = 1.0 / (1.0 + np.exp2(-log_odds))
    return scored


def level_names(scored: pd.DataFrame) -> pd.DataFrame:
    """The same pairs with each field's level code spelt out (exact, close, …)."""
    names = np.array(LEVELS, dtype=object)
    return scored.assign(**{field: names[scored[field].to_numpy(dtype=int)] for field in FIELDS})


def match_candidates(
    people: pd.DataFrame, handles: pd.DataFrame, *, threshold: float = REVIEW_THRESHOLD
) -> MatchResult:
    """Pairs of people scoring at least `threshold`, best first. `people` has id, first_name,
    last_name, city, birth_year; `handles` has id, handle (one row per handle, any platform)."""
    prepared, keyed = prepare_people(people, handles)
    with_handles = keyed.merge(prepared.drop(columns="handle", errors="ignore"), on="id")
    with_handles["handle_6"] = with_handles["handle"].str[:6]
    found, compared, skipped = [], 0, 0
    for rule in BLOCKING_RULES:
        source = with_handles if "handle_6" in rule.keys[0] else prepared
        blocks, rule_skipped = _blocks(source, rule)
        skipped += rule_skipped
        for pairs in _pairs_in(pd.concat(blocks, ignore_index=True) if blocks else source.iloc[:0]):
            compared += len(pairs)
            scored = score_pairs(prepared, keyed, pairs)
            found.append(scored[scored["score"] >= threshold])
    columns = ["a", "b", *FIELDS, "names_swapped", "score"]
    found = [frame for frame in found if len(frame)]
    if not found:
        empty = {"a": "int64", "b": "int64", **dict.fromkeys(FIELDS, object), "names_swapped": bool}
        candidates = pd.DataFrame({column: pd.Series(dtype=kind) for column, kind in empty.items()})
        candidates["score"] = pd.Series(dtype=float)
    else:
        candidates = level_names(pd.concat(found, ignore_index=True))
    candidates = candidates.drop_duplicates(["a", "b"]).sort_values(
        ["score", "a", "b"], ascending=[False, True, True]
    )
    return MatchResult(
        candidates=candidates[columns].reset_index(drop=True), pairs_compared=compared, blocks_skipped=skipped
    )
