"""Community services for each of the 36 ICBs of 2026: the figures of a locality page's
community services panel, each with its rank among the ICBs.

Where the figures come from, and what that means:

* Adults' waits. NHS England's returns count each provider's whole waiting list, wherever its
  patients live, in the one ICB the provider is placed in ("irrespective of the number of ICBs or
  regions they provide services under"), so an ICB served from outside has no figure of its own
  there. The adults' figures here follow the patients instead: each council's main adult community
  provider (the book's dated table, ``data/compiled/community_areas.csv``) lends the council a
  share of its adult list in proportion to the residents of the councils it serves; an ICB adds
  up its councils. Residents are counted by small area (LSOA, about 1,700 residents each), so a
  provider's list is shared over the small areas it serves. An area whose provider made no return
  that month, or that the table does not cover, is left out, and the share of areas covered is
  kept.
* Children's waits have no table of providers by council: they are the returns' own ICB rows
  (the providers placed in the ICB), carried to 2026 ICBs by registered-patient shares.
* Two-hour urgent response (2024-25), adult care contacts (CSDS, March 2025) and community beds
  (audit of 4 March 2026) are published for the 42 ICBs of 2022 and carried the same way: counts
  by share; the urgent response share weighted by referrals.

Rates use registered patients of the age group (August 2026).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport.analysis import community_performance as cp
from chsreport.data import community_returns, community_waits, geography, icb_outcomes, succession

# each measure of the panel, and whether its rank 1 is the highest value (True) or the lowest;
# waits over 18 weeks rank from the fewest, urgent response from the highest share, and the
# volumes (list size, contacts, beds) from the most: more is neither better nor worse there
MEASURES = {
    "adult_waiting_per_100k": True,
    "adult_over_18": False,
    "children_waiting_per_100k": True,
    "children_over_18": False,
    "ucr_within_2h": True,
    "adult_contacts_per_1000": True,
    "beds_per_100k_65": True,
}
WAITS = ("adult_waiting_per_100k", "adult_over_18", "children_waiting_per_100k",
         "children_over_18")  # fmt: skip
SHARES = ("adult_over_18", "children_over_18", "ucr_within_2h")  # shares of 1; the rest rates


def provider_adults(month: pd.Timestamp) -> pd.DataFrame:
    """Each provider's adult waiting list with a known wait and those over 18 weeks in
    ``month`` (all its adult service lines)."""
    bands = community_waits.load_bands()
    bands = bands[
        (bands["month"] == month) & (bands["level"] == "provider") & (bands["code"] != "")
        & bands["adult"]
    ]  # fmt: skip
    return cp.over_share(bands, community_waits.STANDARD_WEEKS, ["code"]).set_index("code")


def area_providers(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Every small area (LSOA) with its 2026 ICB, its council of 2021 (the councils of the book's
    table) and that council's main adult community provider in ``month``, and the area's share
    of all the small areas its provider serves (blank where the table names no provider)."""
    areas = community_returns.load_community_areas(od)
    valid = (areas["valid_from"] <= month) & (
        areas["valid_to"].isna() | (areas["valid_to"] >= month)
    )
    main = areas[valid].drop_duplicates("council_code").set_index("council_code")["provider_code"]
    lsoas = geography.lsoa_places()[["lsoa_code", "ltla_code", "icb_code"]].copy()
    lsoas["provider_code"] = lsoas["ltla_code"].map(main)
    served = lsoas.groupby("provider_code")["lsoa_code"].transform("size")
    lsoas["share_of_provider"] = 1 / served
    return lsoas


def adults_by_icb(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Per 2026 ICB: the adult waiting list (known waits) and those over 18 weeks lent to it by
    the main providers of its small areas, and the share of its small areas whose provider made
    a return in ``month`` (``covered``)."""
    areas = area_providers(month, od)
    lists = provider_adults(month)
    for column in ("known", "over"):
        areas[column] = areas["provider_code"].map(lists[column]) * areas["share_of_provider"]
    by = areas.groupby("icb_code")
    return pd.DataFrame(
        {
            "known": by["known"].sum(min_count=1),
            "over": by["over"].sum(min_count=1),
            "covered": by["known"].count() / by.size(),
        }
    )


def children_by_icb(month: pd.Timestamp) -> pd.DataFrame:
    """Per 2026 ICB: children waiting with a known wait and over 18 weeks in ``month`` from the
    returns' ICB rows of its 2022 ICBs (each by its share of the 2022 ICB's patients), the
    children registered in the 2022 ICBs that have a row, and the share of its children they
    are (``covered``)."""
    bands = community_waits.load_bands()
    bands = bands[(bands["month"] == month) & (bands["level"] == "icb") & (bands["code"] != "")]
    rows = cp.over_share(bands[~bands["adult"]], community_waits.STANDARD_WEEKS, ["code"])
    ages = geography.icb_ages_2026()
    children = ages[ages["year"] == 2022].set_index("icb_code")["children"]
    frame = icb_outcomes.icb22_weights()
    frame = frame.merge(rows, left_on="icb22_code", right_on="code", how="left")
    frame["children"] = frame["icb22_code"].map(children) * frame["weight"]
    frame["known"] *= frame["weight"]
    frame["over"] *= frame["weight"]
    frame["held"] = frame["children"].where(frame["known"].notna(), 0.0)
    by = frame.groupby("icb_code")
    return pd.DataFrame(
        {
            "known": by["known"].sum(min_count=1),
            "over": by["over"].sum(min_count=1),
            "children": by["held"].sum(),
            "covered": by["held"].sum() / by["children"].sum(),
        }
    )


def icb22_activity() -> pd.DataFrame:
    """Published for the 42 ICBs of 2022, as counts to carry: urgent response referrals and
    those reached within two hours (2024-25), adult care contacts (March 2025) and community
    beds (4 March 2026)."""
    ucr = community_waits.load_ucr()
    ucr = ucr[ucr["level"] == "icb"].set_index("code")
    csds = community_waits.load_csds_icbs()
    beds = community_waits.load_bed_audit()
    out = pd.DataFrame(
        {
            "ucr_referrals": ucr["referrals"].where(ucr["within_2h"].notna()),
            "ucr_within": ucr["within_2h"] * ucr["referrals"],
            "adult_contacts": csds[csds["level"] == "icb"].set_index("code")["adult_care_contacts"],
            "beds": beds[beds["level"] == "icb"].set_index("code")["beds"],
        }
    )
    return out.rename_axis("icb22_code").reset_index()


def carried_activity() -> pd.DataFrame:
    """:func:`icb22_activity` carried to the 36 ICBs of 2026 by registered-patient shares (a
    successor of a 2022 ICB without a figure has none: its sum would be short)."""
    counts = icb22_activity()
    frame = icb_outcomes.icb22_weights().merge(counts, on="icb22_code", how="left")
    values = [c for c in counts.columns if c != "icb22_code"]
    whole = frame[values].notna().groupby(frame["icb_code"]).all()
    frame[values] = frame[values].mul(frame["weight"], axis=0)
    return frame.groupby("icb_code")[values].sum().where(whole)


@lru_cache(maxsize=16)
def icb_panel(month: pd.Timestamp) -> pd.DataFrame:
    """The 36 ICBs of 2026 with every measure of :data:`MEASURES`, the share of the adults'
    and children's areas covered (``adult_covered``, ``children_covered``), and each measure's
    rank (``rank_<measure>``, 1 as :data:`MEASURES` orders it, of the ICBs with a figure)."""
    od = succession.load_org_data()
    ages = geography.icb_ages_2026()
    ages = ages[ages["year"] == 2026].set_index("icb_code")
    adults = adults_by_icb(month, od)
    children = children_by_icb(month)
    rest = carried_activity()
    out = pd.DataFrame(index=ages.index)
    out["adult_waiting_per_100k"] = adults["known"] / (ages["adults"] * adults["covered"]) * 1e5
    out["adult_over_18"] = adults["over"] / adults["known"]
    out["adult_covered"] = adults["covered"]
    out["children_waiting_per_100k"] = children["known"] / children["children"] * 1e5
    out["children_over_18"] = children["over"] / children["known"]
    out["children_covered"] = children["covered"]
    out["ucr_within_2h"] = rest["ucr_within"] / rest["ucr_referrals"]
    out["adult_contacts_per_1000"] = rest["adult_contacts"] / ages["adults_19"] * 1e3
    out["beds_per_100k_65"] = rest["beds"] / ages["aged_65"] * 1e5
    out = out.replace([np.inf, -np.inf], np.nan)
    for key, high_first in MEASURES.items():
        out[f"rank_{key}"] = out[key].rank(ascending=not high_first, method="min").astype("Int64")
    names = geography.icb_populations_2026().set_index("icb_code")["icb_name"]
    out.insert(0, "icb_name", out.index.map(names))
    return out.rename_axis("icb_code").reset_index()


def trend_months() -> list[pd.Timestamp]:
    """The months whose provider tables carry codes (the panel's trend needs them)."""
    bands = community_waits.load_bands()
    coded = bands[(bands["level"] == "provider") & (bands["code"] != "")]
    return sorted(coded["month"].unique())


def year_before(month: pd.Timestamp) -> pd.Timestamp | None:
    """The same month a year earlier if its tables are held, else the earliest coded month."""
    months = [m for m in trend_months() if m < month]
    target = month - pd.DateOffset(years=1)
    return target if target in months else (min(months) if months else None)
