"""Where the book is built from and into, and the error a build stops with."""

from __future__ import annotations

import os
from pathlib import Path

from chsreport.data import manifest

ROOT = manifest.PROJECT_ROOT
BUILD = Path(os.environ.get("CHS_BUILD_DIR") or ROOT / "_build")
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"


class BuildError(RuntimeError):
    """A build step failed; the message names the notebook, the cell and the error."""

    for_users = True  # the message is the whole story: no traceback in the build log


# --------------------------------------------------------------------------- the book as a PDF
BOOK_PDF = Path("pdf") / "book.pdf"

# --------------------------------------------------------------------------- the build's PDFs
BRIEFINGS = Path("pdf") / "briefings"  # under the build folder, and under the published book
