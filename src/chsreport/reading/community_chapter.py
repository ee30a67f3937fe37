"""The community services chapter (notebooks/community.ipynb), section by section: each function
returns what one cell shows, from one :class:`chsreport.analysis.community_performance.Chapter`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import community_localities as cl
from chsreport.analysis import community_performance as cp
from chsreport.data import community_returns, community_waits, geography
from chsreport.reading import charts, community_locality, community_story, maps
from chsreport.reading.text import Markdown

V = vocabulary
SOURCE = cp.SOURCE
FORM_ORDER = list(cp.FORMS)


def _forms(frame: pd.DataFrame, by_form: bool = False) -> pd.DataFrame:
    """The form column in words; rows in the chapter's order of forms when ``by_form``."""
    out = frame.copy()
    if by_form:
        out["form"] = pd.Categorical(out["form"], FORM_ORDER, ordered=True)
        out = out.sort_values("form")
    out["form"] = out["form"].map(lambda f: V.PROVIDER_FORMS[f][0]).astype(str)
    return out


def in_brief(ch: cp.Chapter) -> list:
    """The chapter's findings: England against the standard, the verdict, urgent response."""
    basis = community_story.basis_words(ch.p["smallest_effect"], ch.gap)
    return [
        Markdown(
            "\n".join(
                f"- {s}"
                for s in (
                    community_story.verdict_sentence(ch.primary, basis),
                    community_story.england_sentence(ch.england, ch.month),
                    community_story.ucr_sentence(ch.ucr, ch.ucr_england),
                )
            )
        ),
        charts.Table(
            cp.margin_verdicts(ch.primary),
            "community_verdict_by_margin.csv",
            "The verdict at other smallest effects: the interval stays the same, only the "
            "margin moves.",
        ),
    ]


def england_figure(ch: cp.Chapter):
    """England's waiting list, adults and children, every month the publications give."""
    import altair as alt

    series = community_waits.load_national_series()
    series = series[series["service"].isin(["Adult services", "CYP services"])].copy()
    series = series[series["month"] <= ch.month]
    series["group"] = series["service"].map(
        {"Adult services": "Adults", "CYP services": "Children and young people"}
    )
    chart = (
        alt.Chart(series)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("value:Q", title="People waiting", axis=alt.Axis(format="~s")),
            color=alt.Color("group:N", title="Services for"),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("group:N", title="Services for"),
                alt.Tooltip("value:Q", title="People waiting", format=","),
            ],
        )
        .properties(height=240)
    )
    first, last = series["month"].min(), series["month"].max()
    return charts.figure(
        chart,
        title="People waiting for community health services in England, adults and children",
        subtitle=f"{V.period(first, last)}; the months between the publications held have "
        "no figure (the line joins across them). Source: " + SOURCE + ", Table 2",
        source=f"{SOURCE}, Table 2 of each monthly publication (later ones revise earlier months)",
        table=series[["month", "service", "value"]],
        csv_name="community_waiting_list_england.csv",
    )


KNOWN_FLOOR = 0.5  # a service's shares are shown only when at least half its waits are known


def services_table(ch: cp.Chapter) -> charts.Table:
    """England's services in the month: the waiting list and waits, longest first; shares shown
    only where at least half of those waiting have a known wait."""
    table = ch.england[~ch.england["service"].isin(["England"])].copy()
    table["known_share"] = table["known"].fillna(0) / table["waiting"]
    thin = table["known_share"] < KNOWN_FLOOR
    table.loc[thin, ["within_18", "over_52"]] = float("nan")
    table = table.sort_values("over_52", ascending=False, na_position="last")
    named = V.in_a_list(table.loc[thin, "service"].tolist())
    return charts.Table(
        table[["service", "waiting", "within_18", "over_52"]],
        "community_waits_by_service.csv",
        f"Waits by service, England, {V.month_long(ch.month)}; the services with the longest "
        "waits first. Shares are of those with a known wait"
        + (
            f"; not shown for {named}, where fewer than half of those waiting have a known "
            "wait (some services are published only as a national total)."
            if thin.any()
            else "."
        ),
    )


def forms_table(ch: cp.Chapter) -> charts.Table:
    """Providers, service lines and people waiting by form, with the median line's share."""
    lines = ch.lines.dropna(subset=["share_over_18"])
    lines = lines[lines["known"] >= ch.p["min_waiting"]]
    summary = lines.groupby("form").agg(
        providers=("code", "nunique"),
        service_lines=("line", "size"),
        known=("known", "sum"),
        median_over_18=("share_over_18", "median"),
    )
    return charts.Table(
        _forms(summary.reset_index(), by_form=True),
        "community_by_form.csv",
        f"Providers by form, {V.month_long(ch.month)}: service lines with at least "
        f"{V.whole(ch.p['min_waiting'])} people with a known wait (a known wait: the return "
        "says how long the person has waited); the middle service line's share waiting over 18 "
        "weeks, each line counting once (service mixes differ, so the comparison below is "
        "within service lines, and only of the lines that both acute and standalone trusts "
        "run).",
    )


def providers_table(ch: cp.Chapter) -> charts.Table:
    """Each provider's waiting list (known waits, over its service lines) and the share waiting
    over 18 weeks, with its form; the longest waits first."""
    lines = ch.lines.dropna(subset=["share_over_18"])
    summary = lines.groupby(["code", "name", "form"], as_index=False)[["known", "over_18"]].sum()
    summary["share_over_18"] = summary["over_18"] / summary["known"]
    summary = summary.sort_values("share_over_18", ascending=False)
    return charts.Table(
        _forms(summary)[["name", "form", "known", "share_over_18"]],
        "community_providers.csv",
        f"Each provider's waiting list (people with a known wait, all its service lines) and "
        f"the share waiting over 18 weeks, {V.month_long(ch.month)}, the longest waits first. "
        "A provider's service mix drives this share: the comparison above is within service "
        "lines.",
    )


def robustness_section(ch: cp.Chapter) -> list:
    """The comparison under other choices, and what they say together."""
    points = ch.robust.copy()  # in percentage points, as the sentences give them
    points[["estimate", "low95", "high95"]] = points[["estimate", "low95", "high95"]] * 100
    return [
        Markdown(community_story.robustness_words(ch.robust)),
        charts.Table(
            points,
            "community_robustness.csv",
            "Acute trusts' services minus standalone community trusts', share waiting over 18 "
            "weeks within service lines, in percentage points (a negative difference: acute-run "
            "services wait less), under each choice.",
        ),
    ]


def ucr_section(ch: cp.Chapter) -> list:
    """Two-hour urgent community response by provider and form."""
    shown = _forms(ch.ucr)[["name", "form", "within_2h", "referrals"]].sort_values("within_2h")
    return [
        charts.Table(
            shown,
            "ucr_by_provider.csv",
            "Two-hour urgent community response, 2024-25: the average of each provider's "
            "monthly shares reached within two hours, lowest first (form as of March 2025).",
        )
    ]


def icb_tables(ch: cp.Chapter) -> list:
    """The 36 ICBs of 2026: the map of adults waiting over 18 weeks, then the panel's measures
    for every ICB (waits; urgent response, contacts and beds), as each locality page shows its
    own."""
    frame = cl.icb_panel(ch.month).sort_values("icb_name").copy()
    frame["icb_name"] = frame["icb_name"].map(V.icb_short_name)
    chosen = community_locality.panel_section(ch.p["icb"]) if ch.p["icb"] else []
    return [
        icb_map(ch.month, ch.p["icb"]),
        *chosen,
        charts.Table(
            frame,
            "community_by_icb.csv",
            f"Waits by ICB, {V.month_long(ch.month)}. {community_locality.panel_caption(ch.month)} "
            "The CSV gives the share of each ICB's areas covered. Children's waits are not given "
            "by area: the returns count each provider's whole list in one ICB.",
            columns=["icb_name", *cl.WAITS],
        ),
        charts.Table(
            frame,
            "community_activity_by_icb.csv",
            "Urgent response (2024-25), adult care contacts (March 2025) and community beds "
            "(4 March 2026) by ICB, carried from the ICBs of 2022 by registered-patient shares.",
            columns=["icb_name", "ucr_within_2h", "adult_contacts_per_1000", "beds_per_100k_65"],
        ),
    ]


def icb_map(month: pd.Timestamp, icb: str | None = None) -> charts.Figure:
    """The 36 ICBs coloured by the share of adults waiting over 18 weeks (``icb`` outlined)."""
    panel = cl.icb_panel(month)
    icbs = geography.icb_populations_2026().set_index("icb_code")["icb_ons_code"]
    values = pd.DataFrame(
        {
            "code": panel["icb_code"].map(icbs),
            "icb": panel["icb_name"].map(V.icb_short_name),
            "adult_over_18": (100 * panel["adult_over_18"]).round(1),
            "adult_covered": (100 * panel["adult_covered"]).round(0),
        }
    ).dropna(subset=["adult_over_18"])
    high, low = (
        values.loc[values["adult_over_18"].idxmax()],
        values.loc[values["adult_over_18"].idxmin()],
    )
    return maps.choropleth(
        "icb26",
        values,
        alt.Color(
            "adult_over_18:Q",
            title="Adults over 18 weeks (%)",
            scale=alt.Scale(scheme="oranges"),
        ),
        title=f"Adults waiting over 18 weeks ranged from {V.fixed(low['adult_over_18'], 0)}% in "
        f"{low['icb']} to {V.fixed(high['adult_over_18'], 0)}% in {high['icb']}",
        subtitle=f"{V.month_long(month)}; share of adults waiting with a known wait; each "
        "council's main adult provider's list shared over the areas it serves.",
        source=SOURCE,
        csv_name="community_over_18_map.csv",
        highlight=icbs[icb] if icb else None,
        tooltip=[
            alt.Tooltip("adult_over_18:Q", title="Adults over 18 weeks (%)", format=".1f"),
            alt.Tooltip("adult_covered:Q", title="Share of its areas covered (%)", format=".0f"),
        ],
    )


def quality_section(ch: cp.Chapter) -> list:
    """Non-submission over the months, and the providers missing from the month's tables."""
    table = cp.non_submission(ch.month)
    missing = cp.missing_providers(ch.month)
    held = community_returns.month_runs_words(community_returns.return_months())
    return [
        Markdown(
            community_story.not_submitted_sentence(
                table, missing, ch.month, cp.previous_month(ch.month)
            )
            + f" Provider tables are held for {held}."
        ),
        charts.Table(
            table,
            "community_non_submission.csv",
            "Organisations in scope that did not submit, England, by month (each publication's "
            "Table 1; the number in scope changes between financial years).",
        ),
    ]
