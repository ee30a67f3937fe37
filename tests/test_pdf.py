"""The briefing PDFs of the built book: two pages each, the locality page's numbers, fonts
embedded, charts as vectors, nothing loaded while printing, nothing reprinted when nothing
changed. Needs the book built with chromium present (`make book`; `make test` does that) and
poppler-utils (pdfinfo, pdftotext, pdffonts, pdfimages)."""

from __future__ import annotations

import html
import re
import subprocess

import pandas as pd
import pytest

from chsreport.analysis import params
from chsreport.data import manifest
from chsreport.publishing import book_pdf, briefings, colophon, paths, printer
from chsreport.reading import key_figures, locality
from tests import pdf_layout
from tests.pdf_layout import MM

pytestmark = pytest.mark.book

HTML = manifest.PROJECT_ROOT / "_build" / "html"
BRIEFINGS = HTML / paths.BRIEFINGS


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def briefing_pdfs():
    assert printer.chromium(), "the PDF tests need chromium (apt-get install chromium)"
    made = sorted(BRIEFINGS.glob("*.pdf"))
    assert [p.stem for p in made] == sorted(locality.localities()), "build the book: make book"
    return made


def test_every_briefing_is_two_pages_and_small(briefing_pdfs):
    for path in briefing_pdfs:
        pages = re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1)
        assert pages == "2", path.name
        assert path.stat().st_size < 600_000, path.name


def _key_numbers(icb: str) -> list[str]:
    """The numbers of a locality page's key figures block."""
    page = (HTML / "notebooks" / "localities" / f"{icb}.html").read_text(encoding="utf-8")
    block = page.split('id="key-figures"', 1)[1].split('id="in-brief"', 1)[0]
    text = re.sub(r"<[^>]+>", " ", block)
    return sorted(set(re.findall(r"\d{1,3}(?:,\d{3})+", text)))


@pytest.mark.parametrize("icb", ["QE1", "QOX", "QSL"])
def test_a_briefing_says_what_its_locality_page_says(briefing_pdfs, icb):
    text = _run("pdftotext", "-layout", str(BRIEFINGS / f"{icb}.pdf"), "-")
    name = params.valid_icbs()[icb]
    assert " ".join(name.split()) in " ".join(text.split())
    numbers = _key_numbers(icb)
    assert len(numbers) >= 3
    for number in numbers:  # registered patients, PCN and council sizes, ...
        assert number in text, number
    assert f"localities/{icb}.html" in text  # where its full page is


def test_every_word_of_every_briefing_is_8_pt_or_more_and_on_its_page(briefing_pdfs):
    for path in briefing_pdfs:
        for page in pdf_layout.pages(path):
            small = [(w.text, round(w.size, 2)) for w in page.words if w.size < 7.95]
            assert not small, (path.name, page.number, small[:5])
            assert not page.outside(), (path.name, page.number, page.outside()[:3])


def test_page_one_of_every_briefing_gives_its_key_figures_against_england_with_ranks(
    briefing_pdfs,
):
    labels = [label.split()[:2] for label in key_figures.FIGURES.values()]
    for path in briefing_pdfs:
        first = pdf_layout.pages(path)[0].text()
        assert "Key figures" in first and "England" in first and "Rank" in first, path.name
        assert len(re.findall(r"\b\d+ of 3[0-9]\b", first)) >= 6, path.name  # ranks of 36
        assert re.search(r"\b\d+ of 36\b", first), path.name
        assert re.search(r"(best|worst|highest|lowest|middle) third", first), path.name
        for words in labels:
            assert " ".join(words) in first, (path.name, words)


def test_no_briefing_page_has_an_empty_band(briefing_pdfs):
    for path in briefing_pdfs:
        first, second = pdf_layout.pages(path)
        for page in (first, second):
            foot = page.height - max(w.y1 for w in page.words)
            assert foot <= 12 * MM, (path.name, page.number, foot / MM)
        # the second page's parts share its room: no hole of 2 cm between its lines
        assert second.largest_gap() <= 20 * MM, (path.name, second.largest_gap() / MM)


def test_each_briefing_names_its_web_page_by_its_address(briefing_pdfs):
    base = colophon.book_url()
    assert base.startswith("https://")
    for path in briefing_pdfs:
        joined = "".join(w.text for w in pdf_layout.pages(path)[1].words)
        assert f"{base}/notebooks/localities/{path.stem}.html" in joined, path.name


def test_fonts_are_embedded_and_charts_are_vectors(briefing_pdfs):
    for path in briefing_pdfs[:6]:
        fonts = _run("pdffonts", str(path)).splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), path.name
        images = _run("pdfimages", "-list", str(path)).splitlines()[2:]
        assert images == [], f"{path.name} holds raster images: {images[:2]}"


def test_printing_loads_nothing_and_reprints_nothing_unchanged(briefing_pdfs, tmp_path):
    build_dir = paths.BUILD
    localities = {
        p.stem: build_dir / "executed" / "localities" / f"{p.stem}.ipynb" for p in briefing_pdfs
    }
    register = pd.read_csv(build_dir / "claims.csv", dtype=str)
    jobs = briefings.briefing_jobs(localities, build_dir, register, colophon.edition())
    assert all(printer.up_to_date(job) for job in jobs)  # the build's PDFs match their pages
    stamp = {job.target: job.target.stat().st_mtime_ns for job in jobs}
    assert briefings.make_briefings(localities, build_dir, lambda _: None) == 0
    assert all(job.target.stat().st_mtime_ns == stamp[job.target] for job in jobs)
    # a print page that reaches out is refused, and the build would fail on it
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<html><body><img src="https://example.org/x.png"><p>x</p></body></html>')
    printed, refused = printer.print_all(
        [printer.PrintJob(leaky, tmp_path / "leaky.pdf")], "2026-01-01"
    )
    assert printed == 1 and refused == ["https://example.org/x.png"]


def test_each_locality_page_links_its_briefing(briefing_pdfs):
    page = (HTML / "notebooks" / "localities" / "QE1.html").read_text(encoding="utf-8")
    href = re.search(r'<a class="chs-pdf" href="([^"]+)"', page).group(1)
    assert (HTML / "notebooks" / "localities" / href).resolve() == (BRIEFINGS / "QE1.pdf")


def test_the_book_pdf_has_its_chapters_bookmarks_and_vector_charts_and_a_stable_length(tmp_path):
    book = HTML / paths.BOOK_PDF
    assert book.exists(), "build the book with chromium: make book"
    raw = book.read_bytes()
    assert len(raw) < 15_000_000
    assert b"/Outlines" in raw  # bookmarks for the chapters and sections
    # each bookmark keeps the spaces of its heading, even where the heading wrapped
    titles = {t.decode("latin-1") for t in re.findall(rb"/Title \((.*?)\)\n", raw)}
    assert "Community health services: how should they be organised?" in titles
    headings = set()
    for page in book_pdf.book_pages():
        source = (HTML / f"{page}.html").read_text(encoding="utf-8")
        for heading in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", source, re.S):
            text = html.unescape(re.sub(r"<[^>]+>|#$", "", heading).strip())
            headings.add(" ".join(text.split()))
    squeezed = {t.replace(" ", ""): t for t in headings}
    joined = [t for t in titles if t not in headings and squeezed.get(t.replace(" ", "")) != t
              and t.replace(" ", "") in squeezed]  # fmt: skip
    assert not joined, f"bookmarks that lost a space: {joined[:5]}"
    text = " ".join(_run("pdftotext", str(book), "-").split())
    for title in ["Key findings", "The claims register", "Glossary", "Data sources"]:
        assert title in text, title
    assert "Version " in text and "Page 2 of" in text  # the edition and page numbers
    assert _run("pdfimages", "-list", str(book)).splitlines()[2:] == []
    fonts = _run("pdffonts", str(book)).splitlines()[2:]
    assert all(line.split()[-5] == "yes" for line in fonts)
    # printed again from the same print page: the same number of pages
    again = book_pdf.print_job(paths.BUILD / "print" / "book.html", tmp_path / "book.pdf")
    printer.print_all([again], "2026-01-01", lambda _: None)
    assert printer.page_count((tmp_path / "book.pdf").read_bytes()) == printer.page_count(raw)
    intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    href = re.search(r'<a class="chs-pdf" href="([^"]+)"', intro).group(1)
    assert (HTML / "book" / href).resolve() == book.resolve()


def test_the_book_pdf_contents_give_the_page_each_chapter_starts_on():
    raw = (HTML / paths.BOOK_PDF).read_bytes()
    starts = printer.destination_pages(raw)
    chapters = sorted((k for k in starts if re.fullmatch(r"p\d+", k)), key=lambda k: int(k[1:]))
    assert len(chapters) == len(book_pdf.book_pages())
    contents = _run("pdftotext", "-layout", "-f", "2", "-l", "2", str(HTML / paths.BOOK_PDF), "-")
    printed = [int(m) for m in re.findall(r"(\d+)\s*$", contents, re.M)]
    assert printed[: len(chapters)] == [starts[k] for k in chapters]
    # and each of those pages opens with its chapter's title (the contents line's words)
    titles = [
        re.sub(r"^\s*\d+\.\s*|\s*\.*\s*\d+\s*$", "", line)
        for line in contents.splitlines()
        if re.search(r"\d+\s*$", line) and not line.strip().startswith("Page")
    ]
    assert titles[0].strip() == "Introduction"  # the root page, titled with the book's name
    for title, key in list(zip(titles, chapters, strict=False))[1:]:
        page = _run("pdftotext", "-f", str(starts[key]), "-l", str(starts[key]),
                    str(HTML / paths.BOOK_PDF), "-")  # fmt: skip
        assert " ".join(title.split()[:3]) in " ".join(page.split()), (title, starts[key])


def _book_pages() -> tuple[list[pdf_layout.Page], set[int]]:
    book = HTML / paths.BOOK_PDF
    starts = {
        page
        for key, page in printer.destination_pages(book.read_bytes()).items()
        if re.fullmatch(r"p\d+", key)
    }
    return pdf_layout.pages(book), starts


def test_no_page_of_the_book_is_under_a_third_full_but_where_a_chapter_starts():
    pages, starts = _book_pages()
    margin = book_pdf.MARGIN_PT
    short = [
        (p.number, round(p.fill(margin, margin), 2))
        for p in pages
        if p.number not in starts and p.fill(margin, margin) < book_pdf.MIN_FILL
    ]
    assert not short, short


def test_the_book_cover_has_no_running_head_or_footer_and_every_other_page_has_both():
    pages, _ = _book_pages()
    title = colophon.book_config()["title"]
    cover = pages[0]
    assert not re.search(r"Page \d+ of \d+", cover.text())
    assert cover.text().count(title.split(":")[0]) == 1  # the title, not a running head too
    assert colophon.book_url() in "".join(w.text for w in cover.words)  # the web edition
    for page in pages[1:]:
        assert f"Page {page.number} of {len(pages)}" in page.text(), page.number
        assert page.text().startswith(title.split(":")[0]), page.number
        head_and_foot = [w for w in page.words if w.y1 < 16 * MM or w.y0 > page.height - 16 * MM]
        assert head_and_foot and min(w.size for w in head_and_foot) >= 7.95, page.number


def test_the_claims_register_prints_as_a_table_with_each_verdict_on_its_row():
    pages, starts = _book_pages()
    order = book_pdf.book_pages()
    first = sorted(starts)[order.index("book/claims")]
    last = sorted(starts)[order.index("book/claims") + 1] - 1
    words = [w for p in pages[first - 1 : last] for w in p.words]
    ids = [w for w in words if re.fullmatch(r"C\d\d", w.text)]
    assert len(ids) >= 19
    verdicts = {"supported", "partly", "not", "contradicted", "no", "inconclusive", "untestable"}
    for claim in ids:  # a table row: its verdict's badge level with its id
        level = [w.text for w in words if abs(w.y0 - claim.y0) < 3 and w.x0 > claim.x1]
        assert verdicts & set(level), (claim.text, level[:8])


def test_no_label_in_the_book_is_cut_short_and_successors_are_named():
    pages, _ = _book_pages()
    words = [w.text for p in pages for w in p.words]
    cut = [w for w in words if re.search(r"\w…$", w)]
    assert not cut, cut[:5]
    codes = [
        b
        for a, b in zip(words, words[1:], strict=False)
        if a == "→" and re.fullmatch(r"[A-Z0-9]{3}", b)
    ]
    assert not codes, codes


def test_the_book_pdf_gives_page_numbers_for_its_links_and_no_locality_pages():
    raw = (HTML / paths.BOOK_PDF).read_bytes()
    chapter_starts = {
        page for key, page in printer.destination_pages(raw).items() if re.fullmatch(r"p\d+", key)
    }
    text = " ".join(_run("pdftotext", str(HTML / paths.BOOK_PDF), "-").split())
    pages = [int(n) for n in re.findall(r"See the chapter \(page (\d+)\)", text)]
    assert pages and set(pages) <= chapter_starts
    assert "own page under Localities" not in text  # the PDF leaves the locality pages out
