"""The scale chapter's figures and the ICB profile."""

from __future__ import annotations

import pandas as pd
import pytest

from chsreport.analysis import params, population_layers, scale
from chsreport.reading import scale_story


def test_histogram_counts_every_unit():
    frame = pd.DataFrame({"v": [1, 4, 5, 12], "g": ["a", "a", "b", "b"]})
    out = scale_story.histogram(frame, "v", 5, by="g")
    assert out["count"].sum() == 4
    pairs = set(zip(out["g"], out["bin_start"], strict=True))
    assert pairs == {("a", 0), ("b", 5), ("b", 10)}


def test_layers_figure_is_small_and_titled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bands = params.validate("scale", {})
    fig = scale_story.layers_figure(population_layers.layer_populations(2024), bands)
    assert fig.title.startswith("A median PCN holds")
    assert len(fig._repr_html_()) < 60_000  # percentiles, not every practice


def test_icb_profile():
    profile = scale.icb_profile("QE1", params.validate("scale", {}), 2024)
    assert profile["patients"] > 1_500_000
    assert profile["pcns"] > 30 and profile["districts"] == 12
    assert profile["neighbourhoods_min"] < profile["neighbourhoods_max"]


def test_near_two_million():
    icbs = pd.DataFrame({"patients": [1_400_000, 1_600_000, 2_400_000, 2_600_000]})
    assert list(scale.near_two_million(icbs)["patients"]) == [1_600_000, 2_400_000]


def _corr(rho, p, n=120):
    return {"rho": rho, "p_value": p, "n": n}


@pytest.mark.parametrize(
    ("rho", "p", "answer", "meaning"),
    [
        (-0.4, 0.001, "Partly, on cost", "spent less per patient"),
        (0.4, 0.001, "Not on cost", "spent more per patient"),
        (-0.1, 0.30, "Not shown on cost", "do not show larger ones spending less"),
        (0.1, 0.05, "Not shown on cost", "do not show larger ones spending less"),
    ],
)
def test_is_big_best_is_chosen_by_the_correlation(rho, p, answer, meaning):
    result = {"cost_per_patient": _corr(rho, p), "cost_per_bed": _corr(0.0, 0.9)}
    assert scale_story.big_is_best_sentence(result).startswith(answer)
    assert meaning in scale_story.big_is_best_meaning(result)
    assert "shows no clear link" in scale_story.big_is_best_sentence(result)  # cost per bed
