"""Community services for each of the 36 ICBs of 2026: the figures of a locality page's
community services panel, each with its rank among the ICBs.

Where the figures come from, and what that means:

* Adults' waits. NHS England's returns count each provider's whole waiting list, wherever its
  patients live, in the one ICB it files the provider under ("irrespective of the number of ICBs
  or regions they provide services under"), so an ICB served from outside has no figure of its
  own there. The adults' figures here follow the areas served instead: each council's main adult
  community provider (the book's dated table, ``data/compiled/community_areas.csv``; a council
  with two main providers gives each half of its areas) has its adult list shared over the small
  areas (LSOAs, of about equal size) it serves; an ICB adds up its small areas. A provider that is
  no council's main provider keeps its list in the ICB it is based in if it is an NHS trust
  (:func:`chsreport.data.community_returns.locate_providers`); other providers' areas are not
  known, so they are left out. An area whose main provider made no return that month (or one too
  small to be its whole list: :func:`thin_returns`), or that the table does not cover, is left
  out, and the share of areas
  covered is kept: below :data:`WHOLE`, the figure is shown but neither ranked nor set beside
  another month.
* Children's waits are not given by ICB: the book holds no table of children's providers by
  area, and the returns' ICB rows count providers where NHS England files them (a provider
  serving several areas counts in one), so they say nothing of an ICB's own children. The
  providers' own children's lists are given instead.
* Two-hour urgent response (2024-25), adult care contacts (CSDS, March 2025) and community beds
  (audit of 4 March 2026) are published for the 42 ICBs of 2022 and carried to the ICBs of 2026
  by registered-patient shares: counts by share; the urgent response share weighted by
  referrals.

Rates use registered patients of the age group (August 2026).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport.analysis import community_performance as cp
from chsreport.data import (
    community_returns,
    community_waits,
    geography,
    icb_outcomes,
    ods,
    succession,
)

# each measure of the panel, and whether its rank 1 is the highest value (True) or the lowest;
# waits over 18 weeks rank from the fewest, urgent response from the highest share, and the
# volumes (list size, contacts, beds) from the most: more is neither better nor worse there
MEASURES = {
    "adult_waiting_per_100k": True,
    "adult_over_18": False,
    "ucr_within_2h": True,
    "adult_contacts_per_1000": True,
    "beds_per_100k_65": True,
}
WAITS = ("adult_waiting_per_100k", "adult_over_18")  # the measures with a month to compare
SHARES = ("adult_over_18", "ucr_within_2h")  # shares of 1; the rest rates
# the periods of the figures published for the ICBs of 2022 (the files' own periods)
ACTIVITY_PERIODS = {
    "ucr_within_2h": "2024-25",
    "adult_contacts_per_1000": "March 2025",
    "beds_per_100k_65": "4 March 2026",
}
WHOLE = 0.95  # share of an ICB's areas covered below which its waits are shown but not ranked


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
    """Every small area (LSOA) with its 2026 ICB, its council (of 2021, as the book's table, and
    today's ``council_code``) and its council's main adult community provider in ``month``, one
    row per provider (a council with two gives each a ``weight`` of one half), and the area's
    share of all the areas its provider serves (``share_of_provider``; blank where the table
    names no provider)."""
    areas = community_returns.load_community_areas(od)
    valid = (areas["valid_from"] <= month) & (
        areas["valid_to"].isna() | (areas["valid_to"] >= month)
    )
    main = areas[valid][["council_code", "provider_code"]].drop_duplicates()
    main = main.rename(columns={"council_code": "ltla_code"})
    places = geography.lsoa_places()[["lsoa_code", "ltla_code", "council_code", "icb_code"]]
    lsoas = places.merge(main, on="ltla_code", how="left")
    lsoas["weight"] = 1 / lsoas.groupby("lsoa_code")["lsoa_code"].transform("size")
    served = lsoas.groupby("provider_code")["weight"].transform("sum")
    lsoas["share_of_provider"] = lsoas["weight"] / served
    return lsoas.reset_index(drop=True)


def placed_elsewhere(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """NHS trusts with an adult return in ``month`` that are no council's main provider then:
    their lists in the 2026 ICBs of the 2022 ICB they are based in (by registered-patient
    shares). Providers that are not NHS trusts are left out: an independent provider filed in
    one ICB can hold contracts across England (a national physiotherapy provider's whole list
    would otherwise sit in its head office's ICB). Columns: icb_code, code, known, over."""
    lists = provider_adults(month)
    main = set(area_providers(month, od)["provider_code"].dropna())
    located = community_returns.locate_providers()
    located = located[(located["icb22_code"] != "") & ~located["code"].isin(main)]
    located = located[located["code"].str.match(ods.TRUST_CODE.pattern)]
    located = located[located["code"].isin(lists.index)]
    frame = located.merge(icb_outcomes.icb22_weights(), on="icb22_code")
    for column in ("known", "over"):
        frame[column] = frame["code"].map(lists[column]) * frame["weight"]
    return frame[["icb_code", "code", "known", "over"]]


THIN = 0.1  # a main provider's adult list under this share of England's rate is not a whole one


def thin_returns(month: pd.Timestamp, od: succession.OrgData) -> set[str]:
    """Main providers whose adult list, per adult of the small areas they serve (each area an
    equal share of England's registered adults), is under :data:`THIN` of England's: a return
    too small to be the provider's whole list (a partial return counts as none)."""
    areas = area_providers(month, od)
    lists = provider_adults(month)
    ages = geography.icb_ages_2026()
    adults = ages.loc[ages["year"] == 2026, "adults"].sum()
    per_area = adults / areas["lsoa_code"].nunique()
    served = areas.groupby("provider_code")["weight"].sum() * per_area
    rate = lists["known"].reindex(served.index) / served
    england = lists["known"].sum() / adults
    return set(rate.index[rate < THIN * england])


def adults_by_icb(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Per 2026 ICB: the adult waiting list (known waits) and those over 18 weeks: the main
    providers' lists shared over its areas, plus the lists of other providers based in it; and
    the share of its areas whose main provider made a return in ``month`` (``covered``)."""
    areas = area_providers(month, od)
    lists = provider_adults(month).drop(index=list(thin_returns(month, od)), errors="ignore")
    for column in ("known", "over"):
        areas[column] = areas["provider_code"].map(lists[column]) * areas["share_of_provider"]
    areas["reported"] = areas["weight"].where(areas["known"].notna(), 0.0)
    by = areas.groupby("icb_code")
    others = placed_elsewhere(month, od).groupby("icb_code")[["known", "over"]].sum()
    out = pd.DataFrame(
        {
            "known": by["known"].sum(min_count=1),
            "over": by["over"].sum(min_count=1),
            "covered": by["reported"].sum() / by["weight"].sum(),
        }
    )
    out[["known", "over"]] = out[["known", "over"]].add(others, fill_value=0.0)
    return out


def assigned_share(month: pd.Timestamp, od: succession.OrgData) -> float:
    """The share of England's adult waiting list (providers' known waits) the ICB figures hold
    (the rest: providers neither a council's main provider nor placed in an ICB)."""
    return float(adults_by_icb(month, od)["known"].sum() / provider_adults(month)["known"].sum())


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
    values = [c for c in counts.columns if c != "icb22_code"]
    present = icb_outcomes.icb22_weights().merge(counts, on="icb22_code", how="left")
    whole = present[values].notna().groupby(present["icb_code"]).all()
    carried = icb_outcomes.carry_icb22(counts, "icb22_code", values).set_index("icb_code")
    return carried.where(whole)


# each measure of :data:`MEASURES` as a ratio of two counts of :func:`panel_counts`, and the
# multiplier of its rate (1 for a share)
RATIOS = {
    "adult_waiting_per_100k": ("known", "adults_served", 1e5),
    "adult_over_18": ("over", "known", 1),
    "ucr_within_2h": ("ucr_within", "ucr_referrals", 1),
    "adult_contacts_per_1000": ("adult_contacts", "adults_19", 1e3),
    "beds_per_100k_65": ("beds", "aged_65", 1e5),
}


@lru_cache(maxsize=16)
def panel_counts(month: pd.Timestamp) -> pd.DataFrame:
    """The counts behind :func:`icb_panel`, per 2026 ICB: the adult waiting list and those over
    18 weeks, the adults of its covered areas (``adults_served``), the carried activity of
    :func:`carried_activity`, the people of each age group and the share of its areas covered."""
    od = succession.load_org_data()
    ages = geography.icb_ages_2026()
    ages = ages[ages["year"] == 2026].set_index("icb_code")
    adults = adults_by_icb(month, od)
    out = pd.concat([adults, carried_activity()], axis=1).reindex(ages.index)
    out["adults_served"] = ages["adults"] * out["covered"]
    out[["adults_19", "aged_65"]] = ages[["adults_19", "aged_65"]]
    return out


def rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Each measure of :data:`MEASURES` from rows of :func:`panel_counts` (blank where a count
    is missing or its denominator is zero)."""
    out = pd.DataFrame(index=counts.index)
    for key, (top, bottom, per) in RATIOS.items():
        out[key] = counts[top] / counts[bottom] * per
    return out.replace([np.inf, -np.inf], np.nan)


def england_panel(month: pd.Timestamp) -> pd.Series:
    """England's value of each measure: the counts of every ICB with both counts of the
    measure, added up, then divided (an ICB's adults' waits count only where it covers at
    least :data:`WHOLE` of its areas, as its rank does)."""
    counts = panel_counts(month)
    values = {}
    for key, (top, bottom, per) in RATIOS.items():
        rows = counts[counts[[top, bottom]].notna().all(axis=1)]
        if key in WAITS:
            rows = rows[rows["covered"] >= WHOLE]
        values[key] = rows[top].sum() / rows[bottom].sum() * per
    return pd.Series(values)


@lru_cache(maxsize=16)
def icb_panel(month: pd.Timestamp) -> pd.DataFrame:
    """The 36 ICBs of 2026 with every measure of :data:`MEASURES`, the share of its areas the
    adults' figures cover (``adult_covered``), and each measure's rank (``rank_<measure>``, 1 as
    :data:`MEASURES` orders it, among the ICBs with a figure; the adults' waits only where they
    cover at least :data:`WHOLE` of the ICB)."""
    counts = panel_counts(month)
    out = rates(counts)
    out.insert(2, "adult_covered", counts["covered"])
    whole = out["adult_covered"] >= WHOLE
    for key, high_first in MEASURES.items():
        values = out[key].where(whole) if key in WAITS else out[key]
        out[f"rank_{key}"] = values.rank(ascending=not high_first, method="min").astype("Int64")
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
