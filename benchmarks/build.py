"""Build speed and page weight, printed as figures and ratios against the targets (no assertions).

Run: .venv/bin/python benchmarks/build.py   (about four minutes on 2 cores). Everything happens in
a temporary folder (build, parse cache, parameter files), so the book in _build/ is left alone.

It reports: data load cold and cached; a cold full build (empty build folder and parse cache)
with the time of each phase; serial against parallel execution; an incremental build after one
parameter file changes; a no-op rebuild (in process and through the command line); where the
fixed cost of one notebook goes (kernel start, imports, first chart); the largest and median page
(without the shared Vega bundle) and the size of the whole book.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TARGETS = {
    "cold": 60.0,
    "speed-up": 1.8,
    "incremental": 0.10,
    "no-op": 0.05,
    "page": 300.0,
    "pdf growth": 0.20,
}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_sample() -> tuple[int, int]:
    """Total and idle jiffies of all cores (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


def cores_busy(before, after) -> float:
    total, idle = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * (total - idle) / total if total else 0.0


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def notebook_fixed_costs() -> dict[str, float]:
    """One fresh kernel: start-up, the imports every notebook makes, the first chart render."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    costs = {}
    start = time.perf_counter()
    km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    costs["kernel start"] = time.perf_counter() - start
    steps = {
        "imports (pandas, altair, chsreport)": "import pandas, altair\n"
        "from chsreport import charts, consolidation, scale, integration, locality",
        "first chart rendered to SVG": "import altair as alt, pandas as pd\n"
        "charts.figure(alt.Chart(pd.DataFrame({'a': [1]})).mark_point().encode(x='a'),"
        " title='t', subtitle='s', source='s', table=pd.DataFrame(), csv_name='t.csv')",
        "second chart rendered to SVG": "charts.figure(alt.Chart(pd.DataFrame({'a': [2]}))"
        ".mark_point().encode(x='a'), title='t', subtitle='s', source='s',"
        " table=pd.DataFrame(), csv_name='t.csv')",
    }
    with tempfile.TemporaryDirectory() as scratch:
        client.execute_interactive(f"import os; os.chdir({scratch!r})", timeout=60)
        for label, code in steps.items():
            start = time.perf_counter()
            reply = client.execute_interactive(code, timeout=120, output_hook=lambda _: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{label}: {reply['content']}")
            costs[label] = time.perf_counter() - start
    client.stop_channels()
    km.shutdown_kernel(now=True)
    return costs


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["CHS_CACHE_DIR"] = str(tmp / "cache")
        from chsreport import build, lineage, orgs

        quiet = lambda _: None  # noqa: E731
        # parameter files in a scratch copy, so one can be changed like a user would
        params_dir = tmp / "params"
        shutil.copytree(build.PARAMS, params_dir)
        build.PARAMS = params_dir
        out = tmp / "build"

        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        cold_load, _ = timed(lineage.load_org_data)
        orgs.trust_register.cache_clear()
        orgs.type_evidence.cache_clear()
        lineage.load_org_data.cache_clear()
        warm_load, _ = timed(lineage.load_org_data)
        print(f"data load (ODS lineage), cold parse: {cold_load:6.2f} s")
        print(
            f"data load, from the parse cache:     {warm_load:6.2f} s   "
            f"ratio {warm_load / cold_load:.2f}"
        )

        shutil.rmtree(tmp / "cache")  # the cold build parses everything again
        phases: dict[str, float] = {}
        before = cpu_sample()
        full, index = timed(lambda: build.build_book(out, log=quiet, fresh=True, timings=phases))
        busy = cores_busy(before, cpu_sample())
        print(
            f"\ncold full build:         {full:6.1f} s   target <= {TARGETS['cold']:.0f} s: "
            f"{verdict(full <= TARGETS['cold'])}   ({busy:.2f} cores busy on average)"
        )
        for name, seconds in phases.items():
            if name != "total" and seconds >= 0.05:
                print(f"    {name:<38} {seconds:6.1f} s")

        serial_phases: dict[str, float] = {}
        parallel_phases: dict[str, float] = {}
        before = cpu_sample()
        serial, _ = timed(
            lambda: build.build_book(out, log=quiet, fresh=True, workers=1, timings=serial_phases)
        )
        serial_busy = cores_busy(before, cpu_sample())
        before = cpu_sample()
        parallel, _ = timed(
            lambda: build.build_book(out, log=quiet, fresh=True, workers=2, timings=parallel_phases)
        )
        parallel_busy = cores_busy(before, cpu_sample())
        speed_up = serial_phases["execution"] / parallel_phases["execution"]
        print(
            f"\nexecution, one worker:   {serial_phases['execution']:6.1f} s   "
            f"({serial_busy:.2f} cores busy on average over the build)"
        )
        print(
            f"execution, two workers:  {parallel_phases['execution']:6.1f} s   "
            f"({parallel_busy:.2f} cores busy)"
        )
        print(
            f"execution speed-up:      {speed_up:6.2f}x  target >= {TARGETS['speed-up']}x: "
            f"{verdict(speed_up >= TARGETS['speed-up'])}"
        )
        print(
            f"whole build speed-up:    {serial / parallel:6.2f}x  ({serial:.1f} s against "
            f"{parallel:.1f} s)"
        )

        noop, _ = timed(lambda: build.build_book(out, log=quiet))
        command = [str(Path(sys.executable).with_name("chsreport")), "build"]
        env = {**os.environ, "CHS_BUILD_DIR": str(out)}
        noop_cli, _ = timed(
            lambda: subprocess.run(command, env=env, check=True, capture_output=True)
        )

        scale_file = params_dir / "scale.yml"
        values = yaml.safe_load(scale_file.read_text())
        values["neighbourhood_max"] = 60000
        scale_file.write_text(yaml.safe_dump(values))
        incremental_phases: dict[str, float] = {}
        incremental, _ = timed(lambda: build.build_book(out, log=quiet, timings=incremental_phases))
        print(
            f"\none parameter file changed (scale.yml): {incremental:5.1f} s   ratio to full "
            f"{incremental / full:.2f}, target <= {TARGETS['incremental']:.2f}: "
            f"{verdict(incremental / full <= TARGETS['incremental'])}"
        )
        for name, seconds in incremental_phases.items():
            if name != "total" and seconds >= 0.05:
                print(f"    {name:<38} {seconds:6.1f} s")
        print(
            f"no-op rebuild, in process:        {noop:5.2f} s   ratio to full "
            f"{noop / full:.3f}, target <= {TARGETS['no-op']:.2f}: "
            f"{verdict(noop / full <= TARGETS['no-op'])}"
        )
        print(
            f"no-op rebuild, `chsreport build`: {noop_cli:5.2f} s   ratio to full "
            f"{noop_cli / full:.3f} (includes starting Python and importing the package)"
        )

        # the PDFs' share: a fresh build that prints every PDF (the last ones deleted), then the
        # same build with chromium hidden from it, then its no-op (parse cache warm for all)
        for folder in ("pdf", "print"):
            shutil.rmtree(out / folder, ignore_errors=True)
        pdf_phases: dict[str, float] = {}
        with_pdfs, _ = timed(
            lambda: build.build_book(out, log=quiet, fresh=True, timings=pdf_phases)
        )
        real_chromium = build.pdf.chromium
        build.pdf.chromium = lambda: None
        try:
            without_phases: dict[str, float] = {}
            without, _ = timed(
                lambda: build.build_book(out, log=quiet, fresh=True, timings=without_phases)
            )
            noop_without, _ = timed(lambda: build.build_book(out, log=quiet))
        finally:
            build.pdf.chromium = real_chromium
        added = with_pdfs - without
        print(
            f"\nPDFs (36 briefings and the book): a fresh build takes {with_pdfs:.1f} s printing "
            f"them all, "
            f"{without:.1f} s without: +{added:.1f} s, {added / without:+.0%} "
            f"(target <= +{TARGETS['pdf growth']:.0%}: "
            f"{verdict(added / without <= TARGETS['pdf growth'])}); printing after Jupyter Book "
            f"{pdf_phases.get('PDFs (beyond the book)', 0):.1f} s"
        )
        print(
            f"no-op rebuild with PDFs {noop:.2f} s, without {noop_without:.2f} s: "
            f"{noop - noop_without:+.2f} s"
        )

        print("\none notebook's fixed cost in a fresh kernel (what an incremental build pays):")
        for label, seconds in notebook_fixed_costs().items():
            print(f"    {label:<38} {seconds:6.2f} s")

        html = index.parent
        pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
        sizes = sorted((p.stat().st_size / 1024, p.relative_to(html).as_posix()) for p in pages)
        bundle = (html / "_static" / "vega-bundle.js").stat().st_size / 1024
        total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 1024**2
        largest, name = sizes[-1]
        print(
            f"\npages: {len(pages)}; largest {largest:.0f} KB ({name}), target <= "
            f"{TARGETS['page']:.0f} KB: {verdict(largest <= TARGETS['page'])}; median "
            f"{statistics.median(s for s, _ in sizes):.0f} KB; shared Vega bundle "
            f"{bundle:.0f} KB (once per book)"
        )
        print("three largest: " + ", ".join(f"{n} {s:.0f} KB" for s, n in sizes[-3:][::-1]))
        print(f"whole book: {total:.1f} MB")


if __name__ == "__main__":
    main()
