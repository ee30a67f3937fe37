"""Print the executed notebooks nbval checks: every chapter and three locality pages, chosen
afresh each day (seeded by the date, so a run can be repeated the same day)."""

from __future__ import annotations

import datetime
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "executed"


def sample(n: int = 3) -> list[Path]:
    chapters = sorted(EXECUTED.glob("*.ipynb"))
    localities = sorted((EXECUTED / "localities").glob("*.ipynb"))
    if not chapters or len(localities) < n:
        sys.exit("build the book first (make book): executed notebooks are missing")
    seed = datetime.date.today().isoformat()
    return chapters + sorted(random.Random(seed).sample(localities, n))


if __name__ == "__main__":
    print(" ".join(str(p.relative_to(ROOT)) for p in sample()))
