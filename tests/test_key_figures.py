"""An ICB's key figures: England's values are England's counts added up and divided, ranks
fall in thirds, each figure is the one the rest of its page gives, and the reading under the
block is chosen by the thirds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport import vocabulary
from chsreport.analysis import community_localities as cl
from chsreport.analysis import icb_figures
from chsreport.data import geography, icb_outcomes
from chsreport.reading import community_locality, key_figures

MONTH = community_locality.panel_month()


def test_england_adds_the_counts_up_then_divides_and_leaves_out_partial_waits(monkeypatch):
    counts = pd.DataFrame(
        {
            "known": [100.0, 300.0, 1000.0],
            "over": [10.0, 60.0, 900.0],
            "covered": [1.0, 1.0, 0.5],  # the third covers half its areas: its waits left out
            "adults_served": [10_000.0, 10_000.0, 5_000.0],
            "ucr_within": [8.0, 9.0, np.nan],  # no urgent response figure: left out of both
            "ucr_referrals": [10.0, 10.0, 50.0],
            "adult_contacts": [100.0, 300.0, 200.0],
            "adults_19": [1000.0, 1000.0, 2000.0],
            "beds": [1.0, 2.0, 3.0],
            "aged_65": [1000.0, 1000.0, 1000.0],
        },
        index=["A", "B", "C"],
    )
    monkeypatch.setattr(cl, "panel_counts", lambda month: counts)
    england = cl.england_panel(MONTH)
    assert england["adult_waiting_per_100k"] == pytest.approx(400 / 20_000 * 1e5)
    assert england["adult_over_18"] == pytest.approx(70 / 400)  # not the mean of 10% and 20%
    assert england["ucr_within_2h"] == pytest.approx(17 / 20)
    assert england["adult_contacts_per_1000"] == pytest.approx(600 / 4000 * 1e3)
    assert england["beds_per_100k_65"] == pytest.approx(6 / 3000 * 1e5)


def test_the_panel_is_its_counts_divided():
    counts = cl.panel_counts(MONTH)
    panel = cl.icb_panel(MONTH).set_index("icb_code")
    pd.testing.assert_series_equal(
        panel["adult_over_18"], (counts["over"] / counts["known"]).rename("adult_over_18"),
        check_names=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rank", "of", "third"),
    [(1, 36, "top"), (12, 36, "top"), (13, 36, "middle"), (24, 36, "middle"), (25, 36, "bottom"),
     (36, 36, "bottom"), (11, 32, "top"), (12, 32, "middle"), (32, 32, "bottom"), (pd.NA, 36, "")],
)  # fmt: skip
def test_a_rank_falls_in_its_third(rank, of, third):
    assert icb_figures.third(rank, of) == third


def test_an_icbs_ae_figure_weights_each_trust_by_its_share_of_patients_from_there():
    trusts = pd.DataFrame(
        {"attendances": [1000.0, 2000.0], "within": [800.0, 1000.0]}, index=["T1", "T2"]
    )
    shares = pd.DataFrame({"code": ["T1", "T2", "T2"], "icb_code": ["A", "A", "B"],
                           "share": [1.0, 0.25, 0.75]})  # fmt: skip
    ae = icb_figures.icb_ae(trusts, shares)["ae_within_4h"]
    assert ae["A"] == pytest.approx((800 + 250) / (1000 + 500))
    assert ae["B"] == pytest.approx(750 / 1500)
    assert ae["England"] == pytest.approx(1800 / 3000)


def test_the_key_figures_are_the_figures_the_rest_of_the_page_gives():
    figures = icb_figures.key_figures(MONTH).set_index(["icb_code", "measure"])
    panel = cl.icb_panel(MONTH).set_index("icb_code")
    delays = icb_outcomes.icb_delays_in_period().groupby("icb_code")["per_100k"].mean()
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    for icb in ("QE1", "QSL", "Z9B2Z"):
        assert figures.loc[(icb, "adult_over_18"), "value"] == panel.at[icb, "adult_over_18"]
        rank = figures.loc[(icb, "ucr_within_2h"), "rank"]
        assert rank == panel.at[icb, "rank_ucr_within_2h"]
        assert figures.loc[(icb, "delays_per_100k"), "value"] == pytest.approx(delays[icb])
        assert figures.loc[(icb, "patients"), "value"] == patients[icb]
    every = icb_figures.key_figures(MONTH)
    assert set(every["icb_code"]) == set(patients.index)
    assert (every.groupby("measure")["england"].nunique() == 1).all()  # one England value each
    ae = every[every["measure"] == "ae_within_4h"]
    assert ae["value"].between(0.4, 1).all() and 0.6 < ae["england"].iloc[0] < 0.9


def _rows(thirds: dict[str, str], covered: float = 1.0) -> pd.DataFrame:
    """Key-figure rows for one ICB with the given thirds (the rest in the middle)."""
    rows = []
    for n, (key, better) in enumerate(icb_figures.BETTER.items()):
        third = thirds.get(key, "middle")
        unranked = key in cl.WAITS and covered < cl.WHOLE
        rows.append(
            {"icb_code": "QE1", "measure": key, "value": 0.5 + n, "england": 1.0,
             "rank": pd.NA if unranked else {"top": 3, "middle": 18, "bottom": 33}[third],
             "of": 36, "third": "" if unranked else third, "better": better,
             "covered": covered if key in cl.WAITS else 1.0}
        )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("thirds", "covered", "says", "not_said"),
    [
        ({"ucr_within_2h": "top"}, 1.0, "is in the best third of ICBs on urgent response",
         "worst third"),
        ({"delays_per_100k": "bottom"}, 1.0,
         "is in the worst third of ICBs on delayed discharges from its hospitals", "best third"),
        ({"ucr_within_2h": "top", "ae_within_4h": "bottom"}, 1.0,
         "best third of ICBs on urgent response within 2 hours and in the worst third on A&E",
         "neither"),
        ({"adult_waiting_per_100k": "top"}, 1.0,
         "high on adults waiting per head (volumes: more is neither better nor worse in itself; "
         "a longer waiting list can mean more people referred as well as slower care)",
         "best third of ICBs on"),
        ({}, 1.0, "neither the best nor the worst third", "high on"),
        ({"beds_per_100k_65": "top", "adult_contacts_per_1000": "bottom"}, 1.0,
         "high on community beds per older person and low on adult care contacts", "size"),
        ({}, 0.8, "Its adults' waits are not ranked: they cover 80% of its areas", "high on"),
    ],
)  # fmt: skip
def test_the_reading_under_the_block_follows_its_thirds(monkeypatch, thirds, covered, says,
                                                        not_said):  # fmt: skip
    monkeypatch.setattr(key_figures, "frame", lambda icb, month: _rows(thirds, covered))
    text = key_figures.reading("QE1", MONTH)
    assert text.startswith("Lancashire and South Cumbria (")
    assert says in text and not_said not in text


def test_the_block_marks_each_third_with_a_shape_a_word_and_a_colour(monkeypatch):
    monkeypatch.setattr(
        key_figures, "frame", lambda icb, month: _rows({"ucr_within_2h": "top"}, 0.8)
    )
    block = key_figures.Block("QE1", MONTH)
    page = block._repr_html_()
    assert '<span class="chs-mark chs-dir-top" aria-hidden="true">▲</span> best third' in page
    assert "chs-vol-middle" in page and "not ranked (80% of areas)" in page
    assert list(block.shown.columns) == [
        "Measure", "Period", "This ICB", "England", "Rank", "Among the ICBs"
    ]  # fmt: skip
    assert "median ICB" in block.shown.loc[0, "England"]
    assert block.shown.loc[3, "Rank"] == "3 of 36"


def test_a_2026_icbs_month_missing_a_2022_icb_it_draws_on_is_left_out(monkeypatch):
    weights = pd.DataFrame({"icb22_code": ["A", "B", "C"], "icb_code": ["X", "X", "Y"],
                            "weight": [1.0, 1.0, 1.0]})  # fmt: skip
    monkeypatch.setattr(icb_outcomes, "icb22_weights", lambda: weights)
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    frame = pd.DataFrame({"icb22_code": ["A", "B", "A", "C", "C"],
                          "month": [months[0], months[0], months[1], months[0], months[1]],
                          "n": [1.0, 2.0, 5.0, 7.0, 8.0]})  # fmt: skip
    short = icb_outcomes.carry_icb22(frame, "icb22_code", ["n"])
    kept = icb_outcomes.carry_icb22(frame, "icb22_code", ["n"], complete=True)
    assert len(short) == 4  # X in February holds A alone: 5, short of B
    assert kept.set_index(["icb_code", "month"])["n"].to_dict() == {
        ("X", months[0]): 3.0, ("Y", months[0]): 7.0, ("Y", months[1]): 8.0
    }  # fmt: skip


def test_englands_delays_count_each_month_over_the_icbs_with_that_month(monkeypatch):
    monkeypatch.setattr(geography, "icb_populations_2026", lambda: pd.DataFrame(
        {"icb_code": ["X", "Y"], "patients": [100_000, 300_000]}))  # fmt: skip
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    delays = pd.DataFrame({"icb_code": ["X", "Y", "Y"], "month": [months[0], months[0], months[1]],
                           "do_not_meet_criteria_to_reside": [10.0, 60.0, 90.0],
                           "per_100k": [10.0, 20.0, 30.0]})  # fmt: skip
    per = icb_figures.icb_delays(delays)
    assert per["X"] == 10.0 and per["Y"] == 25.0
    # January: 70 over 400,000; February: Y alone, 90 over 300,000 (not over 400,000)
    assert per["England"] == pytest.approx((17.5 + 30.0) / 2)


def test_the_ae_figure_uses_the_months_nearly_every_trust_reports():
    start, end = icb_figures.ae_window()
    panel = icb_figures.trust_panel()
    rows = panel.dropna(subset=["total_attendances"])
    rows = rows[(rows["total_attendances"] > 0) & (rows["month"] >= pd.Timestamp(start))
                & (rows["month"] <= pd.Timestamp(end))]  # fmt: skip
    per_month = rows.groupby("month")["code"].nunique()
    assert per_month.min() >= icb_figures.AE_COVERAGE * rows["code"].nunique()
    assert key_figures.periods(MONTH)["ae_within_4h"].startswith(
        vocabulary.month(pd.Timestamp(start))
    )
