"""Who provides community health services, month by month: a register built from the providers'
own returns.

Sources, in the order they decide:

1. **NHS England CHS SitRep** (community health services waiting lists), Table 4: every provider
   and about 47 service lines, one workbook a month (2023-01..2023-10, 2024-08..2025-07). A
   number, 0 included, means the provider submitted that line; a blank means it did not; ``*``
   (safeguarding lines, suppressed for everyone) is ignored. The workbooks of 2023-01..2023-07
   name providers without codes: codes come from the names of the coded months and of the ODS
   trust files (:func:`provider_codes_by_name`); a name that matches nothing is kept and listed.
2. **CSDS, March 2025**: care contacts per provider, the volume of community services it runs.
3. **Community discharge sitrep** (June 2023 to January 2024): community beds, counted only where
   the provider reported a non-zero number of patients discharged or not meeting the criteria to
   reside (a row of zeros is not activity). It is shown in every acute trust's evidence. Where it
   disagrees with the CHS return (beds reported by a trust below the line threshold, or no beds
   by a trust above it), the CHS return decides: beds are one community service among about 30.

The rule (one place, :data:`RULES`): a provider **runs adult community services** in a month in
which it submits at least ``min_lines`` adult service lines (5 by default; 10 strict; 1 loose).
A month is read from the provider's own return for it; where there is none (a month without a
workbook: 2022-04..2022-12, 2023-11..2024-07, 2025-08; or a provider missing from a month's
workbook), from its return nearest the month's workbook (or the workbooks either side of a gap),
if that return is within three months of it and on the same side of every change of hands the
ODS lineage records for the provider; otherwise the provider has no return that month
(:func:`return_for`).

Where non-NHS providers (community interest companies, social enterprises, private providers)
are based is not in the ODS trust files. It is found from the returns themselves: Table 4 also
gives ICB totals, which are sums over each ICB's providers, so a provider belongs to the one ICB
whose unexplained remainder holds its numbers in every line and month (:func:`locate_providers`).
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

from chsreport import data, lineage, orgs, vocabulary

CHS_PREFIX = "chs_waiting_lists_"
SUPPRESSED = re.compile(r"safeguarding|looked after children", re.IGNORECASE)
RULES = {"strict": 10, "default": 5, "loose": 1}
SOURCE_CHS = "NHS England, CHS SitRep (community health services waiting lists), Table 4"
SOURCE_CSDS = "NHS England Digital, Community Services Data Set, March 2025"


# --------------------------------------------------------------------------- CHS SitRep
def chs_names() -> list[str]:
    """Manifest names of the CHS workbooks, in month order."""
    return sorted(n for n in data.load_manifest() if n.startswith(CHS_PREFIX))


def return_months() -> list[pd.Timestamp]:
    """The months for which NHS England published provider returns held here (a workbook's
    month, from its manifest period)."""
    return [data.month_of(name) for name in chs_names()]


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
    raise data.SchemaError(
        f"{path.name}: no month in Table 4's heading ('Total waiting list by service, <Month "
        "Year>') nor in Table 2's time series"
    )


def parse_chs_table4(path: Path) -> pd.DataFrame:
    """Table 4 of one CHS workbook -> long frame of submitted cells.

    Columns: month, level (provider or icb), code ("" where the workbook gives none), name,
    line, adult (bool), value (people waiting; 0 is a submission).
    """
    table = pd.read_excel(path, sheet_name="Table 4", header=None, dtype=object)
    month = _month_of(table, path)
    header = None
    for i in range(min(15, len(table))):
        if any(isinstance(v, str) and v.startswith("(A) ") for v in table.iloc[i]):
            header = i
            break
    if header is None:
        raise data.SchemaError(f"{path.name}: Table 4 has no row of '(A) ...' service lines")
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
        raise data.SchemaError(f"{path.name}: Table 4 lists fewer than 50 providers")
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
    frames = [data.cached_frame(n, parse_chs_table4) for n in chs_names()]
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=1)
def provider_names() -> dict[str, str]:
    """ODS code -> the provider's name as readers know it: the newest name the CHS returns give
    for the code, else the ODS trust files' name, in title case."""
    chs = _chs_raw()
    coded = chs[(chs["level"] == "provider") & (chs["code"] != "")]
    newest = coded.sort_values("month").drop_duplicates("code", keep="last")
    names = dict(zip(newest["code"], newest["name"], strict=True))
    ods = orgs.load_ods_trusts().sort_values("extract", ascending=False).drop_duplicates("code")
    for code, name in zip(ods["code"], ods["name"], strict=True):
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
    ods = orgs.load_ods_trusts().sort_values("extract", ascending=False)
    for rec in ods.itertuples():
        lookup.setdefault(normalise_name(rec.name), rec.code)
    return lookup


@lru_cache(maxsize=1)
def chs_cells() -> pd.DataFrame:
    """Every submitted cell of every CHS workbook, providers and ICBs, with codes filled in for
    the months that give names only (``code`` stays "" where no name matches)."""
    chs = _chs_raw().copy()
    lookup = provider_codes_by_name(chs)
    missing = (chs["level"] == "provider") & (chs["code"] == "")
    chs.loc[missing, "code"] = chs.loc[missing, "name"].map(normalise_name).map(lookup).fillna("")
    return chs


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
def parse_csds_providers(path: Path) -> pd.DataFrame:
    """CSDS March 2025 summary -> code, name, care contacts, people with a contact, referrals."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if "providers" not in raw:
        raise data.SchemaError(f"{path.name}: no 'providers' list")
    rows = []
    for item in raw["providers"]:
        metrics = item.get("metrics") or {}

        def count(key, metrics=metrics):
            value = (metrics.get(key) or {}).get("count")
            return float(value) if value is not None else np.nan

        ages = (metrics.get("csds-care-contacts") or {}).get("age") or {}
        adult = [ages.get("age_19_64"), ages.get("age_65_plus")]
        rows.append(
            {
                "code": str(item["code"]).strip(),
                "name": str(item["name"]),
                "care_contacts": count("csds-care-contacts"),
                "adult_care_contacts": float(sum(adult)) if None not in adult else np.nan,
                "people_in_contact": count("csds-people-with-care-contact"),
                "referrals": count("csds-referrals"),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty or frame["care_contacts"].notna().sum() < 50:
        raise data.SchemaError(f"{path.name}: fewer than 50 providers with care contacts")
    return frame


def load_csds() -> pd.DataFrame:
    return data.cached_frame("pelld_csds_mar_2025", parse_csds_providers, version="2")


SITREP_MONTH = pd.Timestamp("2023-10-01")  # the middle of the community sitrep's eight months
SITREP_FIRST, SITREP_LAST = pd.Timestamp("2023-06-01"), pd.Timestamp("2024-01-01")


def sitrep_period() -> str:
    """The months of the community discharge sitrep, in words ("Jun 2023 to Jan 2024")."""
    return vocabulary.period(SITREP_FIRST, SITREP_LAST)


SITREP_ACTIVITY = (
    "Number of patients discharged",
    "Number of patients who no longer meet the criteria to reside",
)


def parse_sitrep_community_activity(path: Path) -> pd.DataFrame:
    """Community discharge sitrep, Table 2 -> per provider and month: days reported and the sum
    of patients discharged and not meeting the criteria to reside."""
    from chsreport import outcomes

    rows = outcomes.sitrep_rows(path, "community", "Table 2", SITREP_ACTIVITY)
    out = rows.groupby(["org_code", "month"]).agg(
        community_activity=("value", lambda s: float(s.sum(min_count=1) or 0.0)),
    )
    return out.reset_index().rename(columns={"org_code": "code"})


def load_sitrep_community_activity() -> pd.DataFrame:
    return data.cached_frame("flow_sitrep_long", parse_sitrep_community_activity)


# --------------------------------------------------------------------------- where providers are
def icb22_of_trusts() -> pd.Series:
    ods = orgs.load_ods_trusts()
    ods = ods[ods["extract"] == "2022-03"].dropna(subset=["icb_code"])
    return ods.set_index("code")["icb_code"]


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


# --------------------------------------------------------------------------- the register
CARRY_MONTHS = 3  # a provider missing from a month's return is carried this far, no further


def return_for(
    month: pd.Timestamp,
    own: list[pd.Timestamp],
    files: list[pd.Timestamp],
    changes: list[pd.Timestamp],
) -> tuple[pd.Timestamp | None, str]:
    """The provider's CHS month that stands for ``month``, and why.

    ``files`` are the months with a CHS workbook, ``own`` those with a row for this provider.
    A month with a workbook is anchored on itself; a month in a gap between workbooks on the
    nearest workbook month on either side (nearest first). From an anchor, the provider's own
    return is used if it is within :data:`CARRY_MONTHS` months of the anchor and on the same side
    of every change of hands (``changes``) as ``month``; otherwise there is no return.
    """
    if month in files:
        anchors = [month]
    else:
        before = [m for m in files if m < month]
        after = [m for m in files if m > month]
        anchors = sorted(
            ([max(before)] if before else []) + ([min(after)] if after else []),
            key=lambda m: (abs((m - month).days), m),
        )

    def same_side(m):
        return all((m >= date) == (month >= date) for date in changes)

    for anchor in anchors:
        near = [m for m in own if abs((m - anchor).days) <= 31 * CARRY_MONTHS and same_side(m)]
        if near:
            used = min(near, key=lambda m: (abs((m - anchor).days), m))
            if used == month:
                return used, f"its community services return for {used:%b %Y}"
            if month in files:
                return used, (
                    f"its community services return for {used:%b %Y}, the nearest month it sent one"
                )
            return used, (
                f"its community services return for {used:%b %Y}, the nearest month for which "
                "NHS England published returns"
            )
    return (
        None,
        "no community services return near this month (on this side of any change of hands)",
    )


def register(
    od: lineage.OrgData, months: list[pd.Timestamp], min_lines: int = RULES["default"]
) -> pd.DataFrame:
    """Per provider code (as ODS knew it then) and month: whether it runs adult community
    services, with its adult lines, care contacts and the source row behind the answer."""
    base = _returns_by_month(od, tuple(months))
    out = base.assign(runs_community=base["adult_lines"] >= min_lines)
    return out[[*base.columns.drop("source"), "runs_community", "source"]]


_RETURNS_CACHE: dict = {}


def _returns_by_month(od: lineage.OrgData, months: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    """The register without its rule: each provider's return standing for each month. The same
    for every rule (only the line threshold differs), so worked out once per kernel."""
    key = (id(od), months)
    if key in _RETURNS_CACHE:
        return _RETURNS_CACHE[key]
    returns = provider_months()
    files = sorted(returns["month"].unique())
    edges = od.edges
    csds = load_csds().set_index("code")["care_contacts"]
    rows = []
    for code, part in returns.groupby("code"):
        part = part.set_index("month")
        changes = sorted(
            set(edges.loc[(edges["from_code"] == code) | (edges["to_code"] == code), "date"])
        )
        own = sorted(part.index)
        for month in months:
            used, how = return_for(month, own, files, changes)
            if used is not None:
                lines = int(part.at[used, "adult_lines"])
                waiting = float(part.at[used, "adult_waiting"])
                source = f"{vocabulary.plural(lines, 'adult service line')} in {how}"
            else:
                lines, waiting, source = 0, 0.0, how
            rows.append(
                {
                    "code": code,
                    "month": month,
                    "chs_month": used if used is not None else pd.NaT,
                    "adult_lines": lines,
                    "adult_waiting": waiting,
                    "care_contacts_mar_2025": float(csds.get(code, np.nan)),
                    "source": source,
                }
            )
    frame = pd.DataFrame(rows)
    _RETURNS_CACHE[key] = frame
    return frame


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


def provider_kind(code: str, on: pd.Timestamp, od: lineage.OrgData) -> str:
    """standalone, mental_health, acute or other (non-NHS providers and anything untyped)."""
    if not orgs.TRUST_CODE.match(code):
        return "other"
    return KIND_OF_TYPE.get(orgs.type_on(code, on, od.evidence)[0], "other")


def adult_contacts(od: lineage.OrgData, codes: list[str], on: pd.Timestamp) -> dict[str, float]:
    """Each trust's adult community care contacts (CSDS), its own and those of the trusts it
    was made of on ``on``; NaN where none of them has a count."""
    csds = load_csds().set_index("code")["adult_care_contacts"]
    out = {}
    for code in codes:
        counts = [csds[m] for m in constituents(code, on, od) if m in csds.index]
        out[code] = float(np.nansum(counts)) if counts and not np.isnan(counts).all() else np.nan
    return out


def adult_contact_shares(od: lineage.OrgData, on: pd.Timestamp) -> pd.Series:
    """Share of England's adult community care contacts (CSDS) by kind of provider on ``on``
    (acute, standalone, mental_health, other); providers without an adult count are left out."""
    csds = load_csds().dropna(subset=["adult_care_contacts"])
    kinds = pd.Series([provider_kind(c, on, od) for c in csds["code"]], index=csds.index)
    totals = csds.groupby(kinds)["adult_care_contacts"].sum()
    return totals / totals.sum()


def parse_catchment_ltla(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str)
    names = {
        "nhs_trust22_code": "code",
        "ltla21_code": "ltla_code",
        "proportion_trust_came_from_ltla": "share",
    }
    frame = data.select_columns(raw, names, path.name)
    frame["share"] = frame["share"].astype(float)
    return data.check_range(frame, "share", 0, 1, path.name, key=["code", "ltla_code"])


def load_catchment_ltla() -> pd.DataFrame:
    return data.cached_frame("ohid_catchment_share_ltla21", parse_catchment_ltla, version="2")


def patients_by_council(od: lineage.OrgData) -> pd.DataFrame:
    """Admitted patients (OHID catchment population x share) per today's acute trust and council
    (2021 districts), with the council's 2022 ICB. Columns: code, ltla_code, icb22_code,
    patients."""
    from chsreport import finance, geography

    shares = load_catchment_ltla()
    size = finance.load_ohid_catchment().set_index("code")["catchment_population"]
    frame = shares.assign(patients=shares["share"] * shares["code"].map(size))
    frame = frame.assign(code=lineage.to_current(od.graph, frame["code"]))
    frame = frame.groupby(["code", "ltla_code"], as_index=False)["patients"].sum()
    lsoa = geography.load_lsoa_icb22()
    icb_of = lsoa.groupby("ltla_code")["icb22_code"].agg(lambda s: s.value_counts().index[0])
    frame["icb22_code"] = frame["ltla_code"].map(icb_of)
    return frame.dropna(subset=["icb22_code", "patients"])


def main_acute_by_council(patients: pd.DataFrame, acute_codes: list[str]) -> pd.Series:
    """The acute trust that admits most of each council's patients."""
    mine = patients[patients["code"].isin(acute_codes)]
    best = mine.sort_values(["patients", "code"], ascending=[False, True])
    return best.drop_duplicates("ltla_code").set_index("ltla_code")["code"]


def _active(reg: pd.DataFrame, od: lineage.OrgData) -> pd.Series:
    """Rows of the register for providers that exist in the month: NHS trusts open per ODS;
    others with a return that stands for the month."""
    opened = od.register.set_index("code")
    is_trust = reg["code"].isin(opened.index)
    open_ = reg["code"].map(opened["open_date"])
    close = reg["code"].map(opened["close_date"])
    trust_ok = (open_.isna() | (open_ <= reg["month"])) & (close.isna() | (close >= reg["month"]))
    return (is_trust & trust_ok) | (~is_trust & reg["chs_month"].notna())


def area_pools(reg: pd.DataFrame, od: lineage.OrgData) -> pd.DataFrame:
    """Per 2022 ICB and month, the providers (not acute trusts) running community services
    there, with their kind and adult service lines as weight."""
    located = locate_providers().set_index("code")["icb22_code"]
    rows = reg[reg["runs_community"] & _active(reg, od)].copy()
    rows["icb22_code"] = rows["code"].map(located).fillna("")
    rows = rows[rows["icb22_code"] != ""]
    kinds = {
        (c, m): provider_kind(c, m, od) for c, m in rows[["code", "month"]].itertuples(index=False)
    }
    rows["kind"] = [kinds[(c, m)] for c, m in rows[["code", "month"]].itertuples(index=False)]
    return rows[["icb22_code", "month", "code", "kind", "adult_lines"]]


def constituents(code: str, month: pd.Timestamp, od: lineage.OrgData) -> list[str]:
    """Codes whose community services count as today's trust ``code``'s in ``month``: itself,
    acute predecessors (their patients are in its panel throughout) and any other predecessor
    from the date it joined (a change of hands counts from its date, never before)."""
    return [code] + [
        pred for pred, joined, acute in _predecessors(code, od) if acute or month >= joined
    ]


_PREDECESSORS_CACHE: dict = {}


def _predecessors(code: str, od: lineage.OrgData) -> list[tuple[str, pd.Timestamp, bool]]:
    """Each predecessor of ``code`` with the date it joined and whether it was an acute trust
    the day before (once per trust and kernel: ``constituents`` asks for every month)."""
    key = (id(od), code)
    if key not in _PREDECESSORS_CACHE:
        graph = od.graph
        out = []
        if code in graph:
            for pred in sorted(nx.ancestors(graph, code)):
                steps = [d["date"] for _, _, d in graph.out_edges(pred, data=True)]
                joined = min(steps) if steps else pd.Timestamp.max
                before = joined - pd.Timedelta(days=1)
                out.append((pred, joined, provider_kind(pred, before, od) == "acute"))
        _PREDECESSORS_CACHE[key] = out
    return _PREDECESSORS_CACHE[key]


SHARE_WORDS = {
    "standalone": "standalone community trusts",
    "mental_health": "mental-health trusts",
    "other": "other providers",
    "none": "providers that could not be placed",
}


VOLUME_MONTH = pd.Timestamp("2025-03-01")  # the month of the CSDS counts held
VOLUME_RUNS = 3.0  # adult care contacts per emergency admission: at least this, it runs them
VOLUME_NOT = 1.0  # below this it does not, whatever its returns list
# The thresholds sit in the gap of the data: acute trusts whose returns list 5 or more adult
# service lines have 0.001 to 42 contacts per emergency admission; apart from two with 11 and 17
# (Mid Yorkshire, Guy's and St Thomas'), those that list fewer have at most 2.1, and no acute
# trust has between 2.2 and 3.3. Below 1 a trust's community care is a few thousand contacts a
# month at most, whatever it lists (University Hospitals Plymouth 5, Barts Health 3,795).
TABLE_DECIDES = "the book's table of community providers names it as the main adult provider"
# what decides whether an acute trust runs them; "no_table": "both" without the table's naming
SOURCES = ("both", "returns", "volume", "no_table")


COMMUNITY_AREAS = data.PROJECT_ROOT / "data" / "compiled" / "community_areas.csv"
AREA_COLUMNS = [
    "council_code", "council_name", "provider_code", "provider_name", "valid_from", "valid_to",
    "source", "source_date", "note",
]  # fmt: skip


def load_community_areas(od: lineage.OrgData, path: Path = COMMUNITY_AREAS) -> pd.DataFrame:
    """The book's compiled table of the main adult community provider in each council, dated
    (``valid_from``, ``valid_to``; empty: still), with a source and its date on every row.
    Checked: the columns, a source on every row, dates in order, every provider code an NHS
    trust in ODS open on the row's first day (or a provider that is not an NHS trust, by the code
    the CHS returns or the CSDS give it), no two rows of one provider overlapping."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    data.require_columns(raw, AREA_COLUMNS, path.name)
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
                problems.append(f"{where}: {code} is not open in ODS on {day:%Y-%m-%d}")
    key = frame.sort_values("valid_from").groupby(["council_code", "provider_code"])
    for (council, code), rows in key:
        ends = [end if pd.notna(end) else None for end in rows["valid_to"]]
        starts = rows["valid_from"].tolist()
        if any(ends[k] is None or starts[k + 1] <= ends[k] for k in range(len(starts) - 1)):
            problems.append(f"{council} {code}: overlapping rows")
    if problems:
        raise data.SchemaError(f"{path.name}: " + "; ".join(problems))
    return frame


def area_splits(
    areas: pd.DataFrame, months: list[pd.Timestamp], od: lineage.OrgData
) -> dict[tuple[str, pd.Timestamp], dict[tuple[str, str], float]]:
    """For each council and month the compiled table covers: its providers that month, by
    kind (standalone, mental_health, other; an acute trust counts as other), equal shares."""
    out: dict = {}
    for month in months:
        live = areas[
            (areas["valid_from"] <= month)
            & (areas["valid_to"].isna() | (areas["valid_to"] >= month))
        ]
        for council, rows in live.groupby("council_code"):
            split: dict[tuple[str, str], float] = {}
            for code in rows["provider_code"]:
                kind = provider_kind(code, month, od)
                kind = "other" if kind == "acute" else kind
                split[(kind, code)] = split.get((kind, code), 0.0) + 1 / len(rows)
            out[(council, month)] = split
    return out


def runs_by_volume(
    per_admission: float,
    by_lines: bool,
    source: str = "both",
    runs_at: float = VOLUME_RUNS,
    not_below: float = VOLUME_NOT,
    named: bool = False,
) -> bool:
    """Whether an acute trust runs adult community services in a month, from its CSDS adult care
    contacts per emergency admission (NaN: no count, or the count is from a trust made of other
    organisations that month) and what its CHS returns say (``by_lines``). ``source``: "both"
    (volume decides above ``VOLUME_RUNS`` and below ``VOLUME_NOT``; in between and where there is
    no count, the returns, or the book's table of community providers by council when it names
    the trust as a council's main adult provider that month: ``named``), "returns" (the returns
    alone) or "volume" (volume decides wherever there is a count, at ``VOLUME_RUNS``; the returns
    elsewhere), "no_table" ("both" without the table's naming)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of {SOURCES}")
    if source == "no_table":
        source, named = "both", False
    if source == "returns":
        return by_lines
    if np.isnan(per_admission):
        return by_lines or (named and source == "both")
    if source == "volume":
        return per_admission >= runs_at
    if per_admission >= runs_at:
        return True
    if per_admission < not_below:
        return False
    return by_lines or named


def exposure(
    od: lineage.OrgData,
    acute_codes: list[str],
    months: list[pd.Timestamp],
    rule: str = "default",
    volume: dict[str, float] | None = None,
    source: str = "both",
    cuts: tuple[float, float] = (VOLUME_NOT, VOLUME_RUNS),
) -> pd.DataFrame:
    """Each acute trust's class per month, with the evidence.

    (a) ``own``: the trust (or a constituent, see :func:`constituents`) runs adult community
    services that month. Otherwise its patients' community services, council by council,
    weighted by where its admitted patients live: the provider the book's dated table names for
    the council that month (:func:`load_community_areas`); for a council not in the table, its
    main acute trust if that trust runs community services ((d), another provider), otherwise the
    providers based in the council's 2022 ICB that run community services (weighted by adult
    service lines), with acute trusts of the ICB only where nobody else is there. Standalone
    community trusts make (b), mental-health trusts (c), others (d); the class is the kind with
    the largest share.

    Whether an acute trust runs them (a) is decided by :func:`runs_by_volume` from ``volume``
    (its CSDS adult care contacts per emergency admission in ``VOLUME_MONTH``, applied to months
    in which the trust is made of the same organisations, and runs the same councils' services by
    the table, as then), its returns and the table.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {tuple(RULES)}")
    reg = register(od, months, RULES[rule])
    runs = {(r["code"], r["month"]): r for r in reg.to_dict("records")}
    pools = area_pools(reg, od)
    patients = patients_by_council(od)
    main = main_acute_by_council(patients, acute_codes)
    months = list(months)
    table = load_community_areas(od)
    by_area = area_splits(table, sorted(set(months) | {VOLUME_MONTH}), od)
    council_names = dict(zip(table["council_code"], table["council_name"], strict=False))
    own_codes = {(c, m): constituents(c, m, od) for c in acute_codes for m in months}
    # councils whose main adult community provider the table names, per provider and month
    named_in: dict[tuple[str, pd.Timestamp], list[str]] = {}
    for (council, month), split in by_area.items():
        for _, member in split:
            named_in.setdefault((member, month), []).append(council_names[council])

    def councils_named(members: list[str], month: pd.Timestamp) -> list[str]:
        return sorted({n for member in members for n in named_in.get((member, month), [])})

    then = {c: constituents(c, VOLUME_MONTH, od) for c in acute_codes}
    named_for = {(c, m): councils_named(own_codes[(c, m)], m) for c in acute_codes for m in months}
    # the councils whose provider each trust was in the month of the care volume
    named_then = {c: councils_named(then[c], VOLUME_MONTH) for c in acute_codes}

    def own_row(code, month):
        best = None
        for member in own_codes[(code, month)]:
            rec = runs.get((member, month))
            if rec is not None:
                if best is None or rec["adult_lines"] > best[1]["adult_lines"]:
                    best = (member, rec)
        return best

    own = {(c, m): own_row(c, m) for c in acute_codes for m in months}
    by_lines = {k: bool(v is not None and v[1]["runs_community"]) for k, v in own.items()}
    volume = volume or {}
    # the care volume describes a month in which the trust was made of the same organisations
    # and ran the same councils' services as in the month of the count (the Isle of Wight NHS
    # Trust ran the island's until its services moved in October 2024)
    ratio = {
        (c, m): volume.get(c, np.nan)
        if own_codes[(c, m)] == then[c] and named_for[(c, m)] == named_then[c]
        else np.nan
        for c in acute_codes
        for m in months
    }
    runs_own = {
        k: runs_by_volume(ratio[k], by_lines[k], source, cuts[1], cuts[0], bool(named_for[k]))
        for k in by_lines
    }
    # the table decides when the trust runs them only because the table names it
    by_table = {
        k: runs_own[k] and not runs_by_volume(ratio[k], by_lines[k], source, cuts[1], cuts[0])
        for k in by_lines
    }
    # a month decided by the care volume of another month is carried, like a return
    by_volume = {k: runs_own[k] != by_lines[k] for k in by_lines}
    # per ICB and month: the non-acute providers' split by adult lines, and the acute ones
    others: dict[tuple, list] = {}
    acute_pools: dict[tuple, list] = {}
    for icb, month, code, kind, lines in pools.itertuples(index=False):
        if kind == "acute" and not runs_own.get((code, month), True):
            continue  # listed lines, but too little care to count as running them
        target = acute_pools if kind == "acute" else others
        target.setdefault((icb, month), []).append((kind, code, lines))
    splits = {
        key: {(kind, code): lines / total for kind, code, lines in members}
        for key, members in others.items()
        if (total := sum(lines for _, _, lines in members)) > 0
    }
    areas = {
        code: [
            (ltla, icb, pts)
            for ltla, icb, pts in zip(
                part["ltla_code"], part["icb22_code"], part["patients"], strict=True
            )
        ]
        for code, part in patients.groupby("code")
    }
    main_of = main.to_dict()
    activity = load_sitrep_community_activity()
    active = activity[activity["community_activity"] > 0].groupby("code")["month"].agg(set)
    # months in which the trust or any of its constituents then reported (a month counts once)
    sitrep_months = {
        c: len(set().union(*(active.get(m, set()) for m in constituents(c, SITREP_MONTH, od))))
        for c in acute_codes
    }
    published = set(return_months())  # a class from these months' own returns is not carried
    rows = []
    for code in acute_codes:
        mine = areas.get(code, [])
        total = sum(p for _, _, p in mine)
        for month in months:
            found = own[(code, month)]
            own_text = (
                found[1]["source"]
                + ("" if found[0] == code else f", as {provider_named(found[0])}")
                if found is not None
                else "no community services return"
            )
            shares = dict.fromkeys(["standalone", "mental_health", "other", "none"], 0.0)
            named: dict[str, float] = {}
            volume_text = (
                f"{ratio[(code, month)]:.1f} adult community care contacts per emergency "
                f"admission in {VOLUME_MONTH:%b %Y} (Community Services Data Set)"
                if not np.isnan(ratio[(code, month)])
                else ""
            )
            if volume_text and by_volume[(code, month)] and not by_table[(code, month)]:
                own_text += f"; but {volume_text}, which decides"
            elif volume_text:
                own_text += f"; {volume_text}"
            if by_table[(code, month)]:
                own_text += (
                    f"; {TABLE_DECIDES} in "
                    f"{vocabulary.in_a_list(named_for[(code, month)])}, which decides"
                )
            if runs_own[(code, month)]:
                cls, evidence = "own", f"runs community services ({own_text})"
            else:
                from_table = 0.0
                for ltla, icb, pts in mine:
                    weight = pts / total if total else 0.0
                    lead = main_of.get(ltla)
                    if (ltla, month) in by_area:  # the compiled table names the provider
                        split = by_area[(ltla, month)]
                        from_table += weight
                    elif lead and lead != code and runs_own.get((lead, month)):
                        split = {("other", lead): 1.0}
                    elif (icb, month) in splits:
                        split = splits[(icb, month)]
                    else:
                        acutes = [
                            (m, w) for _, m, w in acute_pools.get((icb, month), []) if m != code
                        ]
                        lines_sum = sum(w for _, w in acutes)
                        split = (
                            {("other", m): w / lines_sum for m, w in acutes}
                            if lines_sum
                            else {("none", ""): 1.0}
                        )
                    for (kind, member), w in split.items():
                        shares[kind] += weight * w
                        if member:
                            named[member] = named.get(member, 0.0) + weight * w
                cls = max(["standalone", "mental_health", "other", "none"], key=shares.get)
                top = sorted(named.items(), key=lambda kv: -kv[1])[:3]
                evidence = (
                    f"does not run community services ({own_text}); its patients' community "
                    "services come from "
                    + ", ".join(
                        f"{SHARE_WORDS[k]} {shares[k]:.0%}" for k in shares if shares[k] >= 0.005
                    )
                    + (
                        "; main providers "
                        + ", ".join(f"{provider_named(m)}: {w:.0%}" for m, w in top)
                        if top
                        else ""
                    )
                    + (
                        "; each council's provider from the book's table of community providers "
                        "by council"
                        if from_table >= 0.995
                        else f"; for councils holding {from_table:.0%} of its patients the "
                        "provider comes from the book's table of community providers by council, "
                        "for the rest from its main acute trust or the providers in its 2022 ICB"
                    )
                )
            beds = sitrep_months[code]
            evidence += (
                f"; the community discharge sitrep shows community bed activity in {beds} of 8 "
                f"months, {sitrep_period()}"
                if beds
                else "; no community bed activity in the community discharge sitrep"
            )
            rows.append(
                {
                    "code": code,
                    "month": month,
                    "cls": cls,
                    "sitrep_active_months": beds,
                    "share_standalone": shares["standalone"],
                    "share_mental_health": shares["mental_health"],
                    "share_other": shares["other"],
                    "own_adult_lines": int(found[1]["adult_lines"]) if found is not None else 0,
                    "from_return": month in published
                    and not by_table[(code, month)]
                    and not (by_volume[(code, month)] and month != VOLUME_MONTH)
                    and (cls != "own" or found is None or found[1]["chs_month"] == month),
                    "evidence": evidence,
                }
            )
    out = pd.DataFrame(rows)
    return out
