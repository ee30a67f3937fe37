"""Building the book: check every parameter set, execute what changed (run keys), stage, compile
and publish.

``build_book`` checks every parameter set before any kernel starts, executes each notebook into
``_build/executed/``, stages a clean source tree in ``_build/stage/``, runs Jupyter Book on it,
and only then replaces ``_build/html`` (rename, so a failed build leaves the last good book as it
was).  A lock file stops two builds from writing at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import chsreport
from chsreport.analysis import params
from chsreport.data import manifest
from chsreport.publishing import (
    book_pdf,
    briefings,
    buildlog,
    colophon,
    execution,
    notebook_runs,
    paths,
    printer,
    staging,
)


def run_key_parts(notebook: str, values: dict, inputs: str | None = None) -> dict[str, str]:
    """What an executed notebook depends on, part by part: its source, its parameters and
    ``staging.inputs_key()`` (data, compiled tables, package; pass it in when keying many runs)."""
    return {
        "notebook": hashlib.sha256(
            (paths.NOTEBOOKS / f"{notebook}.ipynb").read_bytes()
        ).hexdigest(),
        "parameters": hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
        "inputs": inputs or staging.inputs_key(),
    }


def run_key(notebook: str, values: dict, inputs: str | None = None) -> str:
    """One digest of ``run_key_parts``: a changed key means re-execution."""
    parts = run_key_parts(notebook, values, inputs)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


REASONS = {  # a part of run_key_parts that changed -> the build log's words for it
    "notebook": "the notebook changed",
    "parameters": "its parameters changed",
    "inputs": "the data, compiled tables or package changed",
}


def rerun_reason(target: Path, parts: dict[str, str], fresh: bool) -> str | None:
    """Why the executed copy ``target`` must be made again (None: it can be reused). Its stamp
    (``<target>.key``) records the parts it was made from."""
    if fresh:
        return "a fresh build was asked for"
    stamp = target.with_suffix(".key")
    if not target.exists():
        return "no executed copy yet"
    try:
        made_from = json.loads(stamp.read_text())
    except (OSError, ValueError):
        made_from = None
    if not isinstance(made_from, dict):
        return "no record of what the executed copy was made from"
    changed = [words for part, words in REASONS.items() if made_from.get(part) != parts[part]]
    return "; ".join(changed) or None


class Clock:
    """Seconds per phase of a build, added into ``timings`` as each phase ends."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.started = self.last = time.perf_counter()

    def phase(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def checked_runs() -> dict[str, tuple[notebook_runs.Run, dict]]:
    """Every notebook run of the book with its checked parameters, keyed by output; the first
    bad parameter set raises, naming the file it came from, before any kernel starts."""
    checked = {}
    for run in notebook_runs.book_runs():
        try:
            checked[run.output] = (run, params.validate(run.notebook, run.values))
        except params.ParameterError as exc:
            raise params.ParameterError(f"{run.origin}: {exc}") from None
    return checked


def verify_data(log: Callable[[str], None], record) -> None:
    """Every data file against the manifest's hash (raises, naming the file and the fix)."""
    log(f"checking {len(manifest.load_manifest())} data files against the manifest")
    for name, path in manifest.verify_all():
        record.info("data %s sha256 %s ok: %s", name, manifest.entry(name).sha256, path)


def plan(checked: dict, build_dir: Path, inputs: str, fresh: bool, record):
    """Which runs must execute: returns the executed copy of every run, the jobs to run (those
    whose stamp differs from their run key, or all when ``fresh``) and every run's key parts."""
    executed, jobs, keys = {}, [], {}
    for output, (run, values) in checked.items():
        target = build_dir / "executed" / f"{output}.ipynb"
        keys[output] = run_key_parts(run.notebook, values, inputs)
        executed[output] = target
        why = rerun_reason(target, keys[output], fresh)
        described = f"notebook {output} ({run.notebook}.ipynb, {json.dumps(values)})"
        if why:
            target.with_suffix(".key").unlink(missing_ok=True)
            jobs.append((run, values, target))
            record.info("%s: re-executed: %s", described, why)
        else:
            record.info("%s: reused: unchanged since it was executed", described)
    return executed, jobs, keys


def execute(jobs, keys, build_dir, inputs, fresh, workers, reuse_kernels, progress, log, clock):
    """Run the jobs on ``workers`` kernels while one side thread computes the generated pages
    (the claims register), the Vega bundle and the book's facts. Each executed copy is stamped
    with its key parts as it finishes. Returns (seconds per notebook, pages, bundle, facts)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as side:
        pages_job = side.submit(staging.generated_pages, build_dir, log, fresh)
        bundle_job = side.submit(staging.vega_bundle, build_dir)
        facts_job = side.submit(staging.cached_facts, build_dir, inputs, fresh)
        targets = {run.output: target for run, _, target in jobs}

        def stamp(output: str) -> None:  # remember what this copy was executed from
            if targets[output].exists():
                stamp_file = targets[output].with_suffix(".key")
                stamp_file.write_text(json.dumps(keys[output], indent=1))

        times = execution.execute_all(jobs, workers, log, reuse_kernels, progress, stamp)
        clock.phase("execution")
        pages, bundle, book_facts = pages_job.result(), bundle_job.result(), facts_job.result()
        clock.phase("claims register (beyond execution)")
    return times, pages, bundle, book_facts


def compile_and_print(source, digest, localities, build_dir, fresh, printing, log, clock):
    """Jupyter Book on the staged ``source`` (unless its digest matches the published book's)
    and, when chromium is there and the book or edition changed, the briefings (printing while
    Sphinx runs) and the book's PDF. Returns (the new html folder or None, PDFs printed).

    A stop (signal) ends printing after the PDF under way and re-raises."""
    from concurrent.futures import ThreadPoolExecutor

    html_dir, published = build_dir / "html", build_dir / "html.digest"
    unchanged = published.exists() and published.read_text() == digest
    built = None
    # the PDFs depend on what the book does and on the edition: when neither changed and every
    # PDF is there, no print page need even be worked out
    the_edition = colophon.edition()
    print_key = printer.print_key(digest, the_edition)
    if printing and printer.printed_already(build_dir, print_key, localities):
        log("PDFs unchanged since the last build")
        printing_now = False
    else:
        printing_now = printing
        printer.forget_printed(build_dir)
    printer.STOP.clear()
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        briefing_job = (
            pool.submit(briefings.make_briefings, localities, build_dir, log, the_edition)
            if printing_now
            else None
        )
        if not printing:
            log(printer.HOW_TO_GET_PDFS)
        if unchanged and not fresh and (html_dir / "index.html").exists():
            log("book sources unchanged since the last build: the published book stands")
        else:
            published.unlink(missing_ok=True)
            built = staging.compile_book(source, build_dir / "jb", log)
            clock.phase("Jupyter Book")
        # the book's PDF is printed from the pages Jupyter Book just made (or the last ones)
        book_job = (
            pool.submit(book_pdf.make_book_pdf, built or html_dir, build_dir, log, the_edition)
            if printing_now
            else None
        )
        printed = sum(job.result() for job in (briefing_job, book_job) if job is not None)
        if printing_now:
            printer.remember_printed(build_dir, print_key)
        clock.phase("PDFs (beyond the book)")
    except BaseException:  # a stop: printing ends after the PDF under way
        printer.STOP.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
    return built, printed


def publish(built, printed, digest, build_dir, printing, book_log, record, clock) -> None:
    """Replace the published book with the new one (or copy new PDFs beside the one that
    stands), and remember the digest it was built from."""
    html_dir = build_dir / "html"
    if built is not None:
        staging.publish(built, html_dir, {"pdf": build_dir / "pdf"} if printing else None)
        (build_dir / "html.digest").write_text(digest)
        book_log.published = True
        record.info("publish: the new book replaced the one in %s", html_dir)
        clock.phase("publishing")
    elif printed:
        staging.sync_tree(build_dir / "pdf", html_dir / "pdf")
        record.info("publish: the book stands; %d new PDF(s) copied beside it", printed)
    else:
        record.info("publish: nothing changed; the book in %s stands", html_dir)


def started_line(workers: int, fresh: bool, reuse_kernels: bool, build_dir: Path) -> tuple:
    """The build log's first line: versions, process and choices."""
    return (
        "chsreport %s, Python %s, pid %d, %d worker(s), fresh=%s, kernels %s, build folder %s",
        chsreport.__version__,
        sys.version.split()[0],
        os.getpid(),
        workers,
        fresh,
        "reused per worker" if reuse_kernels else "fresh per notebook",
        build_dir,
    )


def finish(times: dict[str, float], clock: Clock, build_dir: Path, log, record) -> Path:
    """The build's last lines (kernel time, the slowest notebook, each phase's seconds) and the
    path of the published index.html."""
    if times:
        slowest = max(times, key=times.get)
        log(
            f"executed {len(times)} notebooks ({sum(times.values()):.0f} s of kernel "
            f"time; slowest {slowest} {times[slowest]:.1f} s)"
        )
    clock.timings["total"] = time.perf_counter() - clock.started
    for name, seconds in clock.timings.items():
        record.info("time %s: %.2f s", name, seconds)
    index = build_dir / "html" / "index.html"
    log(f"book built in {clock.timings['total']:.0f} s: {index}")
    return index


def build_book(
    build_dir: Path | None = None,
    log: Callable[[str], None] = print,
    workers: int | None = None,
    fresh: bool = False,
    reuse_kernels: bool = True,
    timings: dict[str, float] | None = None,
    progress: execution.Progress | None = None,
) -> Path:
    """Validate, execute (in parallel, only what changed), stage, compile, publish. Returns the
    path of index.html; ``timings``, if given, receives the seconds each phase took, and
    ``progress``, if given, is called as each notebook finishes.

    Any failure (bad parameters, missing or altered data, a cell that raises, a Sphinx warning)
    raises before ``<build_dir>/html`` is touched, so the last good book stays as it was.
    """
    build_dir = build_dir or paths.BUILD
    workers = workers or os.cpu_count() or 1
    clock = Clock({} if timings is None else timings)
    record = buildlog.logger()
    terminal = log

    def log(message: str) -> None:  # the terminal's lines also go to the build log
        record.info("%s", message)
        terminal(message)

    with (
        execution.stop_on_signals(),
        buildlog.build_log(build_dir) as book_log,
        execution.build_lock(build_dir / ".lock", log),
    ):
        record.info(*started_line(workers, fresh, reuse_kernels, build_dir))
        checked = checked_runs()
        clock.phase("parameters")
        verify_data(log, record)
        clock.phase("data check")
        inputs = staging.inputs_key()
        executed, jobs, keys = plan(checked, build_dir, inputs, fresh, record)
        clock.phase("change detection")
        log(
            f"executing {len(jobs)} of {len(checked)} notebooks on {workers} worker(s) "
            f"({len(checked) - len(jobs)} unchanged, reused)"
        )
        times, pages, bundle, book_facts = execute(
            jobs, keys, build_dir, inputs, fresh, workers, reuse_kernels, progress, log, clock
        )
        if jobs:
            staging.prune_downloads(executed)
        # the book depends on its sources and also on the package (its Sphinx extension); its
        # pages link their PDFs only when chromium can print them
        printing = printer.chromium() is not None
        source = build_dir / "stage"
        digest = staging.stage(executed, source, pages, bundle, book_facts)
        digest += inputs + ("+pdf" if printing else "")
        clock.phase("staging")
        localities = {
            output.split("/", 1)[1]: path
            for output, path in executed.items()
            if output.startswith("localities/")
        }
        built, printed = compile_and_print(
            source, digest, localities, build_dir, fresh, printing, log, clock
        )
        with execution.not_stopped():  # from here the build finishes, whatever arrives
            publish(built, printed, digest, build_dir, printing, book_log, record, clock)
            return finish(times, clock, build_dir, log, record)
