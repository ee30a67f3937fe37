"""The data page's list of gaps tells the truth: data published elsewhere are called published
but not held here (never "no open data"), and no gap names data the book holds by provider."""

from __future__ import annotations

import re

import pandas as pd
import yaml

from chsreport.data import manifest
from chsreport.publishing import staging

GAPS = manifest.PROJECT_ROOT / "data" / "compiled" / "data_gaps.yml"
MONTHS = "January February March April May June July August September October November December"
MONTH = rf"(?:{'|'.join(MONTHS.split())})"


def _gaps() -> list[dict]:
    return yaml.safe_load(GAPS.read_text(encoding="utf-8"))["gaps"]


def _months_named(text: str) -> set[pd.Period]:
    """Months a row names: "April to December 2022", "November 2023 to July 2024", "August 2025"."""
    found = set()
    ranges = re.compile(rf"({MONTH})(?: (\d{{4}}))? to ({MONTH}) (\d{{4}})")
    for first, year1, last, year2 in ranges.findall(text):
        start = pd.Period(f"{first} {year1 or year2}", "M")
        found |= set(pd.period_range(start, pd.Period(f"{last} {year2}", "M"), freq="M"))
    for month, year in re.findall(rf"({MONTH}) (\d{{4}})", ranges.sub("", text)):
        found.add(pd.Period(f"{month} {year}", "M"))
    return found


def _held_by_provider() -> dict[str, set[pd.Period]]:
    """Words a gap would use for a provider-level dataset the manifest holds -> months held."""
    held = manifest.load_manifest()
    chs = {pd.Period(n.removeprefix("chs_waiting_lists_").replace("_", "-"), "M")
           for n in held if n.startswith("chs_waiting_lists_")}  # fmt: skip
    assert chs and {"pelld_ucr_2024_25", "pelld_csds_mar_2025"} <= set(held)
    return {
        r"waiting list": chs,
        r"urgent community response|\bUCR\b": set(pd.period_range("2024-04", "2025-03", freq="M")),
        r"Community Services Data Set|\bCSDS\b": {pd.Period("2025-03", "M")},
    }


def test_every_gap_has_a_rating_and_a_source():
    for gap in _gaps():
        assert gap["rating"] in ("red", "amber"), gap
        assert gap["source"].strip(), gap


def test_no_gap_says_the_data_are_not_open():
    for gap in _gaps():
        text = f"{gap['what']} {gap['why']}".lower()
        assert "no open" not in text and "not open" not in text, gap["what"]


def test_published_data_are_said_to_be_published_but_not_held():
    for name in ("accounts", "reference costs", "CQC"):
        gap = next(g for g in _gaps() if name.lower() in g["what"].lower())
        assert gap["why"].startswith("published, but not held in this book's data ("), gap


def test_no_gap_names_data_the_book_holds_by_provider():
    """A gap may name a dataset held by provider only for months it does not hold, named."""
    for pattern, held in _held_by_provider().items():
        for gap in _gaps():
            if re.search(pattern, gap["what"], re.I):
                named = _months_named(gap["what"])
                assert named, f"{gap['what']!r} names held data without saying which months lack"
                assert not named & held, sorted(named & held)


def test_month_reading_of_the_gap_rows():
    assert _months_named("April to December 2022, and August 2025") == set(
        pd.period_range("2022-04", "2022-12", freq="M")
    ) | {pd.Period("2025-08", "M")}
    assert len(_months_named("November 2023 to July 2024")) == 9


def test_the_data_page_shows_every_gap():
    page = staging.data_page()
    for gap in _gaps():
        assert gap["what"] in page and gap["why"] in page
    assert "no open" not in page.split("## Data the book lacks", 1)[1].lower()
