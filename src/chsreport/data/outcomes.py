"""Flow outcomes per acute trust and month, each with its unit and definition, carried to
today's trusts through the lineage (counts of merged trusts are added before rates are taken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from chsreport.data import finance, manifest, succession


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    unit: str
    definition: str
    better: str  # "lower" or "higher"
    source: str
    short: str = ""


OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in [
        Outcome(
            "ctr_per_100_beds",
            "Patients no longer meeting the criteria to reside, per 100 occupied adult beds",
            "delayed patients per 100 occupied adult G&A beds",
            "Mean daily number of adult patients who no longer meet the criteria to reside (days "
            "reported), divided by the month's mean occupied adult general and acute beds (the "
            "sitrep counts adults only, so children's beds are left out of the denominator), "
            "times 100",
            "lower",
            "NHS England acute discharge sitrep; G&A beds sitrep (Apr 2022 to Aug 2025)",
            short="Not meeting criteria to reside, per 100 beds",
        ),
        Outcome(
            "discharges_per_100_beds_day",
            "Discharges per day per 100 adult beds",
            "discharges per day per 100 available adult G&A beds",
            "Mean daily number of adult patients discharged over the days the trust reported (all "
            "times of day; continuous across the June 2023 split of the by-17:00 measure), "
            "divided by the month's mean available adult general and acute beds, times 100",
            "higher",
            "NHS England acute discharge sitrep; G&A beds sitrep (Apr 2022 to Aug 2025)",
            short="Discharges per day per 100 beds",
        ),
        Outcome(
            "ae_4hr_performance",
            "A&E patients admitted, transferred or discharged within 4 hours",
            "% of attendances",
            "Share of all A&E attendances (all types) admitted, transferred or discharged within "
            "4 hours of arrival; type-3 units of other providers (including community trusts) "
            "are attributed to acute trusts with NHS England's attribution file",
            "higher",
            "NHS England A&E attendances and emergency admissions (Apr 2021 to Jul 2025)",
            short="A&E within 4 hours (%)",
        ),
        Outcome(
            "dta_over_4h",
            "Emergency admissions waiting over 4 hours from decision to admit",
            "% of emergency admissions (all routes)",
            "Patients who waited more than 4 hours in A&E from the decision to admit to admission, "
            "as a share of all emergency admissions: the open file gives only the total of "
            "emergency admissions, not those through A&E alone, so the share is smaller than the "
            "published A&E-only rate",
            "lower",
            "NHS England A&E attendances and emergency admissions (Apr 2021 to Jul 2025)",
            short="Decision to admit over 4 hours (%)",
        ),
        Outcome(
            "community_delay_share",
            "Delays waiting for community pathways",
            "% of delayed patients",
            "Share of patients delayed in hospital whose delay reason is intermediate care or "
            "community health: rehabilitation, reablement or recovery services (home- or "
            "bed-based, pathways 1 and 2) or other home-based community health services not "
            "yet available or arranged",
            "lower",
            "NHS England acute discharge sitrep, delay reasons (2024-06 to 2025-05)",
            short="Delays for community pathways (%)",
        ),
        Outcome(
            "delay_days_14_per_100_beds",
            "Delayed bed days of patients staying 14+ days, per 100 occupied beds",
            "bed days per 100 occupied adult G&A beds",
            "Total additional days that patients in hospital on the weekly snapshot day had "
            "stayed since they no longer met the criteria to reside, for patients with a "
            "length of stay of 14 days or more (snapshots averaged over the month), per 100 "
            "occupied adult general and acute beds",
            "lower",
            "NHS England acute discharge sitreps, table 3 (Apr 2022 to Jan 2024)",
            short="Delayed bed days, 14+ day stays, per 100 beds",
        ),
        Outcome(
            "delay_days_21_per_100_beds",
            "Delayed bed days of patients staying 21+ days, per 100 occupied beds",
            "bed days per 100 occupied adult G&A beds",
            "As for 14+ days, for patients with a length of stay of 21 days or more",
            "lower",
            "NHS England acute discharge sitreps, table 3 (Apr 2022 to Jan 2024)",
            short="Delayed bed days, 21+ day stays, per 100 beds",
        ),
    ]
}

COMMUNITY_REASON = re.compile(
    r"rehabilitation, reablement or recovery|community health service", re.IGNORECASE
)


# --------------------------------------------------------------------------- loaders
# A daily count of zero patients not meeting the criteria to reside, or of zero discharges, is
# a day the trust did not report: no acute trust in the data has a median below 50 patients a
# day not meeting the criteria, and none discharges nobody. Such days are missing, not zero.
ZERO_IS_NOT_REPORTED = True


def _monthly_mean_of_daily(path: Path, value: str, how: str) -> pd.DataFrame:
    """Daily counts -> per trust and month, the mean (or sum) over the days reported; a zero
    day counts as not reported (``ZERO_IS_NOT_REPORTED``)."""
    raw = pd.read_csv(path, dtype={"nhs_trust22_code": str})
    manifest.require_columns(raw, ["nhs_trust22_code", "date", value], path.name)
    if ZERO_IS_NOT_REPORTED:
        raw[value] = raw[value].where(raw[value] != 0)
    raw["month"] = pd.to_datetime(raw["date"], format="%Y-%m-%d").dt.to_period("M").dt.start_time
    grouped = raw.groupby(["nhs_trust22_code", "month"])[value]
    out = grouped.mean() if how == "mean" else grouped.sum(min_count=1)
    out = out.rename(value).reset_index().rename(columns={"nhs_trust22_code": "code"})
    out["month"] = out["month"].astype("datetime64[ns]")
    return out


def parse_ctr(path: Path) -> pd.DataFrame:
    """Daily criteria-to-reside counts -> monthly mean per trust over the days reported."""
    return _monthly_mean_of_daily(path, "do_not_meet_criteria_to_reside", "mean")


def parse_discharged(path: Path) -> pd.DataFrame:
    """Daily discharges -> mean per reported day, per trust and month (a month with days
    missing is not undercounted)."""
    return _monthly_mean_of_daily(path, "discharged_total", "mean")


_BEDS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str),
        "month": pa.Column("datetime64[ns]"),
        "ga_beds_available": pa.Column(float, pa.Check.ge(0), nullable=True),
        "ga_beds_occupied": pa.Column(float, pa.Check.ge(0), nullable=True),
        "adult_beds_available": pa.Column(float, pa.Check.ge(0), nullable=True),
        "adult_beds_occupied": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
)


def parse_delay_reasons(path: Path) -> pd.DataFrame:
    """Delay reasons -> per trust and month: all delays and delays for community pathways."""
    raw = pd.read_csv(path, dtype={"nhs_trust22_code": str})
    manifest.require_columns(
        raw, ["nhs_trust22_code", "date", "delay_reason", "delay_count"], path.name
    )
    raw["community"] = raw["delay_reason"].str.contains(COMMUNITY_REASON)
    raw["month"] = pd.to_datetime(raw["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    raw["delay_count"] = pd.to_numeric(raw["delay_count"], errors="coerce")
    total = raw.groupby(["nhs_trust22_code", "month"])["delay_count"].sum(min_count=1)
    community = raw[raw["community"]].groupby(["nhs_trust22_code", "month"])["delay_count"].sum()
    out = pd.DataFrame({"delays_total": total, "delays_community": community}).reset_index()
    out["delays_community"] = out["delays_community"].fillna(0.0)
    return out.rename(columns={"nhs_trust22_code": "code"})


LONG_STAY_METRICS = {
    "Number of additional bed days, patients with length of stay of 14+ days": "delay_days_14",
    "Number of additional bed days, patients with length of stay of 21+ days": "delay_days_21",
}


SITREP_COLUMNS = ["sitrep", "file_month", "table", "org_code", "metric", "value"]


def sitrep_rows(path: Path, sitrep: str, table: str, metrics) -> pd.DataFrame:
    """Rows of the long discharge sitrep file for one sitrep (acute or community), one table and
    the given metrics, with ``value`` numeric and ``month`` the workbook's month. Every reader of
    that file goes through here."""
    raw = pd.read_csv(path, usecols=SITREP_COLUMNS, dtype={"org_code": str, "metric": str})
    manifest.require_columns(raw, SITREP_COLUMNS, path.name)
    rows = raw[
        (raw["sitrep"] == sitrep) & (raw["table"] == table) & raw["metric"].isin(list(metrics))
    ].copy()
    if rows.empty:
        raise manifest.SchemaError(f"{path.name}: no {sitrep} {table} rows for {sorted(metrics)}")
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows["month"] = pd.to_datetime(rows["file_month"], format="%Y-%m-%d").astype("datetime64[ns]")
    return rows


def parse_long_stay_delays(path: Path) -> pd.DataFrame:
    """Acute sitrep table 3 -> per trust and month: mean weekly delayed bed days, 14+ and 21+."""
    rows = sitrep_rows(path, "acute", "Table 3", LONG_STAY_METRICS)
    rows["metric"] = rows["metric"].map(LONG_STAY_METRICS)
    out = rows.pivot_table(
        index=["org_code", "month"], columns="metric", values="value", aggfunc="mean"
    ).reset_index()
    out.columns.name = None
    return out.rename(columns={"org_code": "code"})


def load_long_stay_delays() -> pd.DataFrame:
    return manifest.cached_frame("flow_sitrep_long", parse_long_stay_delays)


def load_delay_reasons() -> pd.DataFrame:
    return manifest.cached_frame("flow_delay_reasons", parse_delay_reasons)


def parse_beds(path: Path) -> pd.DataFrame:
    """G&A beds sitrep -> per acute trust and month: beds available and occupied, adult and all."""
    raw = pd.read_csv(path, dtype={"nhs_trust22_code": str})
    wanted = [
        "nhs_trust22_code",
        "month_start",
        "general_acute_beds_available",
        "general_acute_beds_occupied",
        "adult_general_acute_beds_available",
        "adult_general_acute_beds_occupied",
    ]
    manifest.require_columns(raw, wanted, path.name)
    frame = pd.DataFrame(
        {
            "code": raw["nhs_trust22_code"],
            "month": pd.to_datetime(raw["month_start"], format="%Y-%m-%d").astype("datetime64[ns]"),
            "ga_beds_available": raw["general_acute_beds_available"].astype(float),
            "ga_beds_occupied": raw["general_acute_beds_occupied"].astype(float),
            "adult_beds_available": raw["adult_general_acute_beds_available"].astype(float),
            "adult_beds_occupied": raw["adult_general_acute_beds_occupied"].astype(float),
        }
    )
    return manifest.validate(frame, _BEDS_SCHEMA, path.name)


def parse_ae(path: Path) -> pd.DataFrame:
    """A&E statistics -> per trust and month: attendances, those over 4 hours and emergency
    admissions."""
    raw = pd.read_csv(path, dtype={"nhs_trust22_code": str})
    wanted = [
        "nhs_trust22_code",
        "month_start",
        "total_attendances",
        "attendances_over_4hours",
        "total_emergency_admissions",
        "emergency_admissions_over_4hours",
    ]
    manifest.require_columns(raw, wanted, path.name)
    frame = raw[wanted].rename(columns={"nhs_trust22_code": "code", "month_start": "month"})
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d").astype("datetime64[ns]")
    for column in wanted[2:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def parse_ae_attribution(path: Path) -> pd.DataFrame:
    """NHS England's attribution of other providers' A&E attendances to acute trusts, with the
    share attributed."""
    raw = pd.read_csv(path, dtype=str)
    wanted = [
        "nhs_trust22_code_all",
        "nhs_trust22_code_acute",
        "proportion_attendances_attributed_to_acute_trust",
    ]
    manifest.require_columns(raw, wanted, path.name)
    frame = pd.DataFrame(
        {"provider": raw[wanted[0]], "acute": raw[wanted[1]], "share": raw[wanted[2]].astype(float)}
    )
    return manifest.check_range(frame, "share", 0, 1, path.name, key=["provider", "acute"])


def load_ae_attribution() -> pd.DataFrame:
    return manifest.cached_frame("flow_ae_attribution", parse_ae_attribution, version="2")


def attribute_ae(ae: pd.DataFrame, attribution: pd.DataFrame) -> pd.DataFrame:
    """A&E counts with every provider in NHS England's attribution file shared out to acute
    trusts (so an acute trust's figures include the minor-injury units and urgent treatment
    centres of its area, whoever runs them); providers not in the file keep their own counts."""
    counts = [c for c in ae.columns if c not in ("code", "month")]
    listed = ae[ae["code"].isin(attribution["provider"])]
    shared = listed.merge(attribution, left_on="code", right_on="provider")
    shared[counts] = shared[counts].mul(shared["share"], axis=0)
    shared = shared.assign(code=shared["acute"])[["code", "month", *counts]]
    kept = ae[~ae["code"].isin(attribution["provider"])]
    combined = pd.concat([kept, shared], ignore_index=True)
    return combined.groupby(["code", "month"], as_index=False)[counts].sum(min_count=1)


def parse_community_sitrep_reporters(path: Path) -> pd.DataFrame:
    """Organisations in the community discharge sitrep, with the months they appear in."""
    raw = pd.read_csv(path, usecols=["sitrep", "file_month", "org_code", "org_name"], dtype=str)
    manifest.require_columns(raw, ["sitrep", "file_month", "org_code", "org_name"], path.name)
    community = raw[raw["sitrep"] == "community"]
    months = community.groupby(["org_code", "org_name"])["file_month"].nunique()
    out = months.rename("months_reported").reset_index()
    out["months_in_file"] = community["file_month"].nunique()
    return out


def parse_catchment_shares(path: Path) -> pd.DataFrame:
    """OHID catchment file -> per acute trust and 2022 ICB: the share of its patients from there."""
    raw = pd.read_csv(path, dtype=str)
    wanted = ["nhs_trust22_code", "icb22_code", "proportion_trust_came_from_icb"]
    manifest.require_columns(raw, wanted, path.name)
    frame = pd.DataFrame(
        {
            "code": raw["nhs_trust22_code"],
            "icb22_ons_code": raw["icb22_code"],
            "share": raw["proportion_trust_came_from_icb"].astype(float),
        }
    )
    return manifest.check_range(frame, "share", 0, 1, path.name, key=["code", "icb22_ons_code"])


def load_ctr() -> pd.DataFrame:
    return manifest.cached_frame("flow_ctr_daily", parse_ctr, version="2")


def load_discharged() -> pd.DataFrame:
    return manifest.cached_frame("flow_discharged_daily", parse_discharged, version="3")


def load_beds() -> pd.DataFrame:
    return manifest.cached_frame("flow_beds_monthly", parse_beds, version="2")


def load_ae() -> pd.DataFrame:
    return manifest.cached_frame("flow_ae_monthly", parse_ae)


def load_community_sitrep_reporters() -> pd.DataFrame:
    return manifest.cached_frame("flow_sitrep_long", parse_community_sitrep_reporters)


def load_catchment_shares() -> pd.DataFrame:
    """Share of each 2022 acute trust's admitted patients from each 2022 ICB (ONS code)."""
    return manifest.cached_frame("ohid_catchment_share_icb22", parse_catchment_shares, version="2")


def combine_shares(
    shares: pd.DataFrame, sizes: pd.Series, current: pd.Series, area: str
) -> pd.DataFrame:
    """Shares of patients by area for today's trusts, from the shares of the trusts they came from.

    ``shares``: columns ``code`` (a past trust), ``area`` and ``share`` (of that trust's patients
    from the area; an area without a row has share 0). ``sizes``: each past trust's size (patients,
    e.g. its OHID catchment population), by code. ``current``: today's trust for each past code
    (a code missing from it is its own successor).

    Today's share from an area is the mean of its predecessors' shares weighted by their size,
    sum(share_i * size_i) / sum(size_i) over every predecessor i in ``shares`` (one with no row
    for the area counts with share 0), never their sum, so it lies between the smallest and the
    largest of its predecessors' shares. A predecessor with no size (not in ``sizes``, missing or
    not positive) weighs as much as the mean size of its fellow predecessors that have one; if
    none of them has a size, all weigh equally. Returns columns ``code`` (today's trust),
    ``area`` and ``share``, checked to lie in [0, 1].
    """
    trusts = pd.DataFrame({"code": shares["code"].drop_duplicates()})
    mapped = trusts["code"].map(current)
    trusts["current"] = mapped.where(mapped.notna(), trusts["code"])
    size = pd.to_numeric(trusts["code"].map(sizes), errors="coerce").astype(float)
    size = size.where(size > 0)
    size = size.fillna(size.groupby(trusts["current"]).transform("mean")).fillna(1.0)
    trusts["weight"] = size / size.groupby(trusts["current"]).transform("sum")
    rows = shares.merge(trusts, on="code")
    rows["share"] = rows["share"] * rows["weight"]
    out = rows.groupby(["current", area], as_index=False)["share"].sum()
    out = out.rename(columns={"current": "code"})[["code", area, "share"]]
    return manifest.check_range(out, "share", 0, 1, f"shares by {area} of today's trusts")


def catchment_shares_current(od: succession.OrgData) -> pd.DataFrame:
    """Share of each of today's acute trusts' admitted patients from each 2022 ICB (ONS code):
    the OHID shares of its 2022 predecessors combined by :func:`combine_shares`, weighted by their
    OHID catchment populations (2022). Columns: code, icb22_ons_code, share."""
    shares = load_catchment_shares()
    sizes = finance.load_ohid_catchment().set_index("code")["catchment_population"]
    codes = shares["code"].drop_duplicates()
    current = pd.Series(succession.to_current(od.graph, codes).to_numpy(), index=codes.to_numpy())
    return combine_shares(shares, sizes, current, "icb22_ons_code")


def emergency_admissions(od: succession.OrgData, month: pd.Timestamp) -> pd.Series:
    """Emergency admissions via A&E per today's acute trust in ``month`` (predecessors added)."""
    ae = carry_monthly(
        attribute_ae(load_ae(), load_ae_attribution()), od, ["total_emergency_admissions"]
    )
    return ae[ae["month"] == month].set_index("code")["total_emergency_admissions"]


# --------------------------------------------------------------------------- the panel
def carry_monthly(frame: pd.DataFrame, od: succession.OrgData, sums: list[str]) -> pd.DataFrame:
    """Add counts of trusts that later merged to today's trust, month by month."""
    carried = frame.assign(code=succession.to_current(od.graph, frame["code"]))
    return carried.groupby(["code", "month"], as_index=False)[sums].sum(min_count=1)


def outcome_panel(od: succession.OrgData) -> pd.DataFrame:
    """One row per today's acute trust and month with every outcome (NaN where not reported)."""
    ctr = carry_monthly(load_ctr(), od, ["do_not_meet_criteria_to_reside"])
    dis = carry_monthly(load_discharged(), od, ["discharged_total"])
    beds = carry_monthly(
        load_beds(),
        od,
        ["ga_beds_available", "ga_beds_occupied", "adult_beds_available", "adult_beds_occupied"],
    )
    ae = carry_monthly(
        attribute_ae(load_ae(), load_ae_attribution()),
        od,
        [
            "total_attendances",
            "attendances_over_4hours",
            "total_emergency_admissions",
            "emergency_admissions_over_4hours",
        ],
    )
    reasons = carry_monthly(load_delay_reasons(), od, ["delays_total", "delays_community"])
    panel = ctr.merge(dis, on=["code", "month"], how="outer")
    panel = panel.merge(reasons, on=["code", "month"], how="left")
    long_stay = carry_monthly(load_long_stay_delays(), od, ["delay_days_14", "delay_days_21"])
    panel = panel.merge(long_stay, on=["code", "month"], how="left")
    panel = panel.merge(beds, on=["code", "month"], how="left")
    panel = panel.merge(ae, on=["code", "month"], how="outer")
    occupied = panel["adult_beds_occupied"].where(panel["adult_beds_occupied"] > 0)
    available = panel["adult_beds_available"].where(panel["adult_beds_available"] > 0)
    panel["ctr_per_100_beds"] = 100 * panel["do_not_meet_criteria_to_reside"] / occupied
    panel["discharges_per_100_beds_day"] = 100 * panel["discharged_total"] / available
    attendances = panel["total_attendances"].where(panel["total_attendances"] > 0)
    panel["ae_4hr_performance"] = 100 * (1 - panel["attendances_over_4hours"] / attendances)
    admissions = panel["total_emergency_admissions"].where(panel["total_emergency_admissions"] > 0)
    panel["dta_over_4h"] = 100 * panel["emergency_admissions_over_4hours"] / admissions
    panel["delay_days_14_per_100_beds"] = 100 * panel["delay_days_14"] / occupied
    panel["delay_days_21_per_100_beds"] = 100 * panel["delay_days_21"] / occupied
    delays = panel["delays_total"].where(panel["delays_total"] > 0)
    panel["community_delay_share"] = 100 * panel["delays_community"] / delays
    panel = panel.replace([np.inf, -np.inf], np.nan).sort_values(["code", "month"])
    for percentage in ("ae_4hr_performance", "dta_over_4h", "community_delay_share"):
        manifest.check_range(panel, percentage, 0, 100, "outcome_panel", key=["code", "month"])
    return panel


def window(panel: pd.DataFrame, outcome: str, start: str, end: str) -> pd.DataFrame:
    """Rows of one outcome inside [start, end] (months, YYYY-MM), dropping missing values."""
    rows = panel[(panel["month"] >= pd.Timestamp(start)) & (panel["month"] <= pd.Timestamp(end))]
    return rows.dropna(subset=[outcome])


# --------------------------------------------------------------------------- staff survey
STAFF_MEASURES = {
    "Burned_out_rate": "Staff often or always burnt out because of their work (%)",
    "Enough_staff_rate": "Staff saying there are enough staff to do the job properly (%)",
}


def parse_staff_survey(path: Path) -> pd.DataFrame:
    """NHS Staff Survey organisation results 2021-2024 -> code, year, group and two rates."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    wanted = ["ODS code", "Year", "Benchmarking group", *STAFF_MEASURES]
    manifest.require_columns(raw, wanted, path.name)
    frame = pd.DataFrame(
        {
            "code": raw["ODS code"].str.strip(),
            "year": pd.to_numeric(raw["Year"]).astype("int64"),
            "benchmark_group": raw["Benchmarking group"],
        }
    )
    for column in STAFF_MEASURES:
        frame[column.lower()] = pd.to_numeric(raw[column].replace("NA", None), errors="coerce")
        manifest.check_range(frame, column.lower(), 0, 100, path.name, key=["code", "year"])
    return frame


def load_staff_survey() -> pd.DataFrame:
    return manifest.cached_frame("staff_survey_2021_2024", parse_staff_survey, version="2")


# --------------------------------------------------------------------------- reading the measure
NCTR_ALL = "Number of patients who no longer meet the criteria to reside"
NCTR_REMAINING = (
    "Number of patients remaining in hospital who no longer meet the criteria to reside"
)


def parse_nctr_totals(path: Path) -> pd.DataFrame:
    """Acute discharge sitrep, Table 2, every trust and day (2022-04 to 2024-01): the totals of
    patients no longer meeting the criteria to reside and of those still in hospital at the end
    of the day, with the first and last month counted."""
    rows = sitrep_rows(path, "acute", "Table 2", [NCTR_ALL, NCTR_REMAINING])
    sums = rows.groupby("metric")["value"].sum()
    if NCTR_ALL not in sums or NCTR_REMAINING not in sums:
        raise manifest.SchemaError(f"{path.name}: Table 2 lacks the two criteria-to-reside counts")
    return pd.DataFrame(
        {
            "all_patients": [float(sums[NCTR_ALL])],
            "still_in_hospital": [float(sums[NCTR_REMAINING])],
            "first_month": [rows["month"].min()],
            "last_month": [rows["month"].max()],
        }
    )


def share_still_in_hospital() -> tuple[float, pd.Timestamp, pd.Timestamp]:
    """Of the patients counted as no longer meeting the criteria to reside on a day, the share
    still in hospital at the end of that day (acute trusts), with the first and last month of
    the daily file it comes from (2022-04 to 2024-01)."""
    totals = manifest.cached_frame("flow_sitrep_long", parse_nctr_totals, version="2")
    share = totals["still_in_hospital"] / totals["all_patients"]
    manifest.check_range(totals.assign(share=share), "share", 0, 1, "share_still_in_hospital")
    first, last = totals["first_month"].iloc[0], totals["last_month"].iloc[0]
    return float(share.iloc[0]), pd.Timestamp(first), pd.Timestamp(last)


SITREP_NCTR = "Number of patients who no longer meet the criteria to reside"


def parse_community_nctr(path) -> pd.DataFrame:
    """Community discharge sitrep, Table 2 -> mean daily patients not meeting the criteria to
    reside, per community provider and month."""
    rows = sitrep_rows(path, "community", "Table 2", [SITREP_NCTR])
    out = rows.groupby(["org_code", "month"], as_index=False)["value"].mean()
    return out.rename(columns={"org_code": "code", "value": "community_nctr"})
