"""The classification of acute trusts, the comparisons and the verdict."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport import integration, lineage, outcomes


@pytest.fixture(scope="module")
def setting():
    od = lineage.load_org_data()
    panel = outcomes.outcome_panel(od)
    return od, panel, integration.acute_trust_codes(panel)


def test_every_acute_trust_is_in_one_group_with_evidence(setting):
    od, panel, acute = setting
    for rule in integration.RULES:
        groups = integration.classify(od, acute, rule)
        assert groups["code"].is_unique and len(groups) == len(acute)
        assert set(groups["group"]) <= set(integration.GROUPS)
        assert (groups["evidence"].str.len() > 0).all()


def test_known_trusts(setting):
    od, panel, acute = setting
    groups = integration.classify(od, acute).set_index("code")
    assert groups.loc["RAX", "group"] == "acute_runs_community"  # took in RY9 in 2024
    assert groups.loc["RBL", "group"] == "standalone_community"  # Wirral: RY7 beside it
    assert "RY7" in groups.loc["RBL", "evidence"]


def test_rules_differ_only_where_they_should(setting):
    od, panel, acute = setting
    default = integration.classify(od, acute, "default").set_index("code")["group"]
    strict = integration.classify(od, acute, "strict").set_index("code")["group"]
    assert (strict == "acute_runs_community").sum() <= (default == "acute_runs_community").sum()


def test_unknown_rule():
    with pytest.raises(ValueError, match="unknown rule"):
        integration.classify(None, [], "lenient")


def test_bootstrap_interval_brackets_the_mean():
    values = pd.Series(range(1, 31), dtype=float).to_numpy()
    low, high = integration.bootstrap_ci(values)
    assert low < values.mean() < high
    assert all(pd.isna(v) for v in integration.bootstrap_ci(values[:2]))  # too few trusts


def _estimates(estimate, low, high):
    return pd.DataFrame(
        [
            {
                "group": "acute_runs_community",
                "estimate": estimate,
                "low": low,
                "high": high,
                "trusts": 40,
                "reference_trusts": 25,
            }
        ]
    )


def test_verdict_follows_the_interval_and_the_direction():
    lower_better = "ctr_per_100_beds"
    assert integration.verdict(_estimates(-3, -5, -1), lower_better)["verdict"] == "supported"
    assert integration.verdict(_estimates(3, 1, 5), lower_better)["verdict"] == "contradicted"
    assert integration.verdict(_estimates(-1, -3, 1), lower_better)["verdict"].startswith("not")
    higher_better = "ae_4hr_performance"
    assert integration.verdict(_estimates(-3, -5, -1), higher_better)["verdict"] == "contradicted"


def test_adjusted_estimates_and_events_on_real_data(setting):
    od, panel, acute = setting
    groups = integration.classify(od, acute)
    est = integration.adjusted_estimates(
        panel, groups, od, "ctr_per_100_beds", "2022-04", "2025-08", ["size", "region", "rurality"]
    )
    row = est.set_index("group").loc["acute_runs_community"]
    assert row["low"] < row["estimate"] < row["high"]
    events = integration.merger_events(od, acute, "2022-04", "2025-08")
    assert list(events["acute"]) == ["RAX"]


def test_carter_verdict_for_the_claims_register():
    result = integration.carter_verdict("ae_4hr_performance")
    assert result["verdict"] in (
        "supported",
        "contradicted",
        "not distinguishable from no difference",
    )
    assert result["period"] == "2021-04 to 2025-07"


def test_trust_level_comparison(setting):
    od, panel, acute = setting
    groups = integration.classify(od, acute)
    measures = integration.trust_level_measures(od, groups)
    assert measures["cost_per_bed"].notna().mean() > 0.9
    table = integration.trust_level_comparison(measures, od, groups, panel, ["size"])
    assert set(table["measure"]) == {label for label, _ in integration.TRUST_LEVEL.values()}
    assert (table["low"] <= table["high"]).all()
