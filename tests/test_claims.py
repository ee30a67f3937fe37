"""The claims register: every claim has a verdict, testable ones a number, and each rule works
on small fixtures."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from chsreport.analysis import params
from chsreport.data import geography, manifest
from chsreport.reading import claims


@pytest.fixture(scope="module")
def register():
    return claims.evaluate()


def test_every_claim_has_a_row_verdict_and_value(register):
    assert list(register["claim_id"]) == [f"C{i:02d}" for i in range(1, 20)]
    assert register["verdict"].isin(claims.VERDICTS).all()
    testable = register["verdict"] != "untestable with open data"
    assert register.loc[testable, "value"].notna().all()
    assert (register.loc[~testable, "note"].str.len() > 10).all()  # the reason is given
    assert list(register.columns) == claims.COLUMNS


def test_register_values_are_plain_numbers(register, tmp_path):
    path = claims.write_csv(register, tmp_path / "claims.csv")
    back = pd.read_csv(path)
    assert pd.api.types.is_float_dtype(back["value"])


def test_c08_verdict_on_real_data_follows_its_rule(register):
    """C08 is supported if the count by year (its note) reached 21 in any year; its value is the
    latest year's count. (The count and the verdicts of C08 and C11 on the real data are
    regression values: tests/test_regression.py.)"""
    c08 = register.set_index("claim_id").loc["C08"]
    counts = [int(n) for n in re.findall(r"\b\d{4}: (\d+)", c08["note"])]
    assert counts and c08["value"] == counts[-1]
    assert c08["verdict"] == ("supported" if max(counts) >= 21 else "not supported")


def _districts(pops_2024):
    n = len(pops_2024)
    return pd.DataFrame(
        {
            "gss_code": [f"E070000{i:02d}" for i in range(n)],
            "name": list("ABCDEFG")[:n],
            "tier": ["district"] * n,
            "population_2020": pops_2024,
            "population_2024": pops_2024,
        }
    )


@pytest.mark.parametrize(
    "pops, verdict",
    [
        ([60_000, 120_000, 130_000], "supported"),  # a third under 100k, none under 50k
        ([40_000, 120_000, 130_000], "partly supported"),  # a third under 100k, one under 50k
        ([120_000, 130_000, 140_000], "partly supported"),  # none under 50k, none under 100k
        ([40_000, 45_000, 130_000], "not supported"),
    ],
)
def test_c11_rule_on_fixtures(monkeypatch, pops, verdict):
    monkeypatch.setattr(geography, "councils", lambda: _districts(pops))
    assert claims.c11_small_districts().verdict == verdict


def test_c13_rule_on_a_fixture(monkeypatch):
    monkeypatch.setattr(geography, "councils", lambda: _districts([40_000, 45_000, 60_000]))
    result = claims.c13_neighbourhoods_smaller()
    assert result.value == pytest.approx(33.3, abs=0.1) and result.verdict == "not supported"


def test_a_claim_naming_no_function_is_refused(tmp_path):

    path = tmp_path / "claims.yml"
    path.write_text("claims:\n  - {id: C99, seed: '000', function: nope, quote: x}\n")
    with pytest.raises(manifest.SchemaError, match="C99 names no function"):
        claims.load_claims(path)


def test_the_icbs_a_claim_is_about_are_current_icbs_and_every_icb_faces_three():

    valid = set(params.valid_icbs())
    named = {c["id"]: c.get("icbs", []) for c in claims.load_claims()}
    assert all(set(codes) <= valid for codes in named.values()), named
    assert len(named["C17"]) == 7  # the South West region's ICBs
    assert claims.claims_about("QWE") == ["C02", "C06", "C07", "C12", "C18"]  # Kingston
    assert claims.claims_about("QE1") == ["C06", "C07", "C12", "C18"]


@pytest.mark.parametrize(
    ("share", "verdict"),
    [(14.9, "not supported"), (15.0, "partly supported"), (24.9, "partly supported"),
     (25.0, "supported"), (41.4, "supported"), (42.0, "supported"), (42.1, "partly supported"),
     (80.0, "partly supported")],
)  # fmt: skip
def test_c04_rule_on_both_sides_of_each_threshold(share, verdict):
    assert claims.c04_verdict(share) == verdict


def test_c04_is_measured_by_volume_with_the_provider_count_beside_it():
    result = claims.c04_share_run_by_acutes()
    assert result.measure.startswith("Share of adult community care contacts")
    assert 30 < result.value < 50 and "counted by providers instead" in result.note
