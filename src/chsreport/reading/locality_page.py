"""An ICB's page, cell by cell: what each cell of ``notebooks/locality.ipynb`` shows, in order,
composed from :mod:`chsreport.reading.locality` and :mod:`chsreport.reading.locality_maps`."""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import icb_figures, params
from chsreport.data import community_returns, icb_outcomes
from chsreport.reading import charts, community_locality, locality, locality_changes, locality_maps
from chsreport.reading import key_figures as key_figures_block
from chsreport.reading.text import Markdown


def key_figures(icb: str) -> list:
    """The ICB's key figures against England with their ranks and marks, then what they say of
    it, in a few sentences written for it."""
    month = community_locality.panel_month()
    return [key_figures_block.Block(icb, month), Markdown(key_figures_block.reading(icb, month))]


def in_brief(icb: str, profile: dict, org: dict, flow: pd.DataFrame) -> list:
    """The page's findings, a paragraph per question, and the link to its two-page briefing."""
    return [
        *(Markdown(line) for line in locality.briefing(icb, profile, org, flow)),
        locality.BriefingLink(icb),
    ]


def glance_section(icb: str, profile: dict, neighbourhood_size: int, year: int) -> list:
    """Its layers in a sentence, what it was formed from, what changed among its trusts since
    2024, where it is, its councils on a map and in a table."""
    short = vocabulary.icb_short_name(params.valid_icbs()[icb])
    return [
        Markdown(
            f"{locality.at_a_glance(profile, neighbourhood_size, year)} "
            f"{locality.formed_words(icb)}"
        ),
        Markdown(locality_changes.changes_words(icb)),
        locality_maps.locator_map(icb, short),
        locality_maps.council_map(icb, short, profile),
        locality_maps.PrintMaps(icb, short, profile),
        charts.Table(
            profile["councils"].drop(columns="county_code"), f"councils_{icb}.csv",
            "Councils placed in this ICB, smallest first.",
        ),
    ]  # fmt: skip


def trusts_table(icb: str) -> charts.Table:
    """The acute trusts that draw on it and the trusts based in it."""
    return charts.Table(
        locality.serving_trusts(icb), f"trusts_{icb}.csv",
        "Acute trusts drawing at least a tenth of their patients from here, and trusts based "
        "here.",
    )  # fmt: skip


def organisation_section(icb: str, org: dict) -> list:
    """Its acute trusts' classes, the trusts reporting community beds and the fates of its
    standalone community trusts."""
    return [
        charts.Table(
            locality.classes_table(org["acute"]), f"acute_groups_{icb}.csv",
            locality.classes_caption(), "None is based here.",
        ),
        charts.Table(
            org["reporters"], f"community_providers_{icb}.csv",
            "NHS trusts based here that report community beds "
            f"({community_returns.sitrep_period()}):", "none.",
        ),
        charts.Table(
            locality.fates_table(org["fates"]), f"community_trust_fates_{icb}.csv",
            "Standalone community trusts based here since 2011:", "none.",
        ),
    ]  # fmt: skip


def flow_section(icb: str, flow: pd.DataFrame) -> list:
    """Its acute trusts' flow against England and their class: the chart and the table."""
    name = params.valid_icbs()[icb].removeprefix("NHS ")
    return [
        locality.flow_figure(icb, name),
        charts.Table(
            flow, f"acute_flow_table_{icb}.csv",
            "Acute trusts based here or drawing at least "
            f"{vocabulary.percent(locality.FLOW_SHARE)} of their patients from here; means over "
            f"{locality.flow_period_words()}; rank 1 is best (fewest "
            "delays, most seen in 4 hours). England medians: "
            f"{locality.flow_medians(flow)}. The CSV adds each class's mean with its 95% "
            "bootstrap interval over trusts.",
            shown=locality.flow_table(flow),
        ),
        charts.Table(
            flow, f"acute_flow_table_{icb}.csv",
            f"Trusts based here or drawing {vocabulary.percent(locality.FLOW_SHARE)} of their "
            f"patients from here. Class (most months): {locality.class_key()}. Means over "
            f"{locality.flow_period_words()}; rank of England's acute trusts, 1 the best. "
            f"England medians: {locality.flow_medians(flow)}.",
            shown=locality.flow_table_print(flow), print_only=True,
        ),
    ]  # fmt: skip


def delays_and_wards_sentence(icb: str, delays: pd.DataFrame, wards: pd.DataFrame) -> str:
    """Its delayed patients per 100,000 and its virtual-ward beds in the latest month, each
    against the median ICB (``delays``: :func:`icb_outcomes.icb_delays_in_period`; ``wards``:
    :func:`icb_outcomes.icb_virtual_wards`)."""
    f = vocabulary.fixed
    latest = wards["month"].max()
    now = wards[wards["month"] == latest]
    mine = now[now["icb_code"] == icb]
    per_icb = icb_figures.icb_delays(delays)
    return (
        "Patients not meeting the criteria to reside in its hospitals: "
        f"{f(per_icb[icb])} per 100,000 registered patients on an average day "
        f"({vocabulary.period(delays['month'].min(), delays['month'].max())}), "
        f"against {f(per_icb['England'])} for England and "
        f"{f(per_icb.drop('England').median())} for the median ICB. Virtual wards "
        f"({vocabulary.month_long(latest)}): {f(mine['capacity_per_100k'].sum())} beds per "
        f"100,000 registered patients (median ICB {f(now['capacity_per_100k'].median())}), "
        f"{locality.occupancy_words(mine['occupancy'].mean())}. Figures for the "
        f"{icb_outcomes.icb22_weights()['icb22_code'].nunique()} ICBs of 2022 are "
        "carried to today's ICBs by registered-population shares."
    )


def delays_and_wards(icb: str) -> Markdown:
    """The ICB-wide discharge delays and virtual wards, in a sentence."""
    delays, wards = icb_outcomes.icb_delays_in_period(), icb_outcomes.icb_virtual_wards()
    return Markdown(delays_and_wards_sentence(icb, delays, wards))
