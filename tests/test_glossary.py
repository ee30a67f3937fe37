"""The glossary: its entries read as the briefings and the page links read them, in alphabetical
order, with the terms the book relies on, and a standalone community trust defined truly."""

from __future__ import annotations

import re

from chsreport.data import manifest
from chsreport.publishing import briefings, sphinx_ext

GLOSSARY = manifest.PROJECT_ROOT / "book" / "glossary.md"
# the same reading as pdf.glossary: a term line, then its indented definition
ENTRY = re.compile(r"^(\S[^\n]*)\n((?:  [^\n]*\n)+)", re.M)


def _block() -> str:
    text = GLOSSARY.read_text(encoding="utf-8")
    return text.split("```{glossary}\n", 1)[1].split("\n```", 1)[0] + "\n"


def _entries() -> dict[str, str]:
    return {term: " ".join(words.split()) for term, words in ENTRY.findall(_block())}


def _sort_key(term: str) -> str:
    """Alphabetical as a reader looks a word up: case and punctuation ignored, and a leading
    "the"."""
    words = re.sub(r"[^a-z0-9 ]", "", term.lower())
    return " ".join(words.removeprefix("the ").split())


def test_every_term_line_in_the_glossary_is_read_as_an_entry():
    lines = [line for line in _block().splitlines() if line and not line.startswith(" ")]
    assert list(_entries()) == lines


def test_the_terms_are_in_alphabetical_order():
    terms = list(_entries())
    assert terms == sorted(terms, key=_sort_key)


def test_the_terms_the_book_relies_on_are_defined():
    needed = {"G&A beds", "Wild cluster bootstrap", "Holm adjustment",
              "Smallest effect of interest", "ERIC", "CSDS", "OHID", "Community trust"}  # fmt: skip
    assert needed <= set(_entries())
    entries = _entries()
    assert "Estates Returns Information Collection" in entries["ERIC"]
    assert "Community Services Data Set" in entries["CSDS"]
    assert "Office for Health Improvement and Disparities" in entries["OHID"]
    assert "random" in entries["Wild cluster bootstrap"]
    assert "no meaningful difference" in entries["Smallest effect of interest"]


def test_every_linked_and_printed_term_has_an_entry():
    assert set(sphinx_ext.GLOSSARY_LINKS.values()) <= set(_entries())
    assert set(briefings.glossary(briefings.BRIEFING_TERMS)) == set(briefings.BRIEFING_TERMS)


def test_a_standalone_community_trust_may_run_community_hospitals():
    words = _entries()["Community trust"].lower()
    assert "standalone" in words
    assert not re.search(r"\bno (community )?hospitals?\b|runs no hospital", words)
    assert "community hospitals" in words
