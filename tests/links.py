"""Every local link and asset of a built book, and which of them do not resolve.

Used on the published book (test_book) and after each build of a sequence of builds
(test_build_sequence): a link, a script, a stylesheet, an image, a CSV download, the data an
interactive chart fetches (``downloads/<hash>-chart-data.json``) and a map's shared geometry
(``chs-maps/<layer>.json``, served from ``_static/maps/``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ATTRIBUTE = re.compile(r"""\b(?:href|src)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_LAZY_DATA = re.compile(r"(?<![\w./-])downloads/[0-9a-f]{12}-chart-data\.json")
_MAP_LAYER = re.compile(r"chs-maps/([A-Za-z0-9_]+\.json)")


def local_targets(page: Path, root: Path) -> set[Path]:
    """The files ``page`` (an HTML file under ``root``) needs from the book's own folder."""
    text = page.read_text(encoding="utf-8", errors="replace")
    targets: set[Path] = set()
    for _, raw in _ATTRIBUTE.findall(text):
        link = html.unescape(raw).strip()
        parts = urlsplit(link)
        if not link or link.startswith("#") or parts.scheme or parts.netloc:
            continue
        path = unquote(parts.path)
        if not path:
            continue
        target = (root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
        if path.endswith("/"):
            target = target / "index.html"
        targets.add(target)
    for lazy in _LAZY_DATA.findall(text):
        targets.add(page.parent / lazy)
    for layer in _MAP_LAYER.findall(text):
        targets.add(root / "_static" / "maps" / layer)
    return targets


def broken_links(root: Path) -> list[str]:
    """Each page's local links and assets that are not files in ``root``, as
    ``"<page>: <target>"`` lines (empty when every one resolves)."""
    broken = []
    for page in sorted(root.rglob("*.html")):
        if page.relative_to(root).parts[0] == "_static":  # the theme's Jinja macros, not pages
            continue
        for target in sorted(local_targets(page, root)):
            resolved = target.resolve()
            if not resolved.is_file():
                shown = (
                    resolved.relative_to(root.resolve())
                    if resolved.is_relative_to(root.resolve())
                    else resolved
                )
                broken.append(f"{page.relative_to(root)}: {shown} is missing")
    return broken
