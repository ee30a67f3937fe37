"""PDFs: a two-page briefing for every ICB and the book as one PDF, printed by Debian's chromium.

Print HTML is made from what the build already has: a briefing is laid out from the outputs of
the executed locality notebook (the same package functions drew them, so the PDF and the web page
say the same thing) and the claims register the build computed. Each print page is one
self-contained HTML file (styles inline, charts as inline SVG), printed by Playwright driving
``/usr/bin/chromium`` with print media, a PDF outline and tags; every request the page makes is
refused, so printing never touches the network. A PDF is printed again only when its print HTML
changed (a stamp beside it holds the HTML's digest), and the dates chromium writes and the ids of
its tags are made independent of when and after what it was printed (``reproducible``), so two
builds of one commit give the same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
from markdown_it import MarkdownIt

PRINT_VERSION = "4"  # bump when the print layout or printing changes: every PDF is printed again
BRIEFING_PAGES = 2
CONCURRENT_PAGES = 2


def chromium() -> str | None:
    """The Debian chromium the browser tests use, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


HOW_TO_GET_PDFS = (
    "PDFs not made: chromium is not installed (on Debian or Ubuntu: sudo apt-get install "
    "chromium; then run make book again). The HTML book is built."
)


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


def locality_sections(executed: Path) -> dict[str, list[str]]:
    """The outputs of an executed locality notebook, grouped under the page's ``##`` headings
    ("top" before the first): HTML fragments, in order."""
    from chsreport import standalone

    nb = nbformat.read(executed, as_version=4)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    sections: dict[str, list[str]] = {}
    current = "top"
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    current = line[3:].strip()
            continue
        sections.setdefault(current, []).extend(
            printable(part) for part in standalone.cell_outputs_html(cell, md)
        )
    return sections


def _figures(parts: list[str]) -> list[str]:
    return [p for p in parts if p.lstrip().startswith("<figure")]


def _tables(parts: list[str]) -> list[str]:
    return [p for p in parts if p.lstrip().startswith('<div class="chs-table-wrap"')]


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
.edition { font-size: 8pt; color: #555; margin: 0 0 3mm; border-bottom: 1px solid #ccc;
           padding-bottom: 2mm; }
p { margin: 0 0 2mm; }
.maps { display: flex; gap: 4mm; align-items: flex-start; }
.maps figure { flex: 1 1 0; }
/* the maps give way, not the text: each at most 112 mm tall, so page 1 keeps its type size */
.maps figure svg { max-height: 112mm; width: auto; }
figure { margin: 2mm 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 7.4pt; color: #555; line-height: 1.3; }
.chs-table-caption { font-size: 7.4pt; color: #555; margin: 1mm 0 0; }
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
    """The claims about ``icb``: those claims.yml says are about it, the three every ICB faces
    (``claims.claims_about``), and any whose quote or note names one of ``places`` (its
    councils, its acute trusts), in register order."""
    from chsreport import claims

    words = [re.escape(p) for p in places if p and len(p) > 3]
    named = re.compile(r"\b(?:" + "|".join(words) + r")\b") if words else None
    text = register["quote"].fillna("") + " " + register["note"].fillna("")
    mask = register["claim_id"].isin(claims.claims_about(icb))
    if named is not None:
        mask |= text.str.contains(named)
    return register[mask]


def what_it_means(register: pd.DataFrame) -> str:
    """The sentence a briefing puts after "In brief": what the book's test of claim C06 (acute
    trusts that run community services manage flow better) lets a reader make of one ICB's ranks."""
    verdict = register.set_index("claim_id")["verdict"].get("C06", "")
    said = (
        "whether acute trusts that run community services have fewer delayed patients than "
        "other acute trusts"
    )
    if verdict in ("inconclusive", "no meaningful difference"):
        test = f"Across England the book finds {said} {verdict} (claim C06)"
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
    """Two A4 sheets: the ICB's opening paragraph and maps; its acute trusts' flow, the claims
    that concern it, its profile, the sources and the build date with a link to its web page."""
    brief = "".join(_text(sections.get("In brief", []))) + what_it_means(claims)
    glance = sections.get("At a glance", [])
    maps = "".join(_figures(glance)[:2])
    profile = "".join(_text(glance))
    flow = sections.get("Its acute trusts' flow, against England and their peers", [])
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
        f"{''.join(_text(sections.get('Discharge delays and virtual wards across the ICB', [])))}"
        f'<h2>Terms</h2><dl class="terms">{defined}</dl>'
        f"<footer><p>Sources: {html.escape('; '.join(sources))}; each file, its licence and "
        "checksum are listed in the book's data sources appendix. Boundaries: Office for National "
        "Statistics, Open Government Licence v3.0; contains OS data © Crown copyright and "
        "database right 2026.</p>"
        "<p>This ICB's page in the web edition of the book (Localities, then its name), with "
        f"every table and the data behind each chart: {_link(web_href)}. Text, tables and "
        "charts: Open Government Licence v3.0.</p></footer>"
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
    from chsreport import data

    text = (data.PROJECT_ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^(\S[^\n]*)\n((?:  [^\n]*\n)+)", text, re.M))
    missing = [t for t in terms if t not in entries]
    if missing:
        raise PrintError(f"book/glossary.md has no entry {missing}")
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


def _book_config() -> dict:
    import yaml

    from chsreport import data

    return yaml.safe_load((data.PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))


def book_url() -> str:
    """The published book's address from _config.yml (``html.baseurl``), or ""."""
    return str((_book_config().get("html") or {}).get("baseurl") or "").rstrip("/")


def _write_print_page(path: Path, page: str) -> Path:
    """Write a print page unless it is already there with this content (its PDF's stamp is
    the page's digest, so an unchanged page is never printed again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != page:
        path.write_text(page, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- printing
@dataclass(frozen=True)
class PrintJob:
    source: Path  # a self-contained HTML file
    target: Path  # the PDF
    pages: int | None = None  # the exact page count the PDF must have (a briefing: 2)
    header: str = ""  # running title and page numbers (chromium's header and footer templates)
    footer: str = ""
    # the page numbers of the contents (``.pageno[data-for=id]``) filled in from a first print
    numbered: bool = False


def _stamp(job: PrintJob) -> str:
    digest = hashlib.sha256(PRINT_VERSION.encode())
    digest.update(job.source.read_bytes())
    digest.update((job.header + job.footer).encode())
    return digest.hexdigest()


def up_to_date(job: PrintJob) -> bool:
    stamp = job.target.with_suffix(".key")
    return job.target.exists() and stamp.exists() and stamp.read_text() == _stamp(job)


_DATE = re.compile(rb"\(D:(\d{14})([^)]*)\)")


def fixed_dates(pdf: bytes, built: str) -> bytes:
    """Chromium's creation and modification dates set to the build date (same length, so the
    cross-reference offsets stay right): the same commit prints the same bytes."""
    day = built.replace("-", "")[:8].ljust(8, "0").encode()
    return _DATE.sub(lambda m: b"(D:" + day + b"000000" + m.group(2) + b")", pdf)


_NODE = re.compile(rb"\(node(\d{8})\)")


def reproducible(pdf: bytes, built: str) -> bytes:
    """The same bytes for the same print page, whatever was printed before it: the dates set
    to the build date (``fixed_dates``), and the tags' element ids, which count the DOM nodes
    the page has ever held, numbered 1, 2, 3... in their order (same width, so the
    cross-reference offsets stay right, and same order, so the id tree stays sorted)."""
    ids = sorted({int(n) for n in _NODE.findall(pdf)})
    rank = {n: i for i, n in enumerate(ids, 1)}
    renumbered = _NODE.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], pdf)
    return fixed_dates(renumbered, built)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


class PrintError(RuntimeError):
    pass


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Each object's text up to its stream or end (from the cross-reference table): enough to
    read the page tree and the named destinations of a PDF chromium wrote."""
    start = int(re.search(rb"startxref\s+(\d+)", pdf[-64:]).group(1))
    table = re.match(rb"xref\s+(\d+) (\d+)\s+", pdf[start:])
    first, count = int(table.group(1)), int(table.group(2))
    rows = pdf[start + table.end() : start + table.end() + 20 * count].split(b"\n")
    objects = {}
    for number, row in enumerate(rows[:count], first):
        offset, _, kind = row.strip().split(b" ")
        if kind == b"n":
            body = pdf[int(offset) : pdf.find(b"endobj", int(offset))]
            objects[number] = body.split(b"stream", 1)[0]
    return objects


def destination_pages(pdf: bytes) -> dict[str, int]:
    """The page (1 = first) each named destination of ``pdf`` lands on: where chromium put
    each element id that a link points to."""
    objects = _objects(pdf)
    ref = rb"(\d+) 0 R"
    root = int(re.search(rb"/Root " + ref, pdf[pdf.rfind(b"trailer") :]).group(1))
    catalog = objects[root]
    order: list[int] = []

    def walk(number: int) -> None:
        body = objects[number]
        kids = re.search(rb"/Kids \[([^\]]*)\]", body)
        if kids is None:
            order.append(number)
        else:
            for kid in re.findall(ref, kids.group(1)):
                walk(int(kid))

    walk(int(re.search(rb"/Pages " + ref, catalog).group(1)))
    number = {page: i for i, page in enumerate(order, 1)}
    dests = re.search(rb"/Dests " + ref, catalog)
    if dests is None:
        return {}
    return {
        name.decode(): number[int(page)]
        for name, page in re.findall(rb"/([^\s/\[]+) \[" + ref, objects[int(dests.group(1))])
    }


STOP = threading.Event()  # set when the build is stopped: printing ends after the current PDF


async def _print_page(page, job: PrintJob) -> bytes:
    return await page.pdf(
        format="A4",
        print_background=True,
        prefer_css_page_size=True,
        outline=True,
        tagged=True,
        display_header_footer=bool(job.header or job.footer),
        header_template=job.header or "<span></span>",
        footer_template=job.footer or "<span></span>",
    )


async def _print_numbered(page, job: PrintJob) -> bytes:
    """Print with the contents' page numbers filled in: from the last print's numbers (often
    still right), then from where this print put each page, again until they no longer move
    (they take no new lines, so the second print normally settles them)."""
    seed = job.target.with_suffix(".pages.json")
    if seed.exists():
        await page.evaluate(NUMBER_CONTENTS, json.loads(seed.read_text()))
    for _ in range(4):
        pdf = await _print_page(page, job)
        numbers = destination_pages(pdf)
        if not await page.evaluate(NUMBER_CONTENTS, numbers):
            seed.parent.mkdir(parents=True, exist_ok=True)
            seed.write_text(json.dumps(numbers, sort_keys=True))
            return pdf
    raise PrintError(f"{job.target.name}: the contents' page numbers move")


# Writes each contents entry's page number; true when any changed.
NUMBER_CONTENTS = """
(numbers) => {
  let changed = false;
  for (const cell of document.querySelectorAll('.pageno[data-for]')) {
    const n = String(numbers[cell.dataset.for] ?? '');
    if (cell.textContent !== n) { cell.textContent = n; changed = true; }
  }
  return changed;
}
"""


async def _print_all(jobs: list[PrintJob], built: str, log: Callable[[str], None]) -> list[str]:
    from playwright.async_api import async_playwright

    refused: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-background-networking"]
        )
        queue: asyncio.Queue[PrintJob] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)

        async def refuse(route):  # a print page is self-contained: nothing may load
            refused.append(route.request.url)
            await route.abort()

        async def worker() -> None:
            # one page per worker, each PDF's document loaded into it in turn (a new page per
            # PDF costs twice the time); what the previous document leaves in the PDF (its
            # node numbers in the tags) is made order-free by ``reproducible``
            context = await browser.new_context()
            page = await context.new_page()
            await page.route("**/*", refuse)
            await page.emulate_media(media="print")
            while not queue.empty() and not STOP.is_set():
                job = queue.get_nowait()
                await page.set_content(job.source.read_text(encoding="utf-8"), wait_until="load")
                printing = _print_numbered if job.numbered else _print_page
                pdf = reproducible(await printing(page, job), built)
                if job.pages is not None and page_count(pdf) != job.pages:
                    raise PrintError(
                        f"{job.target.name}: {page_count(pdf)} pages, expected {job.pages}"
                    )
                job.target.parent.mkdir(parents=True, exist_ok=True)
                tmp = job.target.with_suffix(".pdf.tmp")
                tmp.write_bytes(pdf)
                tmp.replace(job.target)
                job.target.with_suffix(".key").write_text(_stamp(job))
            await context.close()

        await asyncio.gather(*(worker() for _ in range(min(CONCURRENT_PAGES, len(jobs)))))
        await browser.close()
    return refused


def print_all(
    jobs: list[PrintJob], built: str, log: Callable[[str], None] = print
) -> tuple[int, list[str]]:
    """Print the jobs whose PDF is missing or older than its HTML. Returns how many were printed
    and the URLs any page tried to load (refused; there should be none)."""
    todo = [job for job in jobs if not up_to_date(job)]
    if not todo:
        return 0, []
    log(f"printing {len(todo)} of {len(jobs)} PDFs with chromium")
    refused = asyncio.run(_print_all(todo, built, log))
    return len(todo), refused


# --------------------------------------------------------------------------- the build's PDFs
BRIEFINGS = Path("pdf") / "briefings"  # under the build folder, and under the published book


def briefing_jobs(
    localities: dict[str, Path], build_dir: Path, register: pd.DataFrame, edition: dict
) -> list[PrintJob]:
    """Write each ICB's briefing print page (``<build>/print/briefings/<code>.html``, only if it
    changed) from its executed locality notebook, and return the print jobs."""
    from chsreport import build, data, geography, orgs, params, vocabulary

    names = params.valid_icbs()
    trusts = orgs.trust_register()
    open_trusts = trusts[trusts["close_date"].isna()]
    councils = geography.councils_with_icb()
    base = book_url()
    sources = sorted(
        {short_source(data.entry(n).publisher) for n in build.chapter_inputs()["Localities"]}
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
        source = _write_print_page(build_dir / "print" / "briefings" / f"{icb}.html", page)
        jobs.append(PrintJob(source, build_dir / BRIEFINGS / f"{icb}.pdf", BRIEFING_PAGES))
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
    from chsreport import build

    register = pd.read_csv(build_dir / "claims.csv", dtype=str)
    edition = edition or build.edition()
    return _print_whole(briefing_jobs(localities, build_dir, register, edition), edition, log)


def print_key(book_digest: str, edition: dict) -> str:
    """What every PDF depends on: the book's sources (executed notebooks, generated pages, data,
    package: the build's digest), the edition and the print layout's version."""
    text = json.dumps([book_digest, edition, PRINT_VERSION], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _printed_stamp(build_dir: Path) -> Path:
    return build_dir / "pdf" / "printed.key"


def printed_already(build_dir: Path, key: str, localities: dict[str, Path]) -> bool:
    """True when the last print run finished with this ``print_key`` and its PDFs are there."""
    stamp = _printed_stamp(build_dir)
    wanted = [build_dir / BOOK_PDF] + [build_dir / BRIEFINGS / f"{c}.pdf" for c in localities]
    return stamp.exists() and stamp.read_text() == key and all(p.exists() for p in wanted)


def remember_printed(build_dir: Path, key: str) -> None:
    _printed_stamp(build_dir).parent.mkdir(parents=True, exist_ok=True)
    _printed_stamp(build_dir).write_text(key)


def forget_printed(build_dir: Path) -> None:
    _printed_stamp(build_dir).unlink(missing_ok=True)


def _print_whole(jobs: list[PrintJob], edition: dict, log: Callable[[str], None]) -> int:
    """``print_all``, failing if any print page tried to load anything."""
    printed, refused = print_all(jobs, edition["built"], log)
    if refused:
        raise PrintError(f"a print page tried to load {refused[:3]}: print pages must be whole")
    return printed


PDF_LINK = re.compile(r'<a class="chs-pdf" href="([^"]+)"[^>]*>.*?</a>', re.S)


def drop_missing_pdf_links(page: Path) -> None:
    """Remove a page's links to PDFs that were not made (no chromium): no dead ends."""
    text = page.read_text(encoding="utf-8")
    if "chs-pdf" not in text:
        return

    def keep(match: re.Match) -> str:
        return match.group(0) if (page.parent / match.group(1)).exists() else ""

    changed = PDF_LINK.sub(keep, text)
    if changed != text:
        page.write_text(changed, encoding="utf-8")


# --------------------------------------------------------------------------- the book as a PDF
BOOK_PDF = Path("pdf") / "book.pdf"
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'href="([^"]*)"')
_URL_REF = re.compile(r"url\(#([^)\s]+)\)")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)

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

    from chsreport import data

    toc = yaml.safe_load((data.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
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
            f'<p class="chs-print-more">The other {n:,} rows of this table are in the web '
            "edition of this page and in its CSV file.</p>"
        )

    return _MORE.sub(cut, article)


def _page_html(page: str, article: str, anchors: dict[str, str], base: str) -> str:
    import posixpath

    mine = anchors[page]
    article = _HEADERLINK.sub("", _long_tables_cut(printable(article)))
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

    return f'<section class="chs-page" id="{mine}">{_HREF.sub(href, article)}</section>'


def book_html(html_dir: Path, title: str, edition: dict, author: str = "") -> str:
    """The book (without the locality pages) as one print page: a cover with the edition, the
    contents, then each page's article in reading order, its links and ids made local."""
    from chsreport import locality

    pages = book_pages()
    anchors = {page: f"p{i}" for i, page in enumerate(pages)}
    base = book_url()
    sections, contents = [], []
    for page in pages:
        source = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        found = _ARTICLE.search(source)
        if found is None:
            raise PrintError(f"{page}.html has no article to print")
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
        "<p>Text, tables and charts: Open Government Licence v3.0; code: MIT. Contains public "
        "sector information licensed under the Open Government Licence v3.0.</p>"
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
    from chsreport import data

    return (data.PROJECT_ROOT / "_static" / "chs.css").read_text(encoding="utf-8")


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
    from chsreport import build

    edition = edition or build.edition()
    config = _book_config()
    page = book_html(html_dir, config["title"], edition, config.get("author", ""))
    source = _write_print_page(build_dir / "print" / "book.html", page)
    job = PrintJob(
        source, build_dir / BOOK_PDF, header=BOOK_HEADER, footer=book_footer(edition), numbered=True
    )
    return _print_whole([job], edition, log)
