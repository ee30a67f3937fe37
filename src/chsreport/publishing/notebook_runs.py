"""The notebook runs that make up the book (one per chapter parameter file, one locality page per
ICB) and the titles of pages whose title depends on their parameters."""

from __future__ import annotations

from dataclasses import dataclass

from chsreport.analysis import params
from chsreport.publishing import paths
from chsreport.reading import locality


@dataclass(frozen=True)
class Run:
    """One notebook execution for the book: template, parameter values, output name (a path
    under notebooks/ without the suffix) and where the values came from."""

    notebook: str
    values: dict
    output: str
    origin: str


def book_runs() -> list[Run]:
    """The notebook runs that make up the book: one per chapter parameter file, and one locality
    page per current ICB (the same list makes the Localities part of the table of contents)."""

    runs = []
    for chapter in ("consolidation", "scale", "integration", "community"):
        path = paths.PARAMS / f"{chapter}.yml"
        runs.append(Run(chapter, params.read_params_file(path), chapter, path.name))
    for icb in locality.localities():
        runs.append(Run("locality", {"icb": icb}, f"localities/{icb}", f"ICB {icb}"))
    return runs


def page_title(notebook: str, values: dict) -> str | None:
    """A Markdown title for template pages whose title depends on their parameters."""
    if notebook == "locality":
        return params.valid_icbs()[values["icb"]].removeprefix("NHS ")
    return None
