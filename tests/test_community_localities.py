"""The community services panel of every locality page: figures carried to the 36 ICBs without
losing or inventing people, ranks in the stated direction, and every sentence branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport.analysis import community_localities as cl
from chsreport.analysis import community_performance as cp
from chsreport.data import community_waits, icb_outcomes, succession
from chsreport.reading import community_locality as loc

MONTH = pd.Timestamp("2025-10-01")


def test_adults_lists_are_shared_over_areas_without_losing_or_adding_anyone():
    od = succession.load_org_data()
    areas = cl.area_providers(MONTH, od)
    lists = cl.provider_adults(MONTH)
    reported = set(areas["provider_code"].dropna()) & set(lists.index)
    by_icb = cl.adults_by_icb(MONTH, od)
    assert by_icb["known"].sum() == pytest.approx(lists.loc[sorted(reported), "known"].sum())
    assert by_icb["over"].sum() == pytest.approx(lists.loc[sorted(reported), "over"].sum())
    assert by_icb["covered"].between(0, 1).all()


def test_childrens_rows_are_carried_by_patient_shares_and_coverage_says_what_is_missing():
    children = cl.children_by_icb(MONTH)
    bands = community_waits.load_bands()
    rows = bands[(bands["month"] == MONTH) & (bands["level"] == "icb") & (bands["code"] != "")]
    held = cp.over_share(rows[~rows["adult"]], community_waits.STANDARD_WEEKS, ["code"])
    placed = held[held["code"].isin(set(icb_outcomes.icb22_weights()["icb22_code"]))]
    assert children["known"].sum() == pytest.approx(placed["known"].sum())
    # a 2022 ICB without a row (Bedfordshire, Luton and Milton Keynes in October 2025) leaves its
    # successors' figure covering less than all their children, never a smaller total passed off
    # as whole
    missing = set(icb_outcomes.icb22_weights()["icb22_code"]) - set(held["code"])
    assert missing
    affected = icb_outcomes.icb22_weights().query("icb22_code in @missing")["icb_code"]
    assert (children.loc[sorted(set(affected)), "covered"] < 1).all()


def test_activity_carried_to_the_36_icbs_keeps_england_totals():
    counts = cl.icb22_activity()
    carried = cl.carried_activity()
    assert len(carried) == 36
    for column in ("beds", "adult_contacts"):
        assert carried[column].sum() == pytest.approx(counts[column].sum())


def test_the_panel_ranks_each_measure_in_its_stated_direction():
    panel = cl.icb_panel(MONTH)
    assert len(panel) == 36
    for key, high_first in cl.MEASURES.items():
        first = panel.loc[panel[f"rank_{key}"] == 1, key].iloc[0]
        assert first == (panel[key].max() if high_first else panel[key].min())
        assert panel[f"rank_{key}"].max() <= panel[key].notna().sum()
    assert panel.loc[panel["adult_over_18"].notna(), "adult_over_18"].between(0, 1).all()


def test_year_before_is_the_same_month_when_held():
    assert cl.year_before(MONTH) == pd.Timestamp("2024-10-01")
    assert cl.year_before(min(cl.trend_months())) is None


def _panel(**values) -> pd.DataFrame:
    row = {"icb_code": "QXX", "icb_name": "NHS Test Integrated Care Board", "adult_covered": 1.0,
           "children_covered": 1.0, **dict.fromkeys(cl.MEASURES, np.nan)}  # fmt: skip
    row |= values
    other = dict(row, icb_code="QYY", adult_over_18=0.5, children_over_18=0.5, ucr_within_2h=0.5)
    frame = pd.DataFrame([row, other])
    for key, high_first in cl.MEASURES.items():
        frame[f"rank_{key}"] = frame[key].rank(ascending=not high_first, method="min")
    return frame


@pytest.mark.parametrize(
    ("values", "expected", "absent"),
    [
        ({"adult_over_18": 0.1, "children_over_18": 0.4},
         ["10% of adults waiting had waited over 18 weeks (the lowest of the 2 ICBs",
          "40% of children"], ["in Oct 2024", "covers", "no figure"]),
        ({"adult_over_18": 0.1, "children_covered": 0.0},
         ["10% of adults", "no figure for children", "There is no children's figure"], []),
        ({"adult_over_18": 0.6, "children_over_18": 0.4, "adult_covered": 0.8},
         ["the highest of the 2 ICBs", "The adults' figure covers 80% of its area"], []),
    ],
)  # fmt: skip
def test_waits_sentence_branches(monkeypatch, values, expected, absent):
    monkeypatch.setattr(cl, "icb_panel", lambda month: _panel(**values))
    monkeypatch.setattr(cl, "year_before", lambda month: None)
    text = loc.waits_sentence("QXX", MONTH)
    for words in expected:
        assert words in text
    for words in absent:
        assert words not in text


def test_waits_sentence_gives_the_year_before_only_beside_a_figure_now(monkeypatch):
    before = pd.Timestamp("2024-10-01")
    panels = {MONTH: _panel(adult_over_18=0.1), before: _panel(adult_over_18=0.2,
                                                                 children_over_18=0.3)}  # fmt: skip
    monkeypatch.setattr(cl, "icb_panel", lambda month: panels[month])
    monkeypatch.setattr(cl, "year_before", lambda month: before)
    text = loc.waits_sentence("QXX", MONTH)
    assert "10% of adults waiting had waited over 18 weeks" in text
    assert "20% in Oct 2024" in text
    assert "no figure for children" in text and "30%" not in text


@pytest.mark.parametrize(
    ("share", "words"),
    [(0.85, "85% of two-hour referrals reached within two hours, above the 70% ambition"),
     (0.65, "65% of two-hour referrals reached within two hours, below the 70% ambition"),
     (np.nan, "No urgent community response figure")],
)  # fmt: skip
def test_ucr_sentence_branches(monkeypatch, share, words):
    monkeypatch.setattr(cl, "icb_panel", lambda month: _panel(ucr_within_2h=share))
    assert words in loc.ucr_sentence("QXX", MONTH)


def test_coverage_words_branches():
    full = pd.Series({"adult_covered": 1.0, "children_covered": 1.0})
    assert loc.coverage_words(full) == ""
    part = pd.Series({"adult_covered": 0.5, "children_covered": 0.0})
    words = loc.coverage_words(part)
    assert "adults' figure covers 50% of its area" in words
    assert "no children's figure" in words


def test_providers_sentence_names_each_provider_with_its_form():
    frame = pd.DataFrame(
        {"provider": ["A Trust", "B Ltd"], "form_short": ["acute trust", "not an NHS trust"]}
    )
    text = loc.providers_sentence(frame, MONTH)
    assert "A Trust (acute trust); B Ltd (not an NHS trust)." in text
    assert loc.providers_sentence(frame.iloc[0:0], MONTH).startswith("No community provider")


def test_somersets_providers_and_panel():
    """Somerset's adult community services are run by Somerset NHS Foundation Trust, an acute
    trust since the 2023 merger: the panel names it and ranks Somerset among all 36 ICBs."""
    providers = loc.serving_providers("QSL", MONTH)
    row = providers.set_index("code").loc["RH5"]
    assert row["form"] == "acute trust" and "main adult provider for" in row["how"]
    table, peers, both = loc.panel_tables("QSL", MONTH)
    assert list(table.shown.columns) == ["Measure", "This ICB", "Oct 2024", "Rank (1 is)",
                                         "Median ICB"]  # fmt: skip
    assert len(peers.shown.columns) == 6 and "Cornwall and the Isles of Scilly" in peers.shown
    # the briefing's table: both side by side, hidden on the web page (the two above show it)
    assert list(both.shown.columns) == [*table.shown.columns, *peers.shown.columns[1:]]
    assert 'class="chs-table-wrap chs-print-only"' in both._repr_html_()
    assert "chs-print-only" not in table._repr_html_()
    assert (
        table.shown["Rank (1 is)"]
        .str.match(r"^\d+ of 3[0-9] \((most|fewest|highest|lowest)\)$")
        .all()
    )
