"""Facts the hand-written pages state (methods, introduction, glossary), computed.

Each is a MyST substitution: the Markdown writes ``{{ lists_month }}`` and the build fills it in
when it stages the book (``build.config_with_footer`` puts ``book_facts()`` into the staged
``_config.yml``), so a count, period or setting stated on a hand-written page comes from the same
function or constant the chapters use and cannot drift from them. A name a page uses that is not
defined here fails the build (Sphinx warns, and the book is built with -W).
"""

from __future__ import annotations

from functools import lru_cache

from chsreport import settings, vocabulary
from chsreport.analysis import (
    community_exposure,
    consolidation,
    inference,
    integration_checks,
    integration_models,
    scale,
)
from chsreport.data import community_returns, geography, outcomes, succession
from chsreport.reading import locality, scale_story


@lru_cache(maxsize=1)
def book_facts() -> dict[str, str]:
    """Every substitution the hand-written pages may use, by name, as the text to show."""
    mergers = geography.icb_mergers_2026()
    sub_icbs = geography.load_practice_map_2026()["sub_icb_code"].nunique()
    new_count = int(mergers["inferred"].sum())
    return {
        "lists_month": geography.lists_month(),
        "ods_extract": consolidation.latest_extract(),
        "icbs_2022": str(mergers.loc[mergers["icb22_code"] != "unknown", "icb22_code"].nunique()),
        "icbs_2026": str(mergers["icb_code"].nunique()),
        "locality_pages": str(len(locality.localities())),
        "sub_icbs": str(sub_icbs),
        "new_sub_icbs": (
            f"{vocabulary.count_words(new_count)} sub-ICB "
            f"{'location' if new_count == 1 else 'locations'} of 2026 with a code that did not "
            f"exist in 2022 {'is' if new_count == 1 else 'are'} traced through the ODS successor "
            "file, which names the 2022 ICB that was split into its 2026 ICB"
            if new_count
            else "no sub-ICB location of 2026 has a new code"
        ),
        "placed_by_boundary": scale_story.placed_by_boundary_sentence(
            geography.lsoas_placed_by_boundary()
        ),
        "mean_resamples": f"{vocabulary.whole(integration_models.MEAN_RESAMPLES)}",
        "smooth_resamples": f"{vocabulary.whole(scale.SMOOTH_RESAMPLES)}",
        "wild_replications": f"{vocabulary.whole(inference.WILD_REPLICATIONS)}",
        "lines_default": str(settings.RULES["default"]),
        "lines_strict": str(settings.RULES["strict"]),
        "lines_loose": str(settings.RULES["loose"]),
        "carry_months": vocabulary.count_words(community_exposure.CARRY_MONTHS),
        "smallest_effect": f"{vocabulary.percent(integration_models.DEFAULT_SMALLEST_EFFECT)}",
        "sitrep_period": community_returns.sitrep_period(),
        "chs_months": community_returns.month_runs_words(community_returns.return_months()),
        "chs_gap_months": _gap_months(),
        "chs_before_first": _before_first(),
        "volume_runs": f"{vocabulary.general(community_exposure.VOLUME_RUNS)}",
        "spread_share": _spread_share(),
        "area_table": _area_table(),
        "area_table_caveats": _area_table_caveats(),
        "volume_not": f"{vocabulary.general(community_exposure.VOLUME_NOT)}",
        "volume_month": vocabulary.month_long(community_exposure.VOLUME_MONTH),
        "transfer_years": " to ".join(vocabulary.year(y) for y in integration_checks.TRANSFERS),
    }


def _gap_months() -> str:
    """How many months of the primary outcome's period have no published provider return."""
    import pandas as pd

    first, last = settings.OUTCOME_PERIODS[settings.PRIMARY]
    period = pd.date_range(first, last, freq="MS")
    held = set(community_returns.return_months())
    missing = sum(month not in held for month in period)
    return f"{missing} of the {len(period)} months from {vocabulary.period(period[0], period[-1])}"


def _before_first() -> str:
    """The months of the primary outcome's period before the first published return, and the
    month they take ("Apr 2022 to Dec 2022 take Jan 2023"); empty when there are none."""
    import pandas as pd

    first_month = pd.Timestamp(f"{settings.OUTCOME_PERIODS[settings.PRIMARY][0]}-01")
    first_return = min(community_returns.return_months())
    if first_return <= first_month:
        return "no month of the period comes before the first returns"
    last_before = first_return - pd.DateOffset(months=1)
    return f"{vocabulary.period(first_month, last_before)} take {vocabulary.month(first_return)}"


def _spread_share() -> str:
    """The primary outcome's smallest effect in standard deviations of trusts' averages."""

    panel = outcomes.outcome_panel(succession.load_org_data())
    return f"{vocabulary.fixed(integration_models.spread_share(panel), 2)}"


def _area_table() -> str:
    """Which councils the compiled table of community providers covers, in words: how many of
    the councils (2021 districts) the acute trusts' patients come from, and which are not in it."""

    areas = community_returns.load_community_areas(succession.load_org_data())
    every = set(community_returns.patients_by_council(succession.load_org_data())["ltla_code"])
    missing = sorted(geography.council_name(c) for c in every - set(areas["council_code"]))
    return f"{len(every & set(areas['council_code']))} of the {len(every)} councils" + (
        f" (all but {vocabulary.in_a_list(missing)})" if missing else ""
    )


def _area_table_caveats() -> str:
    """How firm the compiled table of community providers is, in counts: undated pages,
    encyclopaedia pages, starts assumed at April 2021, councils shared by two providers."""

    areas = community_returns.load_community_areas(succession.load_org_data())
    undated = areas["source_date"].str.startswith("undated").sum()
    wiki = areas["source"].str.contains("wikipedia|wikimili", case=False).sum()
    assumed = areas["note"].str.contains("in place by April 2021").sum()
    live = areas[areas["valid_to"].isna()]
    shared = int((live.groupby("council_code").size() > 1).sum())
    return (
        f"Of its {len(areas)} rows, {undated} cite an undated page (read when the table was "
        f"compiled), {wiki} an encyclopaedia page, and {assumed} start in April 2021 only because "
        "the source gives no earlier date, so a change of provider that no source reported "
        f"would be missed; {shared} councils are shared by two providers today"
    )
