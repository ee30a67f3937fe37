"""Question 3, page by page: what each cell of ``notebooks/integration.ipynb`` shows, in order
(tables, charts and the sentences of :mod:`chsreport.reading.integration_story`), computed from
the chapter's :class:`~chsreport.analysis.integration_models.Study`."""

from __future__ import annotations

import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import (
    community_exposure,
    integration_checks,
    integration_classes,
    integration_models,
    params,
)
from chsreport.data import community_returns, outcomes
from chsreport.reading import charts, groups_story, integration_charts, integration_story
from chsreport.reading.text import Markdown


def in_brief(study: integration_models.Study) -> list:
    """The chapter's findings: the verdict in plain words, the list, the verdict at each margin
    and, for the primary outcome, the measure beside the published one."""
    h = study.heads["carter"]
    shown = [
        Markdown(integration_story.plain_verdict(h, study.spec)),
        Markdown(integration_story.carter_bullets(study)),
        charts.Table(
            integration_models.margin_verdicts(h),
            f"{study.p['outcome']}_verdict_by_margin.csv",
            "The verdict on Carter's claim at each smallest effect from 5% to 20% of the "
            "comparison average: the interval stays the same, only the margin moves.",
        ),
    ]
    if study.p["outcome"] == settings.PRIMARY:
        still = outcomes.share_still_in_hospital()
        period = vocabulary.months_in_words(" to ".join(study.window))
        sentence = integration_story.still_in_hospital_sentence(h["reference_mean"], still, period)
        shown.append(Markdown(sentence))
    return shown


def class_evidence(study: integration_models.Study) -> list:
    """Under the chapter's classes: the class sizes under each rule, where providers were
    placed, how much is carried, returns against care volume, and the change from the
    beds-only rule."""
    od, acute, rule, p = study.od, study.acute, study.p["classification"], study.p
    volume = integration_classes.volume_crosstab(od, acute, rule)
    changed = integration_classes.class_changes(od, acute, rule)
    return [
        charts.Table(
            integration_classes.class_sizes_by_rule(od, acute, p["start"], p["end"]),
            "class_sizes_by_rule.csv", "Acute trusts in each usual class under each rule.",
        ),
        Markdown(integration_story.placement_sentence(community_returns.locate_providers())),
        Markdown(integration_story.carried_sentence(study.classes, p["start"], p["end"])),
        charts.Table(
            volume, "returns_and_care_volume.csv",
            f"Acute trusts in {vocabulary.month_long(community_exposure.VOLUME_MONTH)} by what "
            "their returns and their care volume "
            "(Community Services Data Set) say. The CSV lists every trust.",
            shown=integration_story.volume_crosstab_table(volume),
        ),
        Markdown(integration_story.volume_sentence(volume)),
        Markdown(integration_story.changed_sentence(changed)),
        charts.Table(
            changed, "class_changes_from_beds_rule.csv",
            "Trusts whose usual class changed. The evidence is for their last month, so a trust "
            "that took in community services late in the period shows them there while its "
            "usual class is the one it had in most months.",
        ),
    ]  # fmt: skip


def trust_class_table(study: integration_models.Study) -> charts.Table:
    """Every acute trust with its usual class (the CSV adds the evidence)."""
    columns = ["code", "name", "group_label", "months_in_group", "months"]
    return charts.Table(
        study.groups.sort_values(["group", "code"])[[*columns, "evidence"]],
        f"acute_trust_evidence_{study.p['classification']}.csv",
        "Every acute trust and its usual class (the class of most of its months). The CSV adds "
        "the evidence for its last month: for a trust that changed class the two can differ.",
        columns=columns,
    )


def robustness_section(study: integration_models.Study) -> list:
    """The headline under each choice, the summary and how the verdict depends on the measure."""
    p = study.p
    robust = integration_checks.robustness(
        study.od, study.panel, study.acute, study.controls, p["outcome"], *study.window,
        p["controls"], p["smallest_effect"],
    )  # fmt: skip
    check = integration_checks.trust_level_check(
        study.panel, study.classes, study.controls, p["outcome"], *study.window, p["controls"]
    )
    return [
        charts.Table(
            integration_story.robustness_for_readers(robust), f"{p['outcome']}_robustness.csv",
            f"{study.spec.label}: the headline under each choice. Trusts that changed class "
            "count in both groups, so the two counts can add up to more than "
            f"{len(study.groups)}.",
        ),
        Markdown(integration_story.robustness_summary(robust, check)),
        Markdown(integration_story.dependence_sentence(robust)),
        Markdown(integration_story.grouped_sentence(
            integration_checks.grouped_months(study.od, study.classes), robust, *study.window,
        )),
    ]  # fmt: skip


TRUST_COLUMNS = ("community_trust", "to", "acute_trust")  # trust codes a reader sees named


def named_trusts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for readers: each trust code of :data:`TRUST_COLUMNS` as its name today, then
    its code ("Kingston and Richmond (RAX)")."""
    out = frame.copy()
    for column in TRUST_COLUMNS:
        if column in out:
            out[column] = [
                f"{vocabulary.short_org_name(groups_story.org_named(code), 80)} ({code})"
                for code in out[column]
            ]
    return out


def transfers_section(study: integration_models.Study) -> list:
    """The changes of hands, the series that cover them and their placebo-tested effects."""
    events = integration_checks.transfer_events(study.od)
    covered = integration_checks.events_in_windows(events)
    effects = integration_checks.event_effects(study.panel, study.classes, events)
    shown = ["community_trust", "acute_trust", "date", "from_class", "to_class", "difference",
             "p_value"]  # fmt: skip
    return [
        charts.Table(covered, "transfer_events.csv",
                     "Changes of hands and the series that cover them.",
                     shown=named_trusts(covered)),
        charts.Table(
            effects, "transfer_event_effects.csv",
            "Acute trusts whose class changed with a change of hands: the change in delayed "
            "patients per 100 adult beds from six months before to six months after, less the "
            "same change a year earlier, against every other acute trust (placebo).",
            "None in the period of the data.",
            shown=named_trusts(effects[shown]) if len(effects) else None,
        ),
        Markdown(integration_story.transfers_sentence(events, covered, effects)),
    ]  # fmt: skip


def whole_system_section(study: integration_models.Study) -> list:
    """Acute and whole-system delays per 2022 ICB: the slopes, their meaning, maps and table."""
    system = integration_checks.whole_system(study.od, study.acute, study.classes)
    slopes = integration_checks.whole_system_slopes(system)
    return [
        charts.Table(
            slopes, "whole_system_slopes.csv",
            "Difference between an ICB whose acute patients all go to trusts that run "
            "community services and one with none (a straight line fitted across ICBs; 95% "
            "intervals that allow for ICBs of different spread).",
        ),
        Markdown(integration_story.whole_system_sentence(slopes)),
        *integration_charts.system_maps(system),
        charts.Table(
            system, "whole_system_by_icb.csv",
            f"Per 2022 ICB, {community_returns.sitrep_period()}.",
            columns=["icb_name", "acute_per_100k", "community_per_100k",
                     "whole_system_per_100k", "share_in_a"],
        ),
    ]  # fmt: skip


def staff_table(study: integration_models.Study) -> charts.Table:
    """Staff Survey measures, (a) against the rest."""
    staff = integration_checks.staff_comparison(
        study.od, study.groups, study.controls, study.p["controls"]
    )
    return charts.Table(
        staff, "staff_comparison.csv",
        "(a) against the rest: NHS Staff Survey 2021-24, OLS with the controls; the p-value is "
        "Holm-adjusted over the two measures.",
        columns=["measure", "estimate", "low95", "high95", "p_holm", "trusts"],
    )  # fmt: skip


def dose_section(study: integration_models.Study) -> list:
    """Among trusts that run community services: the outcome against how much they run."""
    dose = integration_checks.dose_frame(study.od, study.panel, study.acute, study.classes)
    slope = integration_checks.dose_response(dose, study.controls, study.p["controls"])
    return [
        integration_charts.dose_figure(dose, slope),
        Markdown(integration_story.dose_sentence(slope)),
    ]


ALL_OUTCOMES_SHOWN = ["outcome_label", "comparison_label", "estimate", "low95", "high95",
                      "p_holm", "smallest_effect", "verdict"]  # fmt: skip


ALL_OUTCOMES_CSV = ["outcome_label", "comparison_label", "period", "estimate", "low95", "high95",
                    "p_value", "p_holm", "p_bh", "smallest_effect", "verdict"]  # fmt: skip


def all_outcomes_section(study: integration_models.Study) -> list:
    """Every outcome under both comparisons: the forest chart and the table."""
    p = study.p
    estimates = integration_models.all_estimates(
        study.panel, study.classes, study.controls, p["start"], p["end"], p["controls"],
        p["smallest_effect"],
    )  # fmt: skip
    return [
        integration_charts.forest_figure(estimates, "carter"),
        charts.Table(
            estimates[ALL_OUTCOMES_CSV],
            "all_outcomes.csv",
            "All outcomes, both comparisons. The p-value is Holm-adjusted over the secondary "
            "outcomes (it controls the chance of any false finding); the CSV adds the unadjusted "
            "and Benjamini-Hochberg p-values and the period of each outcome.",
            columns=ALL_OUTCOMES_SHOWN,
        ),
    ]


RAW_TRENDS = (settings.PRIMARY, "ae_4hr_performance")  # the primary and A&E, unadjusted


def raw_trends(study: integration_models.Study) -> list:
    """The raw monthly means by class of the primary outcome and A&E, before adjustment."""
    p = study.p
    return [
        integration_charts.over_time_figure(
            study.panel,
            study.classes,
            key,
            *integration_models.period_for(key, p["start"], p["end"]),
        )
        for key in RAW_TRENDS
    ]


def icb_section(study: integration_models.Study) -> list:
    """For a chosen ICB: its acute trusts, each with its rank among all acute trusts (nothing
    for England)."""
    p = study.p
    if not p["icb"]:
        return []
    means = integration_models.trust_means(study.panel, study.groups, p["outcome"], *study.window)
    here = study.od.register.loc[study.od.register["icb_code"] == p["icb"], "code"]
    mine = integration_models.rank_among(means, here, study.spec.better)
    return [
        Markdown(f"## The acute trusts of {params.valid_icbs()[p['icb']]}"),
        charts.Table(
            mine[["code", "name", "group_label", "value", "rank_of_all"]],
            f"icb_{p['icb']}_acute_trusts.csv",
            f"Rank 1 = best of {len(means)} acute trusts on {study.spec.label.lower()}.",
        ),
    ]
