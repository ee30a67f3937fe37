"""Question 3, the register: each acute trust classed month by month by who provides the
community services of its patients (from the providers' own returns, see
:mod:`chsreport.analysis.community_exposure`).

Classes (per trust and month): **(a)** the trust runs adult community services itself;
otherwise its patients' community services come, weighted by where its patients live, mainly
from **(b)** a standalone community trust, **(c)** a mental-health trust, or **(d)** another
provider (a social enterprise, community interest company, private provider, or a neighbouring
acute trust); a trust whose patients' areas have no provider in the returns is unplaced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import community_exposure
from chsreport.data import community_returns, geography, ods, outcomes, succession

GROUPS = {group: vocabulary.class_label(group) for group in vocabulary.CLASSES}
GROUP_OF_CLASS = {
    "own": "acute_runs_community",
    "standalone": "standalone_community",
    "mental_health": "mh_runs_community",
    "other": "other_provider",
    "none": "unplaced",
}
RULES = tuple(settings.RULES)
REFERENCE = "standalone_community"
COMPARISONS = vocabulary.COMPARISON_LABELS
BEDS_ONLY_RULES = ("strict", "default", "loose")
BEDS_ONLY_GROUPS = vocabulary.BEDS_ONLY_CLASSES


def _community_providers_by_icb22(od: succession.OrgData) -> pd.DataFrame:
    """NHS trusts reporting to the community sitrep, with their type and 2022 ICB (HQ)."""
    reporters = outcomes.load_community_sitrep_reporters()
    trusts = reporters[reporters["org_code"].str.match(ods.TRUST_CODE.pattern)].copy()
    ods22 = ods.load_ods_trusts()
    ods22 = ods22[ods22["extract"] == "2022-03"].set_index("code")["icb_code"]
    trusts["icb22_code"] = trusts["org_code"].map(ods22)
    on = pd.Timestamp("2023-10-01")
    trusts["type"] = [ods.type_on(c, on, od.evidence)[0] for c in trusts["org_code"]]
    return trusts


def _main_areas(codes: list[str], od: succession.OrgData) -> pd.DataFrame:
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
    od: succession.OrgData,
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
        base, _ = ods.type_on(code, end, od.evidence)
        absorbed = succession.integrated_type(base, code, end, od) == "acute_community"
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
                        f"area {area.icb22_code} ({vocabulary.percent(area.share)} of patients): "
                        f"standalone community trust {', '.join(standalone['org_code'])}"
                    )
                    break
                if len(mental):
                    group = "mh_runs_community"
                    evidence.append(
                        f"area {area.icb22_code} ({vocabulary.percent(area.share)} of patients): "
                        f"mental-health trust with community beds {', '.join(mental['org_code'])}"
                    )
                    break
            if group == "unplaced":
                evidence.append(
                    f"area {main.icb22_code} ({vocabulary.percent(main.share)} of patients): no "
                    "NHS trust reports community beds there (social enterprise, private provider "
                    "or none)"
                    if main.share >= min_share or rule == "loose"
                    else f"main area supplies only {vocabulary.percent(main.share)} of patients"
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


def carried_share(classes: pd.DataFrame, start: str, end: str) -> float:
    """The share of trust-months in [start, end] whose class was carried from another month's
    returns (none published that month, or the trust's own return from another month)."""
    rows = outcomes.window(classes.assign(flag=~classes["from_return"]), "flag", start, end)
    return float(rows["flag"].mean())


def contacts_per_admission(od: succession.OrgData, acute: list[str]) -> dict[str, float]:
    """Each acute trust's adult community care contacts (:func:`community_returns.adult_contacts`)
    per emergency admission, in the month of the CSDS counts; NaN where there is no count or no
    admissions."""
    month = community_exposure.VOLUME_MONTH
    contacts = community_returns.adult_contacts(od, acute, month)
    admissions = outcomes.emergency_admissions(od, month)
    out = {}
    for code in acute:
        per = admissions.get(code, np.nan)
        out[code] = contacts[code] / per if per and per > 0 else np.nan
    return out


def volume_crosstab(
    od: succession.OrgData, acute: list[str], rule: str = "default"
) -> pd.DataFrame:
    """Each acute trust in the month of the CSDS counts as its returns alone and its care volume
    alone would class it (runs community services or not), and what the book's rule decides."""
    month = community_exposure.VOLUME_MONTH
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
        np.where(
            frame["contacts_per_admission"] >= community_exposure.VOLUME_RUNS, "runs", "does not"
        ),
    )
    frame["decided"] = frame["code"].map(both).map({True: "runs", False: "does not"})
    frame["by_table"] = (
        frame["code"].map(decided["evidence"]).str.contains(community_exposure.TABLE_DECIDES)
    )
    return frame


OTHER_CUTS = ((0.5, 2.0), (2.0, 5.0))  # other (not below, runs at) pairs the table tries


def monthly_classes(
    od: succession.OrgData,
    acute: list[str],
    rule: str = "default",
    source: str = "both",
    cuts: tuple[float, float] = (community_exposure.VOLUME_NOT, community_exposure.VOLUME_RUNS),
) -> pd.DataFrame:
    """Each acute trust's class per month (2021-04 to 2025-08) with its evidence: the output of
    :func:`chsreport.analysis.community_exposure.exposure` with the chapter's group keys, whether
    the trust runs community services decided from ``source``
    (:func:`community_exposure.runs_by_volume`). Computed once per loaded data for each rule and
    source."""
    return od.remember(
        ("exposure", tuple(acute), rule, source, cuts),
        lambda: _work_out_classes(od, acute, rule, source, cuts),
    )


def _work_out_classes(
    od: succession.OrgData, acute: list[str], rule: str, source: str, cuts: tuple[float, float]
) -> pd.DataFrame:
    months = list(pd.date_range(*[f"{m}-01" for m in ANALYSIS_MONTHS], freq="MS"))
    volume = contacts_per_admission(od, acute) if source != "returns" else {}
    frame = community_exposure.exposure(od, acute, months, rule, volume, source, cuts)
    frame["group"] = frame["cls"].map(GROUP_OF_CLASS)
    frame["group_label"] = frame["group"].map(GROUPS)
    return frame


def main_icb22_of(od: succession.OrgData, acute: list[str]) -> pd.Series:
    """Each acute trust's main 2022 ICB (the one most of its admitted patients live in) and the
    share of its patients from there."""
    patients = community_returns.patients_by_council(od)
    mine = patients[patients["code"].isin(acute)]
    by_icb = mine.groupby(["code", "icb22_code"])["patients"].sum().reset_index()
    top = by_icb.sort_values(["code", "patients"], ascending=[True, False])
    top = top.drop_duplicates("code").set_index("code")
    total = mine.groupby("code")["patients"].sum()
    return top["icb22_code"], top["patients"] / total


def classify(
    od: succession.OrgData,
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
    main, share = main_icb22_of(od, acute_codes)
    out["main_icb22"] = out["code"].map(main)
    out["main_share"] = out["code"].map(share)
    names = od.register.set_index("code")
    out["name"] = out["code"].map(names["name"])
    out["region"] = out["code"].map(names["region_name"])
    return out


def class_changes(od: succession.OrgData, acute: list[str], rule: str = "default") -> pd.DataFrame:
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


def beds_only_monthly(od: succession.OrgData, acute: list[str]) -> pd.DataFrame:
    """The first edition's classes spread over every month (it had one class per trust)."""
    groups = classify_beds_only(od, acute, "default")
    months = pd.date_range(*[f"{m}-01" for m in ANALYSIS_MONTHS], freq="MS")
    frame = groups[["code", "group"]].merge(pd.DataFrame({"month": months}), how="cross")
    return frame


def class_changers(classes: pd.DataFrame) -> set[str]:
    """Trusts whose class changes at least once in ``classes`` (one row per trust and month)."""
    kinds = classes.groupby("code")["group"].nunique()
    return set(kinds[kinds > 1].index)


def council_classes(od: succession.OrgData, groups: pd.DataFrame) -> pd.DataFrame:
    """Each council (2024 codes) with the acute trust that admits most of its residents and that
    trust's usual class: who provides its residents' community services, in the chapter's
    classes. Admissions are OHID's catchment shares by 2021 district, carried to today's councils
    (2023 reorganisations) and to today's trusts. Columns: code, trust, trust_name, group_label,
    share (of the council's admitted patients going to that trust)."""
    patients = community_returns.patients_by_council(od)
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


def class_sizes_by_rule(
    od: succession.OrgData, acute: list[str], start: str, end: str
) -> pd.DataFrame:
    """How many acute trusts fall in each usual class under each rule for who runs community
    services, with each rule named by its number of adult service lines."""
    sizes = {
        f"{rule.capitalize()} rule ({settings.RULES[rule]}+ adult service lines)": classify(
            od, acute, rule, start, end
        )["group_label"].value_counts()
        for rule in RULES
    }
    frame = pd.DataFrame(sizes).reindex(list(GROUPS.values())).fillna(0).astype(int)
    return frame.rename_axis("Class").reset_index()
