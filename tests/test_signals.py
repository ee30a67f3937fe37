"""A build that is stopped (SIGTERM, as a time-out or a closing terminal sends) or killed
outright (SIGKILL) leaves nothing behind: no worker, no kernel, no lock that blocks the next
build, and the published book as it was. Each test starts a real build with two workers and
stops it once both workers run a kernel."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chsreport.publishing import execution

CHSREPORT = Path(sys.executable).with_name("chsreport")


def _stat(pid: int) -> list[str] | None:
    """State, parent, process group, ... of ``pid`` (None once it has gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has finished


def _tree(root: int) -> set[int]:
    """``root``'s descendants."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is not None:
            parents[int(entry.name)] = int(stat[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _group(pgid: int) -> set[int]:
    """Live processes in process group ``pgid``."""
    members = set()
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is not None and int(stat[2]) == pgid and stat[0] not in ("Z", "X"):
            members.add(int(entry.name))
    return members


@pytest.fixture
def running_build(tmp_path):
    """A fresh build executing notebooks, in its own process group; yields (process, build
    folder, its workers and kernels)."""
    build_dir = tmp_path / "build"
    (build_dir / "html").mkdir(parents=True)
    (build_dir / "html" / "index.html").write_text("last good book")
    env = {**os.environ, "CHS_BUILD_DIR": str(build_dir)}
    errors = open(tmp_path / "stderr.txt", "w")  # a file: a pipe could stall or hang the test
    proc = subprocess.Popen(
        [str(CHSREPORT), "build", "--fresh", "--jobs", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,  # its own process group, as a terminal or CI would give it
    )
    proc.said = lambda: (tmp_path / "stderr.txt").read_text()
    deadline, tree = time.monotonic() + 180, set()
    while time.monotonic() < deadline:  # two workers, each with its kernel
        tree = {pid for pid in _tree(proc.pid) if _alive(pid)}
        if len(tree) >= 4:
            break
        assert proc.poll() is None, proc.said()
        time.sleep(0.2)
    assert len(tree) >= 4, "the build never ran two workers with kernels"
    time.sleep(1.0)  # notebooks under way
    lock = (build_dir / ".lock").resolve()
    holders = [pid for pid in _tree(proc.pid) if lock in _open_files(pid)]
    assert holders == [], f"the lock is held by workers or kernels too: {holders}"
    assert lock in _open_files(proc.pid)
    yield proc, build_dir, tree
    for pid in _tree(proc.pid) | tree | {proc.pid}:  # only if a test failed
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    errors.close()


def _open_files(pid: int) -> set[Path]:
    """What ``pid`` has open (its /proc fd links)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            found.add(Path(os.readlink(fd)))
        except OSError:
            continue
    return found


def _nothing_left(proc, tree) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = {pid for pid in tree if _alive(pid)} | _group(proc.pid)
        if not left:
            return
        time.sleep(0.2)
    pytest.fail(f"left running: {sorted(left)}")


def _lock_is_free(build_dir: Path) -> None:
    with open(build_dir / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if anything holds it


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_stops_the_build_like_ctrl_c_and_leaves_nothing(running_build, stop):
    proc, build_dir, tree = running_build
    os.kill(proc.pid, stop)
    assert proc.wait(timeout=90) == 130
    assert "interrupted: nothing was published" in proc.said()
    _nothing_left(proc, tree)
    _lock_is_free(build_dir)
    assert (build_dir / "html" / "index.html").read_text() == "last good book"
    said = []
    with execution.build_lock(build_dir / ".lock", said.append):  # the next build may start
        pass
    assert said == []  # a clean stop leaves no stale lock to report
    log = (build_dir / "logs" / "latest.log").read_text()
    assert f"build interrupted: KeyboardInterrupt: {stop.name}" in log
    assert "publish: nothing was published" in log


def test_sigkill_leaves_no_worker_no_kernel_and_no_blocking_lock(running_build):
    proc, build_dir, tree = running_build
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    _nothing_left(proc, tree)  # workers saw their parent go and ended with their kernels
    _lock_is_free(build_dir)
    assert (build_dir / "html" / "index.html").read_text() == "last good book"
    said = []
    with execution.build_lock(build_dir / ".lock", said.append):  # reported, and ignored
        pass
    assert said and f"pid {proc.pid}" in said[0] and "stale lock" in said[0]
