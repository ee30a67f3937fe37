"""Each ICB's key figures against England: its size, its community services panel
(:mod:`chsreport.analysis.community_localities`), its discharge delays and its patients' A&E
waits, each with England's value and its rank among the 36 ICBs.

England's value is England's counts added up and divided, never a mean of the ICBs' rates (the
size's is the median ICB: England has no "size" of an ICB). A&E is published per trust, so an
ICB's figure is the four-hour performance of the hospitals its patients use: every trust's
attendances and those within four hours over the months nearly every trust reports
(:func:`ae_window`), weighted by the share of the trust's admitted patients who come from the ICB
(OHID's catchment shares, the 2022 ICBs carried to today's by registered-patient shares), added
up over the trusts. It is not measured for the ICB's residents: neighbours that share hospitals
get near the same figure. Delays are NHS England's count per ICB, which places patients where
the hospital is.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport import settings
from chsreport.analysis import community_localities as cl
from chsreport.data import geography, icb_outcomes, outcomes, succession

# each key figure, in the order the block shows them: whether a higher value is better (True),
# worse (False) or neither (None: a size or a volume, ranked from the most)
BETTER: dict[str, bool | None] = {
    "patients": None,
    "adult_waiting_per_100k": None,
    "adult_over_18": False,
    "ucr_within_2h": True,
    "adult_contacts_per_1000": None,
    "beds_per_100k_65": None,
    "delays_per_100k": False,
    "ae_within_4h": True,
}
THIRDS = ("top", "middle", "bottom")  # a rank's third among the ICBs ranked
# the A&E figure's months: those in which at least this share of the acute trusts report (some
# trusts' A&E returns start later; a mean over different months would compare unlike periods)
AE_COVERAGE = 0.95


@lru_cache(maxsize=1)
def trust_panel() -> pd.DataFrame:
    """:func:`outcomes.outcome_panel` for today's acute trusts, read once."""
    return outcomes.outcome_panel(succession.load_org_data())


@lru_cache(maxsize=1)
def ae_window() -> tuple[str, str]:
    """The months of the A&E figure (YYYY-MM): from the first month in which at least
    :data:`AE_COVERAGE` of the trusts with A&E returns report, to the end of the A&E data."""
    rows = trust_panel().dropna(subset=["total_attendances", "attendances_over_4hours"])
    rows = rows[rows["total_attendances"] > 0]
    start, end = settings.OUTCOME_PERIODS["ae_4hr_performance"]
    rows = rows[rows["month"].between(pd.Timestamp(start), pd.Timestamp(end))]
    per_month = rows.groupby("month")["code"].nunique()
    first = per_month.index[per_month >= AE_COVERAGE * rows["code"].nunique()].min()
    return str(first.to_period("M")), end


def trust_icb_shares(od: succession.OrgData) -> pd.DataFrame:
    """The share of each of today's acute trusts' admitted patients from each 2026 ICB: its
    shares from the 2022 ICBs (:func:`outcomes.catchment_shares_current`), each split over the
    2026 ICBs it went to by registered-patient shares. Columns: code, icb_code, share (worked
    out once per ``od``)."""

    def make() -> pd.DataFrame:
        shares = outcomes.catchment_shares_current(od)
        shares = shares.assign(icb22_code=geography.icb22_ods_codes(shares["icb22_ons_code"]))
        parts = shares.merge(icb_outcomes.icb22_weights(), on="icb22_code")
        parts["share"] = parts["share"] * parts["weight"]
        return parts.groupby(["code", "icb_code"], as_index=False)["share"].sum()

    return od.remember(("trust ICB shares",), make)


def trust_ae(panel: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Each acute trust's A&E attendances and those within four hours, added over the months
    from ``start`` to ``end`` in which it reported both."""
    rows = panel[panel["month"].between(pd.Timestamp(start), pd.Timestamp(end))]
    rows = rows.dropna(subset=["total_attendances", "attendances_over_4hours"])
    rows = rows[rows["total_attendances"] > 0]
    totals = rows.groupby("code")[["total_attendances", "attendances_over_4hours"]].sum()
    return pd.DataFrame(
        {
            "attendances": totals["total_attendances"],
            "within": totals["total_attendances"] - totals["attendances_over_4hours"],
        }
    )


def icb_ae(trusts: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Per 2026 ICB, its patients' share of its acute trusts' attendances (``trusts``:
    :func:`trust_ae`; ``shares``: :func:`trust_icb_shares`), and England's (every trust's
    attendances): columns attendances, within, ae_within_4h (a share of 1)."""
    weighted = shares.merge(trusts, left_on="code", right_index=True)
    for column in ("attendances", "within"):
        weighted[column] = weighted[column] * weighted["share"]
    out = weighted.groupby("icb_code")[["attendances", "within"]].sum()
    out.loc["England"] = trusts[["attendances", "within"]].sum()
    out["ae_within_4h"] = out["within"] / out["attendances"]
    return out


def icb_delays(delays: pd.DataFrame) -> pd.Series:
    """Patients not meeting the criteria to reside in the ICB's hospitals per 100,000
    registered patients, on an average day: the mean of the months of ``delays``
    (:func:`icb_outcomes.icb_delays_in_period`, which leaves out a month an ICB's figure would
    be short in), per ICB and for England (each month's patients added up over the ICBs with
    that month, over their registered patients)."""
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    per_icb = delays.groupby("icb_code")["per_100k"].mean()
    month = delays.assign(patients=delays["icb_code"].map(patients)).groupby("month")
    england = month["do_not_meet_criteria_to_reside"].sum() / month["patients"].sum() * 1e5
    per_icb.loc["England"] = england.mean()
    return per_icb


def ranked(values: pd.Series, better: bool | None) -> pd.Series:
    """Ranks over the ICBs with a value: 1 the best (or, where neither is better, the most)."""
    return values.rank(ascending=better is False, method="min").astype("Int64")


def third(rank, of: int) -> str:
    """``rank`` of ``of`` as its third: "top", "middle" or "bottom" ("" when unranked)."""
    if pd.isna(rank) or of == 0:
        return ""
    return THIRDS[min(2, int((int(rank) - 1) * 3 // of))]


@lru_cache(maxsize=4)
def key_figures(month: pd.Timestamp) -> pd.DataFrame:
    """Every ICB's key figures, a row per ICB and measure of :data:`BETTER`: ``value``,
    ``england``, ``rank`` (1 = best, or the most), ``of`` (the ICBs ranked), ``third``, ``better``
    and ``covered`` (the share of its areas the adults' waits cover; 1 for the rest). An ICB
    whose adults' waits cover less than :data:`cl.WHOLE` of its areas has them unranked, as the
    community panel does."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    panel = cl.icb_panel(month).set_index("icb_code")
    england = cl.england_panel(month)
    trusts = trust_ae(trust_panel(), *ae_window())
    ae = icb_ae(trusts, trust_icb_shares(succession.load_org_data()))["ae_within_4h"]
    delays = icb_delays(icb_outcomes.icb_delays_in_period())
    values = pd.DataFrame(index=icbs.index)
    values["patients"] = icbs["patients"].astype(float)
    for key in cl.MEASURES:
        values[key] = panel[key]
    values["delays_per_100k"] = delays.reindex(icbs.index)
    values["ae_within_4h"] = ae.reindex(icbs.index)
    englands = {
        **england.to_dict(),
        "patients": float(icbs["patients"].median()),
        "delays_per_100k": float(delays["England"]),
        "ae_within_4h": float(ae["England"]),
    }
    covered = panel["adult_covered"].reindex(icbs.index)
    rows = []
    for key, better in BETTER.items():
        rankable = values[key].where(covered >= cl.WHOLE) if key in cl.WAITS else values[key]
        ranks = ranked(rankable, better)
        of = int(rankable.notna().sum())
        for icb in icbs.index:
            rows.append(
                {
                    "icb_code": icb,
                    "measure": key,
                    "value": values.at[icb, key],
                    "england": englands[key],
                    "rank": ranks[icb],
                    "of": of,
                    "third": third(ranks[icb], of),
                    "better": better,
                    "covered": covered[icb] if key in cl.WAITS else 1.0,
                }
            )
    out = pd.DataFrame(rows)
    out["value"] = out["value"].astype(float).replace([np.inf, -np.inf], np.nan)
    return out
