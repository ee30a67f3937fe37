"""Lineage and fates on a small hand-made fixture: a chain of two mergers, a split, an
acquisition, and community trusts with each fate."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport.analysis import groups, lineage
from chsreport.data import succession

ts = pd.Timestamp


@pytest.fixture(autouse=True)
def no_groups(monkeypatch):
    """The fixture's trusts share no leaders (the book's group table names real trusts)."""
    monkeypatch.setattr(groups, "grouped_on", lambda od, day: {})


def _register(rows):
    frame = pd.DataFrame(rows, columns=["code", "name", "open_date", "close_date", "icb_code"])
    frame["icb_name"] = None
    frame["region_code"] = None
    frame["dates_from"] = "fixture"
    for col in ("open_date", "close_date"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    return frame


REGISTER = _register(
    [
        ("RA1", "A ONE", "2000-01-01", "2012-03-31", "Q01"),  # community, merges into new RB1
        ("RA2", "A TWO", "2000-01-01", "2012-03-31", "Q01"),
        ("RB1", "B ONE", "2012-04-01", "2019-03-31", "Q01"),  # then acquired by acute RC1
        ("RC1", "C ACUTE", "1995-01-01", None, "Q01"),
        ("RD1", "D COMMUNITY", "2011-04-01", "2015-03-31", "Q02"),  # split between RE1 and RF1
        ("RE1", "E MH", "1999-01-01", None, "Q02"),
        ("RF1", "F ACUTE", "1999-01-01", None, "Q02"),
        ("RG1", "G COMMUNITY", "2011-04-01", None, "Q02"),  # still standalone
        ("RH1", "H COMMUNITY", "2011-04-01", "2020-03-31", "Q02"),  # closed, no successor
    ]
)

SUCC = pd.DataFrame(
    [
        ("RA1", "RB1", None, ts("2012-04-01"), False),
        ("RA2", "RB1", None, ts("2012-04-01"), False),
        ("RB1", "RC1", None, ts("2019-04-01"), False),
        ("RD1", "RE1", None, ts("2015-04-01"), False),
        ("RD1", "RF1", None, ts("2015-04-01"), False),
    ],
    columns=["predecessor", "successor", "reason", "effective_date", "split"],
)
NO_PATHS = pd.DataFrame(columns=["from_code", "to_code", "date", "change_type"])


def _evidence():
    rows = [(c, "community") for c in ("RA1", "RA2", "RB1", "RD1", "RG1", "RH1")]
    rows += [("RC1", "acute"), ("RF1", "acute"), ("RE1", "mental_health")]
    ev = pd.DataFrame(rows, columns=["code", "type"])
    ev["valid_from"] = ts("2000-01-01")
    ev["valid_to"] = ts("2030-01-01")
    ev["source"] = "fixture"
    ev["rank"] = 1
    return ev


def _org_data():
    edges = succession.succession_edges(SUCC, NO_PATHS, REGISTER)
    return succession.OrgData(
        REGISTER, edges, succession.lineage_graph(edges, REGISTER), _evidence(), ts("2026-06-30")
    )


def test_edges_are_classed_merger_acquisition_split():
    edges = _org_data().edges.set_index(["from_code", "to_code"])["kind"]
    assert edges[("RA1", "RB1")] == "merger"  # RB1 opened on the date
    assert edges[("RB1", "RC1")] == "acquisition"  # RC1 already existed
    assert edges[("RD1", "RE1")] == "split" and edges[("RD1", "RF1")] == "split"


def test_chain_of_two_mergers_reaches_the_final_successor():
    od = _org_data()
    assert succession.final_successors(od.graph, "RA1") == ["RC1"]
    steps = succession.chain(od.graph, "RA2")
    assert [(s["from_code"], s["to_code"]) for s in steps] == [("RA2", "RB1"), ("RB1", "RC1")]
    assert succession.final_successors(od.graph, "RD1") == ["RE1", "RF1"]


def test_fates():
    od = _org_data()
    fates = lineage.community_fates(od).set_index("code")
    assert fates.loc["RA1", "fate"] == "merged_with_community"
    assert fates.loc["RB1", "fate"] == "acquired_by_acute"
    assert fates.loc["RB1", "successor"] == "RC1"
    assert fates.loc["RB1", "date"] == ts("2019-04-01")
    assert fates.loc["RD1", "fate"] == "dissolved" and "RE1, RF1" == fates.loc["RD1", "successor"]
    assert fates.loc["RG1", "fate"] == "standalone"
    assert fates.loc["RH1", "fate"] == "dissolved"
    assert "no successor" in fates.loc["RH1", "evidence"]


def test_a_standalone_trust_sharing_leaders_is_grouped_and_a_merged_one_is_not(monkeypatch):
    monkeypatch.setattr(groups, "grouped_on", lambda od, day: {"RG1": ["RC1"], "RB1": ["RC1"]})
    fates = lineage.community_fates(_org_data()).set_index("code")
    assert fates.loc["RG1", "fate"] == "grouped" and fates.loc["RG1", "partners"] == ["RC1"]
    assert "shares its leadership with RC1" in fates.loc["RG1", "evidence"]
    assert fates.loc["RB1", "fate"] == "acquired_by_acute"  # its merger outranks its group


def test_acute_that_absorbed_a_community_trust_becomes_acute_community():
    od = _org_data()
    by_year = lineage.trusts_by_type_and_year(od, range(2018, 2021)).set_index(["code", "year"])
    assert by_year.loc[("RC1", 2018), "type"] == "acute"
    assert by_year.loc[("RC1", 2019), "type"] == "acute_community"
    counts = lineage.community_count_by_year(by_year.reset_index())
    assert counts.set_index("year").loc[2018, "community_trusts"] == 3  # RB1, RG1, RH1
    assert counts.set_index("year").loc[2020, "community_trusts"] == 1  # RG1 (RH1 closed)
