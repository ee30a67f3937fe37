"""Question 3 for readers: the sentences and tables of ``notebooks/integration.ipynb``, each
chosen by its statistic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import (
    community_exposure,
    integration_checks,
    integration_classes,
    integration_models,
)
from chsreport.data import community_returns
from chsreport.reading import groups_story


def carried_sentence(classes: pd.DataFrame, start: str, end: str) -> str:
    """What share of the classes is carried, in words, with where the robustness table tests
    it."""
    return (
        f"In {vocabulary.percent(integration_classes.carried_share(classes, start, end))} of "
        "trust-months from "
        f"{vocabulary.period(f'{start}-01', f'{end}-01')} a trust's class is not read from "
        "that month's own returns: it is carried from the nearest month with returns, or set by "
        "another month's care volume or by the book's dated table of providers; the robustness "
        "table gives the verdict on only the months read from their own returns."
    )


def margin_sentence(head: dict, chosen: float) -> str:
    """What the verdict depends on: the margin (a share of the comparison average) at which it
    would read "no meaningful difference", and what the data already rule out."""
    if head.get("outcome", settings.PRIMARY) != settings.PRIMARY:
        return integration_models.ruled_out(head)
    at = integration_models.equivalence_margin(head)
    if head["verdict"] == "no meaningful difference":
        change = (
            'It reads "no meaningful difference" with any smallest effect of '
            f"{vocabulary.percent(at, 1)} of the "
            f"comparison average or more (the one used is {vocabulary.percent(chosen)})."
        )
    else:
        change = (
            'It would read "no meaningful difference" with a smallest effect of '
            f"{vocabulary.percent(at, 1)} of the "
            f"comparison average or more (the one used is {vocabulary.percent(chosen)})."
        )
    return f"{change} {integration_models.ruled_out(head)}"


# --------------------------------------------------------------------------- charts
FLOW_SOURCE = (
    "NHS England discharge sitreps, G&A beds sitreps and A&E statistics (via healthyr); "
    "CHS SitRep and CSDS (who provides community services); OHID catchments; NHS ODS lineage"
)


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
        f"{vocabulary.signed(e)} ({vocabulary.signed(lo)} to {vocabulary.signed(hi)}); {a} "
        f"against {o} trusts"
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
        return f"{vocabulary.fixed(abs(v), 2)} {'fewer' if v < 0 else 'more'}"

    if spec.better == "lower":
        sense = (
            f"Trusts that run community services had {words(row['estimate'])} "
            f"{spec.unit} ({vocabulary.percent(abs(row['relative']))} "
            f"{'fewer' if row['estimate'] < 0 else 'more'}"
            f" than the other trusts' average of {vocabulary.fixed(row['reference_mean'])}). "
            f"The data fit anything from {words(row['low95'])} to {words(row['high95'])}"
        )
    else:
        sense = (
            "Trusts that run community services differed by "
            f"{vocabulary.signed(row['estimate'])} {spec.unit}; "
            f"the data fit anything from {vocabulary.signed(row['low95'])} to "
            f"{vocabulary.signed(row['high95'])}"
        )
    margin = row["smallest_effect"]
    past = [v for v in (row["low95"], row["high95"]) if abs(v) > margin]
    equivalent = (
        f"and the 90% interval ({vocabulary.signed(row['low90'])} to "
        f"{vocabulary.signed(row['high90'])}) lies inside the "
        f"smallest difference that would matter ({vocabulary.fixed(margin, 2)} either way), so "
        "any difference is "
        "smaller than that"
        + (
            f"; at 95% the data still allow a difference of {vocabulary.fixed(abs(past[0]), 2)}, "
            "past it."
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


def dose_sentence(slope: dict) -> str:
    """The dose-response result in words, chosen by its 95% interval (``slope``:
    :func:`dose_response`). Exploratory whatever it shows: the verdict rests on the primary
    comparison, which this analysis does not enter."""
    figures = (
        f"{vocabulary.signed(slope['slope'])} patients per 100 adult beds not meeting the "
        "criteria to reside "
        f"per adult community care contact per emergency admission (95% interval "
        f"{vocabulary.signed(slope['low95'])} to {vocabulary.signed(slope['high95'])}; "
        f"{slope['trusts']} trusts, adjusted for "
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
        f" Their rank correlation is {vocabulary.signed(slope['rank_correlation'])} (p = "
        f"{vocabulary.fixed(slope['rank_p_value'], 2)}); without the "
        f"{len(slope['left_out'])} trusts that move the line most ({', '.join(slope['left_out'])}) "
        f"the slope is {vocabulary.signed(slope['slope_without'])} (95% interval "
        f"{vocabulary.signed(slope['low95_without'])} "
        f"to {vocabulary.signed(slope['high95_without'])})."
        if "left_out" in slope
        else ""
    )
    return (
        f"{reading}: {figures}.{robust} This is exploratory, one of several analyses outside the "
        "primary comparison, which alone gives the verdict above: a cross-section of one year "
        "that cannot say which came first."
    )


def placement_sentence(placed: pd.DataFrame) -> str:
    """How providers missing from the ODS trust files were placed in an ICB (``placed``:
    :func:`community_returns.locate_providers`), each one left out named before its code."""
    from_returns = int(placed["how"].str.startswith("CHS").sum())
    left = placed[placed["icb22_code"] == ""]
    ending = (
        f"{vocabulary.plural(len(left), 'provider')} could not be placed and "
        f"{'is' if len(left) == 1 else 'are'} left out of every area: "
        + ", ".join(community_returns.provider_named(code) for code in left["code"])
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
        f"{vocabulary.org_name(r.name)} ({r.code}; {vocabulary.fixed(r.contacts_per_admission)} "
        "contacts per "
        f"emergency admission, so it {'runs' if r.decided == 'runs' else 'does not run'} them)"
        for r in by_volume.itertuples()
    ]
    named = [
        f"{vocabulary.org_name(r.name)} ({r.code}; {vocabulary.fixed(r.contacts_per_admission)})"
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
        f"{vocabulary.general(community_exposure.VOLUME_RUNS)} adult community care contacts per "
        "emergency "
        "admission, and "
        f"does not below {vocabulary.general(community_exposure.VOLUME_NOT)}, whatever its "
        "returns list; in "
        "between, or with "
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


# ------------------------------------------------------------------- sentences of the sections
def carter_bullets(study: integration_models.Study) -> str:
    """The "In brief" list: both verdicts with their intervals, the margin and the classes."""
    h, hb, p = study.heads["carter"], study.heads["a_vs_b"], study.p
    n = study.groups["group"].value_counts()
    s, f, pc = vocabulary.signed, vocabulary.fixed, vocabulary.percent
    return (
        f"- **Verdict on Carter's claim ({study.spec.label.lower()}): {h['verdict']}.** Acute "
        f"trusts that run community services differ from all other acute trusts by "
        f"{s(h['estimate'])} {h['unit']} (95% interval {s(h['low95'])} to {s(h['high95'])}; 90% "
        f"interval {s(h['low90'])} to {s(h['high90'])}), that is {pc(h['relative'], sign=True)} of "
        f"the average over the comparison trusts' months ({f(h['reference_mean'])}, a mean, not "
        f"England's median acute trust); {study.spec.better} is better.\n"
        f"- Against acute trusts beside a standalone community trust only: {s(hb['estimate'])} "
        f"(95% {s(hb['low95'])} to {s(hb['high95'])}): **{hb['verdict']}**.\n"
        f"- The smallest difference we treat as meaningful is {f(h['smallest_effect'], 2)} "
        f"{h['unit']} ({pc(p['smallest_effect'])} of the comparison average): "
        f"{integration_models.SMALLEST_EFFECT_REASON}. {margin_sentence(h, p['smallest_effect'])}\n"
        f"- {n.get('acute_runs_community', 0)} of {len(study.groups)} acute trusts ran adult "
        f"community services in most months of {vocabulary.period(p['start'], p['end'])}; "
        f"{n.get('standalone_community', 0)} had a standalone community trust, "
        f"{n.get('mh_runs_community', 0)} a mental-health trust and "
        f"{n.get('other_provider', 0)} another provider.\n"
        "- This is an association across trusts as they are, not the effect of merging."
    )


def still_in_hospital_sentence(
    reference_mean: float, still: tuple[float, pd.Timestamp, pd.Timestamp], period: str
) -> str:
    """The primary measure set beside the published 'still in hospital' one (``still``: the
    share of those not meeting the criteria who were still in hospital at the day's end, with
    the months it was counted over; ``period``: the months of ``reference_mean``, in words)."""
    share, first, last = still
    return (
        "The measure counts every adult who no longer met the criteria to reside on the day, "
        "including those who went home later that day. From "
        f"{vocabulary.period(first, last)} (the months with daily figures), "
        f"{vocabulary.percent(share)} of them were still in hospital at the end of the day. If "
        f"that share held over {period}, the comparison trusts' average of "
        f"{vocabulary.fixed(reference_mean)} per 100 beds is about "
        f"{vocabulary.fixed(reference_mean * share, 0)} per 100 on the published 'still in "
        "hospital' measure."
    )


def changed_sentence(changed: pd.DataFrame) -> str:
    """How many trusts the returns-based rule classes differently from the beds-only rule."""
    return (
        f"{vocabulary.plural(len(changed), 'acute trust')} "
        f"{'has' if len(changed) == 1 else 'have'} a different class from the earlier "
        "beds-only rule, which counted any row in the community discharge sitrep as running "
        "community services and looked only at the ICB most patients come from. "
        f"{'It is' if len(changed) == 1 else 'They are'} listed with the evidence."
    )


def robustness_summary(robust: pd.DataFrame, check: dict) -> str:
    """The verdicts across the robustness table's rows, and the one-row-per-trust check."""
    words = robust["verdict"].value_counts()
    s = vocabulary.signed
    return (
        f"Across the {len(robust)} specifications the verdict is "
        + "; ".join(f"{w} in {k}" for w, k in words.items())
        + ". The check on one row per trust (its average over the months, each month first set "
        "against England's average that month, against its share of months in class (a)) gives "
        f"{s(check['estimate'])} (95% {s(check['low95'])} to {s(check['high95'])}; "
        f"{check['trusts']} trusts)."
    )


def transfers_sentence(events: pd.DataFrame, covered: pd.DataFrame, effects: pd.DataFrame) -> str:
    """How many changes of hands the data hold and how many can be studied."""
    analysable = covered.loc[covered["analysable"], "community_trust"].nunique()
    changed = effects["acute_trust"].nunique() if len(effects) else 0
    floor = (
        "With this many trusts a placebo p-value cannot be smaller than "
        f"1/{int(effects['trusts'].max()) + 1}. "
        if len(effects)
        else ""
    )
    return (
        f"The data hold {len(events)} changes of hands from "
        f"{' to '.join(vocabulary.year(y) for y in integration_checks.TRANSFERS)}; {analysable} "
        f"{'has' if analysable == 1 else 'have'} six months of some outcome series either "
        "side, and "
        f"{vocabulary.plural(changed, 'acute trust')} changed class with one inside the "
        f"discharge data. {floor}One or two events cannot separate a transfer from everything "
        "else that changed that winter; the 2026 transfers are after the end of the data."
    )


def whole_system_sentence(slopes: pd.DataFrame) -> str:
    """The acute and whole-system slopes across ICBs, and what they say about delays moved
    into community beds: too uncertain, shrinking, or not (``slopes``: acute row first)."""
    a_only, whole = slopes.iloc[0], slopes.iloc[1]
    s = vocabulary.signed
    spans = [name for name, row in (("acute", a_only), ("whole-system", whole))
             if row["low95"] < 0 < row["high95"]]  # fmt: skip
    if spans:
        meaning = (
            f"The {vocabulary.in_a_list(spans)} "
            + ("estimates include" if len(spans) == 2 else "estimate includes")
            + " no difference at all, so the data cannot tell whether delays moved into "
            "community beds."
        )
    elif abs(whole["slope"]) < abs(a_only["slope"]):
        meaning = (
            "The estimate is smaller when community beds are counted, as it would be if some "
            "delays moved into community beds; the two intervals overlap, so the data do not "
            "show that they did."
        )
    else:
        meaning = "Counting community beds does not make the difference smaller."
    return (
        f"Across {int(whole['icbs'])} ICBs, patients not meeting the criteria to reside in acute "
        f"beds differ by {s(a_only['slope'], 1)} per 100,000 (95% {s(a_only['low95'], 1)} to "
        f"{s(a_only['high95'], 1)}) between an ICB whose acute patients all go to trusts running "
        "community services and one with none; counting community beds too, by "
        f"{s(whole['slope'], 1)} ({s(whole['low95'], 1)} to {s(whole['high95'], 1)}). {meaning}"
    )


def grouped_sentence(grouped: pd.DataFrame, robust: pd.DataFrame, start: str, end: str) -> str:
    """The acute trusts that ran their services jointly with a community trust in the outcome's
    months (:func:`integration_checks.grouped_months`): who, for how many months, in which
    class; whether those in class (b) are enough for a class of their own; and the verdicts with
    their months moved to (a) or left out.

    Enough: the 95% interval a class of that many trusts would have, projected from the (a)
    against (b) headline's (its half-width times the square root of (b)'s trusts over theirs),
    is no wider than the smallest effect; otherwise any estimate for them could only be
    inconclusive."""
    window = (grouped["month"] >= f"{start}-01") & (grouped["month"] <= f"{end}-01")
    here = grouped[window]
    if here.empty:
        return "No acute trust ran its services jointly with a community trust in these months."
    trusts = []
    for code, rows in here.groupby("code"):
        months = rows.drop_duplicates("month")
        first = pd.Timestamp(months["month"].min())  # named as they were then
        partners = vocabulary.in_a_list(
            [groups_story.name_then(c, first) for c in sorted(set(rows["partner"]))]
        )
        letter = vocabulary.class_letter(months["group"].mode().iloc[0]) or "unplaced"
        trusts.append(
            f"{groups_story.name_then(code, first)} with {partners} "
            f"({vocabulary.plural(len(months), 'month')}, "
            f"class {letter})"
        )
    beside = here[here["group"] == "standalone_community"].drop_duplicates(["code", "month"])
    n_beside = beside["code"].nunique()
    text = (
        f"In these months {vocabulary.count_words(here['code'].nunique())} acute "
        f"{'trust' if here['code'].nunique() == 1 else 'trusts'} ran their services jointly with "
        "a community trust (a joint chief executive, shared executive team or group board, by "
        "the book's group table; a shared chair alone does not count, and a start known only "
        f"to the year or the month counts from its end): {vocabulary.in_a_list(trusts)}. "
    )
    if not n_beside:
        return text + "None of them was in class (b), so the comparisons are unchanged."
    base = robust[
        (robust["classification"] == "returns and care volume, default rule")
        & (robust["comparison"] == "a_vs_b")
        & (robust["transfers"] == "all")
        & robust["clustering"].str.contains("wild")
    ].iloc[0]
    half = (base["high95"] - base["low95"]) / 2
    projected = half * float(np.sqrt(base["trusts_other"] / n_beside))
    too_few = projected > base["smallest_effect"]
    effect = vocabulary.fixed(base["smallest_effect"], 1)
    size = (
        f"wider than the smallest effect of {effect}: too few for a class of their own, as an "
        "estimate for so few could only be inconclusive"
        if too_few
        else f"no wider than the smallest effect of {effect}: enough for a class of their own "
        "by this test"
    )
    rows = robust[robust["classification"].str.contains("run jointly")]
    verdicts = "; ".join(
        f"{r.comparison_label}, {r.classification.rsplit('community trust ', 1)[-1]}: "
        f"{r.verdict} ({vocabulary.signed(r.estimate)})"
        for r in rows.itertuples()
    )
    return text + (
        f"{vocabulary.count_words(n_beside).capitalize()} of them "
        f"{'was' if n_beside == 1 else 'were'} in class (b) for "
        f"{vocabulary.plural(len(beside), 'trust-month')}. A class of "
        f"{vocabulary.count_words(n_beside)} trusts would have a 95% interval of about "
        f"±{vocabulary.fixed(projected, 1)} (projected from the (a) against (b) estimate's "
        f"±{vocabulary.fixed(half, 1)} on {int(base['trusts_other'])} trusts), {size}. "
        f"With their (b) months counted as (a) or left out, the verdicts are: {verdicts}."
    )
