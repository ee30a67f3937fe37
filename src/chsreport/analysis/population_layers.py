"""Populations of every planning layer side by side (councils by tier, PCNs, ICBs), the share of
districts below a size, and the council-to-ICB link the scale chapter measures.
"""

from __future__ import annotations

import pandas as pd

from chsreport.data import geography, pcn_lists

LAYER_ORDER = [
    "ICB (2026)",
    "ICB (2022)",
    "Upper-tier council",
    "Sub-ICB location",
    "District council",
    "PCN",
    "GP practice",
]


def districts_below(threshold: float, year: int = 2024) -> pd.DataFrame:
    """District (non-metropolitan) councils with fewer than ``threshold`` residents."""
    c = geography.councils()
    districts = c[c["tier"] == "district"]
    return districts[geography.council_population(districts, year) < threshold].sort_values(
        f"population_{year}"
    )


def share_of_districts_below(threshold: float, year: int = 2024) -> dict:
    """Count and share of district councils under ``threshold`` residents (seed 003's claim)."""
    c = geography.councils()
    districts = c[c["tier"] == "district"]
    below = districts_below(threshold, year)
    return {
        "count": len(below),
        "total": len(districts),
        "share": len(below) / len(districts),
        "year": year,
        "threshold": threshold,
    }


def share_population_without_district(year: int = 2024) -> dict:
    """Share of England's residents who live where there is no district council (single tier)."""
    c = geography.councils()
    lower = c[c["tier"] != "county"]
    population = geography.council_population(lower, year)
    single = population[lower["tier"] == "single tier"].sum()
    return {
        "share": single / population.sum(),
        "single_tier": int(single),
        "england": int(population.sum()),
        "year": year,
    }


def smallest_district(year: int = 2024) -> pd.Series:
    return districts_below(float("inf"), year).iloc[0]


def layer_populations(population_year: int = 2024) -> pd.DataFrame:
    """Every layer's units in one long frame: layer, code, name, population, measure, date.
    Long because each of the six layers has its own source and measure, read in turn into one
    frame."""
    rows = []
    icb26 = geography.icb_populations_2026()
    rows.append(
        pd.DataFrame(
            {
                "layer": "ICB (2026)",
                "code": icb26["icb_code"],
                "name": icb26["icb_name"],
                "population": icb26["patients"],
                "measure": geography.REGISTERED,
                "date": "2026-08",
            }
        )
    )
    icb22 = geography.icb_populations_2022()
    rows.append(
        pd.DataFrame(
            {
                "layer": "ICB (2022)",
                "code": icb22["icb_code"],
                "name": icb22["icb_name"],
                "population": icb22["patients_2021"],
                "measure": geography.REGISTERED,
                "date": "2021-01",
            }
        )
    )
    sizes = geography.load_list_sizes_2026()
    pm = (
        geography.load_practice_map_2026().drop_duplicates("sub_icb_code").set_index("sub_icb_code")
    )
    sub = sizes[sizes["org_type"] == "SUB_ICB"]
    rows.append(
        pd.DataFrame(
            {
                "layer": "Sub-ICB location",
                "code": sub["org_code"],
                "name": sub["org_code"].map(pm["sub_icb_name"]),
                "population": sub["patients"],
                "measure": geography.REGISTERED,
                "date": "2026-08",
            }
        )
    )
    pcns = pcn_lists.pcn_populations()
    rows.append(
        pd.DataFrame(
            {
                "layer": "PCN",
                "code": pcns["pcn_code"],
                "name": pcns["pcn_name"],
                "population": pcns["patients"],
                "measure": geography.REGISTERED,
                "date": "2026-08",
            }
        )
    )
    practices = geography.load_practice_lists_2021()
    rows.append(
        pd.DataFrame(
            {
                "layer": "GP practice",
                "code": practices["practice_code"],
                "name": practices["practice_code"],
                "population": practices["patients"],
                "measure": geography.REGISTERED,
                "date": "2021-01",
            }
        )
    )
    c = geography.councils()
    population = geography.council_population(c, population_year)
    upper = c["tier"] != "district"
    rows.append(
        pd.DataFrame(
            {
                "layer": "Upper-tier council",
                "code": c.loc[upper, "gss_code"],
                "name": c.loc[upper, "name"],
                "population": population[upper],
                "measure": geography.RESIDENT,
                "date": f"mid-{population_year}",
            }
        )
    )
    district = c["tier"] == "district"
    rows.append(
        pd.DataFrame(
            {
                "layer": "District council",
                "code": c.loc[district, "gss_code"],
                "name": c.loc[district, "name"],
                "population": population[district],
                "measure": geography.RESIDENT,
                "date": f"mid-{population_year}",
            }
        )
    )
    out = pd.concat(rows, ignore_index=True)
    out["population"] = out["population"].astype(float)
    return out[out["population"] > 0].reset_index(drop=True)


def layer_summary(layers: pd.DataFrame) -> pd.DataFrame:
    """Count, median, smallest and largest unit per layer, in the book's layer order."""
    summary = layers.groupby("layer")["population"].agg(["count", "median", "min", "max"])
    summary["measure"] = layers.groupby("layer")["measure"].first()
    summary["date"] = layers.groupby("layer")["date"].first()
    return summary.reindex([x for x in LAYER_ORDER if x in summary.index]).reset_index()


def councils_with_icb() -> pd.DataFrame:
    """Lower-tier and single-tier councils with the 2026 ICB holding most of their LSOAs, and
    the share of their LSOAs in that ICB."""
    lsoa = geography.lsoa_places()
    counts = lsoa.groupby(["council_code", "icb_code"]).size().rename("lsoas").reset_index()
    counts["share"] = counts["lsoas"] / counts.groupby("council_code")["lsoas"].transform("sum")
    main = counts.sort_values(["council_code", "lsoas"], ascending=[True, False])
    main = main.drop_duplicates("council_code").set_index("council_code")
    c = geography.councils()
    lower = c[c["tier"] != "county"].copy()
    lower["icb_code"] = lower["gss_code"].map(main["icb_code"])
    lower["share_in_icb"] = lower["gss_code"].map(main["share"])
    return lower.reset_index(drop=True)
