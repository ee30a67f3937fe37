"""Locality pages: the ICB list, weights carrying 2022 ICB data to 2026, profiles."""

from __future__ import annotations

import pytest

from chsreport import cli, locality, params


def test_localities_are_the_36_current_icbs():
    codes = locality.localities()
    assert len(codes) == 36 and "QE1" in codes


def test_icb22_weights_share_out_every_2022_icb():
    weights = locality.icb22_weights()
    totals = weights.groupby("icb22_code")["weight"].sum()
    assert len(totals) == 42 and totals.round(9).eq(1).all()


def test_icb_level_series_are_carried_to_2026():
    delays = locality.icb_discharge_delays()
    assert delays["icb_code"].nunique() == 36
    wards = locality.icb_virtual_wards()
    assert wards["icb_code"].nunique() == 36
    assert wards["capacity_per_100k"].between(0, 200).all()


def test_serving_trusts_and_organisation():
    trusts = locality.serving_trusts("QYG")
    assert {"RBL", "RY7"} <= set(trusts["code"])
    org = locality.community_organisation("QYG")
    assert set(org["fates"]["code"]) == {"RY1", "RY2", "RY7"}


def test_index_lists_every_icb_with_a_link():
    page = locality.index_page()
    assert page.count("](../../notebooks/localities/") == 36


def test_unknown_icb_fails_before_any_kernel(capsys, monkeypatch):
    from chsreport import build

    monkeypatch.setattr(build, "execute", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["run", "locality", "-p", "icb=Q99"]) == 2
    err = capsys.readouterr().err
    assert "unknown ICB code 'Q99'" in err and "QE1" in err


def test_locality_needs_an_icb():
    with pytest.raises(params.ParameterError, match="icb"):
        params.validate("locality", {})
