"""Discharge and virtual-ward figures published per ICB of 2022, carried to today's 36 ICBs by
registered-population shares.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from chsreport import settings
from chsreport.data import geography, manifest


def icb22_weights() -> pd.DataFrame:
    """Share of each 2022 ICB's registered patients (2026 lists) now in each 2026 ICB."""
    mergers = geography.icb_mergers_2026()
    totals = mergers.groupby("icb22_code")["patients"].transform("sum")
    return mergers.assign(weight=mergers["patients"] / totals)[["icb22_code", "icb_code", "weight"]]


def carry_icb22(
    frame: pd.DataFrame, key: str, values: list[str], complete: bool = False
) -> pd.DataFrame:
    """Sum ICB (2022) figures into 2026 ICBs, splitting a divided ICB by population share.
    ``complete``: keep a 2026 ICB's row (of a month, say) only where every 2022 ICB it draws
    on has a value there; a sum of the ICBs present would otherwise fall short without a sign."""
    weights = icb22_weights()
    weighted = frame.merge(weights, left_on=key, right_on="icb22_code")
    weighted[values] = weighted[values].mul(weighted["weight"], axis=0)
    by = [c for c in frame.columns if c not in values and c != key]
    carried = weighted.groupby(["icb_code", *by], as_index=False)[values].sum()
    if not complete:
        return carried
    present = weighted.dropna(subset=values).groupby(["icb_code", *by])["icb22_code"].nunique()
    needed = weights.groupby("icb_code")["icb22_code"].nunique()
    whole = present.reset_index(name="n").assign(needed=lambda t: t["icb_code"].map(needed))
    whole = whole.loc[whole["n"] == whole["needed"], ["icb_code", *by]]
    return carried.merge(whole, on=["icb_code", *by])


def parse_icb_ctr(path: Path) -> pd.DataFrame:
    """Patients not meeting the criteria to reside per 2022 ICB, averaged over the days of each
    month."""
    raw = pd.read_csv(path, dtype={"icb22_code": str})
    manifest.require_columns(
        raw, ["icb22_code", "date", "do_not_meet_criteria_to_reside"], path.name
    )
    raw["month"] = pd.to_datetime(raw["date"], format="%Y-%m-%d").dt.to_period("M").dt.start_time
    out = raw.groupby(["icb22_code", "month"], as_index=False)["do_not_meet_criteria_to_reside"]
    return out.mean()


def parse_virtual_wards(path: Path) -> pd.DataFrame:
    """Virtual ward capacity and patients per 2022 ICB and month."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    names = {
        "month_start": "month",
        "icb_code": "icb22_code",
        "virtual_ward_capacity": "capacity",
        "patients_in_a_virtual_ward": "patients",
    }
    frame = manifest.select_columns(raw, names, path.name)
    frame = frame[frame["icb22_code"].str.match(r"^Q[A-Z0-9]{2}$")].copy()
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d").astype("datetime64[ns]")
    for column in ("capacity", "patients"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def icb_discharge_delays() -> pd.DataFrame:
    """Monthly mean patients not meeting the criteria to reside per 100,000 registered patients,
    by 2026 ICB: NHS England counts them by where the hospital is (the ICB's hospitals), not
    where the patient lives. A month missing any 2022 ICB a 2026 ICB draws on is left out."""
    raw = manifest.cached_frame("flow_icb_ctr_daily", parse_icb_ctr)
    raw = raw.assign(icb22_code=geography.icb22_ods_codes(raw["icb22_code"]))
    carried = carry_icb22(raw, "icb22_code", ["do_not_meet_criteria_to_reside"], complete=True)
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    carried["per_100k"] = (
        1e5 * carried["do_not_meet_criteria_to_reside"] / carried["icb_code"].map(patients)
    )
    return carried


def icb_delays_in_period() -> pd.DataFrame:
    """``icb_discharge_delays`` over the page's period (``PERIOD``, the trusts' period too)."""
    delays = icb_discharge_delays()
    start, end = (pd.Timestamp(m) for m in settings.PERIOD)
    return delays[delays["month"].between(start, end)]


def icb_virtual_wards() -> pd.DataFrame:
    """Virtual ward capacity and patients per 100,000 registered patients, by 2026 ICB and month."""
    raw = manifest.cached_frame("virtual_wards_icb", parse_virtual_wards)
    carried = carry_icb22(raw, "icb22_code", ["capacity", "patients"])
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    carried["capacity_per_100k"] = 1e5 * carried["capacity"] / carried["icb_code"].map(patients)
    carried["occupancy"] = 100 * carried["patients"] / carried["capacity"]
    return carried
