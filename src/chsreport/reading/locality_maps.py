"""The two maps of a locality page: where the ICB lies in England, and its councils."""

from __future__ import annotations

import html

import altair as alt
import numpy as np
import pandas as pd

from chsreport import vocabulary
from chsreport.data import geography
from chsreport.reading import charts, maps, scale_story


# --------------------------------------------------------------------------- maps
def icb_ons_code(icb: str) -> str:
    """The ONS code (E54...) of a 2026 ICB given by its ODS code: the key of the boundaries."""
    icbs = geography.icb_populations_2026().set_index("icb_code")["icb_ons_code"]
    return icbs[icb]


def locator_map(icb: str, name: str) -> charts.Figure:
    """England's 36 ICBs with this one picked out."""

    icbs = geography.icb_populations_2026()
    values = pd.DataFrame(
        {
            "code": icbs["icb_ons_code"],
            "where": np.where(icbs["icb_code"] == icb, "This ICB", "Other ICBs"),
            "patients": icbs["patients"].astype(int),
        }
    )
    return maps.choropleth(
        "icb26",
        values,
        alt.Color(
            "where:N",
            title=None,
            scale=alt.Scale(domain=["This ICB", "Other ICBs"], range=["#D55E00", "#E8E8E8"]),
        ),
        title=f"Where {name} is",
        subtitle=f"England's {len(values)} ICBs (April 2026).",
        source=scale_story.REGISTERED_SOURCE,
        csv_name=f"locator_{icb}.csv",
        tooltip=[alt.Tooltip("patients:Q", title="Registered patients", format=",")],
        highlight=icb_ons_code(icb),
        height=300,
        summary=f"{name} is outlined on a map of England's {len(values)} ICBs.",
    )


def partly_here(icb: str, placed: list[str]) -> list[str]:
    """Councils placed in a neighbouring ICB with part of their area in this one: drawn grey,
    so that the ICB's boundary (drawn over the councils) never crosses blank space."""
    lsoas = geography.lsoa_places()
    return sorted(set(lsoas.loc[lsoas["icb_code"] == icb, "council_code"]) - set(placed))


def numbers(icb: str, profile: dict) -> pd.DataFrame:
    """The councils a map of the ICB labels, numbered: its own in order of name, then those of
    neighbouring ICBs with part of their area here. Columns: code, number, name, here."""
    councils = profile["councils"].sort_values("name")
    names = geography.councils().set_index("gss_code")["name"]
    others = partly_here(icb, list(councils["gss_code"]))
    others = sorted(others, key=lambda code: names.get(code, code))
    frame = pd.DataFrame(
        {
            "code": [*councils["gss_code"], *others],
            "name": [*councils["name"], *(names.get(c, c) for c in others)],
            "here": [True] * len(councils) + [False] * len(others),
        }
    )
    return frame.assign(number=range(1, len(frame) + 1))


def map_key(numbered: pd.DataFrame) -> str:
    """The numbers on a council map, in words: "1 Babergh; 2 Breckland; … 13 Fenland (placed in
    a neighbouring ICB)"."""
    return "; ".join(
        f"{r.number} {r.name}" + ("" if r.here else " (placed in a neighbouring ICB)")
        for r in numbered.itertuples()
    )


def residents(profile: dict) -> tuple[pd.DataFrame, str]:
    """The councils' residents to colour a map by (code, residents), and the column's name."""
    councils = profile["councils"]
    col = [c for c in councils.columns if c.startswith("population_")][0]
    values = pd.DataFrame({"code": councils["gss_code"], "residents": councils[col].astype(int)})
    return values, col


def council_map(icb: str, name: str, profile: dict) -> charts.Figure:
    """The ICB's councils by residents, numbered on the map with a key under it (one council:
    named), each named in the tooltip."""

    councils = profile["councils"]
    values, col = residents(profile)
    numbered = numbers(icb, profile)
    partly = list(numbered.loc[~numbered["here"], "code"])
    small, large = councils.iloc[0], councils.iloc[-1]
    title = (
        f"{name}'s {vocabulary.plural(len(councils), 'district or unitary council')}, from "
        f"{small['name']} ({vocabulary.whole(small[col])} residents) to {large['name']} "
        f"({vocabulary.whole(large[col])})"
        if len(councils) > 1
        else f"{name} has one unitary council, {small['name']} "
        f"({vocabulary.whole(small[col])} residents)"
    )
    labels = dict(zip(numbered["code"], numbered["number"].astype(str), strict=True))
    return maps.choropleth(
        "lad24_fine",
        values,
        alt.Color(
            "residents:Q",
            title=f"Residents, mid-{col.removeprefix('population_')}",
            scale=alt.Scale(scheme="purples"),
            legend=alt.Legend(format=",.0f") if len(councils) > 1 else None,
        ),
        title=title,
        subtitle="Lower-tier and single-tier councils placed in this ICB (the ICB holding most "
        "of their small areas); dark line: the ICB's boundary.",
        source=scale_story.COUNCIL_SOURCE,
        csv_name=f"council_map_{icb}.csv",
        tooltip=[alt.Tooltip("residents:Q", title="Residents", format=",")],
        only=[*values["code"], *partly],
        no_data="placed in a neighbouring ICB, partly in this one",
        height=420,
        labels=True if len(numbered) == 1 else labels,
        outline="icb26_fine",
        outline_only=[icb_ons_code(icb)],
        fit=("icb26_fine", icb_ons_code(icb)),
        summary=f"{title}." + ("" if len(numbered) == 1 else f" Numbers: {map_key(numbered)}."),
    )


# the briefing's maps, in CSS pixels (printed at three quarters of a point each): the council map
# beside its key, and England as a small inset over the key
PRINT_MAP = (320, 220)
PRINT_INSET = (120, 150)
KEY_ROWS = 14  # a map's key in one column up to this many councils, else in two


class PrintMaps:
    """The briefing's maps, printed only (hidden on the web page, which has its own): the
    councils numbered beside their key, and a small map of England locating the ICB."""

    def __init__(self, icb: str, name: str, profile: dict):
        values, col = residents(profile)
        self.numbered = numbers(icb, profile)
        only = list(self.numbered["code"])
        several = len(self.numbered) > 1
        self.councils = maps.print_svg(
            "lad24_fine", values,
            alt.Color("residents:Q", title=f"Residents, mid-{col.removeprefix('population_')}",
                      scale=alt.Scale(scheme="purples", domain=list(legend_values(values))),
                      legend=alt.Legend(format=",.0f", values=list(legend_values(values)))
                      if len(values) > 1 else None),
            description=f"{name}'s councils by residents, numbered as in the key",
            width=PRINT_MAP[0], height=PRINT_MAP[1], only=only, outline="icb26_fine",
            outline_only=[icb_ons_code(icb)], fit=("icb26_fine", icb_ons_code(icb)),
            labels=dict(zip(self.numbered["code"], self.numbered["number"].astype(str),
                            strict=True)) if several else True,
        )  # fmt: skip
        icbs = geography.icb_populations_2026()
        where = pd.DataFrame(
            {"code": icbs["icb_ons_code"], "here": np.where(icbs["icb_code"] == icb, "y", "n")}
        )
        self.england = maps.print_svg(
            "icb26", where,
            alt.Color("here:N", scale=alt.Scale(domain=["y", "n"], range=["#D55E00", "#E8E8E8"]),
                      legend=None),
            description=f"Where {name} is in England", width=PRINT_INSET[0],
            height=PRINT_INSET[1], highlight=icb_ons_code(icb),
        )  # fmt: skip
        self.several = several

    def _repr_html_(self) -> str:
        key = "".join(
            f'<li><span class="n">{r.number}</span> {html.escape(r.name)}'
            + ("" if r.here else " <em>(neighbouring ICB)</em>")
            + "</li>"
            for r in self.numbered.itertuples()
        )
        # in two columns, down then across, when the list is long
        rows = len(self.numbered) if len(self.numbered) <= KEY_ROWS else -(-len(self.numbered) // 2)
        listing = (
            f'<ol class="chs-map-key" style="grid-template-rows: repeat({rows}, auto)">{key}</ol>'
            if self.several
            else ""
        )
        return (
            '<div class="chs-print-only chs-print-maps">'
            f'<div class="chs-print-map">{self.councils}</div>'
            f'<div class="chs-print-side"><div class="chs-print-inset">{self.england}'
            "<p>Where it lies in England</p></div>"
            f"{listing}</div></div>"
        )

    def __repr__(self) -> str:
        return f"<Maps for the briefing: {len(self.numbered)} councils>"


def legend_values(values: pd.DataFrame) -> tuple[int, int]:
    """The two ends of a printed map's colour scale and legend: the fewest and most residents,
    rounded out to a thousand (so the legend's end labels sit flush with its ends)."""
    low, high = values["residents"].min(), values["residents"].max()
    return int(np.floor(low / 1000) * 1000), int(np.ceil(high / 1000) * 1000)
