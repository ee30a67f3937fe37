"""Executing the notebooks with papermill: one kernel per worker process reused between notebooks
(reset between them by a tagged cell), progress, the build lock, and stopping cleanly on a
signal.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import nbformat

from chsreport.analysis import params
from chsreport.publishing import notebook_runs, paths
from chsreport.reading import text

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
        where = source.relative_to(paths.ROOT) if source.is_relative_to(paths.ROOT) else source
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
import os as _os
import chsreport.reading.charts as _charts
_charts.restart_ids()
_os.chdir({cwd!r})
get_ipython().execution_count = 1
del _os, _charts
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
    source = paths.NOTEBOOKS / f"{notebook}.ipynb"
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
        raise paths.BuildError(
            f"notebook {source.name} failed in cell {exc.exec_count} "
            f"(cell index {exc.cell_index - first_cell + 1}): {exc.ename}: {exc.evalue}\n"
            f"  the cell begins: {_first_line(exc.source)}\n"
            f"The partly executed copy is {partial}."
        ) from None
    finally:
        if executed_from != source:
            executed_from.unlink(missing_ok=True)
    _finish_notebook(partial, notebook_runs.page_title(notebook, checked), source)
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
        raise paths.BuildError(
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


def die_with_parent() -> None:
    """In a child about to start (Jupyter Book): end it if the build process ends, even when
    killed outright, so it never writes into a folder the next build is using (Linux)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


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
            km.start_kernel(cwd=str(paths.ROOT), extra_arguments=["--HistoryManager.enabled=False"])
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
    jobs: list[tuple[notebook_runs.Run, dict, Path]],
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
