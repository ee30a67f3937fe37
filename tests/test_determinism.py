"""Two clean builds from the same inputs give the same book.

Build A executes the notebooks the way ``make book`` does (two workers, each reusing one
kernel); build B gives every notebook a fresh kernel, in a fresh Python process (so nothing a
process keeps, no cache or counter, can make the two agree). Every file of the two books must be
byte-identical, except the documented volatile bits below, which exist only in the downloadable
copies of the executed notebooks (``_sources/**/*.ipynb``) and never in a page:

- each cell's ``metadata.execution`` (the kernel's timestamps for that cell);
- each cell's ``metadata.papermill`` (start time, end time, duration, status);
- the notebook's ``metadata.papermill`` start time, end time and duration.

Nothing is masked in HTML, JavaScript, CSS, the search index or the CSV downloads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chsreport.publishing import build

pytestmark = pytest.mark.determinism

VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration")


def _without_timings(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("papermill", None)
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb["metadata"].get("papermill", {}).pop(key, None)
    return nb


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_books(tmp_path_factory):
    quiet = lambda _: None  # noqa: E731
    first = build.build_book(tmp_path_factory.mktemp("a"), log=quiet, fresh=True)
    second = tmp_path_factory.mktemp("b")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from chsreport.publishing import build; "
            "build.build_book(Path(sys.argv[1]), log=lambda _: None, fresh=True, "
            "reuse_kernels=False)",
            str(second),
        ],
        check=True,
    )
    return first.parent, second / "html"


def test_two_clean_builds_hold_the_same_files(two_books):
    first, second = two_books
    assert sorted(_files(first)) == sorted(_files(second))


def test_two_clean_builds_give_identical_pages(two_books):
    first, second = two_books
    other = _files(second)
    differing = []
    for name, path in _files(first).items():
        if path.read_bytes() == other[name].read_bytes():
            continue
        if name.startswith("_sources/") and name.endswith(".ipynb"):
            if _without_timings(path) == _without_timings(other[name]):
                continue
        differing.append(name)
    assert not differing, f"differ between two clean builds: {differing[:10]}"


def test_the_volatile_bits_are_only_timings(two_books):
    """The masking above is not hiding anything else: one executed notebook, unmasked, differs
    from its twin only in those keys."""
    first, second = two_books
    name = "_sources/notebooks/consolidation.ipynb"
    a = json.loads((first / name).read_text(encoding="utf-8"))
    b = json.loads((second / name).read_text(encoding="utf-8"))
    assert [c["source"] for c in a["cells"]] == [c["source"] for c in b["cells"]]
    assert [c.get("outputs") for c in a["cells"]] == [c.get("outputs") for c in b["cells"]]
    assert [c["id"] for c in a["cells"]] == [c["id"] for c in b["cells"]]
