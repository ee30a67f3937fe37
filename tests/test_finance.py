"""Trust size and cost: loaders, successor roll-up, smoothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport.analysis import scale
from chsreport.data import finance, manifest, succession

from .test_lineage import _org_data


def test_peer_finder_flips_the_accounts_sign():
    peer = finance.load_peer_finder().set_index("code")
    assert len(peer) == 208
    assert peer.loc["R0A", "operating_expenses_m"] == 1642.518
    assert (peer["operating_expenses_m"] > 0).all()


def test_eric_sites_sum_to_trusts():
    sites = finance.load_eric_sites()
    assert sites["code"].is_unique and (sites["floor_area_m2"] > 0).all()
    assert len(sites) > 200


def test_merged_trusts_are_carried_to_their_successor():
    od = _org_data()
    frame = pd.DataFrame({"code": ["RA1", "RA2", "RC1", "RD1"], "x": [1.0, 2.0, 4.0, 8.0]})
    out = finance.carry_to_current(frame, od, ["x"]).set_index("code")
    assert out.loc["RC1", "x"] == 7.0  # RA1 + RA2 -> RB1 -> RC1, plus RC1 itself
    assert out.loc["RC1", "n_predecessors"] == 3
    assert out.loc["RE1", "includes_split"]  # RD1 split between RE1 and RF1: given to RE1
    assert "RA1" not in out.index


def test_real_roll_up_keeps_every_pound():
    od = succession.load_org_data()
    costs = scale.trust_size_and_cost(od)
    peer = finance.load_peer_finder()
    assert np.isclose(costs["operating_expenses_m"].sum(), peer["operating_expenses_m"].sum())
    rax = costs.set_index("code").loc["RAX"]
    assert rax["predecessors"] == "RAX, RY9" and rax["type"] == "acute_community"


def test_smooth_is_deterministic_and_brackets_the_fit():
    rng = np.random.default_rng(1)
    x = rng.uniform(10, 1000, 80)
    y = 100 + 0.1 * x + rng.normal(0, 5, 80)
    a = scale.smooth_with_interval(x, y, n_boot=50)
    b = scale.smooth_with_interval(x, y, n_boot=50)
    pd.testing.assert_frame_equal(a, b)
    assert (a["low"] <= a["fit"] + 1e-9).all() and (a["fit"] <= a["high"] + 1e-9).all()
    corr = scale.size_cost_correlation(x, y)
    assert corr["rho"] > 0.8 and corr["n"] == 80


def test_kh03_beds_average_the_four_quarters_of_2017_18():
    beds = finance.load_kh03_beds().set_index("code")
    assert 2000 < beds.loc["R0A", "beds"] < 2100
    assert (beds["ga_beds"] <= beds["beds"] + 1e-9).all()


def test_ohid_catchments_are_acute_trusts():
    catchment = finance.load_ohid_catchment()
    assert len(catchment) == 121 and catchment["code"].is_unique
    assert (catchment["catchment_population"] > 100_000).all()


def test_a_data_file_of_the_wrong_layout_names_what_is_missing(tmp_path):
    import pytest

    path = tmp_path / "peer.csv"
    path.write_text("Procode,Opex\nR0A,1\n")
    with pytest.raises(manifest.SchemaError, match="'Operating Expenses'"):
        finance.parse_peer_finder(path)
