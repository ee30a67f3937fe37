"""Question 3, the models: the flow outcomes compared between classes, with a four-word verdict.

Comparisons: Carter's ((a) against every other acute trust) and (a) against (b). The model is
OLS of the trust-month outcome on the class, month fixed effects and controls (size, region,
rurality, deprivation, age); intervals from a wild cluster bootstrap clustered by the 2022 ICB
of the trust's patients (the level at which community providers are shared), see
:mod:`chsreport.analysis.inference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import inference, integration_classes
from chsreport.data import finance, geography, outcomes, succession

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


def trust_means(
    panel: pd.DataFrame, groups: pd.DataFrame, outcome: str, start: str, end: str
) -> pd.DataFrame:
    """Each acute trust's mean of ``outcome`` from ``start`` to ``end``, with its usual class, name
    and region."""
    rows = outcomes.window(panel, outcome, start, end)
    means = rows.groupby("code")[outcome].mean().rename("value").reset_index()
    return means.merge(groups[["code", "group", "group_label", "name", "region"]], on="code")


MEAN_RESAMPLES = 2000  # percentile bootstrap of a class's mean over trusts


def bootstrap_ci(
    values: np.ndarray, stat=np.mean, n_boot: int = MEAN_RESAMPLES, seed: int = settings.SEED
):
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
    """Per class: trusts, mean of the trust means (``means``: :func:`trust_means`) with a 95%
    bootstrap interval over trusts, and the median."""
    rows = []
    for group, part in means.groupby("group"):
        low, high = bootstrap_ci(part["value"].to_numpy())
        rows.append(
            {
                "group": group,
                "group_label": integration_classes.GROUPS.get(group, group),
                "trusts": len(part),
                "mean": part["value"].mean(),
                "mean_low": low,
                "mean_high": high,
                "median": part["value"].median(),
            }
        )
    order = list(integration_classes.GROUPS)
    return pd.DataFrame(rows).sort_values("group", key=lambda s: s.map(order.index))


def controls_frame(od: succession.OrgData, acute: list[str], panel: pd.DataFrame) -> pd.DataFrame:
    """Per acute trust: log mean adult beds, NHS region, rural share of its main 2022 ICB,
    deprivation and age (Peer Finder, its own row or else its largest predecessor's), and the
    main 2022 ICB (the cluster)."""

    beds = panel.groupby("code")["adult_beds_available"].mean()
    lsoa = geography.lsoa_places()
    rural = (lsoa["rural_urban"] == "Rural").groupby(lsoa["icb22_code"]).mean()
    main, _ = integration_classes.main_icb22_of(od, acute)
    profile = finance.load_peer_profile()
    peer = finance.load_peer_finder().set_index("code")["patients"]
    profile = profile.assign(
        current=succession.to_current(od.graph, profile["code"]),
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


CONTROL_COLUMNS = {
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
    if comparison not in integration_classes.COMPARISONS:
        raise ValueError(
            f"unknown comparison {comparison!r}; choose one of "
            f"{tuple(integration_classes.COMPARISONS)}"
        )
    rows = outcomes.window(panel, outcome, start, end)[["code", "month", outcome]]
    rows = rows.merge(classes[["code", "month", "group"]], on=["code", "month"])
    rows = rows.merge(controls, on="code")
    rows = rows[(rows["group"] != "unplaced") & ~rows["code"].isin(drop_codes)]
    if comparison == "a_vs_b":
        rows = rows[rows["group"].isin(["acute_runs_community", integration_classes.REFERENCE])]
    rows["treated"] = (rows["group"] == "acute_runs_community").astype(float)
    return rows


def control_parts(frame: pd.DataFrame, controls: list[str]) -> list[np.ndarray]:
    """The controls' columns of a design matrix, in the order named (region as dummies)."""
    parts = []
    for name in controls:
        if name == "region":
            parts.append(pd.get_dummies(frame["region"], drop_first=True, dtype=float).to_numpy())
        else:
            parts.append(frame[CONTROL_COLUMNS[name]].to_numpy(dtype=float))
    return parts


def icb_clusters(frame: pd.DataFrame) -> np.ndarray:
    """Cluster codes: each trust's main 2022 ICB (the trust itself where it has none)."""
    return pd.Categorical(frame["main_icb22"].fillna(frame["code"])).codes


def _design(frame: pd.DataFrame, outcome: str, controls: list[str]):
    parts = [frame[["treated"]].to_numpy(), np.ones((len(frame), 1))]
    months = pd.get_dummies(frame["month"], drop_first=True, dtype=float)
    parts.append(months.to_numpy())
    parts += control_parts(frame, controls)
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
    needed = [outcome, "treated"] + [c for n in controls for c in CONTROL_COLUMNS.get(n, [])]
    frame = frame.dropna(subset=needed)
    y, X = _design(frame, outcome, controls)
    groups = icb_clusters(frame) if cluster == "icb" else pd.Categorical(frame["code"]).codes
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
    rows = rows[rows["code"].isin(integration_classes.acute_trust_codes(panel))]
    return rows.groupby("code")[outcome].mean()


def spread_share(panel: pd.DataFrame, smallest_effect: float = DEFAULT_SMALLEST_EFFECT) -> float:
    """The primary outcome's smallest effect (``smallest_effect`` of its average) in standard
    deviations of trusts' averages: the share of the spread every other outcome's smallest effect
    is set to."""
    means = trust_spread(panel, settings.PRIMARY, *settings.OUTCOME_PERIODS[settings.PRIMARY])
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
    if outcome == settings.PRIMARY:
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
        parts.append(
            f"worse by more than {vocabulary.fixed(harm, 2)}" if harm > 0 else "worse at all"
        )
    if gain < margin:
        parts.append(
            f"better by more than {vocabulary.fixed(gain, 2)}" if gain > 0 else "better at all"
        )
    if not parts:
        return "The data rule out neither a gain nor a harm as large as that."
    return f"The data rule out combined trusts being {' or '.join(parts)}."


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
        "comparison_label": integration_classes.COMPARISONS[comparison],
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


def period_for(outcome: str, start: str, end: str) -> tuple[str, str] | None:
    first, last = settings.OUTCOME_PERIODS[outcome]
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
        for comparison in integration_classes.COMPARISONS:
            row = headline(
                panel, classes, controls, key, *window_, control_names, comparison, smallest_effect
            )
            means = outcomes.window(panel, key, *window_).groupby("code")[key].mean()
            row["sd_between_trusts"] = float(means.std())
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["primary"] = frame["outcome"] == settings.PRIMARY
    for comparison in integration_classes.COMPARISONS:
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


# --------------------------------------------------------------------------- the claim
@lru_cache(maxsize=8)
def carter_verdict(
    outcome: str = settings.PRIMARY,
    rule: str = "default",
    comparison: str = "carter",
    controls: tuple[str, ...] = settings.CONTROLS,
    smallest_effect: float = DEFAULT_SMALLEST_EFFECT,
    source: str = "both",
) -> dict:
    """Claim C06 (Lord Carter, seed 001): the verdict, estimate and intervals for acute trusts that
    run community services against every other acute trust, over the outcome's period; ``source``:
    what decides who runs community services (:func:`community_exposure.runs_by_volume`)."""
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    classes = integration_classes.monthly_classes(od, acute, rule, source)
    ctl = controls_frame(od, acute, panel)
    start, end = settings.OUTCOME_PERIODS[outcome]
    row = headline(
        panel, classes, ctl, outcome, start, end, list(controls), comparison, smallest_effect
    )
    sizes = integration_classes.classify(od, acute, rule, start, end)["group"].value_counts()
    return {
        **row,
        "rule": rule,
        "class_sizes": {g: int(sizes.get(g, 0)) for g in integration_classes.GROUPS},
    }


def rank_among(means: pd.DataFrame, codes, better: str) -> pd.DataFrame:
    """The rows of ``means`` (:func:`trust_means`) for ``codes``, each with its rank among all
    the trusts in ``means`` (1 = best: the lowest value when lower is better, else the
    highest; tied trusts share the better rank)."""
    ranks = means["value"].rank(ascending=better == "lower", method="min").astype(int)
    return means.assign(rank_of_all=ranks)[means["code"].isin(list(codes))]


@dataclass(frozen=True)
class Study:
    """What the integration chapter computes once from its parameters (``p``, validated) and
    every section reads: the loaded data, the outcome panel, the acute trusts with their
    monthly and usual classes, the controls, the outcome's window and the two headlines."""

    p: dict
    spec: outcomes.Outcome
    od: succession.OrgData
    panel: pd.DataFrame
    acute: list[str]
    classes: pd.DataFrame
    groups: pd.DataFrame
    controls: pd.DataFrame
    window: tuple[str, str]
    heads: dict


def study(p: dict) -> Study:
    """The chapter's :class:`Study` for validated parameters ``p``."""
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    acute = integration_classes.acute_trust_codes(panel)
    classes = integration_classes.monthly_classes(od, acute, p["classification"])
    groups = integration_classes.classify(od, acute, p["classification"], p["start"], p["end"])
    ctl = controls_frame(od, acute, panel)
    window = period_for(p["outcome"], p["start"], p["end"])
    heads = {
        c: headline(panel, classes, ctl, p["outcome"], *window, p["controls"], c,
                    p["smallest_effect"])
        for c in integration_classes.COMPARISONS
    }  # fmt: skip
    return Study(p, outcomes.OUTCOMES[p["outcome"]], od, panel, acute, classes, groups, ctl,
                 window, heads)  # fmt: skip
