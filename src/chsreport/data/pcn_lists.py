"""Primary care networks: which entries of NHS England's PCN list are networks (not services
listed as PCNs), their registered populations and the counts of neighbourhoods per ICB.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport.data import geography

UNALLOCATED_PCN = "U"  # practices in no PCN are listed under the pseudo-code "U"

# Which entries of NHS England's PCN list count as networks: the rule, in one place.
# An entry is left out of every PCN figure when (first reason that applies):
#  - it is the pseudo-code for practices in no PCN;
#  - no practice in the practice map names it as its PCN (it has no practices of its own, so any
#    patients it lists belong to practices counted under their own PCNs);
#  - its name marks a service rather than a network (a service word and no network name).
# Names are not read for hubs, federations or "at scale" providers: real networks are called
# Alliance, Group, Collaborative, Hub or Ltd. A service label ahead of a network's name is dropped
# from the name shown: August 2026 names Barnsley PCN (U16464, "BARNSLEY PCN" in January 2022,
# the same practices, all of Barnsley's) "FCP SERVICE - BARNSLEY PCN".
SERVICE_WORDS = re.compile(r"\b(?:SERVICES?|FCP|PHYSIO\w*|FIRST CONTACT)\b", re.IGNORECASE)
NOT_A_NETWORK = {
    "pseudo": "pseudo-code for practices in no PCN",
    "no_practices": "no practice names it as its PCN",
    "service": "named as a service, not a network",
}


def network_name(name: str) -> str:
    """A PCN's name without a service label put ahead of it ("FCP SERVICE - BARNSLEY PCN" ->
    "BARNSLEY PCN"); other names unchanged."""
    label, dash, rest = name.partition(" - ")
    if dash and SERVICE_WORDS.search(label) and rest.strip() and not SERVICE_WORDS.search(rest):
        return rest.strip()
    return name


def classify_pcn_entries(sizes: pd.DataFrame, practice_map: pd.DataFrame) -> pd.DataFrame:
    """Every PCN entry of the list-size file (``org_type`` PCN) with its name as published, the
    name shown (:func:`network_name`), patients, practices in the practice map, and ``reason``:
    the :data:`NOT_A_NETWORK` reason it is left out, or "" for a network."""
    entries = sizes.loc[sizes["org_type"] == "PCN", ["org_code", "patients"]]
    out = entries.rename(columns={"org_code": "pcn_code"}).reset_index(drop=True)
    named = practice_map.drop_duplicates("pcn_code").set_index("pcn_code")["pcn_name"]
    members = practice_map.groupby("pcn_code")["practice_code"].nunique()
    out["published_name"] = out["pcn_code"].map(named).fillna(out["pcn_code"])
    out["pcn_name"] = out["published_name"].map(network_name)
    out["practices"] = out["pcn_code"].map(members).fillna(0).astype("int64")
    out["reason"] = np.select(
        [
            out["pcn_code"] == UNALLOCATED_PCN,
            out["practices"] == 0,
            out["pcn_name"].str.contains(SERVICE_WORDS),
        ],
        [NOT_A_NETWORK["pseudo"], NOT_A_NETWORK["no_practices"], NOT_A_NETWORK["service"]],
        default="",
    )
    return out


@lru_cache(maxsize=1)
def pcn_entries() -> pd.DataFrame:
    """:func:`classify_pcn_entries` on the August 2026 files."""
    return classify_pcn_entries(
        geography.load_list_sizes_2026(), geography.load_practice_map_2026()
    )


def excluded_pcns() -> pd.DataFrame:
    """The entries of the PCN list left out of every PCN figure, with the reason (code, name as
    published, patients, practices, reason)."""
    entries = pcn_entries()
    out = entries[entries["reason"] != ""]
    out = out[["pcn_code", "published_name", "patients", "practices", "reason"]]
    return out.rename(columns={"published_name": "pcn_name"}).reset_index(drop=True)


def pcn_populations() -> pd.DataFrame:
    """PCNs (August 2026) with registered patients, their sub-ICB location and ICB (where most of
    their practices are; ``cross_border`` marks PCNs whose practices span ICBs) and the rurality
    of that sub-ICB location (PCNs have no boundaries of their own). Entries that are not
    networks (:func:`excluded_pcns`, including the practices in no PCN) are left out, and names
    are shown without a service label (:func:`network_name`)."""
    entries = pcn_entries()
    out = entries.loc[entries["reason"] == "", ["pcn_code", "pcn_name", "patients"]].copy()
    pm = geography.load_practice_map_2026()
    pm = pm[pm["pcn_code"].isin(out["pcn_code"])]
    main = (
        pm.groupby(["pcn_code", "sub_icb_code", "icb_code", "icb_name"])
        .size()
        .rename("practices")
        .reset_index()
        .sort_values(["pcn_code", "practices"], ascending=[True, False])
        .drop_duplicates("pcn_code")
        .set_index("pcn_code")
    )
    spans = pm.groupby("pcn_code")["icb_code"].nunique()
    for col in ("sub_icb_code", "icb_code", "icb_name"):
        out[col] = out["pcn_code"].map(main[col])
    out["cross_border"] = out["pcn_code"].map(spans) > 1
    rurality = geography.rural_share("sub_icb_code").set_index("sub_icb_code")
    out["rurality"] = out["sub_icb_code"].map(rurality["rurality"])
    return out.sort_values("patients").reset_index(drop=True)


def unallocated_patients() -> int:
    """Registered patients at practices in no PCN."""
    sizes = geography.load_list_sizes_2026()
    rows = sizes[(sizes["org_type"] == "PCN") & (sizes["org_code"] == UNALLOCATED_PCN)]
    return int(rows["patients"].sum())


def pcn_band_summary(low: float, high: float) -> dict:
    """Share of PCNs with ``low`` to ``high`` registered patients, the median and the outliers."""
    pcns = pcn_populations()
    inside = pcns["patients"].between(low, high)
    return {
        "count": len(pcns),
        "inside": int(inside.sum()),
        "share_inside": inside.mean(),
        "below": int((pcns["patients"] < low).sum()),
        "above": int((pcns["patients"] > high).sum()),
        "median": float(pcns["patients"].median()),
        "low": low,
        "high": high,
    }


def neighbourhoods_per_icb(size: float) -> pd.DataFrame:
    """How many neighbourhoods of ``size`` registered patients each 2026 ICB would hold."""
    icbs = geography.icb_populations_2026()
    return icbs.assign(neighbourhoods=(icbs["patients"] / size).round(1))
