"""Staging the book's source tree: the executed notebooks, the generated pages (data, claims,
findings, localities), the shared Vega bundle and map geometry, and the Jupyter Book run that
compiles it; publishing the result only when it succeeded.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from chsreport import vocabulary
from chsreport.data import boundaries, manifest
from chsreport.publishing import colophon, execution, paths, printer
from chsreport.reading import (
    charts,
    claims,
    claims_page,
    facts,
    findings,
    locality,
    policy,
    text,
)

PACKAGE = Path(__file__).resolve().parents[1]  # src/chsreport

COMPILED_TABLES = {  # the hand-compiled tables, in words (each row carries its source)
    "article_cases.yml": "The places the source articles name, and what the articles say of them",
    "claims.yml": "The claims the book tests: each quoted from its article, with its rule",
    "community_areas.csv": "The main adult community provider in each council, dated, with a "
    "source on every row",
    "data_gaps.yml": "The data the book lacks (below)",
    "group_models.csv": "Arrangements between a community trust and another organisation short of "
    "a merger (shared chair, chief executive or board), stage by stage, dated, with a source on "
    "every row",
    "aft_first_wave.csv": "The trusts NHS England named for the first wave of advanced foundation "
    "trusts (12 November 2025)",
    "icb_proposals.csv": "Further ICB mergers proposed for 2027, each with its source and status",
    "trust_types.csv": "Trust types where the published sources are silent or disagree",
}


def data_page() -> str:
    """The provenance page: every held input with publisher, period, licence and hash."""
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
    users = colophon.chapter_inputs()
    held = manifest.load_manifest().values()
    for item in held:
        used = ", ".join(ch for ch, names in users.items() if item.name in names) or (
            "maps" if item.path.startswith("boundaries/") else "kept for checks; no chapter yet"
        )
        cells = [item.description, item.publisher, vocabulary.months_in_words(item.period), used]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += ["", "## Each file: what it holds, licence, quality and hash", ""]
    for item in held:
        quality = f"{item.quality.upper()}: {item.quality_note}" if item.quality else "not rated"
        lines.append(
            f"- **{item.description}** ({item.publisher}). File `{item.path}`; {item.licence}; "
            f"{colophon.source_link(item.url)}. Quality: {quality}. sha256 `{item.sha256}`."
        )
    lines += [
        "",
        "## Tables compiled by hand",
        "",
        "Small tables we compiled where the data lack a fact; every row carries its source.",
        "",
    ]
    for path in sorted((paths.ROOT / "data" / "compiled").glob("*")):
        lines.append(f"- {COMPILED_TABLES.get(path.name, path.name)}")
    gaps = yaml.safe_load((paths.ROOT / "data" / "compiled" / "data_gaps.yml").read_text())["gaps"]
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
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
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


def config_with_footer(book_facts: dict[str, str] | None = None) -> bytes:
    """_config.yml with the edition line (version, build date, data vintage, licence) as the
    footer of every page, and the facts the hand-written pages state (``book_facts``; worked
    out by ``facts.book_facts`` when not given)."""

    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    # the counts, periods and settings the hand-written pages state, as MyST substitutions
    config.setdefault("parse", {})["myst_substitutions"] = book_facts or facts.book_facts()
    e = colophon.edition()
    config.setdefault("html", {})["extra_footer"] = (
        f'<p class="chs-edition">Version {e["version"]}, built {e["built"]} from public data to '
        f"{e['data_to']}. {vocabulary.LICENCE}</p>"
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
        toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files["_toc.yml"] = yaml.safe_dump(toc, sort_keys=False).encode()
    for folder in ("book", "_static"):
        for path in sorted((paths.ROOT / folder).rglob("*")):
            if path.is_file() and not stray(path):
                files[path.relative_to(paths.ROOT).as_posix()] = path
    files["_static/vega-bundle.js"] = bundle

    for layer in boundaries.LAYERS:
        files[f"_static/maps/{layer}.json"] = boundaries.geometry_json(layer)
    for name, markdown in {"book/data.md": data_page(), **pages}.items():
        files[name] = text.inert(markdown).encode("utf-8")  # names from the data stay text
    for output, path in executed.items():
        files[f"notebooks/{output}.ipynb"] = path
        # chart and table downloads, written beside each executed notebook, published as-is
        published = Path("_extra") / "notebooks" / Path(output).parent / charts.DOWNLOADS
        for name in referenced_downloads(path):
            source = path.parent / charts.DOWNLOADS / name
            if not source.is_file():
                raise paths.BuildError(f"{path.name} links to {name}, missing from {source.parent}")
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
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=execution.die_with_parent
    )
    if done.returncode != 0:
        # with --keep-going Sphinx saved its pages: a next run would find nothing out of date
        # and pass without the warnings, so the next build starts from scratch
        contents.unlink(missing_ok=True)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise paths.BuildError(f"Jupyter Book failed (exit {done.returncode}):\n{tail}")
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
    add_package_files(digest)
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
        printer.drop_missing_pdf_links(page)
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
        "book/claims.md": claims_page.page(register),
        "book/findings.md": findings.page(
            findings.key_findings(register), findings.answers(register)
        ),
        "book/localities/index.md": locality.index_page(),
        "book/policy.md": policy.page(),
    }
    cached.write_text(json.dumps(pages), encoding="utf-8")
    stamp.write_text(key)
    return pages


def cached_facts(build_dir: Path, inputs: str, fresh: bool = False) -> dict[str, str]:
    """``facts.book_facts``, kept in the build folder with the ``inputs_key`` they were worked
    out from (they read the data: over a second), so a build whose data, compiled tables and
    package are unchanged does not work them out again."""

    cached, stamp = build_dir / "book-facts.json", build_dir / "book-facts.key"
    if not fresh and cached.exists() and stamp.exists() and stamp.read_text() == inputs:
        return json.loads(cached.read_text(encoding="utf-8"))
    stamp.unlink(missing_ok=True)
    value = facts.book_facts()
    build_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(value), encoding="utf-8")
    stamp.write_text(inputs)
    return value


def stray(path: Path) -> bool:
    """A file no page depends on: compiled Python, an editor's swap or backup file, a dotfile."""
    return path.suffix == ".pyc" or path.name.startswith(".") or path.name.endswith("~")


def package_files() -> list[Path]:
    """Every file of the package a page can depend on: its modules and also its templates and
    any other data files (compiled Python caches left out), relative to the package folder."""
    return [
        path.relative_to(PACKAGE)
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and not stray(path)
    ]


def add_package_files(digest) -> None:
    """Feed every package file's name and bytes to ``digest`` (a hashlib object)."""
    for name in package_files():
        digest.update(name.as_posix().encode() + b"\0" + (PACKAGE / name).read_bytes())


def inputs_key() -> str:
    """A digest of what every page depends on besides its own notebook: the sha256 of each input
    in the manifest, the compiled tables and the package's own source."""
    digest = hashlib.sha256()
    for item in manifest.load_manifest().values():
        digest.update(item.sha256.encode())
    for path in sorted((paths.ROOT / "data" / "compiled").glob("*")):
        digest.update(path.read_bytes())
    add_package_files(digest)
    return digest.hexdigest()
