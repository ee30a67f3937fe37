"""Users build many times: after every build in a sequence of builds, every local link and
asset of every published page resolves, and a changed static file is published.

The sequence is the one that broke the book (issue 21): a build, then builds in which nothing
but something other than a page changed (PDFs no longer or newly possible, a static file), so
Sphinx found no page out of date and returned before copying the downloads and static files.
Then one parameter changed. Slow (a whole build first), so it runs with the determinism tests.
A static file or package change makes Jupyter Book compile from scratch (``staging.scratch_key``);
PDFs becoming possible or impossible do not, and are the case Sphinx leaves untouched.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from chsreport.publishing import build, paths, printer, staging
from chsreport.reading import locality

from .links import broken_links

pytestmark = pytest.mark.determinism

MARKER = "_static/chs-sequence-test.css"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sequence")


def _build(build_dir, monkeypatch, static: bytes | None = None, printing: bool = True):
    """One ``build_book`` into ``build_dir``; ``static``: the content of an extra static file
    staged with the book (None: no such file); ``printing``: whether chromium is visible."""
    stage_files = staging.source_files

    def with_marker(*args, **kwargs):
        files = stage_files(*args, **kwargs)
        if static is not None:
            files[MARKER] = static
        return files

    monkeypatch.setattr(staging, "source_files", with_marker)
    if not printing:
        monkeypatch.setattr(printer, "chromium", lambda: None)
    messages: list[str] = []
    try:
        index = build.build_book(build_dir, log=messages.append)
    finally:
        monkeypatch.undo()
    return index.parent, messages


def _pages_written(build_dir) -> int:
    """When Jupyter Book last wrote the pages (Sphinx leaves them alone when none is out of
    date, and then used to copy no downloads and no static files either)."""
    return (build_dir / "jb" / "_build" / "html" / "index.html").stat().st_mtime_ns


def _assert_whole(html):
    broken = broken_links(html)
    assert not broken, f"{len(broken)} broken local links, first: " + "; ".join(broken[:5])


def test_every_build_in_a_sequence_publishes_every_file_its_pages_need(build_dir, tmp_path):

    mp = pytest.MonkeyPatch()
    can_print = printer.chromium() is not None
    html, _ = _build(build_dir, mp, printing=False)
    _assert_whole(html)
    assert not (html / "pdf").exists()

    html, messages = _build(build_dir, mp, printing=False)  # no-op
    assert any("the published book stands" in m for m in messages)
    _assert_whole(html)

    if can_print:  # PDFs become possible: the book is compiled again with no page out of date
        written = _pages_written(build_dir)
        html, _ = _build(build_dir, mp)
        assert _pages_written(build_dir) == written  # the case that lost the downloads
        _assert_whole(html)
        assert (html / "pdf" / "book.pdf").is_file()
        briefings = list((html / "pdf" / "briefings").glob("*.pdf"))
        assert len(briefings) == len(locality.localities())
        html, _ = _build(build_dir, mp, printing=False)  # and impossible again
        _assert_whole(html)
        assert "briefings/" not in (html / "notebooks" / "localities" / "QE1.html").read_text()

    for content in (b"/* first */\n", b"/* second */\n"):  # a static file new, then changed
        html, _ = _build(build_dir, mp, static=content, printing=False)
        _assert_whole(html)
        assert (html / MARKER).read_bytes() == content

    params = tmp_path / "params"  # one parameter changed: one chapter executed again
    shutil.copytree(paths.PARAMS, params)
    values = yaml.safe_load((params / "scale.yml").read_text())
    values["neighbourhood_max"] = values["neighbourhood_max"] + 10_000
    (params / "scale.yml").write_text(yaml.safe_dump(values))
    mp.setattr(paths, "PARAMS", params)
    html, messages = _build(build_dir, mp, printing=False)
    assert any("executing 1 of" in m for m in messages)
    _assert_whole(html)
