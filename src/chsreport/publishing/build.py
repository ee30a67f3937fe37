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
    Long because it orders the build's phases (check, execute, stage, compile, print, publish)
    and the stop handling around them in one place; to be split into the phases (issue 23's
    list).
    """
    from concurrent.futures import ThreadPoolExecutor

    build_dir = build_dir or paths.BUILD
    workers = workers or os.cpu_count() or 1
    timings = {} if timings is None else timings
    started = clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

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
        record.info(
            "chsreport %s, Python %s, pid %d, %d worker(s), fresh=%s, kernels %s, build folder %s",
            chsreport.__version__,
            sys.version.split()[0],
            os.getpid(),
            workers,
            fresh,
            "reused per worker" if reuse_kernels else "fresh per notebook",
            build_dir,
        )
        runs = notebook_runs.book_runs()
        checked = {}
        for run in runs:  # every parameter set is checked before any kernel starts
            try:
                checked[run.output] = (run, params.validate(run.notebook, run.values))
            except params.ParameterError as exc:
                raise params.ParameterError(f"{run.origin}: {exc}") from None
        phase("parameters")
        log(f"checking {len(manifest.load_manifest())} data files against the manifest")
        for name, path in manifest.verify_all():
            record.info("data %s sha256 %s ok: %s", name, manifest.entry(name).sha256, path)
        phase("data check")
        executed, jobs, keys, inputs = {}, [], {}, staging.inputs_key()
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
        phase("change detection")
        log(
            f"executing {len(jobs)} of {len(checked)} notebooks on {workers} worker(s) "
            f"({len(checked) - len(jobs)} unchanged, reused)"
        )
        # the claims register and the Vega bundle are computed here while the workers run
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
            phase("execution")
            pages, bundle, book_facts = pages_job.result(), bundle_job.result(), facts_job.result()
            phase("claims register (beyond execution)")
        if jobs:
            staging.prune_downloads(executed)
        source = build_dir / "stage"
        # the book depends on its sources and also on the package (its Sphinx extension); its
        # pages link their PDFs only when chromium can print them
        printing = printer.chromium() is not None
        digest = staging.stage(executed, source, pages, bundle, book_facts)
        digest += inputs + ("+pdf" if printing else "")
        phase("staging")
        html_dir, published = build_dir / "html", build_dir / "html.digest"
        unchanged = published.exists() and published.read_text() == digest
        localities = {
            output.split("/", 1)[1]: path
            for output, path in executed.items()
            if output.startswith("localities/")
        }
        built = None
        # the PDFs depend on what the book does and on the edition: when neither changed and
        # every PDF is there, no print page need even be worked out
        the_edition = colophon.edition()
        print_key = printer.print_key(digest, the_edition)
        if printing and printer.printed_already(build_dir, print_key, localities):
            log("PDFs unchanged since the last build")
            printing_now = False
        else:
            printing_now = printing
            printer.forget_printed(build_dir)
        printer.STOP.clear()
        # briefings print while Sphinx runs; the book's PDF as soon as its pages exist, beside
        # any briefings still printing
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
                phase("Jupyter Book")
            # the book's PDF is printed from the pages Jupyter Book just made (or the last ones)
            book_job = (
                pool.submit(book_pdf.make_book_pdf, built or html_dir, build_dir, log, the_edition)
                if printing_now
                else None
            )
            printed = sum(job.result() for job in (briefing_job, book_job) if job is not None)
            if printing_now:
                printer.remember_printed(build_dir, print_key)
            phase("PDFs (beyond the book)")
        except BaseException:  # a stop: printing ends after the PDF under way
            printer.STOP.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown(wait=True)
        with execution.not_stopped():  # from here the build finishes, whatever arrives
            if built is not None:
                staging.publish(built, html_dir, {"pdf": build_dir / "pdf"} if printing else None)
                published.write_text(digest)
                book_log.published = True
                record.info("publish: the new book replaced the one in %s", html_dir)
                phase("publishing")
            elif printed:
                staging.sync_tree(build_dir / "pdf", html_dir / "pdf")
                record.info("publish: the book stands; %d new PDF(s) copied beside it", printed)
            else:
                record.info("publish: nothing changed; the book in %s stands", html_dir)
            index = html_dir / "index.html"
            if times:
                slowest = max(times, key=times.get)
                log(
                    f"executed {len(times)} notebooks ({sum(times.values()):.0f} s of kernel "
                    f"time; slowest {slowest} {times[slowest]:.1f} s)"
                )
            timings["total"] = time.perf_counter() - started
            for name, seconds in timings.items():
                record.info("time %s: %.2f s", name, seconds)
            log(f"book built in {timings['total']:.0f} s: {index}")
            return index
