"""Parameter models for the notebooks, checked before any kernel starts.

Parameter files are YAML read with ``yaml.safe_load`` (never evaluated).  Each notebook has a
pydantic model; values are checked against the data (ICB codes, the years the data cover) so a
bad run stops at once with a message that lists what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from chsreport.data import ods
from chsreport.data.outcomes import OUTCOMES
from chsreport.settings import CONTROLS as allowed
from chsreport.settings import OUTCOME_PERIODS, POPULATION_YEARS, RULES

FIRST_YEAR = 2000  # the trust change paths start in April 2000
LAST_YEAR = 2026  # the newest ODS extract is of July 2026


class ParameterError(ValueError):
    """Invalid notebook parameters; the message lists what is allowed."""

    for_users = True  # the message is the whole story: no traceback in the build log


def valid_icbs() -> dict[str, str]:
    icbs = ods.load_icbs()
    return dict(zip(icbs["icb_code"], icbs["icb_name"], strict=True))


def known_icb(value: str | None) -> str | None:
    """An ICB code of 2026 (case-insensitive), or None; unknown codes list the valid ones."""
    if value is None or value == "":
        return None
    code = value.strip().upper()
    icbs = valid_icbs()
    if code not in icbs:
        listing = "; ".join(f"{c} {n.removeprefix('NHS ')}" for c, n in sorted(icbs.items()))
        raise ValueError(f"unknown ICB code {value!r}. Valid codes: {listing}")
    return code


class ConsolidationParams(BaseModel):
    """Parameters of notebooks/consolidation.ipynb."""

    model_config = ConfigDict(extra="forbid", strict=True)

    icb: str | None = None
    start_year: int = 2011
    end_year: int = 2026
    trust_types: list[str] = list(ods.KNOWN_TYPES)

    @field_validator("icb")
    @classmethod
    def _known_icb(cls, value: str | None) -> str | None:
        return known_icb(value)

    @field_validator("start_year", "end_year")
    @classmethod
    def _in_data(cls, value: int) -> int:
        if not FIRST_YEAR <= value <= LAST_YEAR:
            raise ValueError(f"year {value} is outside the data ({FIRST_YEAR} to {LAST_YEAR})")
        return value

    @field_validator("trust_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in ods.KNOWN_TYPES]
        if unknown or not value:
            raise ValueError(
                f"unknown trust type(s) {unknown or '(empty list)'}; "
                f"allowed: {', '.join(ods.KNOWN_TYPES)}"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self):
        if self.start_year > self.end_year:
            raise ValueError(f"start_year {self.start_year} is after end_year {self.end_year}")
        return self


class ScaleParams(BaseModel):
    """Parameters of notebooks/scale.ipynb."""

    model_config = ConfigDict(extra="forbid", strict=True)

    icb: str | None = None
    neighbourhood_min: int = 30000
    neighbourhood_max: int = 50000
    neighbourhood_cap: int = 100000
    pcn_band: list[int] = [30000, 70000]
    population_year: int = 2024

    @field_validator("icb")
    @classmethod
    def _known_icb(cls, value: str | None) -> str | None:
        return known_icb(value)

    @field_validator("neighbourhood_min", "neighbourhood_max", "neighbourhood_cap")
    @classmethod
    def _positive(cls, value: int) -> int:
        if not 1000 <= value <= 5_000_000:
            raise ValueError(f"{value} is not a plausible population (1,000 to 5,000,000)")
        return value

    @field_validator("pcn_band")
    @classmethod
    def _band(cls, value: list[int]) -> list[int]:
        if len(value) != 2 or not 0 < value[0] < value[1]:
            raise ValueError(f"pcn_band must be [low, high] with 0 < low < high, got {value}")
        return value

    @field_validator("population_year")
    @classmethod
    def _year(cls, value: int) -> int:

        if value not in POPULATION_YEARS:
            raise ValueError(
                f"population_year {value} is not in the data; choose one of "
                f"{list(POPULATION_YEARS)}"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self):
        if not self.neighbourhood_min < self.neighbourhood_max <= self.neighbourhood_cap:
            raise ValueError(
                "need neighbourhood_min < neighbourhood_max <= neighbourhood_cap, got "
                f"{self.neighbourhood_min}, {self.neighbourhood_max}, {self.neighbourhood_cap}"
            )
        return self


class IntegrationParams(BaseModel):
    """Parameters of notebooks/integration.ipynb."""

    model_config = ConfigDict(extra="forbid", strict=True)

    outcome: str = "ctr_per_100_beds"
    start: str = "2022-04"
    end: str = "2025-08"
    classification: str = "default"
    icb: str | None = None
    controls: list[str] = ["size", "region", "rurality", "deprivation", "age"]
    smallest_effect: float = 0.10

    @field_validator("smallest_effect")
    @classmethod
    def _smallest(cls, value: float) -> float:
        if not 0 < value < 1:
            raise ValueError(
                f"smallest_effect is a share of the comparison group's mean, between 0 and 1 "
                f"(e.g. 0.10), not {value!r}"
            )
        return value

    @field_validator("icb")
    @classmethod
    def _known_icb(cls, value: str | None) -> str | None:
        return known_icb(value)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:

        if value not in OUTCOMES:
            raise ValueError(f"unknown outcome {value!r}; choose one of {', '.join(OUTCOMES)}")
        return value

    @field_validator("classification")
    @classmethod
    def _rule(cls, value: str) -> str:

        rules = list(RULES)
        if value not in rules:
            allowed = f"{', '.join(rules[:-1])} or {rules[-1]}"
            raise ValueError(f"classification must be {allowed}, not {value!r}")
        return value

    @field_validator("controls")
    @classmethod
    def _controls(cls, value: list[str]) -> list[str]:

        bad = [c for c in value if c not in allowed]
        if bad:
            raise ValueError(f"unknown control(s) {bad}; allowed: {', '.join(allowed)}")
        return value

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", value):
            raise ValueError(f"{value!r} is not a month written YYYY-MM")
        return value

    @model_validator(mode="after")
    def _period(self):

        first, last = OUTCOME_PERIODS[self.outcome]
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        if self.end < first or self.start > last:
            raise ValueError(
                f"the period {self.start} to {self.end} is outside the data for {self.outcome} "
                f"({first} to {last})"
            )
        return self


class LocalityParams(BaseModel):
    """Parameters of notebooks/locality.ipynb (one page per ICB)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    icb: str
    neighbourhood_size: int = 50000

    @field_validator("icb")
    @classmethod
    def _known_icb(cls, value: str) -> str:
        code = known_icb(value)
        if code is None:
            raise ValueError("a locality page needs an ICB code")
        return code

    @field_validator("neighbourhood_size")
    @classmethod
    def _size(cls, value: int) -> int:
        if not 1000 <= value <= 5_000_000:
            raise ValueError(f"{value} is not a plausible population (1,000 to 5,000,000)")
        return value


POPULATIONS = ("all", "adults", "children")  # whose service lines the comparison uses


class CommunityParams(BaseModel):
    """Parameters of notebooks/community.ipynb."""

    model_config = ConfigDict(extra="forbid", strict=True)

    month: str = "2025-10"
    min_waiting: int = 20
    smallest_effect: float | None = None
    icb: str | None = None
    population: str = "all"
    service_lines: list[str] | None = None

    @field_validator("population")
    @classmethod
    def _population(cls, value: str) -> str:
        if value not in POPULATIONS:
            raise ValueError(f"population is one of {', '.join(POPULATIONS)}, not {value!r}")
        return value

    @field_validator("service_lines")
    @classmethod
    def _service_lines(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        from chsreport.data import community_waits

        held = set(community_waits.load_bands()["line"])
        unknown = [line for line in value if line not in held]
        if unknown or not value:
            raise ValueError(
                f"service lines not in the returns: {unknown or 'an empty list'}; write each as "
                "the returns name it, e.g. '(A) Therapy interventions: Physiotherapy' (the "
                "chapter's services table lists them), or null for every line"
            )
        return value

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        from chsreport import vocabulary
        from chsreport.data import community_returns

        held = [vocabulary.iso_month(m) for m in community_returns.return_months()]
        if value not in held:
            raise ValueError(f"no CHS workbook for {value!r}; the months held: {', '.join(held)}")
        return value

    @field_validator("min_waiting")
    @classmethod
    def _min_waiting(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError(f"min_waiting is a number of people, 1 to 10,000, not {value!r}")
        return value

    @field_validator("smallest_effect")
    @classmethod
    def _smallest(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 1:
            raise ValueError(
                "smallest_effect is a share of those waiting (e.g. 0.05 for 5 percentage "
                f"points), between 0 and 1, or empty for England's distance to the standard; "
                f"not {value!r}"
            )
        return value

    @field_validator("icb")
    @classmethod
    def _known_icb(cls, value: str | None) -> str | None:
        return known_icb(value)


MODELS: dict[str, type[BaseModel]] = {
    "consolidation": ConsolidationParams,
    "scale": ScaleParams,
    "integration": IntegrationParams,
    "community": CommunityParams,
    "locality": LocalityParams,
}


def defaults(notebook: str) -> dict:
    """The defaults of ``notebook``'s parameter model: the one place they are set (the
    notebooks' parameter cells repeat them for readers, and a test keeps the two equal). Fields
    without a default (a locality page's ICB) are left out."""
    model = MODELS[notebook]
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }


def parse_cli_value(text: str) -> Any:
    """A ``-p key=value`` value: YAML scalars and lists (safe_load), never evaluated."""
    return yaml.safe_load(text) if text.strip() else None


def read_params_file(path: Path) -> dict[str, Any]:
    """A YAML file of notebook parameters as a dict; a missing, unreadable or non-mapping file is a
    ParameterError naming it."""
    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"parameter file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameter file {path} is not valid YAML: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError(f"parameter file {path} must hold a mapping of name: value")
    return loaded


def validate(notebook: str, values: dict[str, Any]) -> dict[str, Any]:
    """Checked parameters for ``notebook``, as plain values to inject; ParameterError if bad."""
    if notebook not in MODELS:
        raise ParameterError(f"unknown notebook {notebook!r}; known: {', '.join(MODELS)}")
    try:
        model = MODELS[notebook](**values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "parameters"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"  {where}: {message} (got {err.get('input')!r})")
        raise ParameterError(
            f"invalid parameters for {notebook}:\n" + "\n".join(problems)
        ) from None
    return model.model_dump()
