"""Question 2, which population and organisation sizes make sense: the computations behind
``notebooks/scale.ipynb`` (whether bigger trusts cost less per unit, ICB profiles, district
bands), with the smoothed size-cost curve and its bootstrap interval.

A cross-section shows how cost varies with size among trusts as they are; it cannot show what
a merger would do to a trust's cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport import settings
from chsreport.analysis import population_layers
from chsreport.data import finance, geography, pcn_lists, succession


def trust_size_and_cost(od: succession.OrgData) -> pd.DataFrame:
    """Today's trusts with 2017/18 operating expenses, staff, patients and beds (KH03, mean of
    the four quarters) summed over predecessors, cost per patient and per bed, the 2022 OHID
    catchment population (acute trusts), and 2019/20 estates cost per m²."""
    peer = finance.carry_to_current(
        finance.load_peer_finder(), od, ["operating_expenses_m", "fte_staff", "patients"]
    )
    peer["cost_per_patient"] = peer["operating_expenses_m"] * 1e6 / peer["patients"]
    beds = finance.carry_to_current(finance.load_kh03_beds(), od, ["beds", "ga_beds"]).set_index(
        "code"
    )
    peer["beds"] = peer["code"].map(beds["beds"])
    peer["cost_per_bed"] = peer["operating_expenses_m"] * 1e6 / peer["beds"]
    catchment = finance.carry_to_current(
        finance.load_ohid_catchment(), od, ["catchment_population"]
    )
    peer["catchment_population"] = peer["code"].map(
        catchment.set_index("code")["catchment_population"]
    )
    estates = finance.carry_to_current(
        finance.load_eric_sites(), od, ["estate_cost_m", "floor_area_m2"]
    )
    estates["estate_cost_per_m2"] = estates["estate_cost_m"] * 1e6 / estates["floor_area_m2"]
    columns = ["code", "estate_cost_m", "floor_area_m2", "estate_cost_per_m2"]
    out = peer.merge(estates[columns], on="code", how="outer", suffixes=("", "_estates"))
    filled = estates.set_index("code")
    for column in ("name", "type", "open_now"):
        out[column] = out[column].fillna(out["code"].map(filled[column]))
    out = out.replace([np.inf, -np.inf], np.nan)
    return out.sort_values("code").reset_index(drop=True)


SMOOTH_RESAMPLES = 200  # bootstrap fits behind a smooth's band: enough for a drawn band


def smooth_with_interval(
    x,
    y,
    frac: float = 0.6,
    n_boot: int = SMOOTH_RESAMPLES,
    seed: int = settings.SEED,
    grid_points: int = 40,
) -> pd.DataFrame:
    """LOWESS of y on log10(x), with a percentile bootstrap band (resampling trusts).

    Returns grid x, fitted y, and the 2.5 and 97.5 percentiles of the bootstrap fits.
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    x = np.log10(np.asarray(x, dtype=float))
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    grid = np.linspace(np.quantile(x, 0.02), np.quantile(x, 0.98), grid_points)
    fit = lowess(y, x, frac=frac, xvals=grid)
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, grid_points))
    for i in range(n_boot):
        pick = rng.integers(0, len(x), len(x))
        boots[i] = lowess(y[pick], x[pick], frac=frac, xvals=grid)
    low, high = np.nanpercentile(boots, [2.5, 97.5], axis=0)
    return pd.DataFrame({"x": 10**grid, "fit": fit, "low": low, "high": high})


def size_cost_correlation(x, y) -> dict:
    """Spearman rank correlation of size and cost, with its p-value and n."""
    from scipy.stats import spearmanr

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    result = spearmanr(x[keep], y[keep])
    return {"rho": float(result.statistic), "p_value": float(result.pvalue), "n": int(keep.sum())}


SEED_BANDS = (
    "articles 000 and 003: neighbourhoods 30-50k, up to 100k; article 001: PCNs 30-70k; "
    "article 003: ICSs about 2 million"
)
TWO_MILLION = 2_000_000


def near_two_million(icbs: pd.DataFrame, tolerance: float = 0.25) -> pd.DataFrame:
    """ICBs within ``tolerance`` (share) of 2 million registered patients."""
    low, high = TWO_MILLION * (1 - tolerance), TWO_MILLION * (1 + tolerance)
    return icbs[icbs["patients"].between(low, high)]


# --------------------------------------------------------------------------- is big best?
ACUTE_TYPES = ["acute", "acute_community"]


def big_is_best(costs: pd.DataFrame) -> dict:
    """Among acute trusts, the rank correlations of size (2022 catchment population) with cost
    per patient and with cost per bed (2017/18), each with its p-value and number of trusts."""
    acute = costs[costs["type"].isin(ACUTE_TYPES)]
    return {
        y: size_cost_correlation(acute["catchment_population"], acute[y])
        for y in ("cost_per_patient", "cost_per_bed")
    }


SIGNIFICANCE = 0.05  # a rank correlation counts as a link with size below this p-value


def cost_direction(correlation: dict) -> str:
    """How a cost measure moves with size: "falls", "rises" or "none" (no clear link)."""
    if correlation["p_value"] >= SIGNIFICANCE:
        return "none"
    return "falls" if correlation["rho"] < 0 else "rises"


def icb_profile(icb: str, bands: dict, year: int) -> dict:
    """One ICB's layers: registered list, sub-ICB locations, councils, PCNs, neighbourhoods."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    patients = int(icbs.loc[icb, "patients"])
    sizes = geography.load_list_sizes_2026()
    pm = geography.load_practice_map_2026()
    subs = pm[pm["icb_code"] == icb].drop_duplicates("sub_icb_code")[
        ["sub_icb_code", "sub_icb_name"]
    ]
    sub_sizes = sizes[sizes["org_type"] == "SUB_ICB"].set_index("org_code")["patients"]
    subs = subs.assign(patients=subs["sub_icb_code"].map(sub_sizes)).sort_values("patients")
    councils = population_layers.councils_with_icb()
    here = councils[councils["icb_code"] == icb][
        [
            "gss_code",
            "name",
            "tier",
            "county_code",
            f"population_{year}",
            "rural_urban",
            "share_in_icb",
        ]
    ].sort_values(f"population_{year}")
    pcns = pcn_lists.pcn_populations()
    pcns = pcns[pcns["icb_code"] == icb]
    low, high = bands["pcn_band"]
    rurality = geography.icb_rurality().set_index("icb_code")
    return {
        "name": icbs.loc[icb, "icb_name"],
        "patients": patients,
        "residents": int(here[f"population_{year}"].sum()),
        "rural_share": float(rurality.loc[icb, "rural_share"]),
        "sub_icbs": subs,
        "councils": here,
        "districts": int((here["tier"] == "district").sum()),
        "pcns": len(pcns),
        "pcn_median": float(pcns["patients"].median()),
        "pcn_inside": float(pcns["patients"].between(low, high).mean()),
        "neighbourhoods_min": patients / bands["neighbourhood_max"],
        "neighbourhoods_max": patients / bands["neighbourhood_min"],
    }


ESTATE_TYPES = ["acute", "acute_community", "acute_specialist", "community", "mental_health",
                "mental_health_community", "ambulance"]  # fmt: skip  # trusts with an estate


def size_cost_by_type(costs: pd.DataFrame) -> pd.DataFrame:
    """Median size and cost per trust type, over trusts with cost data (``costs``:
    :func:`trust_size_and_cost`), rounded to whole units."""
    return (
        costs.dropna(subset=["operating_expenses_m"])
        .groupby("type")
        .agg(
            trusts=("code", "size"),
            median_opex_m=("operating_expenses_m", "median"),
            median_beds=("beds", "median"),
            median_cost_per_bed=("cost_per_bed", "median"),
            median_cost_per_patient=("cost_per_patient", "median"),
            median_estate_cost_per_m2=("estate_cost_per_m2", "median"),
        )
        .round(0)
        .reset_index()
    )
