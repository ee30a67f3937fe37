"""Populations of every planning layer: ICBs, sub-ICB locations, PCNs and practices (registered
patients) and councils by tier (resident estimates), with rurality and the council-to-ICB link.

Registered-patient counts (GP lists) and resident estimates (ONS) are different measures: lists
run a few per cent above residents (people registered twice, or who have left). Every frame here
carries a ``measure`` column saying which it is, and a ``date``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from chsreport import settings, vocabulary
from chsreport.data import boundaries, manifest, ods

REGISTERED = "registered patients"
RESIDENT = "resident population (ONS estimate)"
SINGLE_TIER = ("UA", "MD", "LBO", "CC")  # unitaries, metropolitan districts, London boroughs, City


# --------------------------------------------------------------------------- loaders
_LIST_SCHEMA = pa.DataFrameSchema(
    {
        "org_type": pa.Column(str, pa.Check.isin(["Comm Region", "ICB", "SUB_ICB", "PCN"])),
        "org_code": pa.Column(str),
        "ons_code": pa.Column(str, nullable=True),
        "patients": pa.Column("int64", pa.Check.ge(0)),
    },
    strict=True,
)


def parse_list_sizes_2026(path: Path) -> pd.DataFrame:
    """Registered list size of each region, ICB, sub-ICB location and PCN (ALL/ALL rows)."""
    raw = manifest.read_zipped_csv(path, usecols=None)
    wanted = ["ORG_TYPE", "ORG_CODE", "ONS_CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"]
    manifest.require_columns(raw, wanted, path.name)
    totals = raw[(raw["SEX"] == "ALL") & (raw["AGE"] == "ALL")]
    frame = pd.DataFrame(
        {
            "org_type": totals["ORG_TYPE"].replace({"SUB_ICB_LOCATION_CODE": "SUB_ICB"}),
            "org_code": totals["ORG_CODE"],
            "ons_code": totals["ONS_CODE"].replace("", None),
            "patients": pd.to_numeric(totals["NUMBER_OF_PATIENTS"]).astype("int64"),
        }
    ).reset_index(drop=True)
    return manifest.validate(frame, _LIST_SCHEMA, path.name)


AGE_BANDS = {"children": (0, 17), "adults": (18, 200), "adults_19": (19, 200), "aged_65": (65, 200)}


def parse_list_ages_2026(path: Path) -> pd.DataFrame:
    """Registered patients of each ICB and sub-ICB location by age band (:data:`AGE_BANDS`:
    children 0-17, adults 18+, adults 19+ as CSDS counts them, aged 65+), from the single-year
    rows, which are given by sex only (female and male summed; the top age is "95+")."""
    raw = manifest.read_zipped_csv(path, usecols=None)
    manifest.require_columns(
        raw, ["ORG_TYPE", "ORG_CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"], path.name
    )
    rows = raw[raw["SEX"].isin(["FEMALE", "MALE"]) & (raw["AGE"] != "ALL")]
    rows = rows[rows["ORG_TYPE"].isin(["ICB", "SUB_ICB_LOCATION_CODE"])]
    age = pd.to_numeric(rows["AGE"].str.rstrip("+"), errors="coerce")
    if age.isna().any():
        raise manifest.SchemaError(f"{path.name}: ages other than whole years and 95+")
    patients = pd.to_numeric(rows["NUMBER_OF_PATIENTS"]).astype("int64")
    frame = pd.DataFrame(
        {
            "org_type": rows["ORG_TYPE"].replace({"SUB_ICB_LOCATION_CODE": "SUB_ICB"}),
            "org_code": rows["ORG_CODE"],
        }
    )
    for band, (low, high) in AGE_BANDS.items():
        frame[band] = patients.where((age >= low) & (age <= high), 0)
    return frame.groupby(["org_type", "org_code"], as_index=False).sum()


def icb_ages_2026() -> pd.DataFrame:
    """Registered patients by age band (:data:`AGE_BANDS`) of the 36 ICBs of 2026 and of the 42
    of 2022 (summed over their sub-ICB locations, whose boundaries are unchanged), August 2026:
    columns icb_code, year (2026 or 2022) and the bands."""
    ages = manifest.cached_frame(LISTS_2026, parse_list_ages_2026, version="2")
    icb26 = ages[ages["org_type"] == "ICB"].drop(columns="org_type").assign(year=2026)
    sub = ages[ages["org_type"] == "SUB_ICB"].copy()
    sub["org_code"] = sub["org_code"].map(sub_icbs_2026().set_index("sub_icb_code")["icb22_code"])
    icb22 = sub.dropna(subset=["org_code"]).groupby("org_code", as_index=False)[list(AGE_BANDS)]
    icb22 = icb22.sum().assign(year=2022)
    out = pd.concat([icb26, icb22], ignore_index=True)
    return out.rename(columns={"org_code": "icb_code"})


LISTS_2026 = "gp_age_2026_08"  # registered patients by practice, PCN, sub-ICB location, ICB


def load_list_sizes_2026() -> pd.DataFrame:
    return manifest.cached_frame(LISTS_2026, parse_list_sizes_2026)


def lists_month() -> str:
    """The month of the registered lists that size today's NHS layers ("August 2026")."""
    return vocabulary.month_long(manifest.month_of(LISTS_2026))


def parse_practice_map_2026(path: Path) -> pd.DataFrame:
    """NHS England's GP practice to PCN, sub-ICB location and ICB map (2026) -> one row per
    practice."""
    names = {
        "PRACTICE_CODE": "practice_code",
        "PRACTICE_NAME": "practice_name",
        "PCN_CODE": "pcn_code",
        "PCN_NAME": "pcn_name",
        "SUB_ICB_LOCATION_CODE": "sub_icb_code",
        "ONS_SUB_ICB_LOCATION_CODE": "sub_icb_ons_code",
        "SUB_ICB_LOCATION_NAME": "sub_icb_name",
        "ICB_CODE": "icb_code",
        "ICB_NAME": "icb_name",
        "COMM_REGION_NAME": "region_name",
    }
    return manifest.select_columns(manifest.read_zipped_csv(path), names, path.name)


def load_practice_map_2026() -> pd.DataFrame:
    """Practice -> PCN -> sub-ICB location -> ICB (36) -> region, August 2026."""
    return manifest.cached_frame("gp_practice_map_2026_08", parse_practice_map_2026, version="2")


def parse_practice_map_2022(path: Path) -> pd.DataFrame:
    """The 2022 practice map -> one row per practice with its PCN, CCG, ICB and region."""
    names = {
        "PRACTICE_CODE": "practice_code",
        "PCN_CODE": "pcn_code",
        "CCG_CODE": "ccg_code",
        "STP_CODE": "icb_code",
        "STP_NAME": "icb_name",
        "COMM_REGION_NAME": "region_name",
    }
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return manifest.select_columns(raw, names, path.name)


def load_practice_map_2022() -> pd.DataFrame:
    """Practice -> PCN -> CCG -> STP/ICS (42), January 2022."""
    return manifest.cached_frame("gp_practice_map_2022_01", parse_practice_map_2022)


_PRACTICE_SCHEMA = pa.DataFrameSchema(
    {
        "practice_code": pa.Column(str, unique=True),
        "patients": pa.Column("int64", pa.Check.ge(0)),
    },
    strict=True,
)


def parse_practice_lists_2021(path: Path) -> pd.DataFrame:
    """Patients registered at each GP practice, January 2021 (all ages, both sexes)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, ["CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"], path.name)
    totals = raw[(raw["SEX"] == "ALL") & (raw["AGE"] == "ALL")]
    frame = pd.DataFrame(
        {
            "practice_code": totals["CODE"],
            "patients": pd.to_numeric(totals["NUMBER_OF_PATIENTS"]).astype("int64"),
        }
    ).reset_index(drop=True)
    return manifest.validate(frame, _PRACTICE_SCHEMA, path.name)


def load_practice_lists_2021() -> pd.DataFrame:
    """Registered patients per practice, January 2021."""
    return manifest.cached_frame("gp_practice_lists_2021_01", parse_practice_lists_2021)


_LA_SCHEMA = pa.DataFrameSchema(
    {
        "la_code": pa.Column(str),
        "gss_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "name": pa.Column(str),
        "la_type": pa.Column(str),
        "la_type_name": pa.Column(str),
        "county_code": pa.Column(str, nullable=True),
        "region": pa.Column(str),
        "population_2020": pa.Column(float, nullable=True),
    },
    strict=True,
)


def parse_local_authorities(path: Path) -> pd.DataFrame:
    """mySociety register -> current English councils with type, parent county, mid-2020 pop."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    wanted = [
        "local-authority-code",
        "gss-code",
        "nice-name",
        "local-authority-type",
        "local-authority-type-name",
        "county-la",
        "region",
        "nation",
        "current-authority",
        "pop-2020",
    ]
    manifest.require_columns(raw, wanted, path.name)
    current = raw[(raw["nation"] == "England") & (raw["current-authority"] == "True")]
    frame = pd.DataFrame(
        {
            "la_code": current["local-authority-code"],
            "gss_code": current["gss-code"],
            "name": current["nice-name"],
            "la_type": current["local-authority-type"],
            "la_type_name": current["local-authority-type-name"],
            "county_code": current["county-la"].replace("", None),
            "region": current["region"],
            "population_2020": pd.to_numeric(current["pop-2020"].replace("", None)).astype(float),
        }
    ).reset_index(drop=True)
    return manifest.validate(frame, _LA_SCHEMA, path.name)


def load_local_authorities() -> pd.DataFrame:
    return manifest.cached_frame("la_register", parse_local_authorities)


def parse_council_names(path: Path) -> pd.DataFrame:
    """mySociety register -> every English council's name by GSS code, former councils (the
    2021 districts abolished since) included."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, ["gss-code", "nice-name", "nation"], path.name)
    rows = raw[(raw["nation"] == "England") & (raw["gss-code"] != "")]
    return pd.DataFrame({"gss_code": rows["gss-code"], "name": rows["nice-name"]}).drop_duplicates(
        "gss_code"
    )


def council_name(code: str) -> str:
    """A council's name from its GSS code, former councils included (the code if unknown)."""
    names = manifest.cached_frame("la_register", parse_council_names).set_index("gss_code")["name"]
    return str(names.get(code, code))


def parse_la_successors(path: Path) -> pd.DataFrame:
    """Former English councils -> the single council that replaced them (GSS codes)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, ["local-authority-code", "gss-code", "replaced-by"], path.name)
    gss = raw.set_index("local-authority-code")["gss-code"]
    gone = raw[(raw["replaced-by"] != "") & ~raw["replaced-by"].str.contains(",")]
    return (
        pd.DataFrame({"old_gss": gone["gss-code"], "new_gss": gone["replaced-by"].map(gss)})
        .dropna()
        .reset_index(drop=True)
    )


def current_council_code(codes: pd.Series) -> pd.Series:
    """Carry district codes of 2022 to today's councils (the 2023 Cumbria, North Yorkshire and
    Somerset reorganisations merged districts into new unitaries)."""
    links = manifest.cached_frame("la_register", parse_la_successors).set_index("old_gss")[
        "new_gss"
    ]

    def carry(code):
        seen = set()
        while code in links.index and code not in seen:
            seen.add(code)
            code = links[code]
        return code

    return codes.map(carry)


_MYE_SCHEMA = pa.DataFrameSchema(
    {
        "gss_code": pa.Column(str, unique=True),
        "name": pa.Column(str),
        "geography": pa.Column(str),
        "population_2024": pa.Column("int64", pa.Check.gt(0)),
    },
    strict=True,
)


def parse_mye_2024(path: Path) -> pd.DataFrame:
    """ONS mid-2024 estimates (UTF-8 with a byte-order mark): code, name, geography, all ages."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    manifest.require_columns(raw, ["Code", "Name", "Geography", "All ages"], path.name)
    frame = pd.DataFrame(
        {
            "gss_code": raw["Code"].str.strip(),
            "name": raw["Name"].str.strip(),
            "geography": raw["Geography"].str.strip(),
            "population_2024": pd.to_numeric(raw["All ages"].str.replace(",", "")).astype("int64"),
        }
    )
    return manifest.validate(frame, _MYE_SCHEMA, path.name)


def load_mye_2024() -> pd.DataFrame:
    return manifest.cached_frame("ons_mye_2024", parse_mye_2024)


def parse_lsoa_icb22(path: Path) -> pd.DataFrame:
    """ONS small area (LSOA 2011) to sub-ICB location, 2022 ICB and council lookup."""
    names = {
        "lsoa11_code": "lsoa_code",
        "sicbl22_code_h": "sub_icb_code",
        "icb22_code_h": "icb22_code",
        "icb22_code": "icb22_ons_code",
        "icb22_name": "icb22_name",
        "ltla22_code": "ltla_code",
    }
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return manifest.select_columns(raw, names, path.name)


def icb22_official_names() -> pd.Series:
    """The official names of the 42 ICBs of 2022 (ONS lookup), by ODS code, without "NHS " and
    " Integrated Care Board" (the 2022 practice map carries local partnership names instead)."""
    lsoa = load_lsoa_icb22().drop_duplicates("icb22_code").set_index("icb22_code")["icb22_name"]
    return lsoa.map(vocabulary.icb_short_name)


def icb22_ods_codes(ons_codes: pd.Series) -> pd.Series:
    """2022 ICB ONS codes (E54...) as their ODS codes (Q..)."""
    lsoa = load_lsoa_icb22()
    lookup = lsoa.drop_duplicates("icb22_ons_code").set_index("icb22_ons_code")["icb22_code"]
    return ons_codes.map(lookup)


def load_lsoa_icb22() -> pd.DataFrame:
    """LSOA (2011) -> sub-ICB location -> ICB (42, July 2022) -> local authority district."""
    return manifest.cached_frame("ons_lsoa11_icb22", parse_lsoa_icb22, version="2")


def parse_ruc(path: Path) -> pd.DataFrame:
    """ONS rural-urban classification of councils (2021): Urban or Rural for each council, with the
    detailed class."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, ["ltla24_code", "ruc21_code", "classification", "ruc"], path.name)
    frame = raw[["ltla24_code", "ruc21_code", "classification", "ruc"]].copy()
    frame.columns = ["gss_code", "ruc_code", "ruc_classification", "rural_urban"]
    if not frame["rural_urban"].isin(["Urban", "Rural"]).all():
        raise manifest.SchemaError(f"{path.name}: column 'ruc' should be Urban or Rural")
    return frame


def load_ruc() -> pd.DataFrame:
    """Rural-urban classification (2021) of each district (2024 boundaries)."""
    return manifest.cached_frame("ons_ruc21_ltla24", parse_ruc)


# --------------------------------------------------------------------------- councils
@lru_cache(maxsize=1)
def councils() -> pd.DataFrame:
    """Current English councils (no combined authorities) with both population years,
    tier, parent county, rurality and the ICB (2022) holding most of their LSOAs."""
    las = load_local_authorities()
    las = las[las["la_type"].isin(("NMD", "CTY", *SINGLE_TIER))].copy()
    mye = load_mye_2024().set_index("gss_code")["population_2024"]
    las["population_2024"] = las["gss_code"].map(mye)
    las["tier"] = np.select(
        [las["la_type"] == "NMD", las["la_type"] == "CTY"],
        ["district", "county"],
        default="single tier",
    )
    ruc = load_ruc().set_index("gss_code")
    las["rural_urban"] = las["gss_code"].map(ruc["rural_urban"])
    las["ruc_classification"] = las["gss_code"].map(ruc["ruc_classification"])
    lsoa = lsoa_places()
    main_icb = (
        lsoa.groupby(["council_code", "icb22_code"])
        .size()
        .rename("lsoas")
        .reset_index()
        .sort_values(["council_code", "lsoas"], ascending=[True, False])
        .drop_duplicates("council_code")
        .set_index("council_code")["icb22_code"]
    )
    las["icb22_code"] = las["gss_code"].map(main_icb)
    return las.reset_index(drop=True)


def council_population(frame: pd.DataFrame, year: int) -> pd.Series:
    """The councils' residents in ``year`` (one of the population years held); another year is an
    error naming those held."""
    if year not in settings.POPULATION_YEARS:
        raise ValueError(
            f"population year {year} is not in the data; choose {settings.POPULATION_YEARS}"
        )
    return frame[f"population_{year}"]


# --------------------------------------------------------------------------- NHS layers
@lru_cache(maxsize=1)
def sub_icb_to_icb22() -> pd.Series:
    """Sub-ICB location code -> the 2022 ICB it belonged to (codes persist to 2026)."""
    lsoa = load_lsoa_icb22()
    return lsoa.drop_duplicates("sub_icb_code").set_index("sub_icb_code")["icb22_code"]


def icb_populations_2026() -> pd.DataFrame:
    """The 36 ICBs of 2026 with registered patients (August 2026)."""
    sizes = load_list_sizes_2026()
    icb = sizes[sizes["org_type"] == "ICB"][["org_code", "patients"]]
    icbs = ods.load_icbs().merge(icb, left_on="icb_code", right_on="org_code")
    return icbs.drop(columns="org_code").sort_values("patients").reset_index(drop=True)


def icb_populations_2022() -> pd.DataFrame:
    """The 42 ICBs of 2022 sized two ways: January 2021 practice lists summed by the January
    2022 practice map, and August 2026 lists of their sub-ICB locations (same boundaries)."""
    practice_map = load_practice_map_2022()
    lists = load_practice_lists_2021()
    joined = practice_map.merge(lists, on="practice_code", how="left")
    by_2021 = joined.groupby(["icb_code", "icb_name"])["patients"].sum().rename("patients_2021")
    sizes = load_list_sizes_2026()
    sub = sizes[sizes["org_type"] == "SUB_ICB"].copy()
    sub["icb22_code"] = sub["org_code"].map(sub_icb_to_icb22())
    by_2026 = sub.groupby("icb22_code")["patients"].sum().rename("patients_2026")
    out = by_2021.reset_index().merge(by_2026, left_on="icb_code", right_index=True, how="left")
    return out.sort_values("patients_2021").reset_index(drop=True)


@lru_cache(maxsize=1)
def sub_icbs_2026() -> pd.DataFrame:
    """Each sub-ICB location of 2026 with its 2026 ICB and the 2022 ICB it belonged to. A
    location created in 2026 has no 2022 code: it takes the one 2022 ICB that ODS says was split
    into its 2026 ICB (if exactly one is), marked ``icb22_inferred``; else "unknown"."""
    pm = load_practice_map_2026()
    sub26 = pm.drop_duplicates("sub_icb_code")[["sub_icb_code", "icb_code", "icb_name"]]
    sub26 = sub26.assign(icb22_code=sub26["sub_icb_code"].map(sub_icb_to_icb22()))
    succ = ods.load_successions()
    links = succ[succ["effective_date"] == pd.Timestamp("2026-04-01")]
    links = links[links["predecessor"].str.match(r"^Q[A-Z0-9]{2}$")]
    split = links.groupby("predecessor")["successor"].nunique()
    split = set(split[split > 1].index)
    sub26["icb22_inferred"] = False
    for i, row in sub26[sub26["icb22_code"].isna()].iterrows():
        candidates = links.loc[
            (links["successor"] == row["icb_code"]) & links["predecessor"].isin(split),
            "predecessor",
        ].unique()
        if len(candidates) == 1:
            sub26.loc[i, ["icb22_code", "icb22_inferred"]] = [candidates[0], True]
    sub26["icb22_code"] = sub26["icb22_code"].fillna("unknown")
    return sub26.reset_index(drop=True)


def icb_mergers_2026() -> pd.DataFrame:
    """Each 2022 ICB, the 2026 ICB(s) its sub-ICB locations now sit in, and both sizes."""
    sub26 = sub_icbs_2026().copy()
    sizes = load_list_sizes_2026()
    sub_sizes = sizes[sizes["org_type"] == "SUB_ICB"].set_index("org_code")["patients"]
    sub26["patients"] = sub26["sub_icb_code"].map(sub_sizes)
    keys = ["icb22_code", "icb_code", "icb_name"]
    pairs = (
        sub26.groupby(keys)
        .agg(patients=("patients", "sum"), inferred=("icb22_inferred", "any"))
        .reset_index()
    )
    old = icb_populations_2022().set_index("icb_code")
    pairs["icb22_name"] = pairs["icb22_code"].map(old["icb_name"])
    pairs["icb22_patients_2026"] = pairs["icb22_code"].map(old["patients_2026"])
    new = icb_populations_2026().set_index("icb_code")["patients"]
    pairs["icb26_patients"] = pairs["icb_code"].map(new)
    merged = pairs.groupby("icb_code")["icb22_code"].transform("nunique") > 1
    pairs["merged"] = merged
    return pairs.sort_values(["icb_code", "icb22_code"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def lsoa_places() -> pd.DataFrame:
    """Each LSOA (2011) with its sub-ICB location, 2022 and 2026 ICB, today's council and the
    council's rural-urban class. LSOAs hold about 1,500 residents each, so shares of LSOAs
    approximate shares of residents. A 2022 sub-ICB location that no longer exists in 2026
    (Frimley, split between three ICBs) has no small-area lookup in the data: its LSOAs are
    placed council by council (see :func:`icb_by_boundary`)."""
    lsoa = load_lsoa_icb22()
    pm = load_practice_map_2026().drop_duplicates("sub_icb_code").set_index("sub_icb_code")
    ruc = load_ruc().set_index("gss_code")["rural_urban"]
    council = current_council_code(lsoa["ltla_code"])
    icb = lsoa["sub_icb_code"].map(pm["icb_code"])
    gone = icb.isna()
    icb[gone] = council[gone].map(icb_by_boundary())
    return lsoa.assign(
        icb_code=icb,
        council_code=council,
        rural_urban=council.map(ruc),
        placed_by_boundary=gone,
    )


@lru_cache(maxsize=1)
def icb_by_boundary() -> pd.Series:
    """Each council (2024 code) -> the 2026 ICB (ODS code) whose ONS boundary covers most of its
    area: how the LSOAs of a 2022 sub-ICB location dissolved in 2026 are placed."""
    import shapely

    councils, icbs = boundaries.shapes("lad24"), boundaries.shapes("icb26")
    icb_codes = ods.load_icbs().set_index("icb_ons_code")["icb_code"]
    names = list(icbs)
    tree = shapely.STRtree([icbs[n] for n in names])
    out = {}
    for code, area in councils.items():
        near = [names[i] for i in tree.query(area)]
        out[code] = icb_codes[max(near, key=lambda n: area.intersection(icbs[n]).area)]
    return pd.Series(out, name="icb_code")


def lsoas_placed_by_boundary() -> pd.DataFrame:
    """The LSOAs placed by :func:`icb_by_boundary`, counted by 2022 sub-ICB location, council and
    the 2026 ICB they were placed in (columns sub_icb_code, council, icb, lsoas)."""
    lsoa = lsoa_places()
    moved = lsoa[lsoa["placed_by_boundary"]]
    names = councils().set_index("gss_code")["name"]
    icb_names = ods.load_icbs().set_index("icb_code")["icb_name"]
    counts = moved.groupby(["sub_icb_code", "council_code", "icb_code"]).size()
    out = counts.rename("lsoas").reset_index()
    out["council"] = out["council_code"].map(names)
    out["icb"] = out["icb_code"].map(icb_names).map(vocabulary.icb_short_name)
    return out[["sub_icb_code", "council", "icb", "lsoas"]]


def rural_share(by: str) -> pd.DataFrame:
    """Share of LSOAs in councils classed rural, by ``sub_icb_code`` or ``icb_code``."""
    lsoa = lsoa_places()
    out = (lsoa["rural_urban"] == "Rural").groupby(lsoa[by]).mean().rename("rural_share")
    out = out.reset_index()
    out["rurality"] = np.where(out["rural_share"] >= 0.5, "Mainly rural", "Mainly urban")
    return out


def icb_rurality() -> pd.DataFrame:
    """Rural share of each 2026 ICB (share of its LSOAs in councils classed rural)."""
    return rural_share("icb_code")
