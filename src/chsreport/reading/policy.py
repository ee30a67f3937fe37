"""The policy context page (``book/policy.md``, generated at build time): what changed in 2024-2026
that bears on each question, each statement dated and cited from ``book/references.bib``, and
what it means for reading the book's findings. Statements about the world are cited; every count
about the NHS's organisations (ICBs, trusts, groups, district councils) is computed from the
book's data and compiled tables.
"""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import groups, lineage, population_layers
from chsreport.data import geography, policy_tables, succession
from chsreport.reading import groups_story
from chsreport.reading.locality import ICB_CHANGE_DAY

AS_OF = "December 2026"  # the month the page was last checked against its sources


def _names(frame: pd.DataFrame) -> str:
    return vocabulary.in_a_list(
        [vocabulary.icb_short_name(n) for n in frame["icb_name"].sort_values()]
    )


def icb_facts() -> dict:
    """The ICBs of 2022 and of 2026, and the new ones (codes not in 2022), from ONS and ODS."""
    old, new = geography.icb_populations_2022(), geography.icb_populations_2026()
    formed = new[~new["icb_code"].isin(set(old["icb_code"]))]
    return {"before": len(old), "after": len(new), "formed": formed}


def consolidation_lines(od: succession.OrgData) -> list[str]:
    """Question 1: the transactions since 2024, the groups, the advanced foundation trusts."""
    fates = lineage.community_fates(od)
    since = groups.joined_since(fates)
    moves = vocabulary.in_a_list(
        [
            f"{vocabulary.short_org_name(r.name, 80)} into "
            f"{groups_story.name_then(r.successor, r.date)} ({vocabulary.date_long(r.date)})"
            for r in since.sort_values("date").itertuples()
        ]
    )
    pairs = fates[fates["fate"] == "merged_with_community"]
    first = (
        f" {vocabulary.short_org_name(pairs['successor_name'].iloc[0], 80)} is the only "
        "merger of two standalone community trusts in the data since 2011."
        if len(pairs) == 1
        else ""
    )
    to_acute = int((since["fate"] == "acquired_by_acute").sum())
    return [
        f"**{vocabulary.count_words(len(since)).capitalize()} community trusts joined another "
        f"trust from 2024 to {vocabulary.year(od.as_of)}, {vocabulary.count_words(to_acute)} of "
        f"them an acute trust** (ODS): {moves}.{first} "
        f"{groups_story.since_2024_line(od, fates)}",
        groups_story.in_brief_line(od, fates).removeprefix("- ")
        + " A third of English trusts shared board-level leadership by November 2024, "
        'with "little scrutiny, evaluation and research" {cite:p}`nhsconfed2024greater`.',
        "**Advanced foundation trusts** {cite:p}`nhse2025aft`. "
        f"{groups_story.aft_sentence(od, fates)} Such trusts may hold a population's health "
        "budget as an integrated health organisation (IHO), which NHS England calls "
        '"a contract-based delivery mechanism, not a new type of organisation" '
        "{cite:p}`nhse2025aftannex2`; the first IHOs were to be designated in 2026 and to start "
        "in 2027, as reported {cite:p}`htn2025aft`.",
        "**The 10 Year Health Plan (3 July 2025)** sets three shifts (hospital to community, "
        "analogue to digital, sickness to prevention) and a neighbourhood health service "
        "{cite:p}`dhsc2025tenyear`; as summarised by lawyers, every provider is to be a "
        "foundation trust by 2035 and the best become IHOs {cite:p}`hempsons2025ft`. The "
        "government has funded 250 neighbourhood health centres {cite:p}`hmt2025nhc`.",
    ]


def scale_lines() -> list[str]:
    """Question 2: the ICB mergers, the population guidance, local government reorganisation
    and neighbourhoods."""
    icbs = icb_facts()
    proposals = policy_tables.load_icb_proposals()
    districts = population_layers.share_of_districts_below(float("inf"))["total"]
    return [
        f"**ICBs merged on {ICB_CHANGE_DAY}: {icbs['before']} became {icbs['after']}** (ONS "
        f"and ODS files), with {vocabulary.count_words(len(icbs['formed']))} new ICBs: "
        f"{_names(icbs['formed'])}. The government announced the first new footprints on "
        "9 September 2025 {cite:p}`dhsc2025hcws915`; decisions on further mergers were due in "
        "summer 2026, for April 2027 {cite:p}`nhsconfed2025icbclusters`. The book holds a "
        f"source for {vocabulary.count_words(len(proposals))} proposed 2027 mergers and for no "
        "other, and found no published list of the decisions by December 2026. They are: "
        + "; ".join(proposals["proposal"])
        + ".",
        "**How big an ICB should be: two figures.** Summaries of NHS England's model ICB "
        'blueprint (May 2025) give "a guideline population size of two million within existing '
        'NHS regions" {cite:p}`burgessalmon2025blueprint` and "no smaller than 1m" '
        "{cite:p}`hcm2025clusters`, a target and a floor; the blueprint's own text was not read. "
        "It halves ICBs' running costs and makes them strategic commissioners "
        "{cite:p}`nhsproviders2025blueprint`.",
        f"**District councils are being abolished.** The scale chapter measures England's "
        f"{districts} district councils of 2024. The English Devolution White Paper (16 December "
        "2024) {cite:p}`mhclg2024whitepaper` replaces two-tier areas with unitary councils of, "
        "as a guide with exceptions, 500,000 people or more, within strategic authorities of "
        "1.5 million or more {cite:p}`mhclg2025wrans85787`. Surrey's two new councils start in "
        "April 2027 {cite:p}`surrey2025lgr`; in most other areas new councils are to be elected "
        "in May 2027 and take over in April 2028 {cite:p}`hl14186_2026`.",
        "**Neighbourhoods.** NHS England's neighbourhood health guidelines (30 January 2025) set "
        "six components, among them standardised community health services, and leave the "
        "footprint to local choice {cite:p}`nhse2025neighbourhood`; the first wave of the "
        "national programme runs in 43 places {cite:p}`dhsc2025pq95909`.",
    ]


def integration_lines() -> list[str]:
    """Questions 3 and 4: who commissions, the community standard, the data."""
    return [
        "**NHS England is being abolished.** The government announced it on 13 March 2025 "
        "{cite:p}`independent2025nhse` and intends to do so by March 2027 "
        "{cite:p}`dhsc2025wmstransforming`; the Health Bill introduced in 2026 would pass its "
        "powers to the Department of Health and Social Care {cite:p}`nuffield2026healthbill`.",
        "**A community waiting-time target.** The medium term planning framework (24 October "
        "2025) asks that 80% of community health services patients be seen within 18 weeks by "
        "2028/29, as reported on the day {cite:p}`nhse2025mtpf`. The book measures the nearest "
        "published figure, the share of the waiting list waiting 18 weeks or less: a proxy, not "
        "performance against the target.",
        "**Community data.** NHS England's data plan (April 2024) says the system \"cannot "
        'consistently draw reliable insights from CHS data" and sets out to standardise them '
        "{cite:p}`nhse2024chsdataplan`.",
    ]


def meaning_lines() -> list[str]:
    """What the changes mean for reading the book's findings."""
    icbs = icb_facts()
    return [
        "**Councils.** Findings about district councils describe a tier being abolished: they "
        "hold for the councils of 2024 and will date when the new unitary councils take over "
        "(April 2027 in Surrey, April 2028 elsewhere).",
        f"**ICBs.** ICB figures are for the {icbs['after']} ICBs of April 2026. A 2027 merger "
        "would change an ICB's figures; the book would be rebuilt with the new ODS and ONS files "
        "(the manifest names each file).",
        "**Who runs community services.** If integrated health organisations hold population "
        "budgets by contract, who holds the budget becomes a contract question rather than an "
        "organisational one. The integration chapter classes acute trusts by who provides their "
        "patients' community services; no open file yet records IHO contracts.",
        "**Groups.** The consolidation chapter counts trusts that share leaders as a form of "
        "their own, and claims C01 and C02 count them; the integration chapter describes the "
        "acute trusts that run services jointly with a community trust and tests its verdicts "
        "with their months counted as (a) and left out.",
    ]


def page() -> str:
    """The page (Markdown), in the key findings' style: numbered statements under each
    question, then what they mean for reading the book."""
    od = succession.load_org_data()
    sections = {
        "Consolidation: mergers, groups and the new foundation trusts": consolidation_lines(od),
        "Scale: ICBs, councils and neighbourhoods": scale_lines(),
        "Integration and community services: commissioning, standards and data": (
            integration_lines()
        ),
    }
    lines = [
        "# What changed in 2024 to 2026",
        "",
        f"The policy the reform questions now sit in, as checked in {AS_OF}. Each statement is "
        "dated and cited; where the book read only a summary of a document, the reference says "
        "so. Counts of ICBs, trusts and councils are computed from the book's data.",
        "",
    ]
    number = 0
    for heading, items in sections.items():
        lines += [f"## {heading}", ""]
        for item in items:
            number += 1
            lines += [f"**{number}.** {item}", ""]
    lines += ["## What this means for reading the book", ""]
    lines += [f"- {item}" for item in meaning_lines()]
    return "\n".join(lines) + "\n"
