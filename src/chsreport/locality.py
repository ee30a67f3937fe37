"""One ICB's page: its layers, the trusts that serve it, how its community services are run, its
acute trusts' flow against England and their peers, and ICB-level discharge and virtual-ward
figures. Everything is composed from the functions of the three chapters; data published for the
42 ICBs of 2022 are carried to today's 36 by registered-population shares.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from chsreport import charts, data, geography, integration, lineage, orgs, outcomes, params, scale

INPUTS = [
    "gp_age_2026_08",
    "gp_practice_map_2026_08",
    "la_register",
    "ons_mye_2024",
    "ons_lsoa11_icb22",
    "ons_ruc21_ltla24",
    "ods_etr_2026_07",
    "ods_succ_2026_05",
    "trust_list_2026_08",
    "ohid_catchment_share_icb22",
    "flow_ctr_daily",
    "flow_beds_monthly",
    "flow_ae_monthly",
    "flow_ae_attribution",
    "flow_sitrep_long",
    "flow_icb_ctr_daily",
    "virtual_wards_icb",
]
PERIOD = ("2022-04", "2025-07")  # months with both discharge and A&E data
LOCALITY_SOURCE = "NHS England sitreps, A&E statistics and GP registrations; ONS; NHS ODS"


@lru_cache(maxsize=1)
def shared() -> dict:
    """Data every locality page uses, loaded once per kernel."""
    od = lineage.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration.acute_trust_codes(panel)
    groups = integration.classify(od, acute, "default")
    fates = lineage.community_fates(od)
    return {"od": od, "panel": panel, "groups": groups, "fates": fates}


def icb22_weights() -> pd.DataFrame:
    """Share of each 2022 ICB's registered patients (2026 lists) now in each 2026 ICB."""
    mergers = geography.icb_mergers_2026()
    totals = mergers.groupby("icb22_code")["patients"].transform("sum")
    return mergers.assign(weight=mergers["patients"] / totals)[["icb22_code", "icb_code", "weight"]]


def carry_icb22(frame: pd.DataFrame, key: str, values: list[str]) -> pd.DataFrame:
    """Sum ICB (2022) figures into 2026 ICBs, splitting a divided ICB by population share."""
    weighted = frame.merge(icb22_weights(), left_on=key, right_on="icb22_code")
    weighted[values] = weighted[values].mul(weighted["weight"], axis=0)
    by = [c for c in frame.columns if c not in values and c != key]
    return weighted.groupby(["icb_code", *by], as_index=False)[values].sum()


def parse_icb_ctr(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype={"icb22_code": str})
    data.require_columns(raw, ["icb22_code", "date", "do_not_meet_criteria_to_reside"], path.name)
    raw["month"] = pd.to_datetime(raw["date"], format="%Y-%m-%d").dt.to_period("M").dt.start_time
    out = raw.groupby(["icb22_code", "month"], as_index=False)["do_not_meet_criteria_to_reside"]
    return out.mean()


def parse_virtual_wards(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    names = {
        "month_start": "month",
        "icb_code": "icb22_code",
        "virtual_ward_capacity": "capacity",
        "patients_in_a_virtual_ward": "patients",
    }
    frame = data.select_columns(raw, names, path.name)
    frame = frame[frame["icb22_code"].str.match(r"^Q[A-Z0-9]{2}$")].copy()
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d").astype("datetime64[ns]")
    for column in ("capacity", "patients"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def icb_discharge_delays() -> pd.DataFrame:
    """Monthly mean patients not meeting the criteria to reside per 100,000 registered patients,
    by 2026 ICB."""
    raw = data.cached_frame("flow_icb_ctr_daily", parse_icb_ctr)
    raw = raw.assign(icb22_code=geography.icb22_ods_codes(raw["icb22_code"]))
    carried = carry_icb22(raw, "icb22_code", ["do_not_meet_criteria_to_reside"])
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    carried["per_100k"] = (
        1e5 * carried["do_not_meet_criteria_to_reside"] / carried["icb_code"].map(patients)
    )
    return carried


def icb_virtual_wards() -> pd.DataFrame:
    """Virtual ward capacity and patients per 100,000 registered patients, by 2026 ICB and month."""
    raw = data.cached_frame("virtual_wards_icb", parse_virtual_wards)
    carried = carry_icb22(raw, "icb22_code", ["capacity", "patients"])
    patients = geography.icb_populations_2026().set_index("icb_code")["patients"]
    carried["capacity_per_100k"] = 1e5 * carried["capacity"] / carried["icb_code"].map(patients)
    carried["occupancy"] = 100 * carried["patients"] / carried["capacity"]
    return carried


def serving_trusts(icb: str, min_share: float = 0.1) -> pd.DataFrame:
    """Acute trusts drawing at least ``min_share`` of their patients from the ICB's 2022 areas,
    and other trusts headquartered in it, with type and status."""
    od = shared()["od"]
    shares = outcomes.load_catchment_shares()
    shares = shares.assign(icb22_code=geography.icb22_ods_codes(shares["icb22_ons_code"]))
    weights = icb22_weights()
    parts = weights[weights["icb_code"] == icb]
    here = shares.merge(parts, on="icb22_code")
    here["share"] = here["share"] * here["weight"]
    here = here.assign(code=lineage.to_current(od.graph, here["code"]))
    here = here.groupby("code", as_index=False)["share"].sum()
    acute = here[here["share"] >= min_share].rename(columns={"share": "share_from_icb"})
    based = od.register[(od.register["icb_code"] == icb) & od.register["close_date"].isna()]
    codes = sorted(set(acute["code"]) | set(based["code"]))
    names = od.register.set_index("code")
    rows = []
    for code in codes:
        base, _ = orgs.type_on(code, od.as_of, od.evidence)
        kind = lineage.integrated_type(base, code, od.as_of, od)
        share = acute.set_index("code")["share_from_icb"].get(code, np.nan)
        steps = (
            [
                f"{a} ({attrs['date']:%Y})"
                for a, _, attrs in od.graph.in_edges(code, data=True)
                if attrs["date"] >= lineage.TCS_DATE
            ]
            if code in od.graph
            else []
        )
        rows.append(
            {
                "code": code,
                "name": names["name"].get(code, code),
                "type": orgs.TYPE_LABELS[kind],
                "headquartered_here": code in set(based["code"]),
                "share_of_patients_from_icb": round(share, 3) if pd.notna(share) else None,
                "took_in_since_2011": ", ".join(steps),
            }
        )
    return pd.DataFrame(rows)


def community_organisation(icb: str) -> dict:
    """How the ICB's community services are run: its acute trusts' groups, the NHS trusts that
    report community beds from it, and what happened to its standalone community trusts."""
    s = shared()
    od, groups, fates = s["od"], s["groups"], s["fates"]
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    acute_here = groups[groups["code"].isin(based)]
    reporters = outcomes.load_community_sitrep_reporters()
    reporters = reporters[reporters["org_code"].isin(based)]
    return {"acute": acute_here, "reporters": reporters, "fates": fates[fates["icb_code"] == icb]}


def acute_flow(icb: str) -> pd.DataFrame:
    """Each acute trust in the ICB: mean outcomes over the period, England median and the mean
    of its group with a bootstrap interval."""
    s = shared()
    od, panel, groups = s["od"], s["panel"], s["groups"]
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    rows = []
    for key in ("ctr_per_100_beds", "ae_4hr_performance"):
        means = integration.trust_means(panel, groups, key, *PERIOD)
        summary = integration.group_summary(means).set_index("group")
        for rec in means[means["code"].isin(based)].itertuples():
            g = summary.loc[rec.group]
            rows.append(
                {
                    "code": rec.code,
                    "name": rec.name,
                    "group": rec.group_label,
                    "outcome": outcomes.OUTCOMES[key].label,
                    "value": round(rec.value, 1),
                    "england_median": round(means["value"].median(), 1),
                    "group_mean": round(g["mean"], 1),
                    "group_interval": f"{g['mean_low']:.1f} to {g['mean_high']:.1f}",
                }
            )
    return pd.DataFrame(rows)


def flow_figure(icb: str, name: str) -> charts.Figure:
    """All acute trusts' mean delayed-discharge rate, the ICB's trusts highlighted."""
    s = shared()
    means = integration.trust_means(s["panel"], s["groups"], "ctr_per_100_beds", *PERIOD)
    based = set(s["od"].register.loc[s["od"].register["icb_code"] == icb, "code"])
    means["where"] = np.where(means["code"].isin(based), "This ICB", "Elsewhere in England")
    means = means[["code", "name", "group_label", "value", "where"]]
    chart = (
        alt.Chart(means)
        .mark_circle(size=60)
        .encode(
            x=alt.X(
                "value:Q",
                title="Patients not meeting the criteria to reside per 100 beds",
                scale=alt.Scale(zero=False),
            ),
            y=alt.Y("group_label:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "where:N",
                title=None,
                scale=alt.Scale(
                    domain=["This ICB", "Elsewhere in England"], range=["#D55E00", "#CCCCCC"]
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Trust"),
                alt.Tooltip("code:N", title="Code"),
                alt.Tooltip("value:Q", format=".1f", title="Per 100 beds"),
            ],
        )
        .properties(width=480, height=160)
    )
    mine = means[means["where"] == "This ICB"]
    median = means["value"].median()
    better = int((mine["value"] < median).sum())
    return charts.figure(
        chart,
        title=f"{better} of {len(mine)} acute trusts in {name} had fewer delayed patients per bed "
        "than the median acute trust",
        subtitle=f"Mean {PERIOD[0]} to {PERIOD[1]}; grey: every other acute trust; lower is better",
        source=outcomes.OUTCOMES["ctr_per_100_beds"].source,
        table=means,
        csv_name=f"acute_flow_{icb}.csv",
    )


def headline(icb: str) -> dict:
    """A few computed figures for the localities index."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    rurality = geography.icb_rurality().set_index("icb_code")
    org = community_organisation(icb)
    acute = org["acute"]["group"].value_counts()
    return {
        "icb_code": icb,
        "name": icbs.loc[icb, "icb_name"]
        .removeprefix("NHS ")
        .removesuffix(" Integrated Care Board"),
        "registered_patients": int(icbs.loc[icb, "patients"]),
        "rural_share": round(100 * float(rurality["rural_share"].get(icb, np.nan)), 0),
        "acute_trusts": int(acute.sum()),
        "acute_running_community": int(acute.get("acute_runs_community", 0)),
        "standalone_community_trusts_now": int((org["fates"]["fate"] == "standalone").sum()),
    }


def localities() -> list[str]:
    """Every current ICB code, in order of name (the list that makes the locality pages and
    their place in the table of contents)."""
    icbs = params.valid_icbs()
    return sorted(icbs, key=lambda code: icbs[code])


def index_page() -> str:
    rows = [headline(icb) for icb in localities()]
    lines = [
        "# Localities",
        "",
        "A page for each of England's 36 integrated care boards (since April 2026). Data published "
        "for the 42 ICBs of 2022 are carried to their successors by registered-population shares. "
        "Each page answers the three questions for that ICB.",
        "",
        "| ICB | Registered patients | Rural share | Acute trusts | of which run community "
        "services | Standalone community trusts |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| [{r['name']}](../../notebooks/localities/{r['icb_code']}.ipynb) | "
            f"{r['registered_patients']:,} | {r['rural_share']:.0f}% | {r['acute_trusts']} | "
            f"{r['acute_running_community']} | {r['standalone_community_trusts_now']} |"
        )
    return "\n".join(lines) + "\n"


def summary_sentences(icb: str, profile: dict, org: dict, flow: pd.DataFrame) -> list[str]:
    """'The three questions here', computed."""
    fates = org["fates"]
    q1 = (
        f"{len(fates)} standalone community trust(s) since 2011: "
        + "; ".join(f"{r.code} {r.fate_label.lower()}" for r in fates.itertuples())
        if len(fates)
        else "no standalone community trust since 2011"
    )
    q2 = (
        f"{profile['patients']:,} registered patients "
        f"({profile['patients'] / scale.TWO_MILLION:.1f} times the 2 million benchmark); "
        f"{profile['pcns']} PCNs with a median of {profile['pcn_median']:,.0f} patients"
    )
    phrases = {
        "acute_runs_community": "run community services themselves",
        "standalone_community": "sit beside a standalone community trust",
        "mh_runs_community": "have a mental-health trust providing their community services",
        "other_provider": "have another provider (social enterprise, private or acute)",
        "unplaced": "cannot be placed",
    }
    groups = org["acute"]["group"].value_counts()
    delays = flow[flow["outcome"] == outcomes.OUTCOMES["ctr_per_100_beds"].label]
    below = int((delays["value"] < delays["england_median"]).sum())
    q3 = (
        f"of {int(groups.sum())} acute trusts based here, "
        + "; ".join(f"{n} {phrases[g]}" for g, n in groups.items())
        + f"; {below} of {len(delays)} had fewer delayed patients per bed than England's median"
    )
    return [f"**Consolidation:** {q1}.", f"**Scale:** {q2}.", f"**Integration:** {q3}."]
