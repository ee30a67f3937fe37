"""Question 3, the checks around the headline: robustness to each choice, the dose-response
slope, the changes of hands (event study with placebo), the staff survey and the whole system
(acute and community beds per ICB).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import (
    community_exposure,
    groups,
    inference,
    integration_classes,
    integration_models,
    lineage,
)
from chsreport.data import (
    community_returns,
    geography,
    icb_outcomes,
    manifest,
    outcomes,
    succession,
)


def robustness(
    od: succession.OrgData,
    panel: pd.DataFrame,
    acute: list[str],
    controls: pd.DataFrame,
    outcome: str,
    start: str,
    end: str,
    control_names: list[str],
    smallest_effect: float = integration_models.DEFAULT_SMALLEST_EFFECT,
) -> pd.DataFrame:
    """The headline under each classification rule (the first edition's beds-only rule
    included), each comparison, each clustering, without the trusts touched by the 2024-26
    changes of hands, and on only the trust-months whose class came from that month's own
    returns (none carried from a neighbouring month).
    Long because it is the table of every specification, one row each; the rows are listed here
    so a reader of the code sees the whole table in one place."""
    specs = []
    for rule in integration_classes.RULES:
        for comparison in integration_classes.COMPARISONS:
            specs.append(
                (f"returns and care volume, {rule} rule", rule, comparison, "icb", "wild", ())
            )
    specs.append(
        ("returns and care volume, default rule", "default", "carter", "trust", "crv1", ())
    )
    specs.append(("returns and care volume, default rule", "default", "carter", "icb", "crv1", ()))
    moved = tuple(sorted(touched_by_transfers(od, acute)))
    specs.append(
        ("returns and care volume, default rule", "default", "carter", "icb", "wild", moved)
    )
    specs.append(
        ("returns and care volume, default rule", "default", "a_vs_b", "icb", "wild", moved)
    )
    specs.append(
        ("returns and care volume, default rule, (d) left out", "no_d", "carter", "icb", "wild", ())
    )
    specs.append(
        (
            "returns and care volume, default rule, only months read from their own returns",
            "returned",
            "carter",
            "icb",
            "wild",
            (),
        )
    )
    for rule, (_, words) in GROUPED_RULES.items():
        for comparison in integration_classes.COMPARISONS:
            label = (
                "returns and care volume, default rule, (b) months run jointly with the "
                f"community trust {words}"
            )
            specs.append((label, rule, comparison, "icb", "wild", ()))
    specs.append(("returns alone, default rule", "returns_only", "carter", "icb", "wild", ()))
    specs.append(("care volume alone (CSDS)", "volume_only", "carter", "icb", "wild", ()))
    specs.append(
        (
            "returns and care volume, without the table naming a trust",
            "no_table",
            "carter",
            "icb",
            "wild",
            (),
        )
    )
    for cuts in integration_classes.OTHER_CUTS:
        low, high = (vocabulary.general(cut) for cut in cuts)
        label = f"returns and care volume, cuts {low} and {high} contacts per admission"
        specs.append((label, cuts, "carter", "icb", "wild", ()))
    for comparison in integration_classes.COMPARISONS:
        specs.append(("beds only (earlier rule)", "beds", comparison, "icb", "wild", ()))
    rows = []
    for label, rule, comparison, cluster, method, drop in specs:
        if rule == "beds":
            classes = integration_classes.beds_only_monthly(od, acute)
        elif rule == "no_d":  # (d) includes areas served by a neighbouring acute trust
            classes = integration_classes.monthly_classes(od, acute, "default")
            classes = classes.assign(
                group=classes["group"].where(classes["group"] != "other_provider", "unplaced")
            )
        elif isinstance(rule, tuple):  # other thresholds for the care volume
            classes = integration_classes.monthly_classes(od, acute, "default", "both", rule)
        elif rule in ("returns_only", "volume_only", "no_table"):  # another source decides
            classes = integration_classes.monthly_classes(
                od, acute, "default", rule.removesuffix("_only")
            )
        elif rule in GROUPED_RULES:  # run jointly with its community trust: as (a), or left out
            default = integration_classes.monthly_classes(od, acute, "default")
            classes = grouped_classes(od, default, GROUPED_RULES[rule][0])
        elif rule == "returned":  # no class carried from another month's returns
            classes = integration_classes.monthly_classes(od, acute, "default")
            classes = classes.assign(
                group=classes["group"].where(classes["from_return"], "unplaced")
            )
        else:
            classes = integration_classes.monthly_classes(od, acute, rule)
        row = integration_models.headline(
            panel,
            classes,
            controls,
            outcome,
            start,
            end,
            control_names,
            comparison,
            smallest_effect,
            cluster,
            method,
            drop,
        )
        row.update(
            {
                "classification": label,
                "clustering": "2022 ICB (wild bootstrap)"
                if (cluster, method) == ("icb", "wild")
                else "2022 ICB (CR1, analytic)"
                if cluster == "icb"
                else "trust (CR1, analytic)",
                "transfers": "without the trusts touched by 2024-26 transfers" if drop else "all",
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def grouped_months(od: succession.OrgData, classes: pd.DataFrame) -> pd.DataFrame:
    """The trust-months of ``classes`` in which an acute trust certainly ran its services jointly
    with a community trust: a joint chief executive, a shared executive team or a group board in
    force that month (a shared chair alone does not count; a start known only to the year or the
    month counts from its last day). One row per acute trust, month and community partner."""
    community = set(lineage.community_trusts(od)["code"])
    rows = []
    for month in sorted(classes["month"].unique()):
        day = pd.Timestamp(month)
        found = groups.grouped_on(od, day, kinds=groups.OPERATIONAL, certain=True)
        for code, partners in found.items():
            if community_returns.provider_kind(code, day, od) != "acute":
                continue
            rows += [
                {"code": code, "month": month, "partner": p} for p in partners if p in community
            ]
    found = pd.DataFrame(rows, columns=["code", "month", "partner"])
    return found.merge(classes[["code", "month", "group"]], on=["code", "month"])


def grouped_classes(od: succession.OrgData, classes: pd.DataFrame, to: str) -> pd.DataFrame:
    """``classes`` with each (b) trust-month in which the acute trust ran its services jointly
    with a community trust (:func:`grouped_months`) moved to ``to``: "acute_runs_community" (the
    group counted as running the services) or "unplaced" (left out of the comparison)."""
    grouped = grouped_months(od, classes)
    key = set(zip(grouped["code"], grouped["month"], strict=True))
    moved = [
        (c, m) in key and g == "standalone_community"
        for c, m, g in zip(classes["code"], classes["month"], classes["group"], strict=True)
    ]
    return classes.assign(group=classes["group"].mask(moved, to))


GROUPED_RULES = {  # robustness rule -> (the class a grouped (b) month moves to, its words)
    "grouped_as_a": ("acute_runs_community", "counted as (a)"),
    "grouped_out": ("unplaced", "left out"),
}


def touched_by_transfers(od: succession.OrgData, acute: list[str]) -> set[str]:
    """Acute trusts whose class changes inside the analysis window under the default rule
    (among them every trust touched by a 2024-26 change of hands)."""
    return integration_classes.class_changers(
        integration_classes.monthly_classes(od, acute, "default")
    )


def trust_level_check(
    panel, classes, controls, outcome: str, start: str, end: str, control_names: list[str]
) -> dict:
    """Cross-section check: one row per trust, its mean of the month-demeaned outcome and its
    share of months in (a), OLS with the controls, wild cluster bootstrap by main 2022 ICB."""
    rows = outcomes.window(panel, outcome, start, end)[["code", "month", outcome]].copy()
    rows["demeaned"] = rows[outcome] - rows.groupby("month")[outcome].transform("mean")
    rows = rows.merge(classes[["code", "month", "group"]], on=["code", "month"])
    rows = rows[rows["group"] != "unplaced"]
    per = rows.groupby("code").agg(
        demeaned=("demeaned", "mean"),
        share_a=("group", lambda s: float((s == "acute_runs_community").mean())),
    )
    per = per.join(controls.set_index("code")).reset_index()
    interval, trusts = _cross_section(per, "demeaned", "share_a", control_names)
    return {
        "estimate": interval.estimate,
        "low95": interval.low95,
        "high95": interval.high95,
        "trusts": trusts,
    }


# --------------------------------------------------------------------------- dose-response
def dose_frame(
    od: succession.OrgData, panel: pd.DataFrame, acute: list[str], classes: pd.DataFrame
) -> pd.DataFrame:
    """Per acute trust that ran community services in March 2025: adult community care contacts
    it ran that month (CSDS; its own code and any community trust it had taken in by then) per
    emergency admission that month, and its mean month-demeaned primary outcome over 2024-08 to
    2025-07 (the latest CHS window). Trusts without a CSDS row are left out, not set to 0."""
    march = community_exposure.VOLUME_MONTH
    in_a = classes[(classes["month"] == march) & (classes["group"] == "acute_runs_community")]
    codes = sorted(in_a["code"])
    contacts = community_returns.adult_contacts(od, codes, march)
    admissions = panel[panel["month"] == march].set_index("code")["total_emergency_admissions"]
    rows = outcomes.window(panel, settings.PRIMARY, "2024-08", "2025-07")[
        ["code", "month", settings.PRIMARY]
    ].copy()
    rows["demeaned"] = rows[settings.PRIMARY] - rows.groupby("month")[settings.PRIMARY].transform(
        "mean"
    )
    out = pd.DataFrame({"code": codes})
    out["adult_care_contacts"] = out["code"].map(contacts)
    out["admissions"] = out["code"].map(admissions)
    out["dose"] = out["adult_care_contacts"] / out["admissions"]
    out["outcome"] = out["code"].map(rows.groupby("code")["demeaned"].mean())
    names = od.register.set_index("code")["name"]
    out["name"] = out["code"].map(names)
    return out.dropna(subset=["dose", "outcome"])


def dose_response(frame: pd.DataFrame, controls: pd.DataFrame, control_names: list[str]) -> dict:
    """Among trusts that run community services: slope of the month-demeaned primary outcome on
    the dose (adult care contacts per emergency admission), with the controls; wild cluster
    bootstrap by main 2022 ICB."""
    from scipy.stats import spearmanr

    interval, trusts = _cross_section(
        frame.merge(controls, on="code"), "outcome", "dose", control_names
    )
    rank = spearmanr(frame["dose"], frame["outcome"])
    influential = most_influential(frame, controls, control_names, INFLUENTIAL_LEFT_OUT)
    rest = frame[~frame["code"].isin(influential)]
    without, _ = _cross_section(rest.merge(controls, on="code"), "outcome", "dose", control_names)
    names = frame.set_index("code")["name"]
    return {
        "slope": interval.estimate,
        "low95": interval.low95,
        "high95": interval.high95,
        "p_value": interval.p_value,
        "trusts": trusts,
        "method": interval.method,
        "rank_correlation": float(rank.statistic),
        "rank_p_value": float(rank.pvalue),
        "trusts_without": len(rest),
        "left_out": [f"{vocabulary.org_name(names.get(c, c))} ({c})" for c in influential],
        "slope_without": without.estimate,
        "low95_without": without.low95,
        "high95_without": without.high95,
    }


INFLUENTIAL_LEFT_OUT = 3  # trusts left out to see whether a few drive the dose-response slope


def most_influential(
    frame: pd.DataFrame,
    controls: pd.DataFrame,
    control_names: list[str],
    n: int = INFLUENTIAL_LEFT_OUT,
) -> list[str]:
    """The ``n`` trusts that push the adjusted dose-response slope furthest in its own direction
    (DFBETA of the dose coefficient in the model of :func:`dose_response`, same rows and
    controls): leaving them out shows whether a few trusts make the finding."""
    import statsmodels.api as sm

    merged = frame.merge(controls, on="code")
    cols = [c for name in control_names for c in integration_models.CONTROL_COLUMNS.get(name, [])]
    merged = merged.dropna(subset=["outcome", "dose", *cols]).reset_index(drop=True)
    parts = [merged[["dose"]].to_numpy(float), np.ones((len(merged), 1))]
    parts += integration_models.control_parts(merged, control_names)
    fit = sm.OLS(merged["outcome"].to_numpy(float), np.column_stack(parts)).fit()
    push = fit.get_influence().dfbetas[:, 0] * np.sign(fit.params[0])
    order = np.argsort(-push)[:n]
    return [merged["code"].iloc[i] for i in order]


# --------------------------------------------------------------------------- changes of hands
TRANSFERS = ("2015-01-01", "2026-12-31")  # changes of hands the event study looks for


def transfer_events(od: succession.OrgData, start: str = TRANSFERS[0], end: str = TRANSFERS[1]):
    """Every community trust that moved to an acute or mental-health trust (ODS lineage) between
    ``start`` and ``end``: community trust, receiving trust, its kind, date."""
    fates = lineage.community_fates(od)
    moved = fates[fates["fate"].isin(["acquired_by_acute", "merged_with_mental_health"])]
    moved = moved[moved["successor"].notna() & (moved["successor"] != moved["code"])]
    moved = moved[(moved["date"] >= start) & (moved["date"] <= end)]
    out = pd.DataFrame(
        {
            "community_trust": moved["code"],
            "to": moved["successor"],
            "kind": moved["fate"].map(
                {
                    "acquired_by_acute": "acute trust",
                    "merged_with_mental_health": "mental-health trust",
                }
            ),
            "date": moved["date"],
        }
    )
    return out.sort_values("date").reset_index(drop=True)


# outcome series the book holds that could show an event, and the months they cover (NHS
# England's A&E series before 2021 is published but not held in the book's data)
EVENT_WINDOWS = {
    "A&E 2021-25": ("2021-04", "2025-07"),
    "Discharge delays 2022-25": ("2022-04", "2025-08"),
}


def events_in_windows(events: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """For each event and outcome series: whether the series has ``months`` months either side."""
    rows = []
    for rec in events.itertuples():
        for series, (first, last) in EVENT_WINDOWS.items():
            before = rec.date - pd.DateOffset(months=months)
            after = rec.date + pd.DateOffset(months=months - 1)
            rows.append(
                {
                    "community_trust": rec.community_trust,
                    "to": rec.to,
                    "kind": rec.kind,
                    "date": rec.date,
                    "series": series,
                    "analysable": bool(
                        pd.Timestamp(first) <= before and after <= pd.Timestamp(last)
                    ),
                }
            )
    return pd.DataFrame(rows)


def event_with_placebo(
    panel: pd.DataFrame,
    acute_code: str,
    date: pd.Timestamp,
    outcome: str,
    months: int = 6,
    exclude: tuple[str, ...] = (),
) -> dict:
    """Change in ``outcome`` for ``acute_code`` from the ``months`` before ``date`` to the
    ``months`` after, less its own change over the same calendar months a year earlier (so the
    winter rise each trust has every year is taken out), against the same difference for every
    other acute trust (placebo inference: the event's rank among all trusts gives a two-sided
    p-value, never below 1/(trusts + 1))."""

    def change(at: pd.Timestamp) -> pd.Series:
        before = (panel["month"] >= at - pd.DateOffset(months=months)) & (panel["month"] < at)
        after = (panel["month"] >= at) & (panel["month"] < at + pd.DateOffset(months=months))
        return (
            panel[after].groupby("code")[outcome].mean()
            - panel[before].groupby("code")[outcome].mean()
        )

    diff = (change(date) - change(date - pd.DateOffset(years=1))).dropna()
    diff = diff[~diff.index.isin([c for c in exclude if c != acute_code])]
    if acute_code not in diff.index:
        return {"change": np.nan, "placebo_median": np.nan, "p_value": np.nan, "trusts": 0}
    own = diff[acute_code]
    others = diff.drop(acute_code)
    centre = others.median()
    p = (1 + ((others - centre).abs() >= abs(own - centre)).sum()) / (1 + len(others))
    return {
        "change": float(own),
        "placebo_median": float(centre),
        "difference": float(own - centre),
        "p_value": float(p),
        "trusts": int(len(others)),
    }


# --------------------------------------------------------------------------- staff
STAFF_MEASURES = {
    "burned_out_rate": ("Staff often or always burnt out, 2021-24 (%)", "lower"),
    "enough_staff_rate": ("Staff saying there are enough staff, 2021-24 (%)", "higher"),
}


def _cross_section(frame: pd.DataFrame, y: str, x: str, control_names: list[str]):
    """OLS of ``y`` on ``x`` and the controls, one row per trust, wild cluster bootstrap by the
    trust's main 2022 ICB (the level at which community providers are shared)."""
    cols = [c for n in control_names for c in integration_models.CONTROL_COLUMNS.get(n, [])]
    frame = frame.dropna(subset=[y, x, *cols])
    parts = [frame[[x]].to_numpy(float), np.ones((len(frame), 1))]
    parts += integration_models.control_parts(frame, control_names)
    groups = integration_models.icb_clusters(frame)
    interval = inference.wild_cluster_bootstrap(
        frame[y].to_numpy(float), np.column_stack(parts), groups, 0
    )
    return interval, len(frame)


def staff_comparison(
    od: succession.OrgData, groups: pd.DataFrame, controls: pd.DataFrame, control_names: list[str]
) -> pd.DataFrame:
    """NHS Staff Survey 2021-24 (mean of the years) per trust: (a) against the rest, OLS with
    the controls, wild cluster bootstrap by main 2022 ICB; p-values Holm-adjusted over the
    measures."""
    survey = outcomes.load_staff_survey()
    survey = survey.assign(code=succession.to_current(od.graph, survey["code"]))
    staff = survey.groupby("code")[list(STAFF_MEASURES)].mean()
    base = groups[["code", "group"]].merge(controls, on="code")
    base = base[base["group"] != "unplaced"].join(staff, on="code")
    base["treated"] = (base["group"] == "acute_runs_community").astype(float)
    rows = []
    for measure, (label, better) in STAFF_MEASURES.items():
        interval, trusts = _cross_section(base, measure, "treated", control_names)
        rows.append(
            {
                "measure": label,
                "better": better,
                "estimate": interval.estimate,
                "low95": interval.low95,
                "high95": interval.high95,
                "p_value": interval.p_value,
                "trusts": trusts,
            }
        )
    out = pd.DataFrame(rows)
    out["p_holm"] = inference.adjust(out["p_value"], "holm")
    return out


# --------------------------------------------------------------------------- whole system
WHOLE_SYSTEM_MONTHS = ("2023-06", "2024-01")  # the community discharge sitrep's months


def whole_system(od: succession.OrgData, acute: list[str], classes: pd.DataFrame) -> pd.DataFrame:
    """Per 2022 ICB, June 2023 to January 2024: patients not meeting the criteria to reside in
    acute beds (the ICB's acute trusts) and in community beds (the community providers based in
    the ICB) per 100,000 registered patients, and the share of the ICB's admitted patients whose
    acute trust ran community services (October 2023)."""

    first, last = (pd.Timestamp(f"{m}-01") for m in WHOLE_SYSTEM_MONTHS)
    acute_icb = manifest.cached_frame("flow_icb_ctr_daily", icb_outcomes.parse_icb_ctr)
    acute_icb = acute_icb.assign(icb22_code=geography.icb22_ods_codes(acute_icb["icb22_code"]))
    acute_icb = acute_icb[acute_icb["month"].between(first, last)]
    acute_mean = acute_icb.groupby("icb22_code")["do_not_meet_criteria_to_reside"].mean()
    comm = manifest.cached_frame("flow_sitrep_long", outcomes.parse_community_nctr)
    comm = comm[comm["month"].between(first, last)]
    located = community_returns.locate_providers().set_index("code")["icb22_code"]
    ods = community_returns.icb22_of_trusts()
    comm["icb22_code"] = comm["code"].map(located).replace("", np.nan).fillna(comm["code"].map(ods))
    per_month = comm.groupby(["icb22_code", "month"])["community_nctr"].sum()
    comm_mean = per_month.groupby("icb22_code").mean()
    icbs = geography.icb_populations_2022().set_index("icb_code")
    pops = icbs["patients_2021"]
    patients = community_returns.patients_by_council(od)
    october = classes[classes["month"] == pd.Timestamp("2023-10-01")].set_index("code")["group"]
    patients = patients[patients["code"].isin(acute)].assign(
        in_a=lambda f: f["code"].map(october).eq("acute_runs_community")
    )
    share = patients.groupby("icb22_code").apply(
        lambda f: float(f.loc[f["in_a"], "patients"].sum() / f["patients"].sum()),
        include_groups=False,
    )
    out = pd.DataFrame({"icb22_code": pops.index})
    out["population"] = out["icb22_code"].map(pops)
    out["acute_per_100k"] = 1e5 * out["icb22_code"].map(acute_mean) / out["population"]
    out["community_per_100k"] = (
        1e5 * out["icb22_code"].map(comm_mean).fillna(0.0) / out["population"]
    )
    out["whole_system_per_100k"] = out["acute_per_100k"] + out["community_per_100k"]
    out["share_in_a"] = out["icb22_code"].map(share)
    out["icb_name"] = out["icb22_code"].map(geography.icb22_official_names())
    return out.dropna(subset=["acute_per_100k", "share_in_a"])


def whole_system_slopes(frame: pd.DataFrame) -> pd.DataFrame:
    """OLS across ICBs of the acute-only and the whole-system measure on the share of patients
    whose acute trust runs community services (HC1 intervals; one row per ICB)."""
    import statsmodels.api as sm

    rows = []
    for column, label in (
        ("acute_per_100k", "Acute beds only"),
        ("whole_system_per_100k", "Acute and community beds"),
    ):
        fit = sm.OLS(frame[column], sm.add_constant(frame["share_in_a"])).fit(cov_type="HC1")
        low, high = fit.conf_int().loc["share_in_a"]
        rows.append(
            {
                "measure": label,
                "slope": float(fit.params["share_in_a"]),
                "low95": float(low),
                "high95": float(high),
                "icbs": int(fit.nobs),
            }
        )
    return pd.DataFrame(rows)


def event_effects(
    panel: pd.DataFrame,
    classes: pd.DataFrame,
    events: pd.DataFrame,
    outcome: str = settings.PRIMARY,
) -> pd.DataFrame:
    """For each change of hands inside the outcome's data (six months either side), the acute
    trusts whose class changed in that month, each with the placebo comparison of
    :func:`event_with_placebo` (other trusts whose class changed in the window left out)."""
    first, last = (pd.Timestamp(f"{m}-01") for m in settings.OUTCOME_PERIODS[outcome])
    movers = tuple(sorted(integration_classes.class_changers(classes)))
    rows = []
    for ev in events.itertuples():
        if not (
            first <= ev.date - pd.DateOffset(months=6) and ev.date + pd.DateOffset(months=5) <= last
        ):
            continue
        before = classes[classes["month"] == ev.date - pd.DateOffset(months=1)].set_index("code")
        after = classes[classes["month"] == ev.date].set_index("code")
        moved = [
            c
            for c in after.index
            if c in before.index and after.at[c, "group"] != before.at[c, "group"]
        ]
        for code in moved:
            result = event_with_placebo(panel, code, ev.date, outcome, exclude=movers)
            rows.append(
                {
                    "community_trust": ev.community_trust,
                    "to": ev.to,
                    "date": ev.date,
                    "acute_trust": code,
                    "from_class": integration_classes.GROUPS[before.at[code, "group"]],
                    "to_class": integration_classes.GROUPS[after.at[code, "group"]],
                    **result,
                }
            )
    return pd.DataFrame(rows)
