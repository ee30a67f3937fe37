"""Executing the notebooks with papermill and compiling the book with Jupyter Book.

``build_book`` checks every parameter set before any kernel starts, executes each notebook into
``_build/executed/``, stages a clean source tree in ``_build/stage/``, runs Jupyter Book on it,
and only then replaces ``_build/html`` (rename, so a failed build leaves the last good book as it
was).  A lock file stops two builds from writing at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from chsreport import charts, data, params

ROOT = data.PROJECT_ROOT
BUILD = Path(os.environ.get("CHS_BUILD_DIR") or ROOT / "_build")
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"


class BuildError(RuntimeError):
    """A build step failed; the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class Run:
    """One notebook execution for the book: template, parameter file, output name."""

    notebook: str
    params_file: Path
    output: str


def book_runs() -> list[Run]:
    """The notebook runs that make up the book (one per chapter parameter file)."""
    return [
        Run("consolidation", PARAMS / "consolidation.yml", "consolidation"),
        Run("scale", PARAMS / "scale.yml", "scale"),
        Run("integration", PARAMS / "integration.yml", "integration"),
    ]


def _tag_injected_cell(path: Path) -> None:
    """Hide papermill's injected-parameters cell (and keep it hidden) in the built book."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def execute(notebook: str, values: dict, output: Path, log: Callable[[str], None] = print) -> Path:
    """Validate ``values`` for ``notebook`` and execute it with papermill into ``output``."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    checked = params.validate(notebook, values)
    source = NOTEBOOKS / f"{notebook}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.running.ipynb")
    started = time.perf_counter()
    log(f"executing {source.relative_to(ROOT)} -> {output}  {json.dumps(checked)}")
    try:
        pm.execute_notebook(
            str(source),
            str(partial),
            parameters=checked,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(output.parent),
        )
    except PapermillExecutionError as exc:
        raise BuildError(
            f"notebook {source.name} failed in cell {exc.exec_count} "
            f"(cell index {exc.cell_index}): {exc.ename}: {exc.evalue}\n"
            f"The partly executed copy is {partial}."
        ) from None
    _tag_injected_cell(partial)
    partial.replace(output)
    log(f"done      {output.name} in {time.perf_counter() - started:.1f} s")
    return output


@contextmanager
def build_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise BuildError(
            f"another build is running ({holder}); wait for it to finish, or remove {path} "
            "if no build is running"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def data_page() -> str:
    """The provenance page: every manifest input with publisher, period, licence and hash."""
    lines = [
        "# Data sources",
        "",
        "Every raw file the book reads, as listed in `data/manifest.yml`. Each file is checked "
        "against its sha256 before it is parsed; none is stored in this project. Run "
        "`chsreport data verify` to check your copies.",
        "",
        "| Input | File | Publisher | Period | Licence | Quality | Original | sha256 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in data.load_manifest().values():
        cells = [
            f"`{item.name}`",
            f"`{item.path}`",
            item.publisher,
            item.period,
            item.licence,
            f"{item.quality.upper()}: {item.quality_note}" if item.quality else "not rated",
            f"[link]({item.url})",
            f"`{item.sha256[:16]}…`",
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += ["", "## What each file holds", ""]
    for item in data.load_manifest().values():
        lines.append(f"- **{item.name}**: {item.description}.")
    lines += [
        "",
        "## Tables compiled by hand",
        "",
        "Small tables we compiled where the data lack a fact; every row carries its source.",
        "",
    ]
    for path in sorted((ROOT / "data" / "compiled").glob("*")):
        lines.append(f"- `data/compiled/{path.name}`")
    return "\n".join(lines) + "\n"


def stage(executed: dict[str, Path], target: Path) -> Path:
    """A clean Jupyter Book source tree: config, hand-written pages, executed notebooks."""
    if target.exists():
        for child in target.iterdir():
            if child.name in ("_config.yml", "_toc.yml", "book", "notebooks", "_static"):
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "book", target / "book")
    shutil.copytree(ROOT / "_static", target / "_static")
    (target / "_static" / "vega-bundle.js").write_text(charts.vega_bundle_js(), encoding="utf-8")
    (target / "book" / "data.md").write_text(data_page(), encoding="utf-8")
    (target / "notebooks").mkdir()
    for output, path in executed.items():
        shutil.copy2(path, target / "notebooks" / f"{output}.ipynb")
    # chart and table downloads: written by the notebooks beside themselves, published as-is
    extra = target / "_extra"
    shutil.rmtree(extra, ignore_errors=True)
    (extra / "notebooks").mkdir(parents=True)
    folders = {path.parent / charts.DOWNLOADS for path in executed.values()}
    for folder in folders:
        if folder.is_dir():
            shutil.copytree(folder, extra / "notebooks" / charts.DOWNLOADS, dirs_exist_ok=True)
    return target


def compile_book(source: Path, out: Path, log: Callable[[str], None] = print) -> Path:
    """Run Jupyter Book (-W -n --keep-going) on ``source``; returns the built html folder."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(source),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
        "--builder",
        "html",
    ]
    log("compiling the book with Jupyter Book")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise BuildError(f"Jupyter Book failed (exit {done.returncode}):\n{tail}")
    return out / "_build" / "html"


def publish(built: Path, target: Path) -> Path:
    """Replace ``target`` with a copy of ``built`` by renames, so readers never see half a book."""
    fresh = target.with_name(target.name + ".new")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(built, fresh)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def build_book(build_dir: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Validate, execute, stage, compile, publish. Returns the path of index.html.

    Any failure (bad parameters, missing or altered data, a cell that raises, a Sphinx warning)
    raises before ``<build_dir>/html`` is touched, so the last good book stays as it was.
    """
    build_dir = build_dir or BUILD
    with build_lock(build_dir / ".lock"):
        runs = book_runs()
        checked = {}
        for run in runs:  # every parameter set is checked before any kernel starts
            values = params.read_params_file(run.params_file)
            checked[run.output] = (run, params.validate(run.notebook, values))
        log(f"checking {len(data.load_manifest())} data files against the manifest")
        data.verify_all()
        executed = {}
        for number, (output, (run, values)) in enumerate(checked.items(), start=1):
            log(f"[{number}/{len(checked)}] {run.notebook} ({run.params_file.name})")
            target = build_dir / "executed" / f"{output}.ipynb"
            executed[output] = execute(run.notebook, values, target, log)
        built = compile_book(stage(executed, build_dir / "stage"), build_dir / "jb", log)
        html_dir = publish(built, build_dir / "html")
        index = html_dir / "index.html"
        log(f"book built: {index}")
        return index
