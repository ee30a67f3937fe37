"""Offline chart rendering: static SVG with an accessible title, deterministic ids, safe HTML."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd

from chsreport.reading import charts


def _chart(frame):
    return alt.Chart(frame).mark_bar().encode(x="name:N", y="value:Q")


def _figure(frame):
    return charts.figure(
        _chart(frame),
        title="A finding",
        subtitle="Source: test",
        source="test data",
        table=frame,
        csv_name="t.csv",
    )


def test_figure_has_static_svg_with_title_and_csv_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = _figure(pd.DataFrame({"name": ["a", "b"], "value": [1, 2]}))
    out = fig._repr_html_()
    assert '<svg role="img" aria-label="A finding"' in out
    assert "<title>A finding</title>" in out
    link = re.search(r'download="t.csv" href="downloads/([0-9a-f]{10}-t\.csv)"', out)
    assert link, out[-300:]
    assert (tmp_path / "downloads" / link.group(1)).read_text().startswith("name,value")
    assert "Source: test data" in out


def test_ids_are_counter_plus_spec_hash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"name": ["a"], "value": [1]})
    one, two = _figure(frame), _figure(frame)
    n1, h1 = re.match(r"chs-chart-(\d+)-([0-9a-f]{10})$", one.element_id).groups()
    n2, h2 = re.match(r"chs-chart-(\d+)-([0-9a-f]{10})$", two.element_id).groups()
    assert int(n2) == int(n1) + 1 and h1 == h2


def test_nan_becomes_null_and_html_in_data_is_inert(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"name": ["<script>alert(1)</script>", "b"], "value": [1.0, float("nan")]})
    out = _figure(frame)._repr_html_()
    spec_text = re.search(r'class="chs-chart-spec">(.*?)</script>', out, re.S).group(1)
    assert "<script>alert" not in out.replace('<script type="application/json"', "")
    spec = json.loads(spec_text)
    packed = spec["datasets"][next(iter(spec["datasets"]))]
    values = [dict(zip(packed["fields"], row, strict=True)) for row in packed["rows"]]
    assert values[1]["value"] is None
    assert values[0]["name"] == "<script>alert(1)</script>"


def test_packed_spec_keeps_every_value_and_field_once():
    rows = [{"a": 1, "b": 0.123456789}, {"a": 2, "c": "x", "b": 1234567.891}]
    spec = {"datasets": {"d": rows}, "mark": "point"}
    packed = charts._packed_spec(spec)
    assert packed["mark"] == "point"
    assert packed["datasets"]["d"] == {
        "fields": ["a", "b", "c"],
        "rows": [[1, 0.123457, None], [2, 1234568.0, "x"]],
    }
    assert spec["datasets"]["d"][0]["b"] == 0.123456789  # the original is left alone


def test_lighter_svg_draws_the_same_circles_and_keeps_the_root():
    svg = (
        '<svg role="img" aria-label="t"><g><path aria-hidden="true" '
        'transform="translate(206.34,168.81)" d="M3.1,0A3.1,3.1,0,1,1,-3.1,0A3.1,3.1,0,1,1,3.1,0" '
        'fill="#CC79A7" stroke-width="2" opacity="0.75"/>'
        '<path class="foreground" d="" display="none"/><path d="M0.123456,1L2,3"/>'
        '<text font-family="F" opacity="0">hidden</text><text font-family="F">shown</text>'
        "</g></svg>"
    )
    out = charts._lighter_svg(svg)
    assert out.startswith('<svg role="img" aria-label="t" font-family="F">')
    assert '<circle cx="206.3" cy="168.8" r="3.1" fill="#CC79A7" opacity="0.75"/>' in out
    assert "hidden" not in out and "<text>shown</text>" in out
    assert 'display="none"' not in out and "aria-hidden" not in out
    assert 'd="M0.1,1L2,3"' in out


def test_table_escapes_and_offers_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = charts.Table(pd.DataFrame({"trust": ["<b>x</b>"]}), "x.csv", "caption")
    out = table._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out
    assert 'download="x.csv"' in out


def test_type_colours_cover_every_type():
    assert set(charts.TYPE_COLOURS) == set(charts.TYPE_LABELS)
    scale = charts.type_scale(["acute", "community"])
    assert scale.domain == ["Acute", "Community"]


def test_vega_bundle_is_wrapped_in_an_iife():
    js = charts.vega_bundle_js()
    assert js.splitlines()[1] == "(function(){"
    assert js.rstrip().endswith("})();")
    assert "window.vegaEmbed" in js


def test_table_uses_the_vocabulary_and_collapses_long_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame(
        {
            "org_name": ["TORBAY AND SOUTHERN DEVON HEALTH AND CARE NHS TRUST"] * 20,
            "population_2024": [1570403.0] * 20,
            "share_in_icb": [0.423] * 20,
            "headquartered_here": [True] * 19 + [False],
        }
    )
    out = charts.Table(frame, "x.csv", "Trusts.")._repr_html_()
    assert "Torbay and Southern Devon Health and Care NHS Trust" in out
    assert "1,570,403" in out and "42%" in out and ">Yes<" in out and ">No<" in out
    assert "population_2024" not in out.split("<a ")[0]  # headers are words, not code names
    assert out.count("<table") == 2 and "Show the other 10 rows" in out
    assert out.count("<tr>") == 2 + 20  # two header rows, every data row exactly once


def test_an_empty_table_is_a_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = charts.Table(pd.DataFrame({"code": []}), "x.csv", "Mergers since 2011:", "none.")
    assert "<table" not in out._repr_html_() and "Mergers since 2011: none." in out._repr_html_()


def test_large_datasets_are_fetched_when_the_chart_turns_interactive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    big = [{"x": i, "name": f"trust {i}"} for i in range(500)]
    spec = {"datasets": {"big": big, "small": [{"x": 1}]}, "data": {"name": "big"}}
    out = charts._lazy_datasets(spec)
    assert list(out["datasets"]) == ["small"]
    url = out["chs_lazy"]["big"]
    assert url.startswith("downloads/") and url.endswith("-chart-data.json")
    assert json.loads((tmp_path / url).read_text()) == big
    assert charts._lazy_datasets({"datasets": {"small": [{"x": 1}]}}) == {
        "datasets": {"small": [{"x": 1}]}
    }


def test_svg_ids_are_the_charts_own():
    svg = '<svg><linearGradient id="gradient_7"/><rect fill="url(#gradient_7)"/></svg>'
    out = charts._own_ids(svg, "abc")
    assert 'id="chs-abc-0"' in out and "url(#chs-abc-0)" in out and "gradient_7" not in out


def test_a_long_axis_label_is_wrapped_into_lines_never_cut():
    label = charts.wrapped("Bristol, North Somerset and South Gloucestershire", 30)
    assert label == "Bristol, North Somerset and\nSouth Gloucestershire"
    assert charts.wrapped("Kent", 30) == "Kent"
    assert charts.line_count(pd.Series([label, "Kent"])) == 2
    chart = (
        alt.Chart(pd.DataFrame({"n": [label], "v": [1]}))
        .mark_bar()
        .encode(y=alt.Y("n:N", axis=alt.Axis(labelExpr=charts.LINES, labelLimit=300)), x="v:Q")
    )
    svg = charts.figure(chart, title="t", subtitle="s", source="x", table=pd.DataFrame(),
                        csv_name="t.csv").svg  # fmt: skip
    assert "<tspan>Bristol, North Somerset and</tspan>" in svg and "…" not in svg
