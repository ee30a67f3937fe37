"""Print the executed notebooks nbval checks: every chapter and three locality pages, the same
three on every run (a sample that changed with the date could pass one day and fail the next
on the same commit).

The three differ in what a locality page has to handle: an ICB outside London with several
acute trusts (QE1, Lancashire and South Cumbria), a London ICB of boroughs (QMF, North East
London) and an ICB formed in April 2026 from others, with many councils (S9B9J, Surrey and
Sussex).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "executed"
LOCALITIES = ("QE1", "QMF", "S9B9J")


def sample() -> list[Path]:
    chapters = sorted(EXECUTED.glob("*.ipynb"))
    localities = [EXECUTED / "localities" / f"{code}.ipynb" for code in LOCALITIES]
    missing = [p.name for p in localities if not p.exists()]
    if not chapters or missing:
        sys.exit(
            "build the book first (make book): executed notebooks are missing"
            + (f" ({', '.join(missing)})" if missing else "")
        )
    return chapters + localities


if __name__ == "__main__":
    print(" ".join(str(p.relative_to(ROOT)) for p in sample()))
