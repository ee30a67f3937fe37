"""Repeated inline scripts are dropped from each page."""

from __future__ import annotations

from sphinx.builders.html._assets import _JavaScript

from chsreport import sphinx_ext


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
