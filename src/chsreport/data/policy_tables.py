"""Two small dated tables of the 2025-26 policy context, compiled by hand with a source on every
row: the trusts named for the first wave of the advanced foundation trust programme
(``data/compiled/aft_first_wave.csv``) and further ICB mergers proposed with a source
(``data/compiled/icb_proposals.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from chsreport.data import geography, group_models, manifest, succession

COMPILED = manifest.PROJECT_ROOT / "data" / "compiled"
AFT = COMPILED / "aft_first_wave.csv"
AFT_COLUMNS = ["code", "name", "announced", "source", "source_date", "note"]
PROPOSALS = COMPILED / "icb_proposals.csv"
PROPOSAL_COLUMNS = [
    "icbs", "proposal", "proposed_from", "publisher", "source", "source_date", "status", "note",
]  # fmt: skip
STATUSES = ("reported", "verified")


def _dated(raw: pd.DataFrame, columns: list[str], where) -> list[str]:
    """Rows without a source, or with a date column that is not a date."""
    out = []
    for i, row in raw.iterrows():
        if not row["source"].strip():
            out.append(f"{where(i, row)}: no source")
        for column in columns:
            try:
                group_models.when(group_models.UNDATED.sub("", row[column]))
            except ValueError:
                out.append(f"{where(i, row)}: {column} is not a date")
    return out


def load_aft_first_wave(od: succession.OrgData, path: Path = AFT) -> pd.DataFrame:
    """The trusts named for the first assessment wave, checked: a source and dates on every row,
    each code an NHS trust open in ODS on the day it was named, under that name."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, AFT_COLUMNS, path.name)
    problems = _dated(raw, ["announced", "source_date"], lambda i, r: f"row {i + 2} ({r['code']})")
    register = od.register.set_index("code")
    for i, row in raw.iterrows():
        code = row["code"]
        if code not in register.index:
            problems.append(f"row {i + 2}: {code} is not an NHS trust in ODS")
            continue
        try:  # an announcement date that does not parse is already reported by _dated
            day, _ = group_models.when(row["announced"])
        except ValueError:
            day = None
        closed = register.at[code, "close_date"]
        if day is not None and pd.notna(closed) and day > closed:
            problems.append(f"row {i + 2}: {code} was closed when named")
        if not group_models.named_in_ods(code, row["name"]):
            problems.append(f"row {i + 2}: {code} is not called '{row['name']}' in ODS")
    if problems:
        raise manifest.SchemaError(f"{path.name}: " + "; ".join(problems))
    return raw.assign(announced=pd.to_datetime(raw["announced"]))


def load_icb_proposals(path: Path = PROPOSALS) -> pd.DataFrame:
    """Further ICB mergers proposed with a source, checked: a source and dates on every row, a
    known status, and two or more of today's ICB codes."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    manifest.require_columns(raw, PROPOSAL_COLUMNS, path.name)
    problems = _dated(raw, ["proposed_from", "source_date"], lambda i, r: f"row {i + 2}")
    today = set(geography.icb_populations_2026()["icb_code"])
    for i, row in raw.iterrows():
        codes = row["icbs"].split()
        if len(codes) < 2 or not set(codes) <= today:
            problems.append(f"row {i + 2}: needs two or more of today's ICB codes")
        if row["status"] not in STATUSES:
            problems.append(f"row {i + 2}: status must be one of {', '.join(STATUSES)}")
    if problems:
        raise manifest.SchemaError(f"{path.name}: " + "; ".join(problems))
    dates = [group_models.when(t) for t in raw["proposed_from"]]
    return raw.assign(
        icbs=raw["icbs"].str.split(),
        proposed=[d for d, _ in dates],
        proposed_precision=[p for _, p in dates],
    )
