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
from dataclasses import dataclass
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


def _point_latest(folder: Path, path: Path) -> None:
    """``latest.log`` -> ``path`` (a relative link, replaced in one rename); where links
    cannot be made, no ``latest.log`` rather than a failed build."""
    tmp = folder / f".{LATEST}.{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(path.name)
        tmp.replace(folder / LATEST)
    except OSError:
        tmp.unlink(missing_ok=True)


@dataclass
class BuildLog:
    path: Path
    published: bool = False  # set by the build once the new book is in place


@contextmanager
def build_log(build_dir: Path, keep: int = KEPT):
    """Log this build to a new file under ``<build_dir>/logs`` (named by the UTC time it
    started) for the duration of the block; yields a ``BuildLog``. A failure or a stop is
    logged with what was published."""
    log = logger()
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = None
    try:
        folder = build_dir / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H-%M-%S.%fZ")
        record = BuildLog(folder / f"{stamp}.log")
        handler = logging.FileHandler(record.path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
        log.addHandler(handler)
        _point_latest(folder, record.path)
        _prune(folder, keep)
        yield record
    except BaseException as exc:
        if handler is not None:
            stopped = isinstance(exc, KeyboardInterrupt)
            log.error(
                "build %s: %s%s",
                "interrupted" if stopped else "failed",
                type(exc).__name__,
                f": {exc}" if str(exc) else "",
                exc_info=None if stopped or getattr(exc, "for_users", False) else exc,
            )
            log.info(
                "publish: the new book had been published before the stop"
                if record.published
                else "publish: nothing was published; the last good book is unchanged"
            )
        raise
    finally:
        if handler is not None:
            log.removeHandler(handler)
            handler.close()
