"""Question 2 for readers: the tables, charts, maps and sentences of ``notebooks/scale.ipynb``."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import population_layers, scale
from chsreport.data import geography, pcn_lists
from chsreport.reading import charts

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


# wide enough for the longest ICB name on one line ("Bath and North East Somerset, Swindon and
# Wiltshire"), never cut with an ellipsis
ICB_LABEL_PX = 340


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
    order = [x for x in population_layers.LAYER_ORDER if x in table.index]
    return table.reindex(order).reset_index()


def layers_figure(layers: pd.DataFrame, bands: dict) -> charts.Figure:
    """Every layer on one log scale: boxes (10th-90th and quartiles), medians, seed bands.
    Long because the chart stacks five marks (boxes, whiskers, medians, bands, labels) that
    share one scale."""
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
            {"x": scale.TWO_MILLION, "label": "2 million"},
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
        title=f"A median PCN holds {vocabulary.people(pcn)} patients, "
        f"a median ICB {vocabulary.people(icb)}",
        subtitle="Boxes: middle half of units; whiskers: 10th-90th percentile; white tick: "
        f"median. Shading and dashed lines: {scale.SEED_BANDS}",
        source=f"{REGISTERED_SOURCE}; {COUNCIL_SOURCE}",
        table=table,
        csv_name="population_by_layer.csv",
    )


# --------------------------------------------------------------------------- ICB mergers
def icb_merger_figure(mergers: pd.DataFrame, rurality: pd.DataFrame) -> charts.Figure:
    """Each 2026 ICB as a bar of the 2022 ICBs (or parts) it was formed from, with its rurality."""
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
            y=alt.Y("icb:N", sort=order, title=None, axis=alt.Axis(labelLimit=ICB_LABEL_PX)),
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
        alt.Chart(pd.DataFrame({"x": [scale.TWO_MILLION]}))
        .mark_rule(strokeDash=[4, 3], color="#333")
        .encode(x="x:Q")
    )
    chart = (bars + rule).properties(height=16 * len(order))
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


# --------------------------------------------------------------------------- councils
CAP_DIVISOR = 2  # the council claims also count councils under the cap divided by this


def council_claims_table(cap: int) -> pd.DataFrame:
    """Article 003's council claims against the data for each population year: districts under the
    cap and half of it, the smallest, and residents with no district council."""
    rows = []
    for year in settings.POPULATION_YEARS:
        under_cap = population_layers.share_of_districts_below(cap, year)
        under_half = population_layers.share_of_districts_below(cap // CAP_DIVISOR, year)
        no_district = population_layers.share_population_without_district(year)
        smallest = population_layers.smallest_district(year)
        rows.append(
            {
                "population year": f"mid-{year}",
                f"districts under {cap // 1000}k": f"{under_cap['count']} of {under_cap['total']} "
                f"({vocabulary.percent(under_cap['share'])})",
                f"districts under {cap // CAP_DIVISOR // 1000}k": under_half["count"],
                "smallest district": f"{smallest['name']} "
                f"({vocabulary.whole(smallest[f'population_{year}'])})",
                "population with no district council": vocabulary.percent(no_district["share"]),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- PCNs
def pcn_figure(pcns: pd.DataFrame, band: list[int]) -> charts.Figure:
    """PCNs by registered patients (5,000-patient bins, by rurality) against the band."""
    summary = pcn_lists.pcn_band_summary(*band)
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
        title=f"{vocabulary.percent(summary['share_inside'])} of PCNs hold "
        f"{band[0] // 1000}-{band[1] // 1000}k "
        f"patients; the median PCN holds {vocabulary.whole(summary['median'])}",
        subtitle=f"{summary['count']} PCNs, {geography.lists_month()} "
        "(PCNs over 150,000 are off the scale); "
        f"shaded: the {band[0] // 1000}-{band[1] // 1000}k band. Source: {REGISTERED_SOURCE}",
        source=REGISTERED_SOURCE,
        table=frame[["pcn_code", "pcn_name", "sub_icb_code", "icb_code", "patients", "rurality"]],
        csv_name="pcn_sizes.csv",
    )


def neighbourhood_figure(size: int, highlight: str | None) -> charts.Figure:
    """How many neighbourhoods of ``size`` each ICB would hold, ``highlight`` marked."""
    per_icb = pcn_lists.neighbourhoods_per_icb(size)
    per_icb["icb"] = per_icb["icb_name"].map(vocabulary.icb_short_name)
    per_icb["chosen"] = per_icb["icb_code"] == highlight if highlight else False
    order = per_icb.sort_values("neighbourhoods", ascending=False)["icb"].tolist()
    chart = (
        alt.Chart(per_icb)
        .mark_bar()
        .encode(
            y=alt.Y("icb:N", sort=order, title=None, axis=alt.Axis(labelLimit=ICB_LABEL_PX)),
            x=alt.X(
                "neighbourhoods:Q",
                title=f"Neighbourhoods of {vocabulary.whole(size)} registered patients",
            ),
            color=alt.condition("datum.chosen", alt.value("#D55E00"), alt.value("#0072B2")),
            tooltip=[
                alt.Tooltip("icb:N", title="ICB"),
                alt.Tooltip("patients:Q", title="Registered patients", format=","),
                alt.Tooltip("neighbourhoods:Q", title="Neighbourhoods"),
            ],
        )
        .properties(height=16 * len(order))
    )
    return charts.figure(
        chart,
        title=f"England's ICBs would hold {vocabulary.whole(per_icb['neighbourhoods'].sum())} "
        "neighbourhoods "
        f"of {vocabulary.whole(size)}: from "
        f"{vocabulary.fixed(per_icb['neighbourhoods'].min(), 0)} to "
        f"{vocabulary.fixed(per_icb['neighbourhoods'].max(), 0)} per ICB",
        subtitle="ICB registered list divided by the neighbourhood size. "
        f"Source: {REGISTERED_SOURCE}",
        source=REGISTERED_SOURCE,
        table=per_icb[["icb_code", "icb", "patients", "neighbourhoods"]],
        csv_name=f"neighbourhoods_of_{size}.csv",
    )


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
        f"{_ANSWER[scale.cost_direction(patient)]}, in the data we have: among "
        f"{patient['n']} acute "
        f"trusts, cost per patient {_HOW[scale.cost_direction(patient)]} (rank correlation "
        f"{vocabulary.signed(patient['rho'])}, p = {vocabulary.fixed(patient['p_value'], 2)}) "
        "and cost per bed "
        f"{_HOW[scale.cost_direction(bed)]} ({vocabulary.signed(bed['rho'])}, p = "
        f"{vocabulary.fixed(bed['p_value'], 2)}); 2017/18 "
        "costs against 2022 catchment populations."
    )


def big_is_best_meaning(result: dict) -> str:
    """What :func:`big_is_best` means for a case for merging trusts, chosen by its statistic."""
    return f"{_MEANING[scale.cost_direction(result['cost_per_patient'])]} {COST_CAVEAT}"


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
    """A cost measure against a size measure for ``types`` of trust, with a LOWESS line and its
    bootstrap band, titled by the rank correlation."""
    columns = ["code", "name", "type", x, y, "predecessors"]
    frame = costs.loc[costs["type"].isin(types), columns].dropna(subset=[x, y]).copy()
    frame = frame[(frame[x] > 0) & (frame[y] > 0)]
    frame["type_label"] = frame["type"].map(vocabulary.TYPE_LABELS)
    smooth = scale.smooth_with_interval(frame[x], frame[y])
    corr = scale.size_cost_correlation(frame[x], frame[y])
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
        f"{title_what} {direction} with size (rank correlation {vocabulary.fixed(corr['rho'], 2)}, "
        f"{corr['n']} trusts)"
        if significant
        else f"{title_what} shows no clear link with size (rank correlation "
        f"{vocabulary.fixed(corr['rho'], 2)}, "
        f"{corr['n']} trusts)"
    )
    return charts.figure(
        (band + line + points).properties(width=540, height=300),
        title=title,
        subtitle="Line: LOWESS smooth over all trusts shown; band: 95% bootstrap interval "
        f"({vocabulary.whole(scale.SMOOTH_RESAMPLES)} resamples of trusts). Source: "
        f"{FINANCE_SOURCE}",
        source=FINANCE_SOURCE,
        table=frame[["code", "name", "type", x, y, "predecessors"]],
        csv_name=csv_name,
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
        f"lookup for it: its {vocabulary.whole(moved['lsoas'].sum())} small areas, in "
        f"{vocabulary.plural(councils, 'council')}, are placed council by council in the 2026 ICB "
        "whose ONS boundary covers most of the council ("
        + "; ".join(f"{', '.join(c)}: {icb}" for icb, c in by_icb.items())
        + ")."
    )
