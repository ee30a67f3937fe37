"""The register of community services providers: parsing the CHS returns, carrying returns
over gaps and changes of hands, placing providers, and every acute trust's class per month."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport.analysis import community_exposure, integration_classes
from chsreport.data import community_returns, manifest, outcomes, succession

M = pd.Timestamp


def test_every_workbook_parses_with_its_month_and_providers():
    cells = community_returns.chs_cells()
    months = sorted(cells["month"].dt.strftime("%Y-%m").unique())
    held = [m.strftime("%Y-%m") for m in community_returns.return_months()]  # the manifest's
    assert months == held and months[0] == "2023-01" and months[-1] == "2025-10"
    providers = cells[cells["level"] == "provider"].groupby("month")["name"].nunique()
    assert providers.between(120, 160).all()
    assert community_returns.unmatched_names() == []  # every name of 2023-01..07 matched a code
    assert not cells["line"].str.contains("afeguarding").any()  # suppressed lines ignored


def test_blank_is_not_a_submission_and_zero_is():
    cells = community_returns.chs_cells()
    assert (cells["value"] >= 0).all()  # only numbers are kept; blanks and * are not cells
    assert (cells["value"] == 0).any()


FILES = [M("2023-01-01"), M("2023-10-01"), M("2024-08-01"), M("2025-07-01")]


def test_a_provider_that_submits_is_used_for_its_month():
    used, how = community_exposure.return_for(M("2023-10-01"), [M("2023-10-01")], FILES, [])
    assert used == M("2023-10-01") and how == "its community services return for Oct 2023"


def test_carried_months_say_why_in_words():
    near = community_exposure.return_for(M("2023-11-01"), [M("2023-10-01")], FILES, [])[1]
    assert "nearest month for which NHS England published returns" in near
    own_gap = community_exposure.return_for(M("2023-10-01"), [M("2023-09-01")], FILES, [])[1]
    assert "the nearest month it sent one" in own_gap


def test_gap_months_take_the_nearest_return():
    own = [M("2023-10-01"), M("2024-08-01")]
    assert community_exposure.return_for(M("2023-12-01"), own, FILES, [])[0] == M("2023-10-01")
    assert community_exposure.return_for(M("2024-06-01"), own, FILES, [])[0] == M("2024-08-01")
    assert community_exposure.return_for(M("2022-04-01"), [M("2023-01-01")], FILES, [])[0] == M(
        "2023-01-01"
    )


def test_a_provider_that_stops_is_not_carried_forward():
    own = [M("2023-01-01"), M("2023-10-01")]  # stopped submitting after 2023-10
    used, how = community_exposure.return_for(M("2025-07-01"), own, FILES, [])
    assert used is None and "no community services return" in how


def test_a_change_of_hands_mid_window_is_respected():
    # took in a community trust on 2024-11-01: its returns start then, and are never carried back
    own = [M("2024-12-01"), M("2025-07-01")]
    files = FILES + [M("2024-12-01")]
    assert community_exposure.return_for(M("2024-06-01"), own, files, [M("2024-11-01")])[0] is None
    assert community_exposure.return_for(M("2025-08-01"), own, files, [M("2024-11-01")])[0] == M(
        "2025-07-01"
    )


def test_register_on_a_fixture(monkeypatch):
    returns = pd.DataFrame(
        {
            "code": ["SUB", "SUB", "STOP", "MOVE"],
            "month": [M("2023-01-01"), M("2025-07-01"), M("2023-01-01"), M("2025-07-01")],
            "name": ["s", "s", "t", "m"],
            "lines": [9, 9, 6, 6],
            "adult_lines": [8, 8, 6, 2],
            "adult_waiting": [10.0, 10.0, 5.0, 1.0],
        }
    )
    monkeypatch.setattr(community_returns, "provider_months", lambda: returns)
    monkeypatch.setattr(
        community_returns,
        "load_csds",
        lambda: pd.DataFrame({"code": ["SUB"], "care_contacts": [5.0]}),
    )
    od = succession.load_org_data()
    reg = community_exposure.register(od, [M("2023-01-01"), M("2024-03-01"), M("2025-07-01")], 5)
    runs = reg.set_index(["code", "month"])["runs_community"]
    assert runs[("SUB", M("2023-01-01"))] and runs[("SUB", M("2025-07-01"))]
    assert runs[("SUB", M("2024-03-01"))]  # the gap carried from the nearest return
    assert not runs[("STOP", M("2025-07-01"))]  # stopped: not carried two years
    assert not runs[("MOVE", M("2025-07-01"))]  # 2 adult lines is below the rule's 5
    assert reg["source"].str.contains("community services return").all()
    assert not reg["source"].str.contains("CHS|workbook").any()


def test_non_nhs_providers_are_placed_from_the_icb_totals():
    placed = community_returns.locate_providers().set_index("code")
    assert placed.at["NR5", "icb22_code"] == "QJK"  # Livewell Southwest, Plymouth: Devon
    assert placed.at["NNV", "icb22_code"] == "QWE"  # Your Healthcare, Kingston: SW London
    assert (placed["how"].str.startswith("not placed")).sum() <= 6


@pytest.fixture(scope="module")
def exposure():
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    return acute, integration_classes.monthly_classes(od, acute, "default")


def test_every_acute_trust_has_a_class_and_evidence_every_month(exposure):
    acute, classes = exposure
    months = pd.date_range("2021-04-01", "2025-08-01", freq="MS")
    assert len(classes) == len(acute) * len(months)
    assert set(classes["code"]) == set(acute)
    assert classes["group"].isin(list(integration_classes.GROUPS)).all()
    assert classes["evidence"].str.len().gt(20).all()
    own = classes[classes["group"] == "acute_runs_community"]
    said = "adult service line|contacts per emergency admission|names it as the main adult provider"
    assert own["evidence"].str.contains(said).all()


def test_known_classes_from_the_review(exposure):
    _, classes = exposure
    at = classes.set_index(["code", "month"])["group"]
    march = M("2025-03-01")
    for code in ("RBK", "RMC", "RRF", "RR7", "RTD", "RVW", "RNA", "RJ6"):  # integrated trusts
        assert at[(code, march)] == "acute_runs_community", code
    assert at[("RWD", march)] == "standalone_community"  # Lincolnshire Community Health Services
    assert at[("RWW", M("2023-06-01"))] != "acute_runs_community"  # Bridgewater only from 2026
    assert at[("RAX", M("2024-06-01"))] != "acute_runs_community"  # before Hounslow and Richmond
    assert at[("RAX", M("2024-12-01"))] == "acute_runs_community"  # after


def test_providers_are_named_before_their_codes():
    assert community_returns.provider_named("RY4").startswith("Hertfordshire Community")
    assert community_returns.provider_named("RY4").endswith("(RY4)")
    assert community_returns.provider_named("ZZZ99") == "ZZZ99"


def test_return_months_in_words():
    M = pd.Timestamp
    months = [M("2023-01-01"), M("2023-02-01"), M("2024-08-01")]
    assert community_returns.month_runs_words(months) == "Jan 2023 to Feb 2023 and Aug 2024"


def test_a_class_from_a_month_without_returns_is_marked_carried(exposure):
    _, classes = exposure
    published = set(community_returns.return_months())
    gap = classes[~classes["month"].isin(published)]
    assert len(gap) and not gap["from_return"].any()
    assert classes.loc[classes["month"].isin(published), "from_return"].mean() > 0.9


@pytest.mark.parametrize(
    ("per_admission", "by_lines", "source", "named", "runs"),
    [
        (11.5, False, "both", False, True),  # Mid Yorkshire: the care it provides decides
        (0.001, True, "both", False, False),  # University Hospitals Plymouth: lines, no care
        (0.001, True, "both", True, False),  # named by the table, but no care to speak of
        (1.6, True, "both", False, True),  # between the thresholds: the returns decide
        (1.6, False, "both", False, False),
        (2.1, False, "both", True, True),  # Frimley Health: the dated table names it
        (float("nan"), True, "both", False, True),  # no count: the returns decide
        (float("nan"), False, "both", True, True),  # or the table
        (float("nan"), False, "both", False, False),
        (11.5, False, "returns", False, False),
        (1.6, False, "returns", True, False),  # the returns alone: the table is not read
        (1.6, True, "volume", False, False),
        (3.0, False, "volume", False, True),
        (float("nan"), True, "volume", False, True),
        (float("nan"), False, "volume", True, False),
        (2.1, False, "no_table", True, False),  # the table's naming left out
        (2.1, True, "no_table", True, True),
    ],
)
def test_who_runs_community_services_from_volume_and_returns(
    per_admission, by_lines, source, named, runs
):
    assert community_exposure.runs_by_volume(per_admission, by_lines, source, named=named) is runs


def test_no_acute_trust_with_the_care_of_a_typical_runner_is_classed_as_not_running():
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    table = integration_classes.volume_crosstab(od, acute)
    csds = community_returns.load_csds().set_index("code")["adult_care_contacts"]
    table["contacts"] = table["code"].map(csds)
    median_runner = table.loc[table["decided"] == "runs", "contacts"].median()
    big = table[(table["contacts"] > median_runner) & (table["decided"] != "runs")]
    assert big.empty, big[["code", "name", "contacts"]]
    decided = table.set_index("code")["decided"]
    assert decided["RXF"] == "runs" and decided["RJ1"] == "runs"
    assert decided["RK9"] == "does not" and decided["R1H"] == "does not"


AREA_HEADER = ",".join(community_returns.AREA_COLUMNS)


def _areas(tmp_path, *rows):
    path = tmp_path / "areas.csv"
    path.write_text(AREA_HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_the_table_of_community_providers_by_council_is_checked(tmp_path):
    od = succession.load_org_data()
    good = "E08000015,Wirral,RY7,Wirral Community,2021-04-01,,https://example.org,2023-12-13,"
    assert len(community_returns.load_community_areas(od, _areas(tmp_path, good))) == 1
    # a community interest company, by the code the returns give it (Sirona care & health)
    cic = "E06000023,Bristol,NLX,Sirona,2021-04-01,,https://example.org,2023,"
    assert len(community_returns.load_community_areas(od, _areas(tmp_path, cic))) == 1
    bad = {
        "no source or source date": "E08000015,Wirral,RY7,Wirral,2021-04-01,,,,",
        "valid_to before valid_from": "E08000015,Wirral,RY7,Wirral,2021-04-01,2020-01-01,s,d,",
        "neither an NHS trust in ODS nor a provider": "E08000015,Wirral,ZZZ,X,2021-04-01,,s,d,",
        "R9Z is neither": "E08000015,Wirral,R9Z,Nobody,2021-04-01,,s,d,",
        "not open in ODS": "E06000045,Southampton,R1C,Solent,2025-01-01,,s,d,",
    }
    for message, row in bad.items():
        with pytest.raises(manifest.SchemaError, match=message):
            community_returns.load_community_areas(od, _areas(tmp_path, row))
    twice = [good, good.replace("2021-04-01,,", "2022-04-01,,")]
    with pytest.raises(manifest.SchemaError, match="overlapping"):
        community_returns.load_community_areas(od, _areas(tmp_path, *twice))


def test_every_row_of_the_compiled_table_has_a_source_and_passes_the_checks():
    od = succession.load_org_data()
    areas = community_returns.load_community_areas(od)
    assert (
        areas["source"].str.startswith("http") | areas["source"].str.contains("this book's data")
    ).all()
    assert {"E06000045", "E08000015", "E07000008"} <= set(areas["council_code"])


def test_the_table_names_a_provider_for_every_council_but_those_listed_as_unsourced():
    od = succession.load_org_data()
    areas = community_returns.load_community_areas(od)
    every = set(community_returns.patients_by_council(od)["ltla_code"])
    assert every - set(areas["council_code"]) == {"E07000214"}  # Surrey Heath: no source found


def test_classes_follow_the_provider_where_patients_live_and_change_only_on_a_dated_transfer():
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    classes = integration_classes.monthly_classes(od, acute, "default").set_index(["code", "month"])
    M = pd.Timestamp
    # Cambridge University Hospitals: Cambridgeshire's adult community services are run by the
    # mental-health trust (CPFT), not the standalone Cambridgeshire Community Services
    assert classes.loc[("RGT", M("2023-06-01")), "group"] == "mh_runs_community"
    assert classes.loc[("RBL", M("2023-06-01")), "group"] == "standalone_community"  # Wirral
    assert classes.loc[("REM", M("2023-06-01")), "group"] == "mh_runs_community"  # Mersey Care
    # the Isle of Wight NHS Trust ran the island's community services until they moved to
    # Southern Health (now Hampshire and Isle of Wight Healthcare) on 1 May 2024: its March 2025
    # care volume (none) does not decide the months before
    assert classes.loc[("R1F", M("2024-04-01")), "group"] == "acute_runs_community"
    assert classes.loc[("R1F", M("2024-05-01")), "group"] == "mh_runs_community"
    # Frimley Health runs them in Hart and Rushmoor (the table), in every month
    frimley = classes.xs("RDU", level="code")["group"]
    assert (frimley == "acute_runs_community").all()
    # the seven trusts that changed class at the gap between the 2023 and 2024-25 returns
    for code in ("RBL", "REM", "RGT", "RHM", "RHU", "RJR", "RN5"):
        before, after = (classes.loc[(code, M(m)), "group"] for m in ("2023-10-01", "2024-08-01"))
        assert before == after, code
