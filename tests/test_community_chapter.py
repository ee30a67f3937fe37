"""The community services chapter: its parsers on the real workbooks, its analysis on fixtures,
and each branch of its sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport.analysis import community_performance as cp
from chsreport.analysis import inference
from chsreport.data import community_waits
from chsreport.reading import community_story


# --------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    "heading, band",
    [
        ("Number waiting 0-1 weeks (0-7 days) by service, October 2025", (0, 1)),
        ("Number waiting >18-52 weeks (127-364 days) by service", (18, 52)),
        ("Number waiting over 52 weeks (over 365 days) by service", (52, np.inf)),
        ("Waiting >104 weeks", (104, np.inf)),
    ],
)
def test_weeks_bands_are_read_from_headings(heading, band):
    assert community_waits.band_of(heading) == band


def test_a_heading_without_a_band_is_an_error():
    with pytest.raises(ValueError, match="no weeks band"):
        community_waits.band_of("Total waiting list by service")


def test_national_series_takes_each_month_from_the_latest_workbook():
    series = community_waits.load_national_series()
    assert not series.duplicated(["month", "service"]).any()
    england = series[series["service"] == "England"].set_index("month")["value"]
    assert england.index.min() <= pd.Timestamp("2023-01-01")
    assert pd.Timestamp("2025-10-01") in england.index  # the October 2025 workbook
    assert (england > 500_000).all()


def test_the_bands_of_a_provider_line_add_up_to_about_its_total():
    bands = community_waits.load_bands()
    month = pd.Timestamp("2025-10-01")
    part = bands[(bands["month"] == month) & (bands["level"] == "provider")]
    assert part["code"].ne("").mean() > 0.99
    totals = cp.over_share(part, 18, ["code", "line"])
    assert (totals["share"].dropna().between(0, 1)).all()


def test_national_bands_have_england_adults_and_children():
    england = cp.national_bands_share(pd.Timestamp("2025-10-01")).set_index("service")
    for service in ("England", "Adult services", "CYP services"):
        assert 0 < england.loc[service, "within_18"] < 1
    assert england.loc["Adult services", "within_18"] > england.loc["CYP services", "within_18"]


# --------------------------------------------------------------------------- analysis
def test_over_share_counts_bands_from_the_threshold_up():
    bands = pd.DataFrame(
        {"code": ["A"] * 3, "over_weeks": [0.0, 18.0, 52.0], "value": [6.0, 3.0, 1.0]}
    )
    out = cp.over_share(bands, 18, ["code"]).iloc[0]
    assert (out["known"], out["over"], out["share"]) == (10.0, 4.0, 0.4)


def _lines(acute_share: float, n: int = 12, seed: int = 1) -> pd.DataFrame:
    """Fixture: n acute and n standalone providers, three service lines each, the lines' own
    levels far apart, acute lines ``acute_share`` higher than standalone ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for form in ("acute", "standalone"):
        for k in range(n):
            for line, level in (("(A) Nursing", 0.1), ("(CYP) Paediatrics", 0.6), ("(A) MSK", 0.3)):
                share = level + (acute_share if form == "acute" else 0) + rng.normal(0, 0.01)
                rows.append({"code": f"{form[0]}{k}", "line": line, "adult": line[1] == "A",
                             "form": form, "known": 100.0, "share_over_18": share})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "difference, verdict",
    [(-0.10, "supported"), (0.10, "contradicted"), (0.0, "no meaningful difference")],
)
def test_the_comparison_finds_a_difference_within_service_lines(difference, verdict):
    result = cp.compare_forms(_lines(difference), delta=0.05)
    assert result.interval.estimate == pytest.approx(difference, abs=0.01)
    assert result.verdict == verdict


def test_a_service_line_seen_at_one_form_only_is_left_out():
    lines = _lines(0.0)
    only_acute = lines[(lines["form"] == "acute")].assign(line="(A) Acute only")
    result = cp.compare_forms(pd.concat([lines, only_acute]), delta=0.05)
    assert "(A) Acute only" not in set(result.cells["line"])


def test_too_few_providers_is_an_error_not_a_verdict():
    with pytest.raises(ValueError, match="too few"):
        cp.compare_forms(_lines(0.0, n=1), delta=0.05)


def test_the_margin_table_marks_the_chosen_margin():
    table = cp.margin_verdicts(cp.compare_forms(_lines(0.0), delta=0.04702411884124247))
    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "smallest_effect_points"].iloc[0] == pytest.approx(
        4.7024, abs=1e-4
    )
    again = cp.margin_verdicts(cp.compare_forms(_lines(0.0), delta=0.05))  # one of the margins
    assert again["chosen"].sum() == 1 and len(again) == len(cp.MARGINS)


def test_the_standard_gap_is_the_distance_to_80_percent():
    england = pd.DataFrame({"service": ["England"], "within_18": [0.75]})
    assert cp.standard_gap(england) == pytest.approx(0.05)


# --------------------------------------------------------------------------- sentences
def _comparison(estimate, low, high, verdict, delta=0.047):
    interval = inference.Interval(estimate, 0.01, low, high, low, high, 0.5, 40, 900, "test")
    return cp.Comparison(interval, verdict, delta, pd.DataFrame())


def _cells():
    return pd.DataFrame({"form": ["acute"] * 3 + ["standalone"], "code": ["A", "B", "C", "S"]})


@pytest.mark.parametrize(
    "estimate, low, high, verdict, words",
    [
        (-0.06, -0.08, -0.04, "supported", "6.0 points lower"),
        (0.06, 0.04, 0.08, "contradicted", "6.0 points higher"),
        (0.01, -0.01, 0.03, "no meaningful difference", "smaller than the smallest"),
        (0.02, -0.02, 0.06, "inconclusive", "the data rule out acute-run services waiting less "
         "by a difference that would matter, but cannot tell whether they wait about the same or "
         "longer"),
        (-0.02, -0.06, 0.02, "inconclusive", "the data rule out acute-run services waiting "
         "longer by a difference that would matter, but cannot tell whether they wait about the "
         "same or less"),
        (0.0, -0.06, 0.06, "inconclusive", "cannot tell a difference that would matter"),
    ],
)  # fmt: skip
def test_the_verdict_sentence_follows_its_verdict(estimate, low, high, verdict, words):
    interval = inference.Interval(estimate, 0.01, low, high, low, high, 0.5, 4, 900, "test")
    result = cp.Comparison(interval, verdict, 0.047, _cells())
    text = community_story.verdict_sentence(result, "a basis")
    assert text.startswith(f"**{verdict.capitalize()}.**")
    assert words in text
    assert "3 acute against 1 standalone providers, 900 service lines" in text


def test_no_meaningful_difference_prints_the_90_percent_interval_it_used():
    interval = inference.Interval(0.0, 0.01, -0.05, 0.05, -0.02, 0.02, 0.5, 4, 900, "test")
    text = community_story.verdict_sentence(
        cp.Comparison(interval, "no meaningful difference", 0.047, _cells()), "b"
    )
    assert "90% interval -2.0 to +2.0 points" in text.replace("−", "-")


def test_the_basis_says_where_the_margin_came_from():
    assert "parameters" in community_story.basis_words(0.05, 0.047)
    assert "the book's choice: England's distance" in community_story.basis_words(None, 0.047)
    assert "a floor of 1 point" in community_story.basis_words(None, cp.GAP_FLOOR)


def _england(within):
    return pd.DataFrame(
        {
            "service": ["England", "Adult services", "CYP services"],
            "waiting": [1_000_000, 700_000, 300_000],
            "within_18": [within, within + 0.1, within - 0.3],
            "over_52": [0.07, 0.01, 0.25],
        }
    )


def test_england_short_of_the_standard_says_by_how_much():
    text = community_story.england_sentence(_england(0.75), pd.Timestamp("2025-10-01"))
    assert "5.0 percentage points short of the standard of 80%" in text
    assert "October 2025" in text


def test_england_at_the_standard_says_so():
    text = community_story.england_sentence(_england(0.85), pd.Timestamp("2025-10-01"))
    assert "already at or above the standard" in text


@pytest.mark.parametrize("below, words", [(0, "No provider fell below"), (2, "2 providers fell")])
def test_the_urgent_response_sentence_counts_those_below(below, words):
    shares = [0.9] * 4 + [0.5] * below
    frame = pd.DataFrame(
        {"code": [f"P{i}" for i in range(len(shares))], "form": "acute", "within_2h": shares}
    )
    frame["meets"] = frame["within_2h"] >= cp.UCR_AMBITION
    text = community_story.ucr_sentence(frame, 0.85)
    assert words in text
    assert "acute trusts" in text


@pytest.mark.parametrize(
    "missing, previous, words",
    [
        ([], "2025-07-01", "Every provider in the previous publication held (Jul 2025)"),
        (["Trust A"], "2025-07-01", "(Jul 2025) but not in Oct 2025's provider tables"),
        ([], None, "is the first month held"),
    ],
)
def test_the_non_submission_sentence_names_the_missing(missing, previous, words):
    table = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-08-01", "2025-09-01", "2025-10-01"]),
            "not_submitted": [4, 4, 2],
            "in_scope": [141, 141, 141],
        }
    )
    frame = pd.DataFrame({"code": ["X"] * len(missing), "name": missing})
    previous = pd.Timestamp(previous) if previous else None
    text = community_story.not_submitted_sentence(
        table, frame, pd.Timestamp("2025-10-01"), previous
    )
    assert words in text
    assert "between 2 and 4" in text and "most in Aug 2025 and Sep 2025" in text
    for name in missing:
        assert name in text


def test_the_robustness_table_is_in_the_points_the_sentences_use():
    from chsreport.analysis import params
    from chsreport.reading import community_chapter

    ch = cp.chapter(params.validate("community", params.defaults("community")))
    words, table = community_chapter.robustness_section(ch)
    primary = table.frame.iloc[0]
    assert primary["estimate"] == pytest.approx(ch.primary.interval.estimate * 100)
    assert primary["low95"] == pytest.approx(ch.primary.interval.low95 * 100)
    assert "percentage points" in table.caption


@pytest.mark.parametrize(
    "verdicts, words",
    [
        (["inconclusive"] * 3, "All 3 versions of the comparison agree: inconclusive."),
        (["inconclusive", "inconclusive", "supported"], "inconclusive in 2; supported in 1"),
    ],
)
def test_the_robustness_words_say_when_every_version_agrees(verdicts, words):
    assert words in community_story.robustness_words(pd.DataFrame({"verdict": verdicts}))


def test_the_parameters_choose_the_lines_compared():
    lines = _lines(0.0)
    p = {"population": "children", "service_lines": None}
    assert set(cp.chosen_lines(lines, p)["line"]) == {"(CYP) Paediatrics"}
    p = {"population": "all", "service_lines": ["(A) MSK"]}
    assert set(cp.chosen_lines(lines, p)["line"]) == {"(A) MSK"}
    assert len(cp.chosen_lines(lines, {"population": "all", "service_lines": None})) == len(lines)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"population": "elderly"}, "population is one of all, adults, children"),
        ({"service_lines": ["(A) Not a service"]}, "service lines not in the returns"),
        ({"service_lines": []}, "an empty list"),
    ],
)
def test_community_parameters_are_checked_before_a_kernel_starts(values, message):
    from chsreport.analysis import params

    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        params.validate("community", values)


def test_a_real_service_line_is_accepted():
    from chsreport.analysis import params

    line = "(A) Therapy interventions: Physiotherapy"
    assert params.validate("community", {"service_lines": [line]})["service_lines"] == [line]


def test_the_robustness_rows_include_the_register_and_the_previous_month():
    lines = _lines(0.0)
    register = lines[lines["code"] != "a0"]
    others = {"register": register, "previous": (_lines(0.0, seed=2), pd.Timestamp("2025-07-01"))}
    table = cp.robustness(lines, lines, 0.05, 20, others)
    names = list(table["specification"])
    register = "Only the acute trusts the integration chapter classes as running adult community "
    assert any(name.startswith(register) for name in names)
    assert "The previous month held (Jul 2025)" in names
    register_row = table.set_index("specification").iloc[-2]
    assert register_row["providers"] == lines["code"].nunique() - 1


def test_the_margin_is_the_gap_of_the_lines_compared():
    england = pd.DataFrame(
        {"service": ["England", "Adult services", "CYP services"],
         "within_18": [0.75, 0.86, 0.45]}
    )  # fmt: skip
    assert cp.standard_gap(england) == pytest.approx(0.05)
    assert cp.standard_gap(england, "children") == pytest.approx(0.35)
    assert cp.standard_gap(england, "adults") == cp.GAP_FLOOR  # adults already meet it
