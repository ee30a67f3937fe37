"""The policy context page (issue 25): every citation resolves to the book's references, the
statements the issue asks for are there, and its counts come from the data."""

from __future__ import annotations

import re

from chsreport.data import geography, manifest
from chsreport.reading import policy

BIB = manifest.PROJECT_ROOT / "book" / "references.bib"


def test_every_citation_on_the_policy_page_is_in_the_references():
    page = policy.page()
    keys = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", page))
    known = set(re.findall(r"^@\w+\{([^,]+),", BIB.read_text(encoding="utf-8"), re.M))
    assert keys and keys <= known, keys - known


def test_the_page_dates_the_plan_ihos_neighbourhoods_and_the_icb_changes():
    page = policy.page()
    for words in [
        "10 Year Health Plan (3 July 2025)",
        "integrated health organisation (IHO)",
        "neighbourhood health guidelines (30 January 2025)",
        "ICBs merged on 1 April 2026",
        "District councils are being abolished",
    ]:
        assert words in page, words


def test_the_icb_counts_are_computed():
    facts = policy.icb_facts()
    assert facts["before"] == len(geography.icb_populations_2022())
    assert f"{facts['before']} became {facts['after']}" in policy.page()
    assert len(facts["formed"]) == 6  # the six ICBs formed on 1 April 2026 (ODS)
