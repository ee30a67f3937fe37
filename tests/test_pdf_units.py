"""PDF helpers that need no browser: dates fixed for reproducible bytes, the claims a briefing
lists, links to PDFs that were not made, chart specs kept off paper."""

from __future__ import annotations

import pandas as pd

from chsreport import pdf


def test_fixed_dates_keep_the_length_and_use_the_build_date():
    raw = b"<< /CreationDate (D:20261126080534+00'00') /ModDate (D:20261126080534+00'00') >>"
    fixed = pdf.fixed_dates(raw, "2026-11-20")
    assert len(fixed) == len(raw)
    assert fixed.count(b"(D:20261120000000+00'00')") == 2


def test_a_briefing_lists_the_claims_that_name_its_places_and_the_three_every_icb_faces():
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
    ids = pdf.claims_concerning(register, ["Walsall", "Wolverhampton"])["claim_id"].tolist()
    assert ids == ["C05", "C06", "C07", "C12"]
    assert pdf.claims_concerning(register, [])["claim_id"].tolist() == ["C06", "C07", "C12"]


def test_links_to_pdfs_not_made_are_dropped(tmp_path):
    page = tmp_path / "page.html"
    link = '<a class="chs-pdf" href="briefing.pdf">Download</a>'
    page.write_text(f"<p>{link}</p>", encoding="utf-8")
    pdf.drop_missing_pdf_links(page)
    assert page.read_text(encoding="utf-8") == "<p></p>"
    page.write_text(f"<p>{link}</p>", encoding="utf-8")
    (tmp_path / "briefing.pdf").write_bytes(b"%PDF")
    pdf.drop_missing_pdf_links(page)
    assert link in page.read_text(encoding="utf-8")


def test_paper_keeps_the_picture_and_drops_the_spec_and_downloads():
    fragment = (
        '<figure class="chs-chart"><div class="chs-chart-static"><svg></svg></div>'
        '<script type="application/json" class="chs-chart-spec">{"a": 1}</script>'
        '<figcaption>Source: x. <a href="d.csv" download="d.csv">Download</a></figcaption>'
        '</figure><p class="chs-pdf-line"><a class="chs-pdf" href="x.pdf">PDF</a></p>'
    )
    out = pdf.printable(fragment)
    assert "<svg></svg>" in out and "Source: x." in out
    assert "chs-chart-spec" not in out and "download" not in out and "chs-pdf" not in out
