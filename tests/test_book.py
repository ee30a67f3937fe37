"""The built book in headless Chromium (Debian's), served on localhost: the consolidation page
shows its charts as static SVG, vega-embed upgrades them, no console errors, no outside requests.

Needs the book built first (`make book`); `make test` does that. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from chsreport import data

pytestmark = pytest.mark.book

HTML = data.PROJECT_ROOT / "_build" / "html"
ARTIFACTS = data.PROJECT_ROOT / "test-artifacts"
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


@pytest.mark.parametrize("page, figures", [("consolidation", 3), ("scale", 5), ("integration", 5)])
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
    assert "three questions" in page.content()
    page.screenshot(path=str(ARTIFACTS / "intro-375px.png"))
    page.goto(f"{site}/book/data.html")
    page.wait_for_load_state("networkidle")
    assert page.locator("table").count() >= 1
    assert "ods_succ_2026_05" in page.content()
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
        assert "The three questions here" in page.content()
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


def test_every_page_loads_offline_without_errors(site, browser):
    pages = sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).as_posix().startswith(("_static", "_sources"))
        and p.relative_to(HTML).as_posix() != "index.html"  # a redirect to the intro
    )
    assert len(pages) >= 45
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []
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
        untitled = page.eval_on_selector_all(
            "figure.chs-chart .chs-chart-static svg",
            "svgs => svgs.filter(s => !s.querySelector('title')).length",
        )
        if errors or outside or untitled:
            problems.append((rel, errors, outside, untitled))
        page.close()
    context.close()
    assert problems == []


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

    register = pd.read_csv(data.PROJECT_ROOT / "_build" / "claims.csv").set_index("claim_id")
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
    banned = ("seed article", "this edition", "no icb chosen", "docstring", "_build/")
    for path in sorted(HTML.rglob("*.html")):
        if path.name in ("genindex.html", "search.html"):
            continue
        body = path.read_text(encoding="utf-8").lower()
        body = body.split("<body", 1)[-1]
        for word in banned:
            assert word not in body, f"{path.relative_to(HTML)}: {word!r}"
