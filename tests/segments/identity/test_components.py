"""Deterministic linking on small frames, without a database."""

import pandas as pd

from segments.ml import identity_components
from segments.ml.identity_components import link_people

PRIORITY = {"crm_id": 1, "email": 2, "phone": 3, "instagram": 4}
NOBODY_APART = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="int64")})


def identities(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person", "kind", "value"])
    return frame.assign(priority=frame["kind"].map(PRIORITY))


def merges_of(linkage) -> set[tuple[int, int]]:
    return {(row.absorbed, row.survivor) for row in linkage.merges.itertuples()}


def test_links_chain_across_kinds_and_the_best_ranked_profile_survives():
    frame = identities(
        (1, "email", "a@x.io"), (2, "email", "a@x.io"), (2, "phone", "+1555"), (3, "phone", "+1555")
    )
    linkage = link_people(frame, survivor_rank=pd.Series({1: 5, 2: 5, 3: 0}), cannot_link=NOBODY_APART)
    assert merges_of(linkage) == {(1, 3), (2, 3)}


def test_equal_ranks_keep_the_older_profile():
    frame = identities((7, "email", "a@x.io"), (4, "email", "a@x.io"))
    linkage = link_people(frame, survivor_rank=pd.Series({7: 0, 4: 0}), cannot_link=NOBODY_APART)
    assert merges_of(linkage) == {(7, 4)}


def test_the_evidence_is_the_most_trusted_shared_identifier():
    frame = identities(
        (1, "phone", "+1555"), (2, "phone", "+1555"), (1, "email", "a@x.io"), (2, "email", "a@x.io")
    )
    linkage = link_people(frame, survivor_rank=pd.Series(dtype=float), cannot_link=NOBODY_APART)
    assert linkage.merges[["absorbed", "kind", "value"]].values.tolist() == [[2, "email", "a@x.io"]]


def test_two_different_crm_ids_are_never_joined_by_a_weaker_identifier():
    frame = identities(
        (1, "crm_id", "C1"),
        (2, "crm_id", "C2"),
        (3, "email", "family@x.io"),
        (1, "email", "family@x.io"),
        (2, "email", "family@x.io"),
    )
    linkage = link_people(frame, survivor_rank=pd.Series(dtype=float), cannot_link=NOBODY_APART)
    assert merges_of(linkage) == {(3, 1)}  # the third joins the first holder, never both
    assert linkage.links_refused == 1


def test_a_pair_someone_separated_is_not_joined_again_even_through_a_third_profile():
    frame = identities(
        (1, "email", "a@x.io"),
        (2, "email", "a@x.io"),
        (2, "phone", "+1"),
        (3, "phone", "+1"),
        (3, "email", "c@x.io"),
        (1, "email", "c@x.io"),
    )
    apart = pd.DataFrame({"a": [1], "b": [2]})
    linkage = link_people(frame, survivor_rank=pd.Series(dtype=float), cannot_link=apart)
    people_with_1 = {1} | {a for a, s in merges_of(linkage) if s == 1}
    assert not {1, 2} <= people_with_1
    assert linkage.links_refused >= 1


def test_a_value_shared_by_a_crowd_is_skipped(monkeypatch):
    monkeypatch.setattr(identity_components, "MAX_PEOPLE_PER_VALUE", 3)
    frame = identities(*[(person, "email", "info@shop.io") for person in range(1, 6)])
    linkage = link_people(frame, survivor_rank=pd.Series(dtype=float), cannot_link=NOBODY_APART)
    assert linkage.merges.empty and linkage.crowded_values == 1


def test_nobody_shares_anything():
    frame = identities((1, "email", "a@x.io"), (2, "email", "b@x.io"))
    assert link_people(frame, survivor_rank=pd.Series(dtype=float), cannot_link=NOBODY_APART).merges.empty
