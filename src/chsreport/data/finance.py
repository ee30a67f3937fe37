"""Trust size and cost: Trust Peer Finder (about 2017/18), KH03 beds (2017/18), OHID catchment
populations (2022) and ERIC site returns (2019/20),
carried to today's trusts through the lineage, with a smoothed size-cost curve and bootstrap
intervals.

A cross-section shows how cost varies with size among trusts as they are; it cannot show what
a merger would do to a trust's cost.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from chsreport.data import manifest, ods, succession

_PEER_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,5}$"), unique=True),
        "operating_expenses_m": pa.Column(float, pa.Check.gt(0)),
        "fte_staff": pa.Column(float, pa.Check.ge(0), nullable=True),
        "patients": pa.Column(float, pa.Check.ge(0), nullable=True),
        "attendances": pa.Column(float, pa.Check.ge(0), nullable=True),
        "sites": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    strict=True,
)


def parse_peer_finder(path: Path) -> pd.DataFrame:
    """Trust Peer Finder appendix A: operating expenses (£m, sign flipped), FTE, patients."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    wanted = ["Procode", "Operating Expenses", "FTE staff", "Patients", "Attendances", "Sites"]
    manifest.require_columns(raw, wanted, path.name)

    def number(column):
        return pd.to_numeric(raw[column].replace("", None)).astype(float)

    frame = pd.DataFrame(
        {
            "code": raw["Procode"].str.strip(),
            "operating_expenses_m": -number("Operating Expenses") / 1000,  # £000, negative
            "fte_staff": number("FTE staff"),
            "patients": number("Patients"),
            "attendances": number("Attendances"),
            "sites": number("Sites"),
        }
    )
    return manifest.validate(frame, _PEER_SCHEMA, path.name)


def load_peer_finder() -> pd.DataFrame:
    return manifest.cached_frame("trust_peer_finder_2018", parse_peer_finder)


ESTATE_COST_COLUMNS = [
    "Depreciation (£)",
    "PDC (£)",
    "Leases and rent (£)",
    "Rates (£)",
    "Interest on Capital (£)",
    "Other Estates and Facilities finance costs (£)",
    "Indirect accommodation subsidies (£)",
    "Estates and property maintenance (£)",
    "Grounds and gardens maintenance (£)",
    "Electro Bio Medical Equipment maintenance (£)",
    "Other Hard FM (Estates) costs (£)",
    "Other Soft FM (Hotel Services) costs (£)",
    "Management (Hard and Soft FM) costs (£)",
]
FLOOR_AREA = "Gross internal floor area (m²)"


def parse_eric_sites(path: Path) -> pd.DataFrame:
    """ERIC 2019/20 sites -> per trust: estates and property cost (£m) and floor area (m²)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    manifest.require_columns(raw, ["Trust Code", *ESTATE_COST_COLUMNS, FLOOR_AREA], path.name)

    def number(column):
        text = raw[column].str.replace(",", "").str.strip()
        return pd.to_numeric(text.where(~text.isin(["", "Not Applicable", "N/A"])), errors="coerce")

    sites = pd.DataFrame({"code": raw["Trust Code"].str.strip()})
    sites["estate_cost_m"] = sum(number(c).fillna(0) for c in ESTATE_COST_COLUMNS) / 1e6
    sites["floor_area_m2"] = number(FLOOR_AREA).fillna(0)
    trusts = sites.groupby("code", as_index=False)[["estate_cost_m", "floor_area_m2"]].sum()
    return trusts[trusts["floor_area_m2"] > 0].reset_index(drop=True)


def load_eric_sites() -> pd.DataFrame:
    return manifest.cached_frame("eric_site_2019_20", parse_eric_sites)


KH03_YEAR = re.compile(r"2017-18|201718")  # the quarters of 2017/18, the Peer Finder's year


def parse_kh03_2017_18(path: Path) -> pd.DataFrame:
    """KH03 workbooks (zip) -> average beds available overnight per trust over 2017/18's four
    quarters: all beds and general and acute beds."""
    frames = []
    with zipfile.ZipFile(path) as archive:
        members = sorted(n for n in archive.namelist() if KH03_YEAR.search(n))
        if len(members) != 4:
            raise manifest.SchemaError(
                f"{path.name}: expected 4 workbooks for 2017/18, found {members}"
            )
        for member in members:
            sheet = pd.read_excel(
                io.BytesIO(archive.read(member)), sheet_name="NHS Trust by Sector", header=None
            )
            header_row = sheet.index[sheet.eq("Org Code").any(axis=1)]
            if len(header_row) == 0:
                raise manifest.SchemaError(f"{path.name}/{member}: no 'Org Code' header row")
            table = sheet.iloc[header_row[0] + 1 :].copy()
            table.columns = [str(c).strip() for c in sheet.iloc[header_row[0]].tolist()]
            for column in ("Org Code", "Total", "General & Acute"):
                if column not in table.columns:
                    raise manifest.SchemaError(f"{path.name}/{member}: column {column!r} missing")
            # the first 'Total' and 'General & Acute' columns are beds available
            total = table.loc[:, table.columns == "Total"].iloc[:, 0]
            acute = table.loc[:, table.columns == "General & Acute"].iloc[:, 0]
            part = pd.DataFrame(
                {"code": table["Org Code"], "beds": total, "ga_beds": acute, "quarter": member}
            ).dropna(subset=["code"])
            frames.append(part[part["code"].astype(str).str.match(r"^[A-Z0-9]{3}$")])
    beds = pd.concat(frames, ignore_index=True)
    beds["beds"] = pd.to_numeric(beds["beds"], errors="coerce")
    beds["ga_beds"] = pd.to_numeric(beds["ga_beds"], errors="coerce")
    return beds.groupby("code", as_index=False)[["beds", "ga_beds"]].mean()


def load_kh03_beds() -> pd.DataFrame:
    return manifest.cached_frame("kh03_beds_2010_2022", parse_kh03_2017_18)


def parse_ohid_catchment(path: Path) -> pd.DataFrame:
    """OHID acute trust catchment populations (2022), from all admissions."""
    raw = pd.read_excel(path, sheet_name=0, dtype={"TrustCode": str})
    manifest.require_columns(raw, ["TrustCode", "All admissions"], path.name)
    return pd.DataFrame(
        {
            "code": raw["TrustCode"].str.strip(),
            "catchment_population": pd.to_numeric(raw["All admissions"]).astype(float),
        }
    )


def load_ohid_catchment() -> pd.DataFrame:
    return manifest.cached_frame("ohid_catchment_2022", parse_ohid_catchment)


def carry_to_current(frame: pd.DataFrame, od: succession.OrgData, sums: list[str]) -> pd.DataFrame:
    """Add up ``sums`` by today's trust: each code is followed through its successors to the
    trust it is part of now (a split's share cannot be known, so a split trust goes whole to its
    first successor, and the row says so)."""
    rows = frame.copy()
    finals = [succession.final_successors(od.graph, code) for code in rows["code"]]
    rows["current_code"] = [f[0] for f in finals]
    rows["split"] = [len(f) > 1 for f in finals]
    grouped = rows.groupby("current_code")
    out = grouped[sums].sum()
    out["predecessors"] = grouped["code"].agg(lambda c: ", ".join(sorted(c)))
    out["n_predecessors"] = grouped["code"].size()
    out["includes_split"] = grouped["split"].any()
    out = out.reset_index().rename(columns={"current_code": "code"})
    names = od.register.set_index("code")["name"]
    out["name"] = out["code"].map(names)
    out["type"] = [
        succession.integrated_type(ods.type_on(c, od.as_of, od.evidence)[0], c, od.as_of, od)
        for c in out["code"]
    ]
    out["open_now"] = out["code"].isin(od.register.loc[od.register["close_date"].isna(), "code"])
    return out


def parse_peer_profile(path: Path) -> pd.DataFrame:
    """Trust Peer Finder appendix A: the case-mix columns used as controls: deprivation score of
    the trust's patients, share of patients aged 60-74, and urban share."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = {"Procode": "code", "Deprivation": "deprivation", "Age   60-74": "age_60_74"}
    manifest.require_columns(raw, list(names), path.name)
    frame = raw[list(names)].rename(columns=names)
    frame["code"] = frame["code"].str.strip()
    for column in ("deprivation", "age_60_74"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    return manifest.check_range(frame, "age_60_74", 0, 1, path.name, key=["code"])


def load_peer_profile() -> pd.DataFrame:
    return manifest.cached_frame("trust_peer_finder_2018", parse_peer_profile, version="2")
