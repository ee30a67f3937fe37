"""Question 3's charts and maps: the typology, the council map of classes, the outcomes over time,
the forest of all estimates, the dose-response and the whole-system maps.
"""

from __future__ import annotations

import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import integration_classes
from chsreport.data import boundaries, community_returns, outcomes, succession
from chsreport.reading import charts, integration_story, maps

GROUP_COLOURS = {
    "acute_runs_community": "#56B4E9",
    "standalone_community": "#009E73",
    "mh_runs_community": "#E69F00",
    "other_provider": "#8E6BBF",  # not pink: pink is a mental-health trust in every chapter
    "unplaced": "#BBBBBB",
}


def group_scale():
    """The colour of each class of acute trust, the same on every chart."""
    import altair as alt

    return alt.Scale(
        domain=list(integration_classes.GROUPS.values()), range=list(GROUP_COLOURS.values())
    )


def typology_figure(groups: pd.DataFrame, rule: str):
    """Acute trusts by usual class within each NHS region, under the chosen rule."""
    import altair as alt

    counts = groups.groupby(["region", "group_label"]).size().rename("trusts").reset_index()
    counts["region"] = counts["region"].fillna("Region not known")
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("region:N", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("sum(trusts):Q", title="Acute trusts"),
            color=alt.Color("group_label:N", title="Class", scale=group_scale()),
            tooltip=[
                alt.Tooltip("region:N", title="Region"),
                alt.Tooltip("group_label:N", title="Class"),
                alt.Tooltip("trusts:Q", title="Acute trusts"),
            ],
        )
        .properties(width=480, height=220)
    )
    n = groups["group"].value_counts()
    return charts.figure(
        chart,
        title=f"{n.get('acute_runs_community', 0)} of {len(groups)} acute trusts run community "
        f"services themselves; {n.get('standalone_community', 0)} have a standalone "
        "community trust",
        subtitle=f"Acute trusts by usual class, {vocabulary.period('2022-04', '2025-08')}, and NHS "
        f"region; '{rule}' rule",
        source=integration_story.FLOW_SOURCE,
        table=groups[
            [
                "code",
                "name",
                "region",
                "group_label",
                "months_in_group",
                "months",
                "main_icb22",
                "main_share",
                "evidence",
            ]
        ],
        csv_name=f"acute_trust_classes_{rule}.csv",
    )


def council_class_map(od: succession.OrgData, groups: pd.DataFrame, rule: str):
    """Councils coloured by the class of the acute trust that admits most of their residents."""
    import altair as alt

    values = integration_classes.council_classes(od, groups)
    own = int(values["group_label"].eq(integration_classes.GROUPS["acute_runs_community"]).sum())
    standalone = int(
        values["group_label"].eq(integration_classes.GROUPS["standalone_community"]).sum()
    )
    minority = int((values["share"] < 0.5).sum())
    present = [g for g in integration_classes.GROUPS.values() if g in set(values["group_label"])]
    return maps.choropleth(
        "lad24",
        values,
        alt.Color(
            "group_label:N",
            title="Main acute trust's class",
            scale=alt.Scale(
                domain=present,
                range=[
                    GROUP_COLOURS[k] for k, v in integration_classes.GROUPS.items() if v in present
                ],
            ),
            sort=present,
        ),
        title=f"In {own} of {len(values)} councils the acute trust admitting the most residents "
        f"runs community services itself; in {standalone} that trust works beside a standalone "
        "community trust",
        subtitle="Each council (May 2024) by the usual class of the acute trust admitting the most "
        f"of its residents, {vocabulary.period('2022-04', '2025-08')} (class (a): the trust "
        "runs adult community services by the book's rule; see the methods page).",
        source=integration_story.FLOW_SOURCE,
        csv_name=f"council_classes_{rule}.csv",
        tooltip=[
            alt.Tooltip("trust_name:N", title="Main acute trust"),
            alt.Tooltip("share:Q", title="Share of admitted residents", format=".0%"),
            alt.Tooltip("group_label:N", title="Class"),
        ],
        summary=f"In {own} of {len(values)} councils the acute trust admitting the most "
        f"residents runs community services itself (class (a)); in {standalone} it works beside a "
        "standalone community trust (class (b)). A council's colour is the class of that trust, "
        "not a count of who provides community services in the council: a trust in class (a) may "
        f"run only part of them, and in {minority} councils it admits fewer than half of the "
        "residents admitted to the acute trusts classified here.",
    )


def over_time_figure(
    panel: pd.DataFrame, classes: pd.DataFrame, outcome: str, start: str, end: str
):
    """The monthly mean of ``outcome`` by class of acute trust, before adjustment."""
    import altair as alt

    spec = outcomes.OUTCOMES[outcome]
    rows = outcomes.window(panel, outcome, start, end).merge(
        classes[["code", "month", "group", "group_label"]], on=["code", "month"]
    )
    rows = rows[rows["group"] != "unplaced"]  # a handful of trust-months; lines would mislead
    monthly = rows.groupby(["month", "group_label"])[outcome].mean().rename("value").reset_index()
    chart = (
        alt.Chart(monthly)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("value:Q", title=spec.unit, scale=alt.Scale(zero=False)),
            color=alt.Color("group_label:N", title="Class that month", scale=group_scale()),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("group_label:N", title="Class"),
                alt.Tooltip("value:Q", title=spec.unit, format=".1f"),
            ],
        )
        .properties(width=540, height=240)
    )
    return charts.figure(
        chart,
        title=f"{spec.label}: raw monthly means by class, before any adjustment",
        subtitle=f"Mean over the trusts in each class that month; {spec.better} is better. "
        f"Source: {spec.source}",
        source=spec.source,
        table=monthly,
        csv_name=f"{outcome}_by_class_month.csv",
    )


def forest_figure(estimates: pd.DataFrame, comparison: str = "carter"):
    """Standardised effects (difference over the between-trust SD), oriented so that right is
    better for (a), one row per outcome."""
    import altair as alt

    frame = estimates[estimates["comparison"] == comparison].copy()
    frame["row"] = frame["outcome"].map({k: o.short for k, o in outcomes.OUTCOMES.items()})
    frame.loc[frame["primary"], "row"] = frame.loc[frame["primary"], "row"] + " (primary)"
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    )
    rule = base.mark_rule(strokeWidth=2, color="#0072B2").encode(
        x=alt.X(
            "benefit_low:Q",
            title=["Standardised difference (between-trust SDs)", "right = better for (a)"],
        ),
        x2="benefit_high:Q",
    )
    point = base.mark_point(filled=True, size=70, color="#0072B2").encode(
        x="benefit:Q",
        tooltip=[
            alt.Tooltip("outcome_label:N", title="Outcome"),
            alt.Tooltip("estimate:Q", title="Difference (outcome's unit)", format=".2f"),
            alt.Tooltip("low95:Q", title="95% low", format=".2f"),
            alt.Tooltip("high95:Q", title="95% high", format=".2f"),
            alt.Tooltip("unit:N", title="Unit"),
            alt.Tooltip("verdict:N", title="Verdict"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 3]).encode(x="x:Q")
    chart = (zero + rule + point).properties(width=420, height=32 * len(frame))
    primary = frame[frame["primary"]]
    verdict_word = primary["verdict"].iloc[0] if len(primary) else "not estimated"
    return charts.figure(
        chart,
        title="Acute trusts that run community services, "
        f"{integration_classes.COMPARISONS[comparison]}: "
        f"primary outcome {verdict_word}",
        subtitle="Adjusted differences over the between-trust SD with 95% wild cluster bootstrap "
        "intervals; month fixed effects and controls",
        source=integration_story.FLOW_SOURCE,
        table=frame.drop(columns=["row"]),
        csv_name=f"adjusted_estimates_{comparison}.csv",
    )


def dose_figure(frame: pd.DataFrame, result: dict):
    """Among trusts that run community services: the outcome against adult community care contacts
    per emergency admission, with the fitted line."""
    import altair as alt

    base = alt.Chart(frame)
    points = base.mark_circle(size=45, opacity=0.7, color="#0072B2").encode(
        x=alt.X("dose:Q", title="Adult community care contacts per emergency admission, Mar 2025"),
        y=alt.Y("outcome:Q", title="Delayed per 100 beds, vs month mean"),
        tooltip=[
            alt.Tooltip("name:N", title="Trust"),
            alt.Tooltip("code:N", title="ODS code"),
            alt.Tooltip("dose:Q", title="Contacts per admission", format=".2f"),
            alt.Tooltip("outcome:Q", title="Difference from month mean", format=".1f"),
        ],
    )
    line = (
        base.transform_regression("dose", "outcome")
        .mark_line(color="#D55E00")
        .encode(x="dose:Q", y="outcome:Q")
    )
    return charts.figure(
        (points + line).properties(width=520, height=300),
        title="Exploratory: community contacts per emergency admission and delayed discharges, "
        f"among {result['trusts']} acute trusts that run community services",
        subtitle=f"Contacts in Mar 2025, delays Aug 2024 to Jul 2025. Rank correlation "
        f"{vocabulary.signed(result['rank_correlation'])}; adjusted slope "
        f"{vocabulary.signed(result['slope'])} (95% "
        f"{vocabulary.signed(result['low95'])} to {vocabulary.signed(result['high95'])}); "
        "without the "
        f"{len(result['left_out'])} most influential trusts "
        f"{vocabulary.signed(result['slope_without'])} "
        f"({vocabulary.signed(result['low95_without'])} to "
        f"{vocabulary.signed(result['high95_without'])}). "
        "Delayed: patients not meeting the criteria to reside per 100 adult beds, as a difference "
        "from the month's mean. Line: unadjusted fit",
        source=f"{community_returns.SOURCE_CSDS}; NHS England acute discharge sitrep and "
        "G&A beds sitrep",
        table=frame,
        csv_name="dose_response.csv",
    )


# --------------------------------------------------------------------------- maps
def system_maps(system: pd.DataFrame) -> list:
    """Two maps of the 42 ICBs of 2022 from the whole-system table: the share of patients whose
    acute trust runs community services, and delayed patients in acute beds per 100,000."""
    import altair as alt

    # the 2023 boundaries recode a 2022 ICB (Surrey Heartlands): join by name
    by_name = {
        vocabulary.icb_short_name(f["properties"]["name"]): f["properties"]["code"]
        for f in boundaries.features("icb23")
    }
    values = pd.DataFrame(
        {
            "code": system["icb_name"].map(by_name),
            "icb": system["icb_name"],
            "share_in_a": system["share_in_a"].round(3),
            "acute_per_100k": system["acute_per_100k"].round(1),
        }
    )
    if values["code"].isna().any():  # every 2022 ICB must find its 2023 shape by name
        missing = sorted(values.loc[values["code"].isna(), "icb"])
        raise ValueError(f"2022 ICBs with no 2023 shape: {missing}")
    high = values.loc[values["share_in_a"].idxmax()]
    share = maps.choropleth(
        "icb23",
        values[["code", "share_in_a", "icb"]],
        alt.Color(
            "share_in_a:Q",
            title="Share of patients",
            scale=alt.Scale(scheme="greens", domain=[0, 1]),
            legend=alt.Legend(format=".0%"),
        ),
        title=f"In {int((values['share_in_a'] >= 0.5).sum())} of {len(values)} ICBs of 2022 "
        "most patients' acute trust runs community services itself (class (a)); in "
        f"{int((values['share_in_a'] >= 0.98).sum())} almost all do (98% or more)",
        subtitle="Share of each 2022 ICB's admitted patients whose acute trust ran community "
        f"services, October 2023 (highest: {high['icb']}, "
        f"{vocabulary.percent(high['share_in_a'], 1)}).",
        source="NHS England CHS SitRep and Community Services Data Set; OHID catchments",
        csv_name="map_share_in_a.csv",
        tooltip=[alt.Tooltip("share_in_a:Q", title="Share", format=".0%")],
    )
    fewest = values.loc[values["acute_per_100k"].idxmin()]
    most = values.loc[values["acute_per_100k"].idxmax()]
    from scipy import stats

    rho, p = stats.spearmanr(values["share_in_a"], values["acute_per_100k"])
    link = (
        "no clear link with the share of patients in class (a)"
        if p >= 0.05
        else f"{'lower' if rho < 0 else 'higher'} where more patients are in class (a)"
    )

    delays = maps.choropleth(
        "icb23",
        values[["code", "acute_per_100k", "icb"]],
        alt.Color(
            "acute_per_100k:Q",
            title="Per 100,000",
            scale=alt.Scale(scheme="oranges"),
            legend=alt.Legend(format=".0f"),
        ),
        title=f"Delayed patients in acute beds: {vocabulary.fixed(fewest['acute_per_100k'], 0)} to "
        f"{vocabulary.fixed(most['acute_per_100k'], 0)} per 100,000 registered patients, {link}",
        subtitle="Patients not meeting the criteria to reside in the ICB's acute trusts, daily "
        "mean June 2023 to January 2024, per 100,000 registered patients.",
        source="NHS England acute discharge sitrep; GP registrations",
        csv_name="map_acute_delays.csv",
        tooltip=[alt.Tooltip("acute_per_100k:Q", title="Per 100,000", format=".1f")],
        summary="Delayed patients in acute beds ranged from "
        f"{vocabulary.fixed(fewest['acute_per_100k'], 0)} per "
        f"100,000 registered patients ({fewest['icb']}) to "
        f"{vocabulary.fixed(most['acute_per_100k'], 0)} "
        f"({most['icb']}); across the {len(values)} ICBs of 2022 the rank correlation with the "
        f"share of patients in class (a) is {f'{vocabulary.signed(rho)}'.replace('-', '−')} (p = "
        f"{vocabulary.fixed(p, 2)}). "
        "The ICBs' briefings and web pages use "
        f"{vocabulary.period(*settings.PERIOD)} and today's ICBs, so their figures differ a "
        "little.",
    )
    return [share, delays]
