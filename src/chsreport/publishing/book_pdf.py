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
_H1_END = re.compile(r"</h1>")
_LINK_TO_PAGE = re.compile(r'<a [^>]*href="#(p\d+(?:-[^"]*)?)"[^>]*>.*?</a>', re.S)

BOOK_CSS = (
    """
@page { size: A4; margin: 16mm 15mm 16mm; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       font-size: 10pt; line-height: 1.45; margin: 0; }
.cover { page: cover; height: 250mm; display: flex; flex-direction: column; justify-content: center;
         break-after: page; }
.cover h1 { font-size: 26pt; line-height: 1.15; color: #003087; margin: 0 0 6mm; }
.cover p { font-size: 11pt; margin: 0 0 3mm; }
.contents { break-after: page; }
.contents ol { padding-left: 6mm; }
.contents li { margin: 2mm 0; display: flex; align-items: baseline; gap: 2mm; }
.contents .leader { flex: 1; border-bottom: 1px dotted #999; }
.contents .pageno { min-width: 8mm; text-align: right; }
.chs-print-more { font-size: 8.5pt; color: #555; font-style: italic; }
.chs-web-address { font-size: 9pt; color: #444; margin-top: -2mm; }
.chs-page { break-before: page; }
/* a chapter that would leave the page before it under a third full runs on from it instead
   (short_pages), set apart by a rule */
.chs-page.chs-run-on { break-before: auto; margin-top: 12mm; border-top: 1.5px solid #003087;
                       padding-top: 2mm; }
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
/* the claims register: on paper a table (reading.claims_page.print_table), not the cards */
.chs-web-card { display: none !important; }
.chs-print-only { display: revert !important; }
table.chs-claims-print { font-size: 8pt; width: 100%; table-layout: fixed; }
table.chs-claims-print .sd-badge { white-space: normal; }
table.chs-claims-print td:first-child { white-space: nowrap; font-weight: bold; }
"""
    + printer.BADGE_CSS
)


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


def _long_tables_cut(article: str, web: str = "") -> str:
    """A table's collapsed rows kept when there are few, else a sentence saying where they are
    (``web``: the page's address in the web edition, when the book has one)."""

    def cut(match: re.Match) -> str:
        n = int(match.group(1))
        if n <= PRINT_ROWS:
            return match.group(0).replace("<details ", "<details open ", 1)
        return (
            f'<p class="chs-print-more">The other {vocabulary.whole(n)} rows of this table are '
            f"in the web edition of this page{f' ({_address(web)})' if web else ''} and in its "
            "CSV file.</p>"
        )

    return _MORE.sub(cut, article)


def _address(url: str) -> str:
    """A web address printed as a link that shows itself."""
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'


def _page_html(page: str, article: str, anchors: dict[str, str], base: str) -> str:
    import posixpath

    mine = anchors[page]
    web = f"{base}/{page}.html" if base else ""
    article = _HEADERLINK.sub("", _long_tables_cut(briefings.printable(article), web))
    if web:  # where "the web page" of this chapter is, under its title
        article = _H1_END.sub(
            rf'\g<0><p class="chs-web-address">On the web: {_address(web)}</p>', article, count=1
        )
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
        f"<title>{html.escape(title)}</title><style>{_book_styles()}{BOOK_CSS}"
        f"{running_css(title, edition)}</style></head>"
        '<body><section class="cover">'
        '<p class="kicker">A reproducible report from public data</p>'
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Version {html.escape(e['version'])}, built {html.escape(e['built'])} from public data "
        f"to {html.escape(e['data_to'])}.</p>"
        f"<p>By {html.escape(author)}. Published {html.escape(e['built'])}.</p>"
        f"<p>{vocabulary.LICENCE}</p>"
        f"<p>Each of the {len(locality.localities())} ICBs has its own two-page briefing, "
        "printed apart from this book. Very long tables are cut here to their first rows (the "
        "web edition"
        f"{f', at {_address(base)},' if base else ''} and the tables' CSV files have every "
        "row).</p></section>"
        f'<nav class="contents"><h2>Contents</h2><ol>{"".join(contents)}</ol></nav>'
        + "".join(sections)
        + "<script>document.querySelectorAll('details').forEach(d => { d.open = true; });"
        "</script></body></html>\n"
    )


def _book_styles() -> str:
    """The book's own chart and table styles (``_static/chs.css``), inline."""

    return (manifest.PROJECT_ROOT / "_static" / "chs.css").read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    """``text`` as a CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def running_css(title: str, edition: dict) -> str:
    """The running head (the book's title) and footer (the edition, as "How to cite" promises,
    and "Page n of N") in the page's margins, on every page but the cover (CSS page-margin boxes:
    chromium's header and footer templates would print on the cover too)."""
    edition_words = f"Version {edition['version']}, built {edition['built']}"
    box = "font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; color: #555;"
    return (
        "@page {"
        f" @top-left {{ content: {_css_string(title)}; {box} }}"
        f" @bottom-left {{ content: {_css_string(edition_words)}; {box} }}"
        f' @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {box} }} }}'
        "@page cover { @top-left { content: none; } @bottom-left { content: none; }"
        " @bottom-right { content: none; } }"
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
    job = print_job(source, build_dir / paths.BOOK_PDF)
    return printer.print_whole([job], edition, log)


def print_job(source: Path, target: Path) -> printer.PrintJob:
    """Printing the book's print page: its contents numbered, its short pages mended."""
    return printer.PrintJob(
        source, target, numbered=True, settle=short_pages, settle_script=FILL_SCRIPT
    )


MARGIN_PT = 16 / 25.4 * 72  # the book's top and bottom page margins (BOOK_CSS), in points
MIN_FILL = 1 / 3  # a page is at least this full, unless a chapter starts on it
PX_PER_PT = 96 / 72


def short_pages(pdf: bytes, numbers: dict[str, int]) -> list[list]:
    """What to change where a page is under :data:`MIN_FILL` full and no chapter starts on it
    (:data:`FILL_SCRIPT` makes each change): where the next page opens a chapter, that chapter
    runs on from this page; where a chart or table that did not fit opens the next page, the
    chart is drawn smaller to fit the room left (if it keeps 60% of its height) or the table is
    let split between rows. Each change: [kind, section id, first words of the next page, room
    left in CSS pixels]."""
    pages = printer.page_boxes(pdf)
    fills = printer.page_fill(pages, MARGIN_PT, MARGIN_PT)
    starts = {page: key for key, page in numbers.items() if re.fullmatch(r"p\d+", key)}
    firsts = printer.first_words(pages, MARGIN_PT, 6)
    changes = []
    for page, fill in enumerate(fills, start=1):
        if fill >= MIN_FILL or page in starts or page == len(fills):
            continue
        room = (1 - fill) * (printer.A4_HEIGHT_PT - 2 * MARGIN_PT) * PX_PER_PT
        if page + 1 in starts:
            changes.append(["run-on", starts[page + 1], "", 0])
        else:
            section = starts[max(p for p in starts if p <= page)]
            changes.append(["fit", section, firsts[page], round(room)])
    return changes


# Makes the changes of :func:`short_pages` in the print page.
FILL_SCRIPT = """
(changes) => {
  const words = (text) => text.replace(/[\u2018\u2019]/g, "'").replace(/\\s+/g, ' ').trim();
  for (const [kind, section, first, room] of changes) {
    const scope = document.getElementById(section);
    if (kind === 'run-on') { scope.classList.add('chs-run-on'); continue; }
    const found = [...scope.querySelectorAll('figure.chs-chart, .chs-table-wrap')]
      .find((el) => words(el.textContent).startsWith(words(first)));
    if (!found) continue;
    if (found.matches('figure')) {
      const svg = found.querySelector('.chs-chart-static svg');
      const height = svg.getBoundingClientRect().height;
      const fits = room - (found.getBoundingClientRect().height - height) - 24;
      if (fits >= 0.6 * height && fits < height) {
        svg.style.height = `${fits}px`;
        svg.style.width = 'auto';
      }
    } else {
      for (const el of [found, ...found.querySelectorAll('table, .chs-table-scroll')]) {
        el.style.breakInside = 'auto';
      }
    }
  }
}
"""
