"""Markdown that cannot carry HTML: what the data say is shown as text, never run as markup.

MyST passes raw HTML in Markdown through to the page, so a trust or ICB name containing
``<script>`` would become a live tag if it reached a Markdown output or a generated page. Every
Markdown the book computes goes through ``inert``: angle brackets become entities (shown as the
same characters), except inside code spans, where Markdown shows text literally anyway. The
book's own Markdown uses no raw HTML; tables and charts are built as escaped HTML by
``chsreport.reading.charts``.
"""

from __future__ import annotations

import re

from IPython.display import Markdown as _IPythonMarkdown

_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)


def inert(text: str) -> str:
    """``text`` with ``<`` and ``>`` outside code spans written as entities."""
    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_escape(text[last : span.start()]))
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(_escape(text[last:]))
    return "".join(pieces)


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


class Markdown(_IPythonMarkdown):
    """IPython's Markdown display, made inert (use it in notebooks instead of IPython's)."""

    def _repr_markdown_(self):
        return inert(self.data or "")
