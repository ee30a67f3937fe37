"""What changed in one ICB, for its page and briefing: the mergers and acquisitions among the
trusts based there since 2024 (ODS), the group arrangements they are or were in (the book's group
table), and a further merger of the ICB where a source proposes one (the book's proposals table).
"""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import groups, population_layers
from chsreport.data import group_models, policy_tables, succession
from chsreport.reading import groups_story

then = groups_story.name_then  # a trust's name at a date, with its name today


def steps_words(steps: pd.DataFrame) -> list[str]:
    """Each merger or acquisition in a sentence ("Bridgewater Community Healthcare joined
    Warrington and Halton Teaching Hospitals (now North Cheshire and Mersey) on 1 April 2026.")."""
    return [
        f"{then(r.from_code, r.date)} joined {then(r.to_code, r.date)} on "
        f"{vocabulary.date_long(r.date)}."
        for r in steps.itertuples()
    ]


def arrangement_words(table: pd.DataFrame) -> list[str]:
    """Each arrangement in a sentence, its organisations named as at its first stage and its
    stages in order ("Shropshire Community Health and The Shrewsbury and Telford Hospital: a
    shared chair since 1 October 2024; ...")."""
    out = []
    for _, rows in table.groupby("arrangement", sort=False):
        first = rows["start"].min()
        who = vocabulary.in_a_list([then(c, first) for c in rows["codes"].iloc[0]])
        out.append(f"{who}: {groups_story.stages_words(rows)}.")
    return out


def transfer_words(od: succession.OrgData, icb: str) -> list[str]:
    """Each council of the ICB whose main adult community provider changed since 2024 other than
    by a takeover ODS records, in a sentence ("Hounslow's adult community services passed from
    Hounslow and Richmond Community Healthcare to West London on 1 July 2024.")."""
    councils = population_layers.councils_with_icb()
    here = set(councils.loc[councils["icb_code"] == icb, "gss_code"])
    changes = groups.council_changes(od)
    moved = changes[changes["council_code"].isin(here) & ~changes["taken_over"]]

    def named(code: str, day: pd.Timestamp, council: str) -> str:
        short = then(code, day)  # a trust named after its place keeps its full name
        return groups_story.org_named(code) if short == council else short

    return [
        f"{r.council_name}'s adult community services passed "
        + (f"from {named(r.from_code, r.date, r.council_name)} " if r.from_code else "")
        + f"to {then(r.to_code, r.date)} on {vocabulary.date_long(r.date)} (the book's council "
        "table)."
        for r in moved.itertuples()
    ]


def proposal_words(icb: str) -> str:
    """A further merger of the ICB that a source proposes, with the source linked; empty if
    none."""
    proposals = policy_tables.load_icb_proposals()
    here = proposals[[icb in codes for codes in proposals["icbs"]]]
    return " ".join(
        f"A further change is proposed: {r.proposal}, from "
        f"{vocabulary.when(r.proposed, r.proposed_precision)} ({r.status} by "
        f"[{r.publisher}, {vocabulary.when(*group_models.when(r.source_date))}]"
        f"({r.source.split()[0]}); {r.note})."
        for r in here.itertuples()
    )


def changes_words(icb: str) -> str:
    """What changed among the trusts based in the ICB since 2024 (with the earlier stages of an
    arrangement still in force since), and any further merger of the ICB proposed with a source,
    in a short paragraph."""
    od = succession.load_org_data()
    found = groups.icb_changes(od, icb)
    since = vocabulary.year(groups.CHANGES_SINCE)
    led = found["groups"].loc[found["groups"]["led_to"] != "", ["codes", "led_to"]]
    told = {(c, r.led_to) for r in led.itertuples() for c in r.codes}  # said by its group
    steps = found["steps"]
    steps = steps[
        [(a, b) not in told for a, b in zip(steps["from_code"], steps["to_code"], strict=True)]
    ]
    parts = steps_words(steps) + arrangement_words(found["groups"]) + transfer_words(od, icb)
    if not parts:
        parts.append(
            f"ODS records no merger or takeover of a trust based here since {since}, the book's "
            "group table (of arrangements involving community trusts) none here, and its council "
            "table no change of main adult community provider; shared leaders between other "
            "trusts are not recorded."
        )
    else:
        parts.append(
            "(The group table covers arrangements involving community trusts only; shared "
            "leaders between other trusts are not recorded.)"
        )
    proposal = proposal_words(icb)
    heading = "**Changes among its trusts.**"
    return " ".join([heading, *parts] + ([f"**Its ICB.** {proposal}"] if proposal else []))
