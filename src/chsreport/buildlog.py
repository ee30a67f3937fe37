"""The build log: every build writes ``<build>/logs/<timestamp>.log`` (and points
``logs/latest.log`` at it) with what a reviewer needs once the terminal is gone: the package
version, each data file's sha256 as checked, each notebook with its parameters, whether it was
re-executed or reused and why, its time, any error with the failing cell, and the publish
decision. The standard ``logging`` module writes it; the terminal keeps its own progress lines.
The last ``KEPT`` logs are kept."""

from __future__ import annotations

import datetime
import logging
import os
from contextlib import contextmanager
from pathlib import Path

KEPT = 20
LOGGER = "chsreport.build"
LATEST = "latest.log"


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER)


def _prune(folder: Path, keep: int) -> None:
    logs = sorted(p for p in folder.glob("*.log") if p.name != LATEST and not p.is_symlink())
    for old in logs[:-keep] if keep else logs:
        old.unlink(missing_ok=True)


@contextmanager
def build_log(build_dir: Path, keep: int = KEPT):
    """Log this build to a new file under ``<build_dir>/logs`` for the duration of the block;
    yields the file's path."""
    folder = build_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H-%M-%S.%f")
    path = folder / f"{stamp}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    log = logger()
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    latest = folder / LATEST
    tmp = folder / f".{LATEST}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(path.name)
    tmp.replace(latest)
    _prune(folder, keep)
    try:
        yield path
    except BaseException as exc:
        kind = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        log.error("build %s: %s%s", kind, type(exc).__name__, f": {exc}" if str(exc) else "")
        log.info("publish: nothing was published; the last good book is unchanged")
        raise
    finally:
        log.removeHandler(handler)
        handler.close()
