"""The fate of every standalone community trust since 2011 and trust counts by type and year,
read from the succession graph (:mod:`chsreport.data.succession`).
"""

from __future__ import annotations

import pandas as pd

from chsreport.analysis import groups
from chsreport.data import ods, succession

FATES: dict[str, str] = {
    "standalone": "Still standalone",
    "grouped": "Shares leaders with another trust",
    "acquired_by_acute": "Acquired by an acute trust",
    "merged_with_mental_health": "Merged with a mental-health trust",
    "merged_with_community": "Merged with another community trust",
    "dissolved": "Dissolved or split",
    "retyped": "Now typed otherwise, no merger recorded",
    "unknown": "Fate unknown",
}


def community_trusts(
    od: succession.OrgData, since: pd.Timestamp = succession.TCS_DATE
) -> pd.DataFrame:
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


def fate_of(code: str, od: succession.OrgData) -> dict:
    """Fate of one community trust: category, date, successor(s) and the evidence."""
    rec = od.register.set_index("code").loc[code]
    out = (
        [(b, attrs) for _, b, attrs in od.graph.out_edges(code, data=True)]
        if code in od.graph
        else []
    )
    if pd.isna(rec["close_date"]) and not out:
        now_type = succession.base_type(code, od.as_of, od)
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
        partner = [
            a for a, attrs in absorbed if succession.base_type(a, attrs["date"], od) == now_type
        ]
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
    s_type = succession.base_type(successor, date, od)
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


def community_fates(od: succession.OrgData) -> pd.DataFrame:
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
    # a trust still open that shares its leadership with another (the compiled group table) is a
    # form of its own: neither standalone nor merged
    frame["partners"] = groups.community_forms(od, frame)
    grouped = frame["partners"].map(bool)
    frame.loc[grouped, "fate"] = "grouped"
    frame.loc[grouped, "fate_label"] = FATES["grouped"]
    frame.loc[grouped, "evidence"] = [
        f"open in ODS; shares its leadership with {', '.join(p)} (the book's group table)"
        for p in frame.loc[grouped, "partners"]
    ]
    return frame.sort_values(["fate", "code"]).reset_index(drop=True)


def trusts_by_type_and_year(od: succession.OrgData, years: range) -> pd.DataFrame:
    """Trust, year (as at 1 April), type and the source of the type, for trusts open that day."""
    rows = []
    for year in years:
        on = pd.Timestamp(year=year, month=4, day=1)
        open_now = od.register[ods.is_open(od.register, on)]
        for rec in open_now.itertuples():
            base, source = ods.type_on(rec.code, on, od.evidence)
            rows.append(
                {
                    "year": year,
                    "code": rec.code,
                    "name": rec.name,
                    "icb_code": rec.icb_code,
                    "type": succession.integrated_type(base, rec.code, on, od),
                    "type_source": source,
                }
            )
    return pd.DataFrame(rows)


def community_count_by_year(by_year: pd.DataFrame) -> pd.DataFrame:
    """Standalone community trusts open on 1 April of each year of ``by_year`` (0 where none)."""
    counts = (
        by_year[by_year["type"] == "community"].groupby("year").size().rename("community_trusts")
    )
    years = pd.Index(sorted(by_year["year"].unique()), name="year")
    return counts.reindex(years, fill_value=0).reset_index()


def peak_year(counts: pd.DataFrame) -> pd.Series:
    """The year with the most standalone community trusts (the first, if tied), from
    :func:`community_count_by_year`."""
    return counts.loc[counts["community_trusts"].idxmax()]


def peak_years(counts: pd.DataFrame) -> str:
    """The year or years with the most standalone community trusts, in words ("2013" or "2013
    to 2015"), from :func:`community_count_by_year`."""
    top = counts.loc[counts["community_trusts"] == counts["community_trusts"].max(), "year"]
    first, last = int(top.min()), int(top.max())
    return str(first) if first == last else f"{first} to {last}"
