"""Flow outcomes: loaders, merged trusts carried to successors, rates with their units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport import data, lineage, outcomes

from .test_lineage import _org_data


@pytest.fixture(scope="module")
def panel():
    return outcomes.outcome_panel(lineage.load_org_data())


def test_every_outcome_has_unit_definition_and_direction():
    for spec in outcomes.OUTCOMES.values():
        assert spec.unit and spec.definition and spec.source and spec.short
        assert spec.better in ("lower", "higher")


def test_monthly_means_of_daily_counts():
    ctr = outcomes.load_ctr()
    assert ctr["month"].min() == pd.Timestamp("2022-04-01")
    assert ctr["month"].max() == pd.Timestamp("2025-08-01")
    assert ctr["code"].nunique() == 121


def test_counts_of_merged_trusts_are_added_before_rates(monkeypatch):
    od = _org_data()
    frame = pd.DataFrame(
        {
            "code": ["RA1", "RA2", "RC1"],
            "month": [pd.Timestamp("2024-01-01")] * 3,
            "x": [1.0, 2.0, 4.0],
        }
    )
    out = outcomes.carry_monthly(frame, od, ["x"])
    assert out.set_index("code").loc["RC1", "x"] == 7.0


def test_panel_rates_are_plausible(panel):
    assert panel.loc[panel["code"] == "RY9"].empty  # a community trust, carried to RAX
    assert panel["community_delay_share"].dropna().between(0, 100).all()
    ctr = panel["ctr_per_100_beds"].dropna()
    assert 15 < ctr.median() < 35
    ae = panel["ae_4hr_performance"].dropna()
    assert 60 < ae.median() < 85 and ae.between(0, 100).all()
    merged = panel[(panel["code"] == "RBN") & (panel["month"] == pd.Timestamp("2024-01-01"))]
    assert merged["ga_beds_available"].iloc[0] > 800  # St Helens and Knowsley + Southport


def test_window_and_missing_values(panel):
    rows = outcomes.window(panel, "ctr_per_100_beds", "2023-01", "2023-03")
    assert set(rows["month"].dt.month) == {1, 2, 3}
    assert rows["ctr_per_100_beds"].notna().all() and np.isfinite(rows["ctr_per_100_beds"]).all()


def test_a_renamed_column_names_itself(tmp_path):
    path = tmp_path / "beds.csv"
    path.write_text("nhs_trust22_code,month_start,ga_available,general_acute_beds_occupied\n")
    with pytest.raises(data.SchemaError, match="general_acute_beds_available"):
        outcomes.parse_beds(path)


def test_staff_survey_years_and_rates():
    survey = outcomes.load_staff_survey()
    assert set(survey["year"]) == {2021, 2022, 2023, 2024}
    rates = survey["burned_out_rate"].dropna()
    assert rates.between(0, 100).all()


def test_long_stay_delays_cover_the_sitrep_months(panel):
    rows = panel.dropna(subset=["delay_days_21_per_100_beds"])
    assert rows["month"].min() == pd.Timestamp("2022-04-01")
    assert rows["month"].max() == pd.Timestamp("2024-01-01")
    assert (rows["delay_days_21"] <= rows["delay_days_14"] + 1e-9).all()


def test_type3_attendances_are_shared_out_to_acute_trusts():
    month = pd.Timestamp("2024-01-01")
    ae = pd.DataFrame(
        {
            "code": ["RAA", "RCC", "RZZ"],
            "month": [month] * 3,
            "total_attendances": [100.0, 50.0, 10.0],
            "attendances_over_4hours": [20.0, 0.0, 1.0],
        }
    )
    attribution = pd.DataFrame(
        {
            "provider": ["RCC", "RCC", "RAA"],
            "acute": ["RAA", "RBB", "RAA"],
            "share": [0.6, 0.4, 1.0],
        }
    )
    out = outcomes.attribute_ae(ae, attribution).set_index("code")
    assert out.loc["RAA", "total_attendances"] == 130.0  # own 100 + 60% of the community MIU
    assert out.loc["RBB", "total_attendances"] == 20.0
    assert out.loc["RZZ", "total_attendances"] == 10.0  # not in the file: kept as it is
    assert out["total_attendances"].sum() == ae["total_attendances"].sum()
