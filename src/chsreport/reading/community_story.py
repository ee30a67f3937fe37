"""The community services chapter's sentences, each a function of its figures (every branch is
tested in tests/test_community_chapter.py)."""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import community_performance as cp

V = vocabulary


def england_sentence(england: pd.DataFrame, month: pd.Timestamp) -> str:
    """England's waiting list in ``month``, adults and children, against the standard."""
    rows = england.set_index("service")
    total, adults, children = (rows.loc[k] for k in ("England", "Adult services", "CYP services"))
    within = total["within_18"]
    gap = cp.STANDARD - within
    against = (
        f"{V.fixed(gap * 100, 1)} percentage points short of the standard of "
        f"{V.percent(cp.STANDARD)} within 18 weeks set for {cp.STANDARD_YEAR}"
        if gap > 0
        else f"already at or above the standard of {V.percent(cp.STANDARD)} set for "
        f"{cp.STANDARD_YEAR}"
    )
    return (
        f"In {V.month_long(month)}, {V.people(total['waiting'])} people were waiting for "
        f"community health services in England: {V.people(adults['waiting'])} for adult services "
        f"and {V.people(children['waiting'])} for children's. Of those with a known wait, "
        f"{V.percent(within)} had waited 18 weeks or less, {against}. Adults' waits are shorter "
        f"({V.percent(adults['within_18'])} within 18 weeks) than children's "
        f"({V.percent(children['within_18'])}); {V.percent(children['over_52'])} of children "
        f"had waited more than a year, against {V.percent(adults['over_52'])} of adults."
    )


def verdict_sentence(result: cp.Comparison, basis: str) -> str:
    """The verdict on "services run by acute trusts wait less than those run by standalone
    community trusts", in plain words, with the interval and the margin's basis."""
    i = result.interval
    points = V.fixed(abs(i.estimate) * 100, 1)
    direction = "fewer" if i.estimate < 0 else "more" if i.estimate > 0 else "the same share of"
    meaning = {
        "supported": "services run by acute trusts wait less, by more than chance would give",
        "contradicted": "services run by acute trusts wait longer, by more than chance would give",
        "no meaningful difference": "any difference is smaller than the smallest that would matter",
        "inconclusive": "the data cannot tell a difference that would matter from none",
    }[result.verdict]
    return (
        f"**{result.verdict.capitalize()}.** Within the same service line, acute trusts' "
        f"services had {points} {'percentage points ' if i.estimate != 0 else ''}{direction} "
        f"people waiting over 18 weeks than standalone community trusts' (95% interval "
        f"{V.signed(i.low95 * 100, 1)} to {V.signed(i.high95 * 100, 1)} points; "
        f"{V.plural(i.clusters, 'provider')}, {V.plural(i.observations, 'service line')}): "
        f"{meaning}. The smallest difference that would matter is taken as "
        f"{V.fixed(result.delta * 100, 1)} percentage points ({basis})."
    )


def basis_words(chosen: float | None, gap: float) -> str:
    """Why the smallest effect is what it is."""
    if chosen is not None:
        return "set in this edition's parameters"
    return (
        f"England's distance to the {cp.STANDARD_YEAR} standard: a difference by form smaller "
        "than the whole country's gap would not by itself decide whether an area meets it"
    )


def ucr_sentence(by_form: pd.DataFrame, england: float) -> str:
    """Two-hour urgent community response by provider form against the 70 % ambition."""
    summary = by_form.groupby("form").agg(n=("code", "size"), mean=("within_2h", "mean"),
                                          meets=("meets", "sum"))  # fmt: skip
    below = by_form[~by_form["meets"]]
    parts = [
        f"{V.PROVIDER_FORMS[form][1]} {V.percent(row['mean'])} on average "
        f"({V.whole(row['meets'])} of {V.whole(row['n'])} at or above "
        f"{V.percent(cp.UCR_AMBITION)})"
        for form, row in summary.iterrows()
    ]
    return (
        f"In 2024-25 England reached {V.percent(england)} of two-hour urgent community "
        f"response referrals within two hours (the average of the monthly shares), above the "
        f"ambition of {V.percent(cp.UCR_AMBITION)}. By provider: {'; '.join(parts)}. "
        + (
            f"{V.plural(len(below), 'provider')} fell below the ambition."
            if len(below)
            else "No provider fell below the ambition."
        )
    )


def not_submitted_sentence(table: pd.DataFrame, missing: pd.DataFrame, month) -> str:
    """The returns' non-submission counts over the months held, and the providers missing from
    the chosen month's table."""
    worst = table.loc[table["not_submitted"].idxmax()]
    latest = table.iloc[-1]
    named = V.in_a_list(missing["name"].tolist()) if len(missing) else ""
    return (
        f"In the months these publications cover, between {V.whole(table['not_submitted'].min())} "
        f"and {V.whole(table['not_submitted'].max())} of the organisations in scope did not submit "
        f"(most in {V.month(worst['month'])}); in {V.month(latest['month'])}, "
        f"{V.whole(latest['not_submitted'])} of {V.whole(latest['in_scope'])}. "
        + (
            f"Providers in the previous publication held but not in {V.month(month)}'s provider "
            f"tables (not submitting, or no longer reporting community services): {named}."
            if named
            else f"No provider that submitted in the previous publication held is missing from "
            f"{V.month(month)}'s tables."
        )
    )


def robustness_words(rows: pd.DataFrame) -> str:
    """How the verdict moves across the robustness rows."""
    counts = rows["verdict"].value_counts()
    return (
        f"Across the {len(rows)} specifications the verdict is "
        + "; ".join(f"{w} in {n}" for w, n in counts.items())
        + "."
    )
