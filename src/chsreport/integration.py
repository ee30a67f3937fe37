"""Question 3, what integration achieves: a classification of acute trusts by who runs the
community services of their area, and comparisons of flow outcomes between the groups.

The rule (written down once, here):

* **(a) acute runs community**: the acute trust reports community inpatient beds to NHS England's
  community discharge sitrep (June 2023 to January 2024), or took in a community trust (lineage)
  by the end of the period;
* otherwise the acute trust's *area* is the 2022 ICB from which most of its admitted patients
  come (OHID catchment shares), and its community provider is an NHS trust based in that ICB
  that reports to the community sitrep:
  **(b) standalone community trust** if one is, else **(c) mental-health trust** if a
  mental-health trust reports community beds there;
* any other acute trust is **unplaced** (community services from a social enterprise or private
  provider, or nobody reporting): it is listed, not guessed.

Variants: ``strict`` also requires (a) trusts to report in every month of the community sitrep
and the area to supply at least half the acute trust's patients; ``loose`` places (b) and (c)
through any ICB that supplies at least a fifth of its patients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport import geography, lineage, orgs, outcomes

GROUPS = {
    "acute_runs_community": "(a) Acute trust runs community services",
    "standalone_community": "(b) Standalone community trust in the area",
    "mh_runs_community": "(c) Mental-health trust runs community services",
    "unplaced": "Unplaced",
}
RULES = ("strict", "default", "loose")
REFERENCE = "standalone_community"


def _community_providers_by_icb22(od: lineage.OrgData) -> pd.DataFrame:
    """NHS trusts reporting to the community sitrep, with their type and 2022 ICB (HQ)."""
    reporters = outcomes.load_community_sitrep_reporters()
    trusts = reporters[reporters["org_code"].str.match(orgs.TRUST_CODE.pattern)].copy()
    ods22 = orgs.load_ods_trusts()
    ods22 = ods22[ods22["extract"] == "2022-03"].set_index("code")["icb_code"]
    trusts["icb22_code"] = trusts["org_code"].map(ods22)
    on = pd.Timestamp("2023-10-01")
    trusts["type"] = [orgs.type_on(c, on, od.evidence)[0] for c in trusts["org_code"]]
    return trusts


def _main_areas(codes: list[str], od: lineage.OrgData) -> pd.DataFrame:
    """Catchment shares by 2022 ICB (Q-codes) for today's acute trusts (own code, else the
    predecessor with the largest catchment)."""
    shares = outcomes.load_catchment_shares()
    shares = shares.assign(icb22_code=geography.icb22_ods_codes(shares["icb22_ons_code"]))
    rows = []
    for code in codes:
        own = shares[shares["code"] == code]
        if own.empty:
            preds = (
                [a for a, _, _ in od.graph.in_edges(code, data=True)] if code in od.graph else []
            )
            own = shares[shares["code"].isin(preds)]
        for rec in own.itertuples():
            rows.append({"code": code, "icb22_code": rec.icb22_code, "share": rec.share})
    frame = pd.DataFrame(rows, columns=["code", "icb22_code", "share"])
    return frame.groupby(["code", "icb22_code"], as_index=False)["share"].max()


def classify(
    od: lineage.OrgData,
    acute_codes: list[str],
    rule: str = "default",
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per acute trust: group, evidence, main 2022 ICB and its share."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
    end = end or od.as_of
    reporters = outcomes.load_community_sitrep_reporters().set_index("org_code")
    providers = _community_providers_by_icb22(od)
    areas = _main_areas(acute_codes, od)
    min_share = {"strict": 0.5, "default": 0.0, "loose": 0.2}[rule]
    rows = []
    for code in acute_codes:
        evidence = []
        months = int(reporters["months_reported"].get(code, 0))
        total = int(reporters["months_in_file"].max())
        base, _ = orgs.type_on(code, end, od.evidence)
        absorbed = lineage.integrated_type(base, code, end, od) == "acute_community"
        if months:
            evidence.append(
                f"reports community beds to the community sitrep ({months}/{total} months)"
            )
        if absorbed:
            evidence.append("took in a community trust (ODS lineage)")
        own = areas[areas["code"] == code].sort_values("share", ascending=False)
        main = own.iloc[0] if len(own) else None
        group = "unplaced"
        if (months and (rule != "strict" or months == total)) or absorbed:
            group = "acute_runs_community"
        elif main is not None:
            candidates = own if rule == "loose" else own.iloc[:1]
            candidates = candidates[candidates["share"] >= min_share]
            for area in candidates.itertuples():
                here = providers[providers["icb22_code"] == area.icb22_code]
                standalone = here[here["type"] == "community"]
                mental = here[here["type"].isin(["mental_health", "mental_health_community"])]
                if len(standalone):
                    group = "standalone_community"
                    evidence.append(
                        f"area {area.icb22_code} ({area.share:.0%} of patients): standalone "
                        f"community trust {', '.join(standalone['org_code'])}"
                    )
                    break
                if len(mental):
                    group = "mh_runs_community"
                    evidence.append(
                        f"area {area.icb22_code} ({area.share:.0%} of patients): mental-health "
                        f"trust with community beds {', '.join(mental['org_code'])}"
                    )
                    break
            if group == "unplaced":
                evidence.append(
                    f"area {main.icb22_code} ({main.share:.0%} of patients): no NHS trust reports "
                    "community beds there (social enterprise, private provider or none)"
                    if main.share >= min_share or rule == "loose"
                    else f"main area supplies only {main.share:.0%} of patients"
                )
        else:
            evidence.append("no catchment data")
        rows.append(
            {
                "code": code,
                "group": group,
                "group_label": GROUPS[group],
                "main_icb22": None if main is None else main.icb22_code,
                "main_share": np.nan if main is None else main.share,
                "evidence": "; ".join(evidence),
            }
        )
    out = pd.DataFrame(rows)
    names = od.register.set_index("code")
    out["name"] = out["code"].map(names["name"])
    out["region"] = out["code"].map(names["region_name"])
    return out


def acute_trust_codes(panel: pd.DataFrame, outcome: str = "ctr_per_100_beds") -> list[str]:
    """Today's acute trusts with any value of the discharge outcomes (acute sitrep scope)."""
    return sorted(panel.dropna(subset=[outcome])["code"].unique())


# --------------------------------------------------------------------------- comparisons
def trust_means(
    panel: pd.DataFrame, groups: pd.DataFrame, outcome: str, start: str, end: str
) -> pd.DataFrame:
    rows = outcomes.window(panel, outcome, start, end)
    means = rows.groupby("code")[outcome].mean().rename("value").reset_index()
    return means.merge(groups[["code", "group", "group_label", "name", "region"]], on="code")


def bootstrap_ci(values: np.ndarray, stat=np.mean, n_boot: int = 2000, seed: int = 2026):
    """Percentile bootstrap interval of ``stat`` over trusts (resampling trusts)."""
    from scipy.stats import bootstrap

    values = np.asarray(values, dtype=float)
    if len(values) < 3:
        return np.nan, np.nan
    result = bootstrap(
        (values,),
        stat,
        n_resamples=n_boot,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def group_summary(means: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for group, part in means.groupby("group"):
        low, high = bootstrap_ci(part["value"].to_numpy())
        mlow, mhigh = bootstrap_ci(part["value"].to_numpy(), np.median)
        rows.append(
            {
                "group": group,
                "group_label": GROUPS[group],
                "trusts": len(part),
                "mean": part["value"].mean(),
                "mean_low": low,
                "mean_high": high,
                "median": part["value"].median(),
                "median_low": mlow,
                "median_high": mhigh,
            }
        )
    order = list(GROUPS)
    return pd.DataFrame(rows).sort_values("group", key=lambda s: s.map(order.index))


def controls_frame(od: lineage.OrgData, groups: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Per trust: log mean G&A beds (size), NHS region, rural share of its main 2022 ICB."""
    beds = panel.groupby("code")["ga_beds_available"].mean()
    lsoa = geography.lsoa_places()
    rural = (lsoa["rural_urban"] == "Rural").groupby(lsoa["icb22_code"]).mean()
    out = groups[["code", "group", "region", "main_icb22"]].copy()
    out["log_beds"] = np.log(out["code"].map(beds))
    out["rural_share"] = out["main_icb22"].map(rural)
    out["region"] = out["region"].fillna("unknown")
    return out


CONTROL_TERMS = {"size": "log_beds", "region": "C(region)", "rurality": "rural_share"}


def adjusted_estimates(
    panel: pd.DataFrame,
    groups: pd.DataFrame,
    od: lineage.OrgData,
    outcome: str,
    start: str,
    end: str,
    controls: list[str],
) -> pd.DataFrame:
    """OLS of the monthly outcome on group (reference: standalone community trust in the area)
    with the chosen controls and month fixed effects; standard errors clustered by trust."""
    import statsmodels.formula.api as smf

    rows = outcomes.window(panel, outcome, start, end)
    data_ = rows[["code", "month", outcome]].merge(controls_frame(od, groups, panel), on="code")
    data_ = data_[data_["group"] != "unplaced"].dropna()
    terms = [CONTROL_TERMS[c] for c in controls]
    formula = f"{outcome} ~ C(group, Treatment(reference='{REFERENCE}')) + C(month)" + "".join(
        f" + {t}" for t in terms
    )
    codes = pd.Categorical(data_["code"]).codes
    fit = smf.ols(formula, data=data_).fit(cov_type="cluster", cov_kwds={"groups": codes})
    ci = fit.conf_int()
    out = []
    for name in fit.params.index:
        if name.startswith("C(group"):
            group = name.split("[T.")[1].rstrip("]")
            out.append(
                {
                    "group": group,
                    "group_label": GROUPS[group],
                    "estimate": fit.params[name],
                    "low": ci.loc[name, 0],
                    "high": ci.loc[name, 1],
                    "p_value": fit.pvalues[name],
                    "trusts": int(data_.loc[data_["group"] == group, "code"].nunique()),
                    "reference_trusts": int(
                        data_.loc[data_["group"] == REFERENCE, "code"].nunique()
                    ),
                    "observations": int(fit.nobs),
                }
            )
    return pd.DataFrame(out)


def verdict(estimates: pd.DataFrame, outcome: str) -> dict:
    """Carter's claim (acute-run community services are better at flow) against the estimate
    for group (a) relative to (b)."""
    spec = outcomes.OUTCOMES[outcome]
    row = estimates.set_index("group").loc["acute_runs_community"]
    better_if = (lambda v: v < 0) if spec.better == "lower" else (lambda v: v > 0)
    if better_if(row["high"]) and better_if(row["low"]):
        word = "supported"
    elif not better_if(row["high"]) and not better_if(row["low"]) and row["low"] * row["high"] > 0:
        word = "contradicted"
    else:
        word = "not distinguishable from no difference"
    return {
        "verdict": word,
        "estimate": float(row["estimate"]),
        "low": float(row["low"]),
        "high": float(row["high"]),
        "unit": spec.unit,
        "outcome": spec.label,
        "trusts": int(row["trusts"]),
        "reference_trusts": int(row["reference_trusts"]),
    }


def merger_events(
    od: lineage.OrgData, acute_codes: list[str], start: str, end: str
) -> pd.DataFrame:
    """Acute trusts that took in a community trust between ``start`` and ``end``."""
    edges = od.edges[
        od.edges["to_code"].isin(acute_codes)
        & (od.edges["date"] >= pd.Timestamp(start))
        & (od.edges["date"] <= pd.Timestamp(end))
    ]
    rows = []
    for rec in edges.itertuples():
        before = orgs.type_on(rec.from_code, rec.date - pd.Timedelta(days=1), od.evidence)[0]
        if before == "community":
            rows.append({"acute": rec.to_code, "community_trust": rec.from_code, "date": rec.date})
    return pd.DataFrame(rows, columns=["acute", "community_trust", "date"])


def before_after(
    panel: pd.DataFrame, events: pd.DataFrame, groups: pd.DataFrame, outcome: str, months: int = 6
) -> pd.DataFrame:
    """Change in the outcome from the ``months`` before each event to the ``months`` after, for
    the absorbing trust and, as comparison, the median change among (b) trusts."""
    comparison = groups.loc[groups["group"] == REFERENCE, "code"]
    rows = []
    for ev in events.itertuples():
        pre = (panel["month"] < ev.date) & (
            panel["month"] >= ev.date - pd.DateOffset(months=months)
        )
        post = (panel["month"] >= ev.date) & (
            panel["month"] < ev.date + pd.DateOffset(months=months)
        )
        own = panel[panel["code"] == ev.acute]
        change = own.loc[post, outcome].mean() - own.loc[pre, outcome].mean()
        others = panel[panel["code"].isin(comparison)]
        others_pre = others[
            others["month"].between(
                ev.date - pd.DateOffset(months=months), ev.date - pd.DateOffset(days=1)
            )
        ]
        others_post = others[
            others["month"].between(ev.date, ev.date + pd.DateOffset(months=months, days=-1))
        ]
        by_trust = (
            others_post.groupby("code")[outcome].mean() - others_pre.groupby("code")[outcome].mean()
        )
        rows.append(
            {
                "acute": ev.acute,
                "community_trust": ev.community_trust,
                "date": ev.date,
                "change": change,
                "comparison_change": by_trust.median(),
                "difference": change - by_trust.median(),
                "months_after": int(own.loc[post, outcome].notna().sum()),
            }
        )
    out = pd.DataFrame(rows)
    numeric = ["change", "comparison_change", "difference"]
    out[numeric] = out[numeric].round(2)
    return out


# --------------------------------------------------------------------------- charts
FLOW_SOURCE = (
    "NHS England discharge sitreps, G&A beds sitreps and A&E statistics (via healthyr); "
    "OHID catchments; NHS ODS lineage"
)
GROUP_COLOURS = {
    "acute_runs_community": "#56B4E9",
    "standalone_community": "#009E73",
    "mh_runs_community": "#E69F00",
    "unplaced": "#BBBBBB",
}


def group_scale():
    import altair as alt

    return alt.Scale(domain=list(GROUPS.values()), range=list(GROUP_COLOURS.values()))


def typology_figure(groups: pd.DataFrame, rule: str):
    import altair as alt

    from chsreport import charts

    counts = groups.groupby(["region", "group_label"]).size().rename("trusts").reset_index()
    counts["region"] = counts["region"].fillna("Region not known")
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("region:N", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("sum(trusts):Q", title="Acute trusts"),
            color=alt.Color("group_label:N", title="Group", scale=group_scale()),
            tooltip=[
                alt.Tooltip("region:N", title="Region"),
                alt.Tooltip("group_label:N", title="Group"),
                alt.Tooltip("trusts:Q", title="Acute trusts"),
            ],
        )
        .properties(width=480, height=220)
    )
    n = groups["group"].value_counts()
    return charts.figure(
        chart,
        title=f"{n.get('acute_runs_community', 0)} of {len(groups)} acute trusts run community "
        f"services; {n.get('standalone_community', 0)} sit beside a standalone community trust",
        subtitle=f"Acute trusts by group and NHS region, '{rule}' rule. Source: {FLOW_SOURCE}",
        source=FLOW_SOURCE,
        table=groups[["code", "name", "region", "group", "main_icb22", "main_share", "evidence"]],
        csv_name=f"acute_trust_groups_{rule}.csv",
    )


def over_time_figure(panel: pd.DataFrame, groups: pd.DataFrame, outcome: str, start: str, end: str):
    import altair as alt

    from chsreport import charts

    spec = outcomes.OUTCOMES[outcome]
    rows = outcomes.window(panel, outcome, start, end).merge(
        groups[["code", "group_label"]], on="code"
    )
    monthly = rows.groupby(["month", "group_label"])[outcome].mean().rename("value").reset_index()
    chart = (
        alt.Chart(monthly)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("value:Q", title=spec.unit, scale=alt.Scale(zero=False)),
            color=alt.Color("group_label:N", title="Group", scale=group_scale()),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("group_label:N", title="Group"),
                alt.Tooltip("value:Q", title=spec.unit, format=".1f"),
            ],
        )
        .properties(width=540, height=240)
    )
    overall = rows.groupby("group_label")[outcome].mean()
    best = overall.idxmin() if spec.better == "lower" else overall.idxmax()
    return charts.figure(
        chart,
        title=f"{spec.label}: group {best.split(') ')[0]}) does best on average",
        subtitle=f"Mean over the trusts in each group; {spec.better} is better. "
        f"Source: {spec.source}",
        source=spec.source,
        table=monthly,
        csv_name=f"{outcome}_by_group_month.csv",
    )


def forest_figure(estimates: pd.DataFrame, chosen: str):
    import altair as alt

    from chsreport import charts

    frame = estimates.copy()
    short = frame["outcome"].map({k: o.short for k, o in outcomes.OUTCOMES.items()})
    frame["row"] = short + " " + frame["group_label"].str.split(") ", regex=False).str[0] + ")"
    frame["chosen"] = frame["outcome"] == chosen
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=420))
    )
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title="Difference from (b), in each outcome's unit"),
        x2="high:Q",
        color=alt.Color("group_label:N", title="Group", scale=group_scale()),
    )
    point = base.mark_point(filled=True, size=70).encode(
        x="estimate:Q",
        color=alt.Color("group_label:N", scale=group_scale(), legend=None),
        tooltip=[
            alt.Tooltip("outcome_label:N", title="Outcome"),
            alt.Tooltip("group_label:N", title="Group"),
            alt.Tooltip("estimate:Q", format=".2f"),
            alt.Tooltip("low:Q", format=".2f"),
            alt.Tooltip("high:Q", format=".2f"),
            alt.Tooltip("unit:N", title="Unit"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 3]).encode(x="x:Q")
    chart = (zero + rule + point).properties(width=360, height=28 * len(frame))
    return charts.figure(
        chart,
        title="Adjusted differences from acute trusts beside a standalone community trust",
        subtitle="OLS, month fixed effects and controls; 95% intervals clustered by trust",
        source=FLOW_SOURCE,
        table=frame.drop(columns=["row", "chosen"]),
        csv_name="adjusted_estimates.csv",
    )


OUTCOME_PERIODS = {  # months each outcome's data cover
    "ctr_per_100_beds": ("2022-04", "2025-08"),
    "discharges_per_bed": ("2022-04", "2025-08"),
    "ae_4hr_performance": ("2021-04", "2025-07"),
    "dta_over_4h": ("2021-04", "2025-07"),
    "community_delay_share": ("2024-06", "2025-05"),
    "delay_days_14_per_100_beds": ("2022-04", "2024-01"),
    "delay_days_21_per_100_beds": ("2022-04", "2024-01"),
}


def all_estimates(panel, groups, od, start: str, end: str, controls: list[str]) -> pd.DataFrame:
    """Adjusted estimates for every outcome, each within its own data period."""
    frames = []
    for key, spec in outcomes.OUTCOMES.items():
        first, last = OUTCOME_PERIODS[key]
        lo, hi = max(start, first), min(end, last)
        if lo > hi:
            continue
        est = adjusted_estimates(panel, groups, od, key, lo, hi, controls)
        frames.append(
            est.assign(
                outcome=key, outcome_label=spec.label, unit=spec.unit, period=f"{lo} to {hi}"
            )
        )
    return pd.concat(frames, ignore_index=True)


def carter_verdict(
    outcome: str = "ctr_per_100_beds",
    rule: str = "default",
    controls: tuple[str, ...] = ("size", "region", "rurality"),
) -> dict:
    """Claim C06 (seed 001): the verdict, estimate and interval for acute-run community services
    against a standalone community trust, over the outcome's whole data period."""
    od = lineage.load_org_data()
    panel = outcomes.outcome_panel(od)
    groups = classify(od, acute_trust_codes(panel), rule)
    start, end = OUTCOME_PERIODS[outcome]
    estimates = adjusted_estimates(panel, groups, od, outcome, start, end, list(controls))
    return {**verdict(estimates, outcome), "rule": rule, "period": f"{start} to {end}"}


INPUTS = [
    "flow_ctr_daily",
    "flow_discharged_daily",
    "flow_delay_reasons",
    "flow_ae_attribution",
    "staff_survey_2021_2024",
    "trust_peer_finder_2018",
    "kh03_beds_2010_2022",
    "flow_beds_monthly",
    "flow_ae_monthly",
    "flow_sitrep_long",
    "ohid_catchment_share_icb22",
    "ons_lsoa11_icb22",
    "ods_etr_2022_03",
    "ods_succ_2026_05",
    "eric_trust_2016_17",
    "trust_list_2026_08",
]


def trust_level_measures(od: lineage.OrgData, groups: pd.DataFrame) -> pd.DataFrame:
    """Cross-sectional measures per acute trust: 2017/18 operating expenses per bed (Trust Peer
    Finder and KH03, predecessors summed) and 2021-2024 staff survey rates (mean of years)."""
    from chsreport import finance

    costs = finance.trust_size_and_cost(od).set_index("code")
    survey = outcomes.load_staff_survey()
    survey = survey.assign(code=lineage.to_current(od.graph, survey["code"]))
    staff = survey.groupby("code")[["burned_out_rate", "enough_staff_rate"]].mean()
    out = groups[["code", "group", "group_label"]].copy()
    out["cost_per_bed"] = out["code"].map(costs["cost_per_bed"])
    out["burned_out_rate"] = out["code"].map(staff["burned_out_rate"])
    out["enough_staff_rate"] = out["code"].map(staff["enough_staff_rate"])
    return out


TRUST_LEVEL = {
    "cost_per_bed": ("Operating expenses per bed, 2017/18 (£)", "lower"),
    "burned_out_rate": ("Staff often or always burnt out, 2021-24 (%)", "lower"),
    "enough_staff_rate": ("Staff saying there are enough staff, 2021-24 (%)", "higher"),
}


def trust_level_comparison(
    measures: pd.DataFrame,
    od: lineage.OrgData,
    groups: pd.DataFrame,
    panel: pd.DataFrame,
    controls: list[str],
) -> pd.DataFrame:
    """For each cross-sectional measure: (a) and (c) against (b), OLS on trusts with the chosen
    controls and heteroskedasticity-robust (HC1) standard errors."""
    import statsmodels.formula.api as smf

    base = measures.merge(controls_frame(od, groups, panel).drop(columns=["group"]), on="code")
    base = base[base["group"] != "unplaced"]
    terms = "".join(f" + {CONTROL_TERMS[c]}" for c in controls)
    rows = []
    for measure, (label, better) in TRUST_LEVEL.items():
        frame = base.dropna(subset=[measure, "log_beds", "rural_share"])
        if frame["group"].nunique() < 2:
            continue
        fit = smf.ols(
            f"{measure} ~ C(group, Treatment(reference='{REFERENCE}')){terms}", data=frame
        ).fit(cov_type="HC1")
        ci = fit.conf_int()
        for name in fit.params.index:
            if name.startswith("C(group"):
                group = name.split("[T.")[1].rstrip("]")
                rows.append(
                    {
                        "measure": label,
                        "better": better,
                        "group_label": GROUPS[group],
                        "estimate": fit.params[name],
                        "low": ci.loc[name, 0],
                        "high": ci.loc[name, 1],
                        "trusts": int(fit.nobs),
                    }
                )
    return pd.DataFrame(rows)
