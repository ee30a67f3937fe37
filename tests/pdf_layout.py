"""Words on the pages of a printed PDF, with their sizes and positions, from
``pdftotext -bbox-layout`` (poppler-utils): what the tests of the printed files measure."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# DejaVu Sans, the PDFs' one typeface: a word's box is its size times ascent plus descent
BOX_PER_POINT = 1.164
MM = 72 / 25.4  # points in a millimetre

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def size(self) -> float:
        """The word's type size in points."""
        return (self.y1 - self.y0) / BOX_PER_POINT


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def outside(self) -> list[Word]:
        """Words that reach beyond the page."""
        return [
            w for w in self.words
            if w.x0 < 0 or w.y0 < 0 or w.x1 > self.width + 0.5 or w.y1 > self.height + 0.5
        ]  # fmt: skip

    def largest_gap(self, top: float = 0, bottom: float | None = None) -> float:
        """The tallest empty band between two lines of words (points), between ``top`` and
        ``bottom``: where a page has a hole."""
        bottom = self.height if bottom is None else bottom
        lines = sorted((w.y0, w.y1) for w in self.words if w.y0 >= top and w.y1 <= bottom)
        gap, low = 0.0, lines[0][1] if lines else top
        for y0, y1 in lines:
            gap = max(gap, y0 - low)
            low = max(low, y1)
        return gap

    def fill(self, top: float, bottom: float) -> float:
        """How far down the page its words reach, as a share of the height between ``top``
        and ``bottom`` (points from the top: the margins)."""
        inside = [w.y1 for w in self.words if w.y0 >= top - 2 and w.y1 <= self.height - bottom + 2]
        return (max(inside, default=top) - top) / (self.height - bottom - top)


def pages(path: Path) -> list[Page]:
    """Every page of the PDF at ``path`` with its words."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        Page(
            number,
            float(width),
            float(height),
            [
                Word(*map(float, found[:4]), html.unescape(found[4]))
                for found in _WORD.findall(body)
            ],
        )
        for number, (width, height, body) in enumerate(_PAGE.findall(boxes), start=1)
    ]
