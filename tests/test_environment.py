"""pyproject.toml's pins and environment.yml agree."""

from __future__ import annotations

import re
import tomllib

import yaml

from chsreport.data import manifest


def _pins(requirements):
    return {re.split(r"[=<>!~ ]", r, maxsplit=1)[0].lower(): r for r in requirements}


def test_environment_yml_mirrors_pyproject_pins():
    project = tomllib.loads((manifest.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    assert all("==" in spec for spec in wanted.values()), "every dependency must be pinned"
    env = yaml.safe_load((manifest.PROJECT_ROOT / "environment.yml").read_text())
    pip_block = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    have = _pins([p for p in pip_block if not p.startswith("-e")])
    assert have == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python=3.11" and project["requires-python"] == "==3.11.*"


def test_constraints_agree_with_pins():
    project = tomllib.loads((manifest.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    lines = (manifest.PROJECT_ROOT / "constraints.txt").read_text().lower().splitlines()
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert spec.lower() in lines, f"{spec} differs in constraints.txt"
