"""Shared fixtures: an isolated parse cache per test session, and the real data folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from chsreport.data import manifest, succession

SHARED_DATA = manifest.PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Parse caches go to a temp folder so tests never depend on a developer's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv(manifest.CACHE_DIR_ENV, str(tmp_path_factory.mktemp("chs-cache")))
    mp.setenv(manifest.OFFLINE_ENV, "1")
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _no_memo_across_patches(request):
    """A test that patches a loader must not leave results worked out from its fake data in the
    shared data object's memo, nor find results worked out from the real data there."""
    patches = "monkeypatch" in request.fixturenames
    loaded = succession.load_org_data.cache_info().currsize > 0
    if patches and loaded:
        succession.load_org_data().memo.clear()
    yield
    if patches and succession.load_org_data.cache_info().currsize > 0:
        succession.load_org_data().memo.clear()


@pytest.fixture
def manifest_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of the manifest that a test may edit."""
    target = tmp_path / "manifest.yml"
    target.write_text(manifest.manifest_path().read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(manifest.MANIFEST_ENV, str(target))
    return target


@pytest.fixture
def altered_release(tmp_path, manifest_copy, monkeypatch):
    """A function that publishes a changed copy of one input, as a new release would: the copy
    goes in a data folder searched first and the manifest carries its new hash, so only the
    content (schema, values) can object. Returns the copy's path."""

    def publish(name: str, change) -> Path:
        item = manifest.entry(name)
        original = (SHARED_DATA / item.path).read_text(encoding="utf-8")
        altered = change(original)
        assert altered != original, f"the change left {item.path} as it was"
        copy = tmp_path / "data" / item.path
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(altered, encoding="utf-8")
        raw = yaml.safe_load(manifest_copy.read_text())
        for entry in raw["files"]:
            if entry["name"] == item.name:
                entry["sha256"] = manifest.sha256_of(copy)
        manifest_copy.write_text(yaml.safe_dump(raw))
        monkeypatch.setenv(manifest.DATA_DIR_ENV, str(tmp_path / "data"))
        return copy

    yield publish
    clear_package_caches()  # what was loaded from the altered copy must not serve later tests


def clear_package_caches() -> None:
    """Empty every ``functools`` cache in the package (loaded data, parsed files, classes), so
    the next test loads from the real data again."""
    for name, module in list(sys.modules.items()):
        if name == "chsreport" or name.startswith("chsreport."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
