"""The two maps of a locality page: where the ICB lies in England, and its councils."""

from __future__ import annotations

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


def council_map(icb: str, name: str, profile: dict) -> charts.Figure:
    """The ICB's councils by residents, named in the tooltip."""

    councils = profile["councils"]
    col = [c for c in councils.columns if c.startswith("population_")][0]
    values = pd.DataFrame({"code": councils["gss_code"], "residents": councils[col].astype(int)})
    # councils placed in a neighbouring ICB with part of their area here: drawn grey and named,
    # so that the ICB's boundary (drawn over the councils) never crosses blank space
    lsoas = geography.lsoa_places()
    partly = sorted(set(lsoas.loc[lsoas["icb_code"] == icb, "council_code"]) - set(values["code"]))
    small, large = councils.iloc[0], councils.iloc[-1]
    return maps.choropleth(
        "lad24_fine",
        values,
        alt.Color(
            "residents:Q",
            title=f"Residents, mid-{col.removeprefix('population_')}",
            scale=alt.Scale(scheme="purples"),
            legend=alt.Legend(format=",.0f") if len(councils) > 1 else None,
        ),
        title=(
            f"{name}'s {vocabulary.plural(len(councils), 'district or unitary council')}, from "
            f"{small['name']} ({vocabulary.whole(small[col])} residents) to {large['name']} "
            f"({vocabulary.whole(large[col])})"
            if len(councils) > 1
            else f"{name} has one unitary council, {small['name']} "
            f"({vocabulary.whole(small[col])} residents)"
        ),
        subtitle="Lower-tier and single-tier councils placed in this ICB (the ICB holding most "
        "of their small areas); dark line: the ICB's boundary.",
        source=scale_story.COUNCIL_SOURCE,
        csv_name=f"council_map_{icb}.csv",
        tooltip=[alt.Tooltip("residents:Q", title="Residents", format=",")],
        only=[*values["code"], *partly],
        no_data="placed in a neighbouring ICB, partly in this one",
        height=420,
        labels=True,
        outline="icb26_fine",
        outline_only=[icb_ons_code(icb)],
        fit=("icb26_fine", icb_ons_code(icb)),
    )
