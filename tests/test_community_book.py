"""The community chapter's published CSVs against NHS England's own national rows: England's
totals as the built page offers them equal the October 2025 workbook's Table 2 and Table 3, read
here straight from the sheet (not through the package's parsers)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from chsreport.data import manifest

pytestmark = pytest.mark.book

HTML = manifest.PROJECT_ROOT / "_build" / "html" / "notebooks"
WORKBOOK = "chs_waiting_lists_2025_10"


def _linked_csv(name: str) -> pd.DataFrame:
    """The CSV the built community page links under ``name``."""
    page = (HTML / "community.html").read_text(encoding="utf-8")
    hrefs = re.findall(rf'download="{re.escape(name)}" href="([^"]+)"', page)
    assert hrefs, f"the community page offers no {name}"
    return pd.read_csv(HTML / hrefs[0])


def _sheet(table: str) -> pd.DataFrame:
    return pd.read_excel(manifest.fetch(WORKBOOK), sheet_name=table, header=None)


def _row(sheet: pd.DataFrame, label: str) -> pd.Series:
    hits = sheet[sheet.apply(lambda r: any(str(v).strip() == label for v in r), axis=1)]
    assert len(hits) >= 1, label
    return hits.iloc[0]


@pytest.mark.parametrize("service", ["Adult services", "CYP services"])
def test_the_services_table_totals_are_the_workbooks_national_rows(service):
    sheet = _sheet("Table 3")
    header = _row(sheet, "Total waiting list")
    column = next(j for j, v in header.items() if str(v).strip() == "Total waiting list")
    published = float(_row(sheet, service)[column])
    table = _linked_csv("community_waits_by_service.csv").set_index("service")
    assert table.loc[service, "waiting"] == pytest.approx(published)


@pytest.mark.parametrize("service", ["Adult services", "CYP services"])
def test_the_england_series_has_the_workbooks_own_months(service):
    sheet = _sheet("Table 2")
    header = _row(sheet, "Service")
    series = _linked_csv("community_waiting_list_england.csv")
    series = series[series["service"] == service].set_index("month")["value"]
    row = _row(sheet, service)
    checked = 0
    for j, label in header.items():
        month = pd.to_datetime(str(label), format="%b-%y", errors="coerce")
        if pd.notna(month) and pd.notna(pd.to_numeric(row[j], errors="coerce")):
            assert series[month.strftime("%Y-%m-%d")] == pytest.approx(float(row[j])), label
            checked += 1
    assert checked >= 7  # April to October 2025
