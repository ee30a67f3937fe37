"""Build timing and page weight, printed as figures and ratios (no assertions).

Run: .venv/bin/python benchmarks/build.py   (builds into a temporary folder; the book in
_build/html is left alone). Issue 7 extends this with serial/parallel and incremental runs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CHS_CACHE_DIR"] = str(Path(tmp) / "cache")
        from chsreport import build, lineage, orgs

        cold_load, _ = timed(lineage.load_org_data)
        orgs.trust_register.cache_clear()
        orgs.type_evidence.cache_clear()
        warm_load, _ = timed(lineage.load_org_data)
        full, index = timed(lambda: build.build_book(Path(tmp) / "build", log=lambda _: None))
        again, _ = timed(lambda: build.build_book(Path(tmp) / "build", log=lambda _: None))
        html = index.parent
        pages = [p for p in html.rglob("*.html")]
        sizes = sorted(p.stat().st_size / 1024 for p in pages)
        bundle = (html / "_static" / "vega-bundle.js").stat().st_size / 1024
        total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 1024
        print(f"data load, cold parse:        {cold_load:6.2f} s")
        print(
            f"data load, parquet cache:     {warm_load:6.2f} s  ratio {warm_load / cold_load:.2f}"
        )
        print(f"full build (1 notebook):      {full:6.2f} s")
        print(f"second build, same inputs:    {again:6.2f} s  ratio {again / full:.2f}")
        print(
            f"pages: {len(pages)}; largest {sizes[-1]:.0f} KB; median "
            f"{statistics.median(sizes):.0f} KB (vega bundle {bundle:.0f} KB, shared)"
        )
        print(f"total book size:              {total / 1024:6.1f} MB")


if __name__ == "__main__":
    main()
