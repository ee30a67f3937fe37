"""PDF helpers that need no browser: dates fixed for reproducible bytes, the claims a briefing
lists, links to PDFs that were not made, chart specs kept off paper."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from chsreport.publishing import book_pdf, briefings, paths, printer


def test_fixed_dates_keep_the_length_and_use_the_build_date():
    raw = b"<< /CreationDate (D:20261126080534+00'00') /ModDate (D:20261126080534+00'00') >>"
    fixed = printer.fixed_dates(raw, "2026-11-20")
    assert len(fixed) == len(raw)
    assert fixed.count(b"(D:20261120000000+00'00')") == 2


def test_a_briefing_lists_the_claims_that_name_its_places_and_those_every_icb_faces():
    register = pd.DataFrame(
        {
            "claim_id": ["C01", "C05", "C06", "C07", "C12", "C16"],
            "quote": [
                "Cheshire and Merseyside",
                "Walsall and Northumbria",
                "x",
                "y",
                "z",
                "Gloucestershire has no places",
            ],  # fmt: skip
            "note": ["", "", "", "", "", ""],
        }
    )
    ids = briefings.claims_concerning(register, "QXX", ["Walsall", "Wolverhampton"])["claim_id"]
    assert ids.tolist() == ["C05", "C06", "C07", "C12"]
    assert briefings.claims_concerning(register, "QXX", [])["claim_id"].tolist() == [
        "C06",
        "C07",
        "C12",
    ]
    # claims.yml says C01 is about Cheshire and Merseyside and C16 about Gloucestershire, though
    # neither quote names the other's ICB
    assert briefings.claims_concerning(register, "QYG", [])["claim_id"].tolist()[0] == "C01"
    assert "C16" in briefings.claims_concerning(register, "QR1", [])["claim_id"].tolist()


def test_links_to_pdfs_not_made_are_dropped(tmp_path):
    page = tmp_path / "page.html"
    link = '<a class="chs-pdf" href="briefing.pdf">Download</a>'
    page.write_text(f"<p>{link}</p>", encoding="utf-8")
    printer.drop_missing_pdf_links(page)
    assert page.read_text(encoding="utf-8") == "<p></p>"
    page.write_text(f"<p>{link}</p>", encoding="utf-8")
    (tmp_path / "briefing.pdf").write_bytes(b"%PDF")
    printer.drop_missing_pdf_links(page)
    assert link in page.read_text(encoding="utf-8")


def test_paper_keeps_the_picture_and_drops_the_spec_and_downloads():
    fragment = (
        '<figure class="chs-chart"><div class="chs-chart-static"><svg></svg></div>'
        '<script type="application/json" class="chs-chart-spec">{"a": 1}</script>'
        '<figcaption>Source: x. <a href="d.csv" download="d.csv">Download</a></figcaption>'
        '</figure><p class="chs-pdf-line"><a class="chs-pdf" href="x.pdf">PDF</a></p>'
    )
    out = briefings.printable(fragment)
    assert "<svg></svg>" in out and "Source: x." in out
    assert "chs-chart-spec" not in out and "download" not in out and "chs-pdf" not in out


def test_paper_says_where_a_csv_is_and_cuts_only_long_tables():
    assert briefings.printable("<p>Its CSV adds x; see this CSV.</p>") == (
        "<p>The web page's CSV adds x; see the web page's CSV.</p>"
    )
    short = (
        '<details class="chs-table-more"><summary>Show the other 5 rows</summary>'
        "<table></table></details>"
    )
    long = short.replace("other 5 rows", "other 250 rows")
    assert "<details open " in book_pdf._long_tables_cut(short)
    cut = book_pdf._long_tables_cut(long)
    assert "<table>" not in cut and "The other 250 rows" in cut and "web edition" in cut


def test_a_briefing_names_publishers_without_how_the_data_reached_us():
    assert briefings.short_source("NHS England via humaniverse/healthyr (converted from .rda)") == (
        "NHS England"
    )
    assert briefings.short_source("Davewest84/nhs-trust-icb-data (types follow X)") == (
        "Davewest84/nhs-trust-icb-data (GitHub)"
    )
    assert (
        briefings.short_source("Office for National Statistics") == "Office for National Statistics"
    )


def test_a_print_run_is_skipped_only_when_its_key_matches_and_every_pdf_is_there(tmp_path):
    edition = {"version": "1", "built": "2026-01-01", "data_to": "x"}
    key = printer.print_key("digest", edition)
    assert key != printer.print_key("digest", edition | {"built": "2026-01-02"})
    assert key != printer.print_key("other", edition)
    localities = {"QE1": tmp_path / "QE1.ipynb"}
    assert not printer.printed_already(tmp_path, key, localities)
    printer.remember_printed(tmp_path, key)
    assert not printer.printed_already(tmp_path, key, localities)  # no PDFs yet
    for target in (tmp_path / paths.BOOK_PDF, tmp_path / paths.BRIEFINGS / "QE1.pdf"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF")
    assert printer.printed_already(tmp_path, key, localities)
    assert not printer.printed_already(tmp_path, printer.print_key("changed", edition), localities)
    printer.forget_printed(tmp_path)
    assert not printer.printed_already(tmp_path, key, localities)


def test_the_book_pdf_renames_ids_with_their_references():
    article = (
        '<svg><defs><linearGradient id="g1"></linearGradient></defs>'
        '<rect fill="url(#g1)"></rect><a href="#sec">x</a></svg>'
    )
    out = book_pdf._page_html("book/a", article, {"book/a": "p1"}, "")
    assert 'id="p1-g1"' in out and "url(#p1-g1)" in out and 'href="#p1-sec"' in out


def test_a_briefing_defines_its_terms_as_the_glossary_does():
    terms = briefings.glossary(("PCN", "Verdict"))
    assert terms["PCN"].startswith("Primary care network") and terms["PCN"].endswith(".")
    assert "partly supported" in terms["Verdict"]  # given whole: both kinds of verdict
    with pytest.raises(printer.PrintError, match="no entry"):
        briefings.glossary(("Not a term",))


def _tagged(first: int, second: int) -> bytes:
    """Two tagged elements written in one order, with chromium's ids, and the id tree."""
    low, high = sorted([(first, 7), (second, 9)])
    return b"<</S /TH /ID (node%08d)>> <</S /TH /ID (node%08d)>> " % (
        first,
        second,
    ) + b"<</Limits [(node%08d) (node%08d)]\n/Names [(node%08d) %d 0 R (node%08d) %d 0 R]>>" % (
        low[0],
        high[0],
        low[0],
        low[1],
        high[0],
        high[1],
    )


def test_reproducible_numbers_tag_ids_by_the_elements_order_and_keeps_the_length():
    # chromium numbered the two elements in either order in two runs: the same bytes after
    one, other = _tagged(450, 1015), _tagged(1016, 451)
    out_one, out_other = printer.reproducible(one, "2026-01-01"), printer.reproducible(other, "x")
    assert len(out_one) == len(one) and len(out_other) == len(other)
    assert out_one == out_other
    assert out_one == (
        b"<</S /TH /ID (node00000001)>> <</S /TH /ID (node00000002)>> "
        b"<</Limits [(node00000001) (node00000002)]\n"
        b"/Names [(node00000001) 7 0 R (node00000002) 9 0 R]>>"
    )


def _notebook(tmp_path, tags_of_headings):
    nb = nbformat.v4.new_notebook()
    for heading, tags in tags_of_headings:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## {heading}", metadata={"tags": tags}))
        code = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": f"<p>{heading} text</p>"})])  # fmt: skip
        nb.cells.append(code)
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    return path


def test_briefing_sections_are_found_by_their_anchors_not_their_headings(tmp_path):
    path = _notebook(tmp_path, [("Reworded heading", ["section-brief"]), ("Next", ["section-x"])])
    sections = briefings.locality_sections(path)
    assert sections.keys() == {"brief", "x"}
    assert "Reworded heading text" in "".join(briefings.section(sections, "brief"))
    assert "Next text" not in "".join(briefings.section(sections, "brief"))


def test_an_untagged_heading_is_an_error_not_part_of_the_section_above(tmp_path):
    path = _notebook(tmp_path, [("In brief", ["section-brief"]), ("New heading", [])])
    with pytest.raises(paths.BuildError, match="'## New heading' has no section-<anchor> tag"):
        briefings.locality_sections(path)


def test_a_missing_briefing_section_is_an_error_that_names_the_tag(tmp_path):
    sections = briefings.locality_sections(_notebook(tmp_path, [("In brief", ["section-brief"])]))
    with pytest.raises(paths.BuildError, match="section-wards"):
        briefings.section(sections, "wards")


def test_the_locality_notebook_tags_every_section_a_briefing_prints():
    nb = nbformat.read(paths.NOTEBOOKS / "locality.ipynb", as_version=4)
    tags = {t for c in nb.cells for t in c.get("metadata", {}).get("tags", [])}
    source = Path(briefings.__file__).read_text(encoding="utf-8")
    printed = set(re.findall(r"section\(sections, [\"'](\w+)[\"']\)", source))
    assert printed == {"figures", "brief", "glance", "flow", "community", "wards"}
    assert {f"section-{anchor}" for anchor in printed} <= tags


def test_a_printed_link_to_another_page_gives_its_page_number_and_web_only_items_go():
    anchors = {
        "book/intro": "p0",
        "book/findings": "p1",
        "notebooks/scale": "p2",
        "book/glossary": "p3",
    }
    article = (
        '<p><a class="reference" href="../notebooks/scale.html">See the chapter</a> and '
        '<a href="#why">below</a>, a <a href="glossary.html#term-ICB">term</a>.</p>'
        "<ul><li><p>kept</p></li>"
        '<li><p><span class="chs-web-only"></span>Every ICB has its own page</p></li></ul>'
    )
    printed = book_pdf._page_html("book/findings", article, anchors, base="")
    assert (
        '<a class="reference" href="#p2">See the chapter</a><span class="chs-page-ref"> (page '
        '<span class="pageno" data-for="p2"></span>)</span>' in printed
    )
    assert '<a href="#p1-why">below</a>,' in printed  # the same page: no number
    assert "term</a>." in printed  # nor a glossary term's link
    assert "kept" in printed and "Every ICB" not in printed


def _register(ids_verdicts: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": [i for i, _ in ids_verdicts],
            "seed": "000",
            "quote": [f"quote of {i}" for i, _ in ids_verdicts],
            "measure": "Share of something",
            "value": ["41.4", "", "2.0"][: len(ids_verdicts)],
            "unit": "%",
            "note": [f"note of {i}" for i, _ in ids_verdicts],
            "verdict": [v for _, v in ids_verdicts],
        }
    )


def test_a_briefing_gives_its_own_claims_as_rows_and_those_every_icb_faces_in_a_sentence():
    register = _register([("C02", "supported"), ("C06", "no meaningful difference")])
    table = briefings.claims_table(register)
    assert table.index("<table") < table.index("quote of C02") < table.index("</table>")
    shared = table.split("</table>", 1)[1]
    assert "Tested across England" in shared and "quote of C06" in shared
    assert "(Dave West, HSJ; claim C02)" in table and "Verdicts." in shared
    assert "sd-bg-info" in shared and "sd-bg-success" in table  # the web page's badge colours
    # only claims every ICB faces: no empty table
    assert "<table" not in briefings.claims_table(register.iloc[1:])
    assert "partly supported" in shared  # the verdicts of claims of fact defined too


def test_a_briefing_shows_a_claims_measure_and_value_or_else_its_note():
    register = _register([("C04", "supported"), ("C03", "untestable with open data")])
    rows = list(register.itertuples())
    assert briefings.shows(rows[0]) == "Share of something: 41.4 %"  # a one-sentence note
    why = rows[0]._replace(note="7 ICBs, none merged. The resistance itself is not in the data.")
    assert briefings.shows(why) == (
        "Share of something: 41.4 %. The resistance itself is not in the data."
    )
    assert briefings.shows(rows[1]) == "note of C03"  # no value: why it is untestable
    # the parts of the note that name its places follow: its own figures
    local = rows[0]._replace(note="Walsall (RBK) 22.5, 31 of 118; Somerset (RH5) 34.0, 106 of 118")
    assert briefings.shows(local, ["Somerset"]) == (
        "Share of something: 41.4 %. Here: Somerset (RH5) 34.0, 106 of 118"
    )


def test_a_briefing_part_is_kept_whole_and_may_be_optional_or_move_on():
    assert briefings._part("Terms", "") == ""  # nothing to say: no heading alone
    assert briefings._part("Terms", "<p>x</p>") == '<div class="part"><h2>Terms</h2><p>x</p></div>'
    optional = briefings._part("Its layers", "<p>x</p>", worth=1, movable=True)
    assert 'class="part optional movable" data-worth="1"' in optional


def test_the_fitting_script_runs_in_a_scope_of_its_own():
    # the printer loads one briefing after another into one window: a top-level const would
    # be declared twice, the script would fail from the second briefing on and nothing would fit
    script = briefings.FIT_SCRIPT.strip()
    assert script.startswith("(() => {") and script.endswith("})();")
    assert "GROW" not in script and "MAP_SHARE" not in script


def test_the_book_runs_a_chapter_on_or_fits_a_chart_where_a_page_would_be_short(monkeypatch):
    fills = [0.6, 0.5, 0.2, 0.9, 0.1, 0.9, 0.3]
    monkeypatch.setattr(printer, "page_boxes", lambda pdf: [])
    monkeypatch.setattr(printer, "page_fill", lambda pages, top, bottom: fills)
    monkeypatch.setattr(printer, "first_words", lambda pages, top, n: [f"page {i}" for i in
                                                                        range(1, 8)])  # fmt: skip
    numbers = {"p0": 2, "p1": 4, "p2": 7, "p1-why": 5}
    changes = book_pdf.short_pages(b"", numbers)
    # page 3 ends chapter p0 before p1 opens page 4: p1 runs on; page 5 is short inside p1,
    # whose next page opens with a chart or table to fit; page 7, the last, is left
    assert changes[0] == ["run-on", "p1", "", 0]
    assert changes[1][:3] == ["fit", "p1", "page 6"] and changes[1][3] > 0
    assert len(changes) == 2


def test_the_book_prints_its_running_head_and_footer_everywhere_but_the_cover():
    css = book_pdf.running_css('A "title"', {"version": "1.0", "built": "2026-12-06"})
    assert '@top-left { content: "A \\"title\\""' in css
    assert '"Page " counter(page) " of " counter(pages)' in css
    assert "Version 1.0, built 2026-12-06" in css
    assert "@page cover { @top-left { content: none; }" in css
    assert "page: cover" in book_pdf.BOOK_CSS


def test_a_long_table_cut_on_paper_says_where_its_rows_are_on_the_web():
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(40))
    article = (
        '<details class="chs-table-more"><summary>Show the other 40 rows</summary>'
        f"<table>{rows}</table></details>"
    )
    web = "https://example.org/book/notebooks/scale.html"
    cut = book_pdf._long_tables_cut(article, web)
    assert "The other 40 rows of this table are in the web edition of this page" in cut
    assert f'<a href="{web}">{web}</a>' in cut
    assert "(http" not in book_pdf._long_tables_cut(article)  # no address known: none given


def test_a_chapter_on_paper_gives_its_web_address_under_its_title():
    anchors = {"notebooks/scale": "p2"}
    printed = book_pdf._page_html("notebooks/scale", "<h1>Scale</h1><p>x</p>", anchors,
                                  base="https://example.org/b")  # fmt: skip
    assert (
        '</h1><p class="chs-web-address">On the web: <a href="https://example.org/b/notebooks/'
        'scale.html">https://example.org/b/notebooks/scale.html</a></p>' in printed
    )
    assert "On the web" not in book_pdf._page_html("notebooks/scale", "<h1>S</h1>", anchors, "")
