"""A re-run a reader can open: an executed notebook written as one HTML page.

``chsreport run`` executes a chapter with new parameters; this writes the result beside the
``.ipynb`` as ``<name>.html`` with the book's chart and table styles and the offline Vega bundle
in ``_static/`` next to it, so the page opens from disk in any browser with no server and no
network. Markdown (the chapter's text and its computed sentences) is rendered with markdown-it,
the parser MyST itself uses; code inputs and removed cells are left out, as in the book.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt

from chsreport.data import boundaries
from chsreport.publishing import printer
from chsreport.reading import charts, facts

STATIC = Path(__file__).resolve().parents[3] / "_static"
ASSETS = ("chs.css", "chs-charts.js")
_ROLE = re.compile(r"\{(?:cite:[a-z]+|cite|term|ref|doc)\}`([^`]*)`")
_TARGET = re.compile(r"^\(([^)]+)\)=\s*$", re.M)

PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       line-height: 1.55; color: #222; margin: 0 auto; padding: 1.5rem 1rem; max-width: 720px; }
h1 { font-size: 1.9rem; line-height: 1.2; } h2 { margin-top: 2rem; }
.chs-run-note { font-size: 0.85rem; color: #555; border-bottom: 1px solid #ddd; }
"""


_SUBSTITUTION = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _markdown(text: str, md: MarkdownIt) -> str:

    text = _SUBSTITUTION.sub(lambda m: facts.book_facts()[m.group(1)], text)
    text = _TARGET.sub("", text)
    text = _ROLE.sub(lambda m: m.group(1).replace("<", "(").replace(">", ")"), text)
    return md.render(text)


def cell_outputs_html(cell, md: MarkdownIt) -> list[str]:
    """A code cell's outputs as HTML fragments (Markdown rendered), as the book shows them."""
    parts = []
    for out in cell.get("outputs", []):
        bundle = out.get("data", {})
        if "text/html" in bundle:
            parts.append("".join(bundle["text/html"]))
        elif "text/markdown" in bundle:
            parts.append(_markdown("".join(bundle["text/markdown"]), md))
        elif out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(f"<pre>{html.escape(''.join(out.get('text', '')))}</pre>")
        elif out.get("output_type") == "error":
            parts.append(f"<pre>{html.escape(out.get('ename', ''))}: "
                         f"{html.escape(out.get('evalue', ''))}</pre>")  # fmt: skip
    return parts


def page_html(nb: nbformat.NotebookNode, title: str, note: str) -> str:
    """The executed notebook as one HTML document (assets referenced from ``_static/``)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            body.append(_markdown(cell.source, md))
        elif cell.cell_type == "code" and "remove-output" not in tags:
            body.extend(cell_outputs_html(cell, md))
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style>"
        '<link rel="stylesheet" href="_static/chs.css">'
        '<script defer src="_static/vega-bundle.js"></script>'
        '<script defer src="_static/chs-charts.js"></script></head><body><main>'
        f'<p class="chs-run-note">{html.escape(note)}</p>'
        + "\n".join(body)
        + "</main></body></html>\n"
    )


def write_html(executed: Path, title: str, note: str) -> Path:
    """Write ``executed`` (an .ipynb) as ``<same name>.html`` with its assets; return the path."""
    nb = nbformat.read(executed, as_version=4)
    target = executed.with_suffix(".html")
    static = target.parent / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(STATIC / name, static / name)
    bundle = static / "vega-bundle.js"
    if not bundle.exists():
        bundle.write_text(charts.vega_bundle_js(), encoding="utf-8")

    (static / "maps").mkdir(exist_ok=True)
    for layer in boundaries.LAYERS:
        (static / "maps" / f"{layer}.json").write_bytes(boundaries.geometry_json(layer))
    target.write_text(page_html(nb, title, note), encoding="utf-8")

    printer.drop_missing_pdf_links(target)  # a re-run has no PDF beside it
    return target
