"""The classification of acute trusts, the comparisons and the verdict."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport import settings
from chsreport.analysis import (
    inference,
    integration_checks,
    integration_classes,
    integration_models,
)
from chsreport.data import geography, outcomes, succession
from chsreport.reading import integration_story


@pytest.fixture(scope="module")
def setting():
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    return od, panel, acute, integration_models.controls_frame(od, acute, panel)


def test_every_acute_trust_is_in_one_usual_class_with_evidence(setting):
    od, _, acute, _ = setting
    for rule in integration_classes.RULES:
        groups = integration_classes.classify(od, acute, rule)
        assert sorted(groups["code"]) == sorted(acute)
        assert groups["group"].isin(list(integration_classes.GROUPS)).all()
        assert groups["evidence"].str.len().gt(20).all()
        assert (groups["months_in_group"] <= groups["months"]).all()


def test_stricter_rule_never_has_more_trusts_running_community_services(setting):
    od, _, acute, _ = setting
    count = {
        r: (integration_classes.classify(od, acute, r)["group"] == "acute_runs_community").sum()
        for r in integration_classes.RULES
    }
    assert count["strict"] <= count["default"] <= count["loose"]


def test_unknown_rule_and_comparison_are_refused(setting):
    od, panel, acute, ctl = setting
    with pytest.raises(ValueError, match="unknown rule"):
        integration_classes.classify(od, acute, "lenient")
    classes = integration_classes.monthly_classes(od, acute)
    with pytest.raises(ValueError, match="unknown comparison"):
        integration_models.model_frame(
            panel, classes, ctl, "ctr_per_100_beds", "2022-04", "2022-06", "a_vs_z"
        )


def test_controls_are_complete(setting):
    _, _, acute, ctl = setting
    assert len(ctl) == len(acute)
    assert ctl[["log_beds", "rural_share", "deprivation", "age_60_74"]].notna().mean().min() > 0.95


def test_headline_is_a_four_word_verdict_with_both_intervals(setting):
    od, panel, acute, ctl = setting
    classes = integration_classes.monthly_classes(od, acute)
    row = integration_models.headline(
        panel,
        classes,
        ctl,
        "ctr_per_100_beds",
        "2022-04",
        "2025-08",
        list(settings.CONTROLS),
        "carter",
    )
    assert row["verdict"] in inference.VERDICTS
    assert row["low95"] <= row["low90"] <= row["estimate"] <= row["high90"] <= row["high95"]
    assert row["smallest_effect"] == pytest.approx(0.10 * row["reference_mean"])
    assert row["clusters"] >= 40 and row["trusts_a"] > 30


def test_robustness_table_includes_the_first_editions_rule(setting):
    od, panel, acute, ctl = setting
    table = integration_checks.robustness(
        od, panel, acute, ctl, "ctr_per_100_beds", "2022-04", "2025-08", ["size", "region"]
    )
    assert table["classification"].str.contains("beds only").any()
    assert set(table["comparison"]) == set(integration_classes.COMPARISONS)
    assert table["verdict"].isin(inference.VERDICTS).all()


# Which trusts changed class and which community trusts moved, on the real data, are regression
# values (tests/test_regression.py); the tests here check the rules and the invariants.


def test_class_changes_are_listed_with_evidence(setting):
    od, _, acute, _ = setting
    changed = integration_classes.class_changes(od, acute).set_index("code")
    assert len(changed) and changed.index.is_unique and set(changed.index) <= set(acute)
    assert changed["evidence"].str.len().gt(20).all()


def test_carter_verdict_for_the_claims_register():
    result = integration_models.carter_verdict("ae_4hr_performance")
    assert result["verdict"] in inference.VERDICTS
    assert result["period"] == " to ".join(settings.OUTCOME_PERIODS["ae_4hr_performance"])


def test_all_estimates_adjust_secondary_outcomes_only(setting):
    od, panel, acute, ctl = setting
    classes = integration_classes.monthly_classes(od, acute)
    table = integration_models.all_estimates(
        panel, classes, ctl, "2022-04", "2025-08", ["size"], 0.1
    )
    assert table.loc[table["primary"], "p_holm"].isna().all()
    assert table.loc[~table["primary"], "p_holm"].notna().all()
    assert (table["p_holm"].dropna() >= table.loc[table["p_holm"].notna(), "p_value"]).all()
    assert (table["benefit_low"] <= table["benefit_high"]).all()


def test_dose_response_and_events(setting):
    od, panel, acute, ctl = setting
    classes = integration_classes.monthly_classes(od, acute)
    dose = integration_checks.dose_frame(od, panel, acute, classes)
    assert 30 < len(dose) < 80 and (dose["dose"] > 0).all()  # trusts in (a) with a CSDS row
    result = integration_checks.dose_response(dose, ctl, ["size"])
    assert result["low95"] <= result["slope"] <= result["high95"]
    events = integration_checks.transfer_events(od)
    assert len(events) and events["date"].is_monotonic_increasing
    assert set(events["kind"]) <= {"acute trust", "mental-health trust"}
    assert events["date"].between(*integration_checks.TRANSFERS).all()
    placebo = integration_checks.event_with_placebo(
        panel, "RAX", pd.Timestamp("2024-11-01"), "ctr_per_100_beds"
    )
    assert 0 < placebo["p_value"] <= 1 and placebo["trusts"] > 50


def test_whole_system_measure(setting):
    od, _, acute, _ = setting
    system = integration_checks.whole_system(
        od, acute, integration_classes.monthly_classes(od, acute)
    )
    assert sorted(system["icb22_code"]) == sorted(geography.icb_populations_2022()["icb_code"])
    assert (system["whole_system_per_100k"] >= system["acute_per_100k"]).all()
    assert system["share_in_a"].between(0, 1).all()
    slopes = integration_checks.whole_system_slopes(system)
    assert list(slopes["measure"]) == ["Acute beds only", "Acute and community beds"]


def test_staff_comparison_is_holm_adjusted(setting):
    od, _, acute, ctl = setting
    groups = integration_classes.classify(od, acute)
    table = integration_checks.staff_comparison(od, groups, ctl, ["size"])
    assert len(table) == 2 and (table["p_holm"] >= table["p_value"]).all()


@pytest.mark.parametrize(
    ("low", "high", "reading"),
    [
        (-0.5, -0.1, "fewer delays"),
        (0.1, 0.5, "more delays"),
        (-0.3, 0.2, "no link"),
    ],
)
def test_dose_sentence_follows_its_interval(low, high, reading):
    slope = {"slope": (low + high) / 2, "low95": low, "high95": high, "trusts": 30}
    text = integration_story.dose_sentence(slope)
    assert reading in text and "exploratory" in text
    assert "does not change the verdict" not in text


def _head(low90, high90, low95, high95, verdict="inconclusive", better="lower"):
    return {
        "estimate": (low95 + high95) / 2, "low90": low90, "high90": high90, "low95": low95,
        "high95": high95, "p_value": 0.3, "clusters": 40, "observations": 4000, "method": "wild",
        "reference_mean": 26.5, "better": better, "verdict": verdict, "smallest_effect": 2.65,
    }  # fmt: skip


def test_the_verdict_across_margins_moves_only_with_the_margin():
    head = _head(-2.8, 0.84, -3.13, 1.30)
    table = integration_models.margin_verdicts(head)
    assert list(table["margin_share"]) == list(integration_models.MARGINS)
    flip = integration_models.equivalence_margin(head)
    assert flip == pytest.approx(2.8 / 26.5)
    for row in table.itertuples():
        expected = "no meaningful difference" if row.margin_share > flip else "inconclusive"
        assert row.verdict == expected
    text = integration_story.margin_sentence(head, 0.10)
    assert 'would read "no meaningful difference" with a smallest effect of 10.6%' in text
    assert "worse by more than 1.30" in text


def test_the_margin_sentence_when_already_equivalent_and_for_higher_is_better():
    head = _head(-1.0, 1.0, -1.2, 1.2, verdict="no meaningful difference")
    assert 'reads "no meaningful difference" with any smallest effect of 3.8%' in (
        integration_story.margin_sentence(head, 0.10)
    )
    up = _head(-4.0, -0.5, -4.5, -0.1, better="higher")
    assert "worse by more than 4.50" not in integration_models.ruled_out(up)  # 4.5 > the margin
    assert "better at all" in integration_models.ruled_out(up)


def test_every_outcome_gets_the_same_share_of_its_spread_as_the_primary():
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    k = integration_models.spread_share(panel, 0.10)
    assert 0.2 < k < 0.8
    for key in ("ae_4hr_performance", "delay_days_14_per_100_beds"):
        first, last = settings.OUTCOME_PERIODS[key]
        margin = integration_models.smallest_effect_for(panel, key, first, last, 999.0, 0.10)
        sd = integration_models.trust_spread(panel, key, first, last).std()
        assert margin == pytest.approx(k * sd)
    first, last = settings.OUTCOME_PERIODS[settings.PRIMARY]
    assert integration_models.smallest_effect_for(
        panel, settings.PRIMARY, first, last, 26.5, 0.10
    ) == pytest.approx(2.65)


def test_dose_sentence_says_when_the_link_rests_on_a_few_trusts():
    slope = {
        "slope": -0.32, "low95": -0.53, "high95": -0.05, "trusts": 53, "rank_correlation": -0.30,
        "rank_p_value": 0.01, "left_out": ["A (A1)", "B (B1)", "C (C1)"], "slope_without": -0.24,
        "low95_without": -0.56, "high95_without": 0.16,
    }  # fmt: skip
    text = integration_story.dose_sentence(slope)
    assert "fewer delays in the adjusted model, but the link is fragile" in text
    assert "rank correlation is -0.30 (p = 0.01)" in text and "A (A1), B (B1), C (C1)" in text
    slope.update(low95_without=-0.5, high95_without=-0.1)
    assert "fragile" not in integration_story.dose_sentence(slope)
    slope.update(rank_p_value=0.36)  # the ranks show no clear link
    assert "fragile" in integration_story.dose_sentence(slope)


def test_the_share_of_carried_classes_counts_trust_months_in_the_period():
    M = pd.Timestamp
    classes = pd.DataFrame(
        {
            "code": ["A", "A", "A", "B"],
            "month": [M("2022-03-01"), M("2023-01-01"), M("2023-02-01"), M("2023-01-01")],
            "from_return": [False, True, False, True],
        }
    )
    assert integration_classes.carried_share(classes, "2023-01", "2023-12") == pytest.approx(1 / 3)
    assert "33% of trust-months" in integration_story.carried_sentence(
        classes, "2023-01", "2023-12"
    )


def test_plain_words_for_an_equivalence_quote_the_90_interval_and_what_95_still_allows():
    spec = outcomes.OUTCOMES[settings.PRIMARY]
    row = {**_head(-2.53, 0.86, -2.84, 1.18, verdict="no meaningful difference"),
           "relative": -0.035, "smallest_effect": 2.70}  # fmt: skip
    text = integration_story.plain_verdict(row, spec)
    assert "the 90% interval (-2.53 to +0.86) lies inside" in text
    assert "at 95% the data still allow a difference of 2.84, past it." in text
    assert "so any difference is smaller than the smallest that would matter." not in text


def test_the_dependence_sentence_names_each_measure_with_its_verdict():
    rows = [
        ("returns and care volume, default rule", "no meaningful difference"),
        ("returns alone, default rule", "inconclusive"),
        ("care volume alone (CSDS)", "inconclusive"),
    ]
    robust = pd.DataFrame(
        [{"classification": c, "verdict": v, "comparison": "carter",
          "clustering": "2022 ICB (wild bootstrap)", "transfers": "all"} for c, v in rows]
    )  # fmt: skip
    text = integration_story.dependence_sentence(robust)
    assert "no meaningful difference with the providers' returns and care volume" in text
    assert "inconclusive with their returns alone" in text


def _crosstab(*rows):
    cols = ["code", "name", "contacts_per_admission", "by_returns", "decided", "by_table"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


def test_the_sentence_on_the_two_sources_says_what_decided_each_disagreement():
    same = _crosstab(("RXX", "A TRUST", 5.0, "runs", "runs", False))
    assert (
        integration_story.volume_sentence(same)
        == "The care volume confirms every class the returns give."
    )
    volume = ("RXF", "MID YORKSHIRE", 11.5, "does not", "runs", False)
    table = ("RDU", "FRIMLEY HEALTH", 2.1, "does not", "runs", True)
    both = integration_story.volume_sentence(_crosstab(volume, table))
    assert "class 2 acute trusts differently" in both
    assert "For 1 trust the care volume decides: Mid Yorkshire (RXF; 11.5" in both
    assert "For one more, between the thresholds, the book's table" in both and "(RDU; 2.1)" in both
    only_table = integration_story.volume_sentence(_crosstab(table))
    assert "care volume decides:" not in only_table and "table names the trust" in only_table
    only_volume = integration_story.volume_sentence(_crosstab(volume))
    assert "table names the trust as" not in only_volume
