"""Group models (issue 25): the compiled table's checks, each able to fail; what the analysis
reads from it; and the words the chapter, the fates table, the locality pages and the integration
chapter build from it, on each branch."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chsreport import vocabulary
from chsreport.analysis import groups, integration_checks, lineage
from chsreport.data import group_models, manifest, policy_tables, succession
from chsreport.reading import groups_story, integration_story, locality_changes

HEADER = ",".join(group_models.COLUMNS)
GOOD = (
    "lincs,RY5 RWD,Lincolnshire Community Health Services NHS Trust; United Lincolnshire "
    "Hospitals NHS Trust,group,2024-04-01,,,https://example.org/a,2024-04-03,"
)


@pytest.fixture(scope="module")
def od():
    return succession.load_org_data()


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "group_models.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_books_group_table_passes_its_checks(od):
    table = group_models.load_group_models(od)
    assert len(table) >= 10 and table["source"].str.strip().all()
    # the arrangements the issue names are all there
    named = {frozenset(c) for c in table["codes"]}
    for pair in ["RY5 RWD", "RY7 RBL", "R1D RXW", "RY9 RAX", "RY3 RYV", "RY2 RWW", "RYY NQ7"]:
        assert frozenset(pair.split()) in named, pair


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (GOOD.replace("https://example.org/a", ""), "no source or source date"),
        (GOOD.replace(",group,", ",merger,"), "kind must be one of"),
        (GOOD.replace("2024-04-01,,", "2024-04-01,2023-01,"), "ends before it starts"),
        (GOOD.replace("2024-04-01", "April 2024"), "is not a date"),
        (GOOD.replace("RY5 RWD", "RY5 ZZZ"), "ZZZ is neither an NHS trust"),
        (GOOD.replace("RY5 RWD", "RY5"), "needs two or more codes"),
        (GOOD.replace("RY5 RWD", "RY9 RWD").replace("2024-04-01", "2025-01-01"),
         "RY9 is not open in ODS at the start"),
        (GOOD.replace("Lincolnshire Community Health Services", "Lincs Health"),
         "RY5 is not called"),
        (GOOD.replace("2024-04-01,,", "2024-04-01,2025-03-31,RWD"),
         "ODS records no step into RWD"),
        (GOOD.replace("2024-04-01,,", "2024-04-01,2025-03,RWD"), "needs its last day"),
    ],
)  # fmt: skip
def test_a_bad_row_is_named_with_its_problem(od, tmp_path, row, problem):
    with pytest.raises(manifest.SchemaError, match=problem):
        group_models.load_group_models(od, _table(tmp_path, row))


def test_a_row_that_led_to_a_merger_must_match_the_ods_step(od, tmp_path):
    row = (
        "kingston,RY9 RAX,Hounslow and Richmond Community Healthcare NHS Trust; Kingston "
        "Hospital NHS Foundation Trust,shared_chair,2020,2024-10-31,RAX,https://example.org/k,"
        '"undated page, read 2026-12-06",'
    )
    table = group_models.load_group_models(od, _table(tmp_path, row))
    assert table.loc[0, "start_precision"] == "year" and table.loc[0, "led_to"] == "RAX"


@pytest.mark.parametrize(
    ("text", "first", "precision", "words"),
    [
        ("2024", "2024-01-01", "year", "2024"),
        ("2024-04", "2024-04-01", "month", "April 2024"),
        ("2024-04-03", "2024-04-03", "day", "3 April 2024"),
    ],
)
def test_dates_keep_the_precision_of_their_source(text, first, precision, words):
    day, found = group_models.when(text)
    assert (day, found) == (pd.Timestamp(first), precision)
    assert vocabulary.when(day, found) == words


def _stages(*rows) -> pd.DataFrame:
    """Stages from (codes, kind, start, end or None, led_to)."""
    return pd.DataFrame(
        {
            "arrangement": ["x"] * len(rows),
            "codes": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "kind_label": [vocabulary.GROUP_KINDS[r[1]] for r in rows],
            "start": [pd.Timestamp(r[2]) for r in rows],
            "start_precision": ["day"] * len(rows),
            "end": [pd.Timestamp(r[3]) if r[3] else None for r in rows],
            "end_precision": ["day" if r[3] else "" for r in rows],
            "led_to": [r[4] for r in rows],
        }
    )


def test_in_force_leaves_out_ended_stages_and_talks():
    table = _stages(
        (["A", "B"], "shared_chair", "2020-01-01", "2022-12-31", ""),
        (["A", "B"], "joint_chief_executive", "2023-01-01", None, ""),
        (["A", "C"], "exploring", "2023-01-01", None, ""),
        (["A", "D"], "group", "2030-01-01", None, ""),
    )
    now = groups.in_force(table, pd.Timestamp("2024-01-01"))
    assert now["kind"].tolist() == ["joint_chief_executive"]
    assert groups.in_force(table, pd.Timestamp("2022-12-31"))["kind"].tolist() == ["shared_chair"]


def test_stage_words_say_the_merger_once(monkeypatch):
    monkeypatch.setattr(groups_story, "org_named", lambda code: f"Trust {code}")
    table = _stages(
        (["A", "B"], "shared_chair", "2020-01-01", "2024-10-31", "B"),
        (["A", "B"], "shared_executive_team", "2022-04-01", "2024-10-31", "B"),
    )
    text = groups_story.stages_words(table, own="A")
    assert text == (
        "a shared chair with Trust B from 1 January 2020 to 31 October 2024; a shared executive "
        "team with Trust B from 1 April 2022 to 31 October 2024; then one trust, Trust B, from "
        "1 November 2024"
    )
    still = groups_story.stages_words(_stages((["A", "B"], "group", "2024-04-01", None, "")))
    assert still == "a group board and executive team since 1 April 2024"


def test_community_trusts_sharing_leaders_are_a_fate_of_their_own(od):
    fates = lineage.community_fates(od).set_index("code")
    assert fates.at["RY5", "fate"] == "grouped"  # Lincolnshire's group (April 2024)
    assert fates.at["RY5", "partners"] == ["RWD"]
    assert fates.at["RY2", "fate"] == "acquired_by_acute"  # the merger outranks its group
    assert fates.at["RYY", "fate"] == "standalone"  # talks are not shared leaders


def test_the_in_brief_line_counts_groups_and_leaders_shared_before_a_merger(od):
    text = groups_story.in_brief_line(od, lineage.community_fates(od))
    assert "share their leaders with another trust, short of a merger" in text
    assert "Lincolnshire Community Health Services with United Lincolnshire" in text
    # Kingston, Bridgewater and Cambridgeshire shared leaders first; Solent did not
    assert "Of the 4 community trusts taken in or merged since 2024, 3 shared leaders" in text


def test_the_first_wave_of_advanced_foundation_trusts_names_the_community_trusts(od):
    wave = policy_tables.load_aft_first_wave(od)
    assert len(wave) == 8
    text = groups_story.aft_sentence(od, lineage.community_fates(od))
    assert "three were community trusts" in text
    assert "Central London Community Healthcare" in text
    assert "Cambridgeshire Community Services joined East of England" in text


def test_a_bad_proposal_row_is_named(tmp_path):
    path = tmp_path / "icb_proposals.csv"
    path.write_text(
        ",".join(policy_tables.PROPOSAL_COLUMNS) + "\nQOC,a merger,2027,P,https://x,2026,maybe,\n"
    )
    with pytest.raises(manifest.SchemaError, match="needs two or more.*status must be"):
        policy_tables.load_icb_proposals(path)


@pytest.mark.parametrize(
    ("icb", "has", "lacks"),
    [
        ("QJM", "a group board and executive team since 1 April 2024", "proposed"),
        ("QWE", "then one trust, Kingston and Richmond NHS Foundation Trust", "joined"),
        ("QRL", "Solent joined Southern Health (now Hampshire and Isle of Wight", "chair"),
        ("QOC", "A further change is proposed", "No trust based here"),
        ("QNC", "ODS records no merger or takeover of a trust based here since 2024", "chair"),
        # a transfer of services from the council table; Enfield's change was a takeover (ODS)
        (
            "Z9B2Z",
            "Hounslow's adult community services passed from Hounslow and Richmond "
            "Community Healthcare to West London on 1 July 2024",
            "Enfield's",
        ),
        ("QRL", "passed from Isle of Wight NHS Trust to Southern Health", "Portsmouth's"),
    ],
)
def test_each_locality_says_what_changed_there(icb, has, lacks):
    text = locality_changes.changes_words(icb)
    assert text.startswith("**Changes among its trusts.**")
    assert has in text and lacks not in text


def test_grouped_acute_trusts_move_from_b_to_a_only_while_grouped(od, monkeypatch):
    classes = pd.DataFrame(
        {
            "code": ["A1", "A1", "A2"],
            "month": pd.to_datetime(["2023-12-01", "2024-01-01", "2024-01-01"]),
            "group": ["standalone_community", "standalone_community", "other_provider"],
        }
    )
    grouped = pd.DataFrame(
        {"code": ["A1", "A2"], "month": pd.to_datetime(["2024-01-01"] * 2), "partner": "C1"}
    ).merge(classes, on=["code", "month"])
    monkeypatch.setattr(integration_checks, "grouped_months", lambda od, c: grouped)
    moved = integration_checks.grouped_classes(od, classes, "acute_runs_community")
    assert moved["group"].tolist() == [
        "standalone_community", "acute_runs_community", "other_provider",
    ]  # fmt: skip
    left_out = integration_checks.grouped_classes(od, classes, "unplaced")
    assert left_out["group"].tolist() == ["standalone_community", "unplaced", "other_provider"]


def _robust(half: float, trusts_b: int, smallest: float) -> pd.DataFrame:
    """A robustness table with the (a) against (b) headline and the four grouped rows."""
    base = {
        "classification": "returns and care volume, default rule",
        "comparison": "a_vs_b",
        "comparison_label": "(a) against (b) only",
        "transfers": "all",
        "clustering": "2022 ICB (wild bootstrap)",
        "estimate": -3.0,
        "low95": -3.0 - half,
        "high95": -3.0 + half,
        "trusts_other": trusts_b,
        "smallest_effect": smallest,
        "verdict": "supported",
    }
    jointly = [
        {**base, "classification": "returns and care volume, default rule, (b) months run "
         f"jointly with the community trust {words}", "verdict": "inconclusive"}
        for words in ("counted as (a)", "left out")
    ]  # fmt: skip
    return pd.DataFrame([base, *jointly])


@pytest.mark.parametrize(("half", "enough"), [(2.0, False), (0.9, True)])
def test_grouped_sentence_says_whether_they_are_enough_for_a_class(monkeypatch, half, enough):
    from chsreport.data import community_returns

    monkeypatch.setattr(community_returns, "provider_names", lambda: {})
    monkeypatch.setattr(groups_story, "name_then", lambda code, day: code)
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    grouped = pd.DataFrame(  # two trusts in (b), one of them with two partners in one month
        {
            "code": ["A0", "A0", "A1", "A1"],
            "month": [months[0], months[1], months[1], months[1]],
            "partner": ["C1", "C1", "C2", "C3"],
            "group": "standalone_community",
        }
    )
    # the (a) against (b) half-width on 8 trusts, projected to 2: times 2 (the square root of 4)
    text = integration_story.grouped_sentence(grouped, _robust(half, 8, 2.5), "2024-01", "2024-02")
    assert ("too few for a class of their own" in text) != enough
    assert f"about ±{vocabulary.fixed(2 * half, 1)}" in text
    assert "A1 with C2 and C3 (1 month, class (b))" in text  # one trust, listed once
    assert "class (b) for 3 trust-months" in text
    assert "(a) against (b) only, left out: inconclusive" in text
    none = integration_story.grouped_sentence(
        grouped.iloc[0:0], _robust(half, 8, 2.5), "2024-01", "2024-02"
    )  # noqa: E501
    assert none.startswith("No acute trust ran its services jointly")
    other = grouped.assign(group="other_provider")
    assert integration_story.grouped_sentence(
        other, _robust(half, 8, 2.5), "2024-01", "2024-02"
    ).endswith("None of them was in class (b), so the comparisons are unchanged.")


def test_a_council_whose_provider_was_taken_over_is_marked(od):
    changes = groups.council_changes(od).set_index("council_name")
    assert changes.at["Halton", "taken_over"]  # Bridgewater into Warrington and Halton, ODS
    assert not changes.at["Coventry", "taken_over"]  # a new contract with UHCW
    assert changes.at["Coventry", "from_code"] == "RYG"


def test_a_first_wave_trust_closed_when_named_is_reported_whatever_the_other_rows(od, tmp_path):
    path = tmp_path / "aft_first_wave.csv"
    path.write_text(
        ",".join(policy_tables.AFT_COLUMNS)
        + "\nRYX,Central London Community Healthcare NHS Trust,not a date,https://x,2025-11-12,"
        + "\nRY9,Hounslow and Richmond Community Healthcare NHS Trust,2025-11-12,https://x,"
        "2025-11-12,\n"
    )
    with pytest.raises(manifest.SchemaError, match="announced is not a date.*RY9 was closed"):
        policy_tables.load_aft_first_wave(od, path)
