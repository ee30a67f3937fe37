"""Populations of every layer: loaders, the seed claims' functions, and the data's invariants."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from chsreport.analysis import population_layers
from chsreport.data import geography, manifest, pcn_lists

# The counts and totals these files give today (entries by kind, England's patients and
# residents, councils by tier, PCN and district figures) are regression values
# (tests/test_regression.py); the tests here check the rules and the data's invariants.


def _england_patients() -> int:
    sizes = geography.load_list_sizes_2026()
    return sizes.loc[sizes["org_type"] == "ICB", "patients"].sum()


def _england_residents() -> int:
    return geography.load_mye_2024().set_index("gss_code").loc["E92000001", "population_2024"]


def test_list_sizes_2026():
    sizes = geography.load_list_sizes_2026()
    assert set(sizes["org_type"]) == {"PCN", "SUB_ICB", "ICB", "Comm Region"}


def test_mye_2024_reads_the_byte_order_mark_and_matches_england():
    mye = geography.load_mye_2024().set_index("gss_code")
    lower = mye[mye.index.str.match(r"^E0[6-9]")]
    assert len(lower) and lower["population_2024"].sum() == _england_residents()


def test_councils_by_tier():
    c = geography.councils()
    assert set(c["tier"]) == {"district", "single tier", "county"}
    assert c["population_2024"].notna().all() and c["population_2020"].notna().all()
    lower = c[c["tier"] != "county"]
    assert lower["population_2024"].sum() == _england_residents()


def test_every_sub_icb_in_one_icb_and_sub_icbs_sum_to_icb_totals():
    pm = geography.load_practice_map_2026()
    assert pm.groupby("sub_icb_code")["icb_code"].nunique().max() == 1
    sizes = geography.load_list_sizes_2026()
    sub = sizes[sizes["org_type"] == "SUB_ICB"].copy()
    sub["icb"] = sub["org_code"].map(
        pm.drop_duplicates("sub_icb_code").set_index("sub_icb_code")["icb_code"]
    )
    icb = sizes[sizes["org_type"] == "ICB"].set_index("org_code")["patients"]
    pd.testing.assert_series_equal(sub.groupby("icb")["patients"].sum(), icb, check_names=False)


def test_every_pcn_in_one_icb_but_the_known_exceptions():
    """The data's exceptions, handled explicitly: "U" (practices in no PCN) and one PCN whose
    practices straddle two ICBs."""
    pm = geography.load_practice_map_2026()
    spans = pm.groupby("pcn_code")["icb_code"].nunique()
    straddling = set(spans[spans > 1].index) - {pcn_lists.UNALLOCATED_PCN}
    pcns = pcn_lists.pcn_populations()
    assert pcn_lists.UNALLOCATED_PCN not in set(pcns["pcn_code"])
    assert pcns["pcn_code"].is_unique and pcns["icb_code"].notna().all()
    assert set(pcns.loc[pcns["cross_border"], "pcn_code"]) == straddling
    total = pcns["patients"].sum() + pcn_lists.unallocated_patients()
    assert total == _england_patients()


def _pcn_fixture():
    """A tiny PCN list: a network, the pseudo-code, a network under a service label, a service,
    an entry no practice names, and a hub that is a network."""
    sizes = pd.DataFrame(
        {
            "org_type": ["ICB"] + ["PCN"] * 6,
            "org_code": ["Q1", "P1", "U", "P2", "P3", "P4", "P5"],
            "patients": [100, 30, 5, 40, 10, 10, 15],
        }
    )
    practice_map = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C", "D", "E", "F"],
            "pcn_code": ["P1", "P1", "U", "P2", "P3", "P5"],
            "pcn_name": [
                "NORTH PCN",
                "NORTH PCN",
                "Unallocated",
                "FCP SERVICE - SOUTH PCN",
                "EAST PHYSIOTHERAPY SERVICE",
                "THE ARC HUB PCN",
            ],
        }
    )
    return pcn_lists.classify_pcn_entries(sizes, practice_map).set_index("pcn_code")


def test_pcn_rule_on_a_fixture():
    entries = _pcn_fixture()
    reasons = entries["reason"].to_dict()
    assert reasons == {
        "P1": "",
        "U": pcn_lists.NOT_A_NETWORK["pseudo"],
        "P2": "",
        "P3": pcn_lists.NOT_A_NETWORK["service"],
        "P4": pcn_lists.NOT_A_NETWORK["no_practices"],
        "P5": "",
    }
    assert entries.loc["P2", "pcn_name"] == "SOUTH PCN"
    assert entries.loc["P2", "published_name"] == "FCP SERVICE - SOUTH PCN"
    assert entries.loc["P1", "practices"] == 2 and entries.loc["P4", "practices"] == 0


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("FCP SERVICE - BARNSLEY PCN", "BARNSLEY PCN"),
        ("First Contact Physio Service - Leeds PCN", "Leeds PCN"),
        ("NORTH PCN", "NORTH PCN"),
        ("THE ARC HUB PCN", "THE ARC HUB PCN"),
        ("GP SERVICE - PHYSIO SERVICE", "GP SERVICE - PHYSIO SERVICE"),
        ("WEST - EAST PCN", "WEST - EAST PCN"),
    ],
)
def test_network_name_drops_only_a_service_label(published, shown):
    assert pcn_lists.network_name(published) == shown


def test_pcn_rule_on_real_data():
    sizes = geography.load_list_sizes_2026()
    excluded = pcn_lists.excluded_pcns()
    assert pcn_lists.UNALLOCATED_PCN in set(excluded["pcn_code"])
    pcns = pcn_lists.pcn_populations()
    assert len(pcns) == (sizes["org_type"] == "PCN").sum() - len(excluded)
    assert not set(pcns["pcn_code"]) & set(excluded["pcn_code"])
    assert "FCP SERVICE - BARNSLEY PCN" not in set(pcns["pcn_name"])
    assert not pcns["pcn_name"].str.contains(pcn_lists.SERVICE_WORDS).any()
    # no patient counted twice: kept entries and the excluded ones add up to England's list
    england = sizes.loc[sizes["org_type"] == "ICB", "patients"].sum()
    assert pcns["patients"].sum() + excluded["patients"].sum() == england


def test_barnsley_is_one_network_for_the_whole_borough():
    """The entry published as "FCP SERVICE - BARNSLEY PCN" is Barnsley PCN: the same code and
    name in January 2022, every practice in Barnsley (sub-ICB location 02P) and its whole list."""
    pcns = pcn_lists.pcn_populations().set_index("pcn_code")
    barnsley = pcns.loc["U16464"]
    assert barnsley["pcn_name"] == "BARNSLEY PCN" and barnsley["sub_icb_code"] == "02P"
    pm = geography.load_practice_map_2026()
    assert set(pm.loc[pm["sub_icb_code"] == "02P", "pcn_code"]) == {"U16464"}
    sizes = geography.load_list_sizes_2026().set_index("org_code")
    assert barnsley["patients"] == sizes.loc["02P", "patients"]
    raw22 = pd.read_csv(manifest.fetch("gp_practice_map_2022_01"), dtype=str, keep_default_na=False)
    assert set(raw22.loc[raw22["PCN_CODE"] == "U16464", "PCN_NAME"]) == {"BARNSLEY PCN"}
    south_yorkshire = pcns[pcns["icb_name"].str.contains("South Yorkshire")]
    largest = south_yorkshire["patients"].idxmax()
    assert largest == "U16464"
    assert pcn_lists.pcn_entries().set_index("pcn_code").loc[largest, "reason"] == ""


def test_methods_page_names_the_excluded_pcns():
    methods = (Path(__file__).parents[1] / "book" / "methods.md").read_text()
    listed = re.search(
        r"Left out of the \{\{ lists_month \}\} list: (.+?)\.\s*$", methods, re.M | re.S
    )
    assert listed, "methods.md should list the PCN entries left out"
    named = set(re.findall(r"([^;,]+?) \(`(\w+)`\)", listed.group(1)))
    excluded = pcn_lists.excluded_pcns()
    assert {(n.strip().lower(), c) for n, c in named} == set(
        zip(excluded["pcn_name"].str.lower(), excluded["pcn_code"], strict=True)
    )


def test_seed_claims_on_real_data():
    councils = geography.councils()
    districts = councils[councils["tier"] == "district"]
    d100 = population_layers.share_of_districts_below(100_000, 2024)
    d50 = population_layers.share_of_districts_below(50_000, 2024)
    assert d100["total"] == d50["total"] == len(districts)
    assert d50["count"] <= d100["count"] <= d100["total"]
    smallest = population_layers.smallest_district(2024)
    assert smallest["population_2024"] == districts["population_2024"].min()
    no_district = population_layers.share_population_without_district(2024)
    assert no_district["england"] == _england_residents()
    assert no_district["share"] == pytest.approx(no_district["single_tier"] / _england_residents())
    band = pcn_lists.pcn_band_summary(30_000, 70_000)
    assert band["inside"] + band["below"] + band["above"] == band["count"]
    assert band["median"] == pcn_lists.pcn_populations()["patients"].median()


def test_unknown_population_year_is_refused():
    with pytest.raises(ValueError, match="population year 2023"):
        population_layers.share_of_districts_below(100_000, 2023)


def test_icb_mergers_parts_add_up_to_2026_icbs():
    mergers = geography.icb_mergers_2026()
    totals = mergers.groupby("icb_code")["patients"].sum()
    assert (totals == mergers.groupby("icb_code")["icb26_patients"].first()).all()
    parts = mergers.groupby("icb_code")["icb22_code"].nunique()
    assert set(mergers.loc[mergers["merged"], "icb_code"]) == set(parts[parts > 1].index)
    assert (mergers["icb22_code"] != "unknown").all()
    assert set(mergers["icb22_code"]) == set(geography.icb_populations_2022()["icb_code"])


def test_councils_reorganised_in_2023_are_placed():
    councils = population_layers.councils_with_icb().set_index("name")
    assert councils.loc["Somerset", "icb_code"] == "QSL"
    assert councils.loc["North Yorkshire", "icb_code"] == "QOQ"
    # the Frimley sub-ICB location (D4U1Y) was split between three ICBs in 2026 and no 2026
    # small-area lookup is in the data: its small areas are placed council by council in the
    # ICB whose boundary covers most of the council (east Berkshire went to Thames Valley)
    assert councils["icb_code"].notna().all() and councils.index.is_unique
    for name in ["Bracknell Forest", "Slough", "Windsor and Maidenhead"]:
        assert councils.loc[name, "icb_code"] == "S0E4D"
    assert councils.loc["Rushmoor", "icb_code"] == "QRL"
    lsoas = geography.lsoa_places()
    assert lsoas["icb_code"].notna().all()
    assert set(lsoas.loc[lsoas["placed_by_boundary"], "sub_icb_code"]) == {"D4U1Y"}
    moved = geography.lsoas_placed_by_boundary()
    assert moved["lsoas"].sum() == lsoas["placed_by_boundary"].sum() > 0


def test_layer_populations_cover_every_layer_with_measure_and_date():
    layers = population_layers.layer_populations(2024)
    summary = population_layers.layer_summary(layers).set_index("layer")
    assert list(summary.index) == population_layers.LAYER_ORDER
    sizes = geography.load_list_sizes_2026()
    assert summary.loc["ICB (2026)", "count"] == (sizes["org_type"] == "ICB").sum()
    assert summary.loc["District council", "measure"] == geography.RESIDENT
    assert summary.loc["PCN", "measure"] == geography.REGISTERED


def _district_fixture(tmp_path):
    """A tiny register: three districts (40k, 80k, 150k), one county, one unitary (200k)."""
    return pd.DataFrame(
        {
            "gss_code": ["E07000001", "E07000002", "E07000003", "E10000001", "E06000001"],
            "name": ["A", "B", "C", "County", "U"],
            "tier": ["district", "district", "district", "county", "single tier"],
            "population_2020": [40_000, 80_000, 150_000, 270_000, 200_000],
            "population_2024": [41_000, 81_000, 151_000, 273_000, 200_000],
        }
    )


def test_claim_functions_on_a_fixture(tmp_path, monkeypatch):
    monkeypatch.setattr(geography, "councils", lambda: _district_fixture(tmp_path))
    result = population_layers.share_of_districts_below(100_000, 2020)
    assert (result["count"], result["total"]) == (2, 3)
    assert population_layers.share_of_districts_below(50_000, 2020)["count"] == 1
    no_district = population_layers.share_population_without_district(2020)
    assert no_district["share"] == pytest.approx(200_000 / 470_000)


def test_schema_drift_in_mye_names_the_column(tmp_path):
    path = tmp_path / "mye.csv"
    path.write_text("\ufeffCode,Name,Geography,All people\nE92000001,England,Country,1\n")
    with pytest.raises(manifest.SchemaError, match="'All ages'"):
        geography.parse_mye_2024(path)
