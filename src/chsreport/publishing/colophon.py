"""The edition printed on every page (version, build date, data vintage) and which inputs each
chapter reads, for the data page.
"""

from __future__ import annotations

import datetime
import re
import subprocess

import yaml

import chsreport
from chsreport import vocabulary
from chsreport.data import inputs, manifest
from chsreport.publishing import paths


def source_link(url: str) -> str:
    """A manifest's ``url`` as a Markdown link to the original; a note after the address (the
    manifest writes "https://site/ (the dataset's name)") follows as text, since a link's
    address cannot hold spaces."""
    address, _, note = url.partition(" ")
    note = note.strip().removeprefix("(").removesuffix(")")
    return f"[original]({address})" + (f" ({note})" if note else "")


def chapter_inputs() -> dict[str, list[str]]:
    """Which chapter reads which manifest input (from each chapter module's INPUTS)."""

    return {
        "Consolidation": inputs.CONSOLIDATION,
        "Scale": inputs.SCALE,
        "Integration": inputs.INTEGRATION,
        "Community services": inputs.COMMUNITY,
        "Localities": inputs.LOCALITY,
    }


def edition() -> dict:
    """Version (the package's), build date (the date of the checked-out commit, so two builds of
    one commit are identical; today without git) and data vintage (the newest month any input's
    period names)."""

    try:
        date = subprocess.run(
            ["git", "log", "-1", "--format=%cs"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        date = ""
    months = []
    for item in manifest.load_manifest().values():
        for year, month in re.findall(r"((?:19|20)\d\d)-(\d\d)", item.period):
            months.append(f"{year}-{month}")
    newest = max(months) if months else ""
    return {
        "version": chsreport.__version__,
        "built": date or datetime.date.today().isoformat(),
        "data_to": vocabulary.month_long(f"{newest}-01") if newest else "",
    }


def book_config() -> dict:

    return yaml.safe_load((manifest.PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))


def book_url() -> str:
    """The published book's address from _config.yml (``html.baseurl``), or ""."""
    return str((book_config().get("html") or {}).get("baseurl") or "").rstrip("/")
