"""Loaders of the organisation files and the type rules, on the real data."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport.data import manifest, ods


def test_ods_extracts_parse_with_both_layouts():
    for name, expected in [
        ("ods_etr_2026_07", 274),
        ("ods_etr_2022_03", 218),
        ("ods_etr_2016_01", 241),
    ]:
        frame = manifest.cached_frame(name, ods.parse_ods_etr)
        assert len(frame) == expected
        assert frame["open_date"].dtype == "datetime64[ns]"
    latest = manifest.cached_frame("ods_etr_2026_07", ods.parse_ods_etr).set_index("code")
    assert latest.loc["RY9", "close_date"] == pd.Timestamp("2024-10-31")
    assert pd.isna(latest.loc["RY5", "close_date"])


def test_successions_keep_split_flag_and_dates():
    succ = ods.load_successions()
    assert len(succ) == 11537
    row = succ[(succ["predecessor"] == "RY2")].iloc[0]
    assert row["successor"] == "RWW" and row["effective_date"] == pd.Timestamp("2026-04-01")
    assert succ["split"].any()


def test_eric_types_match_the_published_counts_and_fix_shifted_rows():
    eric = ods.load_eric_types()
    community = eric[eric["eric_type"] == "COMMUNITY"].groupby("year").size()
    assert community.to_dict() == {2013: 18, 2014: 19, 2015: 18, 2016: 18}
    shifted = eric[(eric["code"] == "RF4") & (eric["year"] == 2013)].iloc[0]
    assert shifted["name"].startswith("BARKING, HAVERING")
    assert shifted["type"] == "acute"
    assert "INDEPENDENT SECTOR" not in set(eric["eric_type"])


def test_trust_list_types():
    trusts = ods.load_trust_list()
    assert len(trusts) == 202
    assert (trusts["type"] == "community").sum() == 11
    assert (trusts["type"] == "mental_health").sum() == 47


def test_staff_survey_type_rejects_unknown_groups():
    with pytest.raises(manifest.SchemaError, match="unknown staff-survey type"):
        ods.staff_survey_type("Hospices")


def test_icbs_are_the_36_of_2026():
    icbs = ods.load_icbs()
    assert len(icbs) == 36
    assert "QE1" in set(icbs["icb_code"])


def test_compiled_types_need_a_source(tmp_path):
    path = tmp_path / "types.csv"
    path.write_text(
        "code,name,type,valid_from,valid_to,source,note\nR1G,X,community,2012-04-01,2015-09-30,,\n"
    )
    with pytest.raises(manifest.SchemaError, match="source"):
        ods.load_compiled_types(path)


def test_register_covers_closed_trusts_and_maps_icbs_to_2026():
    reg = ods.trust_register().set_index("code")
    assert reg.loc["RY1", "close_date"] == pd.Timestamp("2018-03-31")
    assert reg.loc["RYV", "icb_code"] == "S1Y5D"  # Cambridgeshire: carried to Central East ICB
    assert reg.index.is_unique
    assert not reg.index.str.startswith("7").any()  # Welsh trusts excluded


def _evidence(rows):
    return pd.DataFrame(rows, columns=["code", "type", "valid_from", "valid_to", "source", "rank"])


def test_type_on_prefers_compiled_then_nearest_source():
    ts = pd.Timestamp
    ev = _evidence(
        [
            ("X", "community", ts("2012-01-01"), ts("2014-01-01"), "compiled: S10", 0),
            ("X", "care_trust", ts("2013-04-01"), ts("2014-03-31"), "ERIC 2013-14", 1),
            ("X", "mental_health", ts("2026-08-22"), ts("2026-08-22"), "trust list", 1),
        ]
    )
    assert ods.type_on("X", ts("2013-06-01"), ev) == ("community", "compiled: S10")
    assert ods.type_on("X", ts("2016-01-01"), ev)[0] == "care_trust"  # nearer to 2014 than 2026
    assert ods.type_on("X", ts("2024-01-01"), ev)[0] == "mental_health"
    assert ods.type_on("Y", ts("2024-01-01"), ev) == ("unknown", "no type in the data")


def test_care_trusts_missing_from_ods_come_from_the_trust_list():
    reg = ods.trust_register().set_index("code")
    assert reg.loc["TAD", "icb_code"] == "QWO"  # Bradford District Care, West Yorkshire
    open_2026 = reg[ods.is_open(reg.reset_index(), pd.Timestamp("2026-08-22")).values]
    assert set(ods.load_trust_list()["code"]) <= set(open_2026.index)
