"""Executing the notebooks with papermill and compiling the book with Jupyter Book.

``build_book`` checks every parameter set before any kernel starts, executes each notebook into
``_build/executed/``, stages a clean source tree in ``_build/stage/``, runs Jupyter Book on it,
and only then replaces ``_build/html`` (rename, so a failed build leaves the last good book as it
was).  A lock file stops two builds from writing at once.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from chsreport import buildlog, charts, data, params, pdf, text, vocabulary

ROOT = data.PROJECT_ROOT
BUILD = Path(os.environ.get("CHS_BUILD_DIR") or ROOT / "_build")
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"


class BuildError(RuntimeError):
    """A build step failed; the message names the notebook, the cell and the error."""

    for_users = True  # the message is the whole story: no traceback in the build log


@dataclass(frozen=True)
class Run:
    """One notebook execution for the book: template, parameter values, output name (a path
    under notebooks/ without the suffix) and where the values came from."""

    notebook: str
    values: dict
    output: str
    origin: str


def book_runs() -> list[Run]:
    """The notebook runs that make up the book: one per chapter parameter file, and one locality
    page per current ICB (the same list makes the Localities part of the table of contents)."""
    from chsreport import locality

    runs = []
    for chapter in ("consolidation", "scale", "integration"):
        path = PARAMS / f"{chapter}.yml"
        runs.append(Run(chapter, params.read_params_file(path), chapter, path.name))
    for icb in locality.localities():
        runs.append(Run("locality", {"icb": icb}, f"localities/{icb}", f"ICB {icb}"))
    return runs


def page_title(notebook: str, values: dict) -> str | None:
    """A Markdown title for template pages whose title depends on their parameters."""
    if notebook == "locality":
        return params.valid_icbs()[values["icb"]].removeprefix("NHS ")
    return None


RESET_TAG = "chs-kernel-reset"


def _finish_notebook(path: Path, title: str | None, source: Path) -> None:
    """Drop the kernel-reset cell, hide papermill's injected-parameters cell, record the real
    source notebook and give template pages their title."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"  # papermill gives it a random id
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
    if "papermill" in nb.metadata:
        where = source.relative_to(ROOT) if source.is_relative_to(ROOT) else source
        nb.metadata["papermill"]["input_path"] = where.as_posix()
        nb.metadata["papermill"]["output_path"] = path.name
    if title and not (nb.cells and nb.cells[0].cell_type == "markdown"):
        heading = nbformat.v4.new_markdown_cell(f"# {text.inert(title)}")
        heading["id"] = "page-title"
        nb.cells.insert(0, heading)
    nbformat.write(nb, path)


# Run first in a reused kernel (as a cell the build removes afterwards): forget the last
# notebook's names, restart the chart id counter and the cell counter (so the first cell is
# numbered 1), and move to the notebook's folder, so the outputs are those of a fresh kernel
# (nbval re-runs a sample in fresh kernels and compares). A cell rather than a separate client,
# because every new client waits 0.2 s for the kernel's output to go quiet.
_KERNEL_RESET = """\
get_ipython().run_line_magic("reset", "-f")
import itertools as _itertools, os as _os
import chsreport.charts as _charts
_charts._ids = _itertools.count(1)
_os.chdir({cwd!r})
get_ipython().execution_count = 1
del _itertools, _os, _charts
"""


def _with_reset_cell(source: Path, cwd: Path, target: Path) -> Path:
    """A copy of ``source`` whose first cell resets a reused kernel."""
    nb = nbformat.read(source, as_version=4)
    cell = nbformat.v4.new_code_cell(_KERNEL_RESET.format(cwd=str(cwd)))
    cell["id"] = "chs-kernel-reset"
    cell.metadata["tags"] = [RESET_TAG, "remove-cell"]
    nb.cells.insert(0, cell)
    nbformat.write(nb, target)
    return target


def _first_line(source: str | None) -> str:
    lines = [line for line in (source or "").splitlines() if line.strip()]
    return lines[0][:120] if lines else "(empty)"


def execute(
    notebook: str, values: dict, output: Path, log: Callable[[str], None] = print, km=None
) -> Path:
    """Validate ``values`` for ``notebook`` and execute it with papermill into ``output``
    (in a fresh kernel, or in ``km``'s running kernel after resetting it)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    checked = params.validate(notebook, values)
    source = NOTEBOOKS / f"{notebook}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.running.ipynb")
    started = time.perf_counter()
    log(f"executing {source.name} -> {output}  {json.dumps(checked)}")
    reuse, first_cell = {}, 1
    executed_from = source
    if km is not None:
        executed_from = _with_reset_cell(
            source, output.parent, output.with_name(f".{output.stem}.source.ipynb")
        )
        reuse, first_cell = {"km": km}, 2
    try:
        pm.execute_notebook(
            str(executed_from),
            str(partial),
            parameters=checked,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(output.parent),
            request_save_on_cell_execute=False,  # written once at the end (or on error)
            **reuse,
        )
    except PapermillExecutionError as exc:
        raise BuildError(
            f"notebook {source.name} failed in cell {exc.exec_count} "
            f"(cell index {exc.cell_index - first_cell + 1}): {exc.ename}: {exc.evalue}\n"
            f"  the cell begins: {_first_line(exc.source)}\n"
            f"The partly executed copy is {partial}."
        ) from None
    finally:
        if executed_from != source:
            executed_from.unlink(missing_ok=True)
    _finish_notebook(partial, page_title(notebook, checked), source)
    partial.replace(output)
    log(f"done      {output.name} in {time.perf_counter() - started:.1f} s")
    return output


_LOCK_FD: int | None = None  # the build lock's descriptor: workers close their inherited copy


@contextmanager
def build_lock(path: Path, log: Callable[[str], None] = print):
    """Hold ``path`` locked (``flock``) for the block: a second build refuses to start. The lock
    belongs to the open file, so it ends when this process ends, however it ends (workers close
    their copy: see ``_worker_start``). The file names its holder; a name left by a build that
    was killed is reported and ignored."""
    global _LOCK_FD
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise BuildError(
            f"another build is running ({holder}); wait for it to finish (the lock ends with "
            "that process)"
        ) from None
    handle.seek(0)
    left = handle.read().strip()
    if left:
        log(f"ignored a stale lock: {path} named {left}, which ended without releasing it")
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    _LOCK_FD = handle.fileno()
    try:
        yield
    finally:
        _LOCK_FD = None
        handle.seek(0)
        handle.truncate()  # an empty lock file: this build ended cleanly
        handle.flush()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum, _frame) -> None:
    """The first stop signal stops the build; later ones (a closing terminal sends SIGHUP and
    then SIGTERM) are ignored, so they cannot cut short the shutdown of workers and kernels."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _stop_signals_handled_by(handler):
    """The stop signals handled by ``handler`` for the block, then as before. Only the main
    thread can set handlers; elsewhere this does nothing."""
    if not _in_main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


def stop_on_signals():
    """Ctrl-C, SIGTERM and SIGHUP (a time-out, a closed terminal, a container stopping) stop
    the build alike: nothing more starts, workers and kernels are shut down, nothing is
    published."""
    return _stop_signals_handled_by(_interrupt)


def not_stopped():
    """Stop signals ignored for the block: publishing (two renames) either happens whole or,
    before it starts, not at all, and the log and the terminal say which."""
    return _stop_signals_handled_by(signal.SIG_IGN)


def source_link(url: str) -> str:
    """A manifest's ``url`` as a Markdown link to the original; a note after the address (the
    manifest writes "https://site/ (the dataset's name)") follows as text, since a link's
    address cannot hold spaces."""
    address, _, note = url.partition(" ")
    note = note.strip().removeprefix("(").removesuffix(")")
    return f"[original]({address})" + (f" ({note})" if note else "")


def chapter_inputs() -> dict[str, list[str]]:
    """Which chapter reads which manifest input (from each chapter module's INPUTS)."""
    from chsreport import consolidation, integration, locality, scale

    return {
        "Consolidation": consolidation.INPUTS,
        "Scale": scale.INPUTS,
        "Integration": integration.INPUTS,
        "Localities": locality.INPUTS,
    }


COMPILED_TABLES = {  # the hand-compiled tables, in words (each row carries its source)
    "article_cases.yml": "The places the source articles name, and what the articles say of them",
    "claims.yml": "The claims the book tests: each quoted from its article, with its rule",
    "community_areas.csv": "The main adult community provider in each council, dated, with a "
    "source on every row",
    "data_gaps.yml": "The data the book lacks (below)",
    "trust_types.csv": "Trust types where the published sources are silent or disagree",
}


def data_page() -> str:
    """The provenance page: every manifest input with publisher, period, licence and hash."""
    lines = [
        "# Data sources",
        "",
        "Every public file the book reads. Each is checked against its published checksum "
        "(sha256) before it is read; none is stored in this project. Analysts can check their "
        "own copies: see [Re-run this book for your area](rerun.md).",
        "",
        "| What it holds | Publisher | Period | Used by |",
        "|---|---|---|---|",
    ]
    users = chapter_inputs()
    manifest = data.load_manifest().values()
    for item in manifest:
        used = ", ".join(ch for ch, names in users.items() if item.name in names) or (
            "maps" if item.path.startswith("boundaries/") else "kept for checks; no chapter yet"
        )
        cells = [item.description, item.publisher, vocabulary.months_in_words(item.period), used]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += ["", "## Each file: what it holds, licence, quality and hash", ""]
    for item in manifest:
        quality = f"{item.quality.upper()}: {item.quality_note}" if item.quality else "not rated"
        lines.append(
            f"- **{item.description}** ({item.publisher}). File `{item.path}`; {item.licence}; "
            f"{source_link(item.url)}. Quality: {quality}. sha256 `{item.sha256}`."
        )
    lines += [
        "",
        "## Tables compiled by hand",
        "",
        "Small tables we compiled where the data lack a fact; every row carries its source.",
        "",
    ]
    for path in sorted((ROOT / "data" / "compiled").glob("*")):
        lines.append(f"- {COMPILED_TABLES.get(path.name, path.name)}")
    gaps = yaml.safe_load((ROOT / "data" / "compiled" / "data_gaps.yml").read_text())["gaps"]
    lines += [
        "",
        "## Data the book lacks",
        "",
        "| What | Rating | Why it matters |",
        "|---|---|---|",
    ]
    for gap in gaps:  # each gap's source stays in the compiled table, for the project
        lines.append(f"| {gap['what']} | {gap['rating'].upper()} | {gap['why']} |")
    return "\n".join(lines) + "\n"


def toc_with_localities(codes: list[str]) -> dict:
    """The book's _toc.yml with a Localities part: an index page and one page per ICB."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapters = [{"file": "book/localities/index"}] + [
        {"file": f"notebooks/localities/{code}"} for code in codes
    ]
    parts = toc["parts"]
    at = next((i for i, part in enumerate(parts) if part["caption"] == "Evidence"), len(parts))
    parts.insert(at, {"caption": "Localities", "chapters": chapters})
    return toc


_DOWNLOAD_LINK = re.compile(rf'href=\\?"{charts.DOWNLOADS}/([^"\\]+)\\?"')


_LAZY_DATA = re.compile(rf"{charts.DOWNLOADS}/([0-9a-f]{{12}}-chart-data\.json)")


def referenced_downloads(notebook: Path) -> list[str]:
    """The download files an executed notebook links to, and the chart data its interactive
    charts fetch (only these are published, so files left by earlier runs with other data never
    reach the book)."""
    text = notebook.read_text(encoding="utf-8")
    return sorted(set(_DOWNLOAD_LINK.findall(text)) | set(_LAZY_DATA.findall(text)))


def prune_downloads(executed: dict[str, Path]) -> int:
    """Delete download files that no executed notebook links to any more (left by runs with
    other data or parameters; their names carry a hash of their content). Returns how many."""
    linked: dict[Path, set[str] | None] = {}
    for path in executed.values():
        folder = path.parent / charts.DOWNLOADS
        if not path.exists():  # a folder we cannot account for is left alone
            linked[folder] = None
        elif linked.get(folder, set()) is not None:
            linked[folder] = linked.get(folder, set()) | set(referenced_downloads(path))
    removed = 0
    for folder, names in linked.items():
        if names is not None and folder.is_dir():
            for stale in [f for f in folder.iterdir() if f.name not in names]:
                stale.unlink()
                removed += 1
    return removed


def vega_bundle(build_dir: Path) -> bytes:
    """The shared Vega bundle, generated once per vl-convert version and kept in the build
    folder (generating it takes about a second)."""
    import vl_convert

    cached = build_dir / f"vega-bundle-{vl_convert.__version__}-{charts.VL_VERSION}.js"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.write_text(charts.vega_bundle_js(), encoding="utf-8")
        partial.replace(cached)
    return cached.read_bytes()


def edition() -> dict:
    """Version (the package's), build date (the date of the checked-out commit, so two builds of
    one commit are identical; today without git) and data vintage (the newest month any input's
    period names)."""
    import chsreport

    try:
        date = subprocess.run(
            ["git", "log", "-1", "--format=%cs"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        date = ""
    months = []
    for item in data.load_manifest().values():
        for year, month in re.findall(r"((?:19|20)\d\d)-(\d\d)", item.period):
            months.append(f"{year}-{month}")
    newest = max(months) if months else ""
    return {
        "version": chsreport.__version__,
        "built": date or datetime.date.today().isoformat(),
        "data_to": datetime.date(int(newest[:4]), int(newest[5:]), 1).strftime("%B %Y")
        if newest
        else "",
    }


def config_with_footer(book_facts: dict[str, str] | None = None) -> bytes:
    """_config.yml with the edition line (version, build date, data vintage, licence) as the
    footer of every page, and the facts the hand-written pages state (``book_facts``; worked
    out by ``facts.book_facts`` when not given)."""
    from chsreport import facts

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    # the counts, periods and settings the hand-written pages state, as MyST substitutions
    config.setdefault("parse", {})["myst_substitutions"] = book_facts or facts.book_facts()
    e = edition()
    config.setdefault("html", {})["extra_footer"] = (
        f'<p class="chs-edition">Version {e["version"]}, built {e["built"]} from public data to '
        f"{e['data_to']}. Text, tables and charts: Open Government Licence v3.0; code: MIT. "
        "Contains public sector information licensed under the Open Government Licence v3.0.</p>"
    )
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True).encode("utf-8")


def source_files(
    executed: dict[str, Path],
    pages: dict[str, str],
    bundle: bytes,
    book_facts: dict[str, str] | None = None,
) -> dict[str, bytes | Path]:
    """Every file of the Jupyter Book source tree, by path: config, hand-written and generated
    pages, the executed notebooks and the downloads their pages link to."""
    files: dict[str, bytes | Path] = {"_config.yml": config_with_footer(book_facts)}
    localities = [o.split("/", 1)[1] for o in executed if o.startswith("localities/")]
    if localities:
        toc = toc_with_localities(localities)
    else:
        toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files["_toc.yml"] = yaml.safe_dump(toc, sort_keys=False).encode()
    for folder in ("book", "_static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and not _stray(path):
                files[path.relative_to(ROOT).as_posix()] = path
    files["_static/vega-bundle.js"] = bundle
    from chsreport import maps  # the maps' shared geometry, one file per layer

    for layer in maps.LAYERS:
        files[f"_static/maps/{layer}.json"] = maps.geometry_json(layer)
    for name, markdown in {"book/data.md": data_page(), **pages}.items():
        files[name] = text.inert(markdown).encode("utf-8")  # names from the data stay text
    for output, path in executed.items():
        files[f"notebooks/{output}.ipynb"] = path
        # chart and table downloads, written beside each executed notebook, published as-is
        published = Path("_extra") / "notebooks" / Path(output).parent / charts.DOWNLOADS
        for name in referenced_downloads(path):
            source = path.parent / charts.DOWNLOADS / name
            if not source.is_file():
                raise BuildError(f"{path.name} links to {name}, missing from {source.parent}")
            files[(published / name).as_posix()] = source
    return files


def stage(
    executed: dict[str, Path],
    target: Path,
    pages: dict[str, str] | None = None,
    bundle=b"",
    book_facts: dict[str, str] | None = None,
) -> str:
    """Bring the Jupyter Book source tree in ``target`` up to date: write only the files whose
    content changed (so Sphinx re-reads only those) and delete the rest. Returns a digest of
    the whole tree: the same digest means the same book."""
    files = source_files(executed, pages or {}, bundle, book_facts)
    digest = hashlib.sha256()
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(files):
        content = files[name]
        if isinstance(content, Path):
            content = content.read_bytes()
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        path = target / name
        if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for path in sorted(target.rglob("*"), reverse=True):  # what is no longer part of the book
        name = path.relative_to(target).as_posix()
        if path.is_file() and name not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return digest.hexdigest()


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
    # Sphinx rewrites only the pages whose source changed. A new table of contents would leave
    # stale navigation in the others; a changed package (its Sphinx extension and templates)
    # or static file would leave pages made by the old one, with the old file's checksum in
    # their links (readers' browsers keep the old copy): then it compiles from scratch
    contents = out / "scratch.key"
    key = scratch_key(source)
    if not (contents.exists() and contents.read_text() == key):
        shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=_die_with_parent)
    if done.returncode != 0:
        # with --keep-going Sphinx saved its pages: a next run would find nothing out of date
        # and pass without the warnings, so the next build starts from scratch
        contents.unlink(missing_ok=True)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise BuildError(f"Jupyter Book failed (exit {done.returncode}):\n{tail}")
    html = out / "_build" / "html"
    copy_verbatim_files(source, html)
    contents.write_text(key)
    return html


def scratch_key(source: Path) -> str:
    """What makes Jupyter Book compile from scratch when it changes: the staged table of
    contents and static files, and every file of the package (its Sphinx extension and
    templates, which Sphinx does not track)."""
    digest = hashlib.sha256((source / "_toc.yml").read_bytes())
    static = source / "_static"
    for path in sorted(static.rglob("*")) if static.is_dir() else []:
        if path.is_file():
            name = path.relative_to(static).as_posix().encode()
            digest.update(name + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    package = Path(__file__).resolve().parent
    for name in package_files():
        digest.update(name.as_posix().encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()


def _same_file(source: Path, copy: Path) -> bool:
    return (
        copy.is_file()
        and copy.stat().st_size == source.stat().st_size
        and copy.read_bytes() == source.read_bytes()
    )


def copy_verbatim_files(source: Path, html: Path) -> None:
    """Make the files Sphinx copies as they are (``_extra``: the downloads and lazy chart data;
    ``_static``: scripts, styles, map geometry) match the staged ones in the built ``html``.

    Sphinx copies them only when it writes pages: when it finds no page out of date it returns
    early ("no targets are out of date") and copies nothing, so a static file changed alone
    would never be published, and it never deletes a download no page links to any more. Here
    every staged file is copied when missing or different, and downloads that are no longer
    staged are deleted (theme files in ``_static`` are Sphinx's own and are left alone)."""
    extra = source / "_extra"
    staged = {p.relative_to(extra) for p in extra.rglob("*") if p.is_file()}
    for name in sorted(staged):
        copy = html / name
        if not _same_file(extra / name, copy):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extra / name, copy)
    for folder in list((html / "notebooks").rglob(charts.DOWNLOADS)):
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(html) not in staged:
                path.unlink()
    static = source / "_static"
    for path in sorted(static.rglob("*")):
        copy = html / "_static" / path.relative_to(static)
        if path.is_file() and not _same_file(path, copy):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)


def _die_with_parent() -> None:
    """In a child about to start (Jupyter Book): end it if the build process ends, even when
    killed outright, so it never writes into a folder the next build is using (Linux)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def publish(built: Path, target: Path, extras: dict[str, Path] | None = None) -> Path:
    """Replace ``target`` with a copy of ``built`` (and of each ``extras`` folder, under its
    name) by renames, so readers never see half a book. Links to PDFs that were not made are
    dropped from the copy."""
    fresh = target.with_name(target.name + ".new")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(built, fresh)
    for name, folder in (extras or {}).items():
        if folder.is_dir():
            shutil.copytree(folder, fresh / name, ignore=shutil.ignore_patterns("*.key", "*.tmp"))
    for page in fresh.rglob("*.html"):
        pdf.drop_missing_pdf_links(page)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def sync_tree(source: Path, target: Path) -> None:
    """Copy into ``target`` the files of ``source`` that are new or changed (PDFs printed while
    the book itself stood unchanged)."""
    for path in source.rglob("*.pdf"):
        copy = target / path.relative_to(source)
        if not copy.exists() or copy.read_bytes() != path.read_bytes():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)


def generated_pages(
    build_dir: Path, log: Callable[[str], None] = print, fresh: bool = False
) -> dict[str, str]:
    """Pages computed at build time: the claims register (also written to claims.csv in the
    build folder) and the localities index. They are computed again only when the data, the
    compiled tables or the package change (the register fits models: a few seconds)."""
    from chsreport import claims, findings, locality

    key, csv_file = inputs_key(), build_dir / "claims.csv"
    cached, stamp = build_dir / "generated-pages.json", build_dir / "generated-pages.key"
    current = stamp.exists() and stamp.read_text() == key
    if current and not fresh and cached.exists() and csv_file.exists():
        log("claims register and localities index unchanged since the last build")
        return json.loads(cached.read_text(encoding="utf-8"))
    log("evaluating the claims register")
    stamp.unlink(missing_ok=True)
    register = claims.evaluate()
    claims.write_csv(register, csv_file)
    pages = {
        "book/claims.md": claims.page(register),
        "book/findings.md": findings.page(
            findings.key_findings(register), findings.answers(register)
        ),
        "book/localities/index.md": locality.index_page(),
    }
    cached.write_text(json.dumps(pages), encoding="utf-8")
    stamp.write_text(key)
    return pages


def cached_facts(build_dir: Path, inputs: str, fresh: bool = False) -> dict[str, str]:
    """``facts.book_facts``, kept in the build folder with the ``inputs_key`` they were worked
    out from (they read the data: over a second), so a build whose data, compiled tables and
    package are unchanged does not work them out again."""
    from chsreport import facts

    cached, stamp = build_dir / "book-facts.json", build_dir / "book-facts.key"
    if not fresh and cached.exists() and stamp.exists() and stamp.read_text() == inputs:
        return json.loads(cached.read_text(encoding="utf-8"))
    stamp.unlink(missing_ok=True)
    value = facts.book_facts()
    build_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(value), encoding="utf-8")
    stamp.write_text(inputs)
    return value


def inputs_key() -> str:
    """A digest of what every page depends on besides its own notebook: the sha256 of each input
    in the manifest, the compiled tables and the package's own source."""
    digest = hashlib.sha256()
    for item in data.load_manifest().values():
        digest.update(item.sha256.encode())
    for path in sorted((ROOT / "data" / "compiled").glob("*")):
        digest.update(path.read_bytes())
    package = Path(__file__).resolve().parent
    for name in package_files():
        digest.update(name.as_posix().encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()


def package_files() -> list[Path]:
    """Every file of the package a page can depend on: its modules and also its templates and
    any other data files (compiled Python caches left out), relative to the package folder."""
    package = Path(__file__).resolve().parent
    return [
        path.relative_to(package)
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and not _stray(path)
    ]


def _stray(path: Path) -> bool:
    """A file no page depends on: compiled Python, an editor's swap or backup file, a dotfile."""
    return path.suffix == ".pyc" or path.name.startswith(".") or path.name.endswith("~")


def run_key_parts(notebook: str, values: dict, inputs: str | None = None) -> dict[str, str]:
    """What an executed notebook depends on, part by part: its source, its parameters and
    ``inputs_key()`` (data, compiled tables, package; pass it in when keying many runs)."""
    return {
        "notebook": hashlib.sha256((NOTEBOOKS / f"{notebook}.ipynb").read_bytes()).hexdigest(),
        "parameters": hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
        "inputs": inputs or inputs_key(),
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


def _reused_kernel_client_class():
    """A kernel client for a kernel already known to be running. jupyter_client's
    ``wait_for_ready`` ends by waiting 0.2 s for the kernel's output channel to fall silent; a
    reused kernel pays that before every notebook (8 s of idle time over the book). This one
    drains what is already queued and moves on: nbclient ignores any late message anyway, since
    it matches outputs to the request that caused them."""
    from queue import Empty

    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.utils import run_sync
    from jupyter_core.utils import ensure_async

    class ReusedKernelClient(BlockingKernelClient):
        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.time() + (60 if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    msg = None
                if msg is not None and msg["msg_type"] == "kernel_info_reply":
                    try:  # the output channel is connected once it carries anything
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
                if not await self._async_is_alive() or time.time() > deadline:
                    raise RuntimeError("the reused kernel did not answer")
            while True:
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.01))
                except Empty:
                    break

        wait_for_ready = run_sync(_async_wait_for_ready)

    return ReusedKernelClient


_WORKER_KERNEL = None


def _worker_kernel():
    """One kernel per worker process, started on first use and shut down when it exits: each
    notebook then skips the kernel's start-up and the package's imports."""
    global _WORKER_KERNEL
    if _WORKER_KERNEL is None or not _WORKER_KERNEL.is_alive():
        import atexit

        from jupyter_client.manager import KernelManager

        for attempt in range(KERNEL_START_ATTEMPTS):
            km = KernelManager(kernel_name="python3")
            km.client_factory = _reused_kernel_client_class()
            # no history database: restarting the cell counter would otherwise clash with it
            km.start_kernel(cwd=str(ROOT), extra_arguments=["--HistoryManager.enabled=False"])
            if _answers(km):
                break
            # two workers starting kernels at once can pick the same free port; the loser dies
            # at start ("Address already in use"): start another on fresh ports
            km.shutdown_kernel(now=True)
            if attempt == KERNEL_START_ATTEMPTS - 1:
                raise RuntimeError(f"a kernel did not start after {KERNEL_START_ATTEMPTS} attempts")
        _WORKER_KERNEL = km
        atexit.register(_WORKER_KERNEL.shutdown_kernel, now=True)
    return _WORKER_KERNEL


KERNEL_START_ATTEMPTS = 3


def _answers(km) -> bool:
    """Whether a freshly started kernel is alive and answers (within a minute)."""
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        return True
    except RuntimeError:
        return False
    finally:
        client.stop_channels()


def _execute_job(job: tuple[str, dict, str, bool]) -> tuple[str, float]:
    """Worker entry point: execute one notebook quietly, return its path and time."""
    notebook, values, target, reuse = job
    started = time.perf_counter()
    km = _worker_kernel() if reuse else None
    execute(notebook, values, Path(target), log=lambda _: None, km=km)
    return target, time.perf_counter() - started


Progress = Callable[[str, float, int, int], None]
"""Called after each notebook: its output name, its seconds, how many are done, how many in all."""


def execute_all(
    jobs: list[tuple[Run, dict, Path]],
    workers: int,
    log: Callable[[str], None] = print,
    reuse_kernels: bool = True,
    progress: Progress | None = None,
    done_one: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Execute notebooks across a process pool, reporting each as it finishes (and calling
    ``done_one`` with its output name). Fails on the first error (naming the notebook, the cell
    and the error) after cancelling the rest; a stop (KeyboardInterrupt) also ends the running
    ones at once."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    times: dict[str, float] = {}
    total = len(jobs)

    def finished(output: str, seconds: float) -> None:
        times[output] = seconds
        if done_one is not None:
            done_one(output)
        log(f"[{len(times)}/{total}] {output:<26} {seconds:5.1f} s")
        if progress is not None:
            progress(output, seconds, len(times), total)

    if not jobs:
        return times
    if workers <= 1 and not reuse_kernels:  # in this process, a fresh kernel per notebook
        for run, values, target in jobs:
            _, seconds = _execute_job((run.notebook, values, str(target), False))
            finished(run.output, seconds)
        return times
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_start, initargs=(os.getpid(),)
    )
    with pool:
        try:  # submitting starts the workers: a stop may come at any point from here
            futures = {
                pool.submit(_execute_job, (run.notebook, values, str(target), reuse_kernels)): run
                for run, values, target in jobs
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    error = future.exception()
                    if error is not None:
                        raise error
                    finished(futures[future].output, future.result()[1])
        except BaseException as exc:  # a failed notebook, or a stop: start nothing more
            if isinstance(exc, KeyboardInterrupt):  # stopped: end the running notebooks too
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return times


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl-C and SIGHUP are left to the build process, which stops the build;
    SIGTERM (the build stopping its workers, or a signal to the whole group) ends the worker
    and its kernels at once; the build lock's inherited descriptor is closed, so the lock ends
    with the build process alone; and a watcher ends the worker and its kernels as soon as the
    build process is gone, even if it was killed outright (SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: _end_worker())
    if _LOCK_FD is not None:
        try:
            os.close(_LOCK_FD)
        except OSError:
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int, every: float = 0.25) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    _end_worker()


def _end_worker() -> None:
    """Kill this process's children (its kernels, each leading its own process group, with
    anything they started) and exit now."""
    for pid in children(os.getpid()):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    os._exit(1)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def build_book(
    build_dir: Path | None = None,
    log: Callable[[str], None] = print,
    workers: int | None = None,
    fresh: bool = False,
    reuse_kernels: bool = True,
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Validate, execute (in parallel, only what changed), stage, compile, publish. Returns the
    path of index.html; ``timings``, if given, receives the seconds each phase took, and
    ``progress``, if given, is called as each notebook finishes.

    Any failure (bad parameters, missing or altered data, a cell that raises, a Sphinx warning)
    raises before ``<build_dir>/html`` is touched, so the last good book stays as it was.
    """
    from concurrent.futures import ThreadPoolExecutor

    build_dir = build_dir or BUILD
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
        stop_on_signals(),
        buildlog.build_log(build_dir) as book_log,
        build_lock(build_dir / ".lock", log),
    ):
        import chsreport

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
        runs = book_runs()
        checked = {}
        for run in runs:  # every parameter set is checked before any kernel starts
            try:
                checked[run.output] = (run, params.validate(run.notebook, run.values))
            except params.ParameterError as exc:
                raise params.ParameterError(f"{run.origin}: {exc}") from None
        phase("parameters")
        log(f"checking {len(data.load_manifest())} data files against the manifest")
        for name, path in data.verify_all():
            record.info("data %s sha256 %s ok: %s", name, data.entry(name).sha256, path)
        phase("data check")
        executed, jobs, keys, inputs = {}, [], {}, inputs_key()
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
            pages_job = side.submit(generated_pages, build_dir, log, fresh)
            bundle_job = side.submit(vega_bundle, build_dir)
            facts_job = side.submit(cached_facts, build_dir, inputs, fresh)
            targets = {run.output: target for run, _, target in jobs}

            def stamp(output: str) -> None:  # remember what this copy was executed from
                if targets[output].exists():
                    stamp_file = targets[output].with_suffix(".key")
                    stamp_file.write_text(json.dumps(keys[output], indent=1))

            times = execute_all(jobs, workers, log, reuse_kernels, progress, stamp)
            phase("execution")
            pages, bundle, book_facts = pages_job.result(), bundle_job.result(), facts_job.result()
            phase("claims register (beyond execution)")
        if jobs:
            prune_downloads(executed)
        source = build_dir / "stage"
        # the book depends on its sources and also on the package (its Sphinx extension); its
        # pages link their PDFs only when chromium can print them
        printing = pdf.chromium() is not None
        digest = stage(executed, source, pages, bundle, book_facts)
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
        the_edition = edition()
        print_key = pdf.print_key(digest, the_edition)
        if printing and pdf.printed_already(build_dir, print_key, localities):
            log("PDFs unchanged since the last build")
            printing_now = False
        else:
            printing_now = printing
            pdf.forget_printed(build_dir)
        pdf.STOP.clear()
        # briefings print while Sphinx runs; the book's PDF as soon as its pages exist, beside
        # any briefings still printing
        printer = ThreadPoolExecutor(max_workers=2)
        try:
            briefings = (
                printer.submit(pdf.make_briefings, localities, build_dir, log, the_edition)
                if printing_now
                else None
            )
            if not printing:
                log(pdf.HOW_TO_GET_PDFS)
            if unchanged and not fresh and (html_dir / "index.html").exists():
                log("book sources unchanged since the last build: the published book stands")
            else:
                published.unlink(missing_ok=True)
                built = compile_book(source, build_dir / "jb", log)
                phase("Jupyter Book")
            # the book's PDF is printed from the pages Jupyter Book just made (or the last ones)
            book_pdf = (
                printer.submit(pdf.make_book_pdf, built or html_dir, build_dir, log, the_edition)
                if printing_now
                else None
            )
            printed = sum(job.result() for job in (briefings, book_pdf) if job is not None)
            if printing_now:
                pdf.remember_printed(build_dir, print_key)
            phase("PDFs (beyond the book)")
        except BaseException:  # a stop: printing ends after the PDF under way
            pdf.STOP.set()
            printer.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            printer.shutdown(wait=True)
        with not_stopped():  # from here the build finishes, whatever arrives
            if built is not None:
                publish(built, html_dir, {"pdf": build_dir / "pdf"} if printing else None)
                published.write_text(digest)
                book_log.published = True
                record.info("publish: the new book replaced the one in %s", html_dir)
                phase("publishing")
            elif printed:
                sync_tree(build_dir / "pdf", html_dir / "pdf")
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
