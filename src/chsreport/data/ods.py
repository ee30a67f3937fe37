"""NHS trusts and ICBs: loaders for the ODS, ERIC and trust-list files, the register of every
trust since 2000, and each trust's type over time.

Types come, in order of precedence, from the hand-compiled table ``data/compiled/trust_types.csv``
(each row with its source), the ERIC trust returns 2013/14-2016/17 (``Organisation Type``), and the
2026 trust list (NHS Staff Survey benchmarking groups).  A trust none of these covers is typed
``unknown``: nothing is guessed from names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from chsreport import vocabulary
from chsreport.data import manifest

KNOWN_TYPES = tuple(vocabulary.TYPE_LABELS)

ERIC_TYPES = {
    "ACUTE - SMALL": "acute",
    "ACUTE - MEDIUM": "acute",
    "ACUTE - LARGE": "acute",
    "ACUTE - TEACHING": "acute",
    "ACUTE - MULTI-SERVICE": "acute",
    "ACUTE - SPECIALIST": "acute_specialist",
    "COMMUNITY": "community",
    "MENTAL HEALTH AND LEARNING DISABILITY": "mental_health",
    "AMBULANCE": "ambulance",
    "CARE TRUST": "care_trust",
    "INDEPENDENT SECTOR": None,  # not an NHS trust
}

STAFF_SURVEY_TYPES = {
    "Acute and Acute & Community Trusts": "acute",
    "Acute Specialist Trusts": "acute_specialist",
    "Community Trusts": "community",
    "Ambulance Trusts": "ambulance",
    "Online / Digital": "other",
}

TRUST_CODE = re.compile(r"^[RT][A-Z0-9]{2}$")
ERIC_YEARS = {
    2013: "eric_trust_2013_14",
    2014: "eric_trust_2014_15",
    2015: "eric_trust_2015_16",
    2016: "eric_trust_2016_17",
}
ODS_EXTRACTS = {
    "ods_etr_2016_01": "2016-01",
    "ods_etr_2022_03": "2022-03",
    "ods_etr_2026_07": "2026-07",
}
UNDATED = "ERIC only (no dates)"
COMPILED_TYPES = manifest.PROJECT_ROOT / "data" / "compiled" / "trust_types.csv"


def staff_survey_type(value: str) -> str:
    """A trust type from the NHS Staff Survey's benchmarking group; an unknown group is a
    SchemaError."""
    if value in STAFF_SURVEY_TYPES:
        return STAFF_SURVEY_TYPES[value]
    if value.startswith("M") and "Mental Health" in value or value.startswith("MH"):
        return "mental_health"
    raise manifest.SchemaError(
        f"trust list: unknown staff-survey type {value!r}; expected one of "
        f"{sorted(STAFF_SURVEY_TYPES)} or a mental-health group"
    )


# ---------------------------------------------------------------------------------------------
# Loaders: raw file -> tidy, validated frame
# ---------------------------------------------------------------------------------------------
_ODS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,5}$")),
        "name": pa.Column(str, pa.Check.str_length(min_value=3)),
        "region_code": pa.Column(str, nullable=True),
        "icb_code": pa.Column(str, nullable=True),
        "postcode": pa.Column(str, nullable=True),
        "open_date": pa.Column("datetime64[ns]", nullable=True),
        "close_date": pa.Column("datetime64[ns]", nullable=True),
    },
    strict=True,
    coerce=True,
)


def _ods_date(series: pd.Series, source: str, column: str) -> pd.Series:
    text = series.fillna("").astype(str).str.strip()
    bad = text[(text != "") & ~text.str.fullmatch(r"\d{8}")]
    if len(bad):
        raise manifest.SchemaError(
            f"{source}: column {column!r} should hold dates as YYYYMMDD; found {bad.iloc[0]!r}"
        )
    return pd.to_datetime(text.replace("", None), format="%Y%m%d").astype("datetime64[ns]")


def parse_ods_etr(path: Path) -> pd.DataFrame:
    """ODS ``etr.csv`` (no header; 24- or 27-column layout) -> one row per organisation."""
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="latin-1")
    if raw.shape[1] not in (24, 27):
        raise manifest.SchemaError(
            f"{path.name}: expected the ODS 24- or 27-column layout, found {raw.shape[1]} columns"
        )
    frame = pd.DataFrame(
        {
            "code": raw[0].str.strip(),
            "name": raw[1].str.strip(),
            "region_code": raw[2].replace("", None),
            "icb_code": raw[3].replace("", None),
            "postcode": raw[9].replace("", None),
            "open_date": _ods_date(raw[10], path.name, "open date (column 11)"),
            "close_date": _ods_date(raw[11], path.name, "close date (column 12)"),
        }
    )
    return manifest.validate(frame, _ODS_SCHEMA, path.name)


def load_ods_trusts() -> pd.DataFrame:
    """All three ODS trust extracts stacked, with an ``extract`` column (YYYY-MM)."""
    frames = []
    for name, extract in ODS_EXTRACTS.items():
        frame = manifest.cached_frame(name, parse_ods_etr)
        frames.append(frame.assign(extract=extract))
    return pd.concat(frames, ignore_index=True)


_SUCC_SCHEMA = pa.DataFrameSchema(
    {
        "predecessor": pa.Column(str, pa.Check.str_length(min_value=3)),
        "successor": pa.Column(str, pa.Check.str_length(min_value=3)),
        "reason": pa.Column(str, nullable=True),
        "effective_date": pa.Column("datetime64[ns]"),
        "split": pa.Column(bool),
    },
    strict=True,
)


def parse_ods_succ(path: Path) -> pd.DataFrame:
    """ODS ``succ.csv`` (no header): predecessor, successor, reason, effective date, split flag."""
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    if raw.shape[1] != 5:
        raise manifest.SchemaError(f"{path.name}: expected 5 columns, found {raw.shape[1]}")
    split = raw[4].str.strip()
    if not split.isin(["0", "1"]).all():
        raise manifest.SchemaError(f"{path.name}: column 5 (split flag) should be 0 or 1")
    frame = pd.DataFrame(
        {
            "predecessor": raw[0].str.strip(),
            "successor": raw[1].str.strip(),
            "reason": raw[2].replace("", None),
            "effective_date": _ods_date(raw[3], path.name, "effective date (column 4)"),
            "split": split == "1",
        }
    )
    return manifest.validate(frame, _SUCC_SCHEMA, path.name)


def load_successions() -> pd.DataFrame:
    return manifest.cached_frame("ods_succ_2026_05", parse_ods_succ)


_PATH_COLUMNS = [
    "old_code",
    "new_code_0",
    "new_code_1",
    "date_change_1",
    "change_type_1",
    "new_code_2",
    "date_change_2",
    "change_type_2",
    "new_code_3",
    "date_change_3",
    "change_type_3",
    "final_code",
    "experiences_split",
]

_CHANGE_SCHEMA = pa.DataFrameSchema(
    {
        "from_code": pa.Column(str),
        "to_code": pa.Column(str),
        "date": pa.Column("datetime64[ns]"),
        "change_type": pa.Column(str, pa.Check.isin(["merger", "split", "name_change"])),
    },
    strict=True,
)


def parse_change_paths(path: Path) -> pd.DataFrame:
    """Burn's trust change paths 2000-2018 -> one row per step (from, to, date, change type)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["NA"])
    manifest.require_columns(raw, _PATH_COLUMNS, path.name)
    steps = []
    for step in (1, 2, 3):
        previous = raw["new_code_0"] if step == 1 else raw[f"new_code_{step - 1}"]
        part = pd.DataFrame(
            {
                "from_code": previous,
                "to_code": raw[f"new_code_{step}"],
                "date": raw[f"date_change_{step}"],
                "change_type": raw[f"change_type_{step}"],
            }
        ).dropna(subset=["to_code", "date"])
        steps.append(part)
    frame = pd.concat(steps, ignore_index=True).drop_duplicates()
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    return manifest.validate(frame.reset_index(drop=True), _CHANGE_SCHEMA, path.name)


def load_change_paths() -> pd.DataFrame:
    return manifest.cached_frame("trust_change_paths_2000_2018", parse_change_paths)


_ERIC_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,5}$")),
        "name": pa.Column(str),
        "eric_type": pa.Column(str, pa.Check.isin(list(ERIC_TYPES))),
        "type": pa.Column(str, pa.Check.isin(list(KNOWN_TYPES))),
    },
    strict=True,
)


def parse_eric_trust(path: Path) -> pd.DataFrame:
    """ERIC trust file ('$'-delimited, banner row then header) -> code, name, ERIC and book type.

    A few rows in some years have a name containing a comma that was turned into the delimiter,
    which shifts the region into ``Organisation Type``; those rows are re-joined here.
    """
    raw = pd.read_csv(
        path, sep="$", skiprows=1, dtype=str, keep_default_na=False, encoding="latin-1"
    )
    manifest.require_columns(
        raw, ["Organisation Code", "Organisation Name", "Organisation Type"], path.name
    )
    columns = list(raw.columns)
    type_at = columns.index("Organisation Type")
    shifted = raw["Organisation Type"].str.contains("COMMISSIONING REGION")
    name = raw["Organisation Name"].where(
        ~shifted, raw["Organisation Name"] + "," + raw["Commissioning Region"]
    )
    eric_type = raw["Organisation Type"].where(~shifted, raw[columns[type_at + 1]])
    frame = pd.DataFrame(
        {
            "code": raw["Organisation Code"].str.strip(),
            "name": name.str.strip(),
            "eric_type": eric_type.str.strip(),
        }
    )
    unknown = sorted(set(frame["eric_type"]) - set(ERIC_TYPES))
    if unknown:
        raise manifest.SchemaError(
            f"{path.name}: column 'Organisation Type' has values {unknown} "
            f"not in {list(ERIC_TYPES)}"
        )
    frame = frame[frame["eric_type"].map(ERIC_TYPES).notna()].copy()
    frame["type"] = frame["eric_type"].map(ERIC_TYPES)
    return manifest.validate(frame.reset_index(drop=True), _ERIC_SCHEMA, path.name)


def load_eric_types() -> pd.DataFrame:
    """ERIC trust types, one row per trust and financial year (``year`` = first calendar year)."""
    frames = [
        manifest.cached_frame(name, parse_eric_trust, version="2").assign(year=year)
        for year, name in ERIC_YEARS.items()
    ]
    return pd.concat(frames, ignore_index=True)


_TRUST_LIST_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,5}$"), unique=True),
        "name": pa.Column(str),
        "survey_group": pa.Column(str),
        "type": pa.Column(str, pa.Check.isin(list(KNOWN_TYPES))),
        "region": pa.Column(str, nullable=True),
        "ics": pa.Column(str, nullable=True),
        "predecessor_codes": pa.Column(str, nullable=True),
        "merger_date": pa.Column("datetime64[ns]", nullable=True),
    },
    strict=True,
)


def parse_trust_list(path: Path) -> pd.DataFrame:
    """The 2026 trust list -> code, name, staff-survey group, book type, region, ICS."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    wanted = ["ods_code", "name", "type", "region", "ics", "predecessor_codes", "merger_date"]
    manifest.require_columns(raw, wanted, path.name)
    frame = pd.DataFrame(
        {
            "code": raw["ods_code"].str.strip(),
            "name": raw["name"].str.strip(),
            "survey_group": raw["type"].str.strip(),
            "type": raw["type"].str.strip().map(staff_survey_type),
            "region": raw["region"].replace("", None),
            "ics": raw["ics"].replace("", None),
            "predecessor_codes": raw["predecessor_codes"].replace("", None),
            "merger_date": pd.to_datetime(raw["merger_date"].replace("", None), format="%Y-%m-%d"),
        }
    )
    frame["merger_date"] = frame["merger_date"].astype("datetime64[ns]")
    return manifest.validate(frame, _TRUST_LIST_SCHEMA, path.name)


def load_trust_list() -> pd.DataFrame:
    return manifest.cached_frame("trust_list_2026_08", parse_trust_list)


_ICB_SCHEMA = pa.DataFrameSchema(
    {
        "icb_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,5}$"), unique=True),
        "icb_ons_code": pa.Column(str, pa.Check.str_matches(r"^E54\d{6}$")),
        "icb_name": pa.Column(str),
        "region_code": pa.Column(str),
        "region_name": pa.Column(str),
    },
    strict=True,
)


def parse_icbs(path: Path) -> pd.DataFrame:
    """GP practice map (zip) -> the ICBs it names, one row each."""
    raw = manifest.read_zipped_csv(path)
    wanted = ["ICB_CODE", "ONS_ICB_CODE", "ICB_NAME", "COMM_REGION_CODE", "COMM_REGION_NAME"]
    manifest.require_columns(raw, wanted, path.name)
    frame = (
        raw[wanted]
        .drop_duplicates()
        .set_axis(["icb_code", "icb_ons_code", "icb_name", "region_code", "region_name"], axis=1)
        .sort_values("icb_code")
        .reset_index(drop=True)
    )
    return manifest.validate(frame, _ICB_SCHEMA, path.name)


def load_icbs() -> pd.DataFrame:
    """The ICBs of 2026 (36 after the April 2026 mergers)."""
    return manifest.cached_frame("gp_practice_map_2026_08", parse_icbs)


def load_compiled_types(path: Path = COMPILED_TYPES) -> pd.DataFrame:
    """The hand-compiled table of trust types the published files leave untyped, each row with its
    validity dates and source (checked)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(frame, ["code", "type", "valid_from", "valid_to", "source"], path.name)
    if (frame["source"].str.strip() == "").any():
        raise manifest.SchemaError(f"{path.name}: every row needs a source")
    bad = sorted(set(frame["type"]) - set(KNOWN_TYPES))
    if bad:
        raise manifest.SchemaError(f"{path.name}: unknown type(s) {bad}")
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame


# ---------------------------------------------------------------------------------------------
# The register of trusts
# ---------------------------------------------------------------------------------------------
def map_icb_to_current(codes: pd.Series, successions: pd.DataFrame, current: set[str]) -> pd.Series:
    """Carry ICB/STP codes to today's ICB through ODS successions (first successor if split)."""
    links = (
        successions[successions["predecessor"].str.match(r"^Q[A-Z0-9]{2}$")]
        .sort_values(["predecessor", "effective_date", "successor"])
        .drop_duplicates("predecessor", keep="last")
        .set_index("predecessor")["successor"]
    )

    def carry(code):
        seen = set()
        while isinstance(code, str) and code not in current and code in links and code not in seen:
            seen.add(code)
            code = links[code]
        return code if isinstance(code, str) and code in current else None

    return codes.map(carry)


@lru_cache(maxsize=1)
def trust_register() -> pd.DataFrame:
    """Every English NHS trust in the ODS extracts, ODS successions or ERIC since 2000.

    Columns: code, name, open_date, close_date, region_code and region_name (NHS England region,
    named where the code is current), icb_code (today's ICB), icb_name, dates_from (which source
    gave the dates).
    Long because the register joins four sources (ODS extracts, successions, regions, ICBs)
    whose precedence is read top to bottom.
    """
    ods = load_ods_trusts()
    ods = ods[ods["region_code"].fillna("").str.startswith("Y")]
    latest = ods.sort_values("extract").drop_duplicates("code", keep="last").copy()
    latest["dates_from"] = "ODS etr " + latest["extract"]

    succ = load_successions()
    eric = load_eric_types()
    change = load_change_paths()
    known = set(latest["code"])
    is_trust = succ["predecessor"].isin(known) | succ["predecessor"].str.match(TRUST_CODE.pattern)
    closures = (
        succ[is_trust & ~succ["predecessor"].isin(known)]
        .groupby("predecessor")["effective_date"]
        .max()
    )
    extra = pd.DataFrame(
        {"code": closures.index, "close_date": closures.values - pd.Timedelta(days=1)}
    )
    extra["dates_from"] = "ODS succession (close date only)"
    eric_names = (
        eric.sort_values("year").drop_duplicates("code", keep="last").set_index("code")["name"]
    )
    eric_only = sorted(set(eric["code"]) - known - set(extra["code"]))
    # change paths name trusts that closed before the extracts (with their closing date)
    change_closed = change[change["from_code"].str.match(TRUST_CODE.pattern)]
    change_closed = change_closed[change_closed["change_type"] != "name_change"]
    change_only = change_closed[~change_closed["from_code"].isin(known | set(extra["code"]))]
    change_close = change_only.groupby("from_code")["date"].max()
    extra = pd.concat(
        [
            extra,
            pd.DataFrame(
                {
                    "code": change_close.index,
                    "close_date": change_close.values - pd.Timedelta(days=1),
                    "dates_from": "trust change paths 2000-2018 (close date only)",
                }
            ),
        ],
        ignore_index=True,
    )
    # care trusts are not in the ODS trust file; those still open are in the 2026 trust list
    trust_list = load_trust_list()
    listed_only = trust_list[~trust_list["code"].isin(known | set(extra["code"]))]
    icbs = load_icbs()
    icb_by_ics = {
        vocabulary.icb_short_name(name): code
        for code, name in zip(icbs["icb_code"], icbs["icb_name"], strict=True)
    }
    listed = pd.DataFrame(
        {
            "code": listed_only["code"],
            "icb_code": listed_only["ics"].map(icb_by_ics),
            "dates_from": "2026 trust list (open; no dates: not in the ODS trust file)",
        }
    )
    eric_only = sorted(set(eric_only) - set(listed["code"]))
    undated = pd.DataFrame({"code": eric_only, "dates_from": UNDATED})
    extra = pd.concat([extra, listed, undated], ignore_index=True)
    extra["name"] = extra["code"].map(eric_names)
    register = pd.concat([latest, extra], ignore_index=True)
    register["close_date"] = register["close_date"].astype("datetime64[ns]")
    register["open_date"] = register["open_date"].astype("datetime64[ns]")

    current = set(icbs["icb_code"])
    register["icb_code"] = map_icb_to_current(register["icb_code"], succ, current)
    register = register.merge(icbs[["icb_code", "icb_name"]], on="icb_code", how="left")
    regions = icbs.drop_duplicates("region_code").set_index("region_code")["region_name"]
    register["region_name"] = register["region_code"].map(regions)  # today's regions only
    register["name"] = (
        register["code"].map(trust_list.set_index("code")["name"]).fillna(register["name"])
    )
    register["name"] = register["name"].fillna("(name not in the data)")
    columns = [
        "code",
        "name",
        "open_date",
        "close_date",
        "region_code",
        "region_name",
        "icb_code",
        "icb_name",
        "dates_from",
    ]
    return register[columns].sort_values("code").reset_index(drop=True)


def is_open(register: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
    """Trusts open on a date (an unknown open date counts as open since before the data;
    a trust known only from ERIC, with no dates at all, is left out)."""
    opened = register["open_date"].isna() | (register["open_date"] <= on)
    not_closed = register["close_date"].isna() | (register["close_date"] >= on)
    return opened & not_closed & (register["dates_from"] != UNDATED)


# ---------------------------------------------------------------------------------------------
# Types over time
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def type_evidence() -> pd.DataFrame:
    """Every piece of type evidence: code, type, from, to, source (one row each)."""
    rows = []
    compiled = load_compiled_types()
    for rec in compiled.itertuples():
        rows.append(
            (rec.code, rec.type, rec.valid_from, rec.valid_to, f"compiled: {rec.source}", 0)
        )
    eric = load_eric_types()
    for rec in eric.itertuples():
        start = pd.Timestamp(year=rec.year, month=4, day=1)
        end = pd.Timestamp(year=rec.year + 1, month=3, day=31)
        rows.append((rec.code, rec.type, start, end, f"ERIC {rec.year}-{str(rec.year + 1)[2:]}", 1))
    for rec in load_trust_list().itertuples():
        rows.append(
            (
                rec.code,
                rec.type,
                pd.Timestamp("2026-08-22"),
                pd.Timestamp("2026-08-22"),
                f"trust list 2026-08 ({rec.survey_group})",
                1,
            )
        )
    return pd.DataFrame(rows, columns=["code", "type", "valid_from", "valid_to", "source", "rank"])


_LAST_INDEX: list = []  # [(evidence frame, its index)]: one slot, the frame checked by identity


def evidence_by_code(evidence: pd.DataFrame) -> dict[str, list[tuple]]:
    """Type evidence grouped by trust code: (type, valid_from, valid_to, source, rank) tuples.

    Built once per evidence frame (type lookups run thousands of times per chapter); the last
    frame's index is kept, and a different frame (a test's, a reloaded one) replaces it.
    """
    if _LAST_INDEX and _LAST_INDEX[0][0] is evidence:
        return _LAST_INDEX[0][1]
    index: dict[str, list[tuple]] = {}
    columns = ["code", "type", "valid_from", "valid_to", "source", "rank"]
    for code, *rest in evidence[columns].itertuples(index=False, name=None):
        index.setdefault(code, []).append(tuple(rest))
    _LAST_INDEX[:] = [(evidence, index)]
    return index


def type_on(code: str, on: pd.Timestamp, evidence: pd.DataFrame | None = None) -> tuple[str, str]:
    """(type, source) of a trust on a date.

    A compiled row covering the date wins; otherwise the dated evidence nearest in time
    (ERIC years, the 2026 list); with no evidence at all, ('unknown', 'no type in the data').
    """
    evidence = type_evidence() if evidence is None else evidence
    own = evidence_by_code(evidence).get(code)
    if not own:
        return "unknown", "no type in the data"
    covering = sorted((r for r in own if r[1] <= on <= r[2]), key=lambda r: r[4])
    if covering:
        return covering[0][0], covering[0][3]
    dated = [r for r in own if r[4] == 1]
    pool = dated or [r for r in own if r[4] == 0]
    best = min(pool, key=lambda r: min(abs(r[1] - on), abs(r[2] - on)))
    return best[0], f"{best[3]} (nearest year)"


def ever_typed(code: str, kind: str, before: pd.Timestamp, evidence: pd.DataFrame) -> bool:
    """Whether any source typed ``code`` as ``kind`` with evidence starting on or before a date."""
    return any(r[0] == kind and r[1] <= before for r in evidence_by_code(evidence).get(code, []))


def names_by_extract(code: str) -> dict[str, str]:
    """The name ODS gave a trust in each extract that lists it (extract -> name)."""
    ods = load_ods_trusts()
    own = ods[ods["code"] == code].sort_values("extract")
    return dict(zip(own["extract"], own["name"], strict=True))
