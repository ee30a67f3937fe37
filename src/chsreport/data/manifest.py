"""Finding, verifying and caching the raw public data files listed in ``data/manifest.yml``.

Every raw file is looked up, in order, in ``$CHS_DATA_DIR``, in ``../shared/data`` beside the
project, and finally downloaded (pooch) from the manifest's ``download_url`` into a cache.  Its
sha256 is checked before anything parses it.  Loaders in the topic modules (``chsreport.data.ods``…)
parse a verified file through :func:`cached_frame`, which keeps the parsed frame as parquet keyed
by the file's sha256, so a second load is fast and a changed file is never served stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import yaml

from chsreport import vocabulary

DATA_DIR_ENV = "CHS_DATA_DIR"
CACHE_DIR_ENV = "CHS_CACHE_DIR"
MANIFEST_ENV = "CHS_MANIFEST"
OFFLINE_ENV = "CHS_OFFLINE"

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class DataError(RuntimeError):
    """A problem with an input file that the user can act on; the message says how, and
    ``line`` says it in one line (for a list of problems)."""

    for_users = True  # the message is the whole story: no traceback in the build log

    def __init__(self, message: str, line: str | None = None):
        super().__init__(message)
        self.line = line or message.splitlines()[0]


class DataProblems(DataError):
    """Every problem ``verify_all`` found, one line each with its fix."""


class MissingDataError(DataError):
    pass


class ChecksumError(DataError):
    pass


class SchemaError(DataError):
    pass


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    path: str
    sha256: str
    publisher: str
    licence: str
    url: str
    download_url: str | None
    period: str
    description: str
    quality: str = ""
    quality_note: str = ""


def manifest_path() -> Path:
    return Path(os.environ.get(MANIFEST_ENV) or PROJECT_ROOT / "data" / "manifest.yml")


@lru_cache(maxsize=8)
def _read_manifest(path: str, mtime: float) -> dict[str, ManifestEntry]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = {}
    for item in raw["files"]:
        entry = ManifestEntry(**item)
        if entry.name in entries:
            raise DataError(f"{path}: the name {entry.name!r} appears twice")
        entries[entry.name] = entry
    return entries


def load_manifest() -> dict[str, ManifestEntry]:
    """All manifest entries by name."""
    path = manifest_path()
    if not path.exists():
        raise MissingDataError(f"The data manifest {path} does not exist.")
    return _read_manifest(str(path), path.stat().st_mtime)


def entry(name: str) -> ManifestEntry:
    """The manifest's entry for ``name``; an unknown name is a DataError listing the known ones."""
    manifest = load_manifest()
    if name not in manifest:
        raise DataError(
            f"{name!r} is not in the data manifest {manifest_path()}; "
            f"known names: {', '.join(sorted(manifest))}"
        )
    return manifest[name]


def data_roots() -> list[Path]:
    """Folders searched for raw files, in order."""
    roots = []
    if os.environ.get(DATA_DIR_ENV):
        roots.append(Path(os.environ[DATA_DIR_ENV]).expanduser())
    roots.append(PROJECT_ROOT.parent / "shared" / "data")
    return roots


def cache_dir() -> Path:
    """The folder for parsed-file caches: ``$CHS_CACHE_DIR``, else ``$XDG_CACHE_HOME/chsreport``,
    else ``~/.cache/chsreport``."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chsreport"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, item: ManifestEntry) -> Path:
    actual = sha256_of(path)
    if actual != item.sha256:
        raise ChecksumError(
            f"Checksum mismatch for {item.name} ({path}).\n"
            f"  expected sha256: {item.sha256}\n"
            f"  actual sha256:   {actual}\n"
            "The file was altered or is a different release. Restore the original file "
            f"(publisher: {item.publisher}; {item.url}), or, if this is a deliberate new release, "
            f"update the sha256 (and schema) of {item.name!r} in {manifest_path()}.",
            line=f"altered: {path} ({item.name}): sha256 {actual[:12]}…, expected "
            f"{item.sha256[:12]}… (a changed file or a re-laid-out release); fix: restore the "
            f"publisher's file ({item.url}) or, for a deliberate new release, update its sha256 "
            f"in {manifest_path().name}",
        )
    return path


def _download(item: ManifestEntry) -> Path | None:
    if not item.download_url or os.environ.get(OFFLINE_ENV):
        return None
    with warnings.catch_warnings():  # tqdm warns about ipywidgets inside kernels; pooch imports it
        warnings.simplefilter("ignore")
        import pooch

    target = cache_dir() / "raw"
    try:
        fetched = pooch.retrieve(
            url=item.download_url,
            known_hash=f"sha256:{item.sha256}",
            fname=Path(item.path).name,
            path=target / Path(item.path).parent,
            downloader=pooch.HTTPDownloader(timeout=30, progressbar=False),
        )
    except ValueError as exc:  # pooch reports a hash mismatch as ValueError
        raise ChecksumError(f"Downloaded copy of {item.name} failed its checksum: {exc}") from exc
    except Exception:  # no network, HTTP error: fall through to the missing-file message
        return None
    return Path(fetched)


def fetch(name: str, download: bool = True) -> Path:
    """Path of the verified raw file ``name`` (a manifest name); ``download=False``: never from
    the network."""
    item = entry(name)
    looked = []
    for root in data_roots():
        candidate = root / item.path
        looked.append(str(candidate))
        if candidate.exists():
            return _verify(candidate, item)
    cached = cache_dir() / "raw" / item.path
    looked.append(str(cached))
    if cached.exists():
        return _verify(cached, item)
    downloaded = _download(item) if download else None
    if downloaded is not None:
        return _verify(downloaded, item)
    how = (
        f"download it from {item.download_url} (tried, failed or offline)"
        if item.download_url
        else f"obtain it from the publisher ({item.url})"
    )
    raise MissingDataError(
        f"Data file {item.path} ({item.name}) was not found.\n"
        f"  looked in: {'; '.join(looked)}\n"
        f"Fix: set {DATA_DIR_ENV} to the folder that holds {item.path} "
        f"(e.g. export {DATA_DIR_ENV}=/path/to/shared/data), put the shared data beside the "
        f"project as ../shared/data, or {how}.",
        line=f"missing: {item.path} ({item.name}); fix: set {DATA_DIR_ENV} to the folder that "
        f"holds it, or {how}",
    )


def cached_frame(
    name: str, parser: Callable[[Path], pd.DataFrame], version: str = "1"
) -> pd.DataFrame:
    """Parse the verified file ``name`` with ``parser``, caching the frame as parquet.

    The cache key is the file's sha256 plus the parser's name and ``version``; bump the version
    whenever the parser's output changes.
    """
    path = fetch(name)
    item = entry(name)
    key = f"{name}-{item.sha256[:16]}-{parser.__name__}-v{version}.parquet"
    cached = cache_dir() / "frames" / key
    if cached.exists():
        try:
            return pd.read_parquet(cached)
        except Exception:
            cached.unlink(missing_ok=True)
    frame = parser(path)
    _keep(cached, lambda tmp: frame.to_parquet(tmp, index=False))
    return frame


def cached_json(name: str, build: Callable[[Path], object], variant: str):
    """Like ``cached_frame`` for JSON: ``build`` turns the verified file ``name`` into JSON-able
    data, cached under a key of the file's sha256 and ``variant`` (name every setting that
    changes the output, and a version)."""
    path = fetch(name)
    cached = cache_dir() / "json" / f"{name}-{entry(name).sha256[:16]}-{variant}.json"
    if cached.exists():
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except ValueError:
            cached.unlink(missing_ok=True)
    value = build(path)
    text = json.dumps(value, separators=(",", ":"))
    _keep(cached, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return json.loads(text)  # the same plain lists a later read gives


def _keep(cached: Path, write: Callable[[Path], None]) -> None:
    """Write a cache file through a temporary name, so a reader never sees half of it."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        write(tmp)
        tmp.replace(cached)
    except OSError:
        pass  # a read-only cache only costs speed


def _plain(value) -> str:
    """A value as a reader would write it: 'RBN', 1.525, 2024-01-01 (not np.float64(1.525))."""
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return vocabulary.general(value)
    return repr(value)


def _row_words(index, row: pd.Series | None, key: list[str]) -> str:
    """ "row 12 (code='RBN', icb22_ons_code='E54000008')": a row by its index and key values."""
    values = [f"{c}={_plain(row[c])}" for c in key if row is not None and c in row.index]
    return f"row {_plain(index)}" + (f" ({', '.join(values)})" if values else "")


def _row_at(frame: pd.DataFrame, index) -> pd.Series | None:
    """The row labelled ``index`` (the first, if the label repeats), or None."""
    if index is None or index not in frame.index:
        return None
    row = frame.loc[index]
    return row.iloc[0] if isinstance(row, pd.DataFrame) else row


def _default_key(frame: pd.DataFrame) -> list[str]:
    """Columns that usually say which row is which: organisation and area codes, periods."""
    usual = ("code", "provider", "acute", "icb_code", "icb22_code", "icb22_ons_code", "ltla_code")
    return [c for c in (*usual, "month", "year") if c in frame.columns]


def validate(
    frame: pd.DataFrame, schema, source: str, key: list[str] | None = None
) -> pd.DataFrame:
    """Validate ``frame`` against a pandera schema, turning failures into a readable SchemaError
    that names each failing row by its index and ``key`` columns (default: the code, area and
    period columns the frame has), the column, the check and the value."""
    try:
        return schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        key = _default_key(frame) if key is None else key
        lines = []
        for _, row in cases.head(8).iterrows():
            index = row.get("index")
            known = index is not None and not (isinstance(index, float) and pd.isna(index))
            where = f"{_row_words(index, _row_at(frame, index), key)}, " if known else ""
            column = row.get("column")
            what = f"column {column!r}" if isinstance(column, str) else "the table"
            lines.append(
                f"  {where}{what}: failed {row.get('check')!r}"
                f" (value: {_plain(row.get('failure_case'))})"
            )
        more = f"\n  ... and {len(cases) - 8} more" if len(cases) > 8 else ""
        raise SchemaError(
            f"{source} does not match the expected schema:\n"
            + "\n".join(lines)
            + more
            + "\nThe publisher may have changed the file's layout: "
            "update the loader and its schema."
        ) from None


RANGE_FIX = (
    "A share above 1 (or a percentage above 100) usually means shares were added where they "
    "should have been averaged (weighted by size), or a count was divided by the wrong total; a "
    "negative one a sign error. Fix the computation, or the loader if the publisher changed the "
    "file's scale (a share published as a percentage)."
)


def check_range(
    frame: pd.DataFrame,
    column: str,
    low: float,
    high: float,
    source: str,
    key: list[str] | None = None,
    fix: str = RANGE_FIX,
    tolerance: float = 1e-9,
) -> pd.DataFrame:
    """Return ``frame`` if every value of ``column`` lies in [``low``, ``high``] (both included,
    give or take ``tolerance`` for floating-point rounding, as in a weighted mean of shares of 1;
    missing values pass: missing is not out of range); otherwise raise a SchemaError naming up to
    eight offending rows by their ``key`` columns (default: the code, area and period columns the
    frame has) and value, the column, the allowed range and ``fix``."""
    if column not in frame.columns:
        raise SchemaError(f"{source}: no column {column!r} to check against [{low}, {high}]")
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    outside = values.notna() & ((values < low - tolerance) | (values > high + tolerance))
    if not outside.any():
        return frame
    key = _default_key(frame) if key is None else key
    bad = [
        (frame.index[i], frame.iloc[i], frame[column].iloc[i])
        for i in np.flatnonzero(outside.to_numpy())
    ]
    words = [f"{_row_words(index, row, key)}: {_plain(value)}" for index, row, value in bad]
    lines = "\n".join(f"  {w}" for w in words[:8])
    more = f"\n  ... and {len(bad) - 8} more" if len(bad) > 8 else ""
    raise SchemaError(
        f"{source}: column {column!r} must lie between {vocabulary.general(low)} and "
        f"{vocabulary.general(high)}; "
        f"{len(bad)} row(s) outside:\n{lines}{more}\nFix: {fix}",
        line=f"{source}: {column!r} outside [{vocabulary.general(low)}, "
        f"{vocabulary.general(high)}] in {len(bad)} row(s), first "
        f"{words[0]}",
    )


def require_columns(frame: pd.DataFrame, expected: list[str], source: str) -> None:
    """Fail with a SchemaError naming each expected column that the raw file lacks."""
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        found = ", ".join(map(repr, list(frame.columns)[:12]))
        raise SchemaError(
            f"{source}: expected column(s) {', '.join(map(repr, missing))} not found "
            f"(found: {found}{', ...' if len(frame.columns) > 12 else ''}). "
            "The file's layout has changed (a renamed or dropped column): update the loader."
        )


def read_zipped_csv(path: Path, usecols=None) -> pd.DataFrame:
    """The one CSV inside a zip archive, as strings."""
    import io
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if len(members) != 1:
            raise SchemaError(f"{path.name}: expected one CSV inside the zip, found {members}")
        with archive.open(members[0]) as handle:
            return pd.read_csv(
                io.TextIOWrapper(handle, encoding="utf-8"),
                dtype=str,
                keep_default_na=False,
                usecols=usecols,
            )


def select_columns(raw: pd.DataFrame, names: dict[str, str], source: str) -> pd.DataFrame:
    """The raw columns named in ``names`` (raw name -> our name), renamed; SchemaError naming
    any that are missing."""
    require_columns(raw, list(names), source)
    return raw[list(names)].rename(columns=names)


def verify_all(progress: Callable[[str], None] | None = None) -> list[tuple[str, str]]:
    """Fetch and verify every manifest file; returns (name, path) pairs. Checks every file
    before failing: one problem raises its own error (where it looked, the hashes, the fix);
    several raise ``DataProblems``, listing each missing or altered file in a line with its
    fix."""
    done, problems = [], []
    download = True
    for name in load_manifest():
        try:
            path = fetch(name, download)
        except DataError as exc:
            problems.append(exc)
            if progress:
                progress(f"BAD {name}")
            if isinstance(exc, MissingDataError) and entry(name).download_url:
                download = False  # one failed download: do not wait on more
            continue
        except OSError as exc:  # unreadable: permissions, a folder where a file should be
            problems.append(DataError(str(exc), line=f"unreadable: {name}: {exc}"))
            if progress:
                progress(f"BAD {name}")
            continue
        if progress:
            progress(f"ok  {name.ljust(32)} {path}")
        done.append((name, str(path)))
    if len(problems) == 1:  # the whole message: where it looked, both hashes, the fix
        raise problems[0]
    if problems:
        count = f"{len(problems)} of {len(done) + len(problems)} data files"
        raise DataProblems(
            f"{count} failed the check:\n"
            + "\n".join(f"  - {problem.line}" for problem in problems),
            line=f"{count} failed the check",
        )
    return done


def month_of(name: str) -> pd.Timestamp:
    """The month an input describes: the first year and month its manifest period names
    ("2026-08-01", "as at 2026-08-22"), else the year and month in its name
    (``ods_etr_2026_07``)."""
    item = entry(name)
    found = re.search(r"((?:19|20)\d\d)-(\d\d)", item.period) or re.search(
        r"_((?:19|20)\d\d)_(\d\d)$", item.name
    )
    if not found:
        raise ValueError(f"{name}: no month in its period {item.period!r} or its name")
    return pd.Timestamp(int(found.group(1)), int(found.group(2)), 1)


def inputs_table(names: list[str]) -> pd.DataFrame:
    """The manifest rows for ``names``: what a notebook reads, from whom, for which period."""
    rows = []
    for name in names:
        item = entry(name)
        rows.append(
            {
                "description": item.description,
                "input": item.name,
                "file": item.path,
                "publisher": item.publisher,
                "period": item.period,
                "licence": item.licence,
                "sha256": item.sha256,
            }
        )
    return pd.DataFrame(rows)
