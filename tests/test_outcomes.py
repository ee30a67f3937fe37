"""Flow outcomes: loaders, merged trusts carried to successors, rates with their units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport.data import manifest, outcomes, succession

from .test_lineage import _org_data


@pytest.fixture(scope="module")
def panel():
    return outcomes.outcome_panel(succession.load_org_data())


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
    with pytest.raises(manifest.SchemaError, match="general_acute_beds_available"):
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


def _two_predecessors(big: float | None, small: float | None) -> pd.DataFrame:
    """RA1 (large) and RA2 (small) both became RC1; RA2 has no row for area Y (share 0)."""
    shares = pd.DataFrame(
        {
            "code": ["RA1", "RA1", "RA2", "RX9"],
            "area": ["X", "Y", "X", "X"],
            "share": [0.9, 0.1, 1.0, 1.0],
        }
    )
    sizes = pd.Series({"RA1": big, "RA2": small, "RX9": 50.0}, dtype=float)
    current = pd.Series({"RA1": "RC1", "RA2": "RC1"})  # RX9 has no successor: itself
    combined = outcomes.combine_shares(shares, sizes, current, "area")
    return combined.set_index(["code", "area"])["share"]


def test_predecessors_shares_are_averaged_weighted_by_size_not_added():
    shares = _two_predecessors(300.0, 100.0)
    assert shares[("RC1", "X")] == pytest.approx((0.9 * 300 + 1.0 * 100) / 400)  # 0.925, not 1.9
    assert shares[("RC1", "Y")] == pytest.approx(0.1 * 300 / 400)  # RA2's missing row counts as 0
    assert shares[("RX9", "X")] == 1.0
    assert shares.groupby(level="code").sum().round(12).eq(1).all()


def test_a_predecessor_without_a_size_weighs_as_the_mean_of_the_others():
    assert _two_predecessors(300.0, None)[("RC1", "X")] == pytest.approx(0.95)  # 300 each
    assert _two_predecessors(None, None)[("RC1", "X")] == pytest.approx(0.95)  # equal weights
    assert _two_predecessors(300.0, 0.0)[("RC1", "X")] == pytest.approx(0.95)  # 0: unknown


def test_todays_catchment_shares_are_shares_that_add_to_one():
    shares = outcomes.catchment_shares_current(succession.load_org_data())
    assert shares["share"].between(0, 1).all()
    assert shares.groupby("code")["share"].sum().round(9).eq(1).all()
    # Mersey and West Lancashire (RBN, with RVY since 2023) from Cheshire and Merseyside (2022)
    before = outcomes.load_catchment_shares().set_index(["code", "icb22_ons_code"])["share"]
    now = shares.set_index(["code", "icb22_ons_code"])["share"]
    merseyside = "E54000008"
    low, high = sorted([before[("RBN", merseyside)], before[("RVY", merseyside)]])
    assert low < now[("RBN", merseyside)] < high


def test_a_share_above_one_in_the_file_fails_naming_the_row(tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text(
        "nhs_trust22_code,icb22_code,proportion_trust_came_from_icb\n"
        "RBN,E54000008,0.9\nRVY,E54000008,1.5\n"
    )
    with pytest.raises(
        manifest.SchemaError, match=r"code='RVY', icb22_ons_code='E54000008'\): 1.5"
    ):
        outcomes.parse_catchment_shares(path)


def test_a_day_reported_as_zero_is_missing_not_zero(tmp_path):
    path = tmp_path / "ctr.csv"
    path.write_text(
        "nhs_trust22_code,date,do_not_meet_criteria_to_reside\n"
        "RXX,2022-04-01,100\nRXX,2022-04-02,0\nRXX,2022-04-03,200\n"
        "RXX,2022-05-01,0\nRXX,2022-05-02,0\n"
    )
    monthly = outcomes.parse_ctr(path).set_index("month")["do_not_meet_criteria_to_reside"]
    assert monthly[pd.Timestamp("2022-04-01")] == 150  # not 100
    assert pd.isna(monthly[pd.Timestamp("2022-05-01")])  # a month of zeros is not reported


def test_no_trust_month_of_delays_is_zero():
    ctr = outcomes.load_ctr()
    assert (ctr["do_not_meet_criteria_to_reside"].dropna() > 0).all()
