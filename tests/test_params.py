"""Parameter checks that run before any kernel starts."""

from __future__ import annotations

import ast
import json

import pytest

from chsreport.analysis import params
from chsreport.data import manifest

NOTEBOOKS = manifest.PROJECT_ROOT / "notebooks"


def test_defaults_are_valid():
    checked = params.validate("consolidation", {})
    assert checked["icb"] is None and checked["start_year"] == 2011


def test_icb_is_normalised():
    assert params.validate("consolidation", {"icb": "qe1"})["icb"] == "QE1"


def test_unknown_icb_lists_the_valid_codes():
    with pytest.raises(params.ParameterError) as err:
        params.validate("consolidation", {"icb": "XYZ"})
    message = str(err.value)
    assert "unknown ICB code 'XYZ'" in message
    assert "QE1 Lancashire and South Cumbria" in message
    assert message.count("Integrated Care Board") == 36


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"start_year": "2015"}, "start_year: Input should be a valid integer"),
        ({"start_year": 1990}, "outside the data"),
        ({"end_year": 2031}, "outside the data"),
        ({"start_year": 2020, "end_year": 2015}, "after end_year"),
        ({"trust_types": ["acute", "hospice"]}, "unknown trust type"),
        ({"trust_types": "acute"}, "trust_types"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_refused_with_a_reason(values, expected):
    with pytest.raises(params.ParameterError, match=expected):
        params.validate("consolidation", values)


def test_unknown_notebook():
    with pytest.raises(params.ParameterError, match="known: consolidation"):
        params.validate("nope", {})


def test_parameter_files_are_yaml_safe_loaded(tmp_path):
    evil = tmp_path / "evil.yml"
    evil.write_text("icb: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(Exception) as err:
        params.read_params_file(evil)
    assert "not valid YAML" in str(err.value)
    assert params.parse_cli_value("2015") == 2015
    assert params.parse_cli_value("[acute, community]") == ["acute", "community"]


def test_params_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(params.ParameterError, match="mapping"):
        params.read_params_file(path)


def test_book_parameter_file_is_valid():
    values = params.read_params_file(manifest.PROJECT_ROOT / "notebooks/params/consolidation.yml")
    assert params.validate("consolidation", values)["trust_types"]


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"outcome": "mortality"}, "unknown outcome"),
        ({"start": "2019-01", "end": "2019-12"}, "outside the data"),
        ({"start": "2024-13"}, "YYYY-MM"),
        ({"classification": "medium"}, "strict, default or loose"),
        ({"controls": ["age", "income"]}, "unknown control"),
        ({"smallest_effect": 1.5}, "between 0 and 1"),
        ({"start": "2025-01", "end": "2024-01"}, "after end"),
    ],
)
def test_integration_parameters_are_checked(values, expected):
    with pytest.raises(params.ParameterError, match=expected):
        params.validate("integration", values)


def test_scale_parameters_are_checked():
    with pytest.raises(params.ParameterError, match="population_year"):
        params.validate("scale", {"population_year": 2023})
    with pytest.raises(params.ParameterError, match="neighbourhood_min < neighbourhood_max"):
        params.validate("scale", {"neighbourhood_min": 60000})


def _parameter_cell_values(notebook: str) -> dict:
    """The literal values a notebook's parameters cell assigns."""
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
    }


@pytest.mark.parametrize("notebook", sorted(params.MODELS))
def test_the_notebooks_defaults_are_the_models(notebook):
    """A parameters cell shows readers the defaults; the model is where they are set."""
    shown = _parameter_cell_values(notebook)
    defaults = params.defaults(notebook)
    assert set(shown) == set(params.MODELS[notebook].model_fields)
    assert {name: shown[name] for name in defaults} == defaults


def test_defaults_leave_out_what_has_none():
    assert "icb" not in params.defaults("locality")
    assert params.defaults("locality")["neighbourhood_size"] == 50000
