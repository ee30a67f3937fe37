"""ONS boundaries through the data layer, simplified without gaps.

Each boundary file is a manifest input (checked by sha256 like any other). Only English areas are
kept (codes starting "E": some Scottish and Northern Irish rings run the other way round and
would flood-fill the map). Shapes are simplified together with ``shapely.coverage_simplify``,
which moves each shared edge once, so neighbours keep a common border and no gaps open; every
exterior ring is then made clockwise, the order d3 and Vega-Lite expect. The shared geometry
files the book ships (``geometry_json``) are written from here; maps are drawn by
:mod:`chsreport.reading.maps`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import altair as alt
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from chsreport.data import manifest

# degrees; about 2 km, about a pixel on a map of England drawn at the book's map size (460 px)
TOLERANCE = 0.025
PRECISION = 0.001  # degrees kept in the shared geometry (about 100 m)
URL_PREFIX = "chs-maps/"


@dataclass(frozen=True)
class Layer:
    input: str  # manifest name
    code: str  # property holding the ONS code
    name: str  # property holding the name
    what: str  # plain words for captions
    tolerance: float = TOLERANCE


LAYERS: dict[str, Layer] = {
    "icb26": Layer("ons_icb_2026_04", "ICB26CD", "ICB26NM", "ICBs of April 2026"),
    "icb23": Layer("ons_icb_2023_04", "ICB23CD", "ICB23NM", "ICBs of 2022-2026"),
    "sicbl23": Layer("ons_sicbl_2023_04", "SICBL23CD", "SICBL23NM", "sub-ICB locations (2023)"),
    "lad24": Layer("ons_lad_2024_05", "LAD24CD", "LAD24NM", "councils (May 2024)"),
    # councils drawn for one ICB, zoomed in about four times: four times finer
    "lad24_fine": Layer(
        "ons_lad_2024_05", "LAD24CD", "LAD24NM", "councils (May 2024)", TOLERANCE / 4
    ),
    # an ICB's outline over its councils: as fine as they are
    "icb26_fine": Layer(
        "ons_icb_2026_04", "ICB26CD", "ICB26NM", "ICBs of April 2026", TOLERANCE / 4
    ),
    "nhser24": Layer("ons_nhser_2024_01", "NHSER24CD", "NHSER24NM", "NHS England regions"),
}


def _clockwise(geometry):
    if geometry.geom_type == "Polygon":
        return orient(geometry, sign=-1.0)
    return shapely.MultiPolygon([orient(p, sign=-1.0) for p in geometry.geoms])


GEOMETRY_VERSION = "1"  # bump when the simplification below changes


@cache
def features(layer: str) -> tuple[dict, ...]:
    """The layer's English areas as GeoJSON features (properties: code, name), simplified
    together (no gaps between neighbours), exterior rings clockwise, coordinates rounded.
    Kept in the data cache, keyed by the file's sha256 and the simplification, so each
    notebook's kernel reads it instead of simplifying again."""
    spec = LAYERS[layer]
    out = manifest.cached_json(
        spec.input,
        lambda path: _simplified(spec, json.loads(path.read_text(encoding="utf-8"))),
        f"{spec.code}-{spec.tolerance}-{PRECISION}-v{GEOMETRY_VERSION}",
    )
    return tuple(out)


def _simplified(spec: Layer, raw: dict) -> list[dict]:
    kept = [f for f in raw["features"] if str(f["properties"].get(spec.code, "")).startswith("E")]
    if not kept:
        raise manifest.SchemaError(f"{spec.input}: no English areas under {spec.code!r}")
    shapes = np.array([shape(f["geometry"]) for f in kept], dtype=object)
    simple = shapely.coverage_simplify(shapes, spec.tolerance)
    out = []
    for f, geometry in zip(kept, simple, strict=True):
        geometry = shapely.set_precision(_clockwise(geometry), PRECISION)
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "code": f["properties"][spec.code],
                    "name": f["properties"][spec.name],
                },
                "geometry": mapping(_clockwise(geometry)),
            }
        )
    return out


def simplified_shape(layer: str, code: str):
    return shapes(layer)[code]


@cache
def shapes(layer: str) -> dict:
    """The layer's areas as shapely geometries, by code."""
    return {f["properties"]["code"]: shape(f["geometry"]) for f in features(layer)}


@cache
def label_points(layer: str) -> pd.DataFrame:
    """A point inside each area (for its name on the map): code, name, lon, lat."""
    rows = []
    for f in features(layer):
        point = shape(f["geometry"]).representative_point()
        rows.append({**f["properties"], "lon": round(point.x, 4), "lat": round(point.y, 4)})
    return pd.DataFrame(rows)


def points_within(points: pd.DataFrame, layer: str, within: tuple[str, str]) -> pd.DataFrame:
    """``points`` with each area reaching outside the ``within`` area (layer, code) labelled on
    its part inside it."""
    frame = simplified_shape(*within)
    points = points.copy()
    for i, code in zip(points.index, points["code"], strict=True):
        area = simplified_shape(layer, code)
        if not frame.contains(area) and area.intersects(frame):
            inside = area.intersection(frame)
            if inside.area > 0:
                point = inside.representative_point()
                points.loc[i, ["lon", "lat"]] = [round(point.x, 4), round(point.y, 4)]
    return points


def codes(layer: str) -> set[str]:
    return {f["properties"]["code"] for f in features(layer)}


def geometry_json(layer: str) -> bytes:
    """The shared geometry file for the interactive maps (``_static/maps/<layer>.json``)."""
    collection = {"type": "FeatureCollection", "features": list(features(layer))}
    return json.dumps(collection, separators=(",", ":")).encode("utf-8")


def layer_geometry(layer: str) -> alt.UrlData:
    """The layer as the page's spec names it: a URL (resolved by the browser script), so the
    chart never carries its geometry through Altair; ``_with_geometry`` puts it back for the
    static render."""
    return alt.UrlData(
        url=f"{URL_PREFIX}{layer}.json", format=alt.DataFormat(type="json", property="features")
    )
