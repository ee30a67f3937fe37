"""Who became whom: the succession graph of NHS trusts built from the ODS successor file and
Burn's change paths, and the register, graph and type evidence loaded once per process
(:class:`OrgData`).

Edges come from the ODS successor file (all years to 2026) and from Burn's change paths (2000-2018),
which add the steps ODS no longer lists.  Each edge is classed as:

* ``split``: the predecessor passed to more than one successor on the same date (or ODS flags it);
* ``renamed``: the change paths call the step a name change and the successor code is new
  (the same organisation under a new code);
* ``acquisition``: the successor already existed before the date (it absorbed the predecessor);
* ``merger``: the successor opened on the date (a new organisation formed);
* ``transfer``: the successor's opening date is not in the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import networkx as nx
import pandas as pd

from chsreport.data import ods

T = TypeVar("T")

TCS_DATE = pd.Timestamp("2011-04-01")  # Transforming Community Services: PCT provider arms divested


def succession_edges(
    successions: pd.DataFrame, change_paths: pd.DataFrame, register: pd.DataFrame
) -> pd.DataFrame:
    """Trust-to-trust (or trust-to-other) steps with date, kind and source, one row each."""
    trust_codes = set(register["code"])
    is_trust = successions["predecessor"].isin(trust_codes) | successions["predecessor"].str.match(
        ods.TRUST_CODE.pattern
    )
    steps = successions[is_trust].rename(
        columns={"predecessor": "from_code", "successor": "to_code", "effective_date": "date"}
    )[["from_code", "to_code", "date", "split"]]
    steps = steps.assign(source="ODS successions", change_type=None)

    cp = change_paths[
        change_paths["from_code"].str.match(ods.TRUST_CODE.pattern)
        & (change_paths["from_code"] != change_paths["to_code"])
    ]
    cp = cp.assign(split=cp["change_type"].eq("split"), source="trust change paths 2000-2018")
    # dates in the change paths are often the day before ODS's effective date: keep ODS's edge
    # where both list the same pair, but take the change type from the change paths
    types = cp.drop_duplicates(["from_code", "to_code"]).set_index(["from_code", "to_code"])
    key = list(zip(steps["from_code"], steps["to_code"], strict=True))
    steps["change_type"] = [types["change_type"].get(k) if k in types.index else None for k in key]
    extra = cp[~cp.set_index(["from_code", "to_code"]).index.isin(key)]
    edges = pd.concat([steps, extra], ignore_index=True)

    width = edges.groupby(["from_code", "date"])["to_code"].transform("nunique")
    opened = edges["to_code"].map(register.set_index("code")["open_date"])
    kind = pd.Series("transfer", index=edges.index)
    is_new = opened.notna() & (opened >= edges["date"] - pd.Timedelta(days=1))
    kind[opened.notna() & ~is_new] = "acquisition"
    kind[is_new] = "merger"
    # a name change in the change paths is the same organisation under a new code, provided the
    # "successor" is a new code; an older trust taking the predecessor in is an acquisition
    kind[edges["change_type"].eq("name_change") & (is_new | opened.isna())] = "renamed"
    kind[edges["split"] | (width > 1) | edges["change_type"].eq("split")] = "split"
    edges["kind"] = kind
    columns = ["from_code", "to_code", "date", "kind", "source"]
    return edges[columns].sort_values(["date", "from_code", "to_code"]).reset_index(drop=True)


def lineage_graph(edges: pd.DataFrame, register: pd.DataFrame) -> nx.MultiDiGraph:
    """The trusts as a directed graph: an edge from each predecessor to its successor, with the
    date, kind of change and source."""
    graph = nx.MultiDiGraph()
    names = register.set_index("code")["name"].to_dict()
    for rec in edges.itertuples():
        for code in (rec.from_code, rec.to_code):
            graph.add_node(code, name=names.get(code, code))
        graph.add_edge(rec.from_code, rec.to_code, date=rec.date, kind=rec.kind, source=rec.source)
    return graph


def final_successors(graph: nx.MultiDiGraph, code: str) -> list[str]:
    """Codes with no successor that ``code`` leads to (itself if it has none)."""
    if code not in graph or graph.out_degree(code) == 0:
        return [code]
    ends = {n for n in nx.descendants(graph, code) if graph.out_degree(n) == 0}
    return sorted(ends)


def to_current(graph: nx.MultiDiGraph, codes: pd.Series) -> pd.Series:
    """Each code carried to the trust it is part of now (a split trust to its first successor)."""
    finals = {code: final_successors(graph, code)[0] for code in codes.unique()}
    return codes.map(finals)


def chain(graph: nx.MultiDiGraph, code: str) -> list[dict]:
    """Every step downstream of ``code``, in date order."""
    if code not in graph:
        return []
    nodes = {code} | nx.descendants(graph, code)
    steps = [
        {"from_code": a, "to_code": b, **attrs}
        for a, b, attrs in graph.edges(data=True)
        if a in nodes
    ]
    return sorted(steps, key=lambda s: (s["date"], s["from_code"], s["to_code"]))


@dataclass(frozen=True)
class OrgData:
    """Everything the consolidation analysis needs, loaded once.

    ``memo`` holds what is worked out from this data and asked for again and again (the returns
    by month, each rule's exposure, each trust's predecessors), keyed by what asked and its
    arguments. It lives and dies with the object: a new load starts empty, so nothing computed
    from one set of data can be served for another (no module-level cache keyed by ``id()``)."""

    register: pd.DataFrame
    edges: pd.DataFrame
    graph: nx.MultiDiGraph
    evidence: pd.DataFrame
    as_of: pd.Timestamp
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def remember(self, key: tuple, make: Callable[[], T]) -> T:
        """``make()``'s result, worked out the first time ``key`` is asked of this data and
        kept in ``memo`` after."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


@lru_cache(maxsize=1)
def load_org_data() -> OrgData:
    """The ODS organisation data every chapter uses, built once per process: callers share one
    object (read it, never change it), so what its ``memo`` holds (the CHS register, each rule's
    exposure) is computed once however many pages and claims ask."""
    register = ods.trust_register()
    edges = succession_edges(ods.load_successions(), ods.load_change_paths(), register)
    evidence = ods.type_evidence()
    latest = max(register["open_date"].max(), register["close_date"].max(), edges["date"].max())
    return OrgData(register, edges, lineage_graph(edges, register), evidence, latest)


def base_type(code: str, on: pd.Timestamp, od: OrgData) -> str:
    return ods.type_on(code, on, od.evidence)[0]


def integrated_type(base: str, code: str, on: pd.Timestamp, od: OrgData) -> str:
    """Base type, marked ``*_community`` once an acute or MH trust took in a community trust."""
    if base not in ("acute", "mental_health"):
        return base
    if ods.ever_typed(code, "community", on, od.evidence):  # once typed community, now not
        return f"{base}_community"
    if code not in od.graph:
        return base
    for pred, _, attrs in od.graph.in_edges(code, data=True):
        if attrs["date"] <= on and attrs["kind"] != "renamed":
            if base_type(pred, attrs["date"] - pd.Timedelta(days=1), od) == "community":
                return f"{base}_community"
    return base
