"""One look for every chart in the book, and offline rendering.

Each chart is rendered to static SVG with vl-convert (readable with no JavaScript and no network)
and carries its Vega-Lite spec beside it; ``_static/chs-charts.js`` upgrades it with vega-embed
when the bundled Vega libraries are present.  Element ids are a per-kernel counter plus a hash of
the spec, so re-executing a notebook gives byte-identical output (nbval needs that).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import re
import textwrap
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from chsreport import vocabulary
from chsreport.data import manifest
from chsreport.vocabulary import TYPE_LABELS

VL_VERSION = "5.20"
# The book's content column at 1280 px is about 690 px wide: every chart is drawn that wide in
# total (axes and legend included), so it is shown at 100% and its 11 px text stays 11 px. On a
# phone the chart keeps that size and scrolls sideways inside its figure.
COLUMN_WIDTH = 680
# titles wrap to the column (15 px bold and 11 px text: about 8.6 and 6.2 px a character)
TITLE_CHARS = 72
SUBTITLE_CHARS = 100

# one colour per organisation type, used identically in every chapter (colour-blind-safe hues)
TYPE_COLOURS: dict[str, str] = {
    "acute": "#0072B2",
    "acute_community": "#56B4E9",
    "acute_specialist": "#7F7F7F",
    "community": "#009E73",
    "mental_health": "#CC79A7",
    "mental_health_community": "#E69F00",
    "ambulance": "#D55E00",
    "care_trust": "#F0E442",
    "other": "#B0B0B0",
    "unknown": "#DDDDDD",
}

FATE_COLOURS: dict[str, str] = {
    "Still standalone": "#009E73",
    "Shares leaders with another trust": "#56B4E9",
    "Acquired by an acute trust": "#0072B2",
    "Merged with a mental-health trust": "#CC79A7",
    "Merged with another community trust": "#8FD175",
    "Dissolved or split": "#555555",
    "Now typed otherwise, no merger recorded": "#E69F00",
    "Fate unknown": "#DDDDDD",
}


def type_scale(types: list[str] | None = None) -> alt.Scale:
    """Colour scale over type *labels*, in the book's fixed order and colours."""
    keys = [k for k in TYPE_LABELS if types is None or k in types]
    return alt.Scale(domain=[TYPE_LABELS[k] for k in keys], range=[TYPE_COLOURS[k] for k in keys])


def fate_scale() -> alt.Scale:
    return alt.Scale(domain=list(FATE_COLOURS), range=list(FATE_COLOURS.values()))


@alt.theme.register("chs", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
            "view": {"continuousWidth": 560, "continuousHeight": 300, "stroke": None},
            # no ARIA label on every point: the SVG carries one accessible title per chart, and
            # per-mark labels would double the page weight of scatter plots
            "mark": {"aria": False},
            "title": {
                "anchor": "start",
                "fontSize": 15,
                "subtitleFontSize": 11,
                "subtitleColor": "#555555",
                "offset": 10,
            },
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#EEEEEE"},
            "legend": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "orient": "bottom",
                "columns": 2,
                "labelLimit": 280,
            },
        }
    }


_ids = itertools.count(1)


def restart_ids() -> None:
    """Number the next chart 1 again: the build calls it when a reused kernel starts another
    notebook, so a page's chart ids are those a fresh kernel would give."""
    global _ids
    _ids = itertools.count(1)


def _svg_with_title(svg: str, title: str) -> str:
    """Give the SVG an accessible name: role="img", aria-label and a <title> child."""
    label = html.escape(title, quote=True)
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-label="{label}" ', svg, count=1)
    return re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", svg, count=1)


def _clean(obj):
    """JSON-safe copy: NaN and infinities become null (browsers reject NaN in JSON)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


_COORDINATE = re.compile(r"(-?\d+\.\d)\d+")
_GEOMETRY = re.compile(r'(\sd="[^"]*"|\stransform="[^"]*")')
# Vega draws a circle as two arcs: <path transform="translate(x,y)" d="Mr,0Ar,r,0,1,1,-r,0..."/>
_CIRCLE = re.compile(
    r'<path ((?:[\w-]+="[^"]*" )*?)transform="translate\((-?[\d.]+),(-?[\d.]+)\)" '
    r'd="M([\d.]+),0A\4,\4,0,1,1,-\4,0A\4,\4,0,1,1,\4,0"'
)
# Inside <svg role="img"> every descendant is presentational: assistive technology reads the
# chart's title only, so per-mark ARIA attributes are dead weight; as are pointer-events on a
# static picture and the marks Vega emits hidden (display="none").
_INERT = re.compile(
    r' (?:aria-hidden="true"|pointer-events="none"|role="graphics-[\w-]+"'
    r'|aria-roledescription="[^"]*"|aria-label="[^"]*")'
)
_HIDDEN = re.compile(
    r'<path class="foreground" d="" display="none"/>'
    r'|<text [^>]*opacity="0"[^>]*>[^<]*</text>|<line [^>]*opacity="0"[^>]*/>'
)
_FONT = re.compile(r' font-family="([^"]*)"')
_UNSTROKED_CIRCLE = re.compile(r'<circle (?![^>]* stroke=")([^>]*?) stroke-width="[^"]*"')


def _lighter_svg(svg: str) -> str:
    """The same picture in fewer bytes: coordinates rounded to a tenth of a pixel (invisible on
    screen and in print), circles written as <circle>, the font named once on the root (it is
    inherited), and what has no effect in a static image dropped: per-mark ARIA attributes,
    pointer events, hidden marks, labels Vega made fully transparent to avoid overlaps, and
    stroke widths of unstroked circles. Scatter plots shrink by about half."""
    svg = _GEOMETRY.sub(lambda m: _COORDINATE.sub(r"\1", m.group(0)), svg)
    svg = _CIRCLE.sub(r'<circle \1cx="\2" cy="\3" r="\4"', svg)
    head, _, body = svg.partition(">")  # keep the root element's own attributes
    body = _UNSTROKED_CIRCLE.sub(r"<circle \1", _HIDDEN.sub("", _INERT.sub("", body)))
    fonts = set(_FONT.findall(body))
    if len(fonts) == 1 and "font-family" not in head:
        head += f' font-family="{fonts.pop()}"'
        body = _FONT.sub("", body)
    return head + ">" + body


_SVG_ID = re.compile(r'id="((?:gradient|clip|pattern)_?\d+)"')


def _own_ids(svg: str, digest: str) -> str:
    """Ids inside the SVG (a colour legend's gradient) named after the chart, not after
    vl-convert's counter, which runs on across a kernel: the same chart gets the same ids
    whether drawn first or fifth (nbval and the two-build check compare them), and two charts on
    one page never share one."""
    names = {old: f"chs-{digest}-{i}" for i, old in enumerate(dict.fromkeys(_SVG_ID.findall(svg)))}
    for old, new in names.items():
        svg = re.sub(rf"\b{old}\b", new, svg)
    return svg


def _packed_spec(spec: dict) -> dict:
    """The spec as shipped in the page: each inline dataset as columns plus rows of values
    (field names once, not once per row) and floats to 6 significant figures, but never fewer
    than their whole part (a count of 1,234,567 stays exact in a tooltip). The browser script
    unpacks it before vega-embed sees it; the static SVG is drawn from the full spec."""

    def value(v):
        if not isinstance(v, float) or v == 0 or not math.isfinite(v):
            return v
        return round(v, max(0, 5 - math.floor(math.log10(abs(v)))))

    packed = dict(spec)
    if isinstance(spec.get("datasets"), dict):
        packed["datasets"] = {}
        for name, rows in spec["datasets"].items():
            if not all(isinstance(row, dict) for row in rows):
                packed["datasets"][name] = rows
                continue
            fields = sorted({k for row in rows for k in row})
            packed["datasets"][name] = {
                "fields": fields,
                "rows": [[value(row.get(k)) for k in fields] for row in rows],
            }
    return packed


def _json_for_html(obj) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


DOWNLOADS = "downloads"  # beside the executed notebook; the build publishes it with the page
LAZY_BYTES = 6_000  # a dataset larger than this is loaded when the chart turns interactive


def _write_once(payload: bytes, stored: str) -> str:
    """Write ``payload`` as ./downloads/``stored`` unless it is there (names carry a hash of
    the content, so an existing file is the same file); return its URL beside the page."""
    target = Path(DOWNLOADS) / stored
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
    return f"{DOWNLOADS}/{stored}"


def _lazy_datasets(spec: dict) -> dict:
    """Large inline datasets of the shipped spec written beside the page (under ./downloads/,
    named by a hash of their content) and named by URL instead: the static SVG already shows
    the chart, so the page carries the data only for the interactive view, fetched when it
    loads. Small datasets stay inline."""
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict):
        return spec
    lazy = {}
    for name, rows in datasets.items():
        payload = json.dumps(rows, sort_keys=True, separators=(",", ":")).encode("utf-8")
        if len(payload) <= LAZY_BYTES:
            continue
        stored = f"{hashlib.sha256(payload).hexdigest()[:12]}-chart-data.json"
        lazy[name] = _write_once(payload, stored)
    if not lazy:
        return spec
    out = dict(spec)
    out["datasets"] = {k: v for k, v in datasets.items() if k not in lazy}
    out["chs_lazy"] = lazy  # the browser script fetches these before drawing
    return out


def download_link(frame: pd.DataFrame, csv_name: str, label: str) -> str:
    """Write ``frame`` as CSV under ./downloads/ (named by a hash of its content, so runs never
    overwrite each other's files and re-runs give the same link) and return a link to it."""
    payload = frame.to_csv(index=False).encode("utf-8")
    stored = f"{hashlib.sha256(payload).hexdigest()[:10]}-{csv_name}"
    _write_once(payload, stored)
    size = (
        f"{vocabulary.fixed(len(payload) / 1024, 0)} KB"
        if len(payload) >= 1024
        else f"{len(payload)} bytes"
    )
    return (
        f'<a class="chs-download" download="{html.escape(csv_name)}" '
        f'href="{DOWNLOADS}/{html.escape(stored)}">{label} (CSV, {size})</a>'
    )


class Figure:
    """A chart ready for a notebook: static SVG, its spec, its source line and its data as CSV."""

    def __init__(
        self,
        chart: alt.TopLevelMixin,
        title: str,
        source: str,
        table: pd.DataFrame,
        csv_name: str,
        ship=None,
        svg_filter=None,
        static=None,
    ):
        """``ship``: turns the spec into the one the page carries; ``static``: into the one
        drawn as SVG (maps put their shared geometry inline); ``svg_filter``: a last pass over
        the static SVG."""
        self.spec = _clean(chart.to_dict())
        self.shipped = ship(self.spec) if ship else self.spec
        self.title = title
        self.source = source
        self.table = table
        self.csv_name = csv_name
        digest = hashlib.sha256(_json_for_html(self.shipped).encode()).hexdigest()[:10]
        self.element_id = f"chs-chart-{next(_ids)}-{digest}"
        drawn = static(self.spec) if static else self.spec
        svg = _own_ids(_lighter_svg(vlc.vegalite_to_svg(drawn, vl_version=VL_VERSION)), digest)
        self.svg = _svg_with_title(svg_filter(svg) if svg_filter else svg, title)

    summary: str = ""  # a sentence under the chart saying its finding in words (maps)
    kind: str = ""  # "map": drawn narrow, its caption beside it on a wide screen (chs.css)

    def _summary(self) -> str:
        return (
            f'<span class="chs-chart-summary">{html.escape(self.summary)}</span> '
            if self.summary
            else ""
        )

    def _repr_html_(self) -> str:
        return (
            f'<figure class="chs-chart{" chs-" + self.kind if self.kind else ""}" '
            f'id="{self.element_id}">'
            f'<div class="chs-chart-static">{self.svg}</div>'
            f'<script type="application/json" class="chs-chart-spec">'
            f"{_json_for_html(_lazy_datasets(_packed_spec(self.shipped)))}</script>"
            f'<figcaption class="chs-chart-caption">{self._summary()}'
            f"Source: {html.escape(self.source)}. "
            f"{download_link(self.table, self.csv_name, 'Download the data behind this chart')}"
            "</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": f"<Figure: {self.title}>"}


# an axis label of several lines: its text holds line breaks (``wrapped``), and the axis draws
# each line (``alt.Axis(labelExpr=LINES)``): a long name is wrapped, never cut with an ellipsis
LINES = "split(datum.label, '\\n')"


def wrapped(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, at spaces."""
    return "\n".join(textwrap.wrap(text, width)) or text


def line_count(labels: pd.Series) -> int:
    """The most lines any of ``labels`` (made by :func:`wrapped`) takes."""
    return int(labels.str.count("\n").max()) + 1 if len(labels) else 1


def figure(
    chart: alt.TopLevelMixin,
    *,
    title: str,
    subtitle: str,
    source: str,
    table: pd.DataFrame,
    csv_name: str,
    ship=None,
    svg_filter=None,
    static=None,
    width: int = COLUMN_WIDTH,
) -> Figure:
    """Set the chart's title (the finding) and subtitle (source and period) and render it,
    ``width`` pixels wide in all (the column's width unless narrower; titles wrap to it)."""
    share = width / COLUMN_WIDTH
    titled = chart.properties(
        title=alt.TitleParams(
            text=textwrap.wrap(title, int(TITLE_CHARS * share)),
            subtitle=textwrap.wrap(subtitle, int(SUBTITLE_CHARS * share)),
        ),
        description=title,
        width=width,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
    return Figure(
        titled, title, source, table, csv_name, ship=ship, svg_filter=svg_filter, static=static
    )


SHOWN_ROWS = 10  # a longer table shows this many rows and the rest in a collapsed dropdown
COLLAPSE_OVER = 15


def _table_html(shown: pd.DataFrame, numeric: list[bool], rows: slice) -> str:
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if n else ""}>{html.escape(str(c))}</th>'
        for c, n in zip(shown.columns, numeric, strict=True)
    )
    body = []
    for values in shown.iloc[rows].itertuples(index=False):
        cells = []
        for i, (v, n) in enumerate(zip(values, numeric, strict=True)):
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cls = ' class="num"' if n else ""
            cells.append(f"<{tag}{scope}{cls}>{html.escape(str(v))}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="chs-table-scroll" tabindex="0"><table class="chs-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


class Table:
    """A table for readers: labels and formats from ``chsreport.vocabulary``, text escaped, a
    CSV download of the raw values, and long tables collapsed after the first rows. A table with
    no rows is never drawn: the caption is followed by ``empty`` in a sentence."""

    def __init__(
        self,
        frame: pd.DataFrame,
        csv_name: str,
        caption: str = "",
        empty: str = "None.",
        columns: list[str] | None = None,
        shown: pd.DataFrame | None = None,
        print_only: bool = False,
    ):
        """``columns``: the columns shown, when the CSV should carry more than fits the page;
        ``shown``: a reader's arrangement of ``frame`` (e.g. one row per trust), the CSV still
        ``frame`` itself; ``print_only``: a table for the two-page briefing, wider than a web
        page's column and hidden there (the page shows the same figures in narrower tables)."""
        self.print_only = print_only
        self.frame = frame
        self.shown = shown if shown is not None else frame[columns] if columns else frame
        self.csv_name = csv_name
        self.caption = caption
        self.empty = empty

    def _repr_html_(self) -> str:
        caption = html.escape(self.caption)
        if self.frame.empty:
            return f'<p class="chs-table-empty">{caption} {html.escape(self.empty)}</p>'
        shown = vocabulary.for_readers(self.shown)
        numeric = vocabulary.numeric_columns(self.shown)
        n = len(shown)
        if n > COLLAPSE_OVER:
            tables = (
                _table_html(shown, numeric, slice(0, SHOWN_ROWS))
                + f'<details class="chs-table-more"><summary>Show the other {n - SHOWN_ROWS} '
                f"rows</summary>{_table_html(shown, numeric, slice(SHOWN_ROWS, n))}</details>"
            )
        else:
            tables = _table_html(shown, numeric, slice(0, n))
        link = download_link(self.frame, self.csv_name, "Download this table")
        return (
            f'<div class="chs-table-wrap{" chs-print-only" if self.print_only else ""}">{tables}'
            f'<p class="chs-table-caption">{caption + " " if caption else ""}{link}</p></div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": f"<Table: {len(self.frame)} rows>"}


def inputs_table(names: list[str], csv_name: str, caption: str = "") -> Table:
    """A chapter's inputs, at its end: what each holds, its publisher and period, in words.
    Files, licences and full sha256 hashes are in the CSV and on the Data sources page."""

    note = "Files, licences and sha256 hashes: the Data sources page and this CSV."
    return Table(
        manifest.inputs_table(names),
        csv_name,
        f"{caption} {note}".strip(),
        columns=["description", "publisher", "period"],
    )


def vega_bundle_js() -> str:
    """Vega, Vega-Lite and vega-embed as one script, wrapped in an IIFE so that its top-level
    names cannot clash with Sphinx's globals (``_`` among them)."""
    bundle = vlc.javascript_bundle(vl_version=VL_VERSION)
    header = "/* vega + vega-lite + vega-embed, bundled by vl-convert */"
    return f"{header}\n(function(){{\n{bundle}\n}})();\n"
