"""The whole book as one PDF: its pages in the order of the table of contents, long tables cut to
their first rows, a contents page with page numbers, running head and footer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from chsreport import vocabulary
from chsreport.data import manifest
from chsreport.publishing import briefings, colophon, paths, printer
from chsreport.reading import locality

_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'href="([^"]*)"')
_URL_REF = re.compile(r"url\(#([^)\s]+)\)")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_WEB_ONLY = re.compile(r"<li>(?:(?!</li>).)*?chs-web-only.*?</li>", re.S)
_LINK_TO_PAGE = re.compile(r'<a [^>]*href="#(p\d+(?:-[^"]*)?)"[^>]*>.*?</a>', re.S)

BOOK_CSS = """
@page { size: A4; margin: 16mm 15mm 16mm; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       font-size: 10pt; line-height: 1.45; margin: 0; }
.cover { height: 250mm; display: flex; flex-direction: column; justify-content: center;
         break-after: page; }
.cover h1 { font-size: 26pt; line-height: 1.15; color: #003087; margin: 0 0 6mm; }
.cover p { font-size: 11pt; margin: 0 0 3mm; }
.contents { break-after: page; }
.contents ol { padding-left: 6mm; }
.contents li { margin: 2mm 0; display: flex; align-items: baseline; gap: 2mm; }
.contents .leader { flex: 1; border-bottom: 1px dotted #999; }
.contents .pageno { min-width: 8mm; text-align: right; }
.chs-print-more { font-size: 8.5pt; color: #555; font-style: italic; }
.chs-page { break-before: page; }
h1 { font-size: 20pt; color: #003087; line-height: 1.2; }
/* a wrapped heading keeps the space at its line break in the PDF's bookmarks (chromium drops a
   collapsed one: "how should" became "howshould") */
h1, h2, h3, h4 { white-space: pre-wrap; }
h2 { font-size: 14pt; color: #003087; break-after: avoid; }
h3 { font-size: 11.5pt; break-after: avoid; }
/* a chart, a row, a card never split; a table may, between rows (its head repeats) */
figure, tr, .sd-card, blockquote, pre, .citation, dd { break-inside: avoid; }
dt { break-after: avoid; }
thead { display: table-header-group; }
table.chs-table { width: 100%; font-size: 8pt; }
table.chs-table th, table.chs-table td { max-width: none; }
.chs-table-wrap, .chs-table-scroll, table { break-inside: auto; }
figure svg { max-width: 100%; height: auto; }
.chs-chart-static, .chs-table-scroll { overflow: visible !important; max-width: none !important; }
table { border-collapse: collapse; font-size: 8.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 1mm 1.5mm; vertical-align: top; }
details > summary { display: none; }
a { color: #005EB8; text-decoration: none; }
.chs-chart-live, .chs-pdf-line, script { display: none !important; }
"""


def book_pages() -> list[str]:
    """The book's pages in reading order from _toc.yml (root, then each part's chapters); the
    locality pages have their own briefings and are left out."""
    import yaml

    toc = yaml.safe_load((manifest.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return [p.removesuffix(".md").removesuffix(".ipynb") for p in pages]


PRINT_ROWS = 30  # a table's collapsed rows print in full up to this many; beyond, a note
_MORE = re.compile(
    r'<details class="chs-table-more"><summary>Show the other (\d+) rows</summary>.*?</details>',
    re.S,
)


def _long_tables_cut(article: str) -> str:
    """A table's collapsed rows kept when there are few, else a sentence saying where they are."""

    def cut(match: re.Match) -> str:
        n = int(match.group(1))
        if n <= PRINT_ROWS:
            return match.group(0).replace("<details ", "<details open ", 1)
        return (
            f'<p class="chs-print-more">The other {vocabulary.whole(n)} rows of this table are '
            "in the web "
            "edition of this page and in its CSV file.</p>"
        )

    return _MORE.sub(cut, article)


def _page_html(page: str, article: str, anchors: dict[str, str], base: str) -> str:
    import posixpath

    mine = anchors[page]
    article = _HEADERLINK.sub("", _long_tables_cut(briefings.printable(article)))
    article = _WEB_ONLY.sub("", article)  # a list item about pages this PDF leaves out
    article = _ID.sub(lambda m: f'id="{mine}-{m.group(1)}"', article)
    # an SVG's gradients and clips are found by id: their references follow the new ids
    article = _URL_REF.sub(lambda m: f"url(#{mine}-{m.group(1)})", article)

    def href(match: re.Match) -> str:
        target = match.group(1)
        if target.startswith("#"):
            return f'href="#{mine}-{target[1:]}"'
        if re.match(r"[a-z]+:", target):
            return match.group(0)
        url, _, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), url))
        key = resolved.removesuffix(".html")
        if key in anchors:  # another page of this PDF
            return f'href="#{anchors[key]}-{fragment}"' if fragment else f'href="#{anchors[key]}"'
        if base:  # elsewhere in the web book: a download, a locality page
            return f'href="{base}/{resolved}' + (f"#{fragment}" if fragment else "") + '"'
        return 'data-chs-web-only=""'  # no web address known: the text stays, unlinked

    linked = _HREF.sub(href, article)

    def page_number(match: re.Match) -> str:
        """A link to another page of this PDF is followed by that page's number (paper has no
        links to follow); the number is filled in when the PDF is printed."""
        target, _, fragment = match.group(1).partition("-")
        if target == mine or fragment.startswith("term-"):  # a glossary term: no number
            return match.group(0)
        return (
            f'{match.group(0)}<span class="chs-page-ref"> (page '
            f'<span class="pageno" data-for="{target}"></span>)</span>'
        )

    return (
        f'<section class="chs-page" id="{mine}">{_LINK_TO_PAGE.sub(page_number, linked)}</section>'
    )


def book_html(html_dir: Path, title: str, edition: dict, author: str = "") -> str:
    """The book (without the locality pages) as one print page: a cover with the edition, the
    contents, then each page's article in reading order, its links and ids made local."""

    pages = book_pages()
    anchors = {page: f"p{i}" for i, page in enumerate(pages)}
    base = colophon.book_url()
    sections, contents = [], []
    for page in pages:
        source = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        found = _ARTICLE.search(source)
        if found is None:
            raise printer.PrintError(f"{page}.html has no article to print")
        heading = _H1.search(_HEADERLINK.sub("", found.group(1)))
        name = re.sub(r"<[^>]+>", "", heading.group(1)).strip() if heading else page
        label = "Introduction" if page == pages[0] else html.escape(html.unescape(name))
        contents.append(
            f'<li><a href="#{anchors[page]}">{label}</a><span class="leader"></span>'
            f'<span class="pageno" data-for="{anchors[page]}"></span></li>'
        )
        sections.append(_page_html(page, found.group(1), anchors, base))
    e = edition
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_book_styles()}{BOOK_CSS}</style></head>"
        '<body><section class="cover">'
        '<p class="kicker">A reproducible report from public data</p>'
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Version {html.escape(e['version'])}, built {html.escape(e['built'])} from public data "
        f"to {html.escape(e['data_to'])}.</p>"
        f"<p>By {html.escape(author)}. Published {html.escape(e['built'])}.</p>"
        f"<p>{vocabulary.LICENCE}</p>"
        f"<p>This print edition leaves out the {len(locality.localities())} locality pages: "
        "each ICB has its own two-page "
        "briefing, and very long tables are cut to their first rows (the web edition and the "
        "tables' CSV files have every row).</p></section>"
        f'<nav class="contents"><h2>Contents</h2><ol>{"".join(contents)}</ol></nav>'
        + "".join(sections)
        + "<script>document.querySelectorAll('details').forEach(d => { d.open = true; });"
        "</script></body></html>\n"
    )


def _book_styles() -> str:
    """The book's own chart and table styles (``_static/chs.css``), inline."""

    return (manifest.PROJECT_ROOT / "_static" / "chs.css").read_text(encoding="utf-8")


BOOK_HEADER = (
    '<div style="font-size:7pt;color:#666;width:100%;padding:0 15mm;'
    'font-family:DejaVu Sans,sans-serif"><span class="title"></span></div>'
)


def book_footer(edition: dict) -> str:
    """The edition (version and build date, as "How to cite" promises) and "Page n of N"."""
    return (
        '<div style="font-size:7pt;color:#666;width:100%;padding:0 15mm;display:flex;'
        'justify-content:space-between;font-family:DejaVu Sans,sans-serif">'
        f"<span>Version {html.escape(edition['version'])}, built {html.escape(edition['built'])}"
        '</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
        "</span></div>"
    )


def make_book_pdf(
    html_dir: Path,
    build_dir: Path,
    log: Callable[[str], None] = print,
    edition: dict | None = None,
) -> int:
    """The book as one PDF (``<build>/pdf/book.pdf``), printed when its print page changed
    (``edition``: the build's, else worked out here)."""

    edition = edition or colophon.edition()
    config = colophon.book_config()
    page = book_html(html_dir, config["title"], edition, config.get("author", ""))
    source = printer.write_print_page(build_dir / "print" / "book.html", page)
    job = printer.PrintJob(
        source,
        build_dir / paths.BOOK_PDF,
        header=BOOK_HEADER,
        footer=book_footer(edition),
        numbered=True,
    )
    return printer.print_whole([job], edition, log)
