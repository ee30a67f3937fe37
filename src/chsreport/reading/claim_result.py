"""What a rule of the claims register returns (:mod:`chsreport.reading.claims`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    measure: str
    value: float | None
    unit: str
    period: str
    source: str
    verdict: str
    note: str
