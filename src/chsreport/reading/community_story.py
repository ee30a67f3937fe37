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
        f"{V.percent(within, 1)} had waited 18 weeks or less: on this book's reading of the "
        f"standard (people waiting, not activity), {against}. Adults' waits are shorter "
        f"({V.percent(adults['within_18'])} within 18 weeks) than children's "
        f"({V.percent(children['within_18'])}); {V.percent(children['over_52'])} of children "
        f"had waited more than a year, against {V.percent(adults['over_52'])} of adults."
    )


def verdict_sentence(result: cp.Comparison, basis: str) -> str:
    """The verdict on "services run by acute trusts wait less than those run by standalone
    community trusts", in plain words, with the interval the verdict used (90 % for no
    meaningful difference, else 95 %), the providers on each side and the margin's basis."""
    i, delta = result.interval, result.delta
    higher = "higher" if i.estimate > 0 else "lower" if i.estimate < 0 else "no different"
    size = f"{V.fixed(abs(i.estimate) * 100, 1)} points {higher}" if i.estimate else higher
    if result.verdict == "no meaningful difference":
        level, low, high = "90%", i.low90, i.high90
    else:
        level, low, high = "95%", i.low95, i.high95
    meaning = {
        "supported": "services run by acute trusts wait less, by more than chance would give",
        "contradicted": "services run by acute trusts wait longer, by more than chance would give",
        "no meaningful difference": "any difference is smaller than the smallest that would matter",
    }.get(result.verdict)
    if meaning is None:  # inconclusive: say which side the interval leaves open
        if low > -delta:
            meaning = (
                "the data rule out acute-run services waiting less by a difference that would "
                "matter, but cannot tell whether they wait about the same or longer"
            )
        elif high < delta:
            meaning = (
                "the data rule out acute-run services waiting longer by a difference that would "
                "matter, but cannot tell whether they wait about the same or less"
            )
        else:
            meaning = "the data cannot tell a difference that would matter from none"
    sides = result.cells.groupby("form")["code"].nunique() if len(result.cells) else {}
    counts = (
        f"{V.whole(sides.get('acute', 0))} acute against "
        f"{V.whole(sides.get('standalone', 0))} standalone providers"
        if len(result.cells)
        else V.plural(i.clusters, "provider")
    )
    return (
        f"**{result.verdict.capitalize()}.** Within the same service line, the share of people "
        f"waiting over 18 weeks was {size} at acute trusts' services than at standalone "
        f"community trusts' ({level} interval {V.signed(low * 100, 1)} to "
        f"{V.signed(high * 100, 1)} points; {counts}, "
        f"{V.plural(i.observations, 'service line')}, each counting once): {meaning}. The "
        f"smallest difference that would matter is taken as {V.fixed(delta * 100, 1)} "
        f"percentage points ({basis})."
    )


def basis_words(chosen: float | None, gap: float) -> str:
    """Why the smallest effect is what it is (a convention, said as one)."""
    if chosen is not None:
        return "set in this edition's parameters"
    if gap <= cp.GAP_FLOOR:
        return (
            f"a floor of {V.fixed(cp.GAP_FLOOR * 100, 0)} point, the book's choice: England is at "
            "or near the standard"
        )
    return (
        f"the book's choice: England's distance to the {cp.STANDARD_YEAR} standard on this book's "
        "reading of it; the table shows the verdict at other margins"
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
        f"ambition of {V.percent(cp.UCR_AMBITION)}. By provider, each counting once: "
        f"{'; '.join(parts)}. "
        + (
            f"{V.plural(len(below), 'provider')} fell below the ambition."
            if len(below)
            else "No provider fell below the ambition."
        )
    )


def not_submitted_sentence(table: pd.DataFrame, missing: pd.DataFrame, month, previous) -> str:
    """The returns' non-submission counts over the months held, and the providers in the
    previous publication held (``previous``; None when ``month`` is the first) that are not in
    ``month``'s provider tables."""
    most = table["not_submitted"].max()
    worst = [V.month(m) for m in table.loc[table["not_submitted"] == most, "month"]]
    latest = table.iloc[-1]
    head = (
        f"In the months these publications cover, between {V.whole(table['not_submitted'].min())} "
        f"and {V.whole(most)} of the organisations in scope did not submit (most in "
        f"{V.in_a_list(worst)}); in {V.month(latest['month'])}, "
        f"{V.whole(latest['not_submitted'])} of {V.whole(latest['in_scope'])}. "
    )
    if previous is None:
        return head + f"{V.month(month)} is the first month held, so none can be missing."
    if not len(missing):
        return head + (
            f"Every provider in the previous publication held ({V.month(previous)}) is in "
            f"{V.month(month)}'s provider tables."
        )
    return head + (
        f"Providers in the previous publication held ({V.month(previous)}) but not in "
        f"{V.month(month)}'s provider tables (not submitting, or no longer reporting community "
        f"services), so left out of this month's comparison: "
        f"{V.in_a_list(missing['name'].tolist())}."
    )


def robustness_words(rows: pd.DataFrame) -> str:
    """How the verdict moves across the robustness rows."""
    counts = rows["verdict"].value_counts()
    return (
        f"All {len(rows)} versions of the comparison agree: {counts.index[0]}."
        if len(counts) == 1
        else f"Across the {len(rows)} versions of the comparison the verdict is "
        + "; ".join(f"{w} in {n}" for w, n in counts.items())
        + "."
    )
