"""The claims register: each published claim in ``data/compiled/claims.yml`` tested by a function
here, which returns the measure, its value and unit, the period, the source, a verdict and a note.

Verdicts: supported, partly supported, not supported, or untestable with open data (with the
reason) for claims of fact; for claims about a difference between groups (C06), one of the four
words of :func:`chsreport.analysis.inference.verdict`: supported, contradicted, no meaningful
difference or inconclusive. Every verdict is computed from the values; the rule for each is in its
docstring.
"""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import yaml

from chsreport import settings, vocabulary
from chsreport.analysis import (
    community_exposure,
    integration_classes,
    integration_models,
    lineage,
    population_layers,
)
from chsreport.data import (
    community_returns,
    geography,
    manifest,
    ods,
    outcomes,
    pcn_lists,
    succession,
)
from chsreport.reading import integration_story
from chsreport.reading.claim_result import Result
from chsreport.reading.claims_community import (  # noqa: F401 (rules the register names)
    c18_integrated_outcomes,
    c19_data_behind,
)
from chsreport.reading.claims_consolidation import (  # noqa: F401 (rules the register names)
    c01_cheshire_merseyside,
    c02_similar_moves,
)

CLAIMS_FILE = manifest.PROJECT_ROOT / "data" / "compiled" / "claims.yml"
VERDICTS = (
    "supported",
    "partly supported",
    "not supported",
    "contradicted",
    "no meaningful difference",
    "inconclusive",
    "untestable with open data",
)
COLUMNS = [
    "claim_id",
    "seed",
    "quote",
    "measure",
    "value",
    "unit",
    "period",
    "source",
    "verdict",
    "note",
]
ODS = "NHS ODS trust and successor files; ERIC; 2026 trust list"
LISTS = "NHS England, Patients Registered at a GP Practice"
ONS = "ONS mid-year estimates; mySociety register"


def _untestable(measure: str, why: str) -> Result:
    return Result(measure, None, "", "", "", "untestable with open data", why)


# --------------------------------------------------------------------------- the claims
def c03_places() -> Result:
    """Claim C03 (the number of places): untestable with open data, because no open list of places
    exists."""
    return _untestable(
        "Number of 'places' in England",
        "no open list of ICS places exists in the data; places are local "
        "arrangements, not statutory geographies",
    )


def c04_verdict(share: float) -> str:
    """Claim C04's rule on a share (per cent): supported if within 25-42 (about a third);
    partly if above 42 (the claim's point, that many are run by acute trusts, holds and its
    number understates it) or 15-25; not supported below 15."""
    return (
        "supported" if 25 <= share <= 42 else "partly supported" if share >= 15 else "not supported"
    )


def c04_share_run_by_acutes() -> Result:
    """Share of adult community care contacts (CSDS, March 2025) that acute trusts provided: the
    volume of care, not the number of providers (:func:`c04_verdict`). The share of providers
    running adult community services (at least 5 adult service lines in the CHS return of March
    2025) that are acute trusts is given beside it."""

    od = succession.load_org_data()
    march = pd.Timestamp("2025-03-01")
    volume = community_returns.adult_contact_shares(od, march)
    share = 100 * volume.get("acute", 0.0)
    reg = community_exposure.register(od, [march])
    active = reg[reg["runs_community"]]
    kinds = [community_returns.provider_kind(c, march, od) for c in active["code"]]
    acute = sum(k == "acute" for k in kinds)
    by_count = 100 * acute / len(active) if len(active) else 0.0
    return Result(
        "Share of adult community care contacts provided by acute trusts",
        round(share, 1),
        "%",
        "March 2025",
        f"{community_returns.SOURCE_CSDS}; {community_returns.SOURCE_CHS}",
        c04_verdict(share),
        f"by volume; counted by providers instead, acute trusts are {acute} of {len(active)} "
        f"providers with {settings.RULES['default']} or more adult service lines "
        f"({vocabulary.fixed(by_count)}%, which the "
        "rule would "
        f"call {c04_verdict(by_count)})"
        + (
            "; more than the claim's third: its point holds, its number understates it"
            if share > 42
            else f"; {vocabulary.fixed(share)}% is close to the rule's 42% limit"
            if share > 40
            else ""
        )
        + ". Contacts, not spending: shares of spending by provider are not in the book's data. "
        "Providers that submit no contacts (more often non-NHS ones) are missing, which raises the "
        "acute trusts' share.",
    )


EXEMPLARS = {"RJC": "South Warwickshire", "RBK": "Walsall", "RTF": "Northumbria", "RH5": "Somerset"}


def c05_flow_exemplars() -> Result:
    """Of the four named trusts, how many run community services themselves (the integration
    chapter's classes, March 2025) and have fewer patients not meeting the criteria to reside
    per 100 occupied adult beds than the median acute trust (2022-04 to 2025-08): supported if
    all four, partly if two or three, not if fewer."""
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    classes = integration_classes.monthly_classes(od, acute)
    march = classes[classes["month"] == pd.Timestamp("2025-03-01")].set_index("code")["group"]
    rows = outcomes.window(panel, "ctr_per_100_beds", "2022-04", "2025-08")
    means = rows.groupby("code")["ctr_per_100_beds"].mean()
    median = means.median()
    ranks = means.rank(method="min")
    n, parts = 0, []
    for code, place in EXEMPLARS.items():
        value = means.get(code)
        runs = march.get(code) == "acute_runs_community"
        if value is None or pd.isna(value):  # no delays data: not counted, and said so
            parts.append(f"{place} ({code}) has no figure in the data, so is not counted")
            continue
        n += int(bool(runs and value < median))
        parts.append(
            f"{place} ({code}) {vocabulary.fixed(value)}, {int(ranks[code])} of {len(means)}, "
            + ("runs" if runs else "does not run")
            + " community services"
        )
    verdict = "supported" if n == 4 else "partly supported" if n >= 2 else "not supported"
    return Result(
        "Named trusts that run community services and are below the median of delayed "
        "patients per 100 adult beds",
        n,
        f"trusts of {len(EXEMPLARS)}",
        "2022-04 to 2025-08",
        outcomes.OUTCOMES["ctr_per_100_beds"].source,
        verdict,
        f"{'; '.join(parts)} (1 = fewest); median acute trust {vocabulary.fixed(median)}",
    )


def c06_carter() -> Result:
    """The integration chapter's verdict for acute trusts that run community services against every
    other acute trust (Carter's comparison), primary outcome, in the four words of
    :func:`chsreport.analysis.inference.verdict` at the chapter's default smallest effect (10 % of
    the comparison mean)."""
    v = integration_models.carter_verdict(settings.PRIMARY)
    b = integration_models.carter_verdict(settings.PRIMARY, comparison="a_vs_b")
    return Result(
        "Adjusted difference in patients not meeting the criteria to reside per 100 occupied "
        "adult beds, trusts running community services against all other acute trusts",
        round(v["estimate"], 2),
        v["unit"],
        v["period"],
        outcomes.OUTCOMES[settings.PRIMARY].source,
        v["verdict"],
        f"95% interval {vocabulary.fixed(v['low95'], 2)} to {vocabulary.fixed(v['high95'], 2)}, "
        f"90% {vocabulary.fixed(v['low90'], 2)} to "
        f"{vocabulary.fixed(v['high90'], 2)}; smallest effect of interest "
        f"{vocabulary.fixed(v['smallest_effect'], 2)}. "
        f"{integration_story.margin_sentence(v, integration_models.DEFAULT_SMALLEST_EFFECT)} "
        "Against "
        f"trusts beside a standalone community trust only: {vocabulary.signed(b['estimate'])} "
        f"({vocabulary.fixed(b['low95'], 2)} to {vocabulary.fixed(b['high95'], 2)}), "
        f"{b['verdict']}. Efficiency is not tested: "
        "cost per bed does not measure it.",
    )


def c07_pcn_size() -> Result:
    """Supported if at least three quarters of PCNs hold 30-70,000 patients and the median is
    inside; partly if at least half; else not."""
    band = pcn_lists.pcn_band_summary(30000, 70000)
    share = 100 * band["share_inside"]
    inside = 30000 <= band["median"] <= 70000
    verdict = (
        "supported"
        if share >= 75 and inside
        else "partly supported"
        if share >= 50
        else "not supported"
    )
    return Result(
        "Share of PCNs with 30,000 to 70,000 registered patients",
        round(share, 1),
        "%",
        "2026-08",
        LISTS,
        verdict,
        f"median {vocabulary.whole(band['median'])}; {band['below']} smaller, {band['above']} "
        "larger "
        "(registered patients, not residents)",
    )


def c08_standalone_count() -> Result:
    """Supported if the count of standalone community trusts reached 21 in any year."""
    od = succession.load_org_data()
    years = range(2011, od.as_of.year + 1)
    counts = lineage.community_count_by_year(lineage.trusts_by_type_and_year(od, years))
    latest = counts.iloc[-1]
    reached = (counts["community_trusts"] >= 21).any()
    by_year = ", ".join(f"{r.year}: {r.community_trusts}" for r in counts.itertuples())
    fates = lineage.community_fates(od)["fate"]
    alone, shared = int((fates == "standalone").sum()), int((fates == "grouped").sum())
    return Result(
        "Community trusts at the latest date, whether they run alone or share leaders",
        int(latest["community_trusts"]),
        "trusts",
        f"1 April {int(latest['year'])}",
        ODS,
        "supported" if reached else "not supported",
        f'By year (1 April): {by_year}. Today {alone} run alone ("still standalone" in the '
        f"consolidation chapter) and {shared} share leaders with another trust. The article's "
        "definition is not stated.",
    )


def c09_hospital_at_home() -> Result:
    return _untestable(
        "Cost of Sussex Hospital@Home against acute care",
        "no open service-level cost data; the figure is the trust's own",
    )


def c10_no_district() -> Result:
    """Supported if within 5 points of 60 per cent, partly if within 10, else not."""
    result = population_layers.share_population_without_district(2024)
    share = 100 * result["share"]
    old = 100 * population_layers.share_population_without_district(2020)["share"]
    gap = abs(share - 60)
    verdict = "supported" if gap <= 5 else "partly supported" if gap <= 10 else "not supported"
    return Result(
        "Share of England's residents with no district council",
        round(share, 1),
        "%",
        "mid-2024",
        ONS,
        verdict,
        f"{vocabulary.fixed(old)}% on mid-2020 estimates; residents of unitary, metropolitan and "
        "London authorities",
    )


def c11_small_districts() -> Result:
    """Supported if 28-40 per cent of districts are under 100,000 and none under 50,000; partly
    if one of the two holds."""
    d100 = population_layers.share_of_districts_below(100_000, 2024)
    d50 = population_layers.share_of_districts_below(50_000, 2024)
    old = population_layers.share_of_districts_below(100_000, 2020)
    share = 100 * d100["share"]
    first, second = 28 <= share <= 40, d50["count"] == 0
    verdict = (
        "supported"
        if first and second
        else "partly supported"
        if first or second
        else ("not supported")
    )
    return Result(
        "Share of district councils under 100,000 residents",
        round(share, 1),
        "%",
        "mid-2024",
        ONS,
        verdict,
        f"{d100['count']} of {d100['total']}; under 50,000: {d50['count']}; on mid-2020 "
        f"estimates {vocabulary.fixed(100 * old['share'])}% ({old['count']})",
    )


def c12_icb_size() -> Result:
    """Supported if at least half the ICBs are within a quarter of 2 million; partly if the
    median is; else not."""
    icbs = geography.icb_populations_2026()
    median = icbs["patients"].median()
    near = icbs["patients"].between(1_500_000, 2_500_000)
    verdict = (
        "supported"
        if near.mean() >= 0.5
        else "partly supported"
        if 1_500_000 <= median <= 2_500_000
        else "not supported"
    )
    return Result(
        "Median ICB registered population",
        float(median),
        "registered patients",
        "2026-08",
        LISTS,
        verdict,
        f"{len(icbs)} ICBs; {near.sum()} within 1.5-2.5 million; range "
        f"{vocabulary.whole(icbs['patients'].min())} to {vocabulary.whole(icbs['patients'].max())}",
    )


def c13_neighbourhoods_smaller() -> Result:
    """Supported if more than half the district councils have more residents than the largest
    usual neighbourhood (50,000)."""
    c = geography.councils()
    districts = c[c["tier"] == "district"]
    share = 100 * (districts["population_2024"] > 50_000).mean()
    return Result(
        "Share of district councils larger than a 50,000 neighbourhood",
        round(share, 1),
        "%",
        "mid-2024",
        ONS,
        "supported" if share > 50 else "not supported",
        "against a 100,000 neighbourhood: "
        f"{vocabulary.fixed(100 * (districts['population_2024'] > 100_000).mean())}%",
    )


def c14_gp_at_hand() -> Result:
    """Inconclusive unless the list already exceeded 100,000 in the data: the newest list here
    (January 2021) is older than the article, so a smaller list then cannot contradict it."""
    lists = geography.load_practice_lists_2021().set_index("practice_code")["patients"]
    size = int(lists.get("E85124", 0))
    rank = int((lists > size).sum()) + 1
    return Result(
        "Registered list of GP at Hand (practice E85124)",
        size,
        "registered patients",
        "2021-01",
        LISTS,
        "supported" if size >= 100_000 else "inconclusive",
        f"the newest practice list in the data (January 2021); rank {rank} of {len(lists)} "
        "practices. The article is later and the list may have passed 100,000 since, so the "
        "data can neither confirm nor contradict it.",
    )


def c15_share_of_spend() -> Result:
    return _untestable(
        "Community health services' share of NHS spending",
        "no open spending by service line (reference costs and trust accounts are not in the data)",
    )


def c16_no_places() -> Result:
    return _untestable(
        "Places chosen by Gloucestershire and Lincolnshire ICSs",
        "ICS place arrangements are not in any open dataset here",
    )


def c17_rural_resist() -> Result:
    """The outcome only (motives are untestable): partly supported if no South West ICB was
    formed by merger in 2026 while some elsewhere were, not supported if one was, inconclusive
    if none merged anywhere (nothing to contrast); the resistance itself cannot be seen in the
    data, so the claim is never more than partly supported."""
    mergers = geography.icb_mergers_2026()
    icbs = ods.load_icbs().set_index("icb_code")
    merged = set(mergers.loc[mergers["merged"], "icb_code"])
    south_west = set(icbs.index[icbs["region_name"] == "South West"])
    rural = geography.icb_rurality().set_index("icb_code")["rurality"]
    n_sw = len(merged & south_west)
    n_rural = sum(rural.get(c) == "Mainly rural" for c in merged)
    verdict = "inconclusive" if not merged else "partly supported" if n_sw == 0 else "not supported"
    fit = ("The outcome fits the claim" if verdict == "partly supported" else "No ICB merged, so "
           "the data cannot show resistance to merging" if not merged
           else "The outcome does not fit the claim")  # fmt: skip
    sw = "none merged" if n_sw == 0 else f"{n_sw} of them formed by merger"
    return Result(
        "South West ICBs formed by merger in 2026", n_sw, "ICBs", "April 2026", LISTS, verdict,
        f"{vocabulary.plural(len(south_west), 'South West ICB')}, {sw}; "
        f"{len(merged - south_west)} merged ICBs elsewhere, {n_rural} of the {len(merged)} "
        f"merged ICBs mainly rural. {fit}; the resistance itself is not in the data, so it is "
        "partly supported at most.",
    )  # fmt: skip


# --------------------------------------------------------------------------- the register
def load_claims(path: Path = CLAIMS_FILE) -> list[dict]:
    """The claims register's hand-compiled claims (data/compiled/claims.yml), checked: unique ids,
    each naming a rule function here."""
    claims = yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    ids = [c["id"] for c in claims]
    if len(ids) != len(set(ids)):
        raise manifest.SchemaError(f"{path.name}: claim ids repeat")
    for claim in claims:
        if not callable(globals().get(claim["function"])):
            raise manifest.SchemaError(
                f"{path.name}: {claim['id']} names no function "
                f"{claim['function']!r} in chsreport.reading.claims"
            )
    return claims


EVERY_ICB = ("C06", "C07", "C12", "C18")  # flow, PCN size, ICB size, community waits: all ICBs


def claims_about(icb: str, path: Path = CLAIMS_FILE) -> list[str]:
    """The ids of the claims about ``icb``: those whose entry in claims.yml names it (``icbs``,
    read from the article) and those every ICB faces (:data:`EVERY_ICB`)."""
    named = [c["id"] for c in load_claims(path) if icb in c.get("icbs", [])]
    return [*named, *(c for c in EVERY_ICB if c not in named)]


def evaluate(path: Path = CLAIMS_FILE) -> pd.DataFrame:
    """Every claim evaluated: one row each, in the register's column order."""
    rows = []
    for claim in load_claims(path):
        result = globals()[claim["function"]]()
        if result.verdict not in VERDICTS:
            raise ValueError(f"{claim['id']}: verdict {result.verdict!r} not in {VERDICTS}")
        rows.append(
            {
                "claim_id": claim["id"],
                "seed": claim["seed"],
                "quote": claim["quote"],
                **asdict(result) | {"period": vocabulary.months_in_words(result.period)},
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path
