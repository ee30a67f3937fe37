"""Question 1, how the provider map was reorganised: the computations behind
``notebooks/consolidation.ipynb`` (trusts by type and year, the providers and lineage of an ICB,
the article cases).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from chsreport import vocabulary
from chsreport.data import manifest, ods, succession

ARTICLE_CASES = manifest.PROJECT_ROOT / "data" / "compiled" / "article_cases.yml"
ODS_EXTRACT = "ods_etr_2026_07"  # the newest ODS trust file: who is open now


def latest_extract() -> str:
    """The month of the newest ODS trust extract, in words ("July 2026")."""
    return vocabulary.month_long(manifest.month_of(ODS_EXTRACT))


SEED_COUNT = 21  # "the 21 standalone community trusts" (source article 002)


def display_name(name: str) -> str:
    """ODS upper-case names in title case, as on every page (``vocabulary.org_name``)."""
    return vocabulary.org_name(str(name))


def name_of(od: succession.OrgData, code: str) -> str:
    names = od.register.set_index("code")["name"]
    return display_name(names.get(code, code))


# --------------------------------------------------------------------------- trusts by type
def type_counts(by_year: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    shown = by_year[by_year["type"].isin(types)]
    counts = shown.groupby(["year", "type"]).size().rename("trusts").reset_index()
    counts["type_label"] = counts["type"].map(vocabulary.TYPE_LABELS)
    return counts


# --------------------------------------------------------------------------- named cases
def load_article_cases(path: Path = ARTICLE_CASES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


# --------------------------------------------------------------------------- one ICB
def icb_providers(od: succession.OrgData, icb: str, since: pd.Timestamp) -> pd.DataFrame:
    """Trusts headquartered in ``icb`` (today's ICB codes) open at any time since ``since``."""
    reg = od.register[(od.register["icb_code"] == icb)]
    reg = reg[reg["close_date"].isna() | (reg["close_date"] >= since)].copy()
    reg["type_now"] = [
        vocabulary.TYPE_LABELS[
            succession.integrated_type(ods.type_on(c, od.as_of, od.evidence)[0], c, od.as_of, od)
        ]
        for c in reg["code"]
    ]
    reg["status"] = [
        "open" if pd.isna(d) else f"closed {vocabulary.iso_date(d)}" for d in reg["close_date"]
    ]
    return reg[["code", "name", "type_now", "open_date", "status"]].reset_index(drop=True)


def icb_lineage(od: succession.OrgData, codes: list[str], since: pd.Timestamp) -> pd.DataFrame:
    """The mergers, acquisitions and splits since ``since`` that touch any of ``codes``, each with
    the names of both trusts and its source."""
    edges = od.edges[
        (od.edges["from_code"].isin(codes) | od.edges["to_code"].isin(codes))
        & (od.edges["date"] >= since)
    ].copy()
    edges["from_name"] = [name_of(od, c) for c in edges["from_code"]]
    edges["to_name"] = [name_of(od, c) for c in edges["to_code"]]
    return edges[["date", "from_code", "from_name", "kind", "to_code", "to_name", "source"]]
