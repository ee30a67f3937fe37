"""The community services panel of every locality page: figures carried to the 36 ICBs without
losing or inventing people, ranks in the stated direction, and every sentence branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chsreport.analysis import community_localities as cl
from chsreport.data import succession
from chsreport.reading import community_locality as loc

MONTH = pd.Timestamp("2025-10-01")


def test_adults_lists_are_shared_over_areas_without_losing_or_adding_anyone():
    od = succession.load_org_data()
    areas = cl.area_providers(MONTH, od)
    lists = cl.provider_adults(MONTH)
    thin = cl.thin_returns(MONTH, od)
    main = sorted(set(areas["provider_code"].dropna()) & set(lists.index) - thin)
    others = cl.placed_elsewhere(MONTH, od)
    assert not set(others["code"]) & set(areas["provider_code"].dropna())  # one way or the other
    # only NHS trusts count where they are based: an independent provider's areas are unknown
    assert others["code"].str.match(r"^[RT][A-Z0-9]{2}$").all()
    by_icb = cl.adults_by_icb(MONTH, od)
    for column in ("known", "over"):
        expected = lists.loc[main, column].sum() + others[column].sum()
        assert by_icb[column].sum() == pytest.approx(expected)
    assert by_icb["covered"].between(0, 1).all()
    # a council with two main providers gives each half of its areas
    assert areas.groupby("lsoa_code")["weight"].sum().eq(1).all()
    assert cl.assigned_share(MONTH, od) > 0.95


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
           **dict.fromkeys(cl.MEASURES, np.nan)}  # fmt: skip
    row |= values
    other = dict(row, icb_code="QYY", adult_over_18=0.5, ucr_within_2h=0.5, adult_covered=1.0)
    frame = pd.DataFrame([row, other])
    whole = frame["adult_covered"] >= cl.WHOLE
    for key, high_first in cl.MEASURES.items():
        values_ = frame[key].where(whole) if key in cl.WAITS else frame[key]
        frame[f"rank_{key}"] = values_.rank(ascending=not high_first, method="min").astype("Int64")
    return frame


@pytest.fixture
def fake_panel(monkeypatch):
    """Patch the panel to a fixture ICB QXX (and one other), with a year earlier when given."""

    def patch(now: dict, before: dict | None = None):
        earlier = pd.Timestamp("2024-10-01")
        panels = {MONTH: _panel(**now), earlier: _panel(**(before or {"adult_covered": 0.0}))}
        monkeypatch.setattr(cl, "icb_panel", lambda month: panels[month])
        monkeypatch.setattr(cl, "year_before", lambda month: earlier if before else None)
        monkeypatch.setattr(loc.locality, "similar_icbs", lambda icb: ["QYY"] * 5)
        monkeypatch.setattr(loc, "coverage_words", lambda icb, month: "")

    return patch


@pytest.mark.parametrize(
    ("now", "before", "expected", "absent"),
    [
        ({"adult_over_18": 0.1}, None,
         ["10% of adults waiting had waited over 18 weeks (rank 1 of 2, 1 being the lowest)"],
         ["Oct 2024"]),
        ({"adult_over_18": 0.1}, {"adult_over_18": 0.2, "adult_covered": 1.0},
         ["(rank 1 of 2, 1 being the lowest; 20% in Oct 2024)",
          "the share over 18 weeks changed by 10 points"],
         []),
        # a change under five points is not flagged
        ({"adult_over_18": 0.1}, {"adult_over_18": 0.13, "adult_covered": 1.0},
         ["13% in Oct 2024"], ["A change of"]),
        # a year earlier that covered too little of the ICB is not set beside a whole figure
        ({"adult_over_18": 0.1}, {"adult_over_18": 0.2, "adult_covered": 0.5},
         ["(rank 1 of 2, 1 being the lowest)"], ["20%"]),
        # a figure covering too little of the ICB is shown but not ranked
        ({"adult_over_18": 0.6, "adult_covered": 0.8}, None, ["60% of adults", "(not ranked)"],
         ["rank 1"]),
        ({}, None, ["there is no adults' waits figure"], ["rank"]),
    ],
)  # fmt: skip
def test_waits_sentence_branches(fake_panel, now, before, expected, absent):
    fake_panel(now, before)
    text = loc.waits_sentence("QXX", MONTH)
    assert loc.CHILDREN_WORDS in text  # children's waits are never given by area
    for words in expected:
        assert words in text
    for words in absent:
        assert words not in text


@pytest.mark.parametrize(
    ("share", "words"),
    [(0.85, "85% of two-hour referrals reached within two hours, above the 70% ambition"),
     (0.65, "65% of two-hour referrals reached within two hours, below the 70% ambition"),
     (np.nan, "No urgent community response figure")],
)  # fmt: skip
def test_ucr_sentence_branches(fake_panel, share, words):
    fake_panel({"ucr_within_2h": share})
    assert words in loc.ucr_sentence("QXX", MONTH)


def test_a_main_providers_return_too_small_to_be_whole_counts_as_none():
    # Mid Yorkshire, main adult provider for Wakefield (about 350,000 people), returned 378 adults
    # waiting in October 2025
    assert "RXF" in cl.thin_returns(MONTH, succession.load_org_data())
    words = loc.coverage_words("QWO", MONTH)
    assert "a return of only 378 adults waiting from Mid Yorkshire" in words
    assert "too few to be its whole list" in words


def test_coverage_words_name_the_missing_return_and_the_uncovered_council():
    # Cheshire and Wirral Partnership (main provider for Cheshire West and Chester) made no
    # return in October 2025; the book's table names no provider for Surrey Heath
    words = loc.coverage_words("QYG", MONTH)
    assert "no return that month from Cheshire and Wirral Partnership" in words
    assert "Cheshire West and Chester" in words
    assert "names no main provider for Surrey Heath" in loc.coverage_words("S9B9J", MONTH)
    assert loc.coverage_words("QSL", MONTH) == ""


def test_rank_text_says_why_an_icb_is_not_ranked():
    assert loc.rank_text(3, 35, "lowest") == "3 of 35 (1 = lowest)"
    assert loc.rank_text(pd.NA, 35, "lowest", 0.86) == "not ranked: covers 86% of its areas"
    assert loc.rank_text(pd.NA, 35, "lowest") == "not ranked: no figure"


def test_providers_sentence_names_each_provider_with_its_form():
    frame = pd.DataFrame(
        {"provider": ["A Hospitals NHS Foundation Trust", "B Ltd",
                      "C Community NHS Trust (part of D NHS Foundation Trust since 2026)"],
         "form_short": ["acute trust", "not an NHS trust", "standalone community trust"]}
    )  # fmt: skip
    text = loc.providers_sentence(frame, MONTH)
    assert "A Hospitals (acute trust); B Ltd (not an NHS trust); C Community (standalone " in text
    assert "community trust in Oct 2025; part of D NHS Foundation Trust since 2026)." in text
    assert loc.providers_sentence(frame.iloc[0:0], MONTH).startswith("No community provider")


def test_somersets_providers_and_panel():
    """Somerset's adult community services are run by Somerset NHS Foundation Trust, an acute
    trust since the 2023 merger: the panel names it and ranks Somerset among all 36 ICBs."""
    providers = loc.serving_providers("QSL", MONTH)
    row = providers.set_index("code").loc["RH5"]
    assert row["form"] == "acute trust" and "main adult provider for" in row["how"]
    table, peers, both = loc.panel_tables("QSL", MONTH)
    assert list(table.shown.columns) == ["Measure", "This ICB", "Oct 2024", "Rank among ICBs",
                                         "Median ICB"]  # fmt: skip
    # on the web, an ICB per row (names wrap) and a measure per column
    assert peers.shown["ICB"].iloc[0] == "Somerset (this ICB)" and len(peers.shown) == 6
    assert "Cornwall and the Isles of Scilly" in set(peers.shown["ICB"])
    assert list(peers.shown.columns[1:]) == list(table.shown["Measure"])
    # the briefing's table: both side by side, hidden on the web page (the two above show it)
    assert list(both.shown.columns[:5]) == list(table.shown.columns)
    assert (
        "Cornwall and the Isles of Scilly" in both.shown.columns and len(both.shown.columns) == 10
    )
    assert 'class="chs-table-wrap chs-print-only"' in both._repr_html_()
    assert "chs-print-only" not in table._repr_html_()
    assert (
        table.shown["Rank among ICBs"]
        .str.match(r"^\d+ of 3\d \(1 = (most|highest|lowest)\)$")
        .all()
    )


def test_longest_childrens_waits_name_the_provider_with_enough_children():
    frame = pd.DataFrame(
        {"provider": ["A", "B", "C"], "children_known": [2000.0, 50.0, np.nan],
         "children_over_18": [0.4, 0.9, np.nan]}
    )  # fmt: skip
    words = loc.longest_children_words(frame)
    assert "longest children's waits were at A: 40% of 2,000 children" in words  # B: too few
    assert loc.longest_children_words(frame.iloc[1:]) == ""


@pytest.mark.parametrize(("contacts", "flagged"), [(20.0, True), (100.0, False), (np.nan, False)])
def test_low_contacts_are_flagged_as_a_likely_gap(monkeypatch, contacts, flagged):
    frame = _panel(adult_contacts_per_1000=contacts)
    frame.loc[1, "adult_contacts_per_1000"] = 150.0  # with QZZ: median 150, flag under 50
    frame = pd.concat([frame, frame.iloc[[1]].assign(icb_code="QZZ")], ignore_index=True)
    monkeypatch.setattr(cl, "icb_panel", lambda month: frame)
    words = loc.contacts_words("QXX", MONTH)
    assert bool(words) == flagged
    if flagged:
        assert "more likely a gap in what its providers send" in words


def test_a_renamed_provider_is_named_as_then_and_now():
    od = succession.load_org_data()
    names = {"RY3": "NORFOLK COMMUNITY HEALTH AND CARE NHS TRUST"}
    # Cambridgeshire Community Services joined it in April 2026: a merger, not a new name
    assert loc.provider_name("RY3", names, od, MONTH) == (
        "Norfolk Community Health and Care NHS Trust (now East of England Community Health and "
        "Care NHS Trust, after a merger)"
    )
    assert loc.provider_name("RY3", names, od, pd.Timestamp("2026-10-01")).endswith("NHS Trust)")


def _change_frame(share_now, share_before, rate_now, rate_before) -> pd.DataFrame:
    return pd.DataFrame(
        {"icb": [rate_now, share_now], "year_earlier": [rate_before, share_before]},
        index=["adult_waiting_per_100k", "adult_over_18"],
    )


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ((0.10, 0.12, 1000, 1100), ""),  # 2 points, 9%: not flagged
        ((0.10, 0.16, 1000, 1100), "In a year, the share over 18 weeks changed by 6 points:"),
        ((0.10, 0.12, 1000, 1500), "In a year, the list per 100,000 changed by 33%:"),
        ((0.10, 0.12, 1000, np.nan), ""),
    ],
)
def test_large_changes_from_a_year_earlier_are_flagged(values, words):
    text = loc.change_words(_change_frame(*values))
    assert (words in text) if words else text == ""


def test_a_similar_icbs_partial_or_doubtful_figure_is_marked():
    panel = pd.DataFrame(
        {"adult_covered": [0.8, 1.0, 1.0], "adult_contacts_per_1000": [150.0, 20.0, 140.0]},
        index=["QAA", "QBB", "QCC"],
    )
    assert loc.peer_note(panel, "QAA", "adult_over_18") == "partial"
    assert loc.peer_note(panel, "QBB", "adult_over_18") == ""
    assert loc.peer_note(panel, "QBB", "adult_contacts_per_1000") == "likely gap"
    assert loc.peer_note(panel, "QCC", "adult_contacts_per_1000") == ""
