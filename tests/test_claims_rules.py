"""Boundary tests for every rule in :mod:`chsreport.reading.claims` (C01 to C19).

Each rule is fed small fixtures by patching the loaders and analysis functions it calls, and its
verdict (and where it matters its measured value) is checked just below, at and just above every
threshold in its docstring, so a test fails if a threshold moves or a comparison flips. The four
claims that are untestable by construction are checked for that verdict and a stated reason. No
real data is loaded: ``succession.load_org_data`` is replaced by an empty :class:`OrgData`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pandas as pd
import pytest

from chsreport import settings
from chsreport.analysis import (
    community_exposure,
    community_performance,
    groups,
    inference,
    integration_classes,
    integration_models,
    lineage,
    population_layers,
)
from chsreport.data import (
    community_returns,
    community_waits,
    geography,
    ods,
    outcomes,
    pcn_lists,
    succession,
)
from chsreport.reading import claims, claims_community

# claims.py writes its thresholds as literals inside each rule; they are named once here so each
# test reads as the rule does. The rule's own module constants (EXEMPLARS, the chapter's default
# smallest effect) are used directly.
C01_C02_ACUTE = "acquired_by_acute"
C01_OPEN_SINCE = pd.Timestamp("2024-01-01")
C07_BAND = (30_000, 70_000)
C08_PEAK = 21
C10_TARGET = 60
C11_BAND = (28, 40)
C12_BAND = (1_500_000, 2_500_000)
C13_NEIGHBOURHOOD = 50_000
C14_LIST = 100_000
GP_AT_HAND = "E85124"
MARCH_2025 = pd.Timestamp("2025-03-01")


def _use_org_data(monkeypatch, register: pd.DataFrame) -> succession.OrgData:
    """Organisation data with ``register`` and nothing else, in place of the real one (so its
    memo is private)."""
    od = succession.OrgData(
        register=register,
        edges=pd.DataFrame(columns=["from_code", "to_code", "date", "kind"]),
        graph=nx.MultiDiGraph(),
        evidence=pd.DataFrame(),
        as_of=pd.Timestamp("2026-07-01"),
    )
    monkeypatch.setattr(succession, "load_org_data", lambda: od)
    return od


@pytest.fixture
def org_data(monkeypatch):
    """An empty organisation data object in place of the real one."""
    return _use_org_data(monkeypatch, pd.DataFrame())


@pytest.fixture
def org_register(monkeypatch):
    """Organisation data whose register holds only the trusts the C01/C02 tests name."""
    return _use_org_data(
        monkeypatch,
        pd.DataFrame({"code": ["AC1", "AC2", "RKB"], "icb_code": ["QYG", "QJM", "QWU"]}),
    )


@pytest.fixture
def no_returns(monkeypatch):
    """No CHS returns: the note's list of each provider's latest service lines stays short."""
    monkeypatch.setattr(
        community_returns,
        "provider_months",
        lambda: pd.DataFrame({"code": [], "month": [], "adult_lines": []}),
    )
    monkeypatch.setattr(community_returns, "provider_named", lambda code: code)
    monkeypatch.setattr(groups, "grouped_on", lambda od, day, **kw: {})  # no group arrangements
    monkeypatch.setattr(
        community_returns,
        "load_community_areas",
        lambda od: pd.DataFrame(
            {
                "council_code": [],
                "council_name": [],
                "provider_code": [],
                "valid_from": pd.to_datetime([]),
            }
        ),
    )


def _fates(rows: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    """Community trust fates from (code, icb_code, close_date or None, fate)."""
    return pd.DataFrame(
        {
            "code": [r[0] for r in rows],
            "name": [f"TRUST {r[0]}" for r in rows],
            "icb_code": [r[1] for r in rows],
            "close_date": pd.to_datetime([r[2] for r in rows]),
            "fate": [r[3] for r in rows],
            "fate_label": [lineage.FATES[r[3]] for r in rows],
            "date": pd.to_datetime(["2026-04-01"] * len(rows)),
            "successor_name": ["ACUTE TRUST"] * len(rows),
        }
    )


# --------------------------------------------------------------------------- C01
DAY_BEFORE = str((C01_OPEN_SINCE - pd.Timedelta(days=1)).date())
OPEN_SINCE = str(C01_OPEN_SINCE.date())


@pytest.mark.parametrize(
    ("rows", "n", "verdict"),
    [
        ([("A1", "QYG", None, C01_C02_ACUTE), ("A2", "QYG", None, C01_C02_ACUTE)], 2, "supported"),
        (
            [("A1", "QYG", None, C01_C02_ACUTE)] * 3,
            3,
            "supported",
        ),
        (  # closed on the first day of 2024: still open in 2024, counts
            [("A1", "QYG", OPEN_SINCE, C01_C02_ACUTE), ("A2", "QYG", None, C01_C02_ACUTE)],
            2,
            "supported",
        ),
        (  # closed the day before: not open in 2024, left out
            [("A1", "QYG", DAY_BEFORE, C01_C02_ACUTE), ("A2", "QYG", None, C01_C02_ACUTE)],
            1,
            "partly supported",
        ),
        ([("A1", "QYG", None, C01_C02_ACUTE), ("A2", "QYG", None, "standalone")], 1,
         "partly supported"),
        (  # acquisitions elsewhere do not count
            [("A1", "QNX", None, C01_C02_ACUTE), ("A2", "QYG", None, "merged_with_community")],
            0,
            "not supported",
        ),
    ],
)  # fmt: skip
def test_c01_counts_cheshire_and_merseyside_trusts_gone_to_acutes(
    monkeypatch, org_register, no_returns, rows, n, verdict
):
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates(rows))
    result = claims.c01_cheshire_merseyside()
    assert (result.value, result.verdict) == (n, verdict)


# --------------------------------------------------------------------------- C02
PLACE_TRUSTS = {  # place -> a trust the rule finds there (by ICB or by code)
    "Coventry and Warwickshire": ("CW1", "QWU"),
    "Lincolnshire": ("RY5", "QJM"),
    "Kingston": ("RY9", "QWE"),
}


@pytest.mark.parametrize(
    ("moved", "verdict"),
    [
        ({"Coventry and Warwickshire", "Lincolnshire", "Kingston"}, "supported"),
        ({"Coventry and Warwickshire", "Lincolnshire"}, "partly supported"),
        ({"Kingston"}, "partly supported"),
        (set(), "not supported"),
    ],
)
def test_c02_counts_the_named_places_where_a_trust_went_to_an_acute(
    monkeypatch, org_register, no_returns, moved, verdict
):
    rows = [
        (code, icb, None, C01_C02_ACUTE if place in moved else "standalone")
        for place, (code, icb) in PLACE_TRUSTS.items()
    ]
    rows.append(("ZZ9", "QAA", None, C01_C02_ACUTE))  # elsewhere: never counts
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates(rows))
    result = claims.c02_similar_moves()
    assert (result.value, result.verdict) == (len(moved), verdict)


def test_c02_a_place_with_no_trust_in_the_data_has_not_moved(monkeypatch, org_register, no_returns):
    rows = [
        ("CW1", "QWU", None, C01_C02_ACUTE),
        ("RY5", "QAA", None, C01_C02_ACUTE),  # Lincolnshire's trust, found by its code
    ]
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates(rows))
    result = claims.c02_similar_moves()
    assert (result.value, result.verdict) == (2, "partly supported")
    assert "Kingston: no community trust or transfer found" in result.note
    assert "acquisitions of a trust alone: partly supported (2 of 3)" in result.note


def _kinds(monkeypatch, acute: set[str]) -> None:
    monkeypatch.setattr(
        community_returns,
        "provider_kind",
        lambda code, on, od: "acute" if code in acute else "standalone",
    )


@pytest.mark.parametrize(
    ("partners", "n", "verdict", "strict"),
    [
        ({"A2": ["AC1"]}, 2, "supported", "partly supported (1 of 2)"),  # a group counts
        ({"A2": ["MH1"]}, 1, "partly supported", "partly supported (1 of 2)"),  # not with an acute
        ({}, 1, "partly supported", "partly supported (1 of 2)"),
    ],
)
def test_c01_counts_a_group_with_an_acute_trust_as_folding_in(
    monkeypatch, org_register, no_returns, partners, n, verdict, strict
):
    rows = [("A1", "QYG", None, C01_C02_ACUTE), ("A2", "QYG", None, "grouped")]
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates(rows))
    monkeypatch.setattr(groups, "grouped_on", lambda od, day, **kw: partners)
    stages = pd.DataFrame(
        {
            "codes": [["A2", "AC1"], ["A2", "AC1"]],
            "kind": ["shared_chair", "joint_chief_executive"],
            "kind_label": ["a shared chair", "a joint chief executive"],
            "start": [pd.Timestamp("2020-01-01"), pd.Timestamp("2024-06-01")],
            "start_precision": ["year", "month"],
            "end": [pd.Timestamp("2023-12-31"), None],
        }
    )
    monkeypatch.setattr(groups, "of_trust", lambda od, code: stages)
    _kinds(monkeypatch, {"AC1"})
    result = claims.c01_cheshire_merseyside()
    assert (result.value, result.verdict) == (n, verdict)
    assert f"By definition: acquisitions alone: {strict}" in result.note
    if n == 2:
        # only the stage in force is named (the shared chair ended in 2023)
        assert "runs its services jointly with AC1 (a joint chief executive since June 2024)" in (
            result.note
        )


@pytest.mark.parametrize(
    ("provider", "valid_from", "moved"),
    [
        ("RKB", "2024-09-01", True),  # to an acute trust based in the ICB, since 2023
        ("RKB", "2022-12-31", False),  # before the window
        ("MH9", "2024-09-01", False),  # not an acute trust (and not based in the ICB)
    ],
)
def test_c02_counts_a_transfer_of_services_to_an_acute_trust(
    monkeypatch, org_register, no_returns, provider, valid_from, moved
):
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates([]).assign(icb_code=[]))
    areas = pd.DataFrame(
        {
            "council_code": ["E08000026"],
            "council_name": ["Coventry"],
            "provider_code": [provider],
            "valid_from": pd.to_datetime([valid_from]),
        }
    )
    monkeypatch.setattr(community_returns, "load_community_areas", lambda od: areas)
    _kinds(monkeypatch, {"RKB"})
    result = claims.c02_similar_moves()
    assert result.value == int(moved)
    assert ("Coventry's adult community services passed to RKB" in result.note) == moved
    assert "acquisitions of a trust alone: not supported (0 of 3)" in result.note
    assert f"acquisitions or transfers of services: {result.verdict} ({int(moved)} of 3)" in (
        result.note
    )


@pytest.mark.parametrize(("before", "moved"), [("MH1", True), ("RKA", False), ("CT1", False)])
def test_c02_a_transfer_from_one_acute_trust_to_another_is_no_move(
    monkeypatch, org_register, no_returns, before, moved
):
    # CT1 was taken over by the acute trust (an acquisition, counted as one, not as a contract)
    org_register.edges.loc[0] = ["CT1", "RKB", pd.Timestamp("2024-09-01"), "acquisition"]
    monkeypatch.setattr(lineage, "community_fates", lambda od: _fates([]).assign(icb_code=[]))
    areas = pd.DataFrame(
        {
            "council_code": ["E08000026", "E08000026"],
            "council_name": ["Coventry", "Coventry"],
            "provider_code": [before, "RKB"],
            "valid_from": pd.to_datetime(["2011-04-01", "2024-09-01"]),
        }
    )
    monkeypatch.setattr(community_returns, "load_community_areas", lambda od: areas)
    _kinds(monkeypatch, {"RKB", "RKA"})
    assert claims.c02_similar_moves().value == int(moved)


# --------------------------------------------------------------------------- untestable claims
@pytest.mark.parametrize(
    "rule",
    [claims.c03_places, claims.c09_hospital_at_home, claims.c15_share_of_spend,
     claims.c16_no_places],
)  # fmt: skip
def test_untestable_claims_say_so_and_why(rule):
    result = rule()
    assert result.verdict == "untestable with open data"
    assert result.value is None
    assert result.note.strip() and result.measure.strip()


# --------------------------------------------------------------------------- C04
@pytest.mark.parametrize(
    ("share", "verdict", "aside"),
    [
        (14.9, "not supported", ""),
        (15.0, "partly supported", ""),
        (24.9, "partly supported", ""),
        (25.0, "supported", ""),
        (40.0, "supported", ""),
        (40.1, "supported", "close to the rule's 42% limit"),
        (42.0, "supported", "close to the rule's 42% limit"),
        (42.1, "partly supported", "its number understates it"),
    ],
)
def test_c04_share_of_contacts_by_acute_trusts(monkeypatch, org_data, share, verdict, aside):
    monkeypatch.setattr(
        community_returns,
        "adult_contact_shares",
        lambda od, on: pd.Series({"acute": share / 100, "standalone": 1 - share / 100}),
    )
    register = pd.DataFrame(  # RA3: an acute trust that runs no adult community services
        {"code": ["RA1", "RA2", "RB1", "RB2", "RA3"], "runs_community": [True] * 4 + [False]}
    )
    kinds = {"RA1": "acute", "RA2": "acute", "RA3": "acute", "RB1": "standalone", "RB2": "other"}
    monkeypatch.setattr(community_exposure, "register", lambda od, months: register)
    monkeypatch.setattr(community_returns, "provider_kind", lambda code, on, od: kinds[code])
    result = claims.c04_share_run_by_acutes()
    assert result.value == pytest.approx(share)
    assert result.verdict == verdict == claims.c04_verdict(share)
    assert "acute trusts are 2 of 4 providers" in result.note
    assert "(50.0%, which the rule would call partly supported)" in result.note
    if aside:
        assert aside in result.note
    else:
        assert "42% limit" not in result.note and "understates" not in result.note


def test_c04_no_acute_contacts_is_a_share_of_nought(monkeypatch, org_data):
    monkeypatch.setattr(
        community_returns, "adult_contact_shares", lambda od, on: pd.Series({"standalone": 1.0})
    )
    monkeypatch.setattr(
        community_exposure,
        "register",
        lambda od, months: pd.DataFrame({"code": ["RA1"], "runs_community": [True]}),
    )
    monkeypatch.setattr(community_returns, "provider_kind", lambda code, on, od: "acute")
    result = claims.c04_share_run_by_acutes()
    assert (result.value, result.verdict) == (0, "not supported")


# --------------------------------------------------------------------------- C05
MEDIAN = 10.0
OTHERS = {f"ZA{i:02d}": MEDIAN for i in range(13)} | {f"ZB{i:02d}": 20.0 for i in range(8)}
# 13 trusts at the median and 8 above it hold the median at MEDIAN whatever the four do
STATES = {  # an exemplar's state -> (group in Feb 2025, group in Mar 2025, mean delayed patients)
    "counts": ("acute_runs_community", "acute_runs_community", MEDIAN - 0.1),
    "at median": ("acute_runs_community", "acute_runs_community", MEDIAN),
    "above": ("acute_runs_community", "acute_runs_community", MEDIAN + 0.1),
    "does not run": ("acute_runs_community", "standalone_community", MEDIAN - 5),
    "ran in Feb only": ("acute_runs_community", "other_provider", MEDIAN - 5),
}


@pytest.mark.parametrize(
    ("states", "n", "verdict"),
    [
        (["counts"] * 4, 4, "supported"),
        (["counts", "counts", "counts", "at median"], 3, "partly supported"),
        (["counts", "counts", "counts", "above"], 3, "partly supported"),
        (["counts", "counts", "does not run", "ran in Feb only"], 2, "partly supported"),
        (["counts", "at median", "above", "does not run"], 1, "not supported"),
        (["at median", "above", "does not run", "ran in Feb only"], 0, "not supported"),
    ],
)
def test_c05_counts_exemplars_running_community_services_and_below_the_median(
    monkeypatch, org_data, states, n, verdict
):
    exemplars = dict(zip(claims.EXEMPLARS, states, strict=True))
    means = OTHERS | {code: STATES[s][2] for code, s in exemplars.items()}
    classes = pd.DataFrame(
        [
            {"month": month, "code": code, "group": STATES[s][i]}
            for code, s in exemplars.items()
            for i, month in enumerate([pd.Timestamp("2025-02-01"), MARCH_2025])
        ]
    )
    rows = pd.DataFrame({"code": list(means), settings.PRIMARY: list(means.values())})
    monkeypatch.setattr(outcomes, "outcome_panel", lambda od: "panel")
    monkeypatch.setattr(integration_classes, "acute_trust_codes", lambda panel: list(means))
    monkeypatch.setattr(integration_classes, "monthly_classes", lambda od, acute: classes)
    monkeypatch.setattr(outcomes, "window", lambda panel, key, start, end: rows)
    result = claims.c05_flow_exemplars()
    assert (result.value, result.verdict) == (n, verdict)
    assert f"median acute trust {MEDIAN:.1f}" in result.note


# --------------------------------------------------------------------------- C06
def _head(low95, high95, low90, high90, reference_mean, comparison):
    delta = integration_models.DEFAULT_SMALLEST_EFFECT * reference_mean
    better = outcomes.OUTCOMES[settings.PRIMARY].better
    interval = inference.Interval(
        (low95 + high95) / 2, 0.0, low95, high95, low90, high90, 0.5, 40, 1000, "wild"
    )
    return {
        "outcome": settings.PRIMARY,
        "unit": outcomes.OUTCOMES[settings.PRIMARY].unit,
        "period": "2022-04 to 2025-08",
        "better": better,
        "comparison": comparison,
        "estimate": interval.estimate,
        "low95": low95,
        "high95": high95,
        "low90": low90,
        "high90": high90,
        "reference_mean": reference_mean,
        "smallest_effect": delta,
        "verdict": inference.verdict(interval, delta, better),
    }


REFERENCE = 20.0
D = integration_models.DEFAULT_SMALLEST_EFFECT * REFERENCE  # the smallest effect of interest


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [  # (low95, high95, low90, high90) in units of the smallest effect; fewer delays is better
        ((-1.2, 1.2, -0.99, 0.99), "no meaningful difference"),
        ((-1.2, 1.2, -1.0, 0.99), "inconclusive"),  # the 90% interval touches -delta
        ((-1.2, 1.2, -0.99, 1.0), "inconclusive"),  # ... or +delta
        ((-0.5, -0.01, -0.45, -0.05), "no meaningful difference"),  # below 0, but small
        ((-3.0, -0.01, -2.8, -0.2), "supported"),
        ((-3.0, 0.0, -2.8, -0.2), "inconclusive"),  # the 95% interval reaches 0
        ((0.01, 3.0, 0.2, 2.8), "contradicted"),
        ((0.0, 3.0, 0.2, 2.8), "inconclusive"),
    ],
)  # fmt: skip
def test_c06_reports_the_carter_comparison_at_the_default_smallest_effect(
    monkeypatch, interval, verdict
):
    asked = []

    def carter_verdict(outcome=settings.PRIMARY, comparison="carter", **kwargs):
        asked.append((outcome, comparison, kwargs))
        if comparison == "a_vs_b":  # a different answer, so the test sees which one is reported
            return _head(5 * D, 6 * D, 5.2 * D, 5.8 * D, REFERENCE, comparison)
        return _head(*(x * D for x in interval), REFERENCE, comparison)

    monkeypatch.setattr(integration_models, "carter_verdict", carter_verdict)
    result = claims.c06_carter()
    assert result.verdict == verdict
    assert result.value == pytest.approx(round((interval[0] + interval[1]) / 2 * D, 2))
    assert "contradicted" in result.note  # the other comparison's verdict sits in the note
    assert {a[1] for a in asked} == {"carter", "a_vs_b"}
    assert all(a[0] == settings.PRIMARY and "smallest_effect" not in a[2] for a in asked)


# --------------------------------------------------------------------------- C07
@pytest.mark.parametrize(
    ("share", "median", "verdict"),
    [
        (0.75, sum(C07_BAND) / 2, "supported"),
        (0.749, sum(C07_BAND) / 2, "partly supported"),
        (0.75, C07_BAND[0], "supported"),
        (0.75, C07_BAND[0] - 1, "partly supported"),  # most inside but the median is not
        (0.75, C07_BAND[1], "supported"),
        (0.75, C07_BAND[1] + 1, "partly supported"),
        (0.50, C07_BAND[1] + 1, "partly supported"),
        (0.499, sum(C07_BAND) / 2, "not supported"),
    ],
)
def test_c07_share_of_pcns_in_the_band_and_the_median(monkeypatch, share, median, verdict):
    asked = []

    def summary(low, high):
        asked.append((low, high))
        return {"share_inside": share, "median": median, "below": 1, "above": 1}

    monkeypatch.setattr(pcn_lists, "pcn_band_summary", summary)
    result = claims.c07_pcn_size()
    assert (result.value, result.verdict) == (pytest.approx(100 * share, abs=0.05), verdict)
    assert asked == [C07_BAND]


@pytest.mark.parametrize(
    ("patients", "value", "verdict"),
    [
        ([C07_BAND[0]] * 3 + [C07_BAND[0] - 1], 75.0, "supported"),  # the band's ends are in it
        ([C07_BAND[1]] * 3 + [C07_BAND[1] + 1], 75.0, "supported"),
        ([C07_BAND[0] - 1] * 3 + [C07_BAND[0]], 25.0, "not supported"),
        ([C07_BAND[1] + 1] * 3 + [C07_BAND[1]], 25.0, "not supported"),
    ],
)
def test_c07_counts_pcns_on_the_band_edges_as_inside(monkeypatch, patients, value, verdict):
    monkeypatch.setattr(pcn_lists, "pcn_populations", lambda: pd.DataFrame({"patients": patients}))
    result = claims.c07_pcn_size()
    assert (result.value, result.verdict) == (value, verdict)


# --------------------------------------------------------------------------- C08
@pytest.mark.parametrize(
    ("counts", "latest", "verdict"),
    [
        ({2015: C08_PEAK - 1}, 10, "not supported"),
        ({2015: C08_PEAK}, 10, "supported"),
        ({2015: C08_PEAK + 1}, 10, "supported"),
        ({2026: C08_PEAK}, C08_PEAK, "supported"),  # the latest year counts too
        ({2011: C08_PEAK, 2026: 3}, 3, "supported"),  # as does the first
    ],
)
def test_c08_standalone_trusts_reached_the_count_in_some_year(
    monkeypatch, org_data, counts, latest, verdict
):
    def by_year(od, years):
        rows = []
        for year in years:
            rows += [{"year": year, "type": "community"}] * counts.get(year, 10)
            rows += [{"year": year, "type": "acute"}] * 30  # other types are not counted
        return pd.DataFrame(rows)

    monkeypatch.setattr(lineage, "trusts_by_type_and_year", by_year)
    fates = pd.DataFrame({"fate": ["standalone"] * 2 + ["grouped"] * 3 + ["acquired_by_acute"]})
    monkeypatch.setattr(lineage, "community_fates", lambda od: fates)
    result = claims.c08_standalone_count()
    assert (result.value, result.verdict) == (latest, verdict)
    assert result.period == f"1 April {org_data.as_of.year}"
    assert "Today 2 run alone" in result.note and "3 share leaders" in result.note


# --------------------------------------------------------------------------- C10
@pytest.mark.parametrize(
    ("share", "verdict"),
    [
        (C10_TARGET, "supported"),
        (C10_TARGET - 5, "supported"),
        (C10_TARGET + 5, "supported"),
        (C10_TARGET - 5.1, "partly supported"),
        (C10_TARGET + 5.1, "partly supported"),
        (C10_TARGET - 10, "partly supported"),
        (C10_TARGET + 10, "partly supported"),
        (C10_TARGET - 10.1, "not supported"),
        (C10_TARGET + 10.1, "not supported"),
    ],
)
def test_c10_share_with_no_district_council_near_sixty_per_cent(monkeypatch, share, verdict):
    shares = {2024: share / 100, 2020: 0.99}  # 2020 only goes in the note
    monkeypatch.setattr(
        population_layers, "share_population_without_district", lambda year: {"share": shares[year]}
    )
    result = claims.c10_no_district()
    assert (result.value, result.verdict) == (pytest.approx(share), verdict)
    assert "99.0% on mid-2020" in result.note


# --------------------------------------------------------------------------- C11
@pytest.mark.parametrize(
    ("share", "under_50k", "verdict"),
    [
        (C11_BAND[0], 0, "supported"),
        (C11_BAND[1], 0, "supported"),
        (C11_BAND[0] - 0.1, 0, "partly supported"),
        (C11_BAND[1] + 0.1, 0, "partly supported"),
        (C11_BAND[0], 1, "partly supported"),
        (C11_BAND[1], 1, "partly supported"),
        (C11_BAND[0] - 0.1, 1, "not supported"),
        (C11_BAND[1] + 0.1, 1, "not supported"),
    ],
)
def test_c11_share_of_small_districts(monkeypatch, share, under_50k, verdict):
    def below(threshold, year):
        if (threshold, year) == (100_000, 2024):
            return {"count": 30, "total": 100, "share": share / 100}
        if (threshold, year) == (50_000, 2024):
            return {"count": under_50k, "total": 100, "share": under_50k / 100}
        return {"count": 99, "total": 100, "share": 0.99}  # mid-2020: the note only

    monkeypatch.setattr(population_layers, "share_of_districts_below", below)
    result = claims.c11_small_districts()
    assert (result.value, result.verdict) == (pytest.approx(share), verdict)


# --------------------------------------------------------------------------- C12
LOW, HIGH = C12_BAND


@pytest.mark.parametrize(
    ("patients", "verdict"),
    [
        ([LOW, HIGH, 1_000_000, 3_000_000], "supported"),  # half, on the band's ends
        ([LOW - 1, HIGH + 1, 1_000_000, 3_000_000], "partly supported"),  # none; median 2.0m
        ([1_000_000, 1_200_000, LOW, 2_800_000, 3_000_000], "partly supported"),  # median LOW
        ([1_000_000, 1_200_000, LOW - 1, 2_800_000, 3_000_000], "not supported"),
        ([1_000_000, 1_100_000, HIGH, 2_600_000, 3_000_000], "partly supported"),  # median HIGH
        ([1_000_000, 1_100_000, HIGH + 1, 2_600_000, 3_000_000], "not supported"),
        ([1_000_000, 1_100_000, 1_200_000, 1_600_000, 1_700_000], "not supported"),  # 2 of 5
        ([1_000_000, 1_100_000, 1_200_000, 1_600_000, 1_700_000, 1_800_000], "supported"),  # 3/6
    ],
)
def test_c12_icbs_within_a_quarter_of_two_million(monkeypatch, patients, verdict):
    icbs = pd.DataFrame({"icb_code": [f"Q{i:02d}" for i in range(len(patients))],
                         "patients": patients})  # fmt: skip
    monkeypatch.setattr(geography, "icb_populations_2026", lambda: icbs)
    result = claims.c12_icb_size()
    assert (result.value, result.verdict) == (pd.Series(patients).median(), verdict)


# --------------------------------------------------------------------------- C13
@pytest.mark.parametrize(
    ("districts", "value", "verdict"),
    [
        ([C13_NEIGHBOURHOOD + 1, C13_NEIGHBOURHOOD + 1], 100.0, "supported"),
        ([C13_NEIGHBOURHOOD, C13_NEIGHBOURHOOD + 1], 50.0, "not supported"),  # half is not more
        ([C13_NEIGHBOURHOOD] * 2, 0.0, "not supported"),  # as large is not larger
        ([C13_NEIGHBOURHOOD - 1, C13_NEIGHBOURHOOD + 1, C13_NEIGHBOURHOOD + 1], 66.7, "supported"),
    ],
)
def test_c13_share_of_districts_larger_than_a_neighbourhood(monkeypatch, districts, value, verdict):
    councils = pd.DataFrame(
        {
            "tier": ["district"] * len(districts) + ["county", "single tier"],
            "population_2024": [*districts, 10, 10],  # other tiers are not districts
        }
    )
    monkeypatch.setattr(geography, "councils", lambda: councils)
    result = claims.c13_neighbourhoods_smaller()
    assert (result.value, result.verdict) == (value, verdict)


# --------------------------------------------------------------------------- C14
@pytest.mark.parametrize(
    ("size", "rank", "verdict"),
    [
        (C14_LIST - 1, 2, "inconclusive"),
        (C14_LIST, 2, "supported"),
        (C14_LIST + 1, 2, "supported"),
        (None, 3, "inconclusive"),  # not in the lists: size 0, never contradicted
    ],
)
def test_c14_gp_at_hand_list_size(monkeypatch, size, rank, verdict):
    lists = {"P00001": 150_000, "P00002": 5_000} | ({GP_AT_HAND: size} if size else {})
    frame = pd.DataFrame({"practice_code": list(lists), "patients": list(lists.values())})
    monkeypatch.setattr(geography, "load_practice_lists_2021", lambda: frame)
    result = claims.c14_gp_at_hand()
    assert (result.value, result.verdict) == (size or 0, verdict)
    assert f"rank {rank} of {len(lists)}" in result.note
    assert result.verdict != "contradicted"


# --------------------------------------------------------------------------- C17
@pytest.mark.parametrize(
    ("merged", "value", "verdict"),
    [
        ({"QLD"}, 0, "partly supported"),  # mergers elsewhere, none in the South West
        ({"QLD", "QSW"}, 1, "not supported"),  # a South West merger
        (set(), 0, "inconclusive"),  # no mergers at all: nothing to contrast
    ],
)
def test_c17_south_west_icbs_not_merged_while_others_were(monkeypatch, merged, value, verdict):
    codes = ["QLD", "QSW", "QS2", "QNE"]
    regions = ["London", "South West", "South West", "North East and Yorkshire"]
    monkeypatch.setattr(
        geography,
        "icb_mergers_2026",
        lambda: pd.DataFrame({"icb_code": codes, "merged": [c in merged for c in codes]}),
    )
    monkeypatch.setattr(
        ods, "load_icbs", lambda: pd.DataFrame({"icb_code": codes, "region_name": regions})
    )
    monkeypatch.setattr(
        geography,
        "icb_rurality",
        lambda: pd.DataFrame({"icb_code": codes, "rurality": ["Urban", "Mainly rural"] * 2}),
    )
    result = claims.c17_rural_resist()
    assert (result.value, result.verdict) == (value, verdict)
    assert result.verdict != "supported"  # never more than partly: motives are not in the data


# --------------------------------------------------------------------------- C18, C19
def _chapter(verdict: str, estimate: float) -> SimpleNamespace:
    bounds = (estimate - 0.04, estimate + 0.04, estimate - 0.03, estimate + 0.03)
    interval = inference.Interval(estimate, 0.02, *bounds, 0.5, 89, 1019, "test")
    primary = SimpleNamespace(interval=interval, verdict=verdict, delta=0.047)
    return SimpleNamespace(primary=primary, month=pd.Timestamp("2025-10-01"))


@pytest.mark.parametrize(
    "verdict", ["supported", "contradicted", "no meaningful difference", "inconclusive"]
)
def test_c18_is_the_community_chapters_verdict_in_points(monkeypatch, verdict):
    monkeypatch.setattr(claims_community, "community_chapter", lambda: _chapter(verdict, 0.018))
    result = claims.c18_integrated_outcomes()
    # waits are one outcome of several the claim is about: never more than partly supported
    expected = "partly supported" if verdict == "supported" else verdict
    assert (result.value, result.unit, result.verdict) == (1.8, "percentage points", expected)
    assert "-2.2 to +5.8 points" in result.note and "4.7 points" in result.note
    assert "positive: more of acute-run services' lists over 18 weeks" in result.note
    assert "untestable with open data" in result.note  # outcomes beyond waits


@pytest.mark.parametrize(
    ("not_submitted", "national_only", "verdict"),
    [
        # the claim compares with every other sector, whose data the book does not hold: the
        # returns' own gaps, whatever they are, go in the note
        ([0, 0], [], "untestable with open data"),
        ([0, 3], [], "untestable with open data"),
        ([0, 0], ["Safeguarding"], "untestable with open data"),
    ],
)
def test_c19_is_untestable_and_its_note_gives_the_returns_gaps(
    monkeypatch, not_submitted, national_only, verdict
):
    months = [pd.Timestamp("2025-09-01"), pd.Timestamp("2025-10-01")]
    monkeypatch.setattr(
        claims_community, "community_chapter", lambda: _chapter("inconclusive", 0.0)
    )
    monkeypatch.setattr(
        community_performance, "non_submission",
        lambda month: pd.DataFrame({"month": months, "not_submitted": not_submitted,
                                    "in_scope": [141, 141]}),
    )  # fmt: skip
    services = ["England", "Adult services", *national_only]
    monkeypatch.setattr(
        community_waits, "load_national_bands",
        lambda: pd.DataFrame({"month": months[1], "service": services, "over_weeks": float("nan"),
                              "value": 100.0}),
    )  # fmt: skip
    monkeypatch.setattr(
        community_performance, "missing_providers", lambda month: pd.DataFrame({"code": []})
    )
    monkeypatch.setattr(
        community_waits, "load_national_series", lambda: pd.DataFrame({"month": months})
    )
    monkeypatch.setattr(community_returns, "return_months", lambda: months)
    result = claims.c19_data_behind()
    assert (result.value, result.verdict) == (not_submitted[-1], verdict)
    assert f"{len(national_only)} service{'' if len(national_only) == 1 else 's'} (" in result.note
    assert f"up to {max(not_submitted)} in a month" in result.note
    assert "untestable here" in result.note  # the comparison with other sectors


# --------------------------------------------------------------------------- all of them
def test_every_rule_in_the_register_is_tested_here():
    """Each rule the register names is used by a test in this file, called or parametrised (read
    from the syntax tree, so a rule added to the register without a test fails here)."""
    tree = ast.parse(Path(__file__).read_text())
    called = {
        node.attr
        for test in tree.body
        if isinstance(test, ast.FunctionDef)
        and test.name.startswith("test_")
        and test.name != "test_every_rule_in_the_register_is_tested_here"
        for node in ast.walk(test)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "claims"
    }
    untested = {c["function"] for c in claims.load_claims()} - called
    assert not untested, f"register rules with no test calling them here: {sorted(untested)}"
