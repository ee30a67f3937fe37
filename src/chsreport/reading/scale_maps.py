"""Question 2's maps: councils by size band, ICBs by population, PCNs by size."""

from __future__ import annotations

import altair as alt
import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import population_layers
from chsreport.data import boundaries, geography, pcn_lists
from chsreport.reading import maps, scale_story

# --------------------------------------------------------------------------- maps
DISTRICT_BANDS = {
    "Under 50,000": (0, 50_000),
    "50,000-100,000": (50_000, 100_000),
    "100,000-150,000": (100_000, 150_000),
    "Over 150,000": (150_000, float("inf")),
}

SINGLE_TIER = "Single-tier council (no district)"

BAND_COLOURS = ["#B2182B", "#EF8A62", "#FDDBC7", "#92C5DE", "#CBB8DD"]


def district_bands(year: int = 2024) -> pd.DataFrame:
    """Every English lower-tier or single-tier council with its residents and its band: district
    councils by size, single-tier councils (unitary, metropolitan, London) as such."""
    c = geography.councils()
    lower = c[c["tier"] != "county"].copy()
    lower["residents"] = geography.council_population(lower, year).astype(int)

    def band(row) -> str:
        if row["tier"] != "district":
            return SINGLE_TIER
        return next(k for k, (lo, hi) in DISTRICT_BANDS.items() if lo <= row["residents"] < hi)

    lower["band"] = lower.apply(band, axis=1)
    return lower.rename(columns={"gss_code": "code"})[["code", "name", "tier", "residents", "band"]]


def district_map(year: int = 2024):
    """England's councils coloured by district size band (single-tier areas apart), for ``year``'s
    populations."""
    frame = district_bands(year)
    districts = frame[frame["tier"] == "district"]
    small = int((districts["residents"] < 100_000).sum())
    single = population_layers.share_population_without_district(year)
    order = [b for b in [*DISTRICT_BANDS, SINGLE_TIER] if b in set(frame["band"])]
    colours = [BAND_COLOURS[[*DISTRICT_BANDS, SINGLE_TIER].index(b)] for b in order]
    return maps.choropleth(
        "lad24",
        frame[["code", "band", "residents"]],
        alt.Color(
            "band:N",
            title=f"Residents, mid-{year}",
            scale=alt.Scale(domain=order, range=colours),
            sort=order,
        ),
        title=f"{small} of {len(districts)} district councils have fewer than 100,000 "
        f"residents; {vocabulary.percent(single['share'])} of residents live in single-tier "
        "areas (lilac)",
        subtitle=f"Lower-tier and single-tier councils of England, mid-{year} estimates.",
        source=scale_story.COUNCIL_SOURCE,
        csv_name=f"district_bands_{year}.csv",
        tooltip=[
            alt.Tooltip("band:N", title="Band"),
            alt.Tooltip("residents:Q", title="Residents", format=","),
        ],
    )


def icb_map():
    """The 2026 ICBs coloured by registered patients, the merged ones marked."""
    icbs = geography.icb_populations_2026()
    merged = set(geography.icb_mergers_2026().query("merged")["icb_code"])
    values = pd.DataFrame(
        {
            "code": icbs["icb_ons_code"],
            "icb": icbs["icb_name"].map(vocabulary.icb_short_name),
            "patients": icbs["patients"].astype(int),
            "merged_in_2026": icbs["icb_code"].isin(merged),
        }
    )
    return maps.choropleth(
        "icb26",
        values,
        alt.Color(
            "patients:Q",
            title="Registered patients",
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=",.0f"),
        ),
        title=f"England's {len(values)} ICBs hold from "
        f"{vocabulary.people(values['patients'].min())} "
        f"to {vocabulary.people(values['patients'].max())} registered patients (median "
        f"{vocabulary.people(values['patients'].median())}); "
        f"{int(values['merged_in_2026'].sum())} were "
        "formed by merging ICBs of 2022",
        subtitle=f"Colour: registered patients ({geography.lists_month()}); dark lines: the "
        f"{len(boundaries.codes('icb23'))} ICBs of 2022 (2023 boundaries).",
        source=scale_story.REGISTERED_SOURCE,
        csv_name="icb_map_2026.csv",
        outline="icb23",
        tooltip=[
            alt.Tooltip("patients:Q", title="Registered patients", format=","),
            alt.Tooltip("merged_in_2026:N", title="Formed by merger in 2026"),
        ],
    )


def pcn_map(band: list[int]):
    """Median PCN list size in each sub-ICB location (2023 boundaries; a PCN sits in the sub-ICB
    location of most of its practices)."""

    pcns = pcn_lists.pcn_populations()
    by_sub = pcns.groupby("sub_icb_code")["patients"].agg(["median", "size"]).reset_index()
    # joined on the ONS code the practice map gives: a sub-ICB location created or redrawn in
    # 2026 has a new code and no 2023 shape; its 2023 predecessor's shape is drawn grey
    ons = geography.load_practice_map_2026().drop_duplicates("sub_icb_code")
    by_sub["code"] = by_sub["sub_icb_code"].map(ons.set_index("sub_icb_code")["sub_icb_ons_code"])
    placed = by_sub[by_sub["code"].isin(boundaries.codes("sicbl23"))]
    low, high = band
    groups = [
        f"Under {vocabulary.whole(low)}",
        f"{vocabulary.whole(low)} to {vocabulary.whole(high)}",
        f"Over {vocabulary.whole(high)}",
    ]
    values = pd.DataFrame(
        {
            "code": placed["code"],
            "group": [
                groups[0] if m < low else groups[2] if m > high else groups[1]
                for m in placed["median"]
            ],
            "median_pcn": placed["median"].round(0).astype(int),
            "pcns": placed["size"].astype(int),
        }
    )
    missing = by_sub[~by_sub["code"].isin(boundaries.codes("sicbl23"))]
    left_out = int(missing["size"].sum())
    inside = int((values["group"] == groups[1]).sum())
    names = ons.set_index("sub_icb_code")["sub_icb_name"]
    unplaced = [names[c] for c in missing["sub_icb_code"]]
    outside = int((~pcns["patients"].between(low, high)).sum())
    return maps.choropleth(
        "sicbl23",
        values,
        alt.Color(
            "group:N",
            title="Median PCN",
            scale=alt.Scale(domain=groups, range=["#E69F00", "#56B4E9", "#0072B2"]),
            sort=groups,
        ),
        title=f"In {inside} of the {len(values)} sub-ICB locations drawn (of {len(by_sub)}) the "
        "median PCN holds "
        f"{vocabulary.whole(low)} to {vocabulary.whole(high)} patients; "
        f"{vocabulary.percent(outside / len(pcns))} of PCNs ({vocabulary.whole(outside)} of "
        f"{vocabulary.whole(len(pcns))}) lie outside that range",
        subtitle="Median registered list of the PCNs in each sub-ICB location "
        f"({geography.lists_month()} lists, "
        "2023 boundaries)"
        + (
            f"; {vocabulary.plural(len(unplaced), 'sub-ICB location')} created or redrawn in "
            f"2026 ({', '.join(unplaced)}; {vocabulary.plural(left_out, 'PCN')}) "
            f"{'has' if len(unplaced) == 1 else 'have'} no 2023 shape"
            if unplaced
            else ""
        )
        + ".",
        no_data="the 2023 shape of an area redrawn or dissolved in 2026",
        source=scale_story.REGISTERED_SOURCE,
        csv_name="pcn_median_by_sub_icb.csv",
        tooltip=[
            alt.Tooltip("median_pcn:Q", title="Median PCN", format=","),
            alt.Tooltip("pcns:Q", title="PCNs"),
        ],
    )
