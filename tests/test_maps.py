"""Maps: boundaries join completely, rings run the right way, geometry is shared, not shipped."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from chsreport.analysis import params, scale
from chsreport.data import boundaries, geography, ods
from chsreport.reading import charts, locality_maps, maps, scale_maps


def test_every_2026_icb_and_english_council_has_its_shape():
    icbs = ods.load_icbs()
    assert set(icbs["icb_ons_code"]) == boundaries.codes("icb26")
    councils = geography.councils()
    lower = councils[councils["tier"] != "county"]
    assert (
        set(lower["gss_code"]) == boundaries.codes("lad24")
        and len(boundaries.codes("lad24")) == 296
    )
    assert len(boundaries.codes("sicbl23")) == 106 and len(boundaries.codes("icb23")) == 42


def test_only_english_areas_and_clockwise_exterior_rings():
    import shapely
    from shapely.geometry import shape

    for layer in boundaries.LAYERS:
        for feature in boundaries.features(layer):
            assert feature["properties"]["code"].startswith("E")
            geometry = shape(feature["geometry"])
            polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
            for polygon in polygons:  # d3 wants exterior rings clockwise (signed area < 0)
                assert not shapely.is_ccw(polygon.exterior), feature["properties"]["code"]


def _path_boxes(svg: str):
    for d in re.findall(r' d="([^"]+)"', svg):
        x = y = 0
        xs, ys = [], []
        for cmd, a, b in re.findall(r"([ml]?)(-?\d+),(-?\d+)", d):
            x, y = (int(a), int(b)) if cmd == "m" and not xs else (x + int(a), y + int(b))
            xs.append(x)
            ys.append(y)
        if xs:
            yield max(xs) - min(xs), max(ys) - min(ys)


def test_path_boxes_reads_paths():
    assert list(_path_boxes('<path d="m0,0 10,0 0,5z"/>')) == [(10, 5)]


def test_a_map_fills_areas_not_the_frame_and_ships_no_geometry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    figure = scale_maps.icb_map()
    width = int(re.search(r'width="(\d+)"', figure.svg).group(1))
    height = int(re.search(r'height="(\d+)"', figure.svg).group(1))
    # a ring the wrong way round fills the whole world: one path covering the frame
    assert len(list(_path_boxes(figure.svg))) >= 36
    assert all(w < 0.9 * width or h < 0.9 * height for w, h in _path_boxes(figure.svg))
    shipped = json.dumps(figure.shipped)
    assert "coordinates" not in shipped and "chs-maps/icb26.json" in shipped
    assert "chs-maps/icb23.json" in shipped  # the 2022 borders drawn over it
    html = figure._repr_html_()
    assert "Office for National Statistics" in html and "Crown copyright" in html
    assert f'<span class="chs-chart-summary">{figure.title}.</span>' in html.replace("&#x27;", "'")


def test_areas_without_a_value_are_drawn_grey_not_dropped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    some = sorted(boundaries.codes("icb26"))[:3]
    figure = maps.choropleth(
        "icb26",
        pd.DataFrame({"code": some, "value": [1.0, 2.0, 3.0]}),
        alt.Color("value:Q"),
        title="t",
        subtitle="s",
        source="x",
        csv_name="x.csv",
    )
    assert figure.svg.count(f'fill="{maps.NO_DATA}"') == len(boundaries.codes("icb26")) - 3
    with pytest.raises(Exception, match="no shape"):
        maps.choropleth(
            "icb26",
            pd.DataFrame({"code": ["E99999999"], "value": [1.0]}),
            alt.Color("value:Q"),
            title="t",
            subtitle="s",
            source="x",
            csv_name="x.csv",
        )


def test_relative_paths_keep_the_shape():
    assert maps.relative_path("M10.4,20.6L15,20L15,30Z") == "m10,21 5,-1 0,10z"
    assert maps.relative_path("M1,1L2,2ZM5,5L6,6Z") == "m1,1 1,1zm4,4 1,1z"


def test_shared_geometry_file_is_compact_json():
    payload = json.loads(boundaries.geometry_json("icb26"))
    assert payload["type"] == "FeatureCollection" and len(payload["features"]) == 36
    assert len(boundaries.geometry_json("lad24")) < 400_000


def test_every_english_council_has_a_band_and_pcns_find_their_sub_icb_shape():
    bands = scale_maps.district_bands(2024)
    assert set(bands["code"]) == boundaries.codes("lad24")
    assert (bands.loc[bands["tier"] != "district", "band"] == scale_maps.SINGLE_TIER).all()
    districts = bands[bands["tier"] == "district"]
    for label, (low, high) in scale_maps.DISTRICT_BANDS.items():  # lower edge in, upper edge out
        mine = districts.loc[districts["band"] == label, "residents"]
        assert ((mine >= low) & (mine < high)).all()
    # PCN medians joined on the practice map's ONS code: the 2026 sub-ICB locations with a
    # 2023 shape are all drawn; the three created or redrawn in 2026 are named, not misplaced
    figure = scale_maps.pcn_map([30_000, 70_000])
    placed = set(figure.table["code"])
    ons = set(geography.load_practice_map_2026()["sub_icb_ons_code"])
    assert placed == ons & boundaries.codes("sicbl23") and len(placed) == 103
    subtitle = " ".join(figure.spec["title"]["subtitle"])
    assert "U2G6B" in subtitle and "(3 areas)" in subtitle


def test_compact_paths_hoists_a_common_stroke_and_drops_identity_transforms():
    svg = (
        '<g class="mark-shape role-mark layer_1_marks">'
        '<path transform="translate(0,0)" d="M1,1L2,2Z" fill="#111" stroke="white" '
        'stroke-width="0.4"/><path transform="translate(0,0)" d="M5,5L6,6Z" fill="#222" '
        'stroke="white" stroke-width="0.4"/></g>'
    )
    out = maps.compact_paths(svg)
    assert out == (
        '<g class="mark-shape role-mark layer_1_marks" stroke="white" stroke-width="0.4">'
        '<path d="m1,1 1,1z" fill="#111"/><path d="m5,5 1,1z" fill="#222"/></g>'
    )


def test_a_part_map_is_drawn_from_its_own_areas_alone_and_the_picture_is_the_same():
    import vl_convert as vlc

    some = sorted(boundaries.codes("lad24_fine"))[:4]
    figure = maps.choropleth(
        "lad24_fine",
        pd.DataFrame({"code": some, "value": [1.0, 2.0, 3.0, 4.0]}),
        alt.Color("value:Q"),
        title="t",
        subtitle="s",
        source="x",
        csv_name="x.csv",
        only=some,
        labels=True,
    )
    inline = json.dumps(maps._with_geometry(figure.spec, {"lad24_fine": set(some)}))
    assert all(code in inline for code in some)
    assert (
        sum(inline.count(f'"{code}"') for code in boundaries.codes("lad24_fine") - set(some)) == 0
    )
    whole = vlc.vegalite_to_svg(maps._with_geometry(figure.spec), vl_version=charts.VL_VERSION)
    part = vlc.vegalite_to_svg(json.loads(inline), vl_version=charts.VL_VERSION)
    ids = re.compile(r"gradient_\d+")
    assert ids.sub("g", whole) == ids.sub("g", part)
    # names: one text mark each, its white stroke painted under the letters (a halo)
    assert figure.svg.count('paint-order="stroke"') == len(some)


def test_a_council_split_between_icbs_is_drawn_grey_named_and_cut_at_the_frame(
    tmp_path, monkeypatch
):

    monkeypatch.chdir(tmp_path)
    bands = params.validate("scale", {"neighbourhood_max": 50000})
    profile = scale.icb_profile("QOX", bands, 2024)  # part of Vale of White Horse lies in BSW
    figure = locality_maps.council_map("QOX", "BSW", profile)
    assert len(profile["councils"]) == 3
    assert figure.svg.count(f'fill="{maps.NO_DATA}"') == 1
    # numbered on the map, its own councils by name first, and keyed under it
    numbered = locality_maps.numbers("QOX", profile)
    assert numbered["name"].tolist()[-1] == "Vale of White Horse"
    assert numbered["number"].tolist() == [1, 2, 3, 4]
    assert numbered["name"].iloc[:3].is_monotonic_increasing
    assert ">4</text>" in figure.svg and ">Vale of White Horse</text>" not in figure.svg
    assert "4 Vale of White Horse (placed in a neighbouring ICB)." in figure.summary
    subtitle = " ".join(figure.spec["title"]["subtitle"])
    assert subtitle.endswith("Grey: placed in a neighbouring ICB, partly in this one (1 area).")
    # zoomed to the ICB and its councils: the frame is fitted to them, the rest is cut off
    assert figure.spec["projection"]["fit"]["geometry"]["type"] == "MultiPoint"
    assert all(layer["mark"].get("clip") for layer in figure.spec["layer"][:2])
    # the neighbour's name sits on its part inside the ICB
    icb = boundaries.simplified_shape("icb26_fine", locality_maps.icb_ons_code("QOX"))
    from shapely.geometry import Point

    points = boundaries.points_within(
        boundaries.label_points("lad24_fine").query("name == 'Vale of White Horse'"),
        "lad24_fine",
        ("icb26_fine", locality_maps.icb_ons_code("QOX")),
    )
    assert icb.contains(Point(points["lon"].iloc[0], points["lat"].iloc[0]))


def test_the_briefing_maps_number_the_councils_beside_a_key_with_words_of_11_px_or_more(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    bands = params.validate("scale", {"neighbourhood_max": 50000})
    profile = scale.icb_profile("QOX", bands, 2024)
    printed = locality_maps.PrintMaps("QOX", "BSW", profile)._repr_html_()
    assert printed.startswith('<div class="chs-print-only chs-print-maps">')
    assert '<li><span class="n">4</span> Vale of White Horse <em>(neighbouring ICB)</em></li>' in (
        printed
    )
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', printed)]
    assert sizes and min(sizes) >= maps.PRINT_FONT  # 8 pt or more at one pixel to 0.75 pt
    assert "<title>Where BSW is in England</title>" in printed  # the inset says what it shows
    # one council: named on the map, no key
    single = scale.icb_profile("QSL", bands, 2024)
    alone = locality_maps.PrintMaps("QSL", "Somerset", single)._repr_html_()
    assert "chs-map-key" not in alone and ">Somerset</text>" in alone
