"""Build speed and page weight, printed as ratios to the pipeline people would otherwise run,
measured in the same run, with targets (met / not met; no assertions).

Run: .venv/bin/python benchmarks/build.py   (about twelve minutes on 2 cores). Everything happens
in a temporary folder (builds, parse cache, parameter files), so the book in _build/ is left
alone.

The baseline is what a user would otherwise run on the same notebooks: papermill, one notebook
after another, each in a fresh kernel, then the claims register and the same Jupyter Book build,
from an empty parse cache like our cold build. Seconds differ from machine to machine; the
ratios stay comparable. It reports: our cold build (empty build folder and parse cache) with the
time of each phase and the cores the execution phase keeps busy; an incremental build after one
parameter file changes; a no-op rebuild (in process and through the command line); what the
PDFs add; the baseline and the ratios; where the fixed cost of one notebook goes; the largest
and median page (without the shared Vega bundle) and the size of the whole book.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

TARGETS = {  # ratios to the baseline (or to a build without PDFs), cores, KB
    "cold": 1 / 3,
    "incremental": 0.10,
    "no-op": 0.02,
    "cores busy": 1.7,
    "pdf growth": 0.20,
    "page": 300.0,
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


class CpuLog:
    """/proc/stat sampled every ``every`` seconds in a thread, so the cores busy over any
    stretch of a build (its execution phase) can be read afterwards."""

    def __init__(self, every: float = 0.1):
        self.samples: list[tuple[float, tuple[int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), cpu_sample()))
            self._stop.wait(every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()

    def busy(self, start: float, end: float) -> float:
        inside = [s for t, s in self.samples if start <= t <= end]
        return cores_busy(inside[0], inside[-1]) if len(inside) >= 2 else 0.0


def phase_window(started: float, phases: dict[str, float], name: str) -> tuple[float, float]:
    """When phase ``name`` ran, from the build's start and its phases' durations in order."""
    clock = started
    for phase, seconds in phases.items():
        if phase == name:
            return clock, clock + seconds
        if phase != "total":
            clock += seconds
    raise KeyError(name)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def say(message: str) -> None:
    print(message, flush=True)


# what every notebook imports (the chapter modules its cells call); tests/test_benchmarks.py runs it
NOTEBOOK_IMPORTS = (
    "import pandas, altair\n"
    "from chsreport.reading import charts, consolidation_story, scale_chapter, "
    "integration_chapter, locality_page"
)


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
        "imports (pandas, altair, chsreport)": NOTEBOOK_IMPORTS,
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


def baseline(out: Path, quiet) -> dict[str, float]:
    """The pipeline people would otherwise run: papermill on each notebook in turn, each in a
    fresh kernel (``execution.execute`` without a reused kernel is papermill plus naming the page),
    then the claims register and the same Jupyter Book build."""
    from chsreport.analysis import params
    from chsreport.publishing import execution, notebook_runs, staging

    times: dict[str, float] = {}
    executed = {}
    start = time.perf_counter()
    runs = notebook_runs.book_runs()
    for i, run in enumerate(runs, 1):
        target = out / "executed" / f"{run.output}.ipynb"
        execution.execute(run.notebook, params.validate(run.notebook, run.values), target, quiet)
        executed[run.output] = target
        if i % 10 == 0 or i == len(runs):
            say(f"    baseline: {i}/{len(runs)} notebooks, {time.perf_counter() - start:.0f} s")
    times["papermill, serial, fresh kernels"] = time.perf_counter() - start
    clock = time.perf_counter()
    pages = staging.generated_pages(out, quiet, fresh=True)
    staging.stage(executed, out / "stage", pages, staging.vega_bundle(out))
    times["claims register and staging"] = time.perf_counter() - clock
    clock = time.perf_counter()
    staging.compile_book(out / "stage", out / "jb", quiet)
    times["Jupyter Book"] = time.perf_counter() - clock
    times["total"] = sum(times.values())
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["CHS_CACHE_DIR"] = str(tmp / "cache")
        from chsreport.data import ods, succession
        from chsreport.publishing import build, paths, printer

        quiet = lambda _: None  # noqa: E731
        # parameter files in a scratch copy, so one can be changed like a user would
        params_dir = tmp / "params"
        shutil.copytree(paths.PARAMS, params_dir)
        paths.PARAMS = params_dir
        out = tmp / "build"
        cores = os.cpu_count() or 1

        say(f"machine: {cores} cores, Python {sys.version.split()[0]}")
        cold_load, _ = timed(succession.load_org_data)
        ods.trust_register.cache_clear()
        ods.type_evidence.cache_clear()
        succession.load_org_data.cache_clear()
        warm_load, _ = timed(succession.load_org_data)
        say(f"data load (ODS lineage), cold parse: {cold_load:6.2f} s")
        say(
            f"data load, from the parse cache:     {warm_load:6.2f} s   "
            f"ratio {warm_load / cold_load:.2f}"
        )

        say("\nour cold build (empty build folder and parse cache), two workers ...")
        shutil.rmtree(tmp / "cache")
        phases: dict[str, float] = {}
        with CpuLog() as cpu:
            started = time.perf_counter()
            full, index = timed(
                lambda: build.build_book(out, log=quiet, fresh=True, timings=phases)
            )
        busy = cpu.busy(*phase_window(started, phases, "execution"))
        say(f"cold full build:         {full:6.1f} s")
        for name, seconds in phases.items():
            if name != "total" and seconds >= 0.05:
                say(f"    {name:<38} {seconds:6.1f} s")
        say(f"execution phase: {busy:.2f} of {cores} cores busy on average")

        noop, _ = timed(lambda: build.build_book(out, log=quiet))
        command = [str(Path(sys.executable).with_name("chsreport")), "build"]
        env = {**os.environ, "CHS_BUILD_DIR": str(out)}
        noop_cli, _ = timed(
            lambda: subprocess.run(command, env=env, check=True, capture_output=True)
        )
        say(f"no-op rebuild: {noop:.2f} s in process, {noop_cli:.2f} s through `chsreport build`")

        scale_file = params_dir / "scale.yml"
        values = yaml.safe_load(scale_file.read_text())
        values["neighbourhood_max"] = 60000
        scale_file.write_text(yaml.safe_dump(values))
        incremental_phases: dict[str, float] = {}
        incremental, _ = timed(lambda: build.build_book(out, log=quiet, timings=incremental_phases))
        say(f"one parameter file changed (scale.yml): {incremental:5.1f} s")
        for name, seconds in incremental_phases.items():
            if name != "total" and seconds >= 0.05:
                say(f"    {name:<38} {seconds:6.1f} s")

        say("\nwhat the PDFs add: a fresh build printing every PDF, then without chromium ...")
        for folder in ("pdf", "print"):
            shutil.rmtree(out / folder, ignore_errors=True)
        pdf_phases: dict[str, float] = {}
        with_pdfs, _ = timed(
            lambda: build.build_book(out, log=quiet, fresh=True, timings=pdf_phases)
        )
        real_chromium = printer.chromium
        printer.chromium = lambda: None
        try:
            without, _ = timed(lambda: build.build_book(out, log=quiet, fresh=True))
            noop_without, _ = timed(lambda: build.build_book(out, log=quiet))
        finally:
            printer.chromium = real_chromium
        added = with_pdfs - without
        say(
            f"PDFs (36 briefings and the book): {with_pdfs:.1f} s printing them all, "
            f"{without:.1f} s without: +{added:.1f} s, {added / without:+.0%} (target <= "
            f"+{TARGETS['pdf growth']:.0%}: {verdict(added / without <= TARGETS['pdf growth'])}); "
            f"printing after Jupyter Book {pdf_phases.get('PDFs (beyond the book)', 0):.1f} s"
        )
        say(
            f"no-op rebuild with PDFs {noop:.2f} s, without {noop_without:.2f} s: "
            f"{noop - noop_without:+.2f} s"
        )

        say("\nbaseline: papermill serially, a fresh kernel per notebook, then Jupyter Book ...")
        shutil.rmtree(tmp / "cache")  # cold, like our cold build
        for cached in (succession.load_org_data, ods.trust_register, ods.type_evidence):
            cached.cache_clear()
        base = baseline(tmp / "baseline", quiet)
        for name, seconds in base.items():
            if name != "total":
                say(f"    {name:<38} {seconds:6.1f} s")
        total = base["total"]
        rows = [
            ("cold build", full, "cold"),
            ("one parameter changed", incremental, "incremental"),
            ("no-op (`chsreport build`)", noop_cli, "no-op"),
        ]
        say(f"\n{'':<28}{'ours':>9}{'baseline':>10}{'ratio':>8}   target")
        for label, ours, key in rows:
            ratio = ours / total
            say(
                f"{label:<28}{ours:8.1f}s{total:9.1f}s{ratio:8.3f}   <= {TARGETS[key]:.3f}: "
                f"{verdict(ratio <= TARGETS[key])}"
            )
        say(
            f"{'cores busy in execution':<28}{busy:9.2f}{'':>10}{'':>8}   >= "
            f"{TARGETS['cores busy']} of {cores}: {verdict(busy >= TARGETS['cores busy'])}"
        )

        say("\none notebook's fixed cost in a fresh kernel (what an incremental build pays):")
        for label, seconds in notebook_fixed_costs().items():
            say(f"    {label:<38} {seconds:6.2f} s")

        html = index.parent
        pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
        sizes = sorted((p.stat().st_size / 1024, p.relative_to(html).as_posix()) for p in pages)
        bundle = (html / "_static" / "vega-bundle.js").stat().st_size / 1024
        book = sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 1024**2
        largest, name = sizes[-1]
        say(
            f"\npages: {len(pages)}; largest {largest:.0f} KB ({name}), target <= "
            f"{TARGETS['page']:.0f} KB: {verdict(largest <= TARGETS['page'])}; median "
            f"{statistics.median(s for s, _ in sizes):.0f} KB; shared Vega bundle "
            f"{bundle:.0f} KB (once per book)"
        )
        say("three largest: " + ", ".join(f"{n} {s:.0f} KB" for s, n in sizes[-3:][::-1]))
        say(f"whole book: {book:.1f} MB")


if __name__ == "__main__":
    main()
