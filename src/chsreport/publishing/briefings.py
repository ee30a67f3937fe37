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
from chsreport.reading import claims

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


def _figures(parts: list[str]) -> list[str]:
    return [p for p in parts if p.lstrip().startswith("<figure")]


def _tables(parts: list[str]) -> list[str]:
    return [p for p in parts if p.lstrip().startswith('<div class="chs-table-wrap"')]


def _print_tables(parts: list[str]) -> list[str]:
    """The tables made for the briefing only (hidden on the web page)."""
    return [p for p in parts if p.lstrip().startswith('<div class="chs-table-wrap chs-print-only"')]


def _text(parts: list[str]) -> list[str]:
    return [p for p in parts if not p.lstrip().startswith(("<figure", "<div", "<details"))]


BRIEFING_CSS = """
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       font-size: 9.6pt; line-height: 1.38; }
.sheet { width: 210mm; height: 296.5mm; padding: 11mm 12mm 10mm; overflow: hidden;
         break-after: page; position: relative; }
.sheet:last-child { break-after: auto; }
.fit { transform-origin: top left; }
.kicker { text-transform: uppercase; letter-spacing: .06em; font-size: 8pt; color: #005EB8;
          margin: 0 0 2mm; font-weight: bold; }
h1 { font-size: 19pt; line-height: 1.15; margin: 0 0 1.5mm; }
h2 { font-size: 12pt; margin: 4mm 0 1.5mm; color: #003087; break-after: avoid; }
h1, h2, h3 { white-space: pre-wrap; }  /* bookmarks keep the space where a heading wraps */
.edition { font-size: 8pt; color: #555; margin: 0 0 3mm; border-bottom: 1px solid #ccc;
           padding-bottom: 2mm; }
p { margin: 0 0 2mm; }
.maps { display: flex; gap: 4mm; align-items: flex-start; }
.maps figure { flex: 1 1 0; }
/* the maps give way, not the text: each at most 80 mm tall, so page 1 keeps its type size */
.maps figure svg { max-height: 80mm; width: auto; }
figure { margin: 2mm 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 7.4pt; color: #555; line-height: 1.3; }
.chs-table-caption { font-size: 7.4pt; color: #555; margin: 1mm 0 0; }
.chs-print-only { display: block; }
table.chs-table { border-collapse: collapse; width: 100%; font-size: 7.8pt; }
table.chs-table th, table.chs-table td { border-bottom: 1px solid #ddd; padding: .6mm 1.2mm;
                                         vertical-align: top; text-align: left; }
table.chs-table th { background: #f0f4f5; font-weight: bold; }
table.chs-table td.num, table.chs-table th.num { text-align: right; }
table.claims { border-collapse: collapse; width: 100%; font-size: 8.4pt; }
table.claims th, table.claims td { border-bottom: 1px solid #ddd; padding: 1.2mm 1.5mm;
                                   text-align: left; vertical-align: top; }
table.claims th { background: #f0f4f5; }
.verdict { font-weight: bold; white-space: nowrap; }
table.claims td.note { font-size: 7.6pt; color: #333; }
dl.terms { font-size: 7.6pt; margin: 0; columns: 2; column-gap: 6mm; }
dl.terms dt { font-weight: bold; display: inline; }
dl.terms dt::after { content: ": "; }
dl.terms dd { display: inline; margin: 0; }
dl.terms dd::after { content: ""; display: block; margin-bottom: 1mm; }
footer { font-size: 7.6pt; color: #444; border-top: 1px solid #ccc; padding-top: 2mm;
         margin-top: 3mm; }
a { color: #005EB8; }
"""

# Shrink a sheet's content until it fits its page (long place names, many PCNs): a briefing is
# always exactly two pages, and nothing is cut off.
FIT_SCRIPT = """
for (const sheet of document.querySelectorAll('.sheet')) {
  const inner = sheet.querySelector('.fit');
  const style = getComputedStyle(sheet);
  const room = sheet.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const need = inner.scrollHeight;
  if (need > room) {
    const scale = room / need;
    inner.style.transform = `scale(${scale})`;
    inner.style.width = `${100 / scale}%`;
  }
}
"""


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


COMMUNITY_MEANS = {  # claim C18's verdict -> what it lets a reader make of the community panel
    "partly supported": "services run by acute trusts had shorter waits than standalone "
    "community trusts' in the same service",
    "contradicted": "services run by acute trusts had longer waits than standalone community "
    "trusts' in the same service",
    "no meaningful difference": "services run by acute trusts and by standalone community trusts "
    "waited about the same in the same service",
    "inconclusive": "the data cannot tell whether services run by acute trusts wait less or more "
    "than standalone community trusts' in the same service",
}


def community_means(register: pd.DataFrame) -> str:
    """The sentence after a briefing's community panel: what claim C18 lets a reader make of
    it ("" without the claim)."""
    verdict = register.set_index("claim_id")["verdict"].get("C18", "")
    if verdict not in COMMUNITY_MEANS:
        return ""
    return (
        f"<p><strong>What it means.</strong> Across England, {COMMUNITY_MEANS[verdict]} (claim "
        f"C18: {verdict}, on waits only). This ICB's figures describe its providers; they do not "
        "show that one way of running community services works better.</p>"
    )


def what_it_means(register: pd.DataFrame) -> str:
    """The sentence a briefing puts after "In brief": what the book's test of claim C06 (acute
    trusts that run community services manage flow better) lets a reader make of one ICB's ranks."""
    verdict = register.set_index("claim_id")["verdict"].get("C06", "")
    said = (
        "whether acute trusts that run community services have fewer delayed patients than "
        "other acute trusts"
    )
    if verdict in ("inconclusive", "no meaningful difference"):
        test = (
            "Across England the book finds no meaningful difference in delayed patients between "
            "acute trusts that run community services and other acute trusts (claim C06)"
        )
        if verdict == "inconclusive":
            test = f"Across England the data cannot yet tell {said} (claim C06: inconclusive)"
        return (
            f"<p><strong>What it means.</strong> {test}. The ranks above describe this ICB's "
            "trusts; they do not show that one way of organising community services works "
            "better here or anywhere.</p>"
        )
    if verdict in ("supported", "contradicted"):
        return (
            f"<p><strong>What it means.</strong> Across England the book's test of {said} is "
            f"{verdict} (claim C06): read this ICB's ranks with that in mind, one place at a "
            "time.</p>"
        )
    return ""


def briefing_html(
    icb: str,
    name: str,
    sections: dict[str, list[str]],
    claims: pd.DataFrame,
    edition: dict,
    web_href: str,
    sources: list[str],
    terms: dict[str, str],
) -> str:
    """Two A4 sheets: the ICB's opening paragraph, its community services (providers, waits, the
    panel with ranks and peers) and maps; its acute trusts' flow, the claims
    that concern it, its profile, the sources and the build date with a link to its web page."""
    brief = "".join(_text(section(sections, "brief"))) + what_it_means(claims)
    glance = section(sections, "glance")
    maps = "".join(_figures(glance)[:2])
    profile = "".join(_text(glance))
    flow = section(sections, "flow")
    community = section(sections, "community")
    rows = "".join(
        f"<tr><td>“{html.escape(str(r.quote))}” (source article {html.escape(str(r.seed))}; "
        f"{html.escape(r.claim_id)} in the book's claims register)</td>"
        f'<td class="verdict">{html.escape(str(r.verdict))}</td>'
        f'<td class="note">{html.escape(str(r.note) if pd.notna(r.note) else "")}</td></tr>'
        for r in claims.itertuples()
    )
    defined = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(words)}</dd>"
        for term, words in terms.items()
    )
    e = edition
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(name)}: community health services briefing</title>"
        f"<style>{BRIEFING_CSS}</style></head><body>"
        '<section class="sheet"><div class="fit">'
        '<p class="kicker">Community health services reform · ICB briefing</p>'
        f"<h1>{html.escape(name)}</h1>"
        f'<p class="edition">ICB code {html.escape(icb)} · version {html.escape(e["version"])}, '
        f"built {html.escape(e['built'])} from public data published up to "
        f"{html.escape(e['data_to'])}; each figure names its own period</p>"
        f"<h2>In brief</h2>{brief}"
        f"<h2>Its community services</h2>{''.join(_text(community))}"
        f"{''.join(_print_tables(community)[:1])}{community_means(claims)}"
        f'<h2>Where it is and its councils</h2><div class="maps">{maps}</div>'
        "</div></section>"
        '<section class="sheet"><div class="fit">'
        f"<h2>Its acute trusts' flow</h2>{''.join(_figures(flow)[:1])}{''.join(_tables(flow)[:1])}"
        "<h2>The claims that concern it</h2>"
        '<table class="claims"><thead><tr><th>What was said</th>'
        "<th>Verdict on the data</th><th>What the data show</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>At a glance</h2>{profile}"
        "<h2>Discharge delays and virtual wards</h2>"
        f"{''.join(_text(section(sections, 'wards')))}"
        f'<h2>Terms</h2><dl class="terms">{defined}</dl>'
        f"<footer><p>Sources: {html.escape('; '.join(sources))}; each file, its licence and "
        "checksum are listed in the book's data sources appendix. "
        f"{vocabulary.BOUNDARY_ATTRIBUTION}.</p>"
        "<p>This ICB's page in the web edition of the book (Localities, then its name), with "
        f"every table and the data behind each chart: {_link(web_href)}. "
        f"{vocabulary.CONTENT_LICENCE}.</p></footer>"
        "</div></section>"
        f"<script>{FIT_SCRIPT}</script></body></html>\n"
    )


def short_source(publisher: str) -> str:
    """A manifest publisher as a briefing's source line names it: who published the data,
    without how it reached us (the book's data sources appendix keeps that)."""
    name = re.sub(r"\s*\(.*\)$", "", publisher).split(" via ")[0].strip()
    return f"{name} (GitHub)" if re.fullmatch(r"[\w.-]+/[\w.-]+", name) else name


BRIEFING_TERMS = ("Criteria to reside", "G&A beds", "Sitrep", "PCN", "Neighbourhood",
                  "Class (a), (b), (c), (d)", "Verdict")  # fmt: skip


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
