"""The sentences the chapters and locality pages show, each branch on a small fixture: what
decides the words (one trust or several, a result inside or outside its interval, a count that
reaches a claim or not) is set on both sides, so a changed rule or a wrong branch fails here.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from chsreport import vocabulary
from chsreport.analysis import consolidation, integration_models
from chsreport.data import geography
from chsreport.reading import (
    consolidation_story,
    groups_story,
    integration_story,
    locality_page,
    scale_chapter,
)


# --------------------------------------------------------------------------- vocabulary
def test_number_formats_read_the_same_everywhere():
    assert vocabulary.signed(-1.04) == "-1.04"
    assert vocabulary.signed(0.6449, 1) == "+0.6"
    assert vocabulary.signed(3, 0) == "+3"
    assert vocabulary.fixed(12.345) == "12.3"
    assert vocabulary.whole(1234567.4) == "1,234,567"
    assert vocabulary.percent(0.315) == "32%"
    assert vocabulary.percent(0.315, 1) == "31.5%"
    assert vocabulary.percent(-0.08, sign=True) == "-8%"
    assert vocabulary.general(3.0) == "3" and vocabulary.general(0.5) == "0.5"
    assert vocabulary.people(1_234_567) == "1.23 million"
    assert vocabulary.people(999_999) == "999,999"
    assert vocabulary.date_long("2026-04-01") == "1 April 2026"
    assert vocabulary.date_long(pd.NaT) == ""
    assert vocabulary.year("2019-10-01") == "2019"


def test_class_words_come_from_one_table():
    assert vocabulary.class_label("acute_runs_community") == "(a) Runs community services itself"
    assert vocabulary.class_letter("standalone_community") == "(b)"
    assert vocabulary.class_words("mh_runs_community").startswith("(c) community services")
    assert vocabulary.class_label("unplaced") == "Unplaced"  # no letter, no leading space
    assert vocabulary.class_words("unplaced") == "no community provider placed"
    letters = [vocabulary.class_letter(g) for g in vocabulary.CLASSES if g != "unplaced"]
    assert letters == ["(a)", "(b)", "(c)", "(d)"]


# --------------------------------------------------------------------------- integration
def _head(**kw) -> dict:
    base = {
        "outcome": "ctr_per_100_beds", "verdict": "inconclusive", "estimate": -1.04,
        "low95": -2.85, "high95": 1.01, "low90": -2.53, "high90": 0.64, "relative": -0.08,
        "reference_mean": 13.0, "smallest_effect": 1.3, "unit": "per 100 beds",
        "better": "lower",
    }  # fmt: skip
    return {**base, **kw}


def test_carter_bullets_give_both_verdicts_the_margin_and_the_class_counts():
    groups = pd.DataFrame({"group": ["acute_runs_community"] * 3 + ["standalone_community"] * 2})
    study = SimpleNamespace(
        heads={"carter": _head(), "a_vs_b": _head(verdict="no meaningful difference",
                                                  estimate=0.2, low95=-0.5, high95=0.9)},
        p={"smallest_effect": 0.10, "start": "2022-04", "end": "2025-08"},
        groups=groups,
        spec=SimpleNamespace(label="Delayed patients", better="lower"),
    )  # fmt: skip
    text = integration_story.carter_bullets(study)
    assert "**Verdict on Carter's claim (delayed patients): inconclusive.**" in text
    assert "-1.04 per 100 beds (95% interval -2.85 to +1.01; 90% interval -2.53 to +0.64)" in text
    assert "that is -8% of" in text
    assert "+0.20 (95% -0.50 to +0.90): **no meaningful difference**" in text
    assert "1.30 per 100 beds (10% of the comparison average)" in text
    assert "3 of 5 acute trusts ran adult community services" in text
    assert "2 had a standalone community trust, 0 a mental-health trust" in text


def test_still_in_hospital_sentence_scales_the_mean_by_the_share():
    still = (0.5, pd.Timestamp("2022-04-01"), pd.Timestamp("2024-01-01"))
    text = integration_story.still_in_hospital_sentence(13.0, still, "Apr 2022 to Aug 2025")
    assert "From Apr 2022 to Jan 2024 (the months with daily figures), 50% of them" in text
    assert "If that share held over Apr 2022 to Aug 2025" in text
    assert "average of 13.0 per 100 beds is about 6 per 100" in text


@pytest.mark.parametrize("n, words", [(1, "1 acute trust has"), (2, "2 acute trusts have")])
def test_changed_sentence_agrees_with_its_count(n, words):
    text = integration_story.changed_sentence(pd.DataFrame({"code": ["X"] * n}))
    assert text.startswith(words)
    assert ("It is listed" if n == 1 else "They are listed") in text


def test_robustness_summary_counts_each_verdict():
    robust = pd.DataFrame({"verdict": ["inconclusive"] * 3 + ["supported"]})
    check = {"estimate": -0.5, "low95": -1.25, "high95": 0.25, "trusts": 110}
    text = integration_story.robustness_summary(robust, check)
    assert text.startswith("Across the 4 specifications the verdict is inconclusive in 3; "
                           "supported in 1.")  # fmt: skip
    assert "-0.50 (95% -1.25 to +0.25; 110 trusts)" in text


def test_transfers_sentence_with_and_without_an_analysable_change():
    events = pd.DataFrame({"community_trust": ["A", "B", "C"]})
    covered = pd.DataFrame({"community_trust": ["A", "B", "C"], "analysable": [True, True, False]})
    none = integration_story.transfers_sentence(events, covered, pd.DataFrame())
    assert "The data hold 3 changes of hands from 2015 to 2026" in none
    assert "2 have six months" in none
    assert "0 acute trusts changed class" in none and "placebo" not in none
    effects = pd.DataFrame({"acute_trust": ["X"], "trusts": [99]})
    one = integration_story.transfers_sentence(events, covered, effects)
    assert "1 acute trust changed class" in one
    single = covered.assign(analysable=[True, False, False])
    assert "1 has six months" in integration_story.transfers_sentence(events, single, effects)
    assert "cannot be smaller than 1/100." in one


def _slopes(a, whole):
    return pd.DataFrame(
        [dict(zip(["slope", "low95", "high95"], a, strict=True), icbs=42),
         dict(zip(["slope", "low95", "high95"], whole, strict=True), icbs=42)]
    )  # fmt: skip


@pytest.mark.parametrize(
    "a, whole, meaning",
    [
        ((-20, -30, -10), (-5, -15, 4), "The whole-system estimate includes no difference"),
        ((-20, -30, 5), (-25, -35, -15), "The acute estimate includes no difference"),
        ((-20, -30, 5), (-5, -15, 4), "The acute and whole-system estimates include no"),
        ((-20, -30, -10), (-12, -18, -6), "the data do not show that they did"),
        ((-20, -30, -10), (-25, -35, -15), "does not make the difference smaller"),
    ],
)
def test_whole_system_sentence_chooses_its_meaning_by_the_intervals(a, whole, meaning):
    text = integration_story.whole_system_sentence(_slopes(a, whole))
    assert meaning in text
    assert "Across 42 ICBs" in text and f"by {vocabulary.signed(a[0], 1)} per 100,000" in text


@pytest.mark.parametrize("better, ranks", [("lower", [1, 3, 3]), ("higher", [4, 1, 1])])
def test_rank_among_ranks_against_every_trust_best_first(better, ranks):
    means = pd.DataFrame({"code": list("ABCD"), "value": [1.0, 5.0, 5.0, 2.0]})
    mine = integration_models.rank_among(means, ["A", "B", "C"], better)
    assert mine["rank_of_all"].tolist() == ranks


# --------------------------------------------------------------------------- consolidation
def _od(names: dict[str, str]):
    register = pd.DataFrame({"code": list(names), "name": list(names.values())})
    return SimpleNamespace(register=register)


def _fates(rows):
    frame = pd.DataFrame(rows, columns=["code", "name", "fate", "fate_label", "successor", "date",
                                        "icb_code"])  # fmt: skip
    still = frame["fate"].isin(["standalone", "grouped", "retyped"])  # open under its own code
    return frame.assign(close_date=pd.to_datetime(["2016-09-30"] * len(frame)).where(~still))


def test_in_brief_names_each_takeover_or_says_there_was_none(monkeypatch):
    monkeypatch.setattr(groups_story, "in_brief_line", lambda od, fates: "- GROUPS LINE")
    monkeypatch.setattr(groups_story, "name_then", lambda code, day: "Beta Hospitals")
    counts = pd.DataFrame({"year": [2011, 2012, 2013], "community_trusts": [18, 19, 19]})
    od = _od({"C1": "ALPHA COMMUNITY HEALTH", "A1": "BETA HOSPITALS"})
    acquired = (
        "C1",
        "Alpha",
        "acquired_by_acute",
        "Acquired",
        "A1",
        pd.Timestamp("2016-10-01"),
        "Q",
    )
    kept = ("C2", "Gamma", "standalone", "Standalone", None, pd.NaT, "Q")
    text = consolidation_story.in_brief(od, _fates([acquired, kept]), counts)
    assert "- 2 standalone community trusts existed at some point since 2011; 1 is still open." in (
        text
    )
    assert "- GROUPS LINE\n" in text
    grouped = ("C3", "Delta", "grouped", "Shares leaders with another trust", None, pd.NaT, "Q")
    both = consolidation_story.in_brief(od, _fates([acquired, kept, grouped]), counts)
    assert "since 2011; 2 are still open." in both and "Of the others, none changed." in both
    takeover = "1 was acquired by acute trusts: Alpha Community Health into Beta Hospitals in 2016."
    assert takeover in text
    peak = f"peaked at 19 (2012 to 2013), against the {consolidation.SEED_COUNT} of article 002"
    assert peak in text
    none = consolidation_story.in_brief(od, _fates([kept]), counts)
    assert "0 were acquired by acute trusts.\n" in none
    assert "Of the others, none changed." in none


def test_icb_sentence_lists_its_community_trusts_or_none():
    providers = pd.DataFrame({"status": ["open", "closed", "open"]})
    steps = pd.DataFrame({"x": range(4)})
    here = _fates([("RY1", "ALPHA COMMUNITY", "acquired_by_acute", "Acquired by an acute trust",
                    "A1", pd.NaT, "Q")])  # fmt: skip
    text = consolidation_story.icb_sentence("NHS Somewhere ICB", providers, steps, here, 2011)
    assert "home to 3 NHS trusts open at some point since 2011 (2 still open)" in text
    one = consolidation_story.icb_sentence("X", providers.iloc[:1], steps, here, 2011)
    assert "home to 1 NHS trust open" in one
    assert "record 4 organisational changes" in text
    assert text.endswith(
        "1 standalone community trust since 2011: RY1 Alpha Community, acquired by an acute trust."
    )
    none = consolidation_story.icb_sentence("X", providers, steps, here.iloc[0:0], 2011)
    assert none.endswith("0 standalone community trusts since 2011.")


def test_trusts_by_type_sentence_counts_the_first_and_last_years():
    by_year = pd.DataFrame(
        {"year": [2011] * 3 + [2026] * 2,
         "type": ["unknown", "acute", "community", "acute_community", "acute"]}
    )  # fmt: skip
    text = consolidation_story.trusts_by_type_sentence(by_year, 2011, 2026)
    assert "On 1 April 2011 England had 3 NHS trusts; on 1 April 2026, 2 (-1)." in text
    assert "1 trust was an acute or mental-health trust that had taken in" in text
    assert "The type of 1 trust open in 2011 is in no source" in text
    two = pd.concat([by_year, by_year.iloc[[3]]])
    assert "2 trusts were acute or mental-health trusts" in (
        consolidation_story.trusts_by_type_sentence(two, 2011, 2026)
    )


@pytest.mark.parametrize("peak, reached", [(consolidation.SEED_COUNT - 1, False),
                                           (consolidation.SEED_COUNT, True)])  # fmt: skip
def test_seed_count_sentence_on_both_sides_of_the_articles_count(peak, reached):
    counts = pd.DataFrame({"year": [2011, 2012, 2013], "community_trusts": [peak - 2, peak, 15]})
    text = consolidation_story.seed_count_sentence(counts)
    seed = consolidation.SEED_COUNT
    assert text.startswith(f"The data reach {seed} or more in 2012" if reached
                           else f"The data never reach {seed}")  # fmt: skip
    assert f"peaks at {peak} in 2012 and stands at 15 in 2013" in text


def test_case_text_quotes_the_article_or_names_a_recent_merger():
    case = {"label": "Cheshire", "seed": "001", "quote": "folded in", "lines": ["one", "two"]}
    assert consolidation_story.case_text(case) == (
        '**Cheshire** (article 001: "folded in")\n\n- one\n- two'
    )
    assert "(a 2024-26 merger)" in consolidation_story.case_text({**case, "seed": None})


# --------------------------------------------------------------------------- scale
def test_profile_sentence_says_none_for_no_district_council(monkeypatch):
    monkeypatch.setattr(geography, "lists_month", lambda: "August 2026")
    prof = {
        "name": "NHS Here ICB", "patients": 1_500_000, "residents": 1_400_000, "rural_share": 0.4,
        "sub_icbs": [1, 2], "councils": [1, 2, 3], "districts": 0, "pcns": 20,
        "pcn_median": 52_000.4, "pcn_inside": 0.75, "neighbourhoods_min": 30.0,
        "neighbourhoods_max": 50.0,
    }  # fmt: skip
    p = {"population_year": 2024, "neighbourhood_min": 30_000, "neighbourhood_max": 50_000}
    text = scale_chapter.profile_sentence(prof, p)
    assert "NHS Here ICB has 1,500,000 registered patients (August 2026)" in text
    assert "(none of them district councils)" in text
    assert "neighbourhoods of 50,000 to 30,000 people" in text
    assert "(2 of them district councils)" in scale_chapter.profile_sentence(
        {**prof, "districts": 2}, p
    )


@pytest.mark.parametrize(
    "crossing, words",
    [(0, "0 PCNs span two ICBs (each"), (1, "1 PCN spans two ICBs (it is"),
     (3, "3 PCNs span two ICBs (each")],
)  # fmt: skip
def test_pcn_sentence_agrees_with_the_count_that_spans_two_icbs(crossing, words):
    band = {"inside": 5, "count": 8, "share_inside": 0.625, "low": 30_000, "high": 70_000,
            "below": 2, "above": 1, "median": 51_234.0}  # fmt: skip
    pcns = pd.DataFrame({"rurality": ["Urban"] * 8, "patients": [50_000] * 8,
                         "cross_border": [True] * crossing + [False] * (8 - crossing)})  # fmt: skip
    text = scale_chapter.pcn_sentence(band, pcns, 12_345)
    assert text.startswith("5 of 8 PCNs (62%) hold 30,000 to 70,000 registered patients")
    assert "Urban: median 50,000" in text and "12,345 patients at practices in no PCN" in text
    assert words in text


def test_districts_sentence_gives_the_cap_and_half_of_it():
    text = scale_chapter.districts_sentence(
        {"count": 30, "total": 164, "share": 30 / 164}, {"count": 2}, {"share": 0.61}, 100_000, 2024
    )
    assert "30 of 164 district councils (18%) have fewer than 100,000 residents" in text
    assert "2 have fewer than 50,000; 61% of England's residents" in text


# --------------------------------------------------------------------------- locality
@pytest.mark.parametrize(
    "occupancy, words",
    [(55.0, "55% occupied."), (120.0, "(more patients than the capacity"),
     (np.nan, "occupancy not reported.")],
)  # fmt: skip
def test_delays_and_wards_sentence_against_england_and_the_median_icb(monkeypatch, occupancy,
                                                                     words):  # fmt: skip
    from chsreport.data import geography, icb_outcomes

    monkeypatch.setattr(icb_outcomes, "icb22_weights",
                        lambda: pd.DataFrame({"icb22_code": ["A", "B", "B"]}))  # fmt: skip
    monkeypatch.setattr(geography, "icb_populations_2026", lambda: pd.DataFrame(
        {"icb_code": ["Q1", "Q2"], "patients": [100_000, 300_000]}))  # fmt: skip
    months = pd.to_datetime(["2023-06-01", "2024-01-01"])
    delays = pd.DataFrame({"icb_code": ["Q1", "Q1", "Q2", "Q2"], "month": list(months) * 2,
                           "per_100k": [10.0, 12.0, 20.0, 20.0],
                           "do_not_meet_criteria_to_reside": [10.0, 12.0, 60.0, 60.0]})  # fmt: skip
    latest, first = months[1], months[0]
    wards = pd.DataFrame({"icb_code": ["Q1", "Q2", "Q1"], "month": [latest, latest, first],
                          "capacity_per_100k": [15.0, 25.0, 99.0],
                          "occupancy": [occupancy, 80.0, 10.0]})  # fmt: skip
    text = locality_page.delays_and_wards_sentence("Q1", delays, wards)
    assert "11.0 per 100,000 registered patients on an average day (Jun 2023 to Jan 2024)" in text
    # England: each month's patients over its registered patients (17.5 and 18.0), averaged
    assert "against 17.8 for England and 15.5 for the median ICB" in text
    assert "Virtual wards (January 2024): 15.0 beds per 100,000" in text
    assert "(median ICB 20.0)" in text and words in text
    assert "Figures for the 2 ICBs of 2022" in text
