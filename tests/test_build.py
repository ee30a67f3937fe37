"""The build never replaces the last good book when something is wrong, and never runs twice."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
import yaml

from chsreport.analysis import lineage, params
from chsreport.data import manifest
from chsreport.publishing import (
    build,
    buildlog,
    colophon,
    execution,
    notebook_runs,
    paths,
    printer,
    staging,
)
from chsreport.reading import facts

from .conftest import SHARED_DATA


def _markdown_outputs(path) -> str:
    """All Markdown the executed notebook displayed (the computed sentences)."""
    nb = nbformat.read(path, as_version=4)
    return "".join(
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


@pytest.fixture
def last_good_book(tmp_path):
    html = tmp_path / "build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("last good book")
    return tmp_path / "build"


def _tiny_notebook(path, code: str) -> None:
    """A notebook with an ``icb`` parameter cell and one cell of ``code``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("icb = None")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


def _assert_untouched(build_dir):
    assert (build_dir / "html" / "index.html").read_text() == "last good book"
    assert not (build_dir / "html.new").exists()


@pytest.mark.parametrize(
    ("chapter", "key", "value", "message"),
    [
        ("consolidation", "icb", "XYZ", "icb: unknown ICB code"),
        (
            "scale",
            "neighbourhood_max",
            "lots",
            "neighbourhood_max: Input should be a valid integer",
        ),
        ("consolidation", "end_year", 2040, "end_year: year 2040 is outside the data"),
        ("scale", "population_year", 2030, "population_year 2030 is not in the data"),
    ],
)
def test_a_bad_parameter_file_stops_the_build(
    last_good_book, tmp_path, monkeypatch, chapter, key, value, message
):
    """A user edits a book parameter file: the build names the file, the parameter and what is
    wrong, before any kernel starts, and the last good book stays."""
    folder = tmp_path / "params"
    shutil.copytree(paths.PARAMS, folder)
    values = yaml.safe_load((folder / f"{chapter}.yml").read_text())
    values[key] = value
    (folder / f"{chapter}.yml").write_text(yaml.safe_dump(values))
    monkeypatch.setattr(paths, "PARAMS", folder)
    monkeypatch.setattr(execution, "execute", lambda *a, **k: pytest.fail("a kernel was started"))
    with pytest.raises(params.ParameterError) as err:
        build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    assert str(err.value).startswith(f"{chapter}.yml: invalid parameters for {chapter}")
    assert message in str(err.value)
    _assert_untouched(last_good_book)


def test_html_in_the_data_is_shown_as_text_in_the_built_book(
    last_good_book, altered_release, monkeypatch
):
    """A trust name in the data holding a script tag: the built pages show it as text."""
    altered_release(
        "ods_etr_2026_07",
        lambda text: text.replace(
            '"RY2","BRIDGEWATER COMMUNITY',
            '"RY2","BRIDGEWATER <SCRIPT>ALERT(1)</SCRIPT> COMMUNITY',
        ),
    )
    chapters = [r for r in notebook_runs.book_runs() if not r.output.startswith("localities/")]
    monkeypatch.setattr(notebook_runs, "book_runs", lambda: chapters)
    index = build.build_book(last_good_book, log=lambda _: None)
    page = (index.parent / "notebooks" / "consolidation.html").read_text(encoding="utf-8")
    assert "Bridgewater &lt;Script&gt;Alert(1)&lt;/Script&gt; Community" in page
    assert "<script>alert" not in page.lower()
    # the name also travels in each chart's JSON spec, where "<" is written \u003c
    specs = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, flags=re.S)
    assert any("alert(1)" in spec.lower() for spec in specs)
    assert not [spec for spec in specs if "<" in spec]


def test_tampered_file_stops_the_build(last_good_book, tmp_path, monkeypatch):
    item = manifest.entry("ods_succ_2026_05")
    copy = tmp_path / "data" / item.path
    copy.parent.mkdir(parents=True)
    copy.write_bytes((SHARED_DATA / item.path).read_bytes() + b"\n")
    monkeypatch.setenv(manifest.DATA_DIR_ENV, str(tmp_path / "data"))
    with pytest.raises(manifest.ChecksumError, match="ods_succ_2026_05"):
        build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    _assert_untouched(last_good_book)


def test_missing_file_stops_the_build(last_good_book, manifest_copy):
    raw = yaml.safe_load(manifest_copy.read_text())
    raw["files"][-1]["path"] = "orgs/missing.zip"
    manifest_copy.write_text(yaml.safe_dump(raw))
    with pytest.raises(manifest.MissingDataError, match="orgs/missing.zip"):
        build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    _assert_untouched(last_good_book)


def test_renamed_column_fails_in_the_notebook_and_names_the_cell(last_good_book, altered_release):
    altered_release(  # a changed split-flag column
        "ods_succ_2026_05", lambda text: text.replace('","0"\n', '","maybe"\n', 1)
    )
    with pytest.raises(paths.BuildError) as err:
        build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    message = str(err.value)
    assert "consolidation.ipynb failed in cell" in message
    assert "SchemaError" in message and "split flag" in message
    _assert_untouched(last_good_book)


def test_failed_compile_keeps_the_last_good_book(last_good_book, monkeypatch):
    monkeypatch.setattr(execution, "execute", lambda nb, v, out, log, km=None: out)

    def broken(*args, **kwargs):
        raise paths.BuildError("Jupyter Book failed")

    monkeypatch.setattr(
        staging, "stage", lambda executed, target, pages=None, bundle=b"", book_facts=None: "new"
    )
    monkeypatch.setattr(staging, "generated_pages", lambda build_dir, log, fresh=False: {})
    monkeypatch.setattr(staging, "compile_book", broken)
    with pytest.raises(paths.BuildError, match="Jupyter Book failed"):
        build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    _assert_untouched(last_good_book)


def test_publish_swaps_whole_folders(tmp_path):
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text("new")
    target = tmp_path / "html"
    target.mkdir()
    (target / "index.html").write_text("old")
    (target / "stale.html").write_text("stale")
    staging.publish(built, target)
    assert (target / "index.html").read_text() == "new"
    assert not (target / "stale.html").exists()


def test_second_build_is_refused_while_the_first_holds_the_lock(last_good_book, monkeypatch):
    monkeypatch.setattr(execution, "execute", lambda *a, **k: pytest.fail("a kernel was started"))
    with execution.build_lock(last_good_book / ".lock"):  # a first build is running
        with pytest.raises(paths.BuildError) as err:
            build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
    assert "another build is running (pid " in str(err.value)
    assert "wait for it to finish" in str(err.value)
    _assert_untouched(last_good_book)
    with execution.build_lock(last_good_book / ".lock"):  # released afterwards
        pass


def test_injected_parameters_cell_is_hidden(tmp_path):
    out = execution.execute(
        "consolidation",
        params.validate("consolidation", {"icb": "QYG"}),
        tmp_path / "c.ipynb",
        log=lambda _: None,
    )
    nb = nbformat.read(out, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "remove-cell" in injected[0].metadata["tags"]
    text = _markdown_outputs(out)
    # the chapter leads with the chosen ICB and names each of its community trusts with its fate
    # (which trusts and fates those are on the real data: a regression value, test_regression.py;
    # read from the notebook alone, as this process may hold another test's altered data)
    assert "NHS Cheshire and Merseyside Integrated Care Board is home to" in text
    head = re.search(r"is home to .+?, and (\d+) standalone community trusts? since 2011: ", text)
    fates = "|".join(re.escape(label.lower()) for label in lineage.FATES.values())
    trust = rf"R[A-Z0-9]{{2}} [^;]+?, (?:{fates})"
    n = int(head.group(1))
    assert n > 0 and re.match(rf"{trust}(?:; {trust}){{{n - 1}}}\.", text[head.end() :])


def test_scale_chapter_for_one_icb_and_band(tmp_path):
    values = params.validate("scale", {"icb": "QE1", "neighbourhood_max": 70000})
    out = execution.execute("scale", values, tmp_path / "s.ipynb", log=lambda _: None)
    text = _markdown_outputs(out)
    assert "NHS Lancashire and South Cumbria Integrated Care Board has" in text
    assert "neighbourhoods of 70,000 to 30,000 people" in text
    assert (tmp_path / "downloads").is_dir()  # chart data written beside the notebook


def test_run_key_changes_with_parameters_and_sources():
    key = build.run_key("scale", {"icb": None})
    assert key == build.run_key("scale", {"icb": None})
    assert key != build.run_key("scale", {"icb": "QE1"})
    assert key != build.run_key("consolidation", {"icb": None})


def test_two_executions_give_identical_outputs(tmp_path):
    """Determinism: the same inputs give byte-identical cell outputs (ids included)."""
    values = params.validate("consolidation", {"icb": "QYG"})
    first = execution.execute(
        "consolidation", values, tmp_path / "a" / "c.ipynb", log=lambda _: None
    )
    second = execution.execute(
        "consolidation", values, tmp_path / "b" / "c.ipynb", log=lambda _: None
    )

    def outputs(path):
        nb = nbformat.read(path, as_version=4)
        return [c.get("outputs") for c in nb.cells if c.cell_type == "code"]

    assert outputs(first) == outputs(second)


@pytest.mark.parametrize(
    ("workers", "reuse"), [(1, False), (2, True)], ids=["fresh kernel", "reused kernels"]
)
def test_a_cell_that_raises_names_notebook_cell_and_error(
    last_good_book, tmp_path, monkeypatch, workers, reuse
):
    notebooks = tmp_path / "notebooks"
    _tiny_notebook(notebooks / "consolidation.ipynb", "raise ValueError('broken chart')")
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    runs = [notebook_runs.Run("consolidation", {}, "consolidation", "test")]
    monkeypatch.setattr(notebook_runs, "book_runs", lambda: runs)
    with pytest.raises(paths.BuildError) as err:
        build.build_book(last_good_book, log=lambda _: None, workers=workers, reuse_kernels=reuse)
    message = str(err.value)
    assert "consolidation.ipynb failed in cell" in message
    assert "ValueError: broken chart" in message
    assert "failed in cell 3 (cell index 2)" in message  # the same with or without reset cell
    _assert_untouched(last_good_book)
    log = (last_good_book / "logs" / "latest.log").read_text(encoding="utf-8")
    assert "build failed: BuildError: notebook consolidation.ipynb failed in cell 3" in log


def test_only_linked_downloads_are_kept_and_published(tmp_path):
    folder = tmp_path / "executed"
    (folder / "downloads").mkdir(parents=True)
    for name in ("aaaaaaaaaa-x.csv", "bbbbbbbbbb-old.csv", "0123456789ab-chart-data.json"):
        (folder / "downloads" / name).write_text("a\n1\n")
    page = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<a href="downloads/aaaaaaaaaa-x.csv">x</a>'}
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": '{"chs_lazy":{"d":"downloads/0123456789ab-chart-data.json"}}'},
        ),
    ]
    page.cells = [cell]
    nbformat.write(page, folder / "page.ipynb")
    executed = {"page": folder / "page.ipynb"}
    assert staging.referenced_downloads(folder / "page.ipynb") == [
        "0123456789ab-chart-data.json",
        "aaaaaaaaaa-x.csv",
    ]
    files = staging.source_files(executed, {}, b"")
    assert "_extra/notebooks/downloads/aaaaaaaaaa-x.csv" in files
    assert "_extra/notebooks/downloads/0123456789ab-chart-data.json" in files
    assert not any("bbbbbbbbbb" in name for name in files)
    assert staging.prune_downloads(executed) == 1
    assert sorted(f.name for f in (folder / "downloads").iterdir()) == [
        "0123456789ab-chart-data.json",
        "aaaaaaaaaa-x.csv",
    ]


def test_stage_rewrites_only_changed_files_and_removes_stale_ones(tmp_path):
    executed = {}
    target = tmp_path / "stage"
    first = staging.stage(executed, target, {"book/claims.md": "# one\n"}, b"bundle")
    intro = target / "book" / "intro.md"
    stamp = intro.stat().st_mtime_ns
    (target / "book" / "stale.md").write_text("gone")
    again = staging.stage(executed, target, {"book/claims.md": "# one\n"}, b"bundle")
    assert again == first and intro.stat().st_mtime_ns == stamp
    assert not (target / "book" / "stale.md").exists()
    changed = staging.stage(executed, target, {"book/claims.md": "# two\n"}, b"bundle")
    assert changed != first and (target / "book" / "claims.md").read_text() == "# two\n"


def test_no_op_rebuild_leaves_the_published_book_alone(tmp_path, monkeypatch):
    runs = [notebook_runs.Run("consolidation", {"icb": "QYG"}, "consolidation", "test")]
    monkeypatch.setattr(notebook_runs, "book_runs", lambda: runs)
    monkeypatch.setattr(staging, "generated_pages", lambda build_dir, log, fresh=False: {})
    monkeypatch.setattr(printer, "chromium", lambda: None)  # PDFs are tested in test_pdf
    compiled = []

    def fake_compile(source, out, log):
        compiled.append(source)
        html = out / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text("book")
        return html

    monkeypatch.setattr(staging, "compile_book", fake_compile)
    messages = []
    build.build_book(tmp_path, log=messages.append, workers=1, reuse_kernels=False)
    build.build_book(tmp_path, log=messages.append, workers=1, reuse_kernels=False)
    assert len(compiled) == 1
    assert "executing 0 of 1 notebooks" in " ".join(messages)
    assert any("unchanged since the last build" in m for m in messages)
    # without chromium the HTML book is built and one line says how to get the PDFs
    assert printer.HOW_TO_GET_PDFS in messages
    build.build_book(tmp_path, log=messages.append, workers=1, fresh=True, reuse_kernels=False)
    assert len(compiled) == 2  # --fresh compiles again


def test_progress_names_each_notebook_with_its_count(monkeypatch, tmp_path):
    monkeypatch.setattr(execution, "_execute_job", lambda job: (job[2], 0.5))
    jobs = [
        (
            notebook_runs.Run("locality", {"icb": code}, f"localities/{code}", "t"),
            {},
            tmp_path / code,
        )
        for code in ("QE1", "QYG")
    ]
    lines, calls = [], []
    times = execution.execute_all(
        jobs,
        workers=1,
        log=lines.append,
        reuse_kernels=False,
        progress=lambda *args: calls.append(args),
    )
    assert times == {"localities/QE1": 0.5, "localities/QYG": 0.5}
    assert calls == [("localities/QE1", 0.5, 1, 2), ("localities/QYG", 0.5, 2, 2)]
    assert lines[0].startswith("[1/2] localities/QE1") and lines[0].endswith("0.5 s")


def test_a_kernel_that_dies_at_start_is_replaced(monkeypatch):
    """Two workers starting kernels at once can race for a port; the kernel that loses dies at
    start. The worker starts another instead of failing the build."""
    import jupyter_client.manager

    started, stopped = [], []

    class FakeKernel:
        def __init__(self, kernel_name):
            self.client_factory = None
            started.append(self)

        def start_kernel(self, **kwargs):
            pass

        def is_alive(self):
            return True

        def shutdown_kernel(self, now=False):
            stopped.append(self)

    answers = iter([False, True])
    monkeypatch.setattr(jupyter_client.manager, "KernelManager", FakeKernel)
    monkeypatch.setattr(execution, "_answers", lambda km: next(answers))
    monkeypatch.setattr(execution, "_WORKER_KERNEL", None)
    monkeypatch.setattr("atexit.register", lambda *a, **k: None)
    kernel = execution._worker_kernel()
    assert len(started) == 2 and stopped == [started[0]] and kernel is started[1]


def test_the_build_log_records_what_was_re_executed_what_was_reused_and_why(
    last_good_book, tmp_path, monkeypatch
):
    notebooks = tmp_path / "notebooks"
    for name in ("consolidation", "scale"):
        _tiny_notebook(notebooks / f"{name}.ipynb", "print(icb)")
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(staging, "generated_pages", lambda *a, **k: {})

    class Staged(Exception):
        pass

    def stop_at_staging(*_args, **_kwargs):  # the log's notebook lines are written by then
        raise Staged("stopped at staging")

    monkeypatch.setattr(staging, "stage", stop_at_staging)

    def run(scale_icb):
        runs = [
            notebook_runs.Run("consolidation", {}, "consolidation", "test"),
            notebook_runs.Run("scale", {"icb": scale_icb}, "scale", "test"),
        ]
        monkeypatch.setattr(notebook_runs, "book_runs", lambda: runs)
        with pytest.raises(Staged):
            build.build_book(last_good_book, log=lambda _: None, workers=1, reuse_kernels=False)
        return (last_good_book / "logs" / "latest.log").read_text(encoding="utf-8")

    first = run(None)
    assert first.count(": re-executed: no executed copy yet") == 2
    second = run("QE1")  # one parameter changed
    assert re.search(r"notebook consolidation \(consolidation\.ipynb, \{.*\}\): reused", second)
    assert re.search(
        r'notebook scale \(scale\.ipynb, \{.*"icb": "QE1".*\}\): re-executed: its parameters '
        "changed",
        second,
    )
    assert "[1/1] scale" in second  # its time
    assert "data ods_succ_2026_05 sha256 " + manifest.entry("ods_succ_2026_05").sha256 in second
    assert second.splitlines()[0].split(" INFO    ")[1].startswith("chsreport ")
    assert "build failed: Staged: stopped at staging" in second
    assert "publish: nothing was published" in second
    logs = sorted((last_good_book / "logs").glob("*.log"))
    assert len([p for p in logs if not p.is_symlink()]) == 2


def test_only_the_last_20_build_logs_are_kept(tmp_path):

    for _ in range(buildlog.KEPT + 3):
        with buildlog.build_log(tmp_path):
            buildlog.logger().info("a build")
    kept = [p for p in (tmp_path / "logs").glob("*.log") if not p.is_symlink()]
    assert len(kept) == buildlog.KEPT
    latest = (tmp_path / "logs" / buildlog.LATEST).resolve()
    assert latest == max(kept) and "a build" in latest.read_text()


def test_a_source_address_with_a_note_still_makes_a_link():
    assert colophon.source_link("https://a.org/x") == "[original](https://a.org/x)"
    assert colophon.source_link("https://a.org/ (Boundaries EN BSC)") == (
        "[original](https://a.org/) (Boundaries EN BSC)"
    )
    for item in manifest.load_manifest().values():  # every address in the manifest makes a link
        assert " " not in colophon.source_link(item.url).split("](", 1)[1].split(")", 1)[0]


def test_the_inputs_key_covers_the_package_templates_not_only_its_modules():
    names = {name.as_posix() for name in staging.package_files()}
    assert "publishing/build.py" in names and "publishing/templates/theme-switcher.html" in names
    assert not any("__pycache__" in name for name in names)


def test_files_sphinx_copies_as_they_are_match_the_staged_ones(tmp_path):
    """Sphinx copies downloads and static files only when it writes a page; after every
    compile the built folder holds exactly the staged downloads and the staged static files."""
    source, html = tmp_path / "stage", tmp_path / "html"
    downloads = source / "_extra" / "notebooks" / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "aaaaaaaaaa-x.csv").write_text("a\n1\n")
    (source / "_static").mkdir()
    (source / "_static" / "chs.css").write_text("new")
    (html / "notebooks" / "downloads").mkdir(parents=True)
    (html / "notebooks" / "downloads" / "bbbbbbbbbb-old.csv").write_text("a\n0\n")
    (html / "_static").mkdir()
    (html / "_static" / "chs.css").write_text("old")
    (html / "_static" / "theme.css").write_text("the theme's")
    staging.copy_verbatim_files(source, html)
    assert [p.name for p in (html / "notebooks" / "downloads").iterdir()] == ["aaaaaaaaaa-x.csv"]
    assert (html / "_static" / "chs.css").read_text() == "new"
    assert (html / "_static" / "theme.css").read_text() == "the theme's"


def test_the_book_facts_are_worked_out_once_per_set_of_inputs(tmp_path, monkeypatch):

    calls = []
    monkeypatch.setattr(facts, "book_facts", lambda: calls.append(1) or {"lists_month": "x"})
    assert staging.cached_facts(tmp_path, "key-a") == {"lists_month": "x"}
    assert staging.cached_facts(tmp_path, "key-a") == {"lists_month": "x"} and len(calls) == 1
    staging.cached_facts(tmp_path, "key-b")  # the data, tables or package changed
    staging.cached_facts(tmp_path, "key-b", fresh=True)
    assert len(calls) == 3
