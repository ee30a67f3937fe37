"""Maps: ONS boundaries through the data layer, simplified without gaps, drawn like every chart.

Each boundary file is a manifest input (checked by sha256 like any other). Only English areas are
kept (codes starting "E": some Scottish and Northern Irish rings run the other way round and
would flood-fill the map). Shapes are simplified together with ``shapely.coverage_simplify``,
which moves each shared edge once, so neighbours keep a common border and no gaps open; every
exterior ring is then made clockwise, the order d3 and Vega-Lite expect.

A map is a ``charts.Figure``: static SVG drawn by vl-convert (its paths written with whole-pixel
relative coordinates, a third of the bytes), and a Vega-Lite spec for the interactive view. The
spec carries only the page's values; its geometry is a URL (``chs-maps/<layer>.json``) that the
browser script resolves to ``_static/maps/<layer>.json``, written once per book by the build and
shared by every page, as the Vega bundle is. Areas with no value are drawn grey ("no data"),
never dropped.
"""

from __future__ import annotations

import hashlib
import json
import re

import altair as alt
import pandas as pd
import shapely

from chsreport import vocabulary
from chsreport.data import boundaries, manifest
from chsreport.reading import charts

ATTRIBUTION = vocabulary.BOUNDARY_ATTRIBUTION
# England is taller than wide: at 440 px tall it is about 330 px wide, so a map is drawn 340 px
# wide in all, its legend below it. It then fits a phone's column (343 px at 375 px) whole; on a
# wider screen its caption stands beside it (chs.css, figure.chs-map).
MAP_WIDTH = 340
MAP_HEIGHT = 440
NO_DATA = "#DDDDDD"
# a map's words (area names, a printed map's legend) are at least this many pixels, so at one CSS
# pixel to three quarters of a point a briefing prints them at 8 pt or more
PRINT_FONT = 11


def _with_geometry(spec: dict, only: dict[str, set[str]] | None = None) -> dict:
    """The spec for vl-convert: each shared-geometry URL replaced by the features inline.
    ``only``: for a layer drawn in part (a locality's councils), just those areas' features; the
    picture is the same (the spec filters to them anyway) and vl-convert projects far fewer."""
    only = only or {}

    def inline(layer: str) -> list[dict]:
        keep = only.get(layer)
        return [
            f for f in boundaries.features(layer) if keep is None or f["properties"]["code"] in keep
        ]

    def swap(obj):
        if isinstance(obj, dict):
            url = obj.get("url")
            if isinstance(url, str) and url.startswith(boundaries.URL_PREFIX):
                return {"values": inline(url[len(boundaries.URL_PREFIX) : -len(".json")])}
            return {k: swap(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [swap(v) for v in obj]
        return obj

    return swap(spec)


def _map_chart(
    layer: str,
    values: pd.DataFrame,
    color: alt.Color,
    tooltip: list[alt.Tooltip],
    only: list[str] | None,
    outline: str | None,
    highlight: str | None,
    height: int,
    labels: bool = False,
    outline_only: list[str] | None = None,
    no_data: str = "no data",
    fit: tuple[str, str] | None = None,
    frame: tuple[float, float, float, float] | None = None,
    legend: dict | None = None,
) -> alt.LayerChart:
    """One map drawn with Vega-Lite: the areas, their borders and labels, and the legend.
    Long because the layers of one map (areas, borders, labels, legend) are drawn in the order
    they stack."""
    clip = frame is not None  # zoomed in: what lies beyond the frame is cut off
    fields = [c for c in values.columns if c != "code"]
    base = alt.Chart(boundaries.layer_geometry(layer))
    if only is not None:
        base = base.transform_filter(alt.FieldOneOfPredicate(field="properties.code", oneOf=only))
    joined = base.transform_lookup(
        lookup="properties.code",
        from_=alt.LookupData(
            data=alt.Data(values=values.to_dict("records")), key="code", fields=fields
        ),  # fmt: skip
    )
    has_value = f"isValid(datum[{json.dumps(fields[0])}])"
    # areas with no value: grey, labelled "no data" in the tooltip (each shape drawn once)
    grey = (
        joined.transform_filter(f"!({has_value})")
        .mark_geoshape(fill=NO_DATA, stroke="white", strokeWidth=0.4, clip=clip)
        .encode(tooltip=[alt.Tooltip("properties.name:N", title=f"Area ({no_data})")])
    )
    coloured = (
        joined.transform_filter(has_value)
        .mark_geoshape(stroke="white", strokeWidth=0.4, clip=clip)
        .encode(color=color, tooltip=[alt.Tooltip("properties.name:N", title="Area"), *tooltip])
    )
    layers = [grey, coloured]
    if highlight is not None:
        layers.append(
            alt.Chart(boundaries.layer_geometry(layer))
            .transform_filter(alt.FieldEqualPredicate(field="properties.code", equal=highlight))
            .mark_geoshape(fill=None, stroke="#111111", strokeWidth=1.6)
        )
    if outline is not None:
        lines = alt.Chart(boundaries.layer_geometry(outline))
        if outline_only is not None:
            lines = lines.transform_filter(
                alt.FieldOneOfPredicate(field="properties.code", oneOf=outline_only)
            )
        layers.append(lines.mark_geoshape(fill=None, stroke="#333333", strokeWidth=0.9, clip=clip))
    if labels:  # the areas' names (or ``labels``' words) inside each, on a white halo (``_HALO``)
        points = boundaries.label_points(layer)
        points = points[points["code"].isin(only if only is not None else points["code"])]
        if isinstance(labels, dict):
            points = points.assign(name=points["code"].map(labels)).dropna(subset=["name"])
        if fit is not None:
            points = boundaries.points_within(points, layer, fit)
        layers.append(
            alt.Chart(points)
            .mark_text(
                fontSize=PRINT_FONT,
                color="#111111",
                stroke="white",
                strokeWidth=2.5,
                strokeOpacity=0.8,
            )  # fmt: skip
            .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
        )
    projection = alt.Projection(type="mercator")
    if frame is not None:  # fitted to a bounding box: two corners suffice
        west, south, east, north = frame
        projection = alt.Projection(
            type="mercator",
            fit={
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]},
            },
        )
    # legends below the map, one entry a row, a colour ramp upright (its end labels never run
    # past the left edge): the map is narrow (MAP_WIDTH)
    return (
        alt.layer(*layers)
        .properties(projection=projection)
        .properties(height=height)
        .configure_legend(
            **(
                legend
                or {
                    "orient": "bottom",
                    "columns": 1,
                    "labelLimit": MAP_WIDTH - 40,
                    "titleLimit": MAP_WIDTH - 20,
                    "gradientDirection": "vertical",
                    "gradientLength": 110,
                }
            )
        )
    )


def _frame(layer: str, values: pd.DataFrame, fit: tuple[str, str]):
    """The bounding box (west, south, east, north) of the ``fit`` area and the valued areas."""
    shapes = [
        boundaries.simplified_shape(*fit),
        *(boundaries.simplified_shape(layer, code) for code in values["code"]),
    ]
    return shapely.union_all(shapes).bounds


def _shipped(spec: dict) -> dict:
    """The spec as shipped in the page: the values, repeated in each layer's lookup, kept once
    as a named dataset (the geometry is already a URL)."""
    datasets = dict(spec.get("datasets", {}))

    def swap(obj):
        if isinstance(obj, dict):
            if set(obj) == {"values"} and isinstance(obj["values"], list):
                rows = obj["values"]
                digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
                datasets[f"chs-values-{digest[:10]}"] = rows
                return {"name": f"chs-values-{digest[:10]}"}
            return {k: swap(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [swap(v) for v in obj]
        return obj

    out = swap({k: v for k, v in spec.items() if k != "datasets"})
    if datasets:
        out["datasets"] = datasets
    return out


_PATH = re.compile(r' d="([MLZ0-9.,\- ]+)"')
_TOKEN = re.compile(r"([MLZ])|(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def relative_path(d: str) -> str:
    """An SVG path of M/L/Z commands with whole-pixel relative coordinates ("m12,3 4,-1z"):
    about a third of the bytes, and no visible change at the size maps are drawn."""
    out: list[str] = []
    cx = cy = sx = sy = 0
    command = ""
    for match in _TOKEN.finditer(d):
        if match.group(1):
            command = match.group(1)
            if command == "Z":
                out.append("z")
                cx, cy = sx, sy
            continue
        x, y = round(float(match.group(2))), round(float(match.group(3)))
        dx, dy = x - cx, y - cy
        if command == "M":
            out.append(f"m{dx},{dy}")
            sx, sy = x, y
            command = "L"
        elif dx or dy:
            out.append(f"l{dx},{dy}" if out and out[-1] == "z" else f" {dx},{dy}")
        cx, cy = x, y
    return "".join(out).replace(" -", "-")


_SHAPES = re.compile(r'(<g class="mark-shape role-mark[^"]*")>(.*?)</g>', re.S)
_STROKE = re.compile(r' stroke="[^"]*" stroke-width="[^"]*"')


def _hoist_strokes(match: re.Match) -> str:
    """The same stroke on every area of a layer, written once on the layer's group."""
    head, body = match.group(1), match.group(2)
    strokes = set(_STROKE.findall(body))
    if len(strokes) != 1 or body.count("<path") != body.count(strokes.copy().pop()):
        return match.group(0)
    return f"{head}{strokes.pop()}>{_STROKE.sub('', body)}</g>"


# Area names carry a white stroke; painted under the letters (``paint-order``) it is a halo that
# keeps them legible on any fill. One text mark instead of a halo mark and a letters mark: each
# label costs vl-convert about 3 ms to lay out. The interactive view gets the same rule from
# _static/chs.css.
_HALO = re.compile(r'(<text[^>]* stroke="white")')


def compact_paths(svg: str) -> str:
    """Map SVG in fewer bytes: whole-pixel relative paths, no identity transforms, and each
    layer's common stroke on its group instead of on every area; name labels' halo under the
    letters."""
    svg = _PATH.sub(lambda m: f' d="{relative_path(m.group(1))}"', svg)
    svg = svg.replace(' transform="translate(0,0)"', "")
    svg = _HALO.sub(r'\1 paint-order="stroke"', svg)
    return _SHAPES.sub(_hoist_strokes, svg)


def _parts(
    layer: str, only: list[str] | None, outline: str | None, outline_only: list[str] | None
) -> dict[str, set[str]]:
    """The areas of each layer a map draws (all of a layer not named): its geometry inline."""
    parts = {layer: set(only)} if only is not None else {}
    if outline is not None and outline_only is not None:
        parts[outline] = set(outline_only)
    return parts


def choropleth(
    layer: str,
    values: pd.DataFrame,
    color: alt.Color,
    *,
    title: str,
    subtitle: str,
    source: str,
    csv_name: str,
    tooltip: list[alt.Tooltip] | None = None,
    only: list[str] | None = None,
    outline: str | None = None,
    highlight: str | None = None,
    height: int = MAP_HEIGHT,
    summary: str = "",
    labels: bool | dict[str, str] = False,
    outline_only: list[str] | None = None,
    no_data: str = "no data",
    fit: tuple[str, str] | None = None,
) -> charts.Figure:
    """A map of ``layer`` coloured by ``values`` (a frame keyed by ``code``, the layer's ONS
    codes). Areas with no value are grey. ``only``: draw just these areas (a locality's councils);
    ``outline``: another layer's borders drawn over the map (``outline_only``: just these of
    them); ``highlight``: one area outlined; ``labels``: the areas' names (or, a dict, each
    code's words: a number keyed in the caption); ``no_data``: what grey
    means, in words; ``fit`` (layer, code): the map zoomed to that area and the areas with a
    value, whatever lies beyond cut off (other areas are named on their part inside it)."""
    missing = set(values["code"]) - boundaries.codes(layer)
    if missing:
        raise manifest.SchemaError(
            f"map of {boundaries.LAYERS[layer].what}: {len(missing)} code(s) have no shape: "
            f"{sorted(missing)[:5]}"
        )
    drawn = set(only) if only is not None else boundaries.codes(layer)
    without = len(drawn - set(values["code"]))
    if without:  # say so: an area without a value is grey, never dropped
        subtitle = f"{subtitle} Grey: {no_data} ({without} {'area' if without == 1 else 'areas'})."
    chart = _map_chart(
        layer,
        values,
        color,
        tooltip or [],
        only,
        outline,
        highlight,
        height,
        labels,
        outline_only,
        no_data,
        fit,
        _frame(layer, values, fit) if fit is not None else None,
    )
    parts = _parts(layer, only, outline, outline_only)
    figure = charts.figure(
        chart,
        title=title,
        subtitle=subtitle,
        source=f"{source}. {ATTRIBUTION}",
        table=values,
        csv_name=csv_name,
        ship=_shipped,
        static=lambda spec: _with_geometry(spec, parts),
        svg_filter=compact_paths,
        width=MAP_WIDTH,
    )
    figure.kind = "map"
    # the finding in words under the map, so nothing is only in the picture
    figure.summary = summary or f"{title}."
    return figure


def print_svg(
    layer: str,
    values: pd.DataFrame,
    color: alt.Color,
    *,
    description: str,
    width: int,
    height: int,
    only: list[str] | None = None,
    outline: str | None = None,
    outline_only: list[str] | None = None,
    highlight: str | None = None,
    labels: bool | dict[str, str] = False,
    fit: tuple[str, str] | None = None,
) -> str:
    """A map for paper, as SVG ``width`` by about ``height`` pixels: no title (the page around it
    says what it shows), a legend along its foot, every word :data:`PRINT_FONT` pixels or more.
    ``description``: what it shows, its accessible title."""
    chart = _map_chart(
        layer,
        values,
        color,
        [],
        only,
        outline,
        highlight,
        height,
        labels,
        outline_only,
        "no data",
        fit,
        _frame(layer, values, fit) if fit is not None else None,
        legend={
            "orient": "bottom",
            "direction": "horizontal",
            "gradientLength": width - 60,
            "labelFontSize": PRINT_FONT,
            "titleFontSize": PRINT_FONT,
            "titleLimit": width,
        },
    ).properties(width=width, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    parts = _parts(layer, only, outline, outline_only)
    drawn = charts.Figure(
        chart, description, "", values, "print-map.csv",
        static=lambda spec: _with_geometry(spec, parts), svg_filter=compact_paths,
    )  # fmt: skip
    return drawn.svg
