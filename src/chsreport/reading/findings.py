"""The key findings page: the book's answers to its questions, each a sentence with its
number, computed from the claims register and the package functions the chapters use (never
typed), with a link to the chapter and the claim behind it and what it means for an ICB.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import (
    community_performance,
    integration_models,
    lineage,
    population_layers,
    scale,
)
from chsreport.data import geography, succession
from chsreport.reading import (
    claims_community,
    community_story,
    consolidation_story,
    facts,
    groups_story,
    integration_story,
    locality,
    scale_story,
)


@dataclass(frozen=True)
class Finding:
    question: str
    text: str
    meaning: str
    chapter: str  # document path from the book folder, e.g. "../notebooks/scale"
    claims: tuple[str, ...]


def _row(register: pd.DataFrame, claim: str) -> pd.Series:
    return register.set_index("claim_id").loc[claim]


def _pct(value: float) -> str:
    return f"{vocabulary.fixed(value)}%".replace(".0%", "%")


def _share_words(pct: float) -> str:
    """A share in words a board uses, when it is close to one (else the number)."""
    for target, words in (
        (25, "a quarter"),
        (100 / 3, "a third"),
        (50, "half"),
        (200 / 3, "two thirds"),
        (75, "three quarters"),
    ):
        if abs(pct - target) <= 2.5:
            return f"about {words}"
    return _pct(pct)


def _fewer(value: float, digits: int = 2) -> str:
    return f"{vocabulary.fixed(abs(value), digits)} {'fewer' if value < 0 else 'more'}"


QUESTIONS = {  # the book's questions, in order, as the key findings page asks them
    "Consolidation": "How has the provider map been reorganised, and what happened to each "
    "standalone community trust?",
    "Scale": "Which population and organisation sizes make sense; is big best?",
    "Integration": "What do acute trusts that run community services achieve?",
    "Community": "How are community services doing, and does who runs them matter?",
}


def consolidation_answer(to_acute: int, total: int, remaining: int, grouped: int = 0) -> str:
    """The short answer to the consolidation question, chosen by how many standalone community
    trusts acute trusts took in; how many of those still open share their leaders with another
    trust (a group short of a merger), where any do."""
    lead = "Mostly not by takeover" if to_acute < total / 2 else "Mostly by takeover"
    shared = (
        f", {grouped} of them sharing their leaders with another trust short of a merger"
        if grouped
        else ""
    )
    return (
        f"{lead}: {to_acute} of the {total} standalone community trusts open since 2011 were taken "
        f"in by acute trusts, and {remaining + grouped} are still open{shared}."
    )


def pcn_meaning(share_inside: float) -> str:
    """What the PCN size finding means, chosen by the share of PCNs inside the band."""
    if share_inside >= 50:
        return (
            "Most primary care networks already have the list size of the smaller "
            "neighbourhoods now being planned. PCNs have no boundaries of their own, so a "
            "neighbourhood drawn on a map still has to be fitted to the practices' patients."
        )
    return (
        "Most primary care networks fall outside 30,000 to 70,000: neighbourhoods cannot simply "
        "be drawn round them."
    )


def district_sentence(share_below_100k: float, smallest: float, no_district: float) -> str:
    """The district council finding, chosen by the smallest district's size."""
    floor = (
        "none has fewer than 50,000"
        if smallest >= 50_000
        else f"the smallest has {vocabulary.whole(smallest)}"
    )
    return (
        f"{_pct(share_below_100k)} of district councils have fewer than 100,000 residents, and "
        f"{floor}; {_pct(no_district)} of residents live where there is no district council."
    )


BORDERLINE = 0.02  # a verdict within this share of the average of its margin is borderline


def standalone_meaning(carter_b: dict, loose_b: dict) -> str:
    """What the second comparison (against acute trusts beside a standalone community trust
    only) adds, whatever it shows: its verdict, whether a difference may be too small to matter,
    its verdict under the loose rule (``loose_b``), and why it is a lead rather than a verdict."""
    n = carter_b["class_sizes"]["standalone_community"]
    low, high, margin = carter_b["low95"], carter_b["high95"], carter_b["smallest_effect"]
    text = (
        f" Against only the {n} acute trusts beside a standalone community trust the verdict "
        f"is {carter_b['verdict']}"
    )
    if carter_b["verdict"] in ("supported", "contradicted"):
        near = min(abs(low), abs(high))
        text += ": the 95% interval does not include zero" + (
            f", but its nearer end ({vocabulary.fixed(near, 2)}) is inside the smallest "
            "difference that would "
            f"matter ({vocabulary.fixed(margin, 2)}), so the gap may be too small to matter"
            if near < margin
            else ""
        )
    return (
        text + f"; with the loose rule for who runs community services it reads "
        f"{loose_b['verdict']}. This second comparison rests on fewer trusts and is one of "
        "several tests, so it is a lead to follow up, not a verdict on the claim."
    )


def integration_meaning(
    carter: dict, returns_verdict: str, carter_b: dict | None = None, loose_b: dict | None = None
) -> str:
    """What the verdict on Carter's claim means for an ICB, with how firm it is: close to its
    margin, or different when running community services is measured by the returns alone;
    with what the comparison against standalone community trusts only adds (``carter_b``, and
    ``loose_b`` under the loose rule)."""
    extra = standalone_meaning(carter_b, loose_b) if carter_b and loose_b else ""
    meaning = {
        "supported": "The data support the claim that combined trusts manage discharge "
        "better; the size of the gain is the one above.",
        "contradicted": "The data go against the claim: combined trusts do worse on "
        "discharge delays.",
        "no meaningful difference": "Combined trusts did about as well as others on discharge "
        "delays, within the smallest difference that would matter.",
        "inconclusive": "The data cannot say whether combined trusts manage discharge "
        "better: a merger should not be justified by better flow alone.",
    }[carter["verdict"]]
    at = integration_models.equivalence_margin(carter)
    chosen = carter["smallest_effect"] / abs(carter["reference_mean"])
    caveats = []
    if abs(at - chosen) <= BORDERLINE:
        caveats.append(
            f'the verdict is close to its margin (it would read "no meaningful difference" '
            f"from {vocabulary.percent(at, 1)} of the average; the margin is "
            f"{vocabulary.percent(chosen)})"
        )
    if returns_verdict != carter["verdict"]:
        caveats.append(
            f"it reads {returns_verdict} when running community services is measured by the "
            "providers' returns alone"
        )
    if not caveats:
        return meaning + extra
    ending = (
        " So it does not show that who runs community services makes no difference."
        if carter["verdict"] == "no meaningful difference"
        else ""
    )
    return f"{meaning} But {' and '.join(caveats)}.{ending}{extra}"


def integration_answer(verdict: str, firm: bool = True) -> str:
    """The short answer to the integration question, from the verdict on Carter's claim;
    ``firm``: False when the verdict is close to its margin or differs on another measure."""
    if not firm:
        return (
            f"Borderline: {verdict} on discharge delays, but close to the smallest difference "
            "that would matter and not on every measure of who runs community services."
        )
    return {
        "supported": "Fewer discharge delays: the data support the claim that acute trusts "
        "running community services manage discharge better.",
        "contradicted": "More discharge delays: the data go against the claim that acute trusts "
        "running community services manage discharge better.",
        "no meaningful difference": "About the same on discharge delays as other acute trusts: "
        "no difference large enough to matter.",
        "inconclusive": "The data cannot tell: on discharge delays the difference from other "
        "acute trusts could be small either way or large enough to matter.",
    }[verdict]


def key_findings(register: pd.DataFrame) -> list[Finding]:
    """The findings under the questions, from the register (``claims.evaluate()``) and
    the functions behind it, in the order of the questions.
    Long because it lays out the findings page question by question, in the order readers meet
    them."""
    od = succession.load_org_data()
    fates = lineage.community_fates(od)
    counts = fates["fate"].value_counts()
    by_year = lineage.community_count_by_year(
        lineage.trusts_by_type_and_year(od, range(2011, od.as_of.year + 1))
    )
    peak = by_year.loc[by_year["community_trusts"].idxmax()]
    peak_years = lineage.peak_years(by_year)
    latest = by_year.iloc[-1]
    carter = integration_models.carter_verdict()
    carter_b = integration_models.carter_verdict(comparison="a_vs_b")
    returns_only = integration_models.carter_verdict(source="returns")
    sizes = carter["class_sizes"]
    c04, c07, c10, c11, c12, c13 = (
        _row(register, c) for c in ("C04", "C07", "C10", "C11", "C12", "C13")
    )
    icbs = geography.icb_populations_2026()["patients"]
    to_acute = int(counts.get("acquired_by_acute", 0))
    year = 2024
    smallest = population_layers.smallest_district(year)[f"population_{year}"]
    cost = scale.big_is_best(scale.trust_size_and_cost(od))
    runs = sizes.get("acute_runs_community", 0)
    recent = groups_story.since_2024(od, fates)
    return [
        Finding(
            "Consolidation",
            f"England had {int(latest['community_trusts'])} community trusts on 1 April "
            f"{int(latest['year'])}, down from a peak of {int(peak['community_trusts'])} "
            f"({peak_years}). Of the {len(fates)} open at some time since 2011, "
            f"{consolidation_story.fates_in_words(fates)}. "
            f"{groups_story.since_2024_line(od, fates)}",
            (
                f"Only {to_acute} of {len(fates)} standalone community trusts have been taken in "
                f"by acute trusts since 2011, {recent['taken']} of them since April 2024; "
                f"{recent['jointly']} more now share a chief executive or board with an acute "
                "trust, a second route short of a merger. Many acute trusts already ran "
                "community services before 2011 (see the integration findings), which this "
                "count does not show."
                if to_acute < len(fates) / 2
                else "Most community trusts have been taken in by acute trusts: the national "
                "trend is clear, and an area that keeps a standalone trust is now unusual."
            ),
            "../notebooks/consolidation",
            ("C08", "C01", "C02"),
        ),
        Finding(
            "Scale",
            f"Is big best? {scale_story.big_is_best_sentence(cost)}",
            scale_story.big_is_best_meaning(cost),
            "../notebooks/scale",
            (),
        ),
        Finding(
            "Scale",
            f"The median ICB has {vocabulary.people(c12['value'])} registered "
            "patients "
            f"({vocabulary.months_in_words(c12['period'])}); {c12['note']}.",
            f"After the mergers of {locality.ICB_CHANGE_DAY} the largest of the {len(icbs)} ICBs "
            f"is {vocabulary.fixed(icbs.max() / icbs.min())} times the "
            "smallest: the evidence here does not point to one right size for commissioning "
            "community services, and the guidance gives two figures (summaries of NHS "
            'England\'s model ICB blueprint give "two million" as a guideline and "no smaller '
            'than 1m" as a floor). Further ICB mergers proposed for April 2027 would date these '
            "figures (see [what changed](policy.md)).",
            "../notebooks/scale",
            ("C12", "C17"),
        ),
        Finding(
            "Scale",
            f"{_pct(c07['value'])} of primary care networks have 30,000 to 70,000 registered "
            f"patients ({c07['note'].split(';')[0]}).",
            pcn_meaning(c07["value"]),
            "../notebooks/scale",
            ("C07",),
        ),
        Finding(
            "Scale",
            district_sentence(c11["value"], smallest, c10["value"]),
            f"{_pct(c13['value'])} of district councils are larger than a neighbourhood of 50,000, "
            "so neighbourhoods can be drawn inside councils rather than across them. These are "
            "the councils of 2024: local government reorganisation is abolishing district "
            "councils in two-tier areas, with new unitary councils of 500,000 people or more as "
            "a guide, from "
            "April 2027 in Surrey and April 2028 in most other areas, which will date this "
            "finding.",
            "../notebooks/scale",
            ("C11", "C10", "C13"),
        ),
        Finding(
            "Integration",
            f"{runs} of {sum(sizes.values())} acute trusts ran adult community services "
            "themselves in most months of "
            f"{vocabulary.months_in_words(carter['period'])}, by their returns to NHS England, "
            "the care they provide and the book's table of providers by council "
            f"({facts.book_facts()['chs_gap_months']} have no published "
            "return and take each provider's nearest). By volume of care, acute trusts provided "
            f"{_pct(c04['value'])} of England's adult community care contacts in {c04['period']} "
            f"(Community Services Data Set); {c04['note'].split('. ')[0].split('; ', 1)[1]}.",
            f"Acute trusts already provide {_share_words(c04['value'])} of adult community care, "
            "whatever their name says. An ICB looking at its own providers should count the care "
            "they provide and report to NHS England, not their legal form.",
            "../notebooks/integration",
            ("C04",),
        ),
        Finding(
            "Integration",
            f"Acute trusts that run community services had {_fewer(carter['estimate'])} "
            f"{carter['unit']} (patients who no longer need an acute bed that day, delayed or "
            "about to leave) than "
            f"all other acute trusts; the data fit anything from {_fewer(carter['low95'])} to "
            f"{_fewer(carter['high95'])}. Against trusts beside a standalone community trust: "
            f"{_fewer(carter_b['estimate'])} ({_fewer(carter_b['low95'])} to "
            f"{_fewer(carter_b['high95'])}). Verdict on Lord Carter's claim that they are better "
            f"at discharge: **{carter['verdict']}** (the smallest difference that would matter: "
            f"{vocabulary.fixed(carter['smallest_effect'], 2)}). "
            + integration_story.margin_sentence(carter, integration_models.DEFAULT_SMALLEST_EFFECT),
            integration_meaning(
                carter,
                returns_only["verdict"],
                carter_b,
                integration_models.carter_verdict(rule="loose", comparison="a_vs_b"),
            ),
            "../notebooks/integration",
            ("C06", "C05"),
        ),
        *community_findings(register),
    ]


COMMUNITY_MEANING = {  # the community chapter's verdict -> what it means for an ICB
    "supported": "Services run by acute trusts wait less than standalone community trusts' in "
    "the same service: a case for acute trusts running community services can point to "
    "shorter community waits, though not show that the form causes them.",
    "contradicted": "Services run by acute trusts wait longer than standalone community trusts' "
    "in the same service: a case for moving services into acute trusts cannot rest on shorter "
    "community waits.",
    "no meaningful difference": "Services run by acute trusts and by standalone community trusts "
    "wait about the same, within a difference that would matter: the choice between them cannot "
    "rest on waits, and each provider is best judged on its own.",
    "inconclusive": "The data do not show that who runs community services changes how long "
    "people wait: a case for moving services into acute trusts cannot rest on shorter "
    "community waits, and nor can a case against.",
}


def community_findings(register: pd.DataFrame) -> list[Finding]:
    """The community chapter's findings: England against the standard, the verdict on waits by
    who runs the services (claim C18), and what the returns show of their own gaps (C19)."""
    ch = claims_community.community_chapter()
    rows = ch.england.set_index("service")
    adults, children = rows.loc["Adult services"], rows.loc["CYP services"]
    over = {  # people waiting over 18 weeks, of those with a known wait
        group: row["known"] * (1 - row["within_18"])
        for group, row in (("children's", children), ("adults'", adults))
    }
    longer = max(over, key=over.get)
    share = over[longer] / sum(over.values())
    c19 = _row(register, "C19")
    basis = community_story.basis_words(ch.p["smallest_effect"], ch.gap)
    return [
        Finding(
            "Community",
            f"{community_story.england_sentence(ch.england, ch.month)} The returns behind these "
            f"figures have gaps: {c19['note'].split('. NHS England')[0]}.",
            f"{vocabulary.percent(share)} of those waiting over 18 weeks wait for {longer} "
            f"services ({vocabulary.percent(children['known'] / rows.loc['England', 'known'])} of "
            "the list is children's): an ICB planning to meet the "
            f"{community_performance.STANDARD_YEAR} standard should look there first, service by "
            "service, in its providers' own returns (each ICB's briefing names them, and its web "
            "page says where a main provider's return is missing).",
            "../notebooks/community",
            ("C19",),
        ),
        Finding(
            "Community",
            f"Do acute-run community services wait less? "
            f"{community_story.verdict_sentence(ch.primary, basis)} "
            f"{community_story.robustness_words(ch.robust)}",
            COMMUNITY_MEANING[ch.primary.verdict],
            "../notebooks/community",
            ("C18",),
        ),
    ]


def answers(register: pd.DataFrame) -> dict[str, str]:
    """One short answer per question, in the questions' order, computed like the findings."""
    od = succession.load_org_data()
    fates = lineage.community_fates(od)
    counts = fates["fate"].value_counts()
    remaining = int(fates["close_date"].isna().sum() - counts.get("grouped", 0))  # open, alone
    cost = scale.big_is_best(scale.trust_size_and_cost(od))
    c12 = _row(register, "C12")
    icbs = geography.icb_populations_2026()["patients"]
    carter = integration_models.carter_verdict()
    meaning = integration_meaning(
        carter, integration_models.carter_verdict(source="returns")["verdict"]
    )
    return {
        "Consolidation": consolidation_answer(
            int(counts.get("acquired_by_acute", 0)),
            len(fates),
            remaining,
            int(counts.get("grouped", 0)),
        ),
        "Scale": f"{scale_story.big_is_best_sentence(cost).split(',')[0]}, and the data cannot "
        f"identify one right size: the median ICB has {vocabulary.people(c12['value'])} "
        "registered patients, and today's ICBs range "
        f"{vocabulary.fixed(icbs.max() / icbs.min())}-fold.",
        "Integration": integration_answer(carter["verdict"], "But" not in meaning),
        "Community": community_answer(claims_community.community_chapter()),
    }


def community_answer(ch) -> str:
    """The short answer to the community question: England against the standard and the
    verdict on waits by who runs the services."""
    within = float(ch.england.set_index("service").loc["England", "within_18"])
    verdict = {
        "supported": "services run by acute trusts wait less than standalone community trusts'",
        "contradicted": "services run by acute trusts wait longer than standalone community "
        "trusts'",
        "no meaningful difference": "services run by acute trusts and by standalone community "
        "trusts wait about the same",
        "inconclusive": "the data cannot tell whether who runs them changes how long people wait",
    }[ch.primary.verdict]
    rows = ch.england.set_index("service")["within_18"]
    return (
        f"{vocabulary.percent(within)} of those waiting had waited 18 weeks or less in "
        f"{vocabulary.month_long(ch.month)} (the nearest published measure to the standard of "
        f"{vocabulary.percent(community_performance.STANDARD)} seen within 18 weeks by "
        f"{community_performance.STANDARD_YEAR}; adults' services "
        f"{vocabulary.percent(rows['Adult services'])}, children's "
        f"{vocabulary.percent(rows['CYP services'])}); {verdict}."
    )


def page(findings: list[Finding], short: dict[str, str] | None = None) -> str:
    """The key findings page (Markdown): a short answer to each question at the top, then the
    findings grouped under the questions, in the questions' order."""
    lines = [
        "# Key findings",
        "",
        "The book's answers, computed from public data; each finding links to the chapter behind "
        "it and to the published claim it tests in the [claims register](claims.md).",
        "",
    ]
    if short:
        lines += [f"## The {vocabulary.count_words(len(QUESTIONS))} questions, answered", ""]
        for number, (question, words) in enumerate(QUESTIONS.items(), start=1):
            lines += [f"{number}. **{question}: {words}** {short[question]}", ""]
    number = 0
    for question in QUESTIONS:
        mine = [item for item in findings if item.question == question]
        if not mine:
            continue
        lines += [f"## {question}", ""]
        for item in mine:
            number += 1
            claims = (
                f"; {'claim' if len(item.claims) == 1 else 'claims'} {', '.join(item.claims)} in "
                "the [register](claims.md)"
                if item.claims
                else ""
            )
            lines += [
                f"**{number}.** {item.text}",
                "",
                f"*What this means for ICBs:* {item.meaning} "
                f"[See the chapter]({item.chapter}.ipynb){claims}.",
                "",
            ]
    return "\n".join(lines)
