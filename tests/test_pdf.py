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
from chsreport.reading import locality

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


def _in_brief_numbers(icb: str) -> list[str]:
    page = (HTML / "notebooks" / "localities" / f"{icb}.html").read_text(encoding="utf-8")
    brief = page.split('id="in-brief"', 1)[1].split('id="at-a-glance"', 1)[0]
    text = re.sub(r"<[^>]+>", " ", brief)
    return sorted(set(re.findall(r"\d{1,3}(?:,\d{3})+", text)))


@pytest.mark.parametrize("icb", ["QE1", "QOX", "QSL"])
def test_a_briefing_says_what_its_locality_page_says(briefing_pdfs, icb):
    text = _run("pdftotext", "-layout", str(BRIEFINGS / f"{icb}.pdf"), "-")
    name = params.valid_icbs()[icb]
    assert " ".join(name.split()) in " ".join(text.split())
    numbers = _in_brief_numbers(icb)
    assert len(numbers) >= 3
    for number in numbers:  # registered patients, PCN and council sizes, ...
        assert number in text, number
    assert f"localities/{icb}.html" in text  # where its full page is


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
    assert "Version " in text and "Page 1 of" in text  # cover and page numbers
    assert _run("pdfimages", "-list", str(book)).splitlines()[2:] == []
    fonts = _run("pdffonts", str(book)).splitlines()[2:]
    assert all(line.split()[-5] == "yes" for line in fonts)
    # printed again from the same print page: the same number of pages
    again = printer.PrintJob(
        paths.BUILD / "print" / "book.html", tmp_path / "book.pdf",
        header=book_pdf.BOOK_HEADER, footer=book_pdf.book_footer(colophon.edition()), numbered=True,
    )  # fmt: skip
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


def test_the_book_pdf_gives_page_numbers_for_its_links_and_no_locality_pages():
    raw = (HTML / paths.BOOK_PDF).read_bytes()
    chapter_starts = {
        page for key, page in printer.destination_pages(raw).items() if re.fullmatch(r"p\d+", key)
    }
    text = " ".join(_run("pdftotext", str(HTML / paths.BOOK_PDF), "-").split())
    pages = [int(n) for n in re.findall(r"See the chapter \(page (\d+)\)", text)]
    assert pages and set(pages) <= chapter_starts
    assert "own page under Localities" not in text  # the PDF leaves the locality pages out
