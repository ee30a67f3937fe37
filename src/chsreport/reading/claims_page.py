"""The claims register as a page of the book: one card per claim, its verdict as a coloured
badge with the word (the register itself: :mod:`chsreport.reading.claims`)."""

from __future__ import annotations

import html

import pandas as pd

from chsreport import vocabulary

ARTICLE_KEYS = {  # source article number -> its key in book/references.bib
    "000": "west000",
    "001": "thomas001",
    "002": "cordery002",
    "003": "west003",
    "004": "winn004",
}
ARTICLE_AUTHORS = {  # source article number -> its author, as a briefing names the source
    "000": "Dave West, HSJ",
    "001": "Rebecca Thomas, HSJ",
    "002": "Saffron Cordery, HSJ",
    "003": "Dave West, HSJ",
    "004": "Matthew Winn, HSJ",
}


def author(seed: str) -> str:
    """Who wrote source article ``seed`` ("Dave West, HSJ"), else "article <seed>"."""
    return ARTICLE_AUTHORS.get(str(seed), f"article {seed}")


BADGES = {  # verdict -> sphinx-design badge colour
    "supported": "success",
    "partly supported": "warning",
    "not supported": "danger",
    "contradicted": "danger",
    "no meaningful difference": "info",
    "inconclusive": "dark",
    "untestable with open data": "light",
}


def badge(verdict: str) -> str:
    return f"{{bdg-{BADGES[verdict]}}}`{verdict}`"


def page(frame: pd.DataFrame) -> str:
    """The claims page of the book (Markdown): one card per claim, its verdict as a coloured
    badge with the word, the claim quoted and cited, the measure, the value and why."""
    lines = [
        "# The claims register",
        "",
        "Each claim made in the five source articles (Health Service Journal columns by Dave West, "
        "Rebecca Thomas, Saffron Cordery and Matthew Winn, numbered 000 to 004), tested against "
        "the data by a written rule (analysts will find where each rule is written on the page "
        "[Re-run this book for your area](rerun.md)). Verdicts on claims of fact: "
        + ", ".join(badge(v) for v in ("supported", "partly supported", "not supported"))
        + f" or {badge('untestable with open data')}. Verdicts on claims that one kind of trust "
        "does better than another, and on claims the data are too old or too thin to settle: "
        + ", ".join(badge(v) for v in ("supported", "contradicted", "no meaningful difference"))
        + f" or {badge('inconclusive')}. Every build also writes the register as a "
        "machine-readable file, claims.csv.",
        "",
    ]
    for r in frame.itertuples():
        value = "" if pd.isna(r.value) else vocabulary.with_unit(r.value, r.unit)
        cite = f", {{cite:t}}`{ARTICLE_KEYS[r.seed]}`" if r.seed in ARTICLE_KEYS else ""
        lines += [
            f"````{{card}} {r.claim_id}",  # an info string may hold no backticks: badge below
            ":class-card: chs-web-card",  # on paper, the table below instead
            f"{badge(r.verdict)} “{r.quote}” (article {r.seed}{cite})",
            "",
            f"**Measure:** {r.measure}"
            + (f": **{value}**" if value else "")
            + (f" ({r.period})" if isinstance(r.period, str) and r.period else ""),
            "",
            f"**Why:** {r.note}",
            "````",
            "",
        ]
    return "\n".join([*lines, print_table(frame)]) + "\n"


def badge_html(verdict: str) -> str:
    """A verdict's badge as HTML, with the classes the web page's badges have (for pages
    written as HTML: the briefings)."""
    colour = BADGES[verdict]
    return (
        f'<span class="sd-sphinx-override sd-badge sd-bg-{colour} sd-bg-text-{colour}">'
        f"{html.escape(verdict)}</span>"
    )


def _one(text) -> str:
    """Text on one line (a list-table cell is one)."""
    return " ".join(str(text).split())


def print_table(frame: pd.DataFrame) -> str:
    """The register as one table for paper (a MyST list-table, hidden on the web page, which
    has the cards): a row per claim with its id, quote and article, its verdict's badge, the
    measure and value, and why."""
    lines = [
        "```{list-table}",
        ":header-rows: 1",
        ":class: chs-print-only chs-claims-print",
        ":widths: 6 19 15 22 38",
        "",
        "* - Claim",
        "  - What was said",
        "  - Verdict",
        "  - Measure",
        "  - Why",
    ]
    for r in frame.itertuples():
        value = "" if pd.isna(r.value) else vocabulary.with_unit(r.value, r.unit)
        period = f" ({r.period})" if isinstance(r.period, str) and r.period else ""
        lines += [
            f"* - {r.claim_id}",
            f"  - “{_one(r.quote)}” ({author(r.seed)}, article {r.seed})",
            f"  - {badge(r.verdict)}",
            f"  - {_one(r.measure)}" + (f": **{value}**" if value else "") + period,
            f"  - {_one(r.note) if pd.notna(r.note) else ''}",
        ]
    return "\n".join([*lines, "```", ""])
