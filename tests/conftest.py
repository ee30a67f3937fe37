"""Shared fixtures: an isolated parse cache per test session, and the real data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from chsreport import data

SHARED_DATA = data.PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Parse caches go to a temp folder so tests never depend on a developer's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv(data.CACHE_DIR_ENV, str(tmp_path_factory.mktemp("chs-cache")))
    mp.setenv(data.OFFLINE_ENV, "1")
    yield
    mp.undo()


@pytest.fixture
def manifest_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of the manifest that a test may edit."""
    target = tmp_path / "manifest.yml"
    target.write_text(data.manifest_path().read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(data.MANIFEST_ENV, str(target))
    return target
