"""The consolidation chapter's findings on the real data, checked against what the ODS files say."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport.analysis import consolidation, lineage
from chsreport.data import succession
from chsreport.reading import consolidation_story


@pytest.fixture(scope="module")
def od():
    return succession.load_org_data()


@pytest.fixture(scope="module")
def fates(od):
    return lineage.community_fates(od).set_index("code")


@pytest.mark.parametrize(
    "code, fate, successor, date",
    [
        ("RY9", "acquired_by_acute", "RAX", "2024-11-01"),  # Hounslow and Richmond -> Kingston
        ("RY2", "acquired_by_acute", "RWW", "2026-04-01"),  # Bridgewater
        ("R1G", "acquired_by_acute", "RA9", "2015-10-01"),  # Torbay (compiled type, S10)
        ("R1C", "merged_with_mental_health", "RW1", "2024-10-01"),  # Solent
        ("RYV", "merged_with_community", "RY3", "2026-04-01"),  # Cambridgeshire
    ],
)
def test_fates_follow_the_ods_successor_file(fates, code, fate, successor, date):
    assert fates.loc[code, "fate"] == fate
    assert fates.loc[code, "successor"] == successor
    assert fates.loc[code, "date"] == pd.Timestamp(date)


def test_still_standalone_matches_the_2026_list(fates):
    still_open = set(fates.index[fates["fate"].isin(["standalone", "grouped"])])
    assert {"RY5", "RY7", "RDR", "RYY"} <= still_open  # Lincolnshire and Wirral are still trusts
    assert len(still_open) == 11
    # Lincolnshire and Wirral share leaders with their acute trusts: a form of their own
    assert {"RY5", "RY7"} <= set(fates.index[fates["fate"] == "grouped"])


def test_count_by_year(od):
    by_year = lineage.trusts_by_type_and_year(od, range(2013, 2027))
    counts = lineage.community_count_by_year(by_year).set_index("year")["community_trusts"]
    assert counts.loc[2013] == 20 and counts.loc[2026] == 11
    assert counts.max() < consolidation.SEED_COUNT


def test_dudley_story_says_no_successor(od):
    story = consolidation_story.trust_story(od, "RYK")
    assert "Dudley Integrated Health and Care" in story
    assert "no successor recorded" in story


def test_display_name():
    assert consolidation.display_name("KINGSTON AND RICHMOND NHS FOUNDATION TRUST") == (
        "Kingston and Richmond NHS Foundation Trust"
    )


def test_icb_providers_and_lineage(od):
    providers = consolidation.icb_providers(od, "QYG", succession.TCS_DATE)
    assert {"RY2", "RY7", "RWW", "RBL"} <= set(providers["code"])
    steps = consolidation.icb_lineage(od, ["RY2"], succession.TCS_DATE)
    assert steps.iloc[0]["to_code"] == "RWW" and steps.iloc[0]["kind"] == "acquisition"


def test_figures_render(od, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    by_year = lineage.trusts_by_type_and_year(od, range(2011, 2027))
    types = ["acute", "community", "unknown"]
    fig = consolidation_story.trusts_by_type_figure(
        consolidation.type_counts(by_year, types), types, "England"
    )
    assert fig.title.startswith("England:") and "<svg" in fig.svg


def test_fates_in_words_counts_each_fate_and_leaves_out_the_empty_ones():
    fates = pd.DataFrame(
        {"fate": ["acquired_by_acute", "retyped", "retyped", "merged_with_community"]}
    )
    text = consolidation_story.fates_in_words(fates)
    assert text == (
        "1 was taken in by an acute trust, 1 merged with another community trust and "
        "2 are now typed otherwise (mental health or acute) with no merger recorded"
    )
    assert consolidation_story.fates_in_words(fates.iloc[:0]) == "none changed"
    kept = pd.DataFrame({"fate": ["standalone", "grouped", "grouped"]})
    assert consolidation_story.fates_in_words(kept) == (
        "1 is still standalone and 2 share their leaders with another trust (short of a merger)"
    )


def test_a_trust_typed_otherwise_under_its_own_code_is_not_counted_as_a_merger():
    od = succession.load_org_data()
    fates = lineage.community_fates(od).set_index("code")
    assert fates.loc["R1A", "fate"] == "retyped"  # Herefordshire and Worcestershire
    assert pd.isna(fates.loc["R1A", "successor"])


def test_the_timeline_names_each_trust_and_what_it_became_part_of_in_full(od):
    import re

    fates = lineage.community_fates(od)
    figure = consolidation_story.community_timeline_figure(od, fates, 2011, 2026)
    assert "…" not in figure.svg and "→ RWW" not in figure.svg
    assert "<tspan>Hounslow and Richmond Community Healthcare</tspan>" in figure.svg
    assert '<tspan x="0" dy="13">→ North Cheshire and Mersey</tspan>' in figure.svg
    labels = re.findall(
        r'<text text-anchor="end"[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)', figure.svg
    )
    lines = [line for label in labels for line in re.findall(r">([^<]*)</tspan>", label)]
    assert lines and max(map(len, lines)) <= consolidation_story.LABEL_CHARS
