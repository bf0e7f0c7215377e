"""Deterministic identity resolution: which people are one person because they share an identifier.

Input is one row per (person, kind, value, priority) for identifier kinds whose policy merges, blocked
values already removed. People sharing a value are linked; links chain (A~B by email, B~C by phone make
one person). Two safeguards keep precision first:
- exclusive kinds (a CRM id): a person has at most one, so a link that would join two people with
  different CRM ids is not made; links are taken in priority order, so a trusted identifier claims a
  person before a weaker one can pull them elsewhere;
- cannot-link pairs (a merge someone undid, a candidate someone rejected) are never joined again.
Most components have neither problem and are found at once with sparse connected components; only
the few that do go through an ordered union-find.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EXCLUSIVE_KINDS = frozenset({"crm_id"})
# A value shared by more people than this is a placeholder nobody blocked yet, not one person.
MAX_PEOPLE_PER_VALUE = 25


@dataclass(frozen=True)
class Linkage:
    merges: pd.DataFrame  # absorbed, survivor, kind, value: the identifier behind each merge
    crowded_values: int  # values skipped as shared by more than MAX_PEOPLE_PER_VALUE people
    links_refused: int  # links not made: exclusive identifiers disagreed or someone said "not the same"


def _shared_links(identities: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """One edge from each person holding a shared value to the value's first holder."""
    holders = identities.drop_duplicates(["person", "kind", "value"])
    people_per_value = holders.groupby(["kind", "value"])["person"].transform("size")
    crowded = holders[people_per_value > MAX_PEOPLE_PER_VALUE][["kind", "value"]].drop_duplicates()
    shared = holders[(people_per_value > 1) & (people_per_value <= MAX_PEOPLE_PER_VALUE)]
    shared = shared.sort_values(["priority", "kind", "value", "person"])
    first = shared.groupby(["kind", "value"])["person"].transform("first")
    edges = shared.assign(first=first)[lambda frame: frame["person"] != frame["first"]]
    edges = edges.rename(columns={"first": "u", "person": "v"})[["u", "v", "kind", "value", "priority"]]
    return edges.reset_index(drop=True), len(crowded)


def _components(nodes: np.ndarray, edges: pd.DataFrame) -> np.ndarray:
    position = pd.Index(nodes)
    u, v = position.get_indexer(edges["u"]), position.get_indexer(edges["v"])
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(len(nodes), len(nodes)))
    return connected_components(graph, directed=False)[1]


class _OrderedUnion:
    """Union-find that refuses a union joining disjoint exclusive values or a cannot-link pair."""

    def __init__(self, exclusive: dict[int, set[str]], cannot: dict[int, set[int]]) -> None:
        self.parent: dict[int, int] = {}
        self.exclusive = exclusive
        self.cannot = cannot

    def find(self, node: int) -> int:
        root = self.parent.get(node, node)
        if root != node:
            root = self.parent[node] = self.find(root)
        return root

    def union(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        values_a, values_b = self.exclusive.get(root_a, set()), self.exclusive.get(root_b, set())
        if values_a and values_b and not values_a & values_b:
            return False
        if any(self.find(other) == root_b for other in self.cannot.get(root_a, ())):
            return False
        self.parent[root_b] = root_a
        self.exclusive[root_a] = values_a | values_b
        self.cannot[root_a] = self.cannot.get(root_a, set()) | self.cannot.get(root_b, set())
        return True


def _careful_labels(edges: pd.DataFrame, exclusive: pd.DataFrame, cannot: pd.DataFrame) -> tuple[dict, int]:
    by_person: dict[int, set[str]] = {}
    for person, value in exclusive.itertuples(index=False):
        by_person.setdefault(int(person), set()).add(value)
    partners: dict[int, set[int]] = {}
    for a, b in cannot.itertuples(index=False):
        partners.setdefault(int(a), set()).add(int(b))
        partners.setdefault(int(b), set()).add(int(a))
    union = _OrderedUnion(by_person, partners)
    refused = sum(not union.union(int(u), int(v)) for u, v in zip(edges["u"], edges["v"], strict=True))
    nodes = pd.unique(edges[["u", "v"]].to_numpy().ravel())
    return {int(node): union.find(int(node)) for node in nodes}, refused


def link_people(identities: pd.DataFrame, *, survivor_rank: pd.Series, cannot_link: pd.DataFrame) -> Linkage:
    """`identities`: person, kind, value, priority (lower is trusted first). `survivor_rank`: per
    person, lower wins; ties go to the lower id. `cannot_link`: pairs a, b never to be joined."""
    edges, crowded = _shared_links(identities)
    empty = pd.DataFrame({"absorbed": [], "survivor": [], "kind": [], "value": []})
    if edges.empty:
        return Linkage(merges=empty, crowded_values=crowded, links_refused=0)
    nodes = np.unique(edges[["u", "v"]].to_numpy())
    label = pd.Series(_components(nodes, edges).astype(np.int64), index=nodes)

    exclusive = identities[identities["kind"].isin(EXCLUSIVE_KINDS) & identities["person"].isin(nodes)]
    exclusive = exclusive[["person", "value"]].drop_duplicates()
    conflicted = exclusive.assign(label=label.loc[exclusive["person"]].to_numpy()).groupby("label")["value"]
    troubled = set(conflicted.nunique()[lambda counts: counts > 1].index)
    cannot = cannot_link[cannot_link["a"].isin(nodes) & cannot_link["b"].isin(nodes)]
    same = label.loc[cannot["a"]].to_numpy() == label.loc[cannot["b"]].to_numpy()
    troubled |= set(label.loc[cannot["a"][same]].tolist())

    refused = 0
    if troubled:
        careful = edges[label.loc[edges["u"]].isin(troubled).to_numpy()]
        roots, refused = _careful_labels(careful, exclusive, cannot[same])
        offset = int(label.max()) + 1  # roots are person ids; keep them apart from component numbers
        label.loc[list(roots)] = [offset + root for root in roots.values()]

    members = pd.DataFrame({"person": nodes, "label": label.to_numpy()})
    members["rank"] = survivor_rank.reindex(nodes).fillna(np.inf).to_numpy()
    members = members.sort_values(["label", "rank", "person"])
    members["survivor"] = members.groupby("label")["person"].transform("first")
    absorbed = members[members["person"] != members["survivor"]]
    return Linkage(
        merges=_evidence(absorbed, identities, members), crowded_values=crowded, links_refused=refused
    )


def _evidence(absorbed: pd.DataFrame, identities: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """For each absorbed person, the most trusted identifier they share with someone in their group."""
    held = identities.merge(members[["person", "label"]], on="person").drop_duplicates(
        ["person", "kind", "value"]
    )
    holders = held.groupby(["label", "kind", "value"])["person"].transform("size")
    shared = held[holders > 1].sort_values(["priority", "kind", "value"]).drop_duplicates("person")
    merges = absorbed[["person", "survivor"]].merge(
        shared[["person", "kind", "value"]], on="person", how="left"
    )
    return merges.rename(columns={"person": "absorbed"}).reset_index(drop=True)
