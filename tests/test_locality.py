"""Locality pages: the ICB list, weights carrying 2022 ICB data to 2026, profiles."""

from __future__ import annotations

import re

import pytest

from chsreport import cli
from chsreport.analysis import params, scale
from chsreport.data import geography, icb_outcomes, outcomes, pcn_lists
from chsreport.publishing import execution
from chsreport.reading import locality

# How many ICBs there are, which trusts serve an ICB and the briefing's ranks on the real data are
# regression values (tests/test_regression.py); the tests here check them against the rules.


def test_localities_are_the_current_icbs():
    codes = locality.localities()
    sizes = geography.load_list_sizes_2026()
    assert set(codes) == set(sizes.loc[sizes["org_type"] == "ICB", "org_code"])
    assert len(set(codes)) == len(codes) and "QE1" in codes


def test_icb22_weights_share_out_every_2022_icb():
    weights = icb_outcomes.icb22_weights()
    totals = weights.groupby("icb22_code")["weight"].sum()
    assert set(totals.index) == set(geography.icb_populations_2022()["icb_code"])
    assert totals.round(9).eq(1).all()


def test_icb_level_series_are_carried_to_2026():
    icbs = set(locality.localities())
    delays = icb_outcomes.icb_discharge_delays()
    assert set(delays["icb_code"]) == icbs
    wards = icb_outcomes.icb_virtual_wards()
    assert set(wards["icb_code"]) == icbs
    assert wards["capacity_per_100k"].between(0, 200).all()


def test_serving_trusts_and_organisation():
    """Every open trust based in the ICB serves it, and every other one draws at least 10 % of
    its patients from it; the organisation's fates are those of the ICB's community trusts."""
    trusts = locality.serving_trusts("QYG")
    register = locality.shared()["od"].register
    based = register[(register["icb_code"] == "QYG") & register["close_date"].isna()]
    assert set(based["code"]) <= set(trusts["code"])
    assert set(trusts.loc[trusts["headquartered_here"], "code"]) == set(based["code"])
    elsewhere = trusts.loc[~trusts["headquartered_here"], "share_of_patients_from_icb"]
    assert len(elsewhere) and (elsewhere >= 0.1).all()
    fates = locality.community_organisation("QYG")["fates"]
    assert len(fates) and (fates["icb_code"] == "QYG").all()


def test_index_lists_every_icb_with_a_link():
    page = locality.index_page()
    assert page.count("](../../notebooks/localities/") == len(locality.localities())


def test_unknown_icb_fails_before_any_kernel(capsys, monkeypatch):

    monkeypatch.setattr(execution, "execute", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(["run", "locality", "-p", "icb=Q99"]) == 2
    err = capsys.readouterr().err
    assert "unknown ICB code 'Q99'" in err and "QE1" in err


def test_locality_needs_an_icb():
    with pytest.raises(params.ParameterError, match="icb"):
        params.validate("locality", {})


def test_ordinals():
    assert [locality.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th",
    ]  # fmt: skip


def test_similar_icbs_are_five_others_nearest_first():
    peers = locality.similar_icbs("QE1")
    assert len(peers) == 5 and "QE1" not in peers and len(set(peers)) == 5
    assert set(peers) <= set(locality.localities())


def test_flow_includes_trusts_drawing_a_large_share_and_ranks_them():
    flow = locality.acute_flow("QE1")
    serving = locality.serving_trusts("QE1")
    large = serving["share_of_patients_from_icb"].fillna(0) >= locality.FLOW_SHARE
    acute = set(serving.loc[large, "code"]) & set(locality.shared()["groups"]["code"])
    assert acute and acute <= set(flow["code"]) <= locality.flow_trusts("QE1")
    delays = flow[flow["outcome"] == flow["outcome"].iloc[0]]
    assert delays["rank_of_all"].between(1, delays["trusts"].iloc[0]).all()


def test_briefing_names_ranks_extremes_and_peers():
    """The briefing's ranks, extremes and counts are those of the data it is given."""
    profile = scale.icb_profile("QE1", params.validate("scale", {}), 2024)
    org = locality.community_organisation("QE1")
    flow = locality.acute_flow("QE1")
    text = " ".join(locality.briefing("QE1", profile, org, flow))
    delays = flow[flow["outcome"] == outcomes.OUTCOMES["ctr_per_100_beds"].label]
    blackpool = delays.set_index("code").loc["RXL"]
    assert (
        f"Blackpool Teaching Hospitals NHS Foundation Trust, class {blackpool['group_label'][:3]}, "
        f"{locality.ordinal(blackpool['rank_of_all'])}"
    ) in text
    pcns = pcn_lists.pcn_populations()
    smallest = pcns.loc[pcns["icb_code"] == "QE1", "patients"].min()
    assert f"({smallest:,.0f} patients; " in text
    assert ("England's smallest PCN)" in text) == (smallest == pcns["patients"].min())
    n = len(locality.localities())
    assert "five ICBs most like it" in text and f"of {n} ICBs" in text
    icbs = geography.icb_populations_2026().set_index("icb_code")["patients"]
    size_rank = int(icbs.rank(ascending=False, method="min")["QE1"])
    size_words = locality.rank_words(size_rank, n, "largest", "smallest")
    assert f"{size_words} of England's {n} ICBs" in text
    serving = flow.drop_duplicates("code")["group"]
    running = int((serving == "acute_runs_community").sum())
    assert re.search(
        rf"Of the {len(serving)} acute trusts serving it \(based here or drawing at least 25% of "
        rf"their patients from here\), {running} ran community services", text
    )  # fmt: skip


def test_rank_words_and_plurals():
    assert locality.rank_words(1, 36, "largest", "smallest") == "the largest"
    assert locality.rank_words(36, 36, "largest", "smallest") == "the smallest"
    assert locality.rank_words(14, 36, "largest", "smallest") == "the 14th largest"
    assert locality.rank_words(32, 36, "fewest", "most") == "the 5th most"
    assert locality.rank_words(18, 36, "fewest", "most") == "the 18th fewest"
    assert locality.rank_words(19, 36, "fewest", "most") == "the 18th most"


def test_flow_table_has_one_row_per_trust_with_both_measures_and_ranks():
    flow = locality.acute_flow("QE1")
    table = locality.flow_table(flow)
    assert len(table) == flow["code"].nunique() == len(flow) / 2
    delays = [c for c in table.columns if c.startswith("Rank (delays)")]
    assert len(delays) == 1 and table[delays[0]].is_monotonic_increasing
    rows = flow[flow["outcome"] == flow["outcome"].iloc[0]].set_index("name")["value"]
    heading = next(iter(locality.FLOW_COLUMNS.values()))[0]
    assert table.set_index("Trust")[heading].to_dict() == rows.to_dict()
    assert locality.flow_table(flow.iloc[0:0]).empty
    assert "per 100 beds" in locality.flow_medians(flow) and "%" in locality.flow_medians(flow)


def test_every_share_of_patients_from_an_icb_is_a_share():
    for icb in locality.localities():
        shares = locality.serving_trusts(icb)["share_of_patients_from_icb"].dropna()
        assert shares.between(0, 1).all(), (icb, shares.max())


def test_a_merged_trust_s_share_lies_between_its_predecessors_shares():
    # Mersey and West Lancashire (2023) kept St Helens and Knowsley's code RBN and took in
    # Southport and Ormskirk (RVY): its share from Cheshire and Merseyside was shown as 152 %

    register = locality.shared()["od"].register
    named = register[register["name"].str.contains("Mersey and West Lancashire", case=False)]
    assert named["icb_code"].tolist() == ["QYG"]
    code = named["code"].iloc[0]
    shares = outcomes.load_catchment_shares()
    shares = shares[geography.icb22_ods_codes(shares["icb22_ons_code"]) == "QYG"]
    before = shares.set_index("code")["share"]
    now = locality.serving_trusts("QYG").set_index("code")["share_of_patients_from_icb"][code]
    assert code in {"RBN", "RVY"}
    low, high = sorted([before["RBN"], before["RVY"]])
    assert low - 0.0005 <= now <= high + 0.0005  # shown rounded to 3 places
    assert now < before["RBN"] + before["RVY"] - 0.5  # a weighted mean, not the sum (1.525)


@pytest.mark.parametrize(
    ("districts", "words"),
    [(0, "none of them district councils"), (3, "all of them district councils"),
     (1, "1 district council among them")],
)  # fmt: skip
def test_at_a_glance_words_fit_the_counts(districts, words):
    profile = {
        "patients": 100_000, "residents": 95_000, "rural_share": 0.5, "sub_icbs": ["A"],
        "councils": [1, 2, 3], "districts": districts, "pcns": 1, "pcn_median": 40_000,
    }  # fmt: skip
    text = locality.at_a_glance(profile, 50_000, 2024)
    assert words in text and "(mid-2024)" in text
    assert "1 sub-ICB location (the area of the former clinical commissioning group)" in text


def test_at_a_glance_for_an_ICB_of_one_council():
    profile = {
        "patients": 600_000, "residents": 580_000, "rural_share": 0.7, "sub_icbs": ["A", "B"],
        "councils": [1], "districts": 0, "pcns": 13, "pcn_median": 40_000,
    }  # fmt: skip
    text = locality.at_a_glance(profile, 50_000, 2024)
    assert "1 district or unitary council (a single-tier council)" in text
    assert "2 sub-ICB locations (the areas of the former" in text


@pytest.mark.parametrize(
    ("icb", "words"),
    [
        # formed from whole ICBs of 2022 and parts of split ones, named with the share taken
        ("S1Y5D", "Formed on 1 April 2026 from Bedfordshire, Luton and Milton Keynes ICB, part of "
         "Hertfordshire and West Essex ICB (about 79% of that ICB's small areas) and "
         "Cambridgeshire and Peterborough ICB."),
        ("Z9B2Z", "Formed on 1 April 2026 from North Central London ICB and North West London "
         "ICB."),
        # kept its code and took in part of Frimley, split between three ICBs
        ("QRL", "On 1 April 2026 it took in part of Frimley ICB (about 23% of that ICB's small "
         "areas)."),
        ("QSL", "The ICB changes of 1 April 2026 left its area as it was."),
    ],
)  # fmt: skip
def test_each_icb_says_what_it_was_formed_from(icb, words):
    assert locality.formed_words(icb) == words


def test_every_part_of_a_split_icb_is_named_somewhere():
    """The parts of each 2022 ICB named across today's ICBs add up to the whole of it."""
    texts = " ".join(locality.formed_words(icb) for icb in locality.localities())
    for name in ("Frimley", "Hertfordshire and West Essex", "Suffolk and North East Essex"):
        shares = [int(n) for n in re.findall(rf"part of {name} ICB \(about (\d+)%", texts)]
        assert len(shares) >= 2 and 98 <= sum(shares) <= 102, (name, shares)


def test_the_briefings_acute_trust_table_is_a_line_per_trust_with_class_letters():
    flow = locality.acute_flow("QE1")
    table = locality.flow_table_print(flow)
    assert list(table.columns) == ["Trust", "Class", "Delayed per 100 beds", "Delays rank of 118",
                                   "A&E in 4 hours (%)", "A&E rank of 118"]  # fmt: skip
    assert set(table["Class"]) <= {"(a)", "(b)", "(c)", "(d)", ""}
    assert not table["Trust"].str.contains("NHS").any()
    assert table["Delayed per 100 beds"].tolist() == locality.flow_table(flow)[
        "Not meeting the criteria to reside, per 100 beds"].tolist()  # fmt: skip
    key = locality.class_key()
    assert key.startswith("(a) runs community services itself; (b) beside a standalone")
