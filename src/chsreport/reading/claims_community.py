"""The claims register's rules on community services themselves (claims C18 and C19), from the
community services chapter (:mod:`chsreport.analysis.community_performance`)."""

from __future__ import annotations

from functools import lru_cache

from chsreport import vocabulary
from chsreport.analysis import community_performance, params
from chsreport.data import community_returns, community_waits
from chsreport.reading.claim_result import Result


@lru_cache(maxsize=1)
def community_chapter() -> community_performance.Chapter:
    """The community services chapter at its default parameters (two claims ask)."""
    return community_performance.chapter(params.defaults("community"))


def c18_integrated_outcomes() -> Result:
    """The community chapter's verdict on the one outcome of community services the returns
    give for every provider: the share of a service line's waiting list waiting over 18 weeks,
    acute-run lines against standalone community trusts' lines in the same service (the words
    of :func:`chsreport.analysis.inference.verdict`, at the chapter's default smallest effect),
    except that "supported" is "partly supported": the claim is about outcomes in general, and
    only waits are tested. The note says so."""
    ch = community_chapter()
    i = ch.primary.interval
    verdict = "partly supported" if ch.primary.verdict == "supported" else ch.primary.verdict
    return Result(
        "Share of a service line's waiting list over 18 weeks, community services run by acute "
        "trusts minus those run by standalone community trusts, within the same service line",
        round(i.estimate * 100, 1),
        "percentage points",
        vocabulary.iso_month(ch.month),
        community_performance.SOURCE,
        verdict,
        "Waits only; positive: more of acute-run services' lists over 18 weeks. 95% interval "
        f"{vocabulary.signed(i.low95 * 100, 1)} to "
        f"{vocabulary.signed(i.high95 * 100, 1)} points; smallest effect of interest "
        f"{vocabulary.fixed(ch.primary.delta * 100, 1)} points (England's distance to the "
        f"{community_performance.STANDARD_YEAR} standard). Waits are one outcome; what happens to "
        "patients after community care (readmission, staying at home) is not published by "
        "provider, so better outcomes in general are untestable with open data.",
    )


def missing_words(gone, previous, month) -> str:
    """ "5 providers that made a return in Jul 2025 made none in Oct 2025 (A, B and others)"."""
    if previous is None or gone.empty:
        return f"no provider missing from {vocabulary.month(month)}'s tables"
    named = list(gone["name"].map(vocabulary.org_name))
    listed = (
        vocabulary.in_a_list(named) if len(named) <= 2 else f"{', '.join(named[:2])} and others"
    )
    return (
        f"{vocabulary.plural(len(gone), 'provider')} that made a return in "
        f"{vocabulary.month(previous)} made none in {vocabulary.month(month)} ({listed})"
    )


def c19_data_behind() -> Result:
    """Untestable with open data: the claim compares community data with every other sector's,
    and the book holds no measure of the other sectors' data to set beside it. The note gives
    what the community returns themselves show of their gaps (organisations in scope not
    submitting, services published only for England, providers missing from the month)."""
    month = community_chapter().month
    table = community_performance.non_submission(month)
    latest = table.iloc[-1]
    national = community_waits.load_national_bands()
    national = national[(national["month"] == month) & national["over_weeks"].isna()]
    only = national[national["service"].str.contains(community_returns.SUPPRESSED)]
    held = community_returns.return_months()
    gone = community_performance.missing_providers(month)
    series = community_waits.load_national_series()
    return Result(
        "Organisations in scope that did not submit to the community health services waiting "
        "list collection, latest month",
        int(latest["not_submitted"]),
        "organisations",
        vocabulary.iso_month(latest["month"]),
        community_performance.SOURCE,
        "untestable with open data",
        f"{vocabulary.whole(latest['not_submitted'])} of {vocabulary.whole(latest['in_scope'])} "
        f"in scope did not submit in {vocabulary.month(latest['month'])}, and up to "
        f"{vocabulary.whole(table['not_submitted'].max())} in a month since "
        f"{vocabulary.month(table['month'].min())}; "
        f"{vocabulary.plural(len(only), 'service')} ({vocabulary.whole(only['value'].sum())} "
        "waiting) published only for England; "
        f"{missing_words(gone, community_performance.previous_month(month), month)}. NHS England "
        "calls the collection management information with minimal validation; its national "
        "series in these files starts in "
        f"{vocabulary.month(series['month'].min())}, and the first national standard is set for "
        f"{community_performance.STANDARD_YEAR}. The book holds the provider tables of "
        f"{len(held)} months. The comparison with other sectors is untestable here: their own "
        "completeness measures are published but not held or compared in this book.",
    )
