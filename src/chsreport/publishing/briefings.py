"""The two-page PDF briefing of every ICB, laid out from the outputs of the executed locality
notebook (the same package functions drew them, so the PDF and the web page say the same thing)
and the claims register the build computed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd
from markdown_it import MarkdownIt

from chsreport import vocabulary
from chsreport.analysis import params, population_layers
from chsreport.data import manifest, ods
from chsreport.publishing import colophon, paths, printer, standalone
from chsreport.reading import claims, claims_page

BRIEFING_PAGES = 2


# --------------------------------------------------------------------------- briefing content
_SCRIPT = re.compile(r'<script type="application/json" class="chs-chart-spec">.*?</script>', re.S)
_DOWNLOAD = re.compile(r"\s*<a [^>]*download[^>]*>.*?</a>", re.S)
_PDF_LINE = re.compile(r'<p class="chs-pdf-line">.*?</p>', re.S)


_CSV = re.compile(r"\b([Tt]he|[Tt]his|[Ii]ts) CSV\b")


def printable(fragment: str) -> str:
    """A page's HTML fragment for paper: chart specs (for the interactive view) and download
    links dropped; the static SVG, captions and sources kept, and "the CSV" (a download on the
    web page) said to be on the web."""
    kept = _PDF_LINE.sub("", _DOWNLOAD.sub("", _SCRIPT.sub("", fragment)))
    return _CSV.sub(lambda m: ("T" if m.group(1)[0].isupper() else "t") + "he web page's CSV", kept)


SECTION_TAG = "section-"  # a locality notebook's heading cells carry "section-<anchor>" tags


def locality_sections(executed: Path) -> dict[str, list[str]]:
    """The outputs of an executed locality notebook, grouped under the anchor each heading cell
    names in its ``section-<anchor>`` tag ("top" before the first): HTML fragments, in order.
    The anchors, not the headings' words, find a section, so a heading can be reworded; a
    section the briefing prints from that is missing is an error (:func:`section`)."""

    nb = nbformat.read(executed, as_version=4)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    sections: dict[str, list[str]] = {}
    current = "top"
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            anchors = [t.removeprefix(SECTION_TAG) for t in tags if t.startswith(SECTION_TAG)]
            if anchors:
                current = anchors[0]
                sections.setdefault(current, [])
            elif any(line.startswith("## ") for line in cell.source.splitlines()):
                raise paths.BuildError(
                    f"{executed.name}: the heading {cell.source.strip()[:60]!r} has no "
                    f"{SECTION_TAG}<anchor> tag, so its outputs would print under the section "
                    "above it in the two-page briefing. Tag the cell in notebooks/locality.ipynb."
                )
            continue
        sections.setdefault(current, []).extend(
            printable(part) for part in standalone.cell_outputs_html(cell, md)
        )
    return sections


def section(sections: dict[str, list[str]], anchor: str) -> list[str]:
    """One section of :func:`locality_sections`; a missing anchor is an error naming the fix."""
    if anchor not in sections:
        raise paths.BuildError(
            f"the locality notebook has no heading cell tagged {SECTION_TAG}{anchor}: the "
            "two-page briefing prints that section. Tag the heading cell (cell metadata "
            f'"tags": ["{SECTION_TAG}{anchor}"]) in notebooks/locality.ipynb.'
        )
    return sections[anchor]


def marks_css() -> str:
    """The key figures' marks as the web page draws them: the rules of ``_static/chs.css``
    between its "marks: from" and "marks: to" lines."""
    css = (manifest.PROJECT_ROOT / "_static" / "chs.css").read_text(encoding="utf-8")
    return css.split("/* marks: from */", 1)[1].split("/* marks: to */", 1)[0]


def _starting(parts: list[str], *starts: str) -> list[str]:
    """The parts that begin with one of ``starts`` (an element's opening tag)."""
    return [p for p in parts if p.lstrip().startswith(starts)]


KEY_FIGURES = '<div class="chs-table-wrap chs-key-wrap"'  # reading.key_figures.Block
PRINT_TABLE = '<div class="chs-table-wrap chs-print-only"'  # charts.Table(print_only=True)
PRINT_MAPS = '<div class="chs-print-only chs-print-maps"'  # reading.locality_maps.PrintMaps


def _tables(parts: list[str]) -> list[str]:
    return _starting(parts, '<div class="chs-table-wrap"')


def _text(parts: list[str]) -> list[str]:
    return [p for p in parts if not p.lstrip().startswith(("<figure", "<div", "<details"))]


BRIEFING_CSS = (
    """
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       font-size: 9pt; line-height: 1.32; }
.sheet { width: 210mm; height: 296.5mm; padding: 9mm 12mm 8mm; overflow: hidden;
         break-after: page; position: relative; }
.sheet:last-child { break-after: auto; }
.fit { transform-origin: top left; height: 100%; display: flex; flex-direction: column; }
.fit { justify-content: space-between; }  /* room left is shared between the parts */
.part { break-inside: avoid; display: flow-root; }  /* its heading's margin inside it */
.kicker { text-transform: uppercase; letter-spacing: .06em; font-size: 8pt; color: #005EB8;
          margin: 0 0 1.5mm; font-weight: bold; }
h1 { font-size: 18pt; line-height: 1.15; margin: 0 0 1.5mm; }
h2 { font-size: 11.5pt; margin: 2.4mm 0 1mm; color: #003087; break-after: avoid; }
h1, h2, h3 { white-space: pre-wrap; }  /* bookmarks keep the space where a heading wraps */
.edition { font-size: 8pt; color: #444; margin: 0 0 1mm; border-bottom: 1px solid #ccc;
           padding-bottom: 1.5mm; }
p { margin: 0 0 1.6mm; }
.chs-table-caption, figcaption { font-size: 8pt; color: #444; line-height: 1.3; margin: 1mm 0 0; }
table.chs-table { border-collapse: collapse; width: 100%; font-size: 8.2pt; }
table.chs-table th, table.chs-table td { border-bottom: 1px solid #ddd; padding: .5mm 1.2mm;
                                         vertical-align: top; text-align: left; }
table.chs-table thead th { background: #f0f4f5; font-weight: bold; }
table.chs-table tbody th { font-weight: normal; }
table.chs-table td.num, table.chs-table th.num { text-align: right; }
table.chs-table td.num { white-space: nowrap; }
table.chs-key { table-layout: fixed; }
table.chs-key th:nth-child(1) { width: 33%; } table.chs-key th:nth-child(2) { width: 13%; }
table.chs-key th:nth-child(3) { width: 9%; } table.chs-key th:nth-child(4) { width: 15%; }
table.chs-key td.num { white-space: normal; }
table.chs-key th:nth-child(5) { width: 14%; } table.chs-key th:nth-child(6) { width: 16%; }
.optional figure { margin: 2mm 0 0; }
.optional svg { width: 100%; height: auto; }
.reading { font-size: 9.2pt; margin-top: 1.2mm; }
.chs-print-maps { display: flex; gap: 5mm; align-items: flex-start; }
.chs-print-map svg, .chs-print-inset svg { display: block; }
.chs-print-side { flex: 1 1 0; min-width: 0; font-size: 8.4pt; }
.chs-print-inset { display: flex; align-items: flex-end; gap: 3mm; margin-bottom: 2mm; }
.chs-print-inset p { font-size: 8pt; color: #444; margin: 0; }
ol.chs-map-key { margin: 0; padding: 0; list-style: none; display: grid;
                grid-auto-flow: column; column-gap: 4mm; }
ol.chs-map-key li { padding-left: 6mm; text-indent: -6mm; overflow-wrap: anywhere; }
ol.chs-map-key .n { display: inline-block; width: 6mm; text-indent: 0; text-align: right;
                    padding-right: 1.5mm; box-sizing: border-box; }
table.claims { border-collapse: collapse; width: 100%; font-size: 8.2pt; }
p.every { font-size: 8.2pt; margin-top: 1.5mm; }
table.claims th, table.claims td { border-bottom: 1px solid #ddd; padding: .8mm 1.2mm;
                                   text-align: left; vertical-align: top; }
table.claims th { background: #f0f4f5; }
table.claims td.note { font-size: 8pt; color: #333; }
dl.terms { font-size: 8pt; margin: 0; columns: 2; column-gap: 6mm; line-height: 1.3; }
dl.terms dt { font-weight: bold; display: inline; }
dl.terms dt::after { content: ": "; }
dl.terms dd { display: inline; margin: 0; }
dl.terms dd::after { content: ""; display: block; margin-bottom: .8mm; }
footer { font-size: 8pt; color: #333; border-top: 1px solid #ccc; padding-top: 1.5mm;
         line-height: 1.3; }
footer p { margin: 0 0 1mm; }
a { color: #005EB8; }
footer a { white-space: nowrap; }  /* an address is not broken at its own hyphen */
"""
    + printer.BADGE_CSS
)

# Make a sheet's content fit its page: a part that may move on (class "movable") opens the next
# sheet if it does not fit this one; what is there only to use spare room (class "optional") is
# shown, in order of worth, where it fits and dropped where it does not; a map grows into the room
# left; then, if the sheet still overflows, its content is shrunk (which the tests of the
# printed briefings catch: no word under 8 pt). A briefing is always exactly two pages, and
# nothing is cut off.
FIT_SCRIPT = """
(() => {  // a function of its own: the printer loads one document after another in one window
const sheets = [...document.querySelectorAll('.sheet')];
sheets.forEach((sheet, n) => {
  const inner = sheet.querySelector('.fit');
  const style = getComputedStyle(sheet);
  const room = sheet.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const fits = () => inner.scrollHeight <= room;
  // a part that may move on: kept here if it fits, else it opens the next sheet
  const next = n + 1 < sheets.length ? sheets[n + 1].querySelector('.fit') : null;
  const top = next ? next.firstChild : null;
  const movers = [...inner.querySelectorAll('.movable')];
  movers.forEach((part) => { part.style.display = 'none'; });
  for (const part of movers) {  // each in turn, with those after it left out
    part.style.display = '';
    if (!fits() && next) next.insertBefore(part, top);  // in their order, before its own
  }
  const extras = [...inner.querySelectorAll('.optional')]
    .sort((a, b) => Number(a.dataset.worth) - Number(b.dataset.worth));
  extras.forEach((extra) => { extra.style.display = 'none'; });
  for (const extra of extras) {  // in order of worth: each shown if it still fits
    extra.style.display = '';
    if (!fits()) extra.style.display = 'none';
  }
  extras.filter((extra) => extra.style.display === 'none').forEach((extra) => extra.remove());
  // a map takes the room left, up to GROW times its size and MAP_SHARE of the sheet's width
  for (const svg of inner.querySelectorAll('.chs-print-map svg')) {
    const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    const spare = room - inner.scrollHeight;
    const most = Math.min(GROW, MAP_SHARE * inner.clientWidth / w);
    const grow = Math.max(1, Math.min(most, (h + spare) / h));
    svg.style.width = `${w * grow}px`;
    svg.style.height = `${h * grow}px`;
  }
  const need = inner.scrollHeight;
  if (need > room) {
    const scale = room / need;
    inner.style.transform = `scale(${scale})`;
    inner.style.width = `${100 / scale}%`;
    inner.style.height = `${100 / scale}%`;
  }
});
})();
""".replace("GROW", "1.6").replace("MAP_SHARE", "0.62")


def claims_concerning(register: pd.DataFrame, icb: str, places: list[str]) -> pd.DataFrame:
    """The claims about ``icb``: those claims.yml says are about it, those every ICB faces
    (``claims.claims_about``), and any whose quote or note names one of ``places`` (its
    councils, its acute trusts), in register order."""

    words = [re.escape(p) for p in places if p and len(p) > 3]
    named = re.compile(r"\b(?:" + "|".join(words) + r")\b") if words else None
    text = register["quote"].fillna("") + " " + register["note"].fillna("")
    mask = register["claim_id"].isin(claims.claims_about(icb))
    if named is not None:
        mask |= text.str.contains(named)
    return register[mask]


HERE_CHARS = 200  # the most of a claim's note about the ICB's own places a briefing quotes


def shows(claim, places: list[str] = ()) -> str:
    """What the data show for a claim of the register, in brief: its measure and value, and the
    parts of its note that name one of ``places`` (the ICB's own figures), else the note's last
    sentence where it is short (often why the verdict is what it is; the whole note is on the
    claims page); the note where the claim has no value."""
    note = str(claim.note) if pd.notna(claim.note) else ""
    value = pd.to_numeric(claim.value, errors="coerce")
    if pd.isna(value):
        return note
    named = []
    for part in re.split(r"; |(?<=\.) ", note):
        mentions = any(re.search(rf"\b{re.escape(p)}\b", part) for p in places if len(p) > 3)
        if mentions and len("; ".join([*named, part])) <= HERE_CHARS:
            named.append(part.strip().rstrip("."))
    shown = f"{claim.measure}: {vocabulary.with_unit(float(value), str(claim.unit))}"
    if named:
        return f"{shown}. Here: {'; '.join(named)}"
    last = re.split(r"(?<=\.) ", note.strip())[-1]  # else the note's last word: often its why
    return f"{shown}. {last}" if 0 < len(last) <= HERE_CHARS and last != note else shown


def claims_table(concerning: pd.DataFrame, places: list[str] = ()) -> str:
    """The claims that concern an ICB: those about its places, each quoted with its author and
    id, its verdict as a badge and what the data show (:func:`shows`); then, in a sentence,
    those every ICB faces (:data:`claims.EVERY_ICB`, tested across England: the same in every
    briefing); then what the verdicts mean."""
    every = concerning["claim_id"].isin(claims.EVERY_ICB)
    rows = "".join(
        f"<tr><td>“{html.escape(str(r.quote))}” ({html.escape(claims_page.author(r.seed))}; "
        f"claim {html.escape(r.claim_id)})</td>"
        f"<td>{claims_page.badge_html(r.verdict)}</td>"
        f'<td class="note">{html.escape(shows(r, places))}</td></tr>'
        for r in concerning[~every].itertuples()
    )
    table = (
        '<table class="claims"><thead><tr><th>What was said of its places</th><th>Verdict on the '
        f"data</th><th>What the data show</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    shared = "; ".join(
        f"“{html.escape(str(r.quote))}” ({html.escape(r.claim_id)}) "
        f"{claims_page.badge_html(r.verdict)}"
        for r in concerning[every].itertuples()
    )
    verdicts = glossary(("Verdict",))["Verdict"]
    return (
        table
        + (
            f'<p class="every"><strong>Tested across England</strong> (the same in every '
            f"briefing): {shared}.</p>"
            if shared
            else ""
        )
        + f'<p class="every"><strong>Verdicts.</strong> {html.escape(verdicts)}</p>'
    )


def _part(heading: str, body: str, worth: int | None = None, movable: bool = False) -> str:
    """A section of a sheet: its heading and body, kept together. ``worth``: printed only if it
    fits the room left, the lower numbers first; ``movable``: on this sheet if it fits, else at
    the top of the next (:data:`FIT_SCRIPT`)."""
    if not body.strip():
        return ""
    title = f"<h2>{heading}</h2>" if heading else ""
    kind = " movable" if movable else ""
    if worth is None:
        return f'<div class="part{kind}">{title}{body}</div>'
    return f'<div class="part optional{kind}" data-worth="{worth}">{title}{body}</div>'


def briefing_html(
    icb: str,
    name: str,
    sections: dict[str, list[str]],
    claims: pd.DataFrame,
    edition: dict,
    web_href: str,
    sources: list[str],
    terms: dict[str, str],
    places: list[str] = (),
) -> str:
    """Two A4 sheets. The first answers at a glance: the ICB's key figures against England with
    their ranks and marks, a reading of them written for it, and its councils numbered on a map
    beside their key with England as an inset. The second holds the detail: who runs its
    community services and what became of its trusts, its acute trusts one per row, the claims
    that concern it, then, where they fit, its layers, its acute trusts on a chart, its similar
    ICBs, discharge delays and virtual wards; terms, sources and its web page's address."""
    figures = section(sections, "figures")
    glance = section(sections, "glance")
    glance_text = _text(glance)
    community = section(sections, "community")
    flow = section(sections, "flow")
    brief = _text(section(sections, "brief"))
    defined = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(words)}</dd>"
        for term, words in terms.items()
    )
    e = edition
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(name)}: community health services briefing</title>"
        f"<style>{BRIEFING_CSS}{marks_css()}</style></head><body>"
        '<section class="sheet"><div class="fit">'
        '<div class="part"><p class="kicker">Community health services reform · ICB briefing</p>'
        f"<h1>{html.escape(name)}</h1>"
        f'<p class="edition">ICB code {html.escape(icb)} · version {html.escape(e["version"])}, '
        f"built {html.escape(e['built'])} from public data published up to "
        f"{html.escape(e['data_to'])}; each figure names its own period</p></div>"
        + _part(
            "Key figures",
            "".join(_starting(figures, KEY_FIGURES))
            + f'<div class="reading">{"".join(_text(figures))}</div>',
        )
        + _part("Where it is and its councils", "".join(_starting(glance, PRINT_MAPS)))
        + _part("Who runs its community services", "".join(_text(community)[:1]), movable=True)
        + _part("Its layers", "".join(glance_text[:1]), worth=1, movable=True)
        + "</div></section>"
        '<section class="sheet"><div class="fit">'
        + _part("What became of its trusts", "".join(brief[:1]) + "".join(glance_text[1:2]))
        + _part(
            "Its acute trusts, against England's",
            "".join(_starting(flow, PRINT_TABLE)[:1]),
        )
        + _part("", "".join(_starting(flow, "<figure")[:1]), worth=2)
        + _part("The claims that concern it", claims_table(claims, places))
        + _part("Its similar ICBs", "".join(_tables(community)[1:2]) + "".join(brief[3:4]), worth=3)
        + _part(
            "Discharge delays and virtual wards",
            "".join(_text(section(sections, "wards"))),
            worth=4,
        )
        + _part("Terms", f'<dl class="terms">{defined}</dl>', worth=0)
        + f"<footer><p>Sources: {html.escape('; '.join(sources))}; each file, its licence and "
        "checksum are listed in the book's data sources appendix. "
        f"{vocabulary.BOUNDARY_ATTRIBUTION}.</p>"
        f"<p>This ICB's page in the web edition, with every table and the data behind each "
        f"chart: {_link(web_href)}. {vocabulary.CONTENT_LICENCE}.</p></footer>"
        "</div></section>"
        f"<script>{FIT_SCRIPT}</script></body></html>\n"
    )


def short_source(publisher: str) -> str:
    """A manifest publisher as a briefing's source line names it: who published the data,
    without how it reached us (the book's data sources appendix keeps that)."""
    name = re.sub(r"\s*\(.*\)$", "", publisher).split(" via ")[0].strip()
    return f"{name} (GitHub)" if re.fullmatch(r"[\w.-]+/[\w.-]+", name) else name


BRIEFING_TERMS = ("Criteria to reside", "PCN")  # verdicts: under the claims (claims_table)


def glossary(terms: tuple[str, ...], whole: tuple[str, ...] = ("Verdict",)) -> dict[str, str]:
    """The book's glossary entries for ``terms`` (from book/glossary.md, so a briefing defines a
    word as the book does): each term's first sentence, or all of it for those in ``whole``.
    Raises if a term is not there."""

    text = (manifest.PROJECT_ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^(\S[^\n]*)\n((?:  [^\n]*\n)+)", text, re.M))
    missing = [t for t in terms if t not in entries]
    if missing:
        raise printer.PrintError(f"book/glossary.md has no entry {missing}")
    first = {}
    for term in terms:
        words = " ".join(entries[term].split()).replace("*", "")
        if term not in whole:
            words = re.split(r"(?<=[a-z)])\. ", words, maxsplit=1)[0].rstrip(".") + "."
        first[term] = words
    return first


def _link(href: str) -> str:
    """A link when the book's web address is known (``html.baseurl`` in _config.yml); else the
    page's place in the book, as text (a relative link does not survive printing)."""
    if href.startswith(("https://", "http://")):
        return f'<a href="{html.escape(href)}">{html.escape(href)}</a>'
    return f"<em>{html.escape(href)}</em> in the book"


def briefing_jobs(
    localities: dict[str, Path], build_dir: Path, register: pd.DataFrame, edition: dict
) -> list[printer.PrintJob]:
    """Write each ICB's briefing print page (``<build>/print/briefings/<code>.html``, only if it
    changed) from its executed locality notebook, and return the print jobs."""

    names = params.valid_icbs()
    trusts = ods.trust_register()
    open_trusts = trusts[trusts["close_date"].isna()]
    councils = population_layers.councils_with_icb()
    base = colophon.book_url()
    sources = sorted(
        {short_source(manifest.entry(n).publisher) for n in colophon.chapter_inputs()["Localities"]}
    )
    terms = glossary(BRIEFING_TERMS)
    jobs = []
    for icb, executed in sorted(localities.items()):
        name = names[icb]
        places = [
            vocabulary.icb_short_name(name),
            *councils.loc[councils["icb_code"] == icb, "name"],
            *open_trusts.loc[open_trusts["icb_code"] == icb, "name"].map(vocabulary.short_org_name),
        ]
        page = briefing_html(
            icb,
            name,
            locality_sections(executed),
            claims_concerning(register, icb, places),
            edition,
            f"{base}/notebooks/localities/{icb}.html"
            if base
            else f"notebooks/localities/{icb}.html",
            sources,
            terms,
            places,
        )
        source = printer.write_print_page(build_dir / "print" / "briefings" / f"{icb}.html", page)
        jobs.append(
            printer.PrintJob(source, build_dir / paths.BRIEFINGS / f"{icb}.pdf", BRIEFING_PAGES)
        )
    return jobs


def make_briefings(
    localities: dict[str, Path],
    build_dir: Path,
    log: Callable[[str], None] = print,
    edition: dict | None = None,
) -> int:
    """The briefing PDFs, printed where their print page changed (``edition``: the build's,
    else worked out here). Returns how many were printed; raises if a page tried to load
    anything."""
    if not localities:
        return 0

    register = pd.read_csv(build_dir / "claims.csv", dtype=str)
    edition = edition or colophon.edition()
    return printer.print_whole(
        briefing_jobs(localities, build_dir, register, edition), edition, log
    )
