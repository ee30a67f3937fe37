"""Markdown computed from data shows HTML as text."""

from __future__ import annotations

from chsreport.reading import text


def test_tags_become_text_outside_code_spans():
    out = text.inert("**RY2** Bridgewater <script>alert(1)</script> under `a<b` and <100k")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "`a<b`" in out  # code spans show text literally already
    assert "&lt;100k" in out and out.startswith("**RY2**")


def test_markdown_display_is_inert():
    shown = text.Markdown("A <img src=x onerror=alert(1)> trust")._repr_markdown_()
    assert shown == "A &lt;img src=x onerror=alert(1)&gt; trust"
