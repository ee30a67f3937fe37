"""Question 3, what integration achieves: each acute trust classed month by month by who provides
the community services of its patients (from the providers' own returns, see
:mod:`chsreport.community`), and the flow outcomes compared between classes with a wild cluster
bootstrap and a four-word verdict (:mod:`chsreport.inference`).

Classes (per trust and month): **(a)** the trust runs adult community services itself;
otherwise its patients' community services come, weighted by where its patients live, mainly
from **(b)** a standalone community trust, **(c)** a mental-health trust, or **(d)** another
provider (a social enterprise, community interest company, private provider, or a neighbouring
acute trust); a trust whose patients' areas have no provider in the returns is unplaced.

Comparisons: Carter's ((a) against every other acute trust) and (a) against (b). The model is
OLS of the trust-month outcome on the class, month fixed effects and controls (size, region,
rurality, deprivation, age); intervals from a wild cluster bootstrap clustered by the 2022 ICB
of the trust's patients (the level at which community providers are shared).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport import community, geography, inference, lineage, orgs, outcomes, vocabulary

GROUPS = {
    "acute_runs_community": "(a) Runs community services itself",
    "standalone_community": "(b) Standalone community trust",
    "mh_runs_community": "(c) Mental-health trust",
    "other_provider": "(d) Another provider",
    "unplaced": "Unplaced",
}
GROUP_OF_CLASS = {
    "own": "acute_runs_community",
    "standalone": "standalone_community",
    "mental_health": "mh_runs_community",
    "other": "other_provider",
    "none": "unplaced",
}
RULES = tuple(community.RULES)
REFERENCE = "standalone_community"
COMPARISONS = {
    "carter": "(a) against every other acute trust",
    "a_vs_b": "(a) against (b) only",
}
BEDS_ONLY_RULES = ("strict", "default", "loose")
BEDS_ONLY_GROUPS = {
    "acute_runs_community": "(a) Acute trust runs community services (beds rule)",
    "standalone_community": "(b) Standalone community trust in the area",
    "mh_runs_community": "(c) Mental-health trust runs community services",
    "unplaced": "Unplaced",
}
DEFAULT_SMALLEST_EFFECT = 0.10  # share of the comparison group's mean, for the primary outcome
SMALLEST_EFFECT_REASON = (
    "a tenth of the comparison group's average, taken as the smallest change in delayed "
    "discharges that would justify reorganising who runs community services; it is a judgement, "
    "not an estimate, and the chapter can be re-run with another value. Every other outcome's "
    "smallest effect is about the same share of the spread between acute trusts (the standard "
    "deviation of their averages) as the primary's, so each outcome is tested against a "
    "difference of similar size relative to how much trusts differ"
)
MARGINS = tuple(round(0.05 + 0.01 * i, 2) for i in range(16))  # 5 % to 20 %, shown for readers


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


def classify_beds_only(
    od: lineage.OrgData,
    acute_codes: list[str],
    rule: str = "default",
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The first edition's rule (community beds in the sitrep, ICB of most patients): one row
    per acute trust. Kept so the robustness table can show why the verdict changed."""
    if rule not in BEDS_ONLY_RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {BEDS_ONLY_RULES}")
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
                "group_label": BEDS_ONLY_GROUPS[group],
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


ANALYSIS_MONTHS = ("2021-04", "2025-08")  # the union of the outcomes' data periods
_EXPOSURE_CACHE: dict = {}


def carried_share(classes: pd.DataFrame, start: str, end: str) -> float:
    """The share of trust-months in [start, end] whose class was carried from another month's
    returns (none published that month, or the trust's own return from another month)."""
    rows = outcomes.window(classes.assign(flag=~classes["from_return"]), "flag", start, end)
    return float(rows["flag"].mean())


def carried_sentence(classes: pd.DataFrame, start: str, end: str) -> str:
    """What share of the classes is carried, in words, with where the robustness table tests
    it."""
    return (
        f"In {carried_share(classes, start, end):.0%} of trust-months from "
        f"{vocabulary.period(f'{start}-01', f'{end}-01')} a trust's class is not read from "
        "that month's own returns: it is carried from the nearest month with returns, or set by "
        "another month's care volume or by the book's dated table of providers; the robustness "
        "table gives the verdict on only the months read from their own returns."
    )


def contacts_per_admission(od: lineage.OrgData, acute: list[str]) -> dict[str, float]:
    """Each acute trust's adult community care contacts (:func:`community.adult_contacts`) per
    emergency admission, in the month of the CSDS counts; NaN where there is no count or no
    admissions."""
    month = community.VOLUME_MONTH
    contacts = community.adult_contacts(od, acute, month)
    admissions = outcomes.emergency_admissions(od, month)
    out = {}
    for code in acute:
        per = admissions.get(code, np.nan)
        out[code] = contacts[code] / per if per and per > 0 else np.nan
    return out


def volume_crosstab(od: lineage.OrgData, acute: list[str], rule: str = "default") -> pd.DataFrame:
    """Each acute trust in the month of the CSDS counts as its returns alone and its care volume
    alone would class it (runs community services or not), and what the book's rule decides."""
    month = community.VOLUME_MONTH
    ratio = contacts_per_admission(od, acute)
    lines = monthly_classes(od, acute, rule, "returns")
    lines = lines[lines["month"] == month].set_index("code")["group"] == "acute_runs_community"
    decided = monthly_classes(od, acute, rule, "both")
    decided = decided[decided["month"] == month].set_index("code")
    both = decided["group"] == "acute_runs_community"
    names = od.register.set_index("code")["name"]
    frame = pd.DataFrame({"code": acute})
    frame["name"] = frame["code"].map(names)
    frame["contacts_per_admission"] = frame["code"].map(ratio)
    frame["by_returns"] = frame["code"].map(lines).map({True: "runs", False: "does not"})
    frame["by_volume"] = np.where(
        frame["contacts_per_admission"].isna(),
        "no count",
        np.where(frame["contacts_per_admission"] >= community.VOLUME_RUNS, "runs", "does not"),
    )
    frame["decided"] = frame["code"].map(both).map({True: "runs", False: "does not"})
    frame["by_table"] = frame["code"].map(decided["evidence"]).str.contains(community.TABLE_DECIDES)
    return frame


OTHER_CUTS = ((0.5, 2.0), (2.0, 5.0))  # other (not below, runs at) pairs the table tries


def monthly_classes(
    od: lineage.OrgData,
    acute: list[str],
    rule: str = "default",
    source: str = "both",
    cuts: tuple[float, float] = (community.VOLUME_NOT, community.VOLUME_RUNS),
) -> pd.DataFrame:
    """Each acute trust's class per month (2021-04 to 2025-08) with its evidence: the output of
    :func:`chsreport.community.exposure` with the chapter's group keys, whether the trust runs
    community services decided from ``source`` (:func:`community.runs_by_volume`). Computed
    once per kernel for each rule and source."""
    key = (id(od), tuple(acute), rule, source, cuts)
    if key not in _EXPOSURE_CACHE:
        months = list(pd.date_range(*[f"{m}-01" for m in ANALYSIS_MONTHS], freq="MS"))
        volume = contacts_per_admission(od, acute) if source != "returns" else {}
        frame = community.exposure(od, acute, months, rule, volume, source, cuts)
        frame["group"] = frame["cls"].map(GROUP_OF_CLASS)
        frame["group_label"] = frame["group"].map(GROUPS)
        _EXPOSURE_CACHE[key] = frame
    return _EXPOSURE_CACHE[key]


def _main_icb22(od: lineage.OrgData, acute: list[str]) -> pd.Series:
    patients = community.patients_by_council(od)
    mine = patients[patients["code"].isin(acute)]
    by_icb = mine.groupby(["code", "icb22_code"])["patients"].sum().reset_index()
    top = by_icb.sort_values(["code", "patients"], ascending=[True, False])
    top = top.drop_duplicates("code").set_index("code")
    total = mine.groupby("code")["patients"].sum()
    return top["icb22_code"], top["patients"] / total


def classify(
    od: lineage.OrgData,
    acute_codes: list[str],
    rule: str = "default",
    start: str = "2022-04",
    end: str = "2025-08",
) -> pd.DataFrame:
    """One row per acute trust: its usual class over [start, end] (the class of most months),
    the months in each class, its class and the evidence in its last month, and its main 2022
    ICB."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
    monthly = outcomes.window(monthly_classes(od, acute_codes, rule), "group", start, end)
    counts = monthly.groupby(["code", "group"]).size().unstack(fill_value=0)
    order = list(GROUPS)
    usual = counts.apply(
        lambda r: max(r.index, key=lambda g: (r[g], -order.index(g))), axis=1
    ).rename("group")
    last = monthly.sort_values("month").groupby("code").last()
    out = usual.reset_index()
    out["group_label"] = out["group"].map(GROUPS)
    out["months_in_group"] = [
        counts.loc[c, g] for c, g in zip(out["code"], out["group"], strict=True)
    ]
    out["months"] = out["code"].map(counts.sum(axis=1))
    out["changed_class"] = out["code"].map((counts > 0).sum(axis=1) > 1)
    out["last_group_label"] = out["code"].map(last["group"]).map(GROUPS)
    out["last_month"] = out["code"].map(last["month"])
    out["evidence"] = out["code"].map(last["evidence"])
    main, share = _main_icb22(od, acute_codes)
    out["main_icb22"] = out["code"].map(main)
    out["main_share"] = out["code"].map(share)
    names = od.register.set_index("code")
    out["name"] = out["code"].map(names["name"])
    out["region"] = out["code"].map(names["region_name"])
    return out


def class_changes(od: lineage.OrgData, acute: list[str], rule: str = "default") -> pd.DataFrame:
    """Trusts whose class changed from the first edition's beds-only rule: code, name, old and
    new class, and the evidence for the new one."""
    old = classify_beds_only(od, acute, "default").set_index("code")
    new = classify(od, acute, rule).set_index("code")
    rows = []
    for code in new.index:
        before = old["group"].get(code, "unplaced")
        if before != new.at[code, "group"]:
            rows.append(
                {
                    "code": code,
                    "name": new.at[code, "name"],
                    "beds_only_rule": BEDS_ONLY_GROUPS[before],
                    "returns_rule": new.at[code, "group_label"],
                    "evidence": new.at[code, "evidence"],
                }
            )
    return pd.DataFrame(
        rows, columns=["code", "name", "beds_only_rule", "returns_rule", "evidence"]
    )


def trust_means(
    panel: pd.DataFrame, groups: pd.DataFrame, outcome: str, start: str, end: str
) -> pd.DataFrame:
    rows = outcomes.window(panel, outcome, start, end)
    means = rows.groupby("code")[outcome].mean().rename("value").reset_index()
    return means.merge(groups[["code", "group", "group_label", "name", "region"]], on="code")


MEAN_RESAMPLES = 2000  # percentile bootstrap of a class's mean over trusts


def bootstrap_ci(values: np.ndarray, stat=np.mean, n_boot: int = MEAN_RESAMPLES, seed: int = 2026):
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
        rows.append(
            {
                "group": group,
                "group_label": GROUPS.get(group, group),
                "trusts": len(part),
                "mean": part["value"].mean(),
                "mean_low": low,
                "mean_high": high,
                "median": part["value"].median(),
            }
        )
    order = list(GROUPS)
    return pd.DataFrame(rows).sort_values("group", key=lambda s: s.map(order.index))


# --------------------------------------------------------------------------- controls and model
CONTROLS = ("size", "region", "rurality", "deprivation", "age")


def controls_frame(od: lineage.OrgData, acute: list[str], panel: pd.DataFrame) -> pd.DataFrame:
    """Per acute trust: log mean adult beds, NHS region, rural share of its main 2022 ICB,
    deprivation and age (Peer Finder, its own row or else its largest predecessor's), and the
    main 2022 ICB (the cluster)."""
    from chsreport import finance

    beds = panel.groupby("code")["adult_beds_available"].mean()
    lsoa = geography.lsoa_places()
    rural = (lsoa["rural_urban"] == "Rural").groupby(lsoa["icb22_code"]).mean()
    main, _ = _main_icb22(od, acute)
    profile = finance.load_peer_profile()
    peer = finance.load_peer_finder().set_index("code")["patients"]
    profile = profile.assign(
        current=lineage.to_current(od.graph, profile["code"]),
        weight=profile["code"].map(peer).fillna(0.0),
    ).sort_values(["current", "weight"], ascending=[True, False])
    own = profile[profile["code"] == profile["current"]].set_index("current")
    fallback = profile.drop_duplicates("current").set_index("current")
    names = od.register.set_index("code")
    out = pd.DataFrame({"code": acute})
    out["log_beds"] = np.log(out["code"].map(beds))
    out["region"] = out["code"].map(names["region_name"]).fillna("unknown")
    out["main_icb22"] = out["code"].map(main)
    out["rural_share"] = out["main_icb22"].map(rural)
    for column in ("deprivation", "age_60_74"):
        out[column] = out["code"].map(own[column]).fillna(out["code"].map(fallback[column]))
    return out


_CONTROL_COLUMNS = {
    "size": ["log_beds"],
    "rurality": ["rural_share"],
    "deprivation": ["deprivation"],
    "age": ["age_60_74"],
}


def model_frame(
    panel: pd.DataFrame,
    classes: pd.DataFrame,
    controls: pd.DataFrame,
    outcome: str,
    start: str,
    end: str,
    comparison: str = "carter",
    drop_codes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Trust-months with the outcome, the trust's class that month, and the controls; for
    "a_vs_b" only months in (a) or (b); unplaced months are left out."""
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison {comparison!r}; choose one of {tuple(COMPARISONS)}")
    rows = outcomes.window(panel, outcome, start, end)[["code", "month", outcome]]
    rows = rows.merge(classes[["code", "month", "group"]], on=["code", "month"])
    rows = rows.merge(controls, on="code")
    rows = rows[(rows["group"] != "unplaced") & ~rows["code"].isin(drop_codes)]
    if comparison == "a_vs_b":
        rows = rows[rows["group"].isin(["acute_runs_community", REFERENCE])]
    rows["treated"] = (rows["group"] == "acute_runs_community").astype(float)
    return rows


def _control_parts(frame: pd.DataFrame, controls: list[str]) -> list[np.ndarray]:
    """The controls' columns of a design matrix, in the order named (region as dummies)."""
    parts = []
    for name in controls:
        if name == "region":
            parts.append(pd.get_dummies(frame["region"], drop_first=True, dtype=float).to_numpy())
        else:
            parts.append(frame[_CONTROL_COLUMNS[name]].to_numpy(dtype=float))
    return parts


def _icb_clusters(frame: pd.DataFrame) -> np.ndarray:
    """Cluster codes: each trust's main 2022 ICB (the trust itself where it has none)."""
    return pd.Categorical(frame["main_icb22"].fillna(frame["code"])).codes


def _design(frame: pd.DataFrame, outcome: str, controls: list[str]):
    parts = [frame[["treated"]].to_numpy(), np.ones((len(frame), 1))]
    months = pd.get_dummies(frame["month"], drop_first=True, dtype=float)
    parts.append(months.to_numpy())
    parts += _control_parts(frame, controls)
    return frame[outcome].to_numpy(dtype=float), np.column_stack(parts)


def estimate(
    frame: pd.DataFrame,
    outcome: str,
    controls: list[str],
    cluster: str = "icb",
    method: str = "wild",
    reps: int = inference.WILD_REPLICATIONS,
) -> inference.Interval:
    """The (a) coefficient: wild cluster bootstrap (``method="wild"``) or CR1 (``"crv1"``),
    clustered by the main 2022 ICB (``cluster="icb"``) or by trust (``"trust"``)."""
    needed = [outcome, "treated"] + [c for n in controls for c in _CONTROL_COLUMNS.get(n, [])]
    frame = frame.dropna(subset=needed)
    y, X = _design(frame, outcome, controls)
    groups = _icb_clusters(frame) if cluster == "icb" else pd.Categorical(frame["code"]).codes
    if method == "wild":
        return inference.wild_cluster_bootstrap(y, X, groups, 0, reps=reps)
    return inference.cluster_robust(y, X, groups, 0)


def reference_mean(frame: pd.DataFrame, outcome: str) -> float:
    """Mean of the trust means of the comparison group (every trust-month not in (a))."""
    others = frame[frame["treated"] == 0]
    return float(others.groupby("code")[outcome].mean().mean())


def trust_spread(panel: pd.DataFrame, outcome: str, start: str, end: str) -> pd.Series:
    """Each acute trust's average of ``outcome`` over [start, end] (the spread between the trusts
    the chapter compares; other providers in the A&E files are left out)."""
    rows = outcomes.window(panel, outcome, start, end)
    rows = rows[rows["code"].isin(acute_trust_codes(panel))]
    return rows.groupby("code")[outcome].mean()


def spread_share(panel: pd.DataFrame, smallest_effect: float = DEFAULT_SMALLEST_EFFECT) -> float:
    """The primary outcome's smallest effect (``smallest_effect`` of its average) in standard
    deviations of trusts' averages: the share of the spread every other outcome's smallest effect
    is set to."""
    means = trust_spread(panel, PRIMARY, *OUTCOME_PERIODS[PRIMARY])
    return smallest_effect * float(means.mean()) / float(means.std())


def smallest_effect_for(
    panel: pd.DataFrame,
    outcome: str,
    start: str,
    end: str,
    base: float,
    smallest_effect: float = DEFAULT_SMALLEST_EFFECT,
) -> float:
    """The smallest effect of interest for ``outcome``, in its own unit: for the primary outcome
    ``smallest_effect`` of the comparison group's average ``base``; for any other, the same
    share of the spread between trusts as the primary's (:func:`spread_share`)."""
    if outcome == PRIMARY:
        return abs(smallest_effect * base)
    return spread_share(panel, smallest_effect) * float(
        trust_spread(panel, outcome, start, end).std()
    )


def margin_verdicts(head: dict, margins: tuple[float, ...] = MARGINS) -> pd.DataFrame:
    """The verdict of one headline (:func:`headline`) at each smallest effect in ``margins``
    (shares of the comparison group's average): the interval stays, only the margin moves."""
    interval = inference.Interval(
        head["estimate"], np.nan, head["low95"], head["high95"], head["low90"], head["high90"],
        head["p_value"], head["clusters"], head["observations"], head["method"],
    )  # fmt: skip
    rows = [
        {
            "margin_share": share,
            "margin": share * abs(head["reference_mean"]),
            "verdict": inference.verdict(
                interval, share * abs(head["reference_mean"]), head["better"]
            ),
        }
        for share in margins
    ]
    return pd.DataFrame(rows)


def equivalence_margin(head: dict) -> float:
    """The smallest margin (a share of the comparison group's average) at which the verdict
    would read "no meaningful difference": where the 90% interval fits inside it."""
    return max(abs(head["low90"]), abs(head["high90"])) / abs(head["reference_mean"])


def ruled_out(head: dict) -> str:
    """What the 95% interval already rules out for trusts that run community services, against
    the smallest effect (``head``: :func:`headline`): being worse by more than the interval
    allows, better by more than it allows, or neither."""
    lower = head.get("better", "lower") == "lower"
    harm = head["high95"] if lower else -head["low95"]  # the worst the data allow
    gain = -head["low95"] if lower else head["high95"]  # the best the data allow
    margin = head["smallest_effect"]
    parts = []
    if harm < margin:
        parts.append(f"worse by more than {harm:.2f}" if harm > 0 else "worse at all")
    if gain < margin:
        parts.append(f"better by more than {gain:.2f}" if gain > 0 else "better at all")
    if not parts:
        return "The data rule out neither a gain nor a harm as large as that."
    return f"The data rule out combined trusts being {' or '.join(parts)}."


def margin_sentence(head: dict, chosen: float) -> str:
    """What the verdict depends on: the margin (a share of the comparison average) at which it
    would read "no meaningful difference", and what the data already rule out."""
    if head.get("outcome", PRIMARY) != PRIMARY:
        return ruled_out(head)
    at = equivalence_margin(head)
    if head["verdict"] == "no meaningful difference":
        change = (
            f'It reads "no meaningful difference" with any smallest effect of {at:.1%} of the '
            f"comparison average or more (the one used is {chosen:.0%})."
        )
    else:
        change = (
            f'It would read "no meaningful difference" with a smallest effect of {at:.1%} of the '
            f"comparison average or more (the one used is {chosen:.0%})."
        )
    return f"{change} {ruled_out(head)}"


def headline(
    panel: pd.DataFrame,
    classes: pd.DataFrame,
    controls: pd.DataFrame,
    outcome: str,
    start: str,
    end: str,
    control_names: list[str],
    comparison: str = "carter",
    smallest_effect: float = DEFAULT_SMALLEST_EFFECT,
    cluster: str = "icb",
    method: str = "wild",
    drop_codes: tuple[str, ...] = (),
) -> dict:
    """Estimate, 95 % and 90 % intervals, the smallest effect of interest and the verdict for
    one outcome and comparison."""
    spec = outcomes.OUTCOMES[outcome]
    frame = model_frame(panel, classes, controls, outcome, start, end, comparison, drop_codes)
    interval = estimate(frame, outcome, control_names, cluster, method)
    base = reference_mean(frame, outcome)
    delta = smallest_effect_for(panel, outcome, start, end, base, smallest_effect)
    return {
        "outcome": outcome,
        "outcome_label": spec.label,
        "unit": spec.unit,
        "better": spec.better,
        "comparison": comparison,
        "comparison_label": COMPARISONS[comparison],
        "estimate": interval.estimate,
        "low95": interval.low95,
        "high95": interval.high95,
        "low90": interval.low90,
        "high90": interval.high90,
        "p_value": interval.p_value,
        "reference_mean": base,
        "smallest_effect": delta,
        "relative": interval.estimate / base if base else np.nan,
        "verdict": inference.verdict(interval, delta, spec.better),
        "trusts_a": int(frame.loc[frame["treated"] == 1, "code"].nunique()),
        "trusts_other": int(frame.loc[frame["treated"] == 0, "code"].nunique()),
        "clusters": interval.clusters,
        "clusters_with_a": int(frame.loc[frame["treated"] == 1, "main_icb22"].nunique()),
        "observations": interval.observations,
        "method": interval.method,
        "period": f"{start} to {end}",
    }


OUTCOME_PERIODS = {  # months each outcome's data cover
    "ctr_per_100_beds": ("2022-04", "2025-08"),
    "discharges_per_100_beds_day": ("2022-04", "2025-08"),
    "ae_4hr_performance": ("2021-04", "2025-07"),
    "dta_over_4h": ("2021-04", "2025-07"),
    "community_delay_share": ("2024-06", "2025-05"),
    "delay_days_14_per_100_beds": ("2022-04", "2024-01"),
    "delay_days_21_per_100_beds": ("2022-04", "2024-01"),
}
PRIMARY = "ctr_per_100_beds"


def period_for(outcome: str, start: str, end: str) -> tuple[str, str] | None:
    first, last = OUTCOME_PERIODS[outcome]
    lo, hi = max(start, first), min(end, last)
    return (lo, hi) if lo <= hi else None


def all_estimates(
    panel, classes, controls, start: str, end: str, control_names: list[str], smallest_effect
) -> pd.DataFrame:
    """Every outcome under both comparisons, each within its own data period, with Holm and
    Benjamini-Hochberg adjusted p-values over the secondary outcomes (the primary outcome is
    declared in advance and not adjusted), and the effect in between-trust SDs."""
    rows = []
    for key in outcomes.OUTCOMES:
        window_ = period_for(key, start, end)
        if window_ is None:
            continue
        for comparison in COMPARISONS:
            row = headline(
                panel, classes, controls, key, *window_, control_names, comparison, smallest_effect
            )
            means = outcomes.window(panel, key, *window_).groupby("code")[key].mean()
            row["sd_between_trusts"] = float(means.std())
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["primary"] = frame["outcome"] == PRIMARY
    for comparison in COMPARISONS:
        mask = (frame["comparison"] == comparison) & ~frame["primary"]
        frame.loc[mask, "p_holm"] = inference.adjust(frame.loc[mask, "p_value"], "holm")
        frame.loc[mask, "p_bh"] = inference.adjust(frame.loc[mask, "p_value"], "fdr_bh")
    frame["standardised"] = frame["estimate"] / frame["sd_between_trusts"]
    frame["standardised_low"] = frame["low95"] / frame["sd_between_trusts"]
    frame["standardised_high"] = frame["high95"] / frame["sd_between_trusts"]
    # orient so that right = better for (a)
    flip = np.where(frame["better"] == "lower", -1.0, 1.0)
    frame["benefit"] = frame["standardised"] * flip
    lows = frame["standardised_low"] * flip
    highs = frame["standardised_high"] * flip
    frame["benefit_low"] = np.minimum(lows, highs)
    frame["benefit_high"] = np.maximum(lows, highs)
    return frame


def robustness(
    od: lineage.OrgData,
    panel: pd.DataFrame,
    acute: list[str],
    controls: pd.DataFrame,
    outcome: str,
    start: str,
    end: str,
    control_names: list[str],
    smallest_effect: float = DEFAULT_SMALLEST_EFFECT,
) -> pd.DataFrame:
    """The headline under each classification rule (the first edition's beds-only rule
    included), each comparison, each clustering, without the trusts touched by the 2024-26
    changes of hands, and on only the trust-months whose class came from that month's own
    returns (none carried from a neighbouring month)."""
    specs = []
    for rule in RULES:
        for comparison in COMPARISONS:
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
    for cuts in OTHER_CUTS:
        label = f"returns and care volume, cuts {cuts[0]:g} and {cuts[1]:g} contacts per admission"
        specs.append((label, cuts, "carter", "icb", "wild", ()))
    for comparison in COMPARISONS:
        specs.append(("beds only (earlier rule)", "beds", comparison, "icb", "wild", ()))
    rows = []
    for label, rule, comparison, cluster, method, drop in specs:
        if rule == "beds":
            classes = beds_only_monthly(od, acute)
        elif rule == "no_d":  # (d) includes areas served by a neighbouring acute trust
            classes = monthly_classes(od, acute, "default")
            classes = classes.assign(
                group=classes["group"].where(classes["group"] != "other_provider", "unplaced")
            )
        elif isinstance(rule, tuple):  # other thresholds for the care volume
            classes = monthly_classes(od, acute, "default", "both", rule)
        elif rule in ("returns_only", "volume_only", "no_table"):  # another source decides
            classes = monthly_classes(od, acute, "default", rule.removesuffix("_only"))
        elif rule == "returned":  # no class carried from another month's returns
            classes = monthly_classes(od, acute, "default")
            classes = classes.assign(
                group=classes["group"].where(classes["from_return"], "unplaced")
            )
        else:
            classes = monthly_classes(od, acute, rule)
        row = headline(
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


def beds_only_monthly(od: lineage.OrgData, acute: list[str]) -> pd.DataFrame:
    """The first edition's classes spread over every month (it had one class per trust)."""
    groups = classify_beds_only(od, acute, "default")
    months = pd.date_range(*[f"{m}-01" for m in ANALYSIS_MONTHS], freq="MS")
    frame = groups[["code", "group"]].merge(pd.DataFrame({"month": months}), how="cross")
    return frame


def class_changers(classes: pd.DataFrame) -> set[str]:
    """Trusts whose class changes at least once in ``classes`` (one row per trust and month)."""
    kinds = classes.groupby("code")["group"].nunique()
    return set(kinds[kinds > 1].index)


def touched_by_transfers(od: lineage.OrgData, acute: list[str]) -> set[str]:
    """Acute trusts whose class changes inside the analysis window under the default rule
    (among them every trust touched by a 2024-26 change of hands)."""
    return class_changers(monthly_classes(od, acute, "default"))


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
    od: lineage.OrgData, panel: pd.DataFrame, acute: list[str], classes: pd.DataFrame
) -> pd.DataFrame:
    """Per acute trust that ran community services in March 2025: adult community care contacts
    it ran that month (CSDS; its own code and any community trust it had taken in by then) per
    emergency admission that month, and its mean month-demeaned primary outcome over 2024-08 to
    2025-07 (the latest CHS window). Trusts without a CSDS row are left out, not set to 0."""
    march = community.VOLUME_MONTH
    in_a = classes[(classes["month"] == march) & (classes["group"] == "acute_runs_community")]
    codes = sorted(in_a["code"])
    contacts = community.adult_contacts(od, codes, march)
    admissions = panel[panel["month"] == march].set_index("code")["total_emergency_admissions"]
    rows = outcomes.window(panel, PRIMARY, "2024-08", "2025-07")[["code", "month", PRIMARY]].copy()
    rows["demeaned"] = rows[PRIMARY] - rows.groupby("month")[PRIMARY].transform("mean")
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
    cols = [c for name in control_names for c in _CONTROL_COLUMNS.get(name, [])]
    merged = merged.dropna(subset=["outcome", "dose", *cols]).reset_index(drop=True)
    parts = [merged[["dose"]].to_numpy(float), np.ones((len(merged), 1))]
    parts += _control_parts(merged, control_names)
    fit = sm.OLS(merged["outcome"].to_numpy(float), np.column_stack(parts)).fit()
    push = fit.get_influence().dfbetas[:, 0] * np.sign(fit.params[0])
    order = np.argsort(-push)[:n]
    return [merged["code"].iloc[i] for i in order]


# --------------------------------------------------------------------------- changes of hands
TRANSFERS = ("2015-01-01", "2026-12-31")  # changes of hands the event study looks for


def transfer_events(od: lineage.OrgData, start: str = TRANSFERS[0], end: str = TRANSFERS[1]):
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
    cols = [c for n in control_names for c in _CONTROL_COLUMNS.get(n, [])]
    frame = frame.dropna(subset=[y, x, *cols])
    parts = [frame[[x]].to_numpy(float), np.ones((len(frame), 1))]
    parts += _control_parts(frame, control_names)
    groups = _icb_clusters(frame)
    interval = inference.wild_cluster_bootstrap(
        frame[y].to_numpy(float), np.column_stack(parts), groups, 0
    )
    return interval, len(frame)


def staff_comparison(
    od: lineage.OrgData, groups: pd.DataFrame, controls: pd.DataFrame, control_names: list[str]
) -> pd.DataFrame:
    """NHS Staff Survey 2021-24 (mean of the years) per trust: (a) against the rest, OLS with
    the controls, wild cluster bootstrap by main 2022 ICB; p-values Holm-adjusted over the
    measures."""
    survey = outcomes.load_staff_survey()
    survey = survey.assign(code=lineage.to_current(od.graph, survey["code"]))
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


# --------------------------------------------------------------------------- the claim
@lru_cache(maxsize=8)
def carter_verdict(
    outcome: str = PRIMARY,
    rule: str = "default",
    comparison: str = "carter",
    controls: tuple[str, ...] = CONTROLS,
    smallest_effect: float = DEFAULT_SMALLEST_EFFECT,
    source: str = "both",
) -> dict:
    """Claim C06 (Lord Carter, seed 001): the verdict, estimate and intervals for acute trusts
    that run community services against every other acute trust, over the outcome's period;
    ``source``: what decides who runs community services (:func:`community.runs_by_volume`)."""
    od = lineage.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = acute_trust_codes(panel)
    classes = monthly_classes(od, acute, rule, source)
    ctl = controls_frame(od, acute, panel)
    start, end = OUTCOME_PERIODS[outcome]
    row = headline(
        panel, classes, ctl, outcome, start, end, list(controls), comparison, smallest_effect
    )
    sizes = classify(od, acute, rule, start, end)["group"].value_counts()
    return {**row, "rule": rule, "class_sizes": {g: int(sizes.get(g, 0)) for g in GROUPS}}


INPUTS = [
    *community.chs_names(),
    "pelld_csds_mar_2025",
    "ohid_catchment_share_ltla21",
    "ohid_catchment_2022",
    "flow_ctr_daily",
    "flow_discharged_daily",
    "flow_delay_reasons",
    "flow_ae_attribution",
    "flow_beds_monthly",
    "flow_ae_monthly",
    "flow_sitrep_long",
    "staff_survey_2021_2024",
    "trust_peer_finder_2018",
    "ohid_catchment_share_icb22",
    "ons_lsoa11_icb22",
    "ods_etr_2022_03",
    "ods_succ_2026_05",
    "trust_list_2026_08",
]


# --------------------------------------------------------------------------- charts
FLOW_SOURCE = (
    "NHS England discharge sitreps, G&A beds sitreps and A&E statistics (via healthyr); "
    "CHS SitRep and CSDS (who provides community services); OHID catchments; NHS ODS lineage"
)
GROUP_COLOURS = {
    "acute_runs_community": "#56B4E9",
    "standalone_community": "#009E73",
    "mh_runs_community": "#E69F00",
    "other_provider": "#8E6BBF",  # not pink: pink is a mental-health trust in every chapter
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
            color=alt.Color("group_label:N", title="Class", scale=group_scale()),
            tooltip=[
                alt.Tooltip("region:N", title="Region"),
                alt.Tooltip("group_label:N", title="Class"),
                alt.Tooltip("trusts:Q", title="Acute trusts"),
            ],
        )
        .properties(width=480, height=220)
    )
    n = groups["group"].value_counts()
    return charts.figure(
        chart,
        title=f"{n.get('acute_runs_community', 0)} of {len(groups)} acute trusts run community "
        f"services themselves; {n.get('standalone_community', 0)} have a standalone "
        "community trust",
        subtitle=f"Acute trusts by usual class, {vocabulary.period('2022-04', '2025-08')}, and NHS "
        f"region; '{rule}' rule",
        source=FLOW_SOURCE,
        table=groups[
            [
                "code",
                "name",
                "region",
                "group_label",
                "months_in_group",
                "months",
                "main_icb22",
                "main_share",
                "evidence",
            ]
        ],
        csv_name=f"acute_trust_classes_{rule}.csv",
    )


def council_classes(od: lineage.OrgData, groups: pd.DataFrame) -> pd.DataFrame:
    """Each council (2024 codes) with the acute trust that admits most of its residents and that
    trust's usual class: who provides its residents' community services, in the chapter's
    classes. Admissions are OHID's catchment shares by 2021 district, carried to today's councils
    (2023 reorganisations) and to today's trusts. Columns: code, trust, trust_name, group_label,
    share (of the council's admitted patients going to that trust)."""
    patients = community.patients_by_council(od)
    mine = patients[patients["code"].isin(set(groups["code"]))].copy()
    mine["council"] = geography.current_council_code(mine["ltla_code"])
    by = mine.groupby(["council", "code"], as_index=False)["patients"].sum()
    by["share"] = by["patients"] / by.groupby("council")["patients"].transform("sum")
    main = by.sort_values(["patients", "code"], ascending=[False, True]).drop_duplicates("council")
    classes = groups.set_index("code")
    return pd.DataFrame(
        {
            "code": main["council"],
            "trust": main["code"],
            "trust_name": main["code"].map(classes["name"]).map(vocabulary.org_name),
            "group_label": main["code"].map(classes["group_label"]),
            "share": main["share"].round(3),
        }
    ).sort_values("code", ignore_index=True)


def council_class_map(od: lineage.OrgData, groups: pd.DataFrame, rule: str):
    """Councils coloured by the class of the acute trust that admits most of their residents."""
    import altair as alt

    from chsreport import maps

    values = council_classes(od, groups)
    own = int(values["group_label"].eq(GROUPS["acute_runs_community"]).sum())
    standalone = int(values["group_label"].eq(GROUPS["standalone_community"]).sum())
    minority = int((values["share"] < 0.5).sum())
    present = [g for g in GROUPS.values() if g in set(values["group_label"])]
    return maps.choropleth(
        "lad24",
        values,
        alt.Color(
            "group_label:N",
            title="Main acute trust's class",
            scale=alt.Scale(
                domain=present,
                range=[GROUP_COLOURS[k] for k, v in GROUPS.items() if v in present],
            ),
            sort=present,
        ),
        title=f"In {own} of {len(values)} councils the acute trust admitting the most residents "
        f"runs community services itself; in {standalone} that trust works beside a standalone "
        "community trust",
        subtitle="Each council (May 2024) by the usual class of the acute trust admitting the most "
        f"of its residents, {vocabulary.period('2022-04', '2025-08')} (class (a): the trust "
        "runs adult community services by the book's rule; see the methods page).",
        source=FLOW_SOURCE,
        csv_name=f"council_classes_{rule}.csv",
        tooltip=[
            alt.Tooltip("trust_name:N", title="Main acute trust"),
            alt.Tooltip("share:Q", title="Share of admitted residents", format=".0%"),
            alt.Tooltip("group_label:N", title="Class"),
        ],
        summary=f"In {own} of {len(values)} councils the acute trust admitting the most "
        f"residents runs community services itself (class (a)); in {standalone} it works beside a "
        "standalone community trust (class (b)). A council's colour is the class of that trust, "
        "not a count of who provides community services in the council: a trust in class (a) may "
        f"run only part of them, and in {minority} councils it admits fewer than half of the "
        "residents admitted to the acute trusts classified here.",
    )


def over_time_figure(
    panel: pd.DataFrame, classes: pd.DataFrame, outcome: str, start: str, end: str
):
    import altair as alt

    from chsreport import charts

    spec = outcomes.OUTCOMES[outcome]
    rows = outcomes.window(panel, outcome, start, end).merge(
        classes[["code", "month", "group", "group_label"]], on=["code", "month"]
    )
    rows = rows[rows["group"] != "unplaced"]  # a handful of trust-months; lines would mislead
    monthly = rows.groupby(["month", "group_label"])[outcome].mean().rename("value").reset_index()
    chart = (
        alt.Chart(monthly)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("value:Q", title=spec.unit, scale=alt.Scale(zero=False)),
            color=alt.Color("group_label:N", title="Class that month", scale=group_scale()),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("group_label:N", title="Class"),
                alt.Tooltip("value:Q", title=spec.unit, format=".1f"),
            ],
        )
        .properties(width=540, height=240)
    )
    return charts.figure(
        chart,
        title=f"{spec.label}: raw monthly means by class, before any adjustment",
        subtitle=f"Mean over the trusts in each class that month; {spec.better} is better. "
        f"Source: {spec.source}",
        source=spec.source,
        table=monthly,
        csv_name=f"{outcome}_by_class_month.csv",
    )


def forest_figure(estimates: pd.DataFrame, comparison: str = "carter"):
    """Standardised effects (difference over the between-trust SD), oriented so that right is
    better for (a), one row per outcome."""
    import altair as alt

    from chsreport import charts

    frame = estimates[estimates["comparison"] == comparison].copy()
    frame["row"] = frame["outcome"].map({k: o.short for k, o in outcomes.OUTCOMES.items()})
    frame.loc[frame["primary"], "row"] = frame.loc[frame["primary"], "row"] + " (primary)"
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    )
    rule = base.mark_rule(strokeWidth=2, color="#0072B2").encode(
        x=alt.X(
            "benefit_low:Q",
            title=["Standardised difference (between-trust SDs)", "right = better for (a)"],
        ),
        x2="benefit_high:Q",
    )
    point = base.mark_point(filled=True, size=70, color="#0072B2").encode(
        x="benefit:Q",
        tooltip=[
            alt.Tooltip("outcome_label:N", title="Outcome"),
            alt.Tooltip("estimate:Q", title="Difference (outcome's unit)", format=".2f"),
            alt.Tooltip("low95:Q", title="95% low", format=".2f"),
            alt.Tooltip("high95:Q", title="95% high", format=".2f"),
            alt.Tooltip("unit:N", title="Unit"),
            alt.Tooltip("verdict:N", title="Verdict"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 3]).encode(x="x:Q")
    chart = (zero + rule + point).properties(width=420, height=32 * len(frame))
    primary = frame[frame["primary"]]
    verdict_word = primary["verdict"].iloc[0] if len(primary) else "not estimated"
    return charts.figure(
        chart,
        title=f"Acute trusts that run community services, {COMPARISONS[comparison]}: "
        f"primary outcome {verdict_word}",
        subtitle="Adjusted differences over the between-trust SD with 95% wild cluster bootstrap "
        "intervals; month fixed effects and controls",
        source=FLOW_SOURCE,
        table=frame.drop(columns=["row"]),
        csv_name=f"adjusted_estimates_{comparison}.csv",
    )


def dose_figure(frame: pd.DataFrame, result: dict):
    import altair as alt

    from chsreport import charts

    base = alt.Chart(frame)
    points = base.mark_circle(size=45, opacity=0.7, color="#0072B2").encode(
        x=alt.X("dose:Q", title="Adult community care contacts per emergency admission, Mar 2025"),
        y=alt.Y(
            "outcome:Q", title="Not meeting criteria to reside per 100 adult beds, vs month mean"
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Trust"),
            alt.Tooltip("code:N", title="ODS code"),
            alt.Tooltip("dose:Q", title="Contacts per admission", format=".2f"),
            alt.Tooltip("outcome:Q", title="Difference from month mean", format=".1f"),
        ],
    )
    line = (
        base.transform_regression("dose", "outcome")
        .mark_line(color="#D55E00")
        .encode(x="dose:Q", y="outcome:Q")
    )
    return charts.figure(
        (points + line).properties(width=520, height=300),
        title="Exploratory: community contacts per emergency admission and delayed discharges, "
        f"among {result['trusts']} acute trusts that run community services",
        subtitle=f"Contacts in Mar 2025, delays Aug 2024 to Jul 2025. Rank correlation "
        f"{result['rank_correlation']:+.2f}; adjusted slope {result['slope']:+.2f} (95% "
        f"{result['low95']:+.2f} to {result['high95']:+.2f}); without the "
        f"{len(result['left_out'])} most influential trusts {result['slope_without']:+.2f} "
        f"({result['low95_without']:+.2f} to {result['high95_without']:+.2f}). "
        "Line: unadjusted fit",
        source=f"{community.SOURCE_CSDS}; NHS England acute discharge sitrep and G&A beds sitrep",
        table=frame,
        csv_name="dose_response.csv",
    )


# --------------------------------------------------------------------------- whole system
WHOLE_SYSTEM_MONTHS = ("2023-06", "2024-01")  # the community discharge sitrep's months
SITREP_NCTR = "Number of patients who no longer meet the criteria to reside"


def parse_community_nctr(path) -> pd.DataFrame:
    """Community discharge sitrep, Table 2 -> mean daily patients not meeting the criteria to
    reside, per community provider and month."""
    rows = outcomes.sitrep_rows(path, "community", "Table 2", [SITREP_NCTR])
    out = rows.groupby(["org_code", "month"], as_index=False)["value"].mean()
    return out.rename(columns={"org_code": "code", "value": "community_nctr"})


def whole_system(od: lineage.OrgData, acute: list[str], classes: pd.DataFrame) -> pd.DataFrame:
    """Per 2022 ICB, June 2023 to January 2024: patients not meeting the criteria to reside in
    acute beds (the ICB's acute trusts) and in community beds (the community providers based in
    the ICB) per 100,000 registered patients, and the share of the ICB's admitted patients whose
    acute trust ran community services (October 2023)."""
    from chsreport import data, locality

    first, last = (pd.Timestamp(f"{m}-01") for m in WHOLE_SYSTEM_MONTHS)
    acute_icb = data.cached_frame("flow_icb_ctr_daily", locality.parse_icb_ctr)
    acute_icb = acute_icb.assign(icb22_code=geography.icb22_ods_codes(acute_icb["icb22_code"]))
    acute_icb = acute_icb[acute_icb["month"].between(first, last)]
    acute_mean = acute_icb.groupby("icb22_code")["do_not_meet_criteria_to_reside"].mean()
    comm = data.cached_frame("flow_sitrep_long", parse_community_nctr)
    comm = comm[comm["month"].between(first, last)]
    located = community.locate_providers().set_index("code")["icb22_code"]
    ods = community.icb22_of_trusts()
    comm["icb22_code"] = comm["code"].map(located).replace("", np.nan).fillna(comm["code"].map(ods))
    per_month = comm.groupby(["icb22_code", "month"])["community_nctr"].sum()
    comm_mean = per_month.groupby("icb22_code").mean()
    icbs = geography.icb_populations_2022().set_index("icb_code")
    pops = icbs["patients_2021"]
    patients = community.patients_by_council(od)
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


# --------------------------------------------------------------------------- words for readers
def robustness_for_readers(robust: pd.DataFrame) -> pd.DataFrame:
    """The robustness table in three columns: the choice, the difference with its interval, and
    the verdict (the full table is in the CSV)."""
    choice = (
        robust["classification"]
        .str.replace("returns and care volume", "providers' returns and care volume", regex=False)
        .str.replace("returns alone", "providers' returns alone", regex=False)
        + "; "
        + robust["comparison_label"]
        + "; errors: "
        + robust["clustering"]
        + np.where(robust["transfers"] == "all", "", "; " + robust["transfers"])
    )
    difference = [
        f"{e:+.2f} ({lo:+.2f} to {hi:+.2f}); {a} against {o} trusts"
        for e, lo, hi, a, o in zip(
            robust["estimate"],
            robust["low95"],
            robust["high95"],
            robust["trusts_a"],
            robust["trusts_other"],
            strict=True,
        )
    ]
    return pd.DataFrame(
        {"Verdict": robust["verdict"], "Difference (95% interval)": difference, "Choice": choice}
    )


def plain_verdict(row: dict, spec) -> str:
    """The headline in plain words: how many fewer (or more) delayed patients, as a share, and
    the range the data allow."""

    def words(v: float) -> str:
        return f"{abs(v):.2f} {'fewer' if v < 0 else 'more'}"

    if spec.better == "lower":
        sense = (
            f"Trusts that run community services had {words(row['estimate'])} "
            f"{spec.unit} ({abs(row['relative']):.0%} {'fewer' if row['estimate'] < 0 else 'more'}"
            f" than the other trusts' average of {row['reference_mean']:.1f}). "
            f"The data fit anything from {words(row['low95'])} to {words(row['high95'])}"
        )
    else:
        sense = (
            f"Trusts that run community services differed by {row['estimate']:+.2f} {spec.unit}; "
            f"the data fit anything from {row['low95']:+.2f} to {row['high95']:+.2f}"
        )
    margin = row["smallest_effect"]
    past = [v for v in (row["low95"], row["high95"]) if abs(v) > margin]
    equivalent = (
        f"and the 90% interval ({row['low90']:+.2f} to {row['high90']:+.2f}) lies inside the "
        f"smallest difference that would matter ({margin:.2f} either way), so any difference is "
        "smaller than that"
        + (
            f"; at 95% the data still allow a difference of {abs(past[0]):.2f}, past it."
            if past
            else "."
        )
    )
    ending = {
        "supported": "so the data support the claim.",
        "contradicted": "so the data contradict the claim.",
        "no meaningful difference": equivalent,
        "inconclusive": "so we cannot say whether the claim is right: the range includes both a "
        "difference that would matter and none at all.",
    }[row["verdict"]]
    return f"**In plain words:** {sense}, {ending}"


def event_effects(
    panel: pd.DataFrame, classes: pd.DataFrame, events: pd.DataFrame, outcome: str = PRIMARY
) -> pd.DataFrame:
    """For each change of hands inside the outcome's data (six months either side), the acute
    trusts whose class changed in that month, each with the placebo comparison of
    :func:`event_with_placebo` (other trusts whose class changed in the window left out)."""
    first, last = (pd.Timestamp(f"{m}-01") for m in OUTCOME_PERIODS[outcome])
    movers = tuple(sorted(class_changers(classes)))
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
                    "from_class": GROUPS[before.at[code, "group"]],
                    "to_class": GROUPS[after.at[code, "group"]],
                    **result,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- maps
def system_maps(system: pd.DataFrame) -> list:
    """Two maps of the 42 ICBs of 2022 from the whole-system table: the share of patients whose
    acute trust runs community services, and delayed patients in acute beds per 100,000."""
    import altair as alt

    from chsreport import maps

    # the 2023 boundaries recode a 2022 ICB (Surrey Heartlands): join by name
    by_name = {
        vocabulary.icb_short_name(f["properties"]["name"]): f["properties"]["code"]
        for f in maps.features("icb23")
    }
    values = pd.DataFrame(
        {
            "code": system["icb_name"].map(by_name),
            "icb": system["icb_name"],
            "share_in_a": system["share_in_a"].round(3),
            "acute_per_100k": system["acute_per_100k"].round(1),
        }
    )
    if values["code"].isna().any():  # every 2022 ICB must find its 2023 shape by name
        missing = sorted(values.loc[values["code"].isna(), "icb"])
        raise ValueError(f"2022 ICBs with no 2023 shape: {missing}")
    high = values.loc[values["share_in_a"].idxmax()]
    share = maps.choropleth(
        "icb23",
        values[["code", "share_in_a", "icb"]],
        alt.Color(
            "share_in_a:Q",
            title="Share of patients",
            scale=alt.Scale(scheme="greens", domain=[0, 1]),
            legend=alt.Legend(format=".0%"),
        ),
        title=f"In {int((values['share_in_a'] >= 0.5).sum())} of {len(values)} ICBs of 2022 "
        "most patients' acute trust runs community services itself (class (a)); in "
        f"{int((values['share_in_a'] >= 0.98).sum())} almost all do (98% or more)",
        subtitle="Share of each 2022 ICB's admitted patients whose acute trust ran community "
        f"services, October 2023 (highest: {high['icb']}, {high['share_in_a']:.1%}).",
        source="NHS England CHS SitRep and Community Services Data Set; OHID catchments",
        csv_name="map_share_in_a.csv",
        tooltip=[alt.Tooltip("share_in_a:Q", title="Share", format=".0%")],
    )
    fewest = values.loc[values["acute_per_100k"].idxmin()]
    most = values.loc[values["acute_per_100k"].idxmax()]
    from scipy import stats

    rho, p = stats.spearmanr(values["share_in_a"], values["acute_per_100k"])
    link = (
        "no clear link with the share of patients in class (a)"
        if p >= 0.05
        else f"{'lower' if rho < 0 else 'higher'} where more patients are in class (a)"
    )
    from chsreport import locality

    delays = maps.choropleth(
        "icb23",
        values[["code", "acute_per_100k", "icb"]],
        alt.Color(
            "acute_per_100k:Q",
            title="Per 100,000",
            scale=alt.Scale(scheme="oranges"),
            legend=alt.Legend(format=".0f"),
        ),
        title=f"Delayed patients in acute beds: {fewest['acute_per_100k']:.0f} to "
        f"{most['acute_per_100k']:.0f} per 100,000 registered patients, {link}",
        subtitle="Patients not meeting the criteria to reside in the ICB's acute trusts, daily "
        "mean June 2023 to January 2024, per 100,000 registered patients.",
        source="NHS England acute discharge sitrep; GP registrations",
        csv_name="map_acute_delays.csv",
        tooltip=[alt.Tooltip("acute_per_100k:Q", title="Per 100,000", format=".1f")],
        summary=f"Delayed patients in acute beds ranged from {fewest['acute_per_100k']:.0f} per "
        f"100,000 registered patients ({fewest['icb']}) to {most['acute_per_100k']:.0f} "
        f"({most['icb']}); across the {len(values)} ICBs of 2022 the rank correlation with the "
        f"share of patients in class (a) is {f'{rho:+.2f}'.replace('-', '−')} (p = {p:.2f}). "
        "The locality pages use "
        f"{vocabulary.period(*locality.PERIOD)} and today's ICBs, so their figures differ a "
        "little.",
    )
    return [share, delays]


def dose_sentence(slope: dict) -> str:
    """The dose-response result in words, chosen by its 95% interval (``slope``:
    :func:`dose_response`). Exploratory whatever it shows: the verdict rests on the primary
    comparison, which this analysis does not enter."""
    figures = (
        f"{slope['slope']:+.2f} patients per 100 adult beds not meeting the criteria to reside "
        f"per adult community care contact per emergency admission (95% interval "
        f"{slope['low95']:+.2f} to {slope['high95']:+.2f}; {slope['trusts']} trusts, adjusted for "
        "the controls)"
    )

    def direction(low: float, high: float) -> str | None:
        return "fewer" if high < 0 else "more" if low > 0 else None

    whole = direction(slope["low95"], slope["high95"])
    rest = direction(slope.get("low95_without", 0.0), slope.get("high95_without", 0.0))
    fragile = "left_out" in slope and (rest != whole or slope["rank_p_value"] >= 0.05)
    if whole is None:
        reading = "Among these trusts, the data fit no link between community contacts and delays"
    elif fragile:
        reading = (
            f"Among these trusts, more community contacts went with {whole} delays in the "
            "adjusted model, but the link is fragile: the ranks show no clear link, or it "
            "depends on a few trusts"
        )
    else:
        reading = f"Among these trusts, more community contacts went with {whole} delays"
    robust = (
        f" Their rank correlation is {slope['rank_correlation']:+.2f} (p = "
        f"{slope['rank_p_value']:.2f}); without the "
        f"{len(slope['left_out'])} trusts that move the line most ({', '.join(slope['left_out'])}) "
        f"the slope is {slope['slope_without']:+.2f} (95% interval {slope['low95_without']:+.2f} "
        f"to {slope['high95_without']:+.2f})."
        if "left_out" in slope
        else ""
    )
    return (
        f"{reading}: {figures}.{robust} This is exploratory, one of several analyses outside the "
        "primary comparison, which alone gives the verdict above: a cross-section of one year "
        "that cannot say which came first."
    )


def class_sizes_by_rule(
    od: lineage.OrgData, acute: list[str], start: str, end: str
) -> pd.DataFrame:
    """How many acute trusts fall in each usual class under each rule for who runs community
    services, with each rule named by its number of adult service lines."""
    sizes = {
        f"{rule.capitalize()} rule ({community.RULES[rule]}+ adult service lines)": classify(
            od, acute, rule, start, end
        )["group_label"].value_counts()
        for rule in RULES
    }
    frame = pd.DataFrame(sizes).reindex(list(GROUPS.values())).fillna(0).astype(int)
    return frame.rename_axis("Class").reset_index()


def placement_sentence(placed: pd.DataFrame) -> str:
    """How providers missing from the ODS trust files were placed in an ICB (``placed``:
    :func:`community.locate_providers`), each one left out named before its code."""
    from_returns = int(placed["how"].str.startswith("CHS").sum())
    left = placed[placed["icb22_code"] == ""]
    ending = (
        f"{vocabulary.plural(len(left), 'provider')} could not be placed and "
        f"{'is' if len(left) == 1 else 'are'} left out of every area: "
        + ", ".join(community.provider_named(code) for code in left["code"])
        + "."
        if len(left)
        else "all were placed."
    )
    return (
        f"{from_returns} providers missing from the ODS trust files (community interest "
        "companies, social enterprises, private providers, care trusts) were placed in their ICB "
        f"from the returns' own ICB totals; {ending}"
    )


def volume_crosstab_table(crosstab: pd.DataFrame) -> pd.DataFrame:
    """The two sources side by side for readers: how many acute trusts each pair of answers
    covers (returns down the side, care volume across)."""
    table = pd.crosstab(crosstab["by_returns"], crosstab["by_volume"])
    table = table.reindex(index=["runs", "does not"], columns=["runs", "does not", "no count"])
    table = table.fillna(0).astype(int)
    table.index = [f"Returns: {v}" for v in table.index]
    table.columns = [f"Care volume: {c}" for c in table.columns]
    return table.rename_axis("Returns (5+ adult service lines)").reset_index()


def volume_sentence(crosstab: pd.DataFrame) -> str:
    """Where the two sources disagree and what the rule decided, each trust named."""
    differ = crosstab[crosstab["by_returns"] != crosstab["decided"]]
    if differ.empty:
        return "The care volume confirms every class the returns give."
    by_volume = differ[~differ["by_table"]]
    by_table = differ[differ["by_table"]]
    parts = [
        f"{vocabulary.org_name(r.name)} ({r.code}; {r.contacts_per_admission:.1f} contacts per "
        f"emergency admission, so it {'runs' if r.decided == 'runs' else 'does not run'} them)"
        for r in by_volume.itertuples()
    ]
    named = [
        f"{vocabulary.org_name(r.name)} ({r.code}; {r.contacts_per_admission:.1f})"
        for r in by_table.itertuples()
    ]
    text = (
        f"The returns alone would class {vocabulary.plural(len(differ), 'acute trust')} "
        "differently. "
        + (
            f"For {vocabulary.plural(len(by_volume), 'trust')} the care volume decides: "
            f"{'; '.join(parts)}. "
            if parts
            else ""
        )
        + (
            f"For {vocabulary.count_words(len(named))} more, between the thresholds, the book's "
            f"table names the trust as a council's main adult community provider, which decides: "
            f"{'; '.join(named)}. "
            if named
            else ""
        )
    )
    return text + (
        f"A trust runs adult community services when it provides at least "
        f"{community.VOLUME_RUNS:g} adult community care contacts per emergency admission, and "
        f"does not below {community.VOLUME_NOT:g}, whatever its returns list; in between, or with "
        "no count, its returns decide, or the table when it names the trust."
    )


def dependence_sentence(robust: pd.DataFrame) -> str:
    """How the verdict on Carter's claim depends on how running community services is measured
    (``robust``: :func:`robustness`), each measure with its verdict."""
    main = robust[
        (robust["comparison"] == "carter")
        & (robust["clustering"] == "2022 ICB (wild bootstrap)")
        & (robust["transfers"] == "all")
    ]
    verdicts = main.drop_duplicates("classification").set_index("classification")["verdict"]
    wanted = {
        "returns and care volume, default rule": "with the providers' returns and care volume "
        "(the book's rule)",
        "returns alone, default rule": "with their returns alone",
        "care volume alone (CSDS)": "with the care volume alone",
        "returns and care volume, without the table naming a trust": "without the table naming "
        "a trust as a council's provider",
        "returns and care volume, default rule, only months read from their own returns": "on "
        "only the months read from their own returns",
    }
    parts = [f"{verdicts[key]} {words}" for key, words in wanted.items() if key in verdicts]
    return (
        "How the verdict depends on the measure of who runs community services: "
        + "; ".join(parts)
        + "."
    )
