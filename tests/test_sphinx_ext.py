"""Repeated inline scripts are dropped from each page."""

from __future__ import annotations

from sphinx.builders.html._assets import _JavaScript

from chsreport.publishing import sphinx_ext


def test_repeated_inline_script_is_dropped_whatever_its_filename_or_priority():
    scripts = [
        _JavaScript(None, body="const A = 1"),
        _JavaScript("x.js"),
        _JavaScript("", body="const A = 1", priority=200),
        _JavaScript(None, body="const B = 2"),
    ]
    context = {"script_files": scripts}
    sphinx_ext.drop_repeated_scripts(None, "p", "page.html", context, None)
    bodies = [s.attributes.get("body") for s in context["script_files"]]
    assert bodies == ["const A = 1", None, "const B = 2"]


def test_glossary_pattern_matches_phrases_and_acronyms_only_in_their_case():
    pattern = sphinx_ext._pattern()
    keys = list(sphinx_ext.GLOSSARY_LINKS.values())

    def found(text):
        return [keys[int(m.lastgroup[1:])] for m in pattern.finditer(text)]

    assert found("Patients not meeting the Criteria to reside in G&A beds") == [
        "Criteria to reside",
        "G&A beds",
    ]
    assert found("45 PCNs in one ICB, by class (a)") == ["PCN", "ICB", "Class (a), (b), (c), (d)"]
    assert found("pcn icbs picb") == []  # acronyms only in capitals, and only as words


def test_bibliography_entries_become_list_items():
    context = {
        "body": '<div role="list"><div class="citation" role="doc-biblioentry">x</div></div>'
    }
    sphinx_ext.plain_list_roles(None, "p", "page.html", context, None)
    assert 'role="listitem"' in context["body"] and "biblioentry" not in context["body"]
