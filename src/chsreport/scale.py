"""Question 2, which population and organisation sizes make sense: the tables, charts and
figures of ``notebooks/scale.ipynb``."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from chsreport import charts, finance, geography, orgs, vocabulary

REGISTERED_SOURCE = (
    "NHS England, Patients Registered at a GP Practice (Aug 2026; practices Jan 2021)"
)
COUNCIL_SOURCE = (
    "ONS mid-year estimates (mid-2024); mySociety register (council names and tiers, mid-2020); "
    "ONS lookups"
)
FINANCE_SOURCE = (
    "Trust Peer Finder (about 2017/18); KH03 beds 2017/18; OHID catchments 2022; "
    "ERIC 2019/20 sites; NHS ODS lineage"
)

INPUTS = [
    "gp_age_2026_08",
    "gp_practice_map_2026_08",
    "gp_practice_map_2022_01",
    "gp_practice_lists_2021_01",
    "la_register",
    "ons_mye_2024",
    "ons_lsoa11_icb22",
    "ons_ruc21_ltla24",
    "trust_peer_finder_2018",
    "kh03_beds_2010_2022",
    "ohid_catchment_2022",
    "eric_site_2019_20",
    "ods_etr_2026_07",
    "ods_succ_2026_05",
    "trust_list_2026_08",
]
SEED_BANDS = (
    "articles 000 and 003: neighbourhoods 30-50k, up to 100k; article 001: PCNs 30-70k; "
    "article 003: ICSs about 2 million"
)
TWO_MILLION = 2_000_000


def fmt_people(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} million"
    return f"{value:,.0f}"


def pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def histogram(frame: pd.DataFrame, column: str, step: int, by: str) -> pd.DataFrame:
    """Counts per bin of width ``step`` (and per ``by`` group): charts carry these few rows
    rather than every unit."""
    start = (frame[column] // step * step).astype(int)
    counts = frame.assign(bin_start=start).groupby([by, "bin_start"]).size().rename("count")
    counts = counts.reset_index()
    counts["bin_end"] = counts["bin_start"] + step
    return counts


# --------------------------------------------------------------------------- all layers
def layer_box_table(layers: pd.DataFrame) -> pd.DataFrame:
    """Percentiles per layer (the chart draws boxes from these, not from every unit)."""
    q = layers.groupby("layer")["population"].quantile([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    table = q.unstack().set_axis(["min", "p10", "p25", "median", "p75", "p90", "max"], axis=1)
    table["units"] = layers.groupby("layer").size()
    table["measure"] = layers.groupby("layer")["measure"].first()
    table["date"] = layers.groupby("layer")["date"].first()
    order = [x for x in geography.LAYER_ORDER if x in table.index]
    return table.reindex(order).reset_index()


def layers_figure(layers: pd.DataFrame, bands: dict) -> charts.Figure:
    """Every layer on one log scale: boxes (10th-90th and quartiles), medians, seed bands."""
    table = layer_box_table(layers)
    order = table["layer"].tolist()
    y = alt.Y("layer:N", title=None, sort=order, axis=alt.Axis(labelLimit=200))
    x_scale = alt.Scale(type="log", domain=[1000, 6_000_000])
    band_rows = pd.DataFrame(
        [
            {
                "from": bands["neighbourhood_min"],
                "to": bands["neighbourhood_max"],
                "band": f"Neighbourhood {bands['neighbourhood_min'] // 1000}-"
                f"{bands['neighbourhood_max'] // 1000}k",
            },
            {
                "from": bands["pcn_band"][0],
                "to": bands["pcn_band"][1],
                "band": f"PCN {bands['pcn_band'][0] // 1000}-{bands['pcn_band'][1] // 1000}k",
            },
        ]
    )
    shade = (
        alt.Chart(band_rows)
        .mark_rect(opacity=0.12)
        .encode(
            x=alt.X("from:Q", scale=x_scale, title="Population (log scale)"),
            x2="to:Q",
            color=alt.Color(
                "band:N",
                title="Bands named in the articles",
                legend=alt.Legend(titleLimit=320),
                scale=alt.Scale(range=["#009E73", "#E69F00"]),
            ),
        )
    )
    rules = pd.DataFrame(
        [
            {
                "x": bands["neighbourhood_cap"],
                "label": f"{bands['neighbourhood_cap'] // 1000}k cap",
            },
            {"x": TWO_MILLION, "label": "2 million"},
        ]
    )
    rule = (
        alt.Chart(rules)
        .mark_rule(strokeDash=[4, 3], color="#333")
        .encode(x=alt.X("x:Q", scale=x_scale))
    )
    rule_text = (
        alt.Chart(rules)
        .mark_text(align="left", dx=3, dy=-4, fontSize=11, baseline="bottom")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.value(0), text="label:N")
    )
    whisker = (
        alt.Chart(table)
        .mark_rule(color="#555")
        .encode(x=alt.X("p10:Q", scale=x_scale), x2="p90:Q", y=y)
    )
    box = (
        alt.Chart(table)
        .mark_bar(size=14, color="#0072B2", opacity=0.75)
        .encode(
            x=alt.X("p25:Q", scale=x_scale),
            x2="p75:Q",
            y=y,
            tooltip=[
                alt.Tooltip("layer:N", title="Layer"),
                alt.Tooltip("units:Q", title="Units"),
                alt.Tooltip("median:Q", title="Median", format=",.0f"),
                alt.Tooltip("p25:Q", title="25th percentile", format=",.0f"),
                alt.Tooltip("p75:Q", title="75th percentile", format=",.0f"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("date:N", title="Date"),
            ],
        )
    )
    median = (
        alt.Chart(table)
        .mark_tick(color="white", thickness=2, size=14)
        .encode(x=alt.X("median:Q", scale=x_scale), y=y)
    )
    chart = (shade + whisker + box + median + rule + rule_text).properties(width=540, height=280)
    pcn = table.set_index("layer").loc["PCN", "median"]
    icb = table.set_index("layer").loc["ICB (2026)", "median"]
    return charts.figure(
        chart,
        title=f"A median PCN holds {fmt_people(pcn)} patients, a median ICB {fmt_people(icb)}",
        subtitle="Boxes: middle half of units; whiskers: 10th-90th percentile; white tick: "
        f"median. Shading and dashed lines: {SEED_BANDS}",
        source=f"{REGISTERED_SOURCE}; {COUNCIL_SOURCE}",
        table=table,
        csv_name="population_by_layer.csv",
    )


# --------------------------------------------------------------------------- ICB mergers
def icb_merger_figure(mergers: pd.DataFrame, rurality: pd.DataFrame) -> charts.Figure:
    frame = mergers.merge(rurality[["icb_code", "rurality", "rural_share"]], on="icb_code")
    frame["icb"] = frame["icb_name"].map(vocabulary.icb_short_name)
    frame["part"] = np.where(frame["merged"], frame["icb22_name"], "Unchanged (one 2022 ICB)")
    frame["part"] = np.where(
        frame["inferred"],
        frame["part"] + " (new sub-ICB location; ODS ICB successions)",
        frame["part"],
    )
    frame["formed"] = np.where(frame["merged"], "Merged in 2026", "Unchanged")
    order = (
        frame.groupby("icb")["icb26_patients"].first().sort_values(ascending=False).index.tolist()
    )
    merged_n = frame.loc[frame["merged"], "icb_code"].nunique()
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            y=alt.Y("icb:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("sum(patients):Q", title=f"Registered patients ({geography.lists_month()})"),
            color=alt.Color(
                "formed:N",
                title="2026 ICB",
                scale=alt.Scale(
                    domain=["Merged in 2026", "Unchanged"], range=["#D55E00", "#999999"]
                ),
            ),
            detail="icb22_code:N",
            tooltip=[
                alt.Tooltip("icb:N", title="ICB (2026)"),
                alt.Tooltip("part:N", title="Part from 2022 ICB"),
                alt.Tooltip("patients:Q", title="Patients in this part", format=","),
                alt.Tooltip("icb26_patients:Q", title="ICB total", format=","),
                alt.Tooltip("rurality:N", title="Rurality"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [TWO_MILLION]}))
        .mark_rule(strokeDash=[4, 3], color="#333")
        .encode(x="x:Q")
    )
    chart = (bars + rule).properties(width=460, height=16 * len(order))
    return charts.figure(
        chart,
        title=f"{merged_n} of the {len(order)} ICBs of 2026 were formed by merging 2022 ICBs",
        subtitle="Each bar split by the 2022 ICB its sub-ICB locations came from; dashed line: "
        f"2 million. Source: {REGISTERED_SOURCE}",
        source=REGISTERED_SOURCE,
        table=frame[
            [
                "icb_code",
                "icb",
                "icb22_code",
                "icb22_name",
                "patients",
                "icb26_patients",
                "merged",
                "inferred",
                "rurality",
                "rural_share",
            ]
        ],
        csv_name="icb_mergers_2026.csv",
    )


def near_two_million(icbs: pd.DataFrame, tolerance: float = 0.25) -> pd.DataFrame:
    """ICBs within ``tolerance`` (share) of 2 million registered patients."""
    low, high = TWO_MILLION * (1 - tolerance), TWO_MILLION * (1 + tolerance)
    return icbs[icbs["patients"].between(low, high)]


# --------------------------------------------------------------------------- councils
def council_claims_table(cap: int) -> pd.DataFrame:
    rows = []
    for year in geography.POPULATION_YEARS:
        under_cap = geography.share_of_districts_below(cap, year)
        under_half = geography.share_of_districts_below(cap // 2, year)
        no_district = geography.share_population_without_district(year)
        smallest = geography.smallest_district(year)
        rows.append(
            {
                "population year": f"mid-{year}",
                f"districts under {cap // 1000}k": f"{under_cap['count']} of {under_cap['total']} "
                f"({pct(under_cap['share'])})",
                f"districts under {cap // 2000}k": under_half["count"],
                "smallest district": f"{smallest['name']} ({smallest[f'population_{year}']:,.0f})",
                "population with no district council": pct(no_district["share"]),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- PCNs
def pcn_figure(pcns: pd.DataFrame, band: list[int]) -> charts.Figure:
    summary = geography.pcn_band_summary(*band)
    frame = pcns.assign(rurality=pcns["rurality"].fillna("Not classified"))
    binned = histogram(frame[frame["patients"] <= 150000], "patients", 5000, by="rurality")
    bars = (
        alt.Chart(binned)
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_start:Q", bin="binned", title="Registered patients per PCN (bins of 5,000)"
            ),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title="PCNs", stack="zero"),
            color=alt.Color(
                "rurality:N",
                title="Sub-ICB location",
                scale=alt.Scale(
                    domain=["Mainly urban", "Mainly rural", "Not classified"],
                    range=["#0072B2", "#009E73", "#BBBBBB"],
                ),
            ),
            tooltip=[
                alt.Tooltip("rurality:N", title="Sub-ICB location"),
                alt.Tooltip("bin_start:Q", title="From", format=","),
                alt.Tooltip("bin_end:Q", title="To", format=","),
                alt.Tooltip("count:Q", title="PCNs"),
            ],
        )
    )
    shade = (
        alt.Chart(pd.DataFrame({"a": [band[0]], "b": [band[1]]}))
        .mark_rect(opacity=0.12, color="#E69F00")
        .encode(x="a:Q", x2="b:Q")
    )
    return charts.figure(
        (shade + bars).properties(width=540, height=260),
        title=f"{pct(summary['share_inside'])} of PCNs hold {band[0] // 1000}-{band[1] // 1000}k "
        f"patients; the median PCN holds {summary['median']:,.0f}",
        subtitle=f"{summary['count']} PCNs, {geography.lists_month()} "
        "(PCNs over 150,000 are off the scale); "
        f"shaded: the {band[0] // 1000}-{band[1] // 1000}k band. Source: {REGISTERED_SOURCE}",
        source=REGISTERED_SOURCE,
        table=frame[["pcn_code", "pcn_name", "sub_icb_code", "icb_code", "patients", "rurality"]],
        csv_name="pcn_sizes.csv",
    )


def neighbourhood_figure(size: int, highlight: str | None) -> charts.Figure:
    per_icb = geography.neighbourhoods_per_icb(size)
    per_icb["icb"] = per_icb["icb_name"].map(vocabulary.icb_short_name)
    per_icb["chosen"] = per_icb["icb_code"] == highlight if highlight else False
    order = per_icb.sort_values("neighbourhoods", ascending=False)["icb"].tolist()
    chart = (
        alt.Chart(per_icb)
        .mark_bar()
        .encode(
            y=alt.Y("icb:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("neighbourhoods:Q", title=f"Neighbourhoods of {size:,} registered patients"),
            color=alt.condition("datum.chosen", alt.value("#D55E00"), alt.value("#0072B2")),
            tooltip=[
                alt.Tooltip("icb:N", title="ICB"),
                alt.Tooltip("patients:Q", title="Registered patients", format=","),
                alt.Tooltip("neighbourhoods:Q", title="Neighbourhoods"),
            ],
        )
        .properties(width=460, height=16 * len(order))
    )
    return charts.figure(
        chart,
        title=f"England's ICBs would hold {per_icb['neighbourhoods'].sum():,.0f} neighbourhoods "
        f"of {size:,}: from {per_icb['neighbourhoods'].min():.0f} to "
        f"{per_icb['neighbourhoods'].max():.0f} per ICB",
        subtitle="ICB registered list divided by the neighbourhood size. "
        f"Source: {REGISTERED_SOURCE}",
        source=REGISTERED_SOURCE,
        table=per_icb[["icb_code", "icb", "patients", "neighbourhoods"]],
        csv_name=f"neighbourhoods_of_{size}.csv",
    )


# --------------------------------------------------------------------------- is big best?
ACUTE_TYPES = ["acute", "acute_community"]


def big_is_best(costs: pd.DataFrame) -> dict:
    """Among acute trusts, the rank correlations of size (2022 catchment population) with cost
    per patient and with cost per bed (2017/18), each with its p-value and number of trusts."""
    acute = costs[costs["type"].isin(ACUTE_TYPES)]
    return {
        y: finance.size_cost_correlation(acute["catchment_population"], acute[y])
        for y in ("cost_per_patient", "cost_per_bed")
    }


SIGNIFICANCE = 0.05  # a rank correlation counts as a link with size below this p-value


def cost_direction(correlation: dict) -> str:
    """How a cost measure moves with size: "falls", "rises" or "none" (no clear link)."""
    if correlation["p_value"] >= SIGNIFICANCE:
        return "none"
    return "falls" if correlation["rho"] < 0 else "rises"


_HOW = {
    "falls": "falls with size",
    "rises": "rises with size",
    "none": "shows no clear link with size",
}
_ANSWER = {  # cost per patient's direction -> the short answer to "is big best?"
    "falls": "Partly, on cost",
    "rises": "Not on cost",
    "none": "Not shown on cost",
}
_MEANING = {  # cost per patient's direction -> what it means for a case for merging
    "falls": "Larger acute trusts spent less per patient, which a case for merging trusts to cut "
    "unit costs can cite; the link is an association among trusts as they were, not the effect "
    "of a merger.",
    "rises": "Larger acute trusts spent more per patient, so a case for merging trusts to cut "
    "unit costs finds no support here.",
    "none": "A case for merging trusts to cut unit costs needs evidence of its own: across "
    "England's acute trusts, the data do not show larger ones spending less per patient.",
}
COST_CAVEAT = "The cost data are old (2017/18) and do not adjust for case mix."


def big_is_best_sentence(result: dict) -> str:
    """The chapter's answer to "is big best?" in one sentence, chosen by the rank correlations
    of :func:`big_is_best` (``result``)."""
    patient, bed = result["cost_per_patient"], result["cost_per_bed"]
    return (
        f"{_ANSWER[cost_direction(patient)]}, in the data we have: among {patient['n']} acute "
        f"trusts, cost per patient {_HOW[cost_direction(patient)]} (rank correlation "
        f"{patient['rho']:+.2f}, p = {patient['p_value']:.2f}) and cost per bed "
        f"{_HOW[cost_direction(bed)]} ({bed['rho']:+.2f}, p = {bed['p_value']:.2f}); 2017/18 "
        "costs against 2022 catchment populations."
    )


def big_is_best_meaning(result: dict) -> str:
    """What :func:`big_is_best` means for a case for merging trusts, chosen by its statistic."""
    return f"{_MEANING[cost_direction(result['cost_per_patient'])]} {COST_CAVEAT}"


def size_cost_figure(
    costs: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    types: list[str],
    csv_name: str,
    title_what: str,
) -> charts.Figure:
    columns = ["code", "name", "type", x, y, "predecessors"]
    frame = costs.loc[costs["type"].isin(types), columns].dropna(subset=[x, y]).copy()
    frame = frame[(frame[x] > 0) & (frame[y] > 0)]
    frame["type_label"] = frame["type"].map(orgs.TYPE_LABELS)
    smooth = finance.smooth_with_interval(frame[x], frame[y])
    corr = finance.size_cost_correlation(frame[x], frame[y])
    x_scale = alt.Scale(type="log")
    points = (
        alt.Chart(frame)
        .mark_circle(size=40, opacity=0.75)
        .encode(
            x=alt.X(f"{x}:Q", scale=x_scale, title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color("type_label:N", title="Trust type", scale=charts.type_scale(types)),
            tooltip=[
                alt.Tooltip("name:N", title="Trust"),
                alt.Tooltip("code:N", title="ODS code"),
                alt.Tooltip("type_label:N", title="Type"),
                alt.Tooltip(f"{x}:Q", title=x_title, format=",.0f"),
                alt.Tooltip(f"{y}:Q", title=y_title, format=",.0f"),
                alt.Tooltip("predecessors:N", title="Summed from"),
            ],
        )
    )
    band = (
        alt.Chart(smooth)
        .mark_area(opacity=0.2, color="#333")
        .encode(x=alt.X("x:Q", scale=x_scale), y="low:Q", y2="high:Q")
    )
    line = (
        alt.Chart(smooth).mark_line(color="#333").encode(x=alt.X("x:Q", scale=x_scale), y="fit:Q")
    )
    direction = "rises" if corr["rho"] > 0 else "falls"
    significant = corr["p_value"] < 0.05
    title = (
        f"{title_what} {direction} with size (rank correlation {corr['rho']:.2f}, "
        f"{corr['n']} trusts)"
        if significant
        else f"{title_what} shows no clear link with size (rank correlation {corr['rho']:.2f}, "
        f"{corr['n']} trusts)"
    )
    return charts.figure(
        (band + line + points).properties(width=540, height=300),
        title=title,
        subtitle="Line: LOWESS smooth over all trusts shown; band: 95% bootstrap interval "
        f"({finance.SMOOTH_RESAMPLES:,} resamples of trusts). Source: {FINANCE_SOURCE}",
        source=FINANCE_SOURCE,
        table=frame[["code", "name", "type", x, y, "predecessors"]],
        csv_name=csv_name,
    )


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
    councils = geography.councils_with_icb()
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
    pcns = geography.pcn_populations()
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
    from chsreport import maps

    frame = district_bands(year)
    districts = frame[frame["tier"] == "district"]
    small = int((districts["residents"] < 100_000).sum())
    single = geography.share_population_without_district(year)
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
        f"residents; {pct(single['share'])} of residents live in single-tier areas (lilac)",
        subtitle=f"Lower-tier and single-tier councils of England, mid-{year} estimates.",
        source=COUNCIL_SOURCE,
        csv_name=f"district_bands_{year}.csv",
        tooltip=[
            alt.Tooltip("band:N", title="Band"),
            alt.Tooltip("residents:Q", title="Residents", format=","),
        ],
    )


def icb_map():
    from chsreport import maps

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
        title=f"England's {len(values)} ICBs hold from {fmt_people(values['patients'].min())} "
        f"to {fmt_people(values['patients'].max())} registered patients (median "
        f"{fmt_people(values['patients'].median())}); {int(values['merged_in_2026'].sum())} were "
        "formed by merging ICBs of 2022",
        subtitle=f"Colour: registered patients ({geography.lists_month()}); dark lines: the "
        f"{len(maps.codes('icb23'))} ICBs of 2022 (2023 boundaries).",
        source=REGISTERED_SOURCE,
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
    from chsreport import maps

    pcns = geography.pcn_populations()
    by_sub = pcns.groupby("sub_icb_code")["patients"].agg(["median", "size"]).reset_index()
    # joined on the ONS code the practice map gives: a sub-ICB location created or redrawn in
    # 2026 has a new code and no 2023 shape; its 2023 predecessor's shape is drawn grey
    ons = geography.load_practice_map_2026().drop_duplicates("sub_icb_code")
    by_sub["code"] = by_sub["sub_icb_code"].map(ons.set_index("sub_icb_code")["sub_icb_ons_code"])
    placed = by_sub[by_sub["code"].isin(maps.codes("sicbl23"))]
    low, high = band
    groups = [f"Under {low:,}", f"{low:,} to {high:,}", f"Over {high:,}"]
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
    missing = by_sub[~by_sub["code"].isin(maps.codes("sicbl23"))]
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
        f"{low:,} to {high:,} patients; {outside / len(pcns):.0%} of PCNs ({outside:,} of "
        f"{len(pcns):,}) lie outside that range",
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
        source=REGISTERED_SOURCE,
        csv_name="pcn_median_by_sub_icb.csv",
        tooltip=[
            alt.Tooltip("median_pcn:Q", title="Median PCN", format=","),
            alt.Tooltip("pcns:Q", title="PCNs"),
        ],
    )


def mergers_intro(mergers: pd.DataFrame) -> str:
    """The opening of the ICB mergers section: how many ICBs became how many, and how they are
    traced (``mergers``: :func:`geography.icb_mergers_2026`)."""
    before = mergers.loc[mergers["icb22_code"] != "unknown", "icb22_code"].nunique()
    after = mergers["icb_code"].nunique()
    change = "became" if after != before else "stayed at"
    return (
        f"In April 2026 the {before} ICBs of 2022 {change} {after}. Each 2022 ICB is traced to "
        "today's through its sub-ICB locations, whose codes did not change; sizes are "
        f"{geography.lists_month()} registered lists on both sides, so before and after compare "
        "like with like."
    )


def placed_by_boundary_sentence(moved: pd.DataFrame) -> str:
    """How the small areas of a 2022 sub-ICB location split in 2026 are placed (``moved``:
    :func:`geography.lsoas_placed_by_boundary`); empty when there is none. The scale chapter and
    the methods page both say it."""
    if moved.empty:
        return ""
    icb22 = geography.load_lsoa_icb22().drop_duplicates("sub_icb_code").set_index("sub_icb_code")
    places = [
        f"of {vocabulary.icb_short_name(icb22['icb22_name'].get(code, ''))} ({code})"
        for code in moved["sub_icb_code"].unique()
    ]
    by_icb = moved.groupby("icb", sort=False)["council"].agg(list)
    councils = moved["council"].nunique()
    return (
        f"The 2022 sub-ICB location {', '.join(places)} was split between "
        f"{vocabulary.plural(len(by_icb), 'ICB')} in 2026 and the data hold no 2026 small-area "
        f"lookup for it: its {moved['lsoas'].sum():,} small areas, in "
        f"{vocabulary.plural(councils, 'council')}, are placed council by council in the 2026 ICB "
        "whose ONS boundary covers most of the council ("
        + "; ".join(f"{', '.join(c)}: {icb}" for icb, c in by_icb.items())
        + ")."
    )
