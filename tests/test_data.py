"""The data layer: finding files, checksums, schema errors, the parse cache."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from chsreport import cli
from chsreport.data import manifest, ods

from .conftest import SHARED_DATA


def test_manifest_lists_every_file_with_provenance():
    held = manifest.load_manifest()
    assert len(held) >= 11
    for item in held.values():
        assert len(item.sha256) == 64
        assert item.publisher and item.licence and item.url.startswith("http")
        assert item.period and item.description
        assert item.quality in ("red", "amber", "green") and item.quality_note


def test_fetch_verifies_the_real_file():
    path = manifest.fetch("ods_succ_2026_05")
    assert path.name == "ods_succ_2026-05.csv"
    assert manifest.sha256_of(path) == manifest.entry("ods_succ_2026_05").sha256


def test_chs_data_dir_is_searched_first(tmp_path, monkeypatch):
    item = manifest.entry("ods_etr_2016_01")
    copy = tmp_path / item.path
    copy.parent.mkdir(parents=True)
    shutil.copy(SHARED_DATA / item.path, copy)
    monkeypatch.setenv(manifest.DATA_DIR_ENV, str(tmp_path))
    assert manifest.fetch("ods_etr_2016_01") == copy


def test_tampered_file_gives_checksum_error_with_both_hashes(tmp_path, monkeypatch):
    item = manifest.entry("ods_etr_2016_01")
    copy = tmp_path / item.path
    copy.parent.mkdir(parents=True)
    copy.write_bytes((SHARED_DATA / item.path).read_bytes().replace(b"SOLENT", b"SOLEMN"))
    monkeypatch.setenv(manifest.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(manifest.ChecksumError) as err:
        manifest.fetch("ods_etr_2016_01")
    message = str(err.value)
    assert item.sha256 in message
    assert manifest.sha256_of(copy) in message
    assert str(copy) in message


def test_missing_file_names_the_file_where_it_looked_and_the_fix(manifest_copy):
    raw = yaml.safe_load(manifest_copy.read_text())
    raw["files"][0]["path"] = "orgs/no_such_file.csv"
    manifest_copy.write_text(yaml.safe_dump(raw))
    with pytest.raises(manifest.MissingDataError) as err:
        manifest.fetch(raw["files"][0]["name"])
    message = str(err.value)
    assert "orgs/no_such_file.csv" in message
    assert "looked in" in message
    assert manifest.DATA_DIR_ENV in message


def test_unknown_name_lists_known_names():
    with pytest.raises(manifest.DataError, match="ods_succ_2026_05"):
        manifest.fetch("nope")


def test_renamed_column_gives_schema_error_naming_it(altered_release):
    # a deliberate new release: the manifest carries the new hash, so only the schema can object
    altered_release("trust_list_2026_08", lambda text: text.replace("ods_code,", "org_code,", 1))
    with pytest.raises(manifest.SchemaError) as err:
        ods.load_trust_list()
    assert "'ods_code'" in str(err.value)
    assert "org_code" in str(err.value)


def test_bad_values_give_schema_error_naming_the_column(tmp_path):
    path = tmp_path / "etr.csv"
    row = ["RXX", "A TRUST", "Y56", "QKK"] + [""] * 5 + ["SE1 1AA", "2020-01-01", ""] + [""] * 15
    path.write_text(",".join(row) + "\n")
    with pytest.raises(manifest.SchemaError, match="YYYYMMDD"):
        ods.parse_ods_etr(path)


def test_cached_frame_parses_once(monkeypatch):
    calls = []

    def parse_succ_counted(path):
        calls.append(path)
        return pd.DataFrame({"x": [1, 2]})

    first = manifest.cached_frame("ods_succ_2026_05", parse_succ_counted, version="test")
    second = manifest.cached_frame("ods_succ_2026_05", parse_succ_counted, version="test")
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)


def test_inputs_table_rows_follow_the_manifest():
    table = manifest.inputs_table(["ods_succ_2026_05"])
    assert table.loc[0, "publisher"] == manifest.entry("ods_succ_2026_05").publisher


def test_verify_names_every_broken_input_in_one_pass(manifest_copy, monkeypatch, tmp_path, capsys):

    monkeypatch.setenv(manifest.OFFLINE_ENV, "1")
    monkeypatch.setenv(manifest.CACHE_DIR_ENV, str(tmp_path / "cache"))
    raw = yaml.safe_load(manifest_copy.read_text())
    missing, altered = raw["files"][0], raw["files"][3]
    missing["path"] = "orgs/no_such_file.csv"
    altered["sha256"] = "0" * 64  # the file on disk no longer matches: altered or re-laid-out
    manifest_copy.write_text(yaml.safe_dump(raw))
    with pytest.raises(manifest.DataProblems) as err:
        manifest.verify_all()
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"2 of {len(raw['files'])} data files failed")
    assert len(lines) == 3
    assert missing["name"] in lines[1] and "missing" in lines[1] and "fix:" in lines[1]
    assert altered["name"] in lines[2] and "altered" in lines[2] and "fix:" in lines[2]
    # the command says the same and fails
    assert cli.main(["data", "verify"]) == 2
    said = capsys.readouterr()
    assert missing["name"] in said.err and altered["name"] in said.err
    assert said.out.count("ok  ") == len(raw["files"]) - 2


def test_check_range_passes_at_the_bounds_and_on_missing_values():
    frame = pd.DataFrame({"code": ["RA1", "RA2", "RA3"], "share": [0.0, 1.0, None]})
    assert manifest.check_range(frame, "share", 0, 1, "shares.csv") is frame
    rounded = pd.DataFrame({"code": ["RA1"], "share": [0.7 * (1 / 0.7) + 1e-15]})  # 1 + rounding
    assert manifest.check_range(rounded, "share", 0, 1, "shares.csv") is rounded
    with pytest.raises(manifest.SchemaError, match="RA1"):
        manifest.check_range(frame.assign(share=1.001), "share", 0, 1, "shares.csv")


def test_check_range_names_the_row_its_key_value_range_and_fix():
    frame = pd.DataFrame(
        {
            "code": ["RBN", "RBN", "RVY"],
            "icb_code": ["QYG", "QE1", "QYG"],
            "share": [1.525, 0.2, -0.1],
        }
    )
    with pytest.raises(manifest.SchemaError) as err:
        manifest.check_range(frame, "share", 0, 1, "serving_trusts", key=["code", "icb_code"])
    message = str(err.value)
    assert "row 0 (code='RBN', icb_code='QYG'): 1.525" in message
    assert "row 2 (code='RVY', icb_code='QYG'): -0.1" in message
    assert "QE1" not in message  # the row within range is not named
    assert "'share'" in message and "between 0 and 1" in message and "Fix:" in message
    assert "2 row(s)" in err.value.line and "RBN" in err.value.line


def test_validate_names_the_failing_row_by_index_and_key():
    import pandera.pandas as pa

    schema = pa.DataFrameSchema({"code": pa.Column(str), "beds": pa.Column(float, pa.Check.ge(0))})
    frame = pd.DataFrame({"code": ["RA1", "RA2"], "beds": [3.0, -2.0]}, index=[10, 11])
    with pytest.raises(manifest.SchemaError) as err:
        manifest.validate(frame, schema, "beds.csv")
    assert "row 11 (code='RA2'), column 'beds'" in str(err.value)
    assert "value: -2" in str(err.value)
