"""Who became whom: the lineage graph of NHS trusts, the fate of every standalone community trust,
and trust counts by type and year.

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

from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import pandas as pd

from chsreport import orgs

FATES: dict[str, str] = {
    "standalone": "Still standalone",
    "acquired_by_acute": "Acquired by an acute trust",
    "merged_with_mental_health": "Merged with a mental-health trust",
    "merged_with_community": "Merged with another community trust",
    "dissolved": "Dissolved or split",
    "retyped": "Now typed otherwise, no merger recorded",
    "unknown": "Fate unknown",
}

TCS_DATE = pd.Timestamp("2011-04-01")  # Transforming Community Services: PCT provider arms divested


def succession_edges(
    successions: pd.DataFrame, change_paths: pd.DataFrame, register: pd.DataFrame
) -> pd.DataFrame:
    """Trust-to-trust (or trust-to-other) steps with date, kind and source, one row each."""
    trust_codes = set(register["code"])
    is_trust = successions["predecessor"].isin(trust_codes) | successions["predecessor"].str.match(
        orgs.TRUST_CODE.pattern
    )
    ods = successions[is_trust].rename(
        columns={"predecessor": "from_code", "successor": "to_code", "effective_date": "date"}
    )[["from_code", "to_code", "date", "split"]]
    ods = ods.assign(source="ODS successions", change_type=None)

    cp = change_paths[
        change_paths["from_code"].str.match(orgs.TRUST_CODE.pattern)
        & (change_paths["from_code"] != change_paths["to_code"])
    ]
    cp = cp.assign(split=cp["change_type"].eq("split"), source="trust change paths 2000-2018")
    # dates in the change paths are often the day before ODS's effective date: keep ODS's edge
    # where both list the same pair, but take the change type from the change paths
    types = cp.drop_duplicates(["from_code", "to_code"]).set_index(["from_code", "to_code"])
    key = list(zip(ods["from_code"], ods["to_code"], strict=True))
    ods["change_type"] = [types["change_type"].get(k) if k in types.index else None for k in key]
    extra = cp[~cp.set_index(["from_code", "to_code"]).index.isin(key)]
    edges = pd.concat([ods, extra], ignore_index=True)

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
    """Everything the consolidation analysis needs, loaded once."""

    register: pd.DataFrame
    edges: pd.DataFrame
    graph: nx.MultiDiGraph
    evidence: pd.DataFrame
    as_of: pd.Timestamp


@lru_cache(maxsize=1)
def load_org_data() -> OrgData:
    """The ODS organisation data every chapter uses, built once per process: callers share one
    object (read it, never change it), so caches keyed on it (the CHS register, each rule's
    exposure) are computed once however many pages and claims ask."""
    register = orgs.trust_register()
    edges = succession_edges(orgs.load_successions(), orgs.load_change_paths(), register)
    evidence = orgs.type_evidence()
    latest = max(register["open_date"].max(), register["close_date"].max(), edges["date"].max())
    return OrgData(register, edges, lineage_graph(edges, register), evidence, latest)


def _base_type(code: str, on: pd.Timestamp, od: OrgData) -> str:
    return orgs.type_on(code, on, od.evidence)[0]


def community_trusts(od: OrgData, since: pd.Timestamp = TCS_DATE) -> pd.DataFrame:
    """Trusts typed ``community`` in any source and open at some point since ``since``."""
    community = od.evidence.loc[od.evidence["type"] == "community", "code"].unique()
    reg = od.register[od.register["code"].isin(community)]
    reg = reg[reg["close_date"].isna() | (reg["close_date"] >= since)]
    sources = (
        od.evidence[od.evidence["type"] == "community"]
        .groupby("code")["source"]
        .agg(lambda s: "; ".join(sorted(set(s))))
    )
    return reg.assign(community_evidence=reg["code"].map(sources)).reset_index(drop=True)


def fate_of(code: str, od: OrgData) -> dict:
    """Fate of one community trust: category, date, successor(s) and the evidence."""
    rec = od.register.set_index("code").loc[code]
    out = (
        [(b, attrs) for _, b, attrs in od.graph.out_edges(code, data=True)]
        if code in od.graph
        else []
    )
    if pd.isna(rec["close_date"]) and not out:
        now_type = _base_type(code, od.as_of, od)
        absorbed = (
            [(a, attrs) for a, _, attrs in od.graph.in_edges(code, data=True)]
            if code in od.graph
            else []
        )
        if now_type == "community":
            return {
                "fate": "standalone",
                "date": pd.NaT,
                "successor": None,
                "evidence": "open in ODS; typed community in the latest source",
            }
        fate = {"mental_health": "merged_with_mental_health", "acute": "acquired_by_acute"}.get(
            now_type, "unknown"
        )
        partner = [a for a, attrs in absorbed if _base_type(a, attrs["date"], od) == now_type]
        date = max((attrs["date"] for a, attrs in absorbed if a in partner), default=pd.NaT)
        if fate != "unknown" and not partner:  # the same trust, typed otherwise by a later
            return {  # source: no merger is recorded, so none is counted
                "fate": "retyped",
                "date": pd.NaT,
                "successor": None,
                "evidence": f"still open under its own code; now typed {now_type.replace('_', ' ')}"
                " (and community), with no merger recorded in ODS",
            }
        return {
            "fate": fate,
            "date": date,
            "successor": code,
            "evidence": f"still open under its own code; now typed {now_type}"
            + (f" (absorbed {', '.join(partner)})" if partner else ""),
        }
    if not out:
        return {
            "fate": "dissolved",
            "date": rec["close_date"],
            "successor": None,
            "evidence": "closed in ODS with no successor recorded",
        }
    date = min(attrs["date"] for _, attrs in out)
    successors = sorted({b for b, attrs in out if attrs["date"] == date})
    if len(successors) > 1:
        return {
            "fate": "dissolved",
            "date": date,
            "successor": ", ".join(successors),
            "evidence": "split between successors",
        }
    successor = successors[0]
    s_type = _base_type(successor, date, od)
    fate = {
        "acute": "acquired_by_acute",
        "acute_specialist": "acquired_by_acute",
        "mental_health": "merged_with_mental_health",
        "community": "merged_with_community",
    }.get(s_type, "unknown")
    kind = next(attrs["kind"] for b, attrs in out if b == successor)
    return {
        "fate": fate,
        "date": date,
        "successor": successor,
        "evidence": f"{kind} into {successor} (typed {s_type} then)",
    }


def community_fates(od: OrgData) -> pd.DataFrame:
    """One row per standalone community trust since 2011 with its fate."""
    trusts = community_trusts(od)
    names = od.register.set_index("code")["name"]
    rows = []
    for rec in trusts.itertuples():
        fate = fate_of(rec.code, od)
        rows.append(
            {
                "code": rec.code,
                "name": rec.name,
                "open_date": rec.open_date,
                "close_date": rec.close_date,
                "icb_code": rec.icb_code,
                "icb_name": rec.icb_name,
                **fate,
                "successor_name": names.get(fate["successor"]) if fate["successor"] else None,
                "fate_label": FATES[fate["fate"]],
                "community_evidence": rec.community_evidence,
            }
        )
    frame = pd.DataFrame(rows)
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame.sort_values(["fate", "code"]).reset_index(drop=True)


def integrated_type(base: str, code: str, on: pd.Timestamp, od: OrgData) -> str:
    """Base type, marked ``*_community`` once an acute or MH trust took in a community trust."""
    if base not in ("acute", "mental_health"):
        return base
    if orgs.ever_typed(code, "community", on, od.evidence):  # once typed community, now not
        return f"{base}_community"
    if code not in od.graph:
        return base
    for pred, _, attrs in od.graph.in_edges(code, data=True):
        if attrs["date"] <= on and attrs["kind"] != "renamed":
            if _base_type(pred, attrs["date"] - pd.Timedelta(days=1), od) == "community":
                return f"{base}_community"
    return base


def trusts_by_type_and_year(od: OrgData, years: range) -> pd.DataFrame:
    """Trust, year (as at 1 April), type and the source of the type, for trusts open that day."""
    rows = []
    for year in years:
        on = pd.Timestamp(year=year, month=4, day=1)
        open_now = od.register[orgs.is_open(od.register, on)]
        for rec in open_now.itertuples():
            base, source = orgs.type_on(rec.code, on, od.evidence)
            rows.append(
                {
                    "year": year,
                    "code": rec.code,
                    "name": rec.name,
                    "icb_code": rec.icb_code,
                    "type": integrated_type(base, rec.code, on, od),
                    "type_source": source,
                }
            )
    return pd.DataFrame(rows)


def community_count_by_year(by_year: pd.DataFrame) -> pd.DataFrame:
    counts = (
        by_year[by_year["type"] == "community"].groupby("year").size().rename("community_trusts")
    )
    years = pd.Index(sorted(by_year["year"].unique()), name="year")
    return counts.reindex(years, fill_value=0).reset_index()
