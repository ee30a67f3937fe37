"""Group models: arrangements between a community provider and another trust short of a merger
(a shared chair, a joint chief executive, a shared executive team, a group board or committees in
common, or talks about becoming one organisation), compiled by hand with a source on every row
(``data/compiled/group_models.csv``).

ODS records organisations, not who leads them, so these arrangements are in no published file;
the table dates each stage and, where one led to a merger, names the trust it led to, which the
ODS successor file must confirm.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from chsreport import vocabulary
from chsreport.data import community_returns, manifest, ods, succession

GROUP_MODELS = manifest.PROJECT_ROOT / "data" / "compiled" / "group_models.csv"
COLUMNS = [
    "arrangement", "codes", "organisations", "kind", "start", "end", "led_to", "source",
    "source_date", "note",
]  # fmt: skip
KINDS = tuple(vocabulary.GROUP_KINDS)  # shared_chair, joint_chief_executive, ...
EXPLORING = "exploring"  # talks, not yet a shared leadership: not counted as a group
UNDATED = re.compile(r"^undated page, read ")  # a page with no date of its own: the day we read it
_DAY = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def when(text: str) -> tuple[pd.Timestamp | None, str]:
    """A date as the table writes it, to the precision its source gives ("2024", "2024-04",
    "2024-04-01"): the first day it can mean, and the precision ("year", "month", "day").
    An empty cell is (None, "")."""
    if not text:
        return None, ""
    if not _DAY.match(text):
        raise ValueError(text)
    precision = {4: "year", 7: "month", 10: "day"}[len(text)]
    return pd.Timestamp(text if precision == "day" else f"{text}-01-01"[:10]), precision


def last_day(day: pd.Timestamp, precision: str) -> pd.Timestamp:
    """The last day a date of this precision can mean (2024-04 -> 30 April 2024)."""
    if precision == "year":
        return day + pd.offsets.YearEnd(0)
    if precision == "month":
        return day + pd.offsets.MonthEnd(0)
    return day


def named_in_ods(code: str, name: str) -> bool:
    """Whether ODS gave the trust ``code`` this name in any extract (case and "NHS Trust"
    spellings as the book writes them)."""
    known = {vocabulary.org_name(n).casefold() for n in ods.names_by_extract(code).values()}
    return vocabulary.org_name(name).casefold() in known


def load_group_models(od: succession.OrgData, path: Path = GROUP_MODELS) -> pd.DataFrame:
    """The book's compiled table of group arrangements, one row per stage, checked (read once per
    ``od`` for the default file)."""
    if path != GROUP_MODELS:
        return _read(od, path)
    return od.remember(("group models",), lambda: _read(od, path))


def _problems(row: pd.Series, od: succession.OrgData, others: set[str]) -> list[str]:
    """What is wrong with one row: its source, kind, dates, codes and the merger it led to."""
    where = f"row {row.name + 2} ({row['arrangement']}, {row['kind']})"
    out = []
    if not row["source"].strip() or not row["source_date"].strip():
        out.append(f"{where}: no source or source date")
    if row["kind"] not in KINDS:
        out.append(f"{where}: kind must be one of {', '.join(KINDS)}")
    try:
        start, start_precision = when(row["start"])
        end, end_precision = when(row["end"])
        when(UNDATED.sub("", row["source_date"]))
    except ValueError as bad:
        return [*out, f"{where}: {bad} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"]
    if start is None:
        return [*out, f"{where}: no start"]
    if end is not None and last_day(end, end_precision) < start:
        out.append(f"{where}: ends before it starts")
    codes = row["codes"].split()
    names = [n.strip() for n in row["organisations"].split(";")]
    if len(codes) < 2 or len(names) != len(codes):
        out.append(f"{where}: needs two or more codes and one name for each (names split by ';')")
    register = od.register.set_index("code")
    for code, name in zip(codes, names, strict=False):
        if code in others:
            continue
        if code not in register.index:
            out.append(f"{where}: {code} is neither an NHS trust in ODS nor a community provider")
            continue
        opened, closed = register.at[code, "open_date"], register.at[code, "close_date"]
        latest = last_day(start, start_precision)
        if pd.notna(opened) and latest < opened or pd.notna(closed) and start > closed:
            out.append(f"{where}: {code} is not open in ODS at the start")
        if not named_in_ods(code, name):
            out.append(f"{where}: {code} is not called '{name}' in any ODS extract")
    if row["led_to"]:
        if end is None or end_precision != "day":
            out.append(f"{where}: a row that led to a merger needs its last day as the end")
        else:
            edges = od.edges[
                od.edges["from_code"].isin(codes)
                & (od.edges["to_code"] == row["led_to"])
                & (od.edges["date"] == end + pd.Timedelta(days=1))
            ]
            if edges.empty:
                out.append(
                    f"{where}: ODS records no step into {row['led_to']} on the day after the end"
                )
    return out


def _read(od: succession.OrgData, path: Path) -> pd.DataFrame:
    """Checked: the columns, a source and its date on every row, a known kind, dates that parse
    and run forwards, two or more organisations each an NHS trust open in ODS at the start under
    that name (or a provider that is not an NHS trust, by the code NHS England's community
    returns give it), and, where a row led to a merger, the ODS step on the day after it ends."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, COLUMNS, path.name)
    others = set(community_returns.provider_names()) - set(od.register["code"])
    problems = [p for _, row in raw.iterrows() for p in _problems(row, od, others)]
    if problems:
        raise manifest.SchemaError(f"{path.name}: " + "; ".join(problems))
    starts = [when(t) for t in raw["start"]]
    ends = [when(t) for t in raw["end"]]
    return raw.assign(
        codes=raw["codes"].str.split(),
        start=[d for d, _ in starts],
        start_precision=[p for _, p in starts],
        end=[d for d, _ in ends],
        end_precision=[p for _, p in ends],
        kind_label=raw["kind"].map(vocabulary.GROUP_KINDS),
    )
