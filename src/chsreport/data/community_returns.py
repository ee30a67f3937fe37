"""The community providers' own returns: NHS England's CHS SitRep Table 4 (service lines per
provider and month), the Community Services Data Set's care contacts (March 2025), the community
discharge sitrep's reporters, the OHID catchments by council, and the book's dated table of the
main adult community provider by council (``data/compiled/community_areas.csv``).

The workbooks of 2023-01..2023-07 name providers without codes: codes come from the names of the
coded months and of the ODS trust files (:func:`provider_codes_by_name`); a name that matches
nothing is kept and listed. Where non-NHS providers are based is not in the ODS trust files: it
is found from the returns themselves (:func:`locate_providers`): Table 4 also gives ICB totals,
which are sums over each ICB's providers, so a provider belongs to the one ICB whose unexplained
remainder holds its numbers in every line and month.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from chsreport import vocabulary
from chsreport.data import finance, geography, manifest, ods, outcomes, succession

CHS_PREFIX = "chs_waiting_lists_"
SUPPRESSED = re.compile(r"safeguarding|looked after children", re.IGNORECASE)
SOURCE_CHS = "NHS England, CHS SitRep (community health services waiting lists), Table 4"
SOURCE_CSDS = "NHS England Digital, Community Services Data Set, March 2025"


# --------------------------------------------------------------------------- CHS SitRep
def chs_names() -> list[str]:
    """Manifest names of the CHS workbooks, in month order."""
    return sorted(n for n in manifest.load_manifest() if n.startswith(CHS_PREFIX))


def return_months() -> list[pd.Timestamp]:
    """The months for which NHS England published provider returns held here (a workbook's
    month, from its manifest period)."""
    return [manifest.month_of(name) for name in chs_names()]


def month_runs_words(months: list[pd.Timestamp]) -> str:
    """Months as runs in words: "Jan 2023 to Oct 2023 and Aug 2024 to Jul 2025"."""
    runs: list[list[pd.Timestamp]] = []
    for month in sorted(months):
        if runs and month == runs[-1][-1] + pd.DateOffset(months=1):
            runs[-1].append(month)
        else:
            runs.append([month])
    words = [
        vocabulary.month(run[0]) if len(run) == 1 else vocabulary.period(run[0], run[-1])
        for run in runs
    ]
    return vocabulary.in_a_list(words)


def _month_of(table: pd.DataFrame, path: Path) -> pd.Timestamp:
    """The data month: from Table 4's heading, or (2023-02, whose heading has none) the last month
    with a number in Table 2's national time series."""
    for value in table.iloc[:3].to_numpy().ravel():
        if isinstance(value, str):
            found = re.search(r"by service, ([A-Za-z]+ \d{4})", value)
            if found:
                return pd.Timestamp(pd.to_datetime(found.group(1), format="%B %Y"))
    series = pd.read_excel(path, sheet_name="Table 2", header=None, dtype=object)
    for i in range(min(10, len(series))):
        dates = {j: v for j, v in enumerate(series.iloc[i]) if isinstance(v, datetime)}
        if dates:
            england = series.iloc[i + 1]
            filled = [
                v for j, v in dates.items() if pd.notna(pd.to_numeric(england[j], errors="coerce"))
            ]
            if filled:
                return pd.Timestamp(max(filled))
    raise manifest.SchemaError(
        f"{path.name}: no month in Table 4's heading ('Total waiting list by service, <Month "
        "Year>') nor in Table 2's time series"
    )


def parse_chs_table4(path: Path) -> pd.DataFrame:
    """Table 4 of one CHS workbook -> long frame of submitted cells.

    Columns: month, level (provider or icb), code ("" where the workbook gives none), name,
    line, adult (bool), value (people waiting; 0 is a submission).
    """
    table = pd.read_excel(path, sheet_name="Table 4", header=None, dtype=object)
    return chs_sheet(table, path, "Table 4")


def chs_sheet(table: pd.DataFrame, path: Path, sheet: str) -> pd.DataFrame:
    """One sheet laid out like Table 4 (service lines across, regions, ICBs and providers down;
    Tables 4a-4h by weeks waited share it) -> the long frame :func:`parse_chs_table4` describes;
    ``sheet`` names it in errors."""
    month = _month_of(table, path)
    header = None
    for i in range(min(15, len(table))):
        if any(isinstance(v, str) and v.startswith("(A) ") for v in table.iloc[i]):
            header = i
            break
    if header is None:
        raise manifest.SchemaError(f"{path.name}: {sheet} has no row of '(A) ...' service lines")
    columns = table.iloc[header].tolist()
    lines = [
        j for j, c in enumerate(columns) if isinstance(c, str) and re.match(r"\((A|CYP)\) ", c)
    ]
    name_col = lines[0] - 1
    has_code = str(columns[name_col - 1]).strip() == "Organisation Code"
    label_col = name_col - 2 if has_code else name_col - 1
    body = table.iloc[header + 1 :].copy()
    body["_label"] = body[label_col].where(body[label_col].notna()).ffill()
    level = body["_label"].map({"Provider": "provider", "Organisation": "provider", "ICB": "icb"})
    body = body[level.notna()].assign(_level=level)
    if (body["_level"] == "provider").sum() < 50:
        raise manifest.SchemaError(f"{path.name}: {sheet} lists fewer than 50 providers")
    keep = [j for j in lines if not SUPPRESSED.search(columns[j])]
    long = body.melt(
        id_vars=["_level", name_col] + ([name_col - 1] if has_code else []),
        value_vars=keep,
        var_name="_col",
        value_name="value",
    )
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"])
    frame = pd.DataFrame(
        {
            "month": month,
            "level": long["_level"].astype(str),
            "code": (long[name_col - 1] if has_code else pd.Series("", index=long.index))
            .fillna("")
            .astype(str)
            .str.strip(),
            "name": long[name_col].astype(str).str.strip(),
            "line": long["_col"].map(lambda j: columns[j]).astype(str),
            "value": long["value"].astype(float),
        }
    )
    frame["month"] = frame["month"].astype("datetime64[ns]")
    frame["adult"] = frame["line"].str.startswith("(A) ")
    return frame.reset_index(drop=True)


def normalise_name(name: str) -> str:
    text = str(name).upper().replace("&", " AND ")
    text = re.sub(r"[^A-Z0-9 ]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _chs_raw() -> pd.DataFrame:
    frames = [manifest.cached_frame(n, parse_chs_table4) for n in chs_names()]
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=1)
def provider_names() -> dict[str, str]:
    """ODS code -> the provider's name as readers know it: the newest name the CHS returns give
    for the code, else the ODS trust files' name, in title case."""
    chs = _chs_raw()
    coded = chs[(chs["level"] == "provider") & (chs["code"] != "")]
    newest = coded.sort_values("month").drop_duplicates("code", keep="last")
    names = dict(zip(newest["code"], newest["name"], strict=True))
    trusts = ods.load_ods_trusts().sort_values("extract", ascending=False).drop_duplicates("code")
    for code, name in zip(trusts["code"], trusts["name"], strict=True):
        names.setdefault(code, name)
    return {code: vocabulary.org_name(name) for code, name in names.items()}


def provider_named(code: str) -> str:
    """A provider named before its code: "Hertfordshire Community NHS Trust (RY4)"."""
    name = provider_names().get(code)
    return f"{name} ({code})" if name and name != code else code


def provider_codes_by_name(chs: pd.DataFrame) -> dict[str, str]:
    """Normalised provider name -> ODS code, from the coded months first, then every ODS trust
    file (a name used for two codes is dropped rather than guessed)."""
    coded = chs[(chs["level"] == "provider") & (chs["code"] != "")][["code", "name"]]
    coded = coded.drop_duplicates().assign(key=lambda f: f["name"].map(normalise_name))
    codes = coded.groupby("key")["code"].agg(lambda s: sorted(set(s)))
    lookup = {k: v[0] for k, v in codes.items() if len(v) == 1}
    trusts = ods.load_ods_trusts().sort_values("extract", ascending=False)
    for rec in trusts.itertuples():
        lookup.setdefault(normalise_name(rec.name), rec.code)
    return lookup


@lru_cache(maxsize=1)
def chs_cells() -> pd.DataFrame:
    """Every submitted cell of every CHS workbook, providers and ICBs, with codes filled in for
    the months that give names only (``code`` stays "" where no name matches)."""
    return fill_codes(_chs_raw())


def fill_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame of CHS cells with providers' codes filled in from their names where
    the workbook gives none (2023-01..2023-05), by :func:`provider_codes_by_name`."""
    chs = frame.copy()
    lookup = provider_codes_by_name(_chs_raw())
    missing = (chs["level"] == "provider") & (chs["code"] == "")
    chs.loc[missing, "code"] = chs.loc[missing, "name"].map(normalise_name).map(lookup).fillna("")
    return chs


def chs_sheet_month(path: Path) -> pd.Timestamp:
    """The data month of a CHS workbook (:func:`_month_of` on its Table 4)."""
    return _month_of(pd.read_excel(path, sheet_name="Table 4", header=None, nrows=3), path)


def unmatched_names() -> list[str]:
    cells = chs_cells()
    return sorted(
        cells.loc[(cells["level"] == "provider") & (cells["code"] == ""), "name"].unique()
    )


def provider_months() -> pd.DataFrame:
    """Per provider code and CHS month: service lines submitted (all and adult) and people
    waiting on adult lines."""
    cells = chs_cells()
    cells = cells[(cells["level"] == "provider") & (cells["code"] != "")]
    grouped = cells.groupby(["code", "month"])
    out = grouped.agg(
        name=("name", "first"),
        lines=("line", "nunique"),
        adult_lines=("adult", "sum"),
    )
    out["adult_waiting"] = cells[cells["adult"]].groupby(["code", "month"])["value"].sum()
    out["adult_waiting"] = out["adult_waiting"].fillna(0.0)
    return out.reset_index()


# --------------------------------------------------------------------------- CSDS and sitrep
def summary_metric(item: dict, key: str, field: str) -> float:
    """One figure of an area in the JSON summaries (CSDS, UCR, bed audit): ``metrics[key][field]``,
    NaN when absent."""
    value = ((item.get("metrics") or {}).get(key) or {}).get(field)
    return float(value) if value is not None else np.nan


def adult_care_contacts(item: dict) -> float:
    """An area's CSDS care contacts of people aged 19 and over (19-64 plus 65+); NaN unless
    both are given."""
    ages = ((item.get("metrics") or {}).get("csds-care-contacts") or {}).get("age") or {}
    adult = [ages.get("age_19_64"), ages.get("age_65_plus")]
    return float(sum(adult)) if None not in adult else np.nan


def summary_rows(raw: dict, levels, values) -> pd.DataFrame:
    """One row per area of a JSON summary: its level, code and name, and ``values(item)``;
    ``levels`` pairs each level's name with the key holding its areas (a list, or the one
    England record)."""
    rows = []
    for level, key in levels:
        if key not in raw:
            raise manifest.SchemaError(f"no {key!r} in the summary")
        items = raw[key] if isinstance(raw[key], list) else [raw[key]]
        for item in items:
            rows.append(
                {
                    "level": level,
                    "code": str(item.get("code", "")).strip(),
                    "name": str(item.get("name", "")),
                }
                | values(item)
            )
    return pd.DataFrame(rows)


def parse_csds_providers(path: Path) -> pd.DataFrame:
    """CSDS March 2025 summary -> code, name, care contacts, people with a contact, referrals."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if "providers" not in raw:
        raise manifest.SchemaError(f"{path.name}: no 'providers' list")
    frame = summary_rows(
        raw,
        [("provider", "providers")],
        lambda item: {
            "care_contacts": summary_metric(item, "csds-care-contacts", "count"),
            "adult_care_contacts": adult_care_contacts(item),
            "people_in_contact": summary_metric(item, "csds-people-with-care-contact", "count"),
            "referrals": summary_metric(item, "csds-referrals", "count"),
        },
    ).drop(columns="level")
    if frame.empty or frame["care_contacts"].notna().sum() < 50:
        raise manifest.SchemaError(f"{path.name}: fewer than 50 providers with care contacts")
    return frame


def load_csds() -> pd.DataFrame:
    return manifest.cached_frame("pelld_csds_mar_2025", parse_csds_providers, version="2")


SITREP_MONTH = pd.Timestamp("2023-10-01")  # the middle of the community sitrep's eight months
SITREP_FIRST, SITREP_LAST = pd.Timestamp("2023-06-01"), pd.Timestamp("2024-01-01")


def sitrep_period() -> str:
    """The months of the community discharge sitrep, in words ("Jun 2023 to Jan 2024")."""
    return vocabulary.period(SITREP_FIRST, SITREP_LAST)


def sitrep_month_count() -> int:
    """How many months the community discharge sitrep held covers."""
    return (SITREP_LAST.year - SITREP_FIRST.year) * 12 + SITREP_LAST.month - SITREP_FIRST.month + 1


SITREP_ACTIVITY = (
    "Number of patients discharged",
    "Number of patients who no longer meet the criteria to reside",
)


def parse_sitrep_community_activity(path: Path) -> pd.DataFrame:
    """Community discharge sitrep, Table 2 -> per provider and month: days reported and the sum
    of patients discharged and not meeting the criteria to reside."""

    rows = outcomes.sitrep_rows(path, "community", "Table 2", SITREP_ACTIVITY)
    out = rows.groupby(["org_code", "month"]).agg(
        community_activity=("value", lambda s: float(s.sum(min_count=1) or 0.0)),
    )
    return out.reset_index().rename(columns={"org_code": "code"})


def load_sitrep_community_activity() -> pd.DataFrame:
    return manifest.cached_frame("flow_sitrep_long", parse_sitrep_community_activity)


# --------------------------------------------------------------------------- where providers are
def icb22_of_trusts() -> pd.Series:
    trusts = ods.load_ods_trusts()
    trusts = trusts[trusts["extract"] == "2022-03"].dropna(subset=["icb_code"])
    return trusts.set_index("code")["icb_code"]


@lru_cache(maxsize=1)
def locate_providers() -> pd.DataFrame:
    """The 2022 ICB of every provider in the coded CHS months: NHS trusts from the ODS file of
    2022; other providers from the returns' own ICB totals (see the module's docstring).

    Columns: code, icb22_code (Q-code, or "" where it cannot be placed), how.
    """
    cells = chs_cells()
    coded = cells[cells["month"] >= pd.Timestamp("2023-08-01")]
    provider = coded[(coded["level"] == "provider") & (coded["code"] != "")]
    icb = coded[(coded["level"] == "icb") & coded["code"].str.match(r"^Q[A-Z0-9]{2}$")]
    key = ["month", "line"]
    values = provider.pivot_table(index="code", columns=key, values="value", aggfunc="sum")
    totals = icb.pivot_table(index="code", columns=key, values="value", aggfunc="sum")
    columns = values.columns.union(totals.columns)
    values = values.reindex(columns=columns).fillna(0.0)
    totals = totals.reindex(columns=columns).fillna(0.0)
    known = icb22_of_trusts()
    located = {c: known[c] for c in values.index if c in known.index and known[c] in totals.index}
    how = dict.fromkeys(located, "ODS trust file (2022): headquarters ICB")
    remainder = totals.copy()
    for code, place in located.items():
        remainder.loc[place] -= values.loc[code]
    left = [c for c in values.index if c not in located]
    changed = True
    while left and changed:
        changed = False
        for code in list(left):
            row = values.loc[code].to_numpy()
            fits = [
                place
                for place in remainder.index
                if np.all(row <= remainder.loc[place].to_numpy() + 0.5)
            ]
            if len(fits) == 1:
                located[code] = fits[0]
                how[code] = "CHS Table 4: the only ICB whose totals hold its numbers"
                remainder.loc[fits[0]] -= values.loc[code]
                left.remove(code)
                changed = True
    for code in left:
        located[code] = ""
        how[code] = "not placed: its numbers fit more than one ICB's totals, or none"
    return pd.DataFrame({"code": list(located), "icb22_code": list(located.values())}).assign(
        how=lambda f: f["code"].map(how)
    )


# --------------------------------------------------------------------------- acute trusts' exposure
KIND_OF_TYPE = {
    "community": "standalone",
    "mental_health": "mental_health",
    "mental_health_community": "mental_health",
    "care_trust": "mental_health",
    "acute": "acute",
    "acute_community": "acute",
    "acute_specialist": "acute",
}


def provider_kind(code: str, on: pd.Timestamp, od: succession.OrgData) -> str:
    """standalone, mental_health, acute or other (non-NHS providers and anything untyped)."""
    if not ods.TRUST_CODE.match(code):
        return "other"
    return KIND_OF_TYPE.get(ods.type_on(code, on, od.evidence)[0], "other")


def adult_contacts(od: succession.OrgData, codes: list[str], on: pd.Timestamp) -> dict[str, float]:
    """Each trust's adult community care contacts (CSDS), its own and those of the trusts it
    was made of on ``on``; NaN where none of them has a count."""
    csds = load_csds().set_index("code")["adult_care_contacts"]
    out = {}
    for code in codes:
        counts = [csds[m] for m in constituents(code, on, od) if m in csds.index]
        out[code] = float(np.nansum(counts)) if counts and not np.isnan(counts).all() else np.nan
    return out


def adult_contact_shares(od: succession.OrgData, on: pd.Timestamp) -> pd.Series:
    """Share of England's adult community care contacts (CSDS) by kind of provider on ``on``
    (acute, standalone, mental_health, other); providers without an adult count are left out."""
    csds = load_csds().dropna(subset=["adult_care_contacts"])
    kinds = pd.Series([provider_kind(c, on, od) for c in csds["code"]], index=csds.index)
    totals = csds.groupby(kinds)["adult_care_contacts"].sum()
    return totals / totals.sum()


def parse_catchment_ltla(path: Path) -> pd.DataFrame:
    """OHID catchment file -> per acute trust and council (2021 codes): the share of the trust's
    patients from that council."""
    raw = pd.read_csv(path, dtype=str)
    names = {
        "nhs_trust22_code": "code",
        "ltla21_code": "ltla_code",
        "proportion_trust_came_from_ltla": "share",
    }
    frame = manifest.select_columns(raw, names, path.name)
    frame["share"] = frame["share"].astype(float)
    return manifest.check_range(frame, "share", 0, 1, path.name, key=["code", "ltla_code"])


def load_catchment_ltla() -> pd.DataFrame:
    return manifest.cached_frame("ohid_catchment_share_ltla21", parse_catchment_ltla, version="2")


def patients_by_council(od: succession.OrgData) -> pd.DataFrame:
    """Admitted patients (OHID catchment population x share) per today's acute trust and council
    (2021 districts), with the council's 2022 ICB. Columns: code, ltla_code, icb22_code,
    patients."""

    shares = load_catchment_ltla()
    size = finance.load_ohid_catchment().set_index("code")["catchment_population"]
    frame = shares.assign(patients=shares["share"] * shares["code"].map(size))
    frame = frame.assign(code=succession.to_current(od.graph, frame["code"]))
    frame = frame.groupby(["code", "ltla_code"], as_index=False)["patients"].sum()
    lsoa = geography.load_lsoa_icb22()
    icb_of = lsoa.groupby("ltla_code")["icb22_code"].agg(lambda s: s.value_counts().index[0])
    frame["icb22_code"] = frame["ltla_code"].map(icb_of)
    return frame.dropna(subset=["icb22_code", "patients"])


def constituents(code: str, month: pd.Timestamp, od: succession.OrgData) -> list[str]:
    """Codes whose community services count as today's trust ``code``'s in ``month``: itself,
    acute predecessors (their patients are in its panel throughout) and any other predecessor
    from the date it joined (a change of hands counts from its date, never before)."""
    return [code] + [
        pred for pred, joined, acute in _predecessors(code, od) if acute or month >= joined
    ]


def _predecessors(code: str, od: succession.OrgData) -> list[tuple[str, pd.Timestamp, bool]]:
    """Each predecessor of ``code`` with the date it joined and whether it was an acute trust
    the day before (once per trust and loaded data: ``constituents`` asks for every month)."""
    return od.remember(("predecessors", code), lambda: _work_out_predecessors(code, od))


def _work_out_predecessors(
    code: str, od: succession.OrgData
) -> list[tuple[str, pd.Timestamp, bool]]:
    graph = od.graph
    out = []
    if code in graph:
        for pred in sorted(nx.ancestors(graph, code)):
            steps = [d["date"] for _, _, d in graph.out_edges(pred, data=True)]
            joined = min(steps) if steps else pd.Timestamp.max
            before = joined - pd.Timedelta(days=1)
            out.append((pred, joined, provider_kind(pred, before, od) == "acute"))
    return out


COMMUNITY_AREAS = manifest.PROJECT_ROOT / "data" / "compiled" / "community_areas.csv"
AREA_COLUMNS = [
    "council_code", "council_name", "provider_code", "provider_name", "valid_from", "valid_to",
    "source", "source_date", "note",
]  # fmt: skip


def load_community_areas(od: succession.OrgData, path: Path = COMMUNITY_AREAS) -> pd.DataFrame:
    """The book's dated table of the main adult community provider by council, checked (read
    once per ``od`` for the default file: ``exposure`` asks for it under every rule)."""
    if path != COMMUNITY_AREAS:
        return _read_community_areas(od, path)
    return od.remember(("community areas",), lambda: _read_community_areas(od, path))


def _read_community_areas(od: succession.OrgData, path: Path) -> pd.DataFrame:
    """The book's compiled table of the main adult community provider in each council, dated
    (``valid_from``, ``valid_to``; empty: still), with a source and its date on every row.
    Checked: the columns, a source on every row, dates in order, every provider code an NHS
    trust in ODS open on the row's first day (or a provider that is not an NHS trust, by the code
    the CHS returns or the CSDS give it), no two rows of one provider overlapping."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, AREA_COLUMNS, path.name)
    problems = []
    frame = raw.assign(
        valid_from=pd.to_datetime(raw["valid_from"], format="%Y-%m-%d", errors="coerce"),
        valid_to=pd.to_datetime(
            raw["valid_to"].replace("", None), format="%Y-%m-%d", errors="coerce"
        ),
    )
    register = od.register.set_index("code")
    # a provider that is not an NHS trust (a community interest company, a private provider), or
    # a trust missing from ODS's trust register, is known by the code NHS England's community
    # statistics give it
    others = (set(provider_names()) | set(load_csds()["code"])) - set(register.index)
    for i, row in frame.iterrows():
        where = f"row {i + 2} ({row['council_name']}, {row['provider_code']})"
        if not row["source"].strip() or not row["source_date"].strip():
            problems.append(f"{where}: no source or source date")
        if pd.isna(row["valid_from"]):
            problems.append(f"{where}: valid_from is not a date")
        elif raw.at[i, "valid_to"] and not row["valid_to"] >= row["valid_from"]:
            problems.append(f"{where}: valid_to before valid_from, or not a date")
        code = row["provider_code"]
        if code in others:
            continue
        if code not in register.index:
            problems.append(
                f"{where}: {code} is neither an NHS trust in ODS nor a provider in the "
                "community returns"
            )
        else:
            opened, closed = register.at[code, "open_date"], register.at[code, "close_date"]
            day = row["valid_from"]
            if pd.notna(opened) and day < opened or pd.notna(closed) and day > closed:
                problems.append(f"{where}: {code} is not open in ODS on {vocabulary.iso_date(day)}")
    key = frame.sort_values("valid_from").groupby(["council_code", "provider_code"])
    for (council, code), rows in key:
        ends = [end if pd.notna(end) else None for end in rows["valid_to"]]
        starts = rows["valid_from"].tolist()
        if any(ends[k] is None or starts[k + 1] <= ends[k] for k in range(len(starts) - 1)):
            problems.append(f"{council} {code}: overlapping rows")
    if problems:
        raise manifest.SchemaError(f"{path.name}: " + "; ".join(problems))
    return frame
