"""Printing HTML to PDF with Playwright driving Debian's chromium (``/usr/bin/chromium``).

Each print page is one self-contained HTML file (styles inline, charts as inline SVG), printed
with print media, a PDF outline and tags; every request the page makes is refused, so printing
never touches the network. A PDF is printed again only when its print HTML changed (a stamp
beside it holds the HTML's digest), and the dates chromium writes and the ids of its tags are
made independent of when and after what it was printed (``reproducible``), so two builds of one
commit give the same bytes.
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

from chsreport.publishing import paths

PRINT_VERSION = "5"  # bump when the print layout or printing changes: every PDF is printed again
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


def write_print_page(path: Path, page: str) -> Path:
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
    # the page numbers of the contents (``.pageno[data-for=id]``) filled in from a first print
    numbered: bool = False
    # of a numbered print: changes to make to the page, given the PDF and where each id fell
    # (book_pdf.short_pages), each a JSON value that ``settle_script`` (a JS function taking a
    # list of them) makes; printed again until no new change is asked for
    settle: Callable[[bytes, dict[str, int]], list] | None = None
    settle_script: str = ""


def _stamp(job: PrintJob) -> str:
    digest = hashlib.sha256(PRINT_VERSION.encode())
    digest.update(job.source.read_bytes())
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
_ELEMENT_ID = re.compile(rb"/ID \(node(\d{8})\)")  # a tagged element's id, where it is defined
_ID_NAMES = re.compile(
    rb"(/Limits \[\(node\d{8}\) \(node\d{8}\)\]\s*)?/Names \[((?:\(node\d{8}\) \d+ 0 R ?)+)\]"
)
_ID_PAIR = re.compile(rb"\(node\d{8}\) \d+ 0 R")


def reproducible(pdf: bytes, built: str) -> bytes:
    """The same bytes for the same print page, whatever was printed before it and whenever
    chromium happened to number its nodes: the dates set to the build date (``fixed_dates``),
    and the tags' element ids (which count the DOM nodes the renderer has numbered, in an order
    that can vary between runs) numbered 1, 2, 3... in the order the elements are written, the
    id tree's entries then sorted again (each rewrite keeps every length, so the cross-reference
    offsets stay right)."""
    order = list(dict.fromkeys(int(n) for n in _ELEMENT_ID.findall(pdf)))
    rest = sorted({int(n) for n in _NODE.findall(pdf)} - set(order))
    rank = {n: i for i, n in enumerate(order + rest, 1)}
    renumbered = _NODE.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], pdf)

    def sort_names(m: re.Match) -> bytes:
        pairs = sorted(_ID_PAIR.findall(m.group(2)))
        limits = m.group(1) or b""
        if limits:  # the first and last keys, with the whitespace that followed them
            keys = [pair.split(b" ", 1)[0] for pair in (pairs[0], pairs[-1])]
            gap = limits[limits.index(b"]") + 1 :]
            limits = b"/Limits [" + keys[0] + b" " + keys[1] + b"]" + gap
        return limits + b"/Names [" + b" ".join(pairs) + b"]"

    resorted = _ID_NAMES.sub(sort_names, renumbered)
    return fixed_dates(resorted, built)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


# the claims' verdict badges on paper, in the colours of the web page's (sphinx-design's classes,
# whose own style sheet the print pages do not load; reading.claims_page.BADGES picks the class)
BADGE_CSS = """
.sd-badge { display: inline-block; padding: .3mm 1.6mm; border-radius: 2mm; font-weight: bold;
            white-space: nowrap; font-size: 8pt; line-height: 1.35; }
.sd-bg-success { background: #1a7f37; color: #fff; }
.sd-bg-warning { background: #f0c36d; color: #1a1a1a; }
.sd-bg-danger { background: #b42318; color: #fff; }
.sd-bg-info { background: #2f6fb0; color: #fff; }
.sd-bg-dark { background: #333; color: #fff; }
.sd-bg-light { background: #e5e5e5; color: #1a1a1a; }
"""


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
    )


async def _print_numbered(page, job: PrintJob) -> bytes:
    """Print with the contents' page numbers filled in: from the last print's numbers (often
    still right), then from where this print put each page, again until they no longer move
    (they take no new lines, so the second print normally settles them). Where ``job.settle``
    asks for changes (a chapter to run on, a chart to fit), they are made and the numbers
    settled again; changes start afresh in every build, so a PDF depends only on its print
    page."""
    seed = job.target.with_suffix(".pages.json")
    if seed.exists():
        await page.evaluate(NUMBER_CONTENTS, json.loads(seed.read_text()))
    made: set[str] = set()
    for _ in range(16):
        pdf = await _print_page(page, job)
        numbers = destination_pages(pdf)
        if await page.evaluate(NUMBER_CONTENTS, numbers):
            continue
        asked = job.settle(pdf, numbers) if job.settle else []
        more = [change for change in asked if json.dumps(change) not in made]
        if not more:
            seed.parent.mkdir(parents=True, exist_ok=True)
            seed.write_text(json.dumps(numbers, sort_keys=True))
            return pdf
        made |= {json.dumps(change) for change in more}
        await page.evaluate(job.settle_script, more)
    raise PrintError(f"{job.target.name}: the contents' page numbers move")


A4_HEIGHT_PT = 297 / 25.4 * 72

_PAGE_BOX = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
_WORD_BOX = re.compile(
    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>'
)

Page = tuple[float, list[tuple[float, float, str]]]  # a page's height and its words' y0, y1, text


def page_boxes(pdf: bytes) -> list[Page]:
    """Each page of ``pdf`` with its words, from ``pdftotext -bbox-layout`` (poppler-utils,
    which ``make system`` checks for), read once for :func:`page_fill` and :func:`first_words`."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "print.pdf"
        path.write_bytes(pdf)
        boxes = subprocess.run(
            ["pdftotext", "-bbox-layout", str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    return [
        (
            float(height),
            [(float(y0), float(y1), html.unescape(w)) for y0, y1, w in _WORD_BOX.findall(body)],
        )
        for height, body in _PAGE_BOX.findall(boxes)
    ]


def first_words(pages: list[Page], top: float, n: int) -> list[str]:
    """The first ``n`` words of each page below ``top`` points (under the running head)."""
    return [" ".join([w for y0, _, w in words if y0 >= top - 2][:n]) for _, words in pages]


def page_fill(pages: list[Page], top: float, bottom: float) -> list[float]:
    """How full each page is: the lowest word between the margins (``top`` and ``bottom``, in
    points; the running head and footer lie outside them) as a share of the height between."""
    fills = []
    for height, words in pages:
        low = height - bottom
        lowest = [y1 for y0, y1, _ in words if top - 2 <= y0 and y1 <= low + 2]
        fills.append((max(lowest, default=top) - top) / (low - top))
    return fills


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


async def _print_all(jobs: list[PrintJob], built: str) -> list[str]:
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
    refused = asyncio.run(_print_all(todo, built))
    return len(todo), refused


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
    wanted = [build_dir / paths.BOOK_PDF] + [
        build_dir / paths.BRIEFINGS / f"{c}.pdf" for c in localities
    ]
    return stamp.exists() and stamp.read_text() == key and all(p.exists() for p in wanted)


def remember_printed(build_dir: Path, key: str) -> None:
    _printed_stamp(build_dir).parent.mkdir(parents=True, exist_ok=True)
    _printed_stamp(build_dir).write_text(key)


def forget_printed(build_dir: Path) -> None:
    _printed_stamp(build_dir).unlink(missing_ok=True)


def print_whole(jobs: list[PrintJob], edition: dict, log: Callable[[str], None]) -> int:
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
