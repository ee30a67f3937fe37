"""Build speed and page weight, printed as figures and ratios (no assertions).

Run: .venv/bin/python benchmarks/build.py   (about five minutes on 2 cores). It builds into a
temporary folder, so the book in _build/html is left alone, and reports:
cold full build; serial against parallel execution; an incremental build after one parameter
changes; a no-op rebuild; data load cold and cached; the largest and median page (without the
shared Vega bundle) and the size of the whole book.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CHS_CACHE_DIR"] = str(Path(tmp) / "cache")
        from chsreport import build, lineage, orgs

        quiet = lambda _: None  # noqa: E731
        cold_load, _ = timed(lineage.load_org_data)
        orgs.trust_register.cache_clear()
        orgs.type_evidence.cache_clear()
        warm_load, _ = timed(lineage.load_org_data)

        out = Path(tmp) / "build"
        full, index = timed(lambda: build.build_book(out, log=quiet, fresh=True))
        serial, _ = timed(lambda: build.build_book(out, log=quiet, fresh=True, workers=1))
        noop, _ = timed(lambda: build.build_book(out, log=quiet))

        original = build.book_runs

        def one_changed():
            runs = original()
            return [
                replace(r, values={**r.values, "neighbourhood_max": 60000})
                if r.notebook == "scale"
                else r
                for r in runs
            ]

        build.book_runs = one_changed
        incremental, _ = timed(lambda: build.build_book(out, log=quiet))
        build.book_runs = original

        html = index.parent
        pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
        sizes = sorted((p.stat().st_size / 1024, p.relative_to(html).as_posix()) for p in pages)
        bundle = (html / "_static" / "vega-bundle.js").stat().st_size / 1024
        total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 1024**2
        print(f"machine: {os.cpu_count()} cores")
        print(f"data load, cold parse:    {cold_load:6.2f} s")
        print(f"data load, cached:        {warm_load:6.2f} s   ratio {warm_load / cold_load:.2f}")
        print(f"cold full build:          {full:6.1f} s")
        print(f"full build, serial:       {serial:6.1f} s   speed-up {serial / full:.2f}x")
        print(f"one parameter changed:    {incremental:6.1f} s   ratio {incremental / full:.2f}")
        print(f"no-op rebuild:            {noop:6.1f} s   ratio to full {noop / full:.2f}")
        print(
            f"pages: {len(pages)}; largest {sizes[-1][0]:.0f} KB ({sizes[-1][1]}); median "
            f"{statistics.median(s for s, _ in sizes):.0f} KB; shared Vega bundle {bundle:.0f} KB"
        )
        print(f"whole book: {total:.1f} MB")


if __name__ == "__main__":
    main()
