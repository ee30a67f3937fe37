"""The built book in headless Chromium (Debian's), served on localhost: the consolidation page
shows its charts as static SVG, vega-embed upgrades them, no console errors, no outside requests.

Needs the book built first (`make book`); `make test` does that. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from chsreport.data import manifest

pytestmark = pytest.mark.book

HTML = manifest.PROJECT_ROOT / "_build" / "html"
ARTIFACTS = manifest.PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    assert (HTML / "index.html").exists(), "build the book first: make book"
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def _open(browser, url, width=1280, javascript=True):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith(("http://127.0.0.1", "data:")) else outside.append(r.url)
        ),
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, errors, outside


def test_consolidation_page_charts_upgrade_with_no_errors(site, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, errors, outside = _open(browser, f"{site}/notebooks/consolidation.html")
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.chs-chart')]"
        ".every(f => f.dataset.embedded === 'true')",
        timeout=15000,
    )
    figures = page.query_selector_all("figure.chs-chart")
    assert len(figures) >= 3
    for figure in figures:
        assert figure.query_selector(".chs-chart-live svg") is not None  # vega-embed's own SVG
        assert figure.query_selector("a[download]") is not None
    assert page.title().startswith("How has the provider map been reorganised")
    page.screenshot(path=str(ARTIFACTS / "consolidation-desktop.png"))
    assert errors == []
    assert outside == []
    context.close()


@pytest.mark.parametrize(
    "page, figures", [("consolidation", 3), ("scale", 5), ("integration", 5), ("community", 1)]
)
def test_chapter_charts_upgrade_and_downloads_resolve(site, browser, page, figures):
    context, tab, errors, outside = _open(browser, f"{site}/notebooks/{page}.html")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('figure.chs-chart')]"
        ".every(f => f.dataset.embedded === 'true')",
        timeout=20000,
    )
    assert len(tab.query_selector_all("figure.chs-chart")) >= figures
    links = tab.eval_on_selector_all("a.chs-download", "as => as.map(a => a.href)")
    assert links
    for href in links:
        response = context.request.get(href)
        assert response.status == 200 and response.text().count("\n") >= 1, href
    assert errors == [] and outside == []
    context.close()


@pytest.mark.parametrize(
    "page, maps",
    [
        ("notebooks/consolidation", 1),
        ("notebooks/scale", 1),
        ("notebooks/integration", 2),
        ("notebooks/localities/QE1", 2),
    ],
)
def test_maps_load_their_shared_geometry_and_upgrade(site, browser, page, maps):
    """Maps are static SVG with the ONS attribution; the interactive view fetches the shared
    geometry from _static/maps/ on localhost and draws the same areas."""
    context, tab, errors, outside = _open(browser, f"{site}/{page}.html")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('figure.chs-chart')]"
        ".every(f => f.dataset.embedded === 'true')",
        timeout=20000,
    )
    found = tab.eval_on_selector_all(
        "figure.chs-chart",
        "fs => fs.filter(f => f.textContent.includes('Office for National Statistics'))"
        ".map(f => f.querySelectorAll('.chs-chart-live svg path').length)",
    )
    assert len(found) >= maps and all(n >= 10 for n in found), found
    assert errors == [] and outside == []
    context.close()


def test_charts_are_static_svg_without_javascript(site, browser):
    context, page, errors, outside = _open(
        browser, f"{site}/notebooks/consolidation.html", javascript=False
    )
    titles = page.eval_on_selector_all(
        "figure.chs-chart .chs-chart-static svg[role=img] title", "ts => ts.map(t => t.textContent)"
    )
    assert len(titles) >= 3 and all(titles)
    assert outside == []
    context.close()


def test_intro_and_data_pages_and_narrow_screen(site, browser):
    context, page, errors, outside = _open(browser, f"{site}/book/intro.html", width=375)
    assert "four questions" in page.content()
    page.screenshot(path=str(ARTIFACTS / "intro-375px.png"))
    page.goto(f"{site}/book/data.html")
    page.wait_for_load_state("networkidle")
    assert page.locator("table").count() >= 1
    assert manifest.entry("ods_succ_2026_05").description in page.content()  # in words, not its id
    assert "ods_succ_2026_05" not in page.inner_text("main")
    assert errors == [] and outside == []
    context.close()


def test_localities_index_and_three_pages(site, browser):
    context, page, errors, outside = _open(browser, f"{site}/book/localities/index.html")
    links = page.eval_on_selector_all(
        "article a[href*='notebooks/localities/']", "as => as.map(a => a.href)"
    )
    assert len(links) == 36
    for href in links[:1] + links[17:18] + links[-1:]:
        page.goto(href)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() >= 1
        assert page.query_selector("figure.chs-chart svg") is not None
        assert "In brief" in page.content()
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "locality-print.png"), full_page=False)
    assert errors == [] and outside == []
    context.close()


def test_claims_and_methods_pages(site, browser):
    context, page, errors, outside = _open(browser, f"{site}/book/claims.html")
    text = page.content()
    for claim in [f"C{i:02d}" for i in range(1, 18)]:
        assert claim in text
    assert "untestable with open data" in text
    page.goto(f"{site}/book/methods.html")
    assert "Assumptions and caveats log" in page.content()
    assert errors == [] and outside == []
    context.close()


AXE = manifest.PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Measured in the page. Charts: the smallest text's rendered size is its font size times the
# ratio of the SVG's drawn width to its own width. Overflow: the document may not be wider than
# the window; tables and charts scroll inside their own boxes, so they never widen the page.
_READER_CHECKS = r"""() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const columnWidth = article.getBoundingClientRect().width;
  let smallestText = Infinity;
  for (const svg of document.querySelectorAll('figure.chs-chart svg')) {
    const drawn = svg.getBoundingClientRect().width;
    const own = svg.width && svg.width.baseVal ? svg.width.baseVal.value : drawn;
    if (!drawn || !own) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const size = parseFloat(getComputedStyle(t).fontSize) * drawn / own;
      smallestText = Math.min(smallestText, size);
    }
  }
  const tables = [...article.querySelectorAll('table')];
  return {
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
    smallestText: smallestText === Infinity ? null : smallestText,
    wideTables: tables.filter(t => t.getBoundingClientRect().width > columnWidth + 1
        && !t.closest('.chs-table-scroll, .pst-scrollable-table-container')).length,
    scrollingTables: [...article.querySelectorAll('.chs-table-scroll')]
        .filter(d => d.scrollWidth > d.clientWidth + 1).length,
    codeHeaders: [...article.querySelectorAll('thead th')].map(th => th.textContent.trim())
        .filter(h => /^[a-z0-9]+(_[a-z0-9]+)+$/.test(h)),
    rawHtmlCells: [...article.querySelectorAll('td, th')].map(c => c.textContent)
        .filter(x => /<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i.test(x)).slice(0, 3),
    emptyTables: tables.filter(t => t.querySelectorAll('tbody tr').length === 0).length,
  };
}"""


def _pages() -> list[str]:
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).as_posix().startswith(("_static", "_sources"))
        and p.relative_to(HTML).as_posix() not in ("index.html", "genindex.html", "search.html")
    )


def test_every_page_loads_offline_and_reads_well_on_desktop_and_phone(site, browser):
    """Every page at 1280 px and 375 px: no console errors or outside requests; charts titled
    and their text at least 11 px on a desktop (9 px on a phone); no horizontal scrolling of the
    page and, at 1280 px, no table wider than the column; table headers in words, no raw HTML
    in cells, no empty tables; and no WCAG 2.2 A/AA violation found by axe-core."""
    assert AXE.exists(), f"axe-core is missing ({AXE}): run `make browser` (npm install)"
    axe = AXE.read_text(encoding="utf-8")
    pages = _pages()
    assert len(pages) >= 45
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: dict[str, list] = {}
    for rel in pages:
        page = context.new_page()
        errors, outside = [], []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        page.on(
            "request",
            lambda r, o=outside: (
                None if r.url.startswith(("http://127.0.0.1", "data:")) else o.append(r.url)
            ),
        )
        page.goto(f"{site}/{rel}")
        page.wait_for_load_state("networkidle")
        found = []
        untitled = page.eval_on_selector_all(
            "figure.chs-chart .chs-chart-static svg",
            "svgs => svgs.filter(s => !s.querySelector('title')).length",
        )
        if errors or outside or untitled:
            found.append(("errors, outside requests, untitled charts", errors, outside, untitled))
        desk = page.evaluate(_READER_CHECKS)
        if desk["pageOverflow"] > 0 or desk["wideTables"] or desk["scrollingTables"]:
            found.append(("too wide at 1280 px", desk))
        if desk["smallestText"] is not None and desk["smallestText"] < 11 - 0.01:
            found.append(("chart text under 11 px at 1280 px", desk["smallestText"]))
        if desk["codeHeaders"] or desk["rawHtmlCells"] or desk["emptyTables"]:
            found.append(("tables", desk))
        page.add_script_tag(content=axe)
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => v.id + ' x' + v.nodes.length + ': ' + v.nodes[0].html)",
            WCAG,
        )
        if violations:
            found.append(("axe-core", violations))
        page.set_viewport_size({"width": 375, "height": 800})
        page.wait_for_timeout(100)
        phone = page.evaluate(_READER_CHECKS)
        if phone["pageOverflow"] > 0:
            found.append(("page scrolls sideways at 375 px", phone["pageOverflow"]))
        if phone["smallestText"] is not None and phone["smallestText"] < 9 - 0.01:
            found.append(("chart text under 9 px at 375 px", phone["smallestText"]))
        if found:
            problems[rel] = found
        page.close()
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "reader-checks.json"
    report.write_text(json.dumps(problems, indent=1, default=str), encoding="utf-8")
    assert problems == {}, f"{len(problems)} pages fail; each page's problems in {report}"


def test_search_works_offline(site, browser):
    context, page, errors, outside = _open(browser, f"{site}/search.html?q=community")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert page.locator("#search-results li").count() > 0
    assert errors == [] and outside == []
    context.close()


def test_every_page_weighs_at_most_300_kb():
    """Issue 7's page budget (the shared Vega bundle, loaded once per book, is not a page)."""
    assert (HTML / "index.html").exists(), "build the book first: make book"
    pages = [p for p in HTML.rglob("*.html") if "_static" not in p.parts]
    heavy = {p.relative_to(HTML).as_posix(): p.stat().st_size // 1024 for p in pages}
    assert len(pages) > 40
    assert not {name: kb for name, kb in heavy.items() if kb > 300}


def test_key_findings_match_the_claims_register_and_every_page_has_the_edition(site, browser):
    import pandas as pd

    register = pd.read_csv(manifest.PROJECT_ROOT / "_build" / "claims.csv").set_index("claim_id")
    tab = browser.new_page()
    tab.goto(f"{site}/book/findings.html")
    text = tab.inner_text("main")
    assert "Key findings" in text
    for claim in ("C04", "C07", "C10", "C11"):
        assert f"{register.loc[claim, 'value']:.1f}%" in text, claim
    assert f"{abs(register.loc['C06', 'value']):.2f} " in text
    assert register.loc["C06", "verdict"] in text
    for href in tab.eval_on_selector_all("main a", "els => els.map(e => e.href)"):
        if href.startswith(site):
            assert tab.request.get(href.split("#")[0]).ok, href
    footer = tab.inner_text(".chs-edition")
    assert "Version" in footer and "Open Government Licence" in footer
    tab.goto(f"{site}/book/glossary.html")
    assert "criteria to reside" in tab.inner_text("main").lower()
    tab.close()


def test_no_inside_language_in_the_built_book():
    """Words from the project's workshop, not the reader's: none on any page."""
    banned = ("seed article", "this edition", "no icb chosen", "docstring", "_build/", "seed 0")
    for path in sorted(HTML.rglob("*.html")):
        if path.name in ("genindex.html", "search.html"):
            continue
        body = path.read_text(encoding="utf-8").lower()
        body = body.split("<body", 1)[-1]
        for word in banned:
            assert word not in body, f"{path.relative_to(HTML)}: {word!r}"


def _visible_text(path) -> str:
    body = path.read_text(encoding="utf-8").split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<svg\b.*?</svg>", " ", body, flags=re.S | re.I)  # charts: their text is tested
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_no_developer_language_on_a_readers_page():
    """Package and function names, command lines, the manifest's ids and the workshop's words
    stay on the page for analysts (Re-run this book for your area), off every reader's page."""
    ids = list(manifest.load_manifest())
    words = ("chsreport", "-p icb=", "workbook", "third source", "data/manifest.yml", "_build")
    for path in sorted(HTML.rglob("*.html")):
        name = path.relative_to(HTML).as_posix()
        if name in ("genindex.html", "search.html", "book/rerun.html") or "_static" in name:
            continue
        text = _visible_text(path)
        for word in words:
            assert word not in text, f"{name}: {word!r}"
        for item in ids:  # an id on its own, not inside a file's name on the data page
            assert not re.search(rf"(?<![/\w-]){item}(?![\w.-])", text), f"{name}: {item!r}"


def test_no_page_shows_markdown_that_did_not_render():
    """A link written in Markdown that the parser could not read shows its brackets."""
    for path in sorted(HTML.rglob("*.html")):
        body = path.read_text(encoding="utf-8").split("<body", 1)[-1]
        text = re.sub(r"<[^>]+>", "", body)
        assert not re.search(r"\]\((https?://|\.\./)", text), path.relative_to(HTML)


def test_every_local_link_and_asset_of_every_page_resolves():
    """Links, scripts, styles, images, CSV downloads, the data interactive charts fetch and the
    maps' shared geometry: every one is a file of the published book."""
    from .links import broken_links

    assert (HTML / "index.html").exists(), "build the book first: make book"
    broken = broken_links(HTML)
    assert not broken, f"{len(broken)} broken, first: " + "; ".join(broken[:5])


# columns of the published CSVs that hold a share as a fraction (the pages show them as %)
FRACTION_COLUMNS = ("share", "main_share", "rural_share", "share_in_a", "share_in_icb",
                    "share_of_patients_from_icb")  # fmt: skip


def test_no_share_outside_its_possible_range_in_any_download():
    import pandas as pd

    csvs = sorted(HTML.rglob("downloads/*.csv"))
    assert len(csvs) > 100
    seen = set()
    for path in csvs:
        frame = pd.read_csv(path)
        for column in frame.columns:
            if column in FRACTION_COLUMNS or "share" in column.lower():
                seen.add(column)
                values = pd.to_numeric(frame[column], errors="coerce").dropna()
                outside = values[(values < 0) | (values > 1)]
                assert outside.empty, f"{path.name}: {column} {outside.tolist()[:5]}"
    assert "share_of_patients_from_icb" in seen
