"""Group models for readers: the table of arrangements short of a merger, stage by stage, the
bands the consolidation chapter draws over its timeline, and the sentences the chapter, its fates
table and the locality pages use (:mod:`chsreport.analysis.groups`).
"""

from __future__ import annotations

from urllib.parse import urlparse

import altair as alt
import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import groups
from chsreport.data import community_returns, group_models, ods, policy_tables, succession
from chsreport.reading import charts
from chsreport.reading.text import Markdown

SOURCE = "The book's group table (data/compiled/group_models.csv), each row with its source"


def org_named(code: str) -> str:
    """An organisation's name today: ODS's for an NHS trust, else the community returns'."""
    register = succession.load_org_data().register.set_index("code")["name"]
    if code in register.index:
        return vocabulary.org_name(register[code])
    return community_returns.provider_names().get(code, code)


def name_then(code: str, day: pd.Timestamp) -> str:
    """A trust's short name in the last ODS extract before ``day`` (its first name if none is),
    with its name today where that differs: "Warrington and Halton Teaching Hospitals (now
    North Cheshire and Mersey)"."""
    names = ods.names_by_extract(code)
    now = _short(org_named(code))
    if not names:
        return now
    before = [name for month, name in sorted(names.items()) if pd.Timestamp(month) < day]
    then = _short(before[-1] if before else sorted(names.items())[0][1])
    return then if then.casefold() == now.casefold() else f"{then} (now {now})"


def named(codes: list[str]) -> str:
    """The organisations of an arrangement, by today's names ("A and B")."""
    return vocabulary.in_a_list([org_named(c) for c in codes])


def _short(name: str) -> str:
    """A trust's name in a sentence listing several: without "NHS (Foundation) Trust"."""
    return vocabulary.short_org_name(name, 80)


def _site(url: str) -> str:
    """Where a source is published, for a table: its web address's host ("www.lchs.nhs.uk")."""
    first = url.split()[0]
    return urlparse(first).netloc or first


def _end_words(row) -> str:
    """How a stage ended: "in force", "to March 2026" or "to 31 March 2026, then one trust,
    X, from 1 April 2026"."""
    if row.end is None or pd.isna(row.end):
        return "in force"
    until = f"to {vocabulary.when(row.end, row.end_precision)}"
    if not row.led_to:
        return until
    day = row.end + pd.Timedelta(days=1)
    return f"{until}, then one trust, {org_named(row.led_to)}, from {vocabulary.date_long(day)}"


def stages_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per stage, in words: who, what form, from, to, and where the source is."""
    return pd.DataFrame(
        {
            "organisations": [named(c) for c in table["codes"]],
            "stage_form": [k[0].upper() + k[1:] for k in table["kind_label"]],
            "from": [
                vocabulary.when(d, p)
                for d, p in zip(table["start"], table["start_precision"], strict=True)
            ],
            "until": [_end_words(r) for r in table.itertuples()],
            "source_site": [_site(s) for s in table["source"]],
            "source_date": table["source_date"].tolist(),
            "source": table["source"].tolist(),
            "codes": [" ".join(c) for c in table["codes"]],
        }
    )


def arrangements_shown(table: pd.DataFrame) -> pd.DataFrame:
    """One row per arrangement for the page: its organisations as named when it began (with
    today's names), its stages in one line, and where its sources are published (the CSV has
    each stage's full address)."""
    rows = []
    for _, own in table.groupby("arrangement", sort=False):
        first = own["start"].min()
        sites = dict.fromkeys(_site(s).removeprefix("www.") for s in own["source"])
        rows.append(
            {
                "organisations": vocabulary.in_a_list(
                    [name_then(c, first) for c in own["codes"].iloc[0]]
                ),
                "stages": (lambda t: t[0].upper() + t[1:])(stages_words(own)),
                # a break after each dot lets a long address wrap in a narrow column
                "source_site": "; ".join(site.replace(".", ".\u200b") for site in sites),
            }
        )
    return pd.DataFrame(rows)


def shared_years(od: succession.OrgData, code: str) -> str:
    """When a trust shared leaders, in years ("since 2018", "2020 to 2024"); empty if never."""
    own = groups.of_trust(od, code)
    own = own[own["kind"] != group_models.EXPLORING]
    if own.empty:
        return ""
    start = vocabulary.year(own["start"].min())
    if own["end"].isna().any():
        return f"since {start}"
    return f"{start} to {vocabulary.year(own['end'].max())}"


def overlay(od: succession.OrgData, fates: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """The shared-leadership stages of the community trusts in ``fates`` (talks left out), one
    row per trust and stage, with the trust's chart label, for a band over its timeline bar."""
    table = groups.stages(od)
    table = table[table["kind"] != group_models.EXPLORING]
    rows = []
    for code, label in zip(fates["code"], labels, strict=True):
        for row in table[[code in c for c in table["codes"]]].itertuples():
            rows.append(
                {
                    "label": label,
                    "stage_from": row.start,
                    "stage_to": od.as_of if row.end is None or pd.isna(row.end) else row.end,
                    "form": row.kind_label,
                    "with": named([c for c in row.codes if c != code]),
                }
            )
    return pd.DataFrame(rows, columns=["label", "stage_from", "stage_to", "form", "with"])


def bands(
    od: succession.OrgData,
    fates: pd.DataFrame,
    labels: pd.Series,
    order: list[str],
    start: pd.Timestamp,
) -> alt.Chart:
    """A thin dark band over each community trust's timeline bar for each stage in which it
    shared leaders with another trust (from ``start`` at the earliest)."""
    frame = overlay(od, fates, labels)
    frame["stage_from"] = frame["stage_from"].clip(lower=start)
    return (
        alt.Chart(frame)
        .mark_bar(height=4, color="#222222")
        .encode(
            y=alt.Y("label:N", sort=order),
            x="stage_from:T",
            x2="stage_to:T",
            tooltip=[
                alt.Tooltip("form:N", title="Shared leadership"),
                alt.Tooltip("with:N", title="With"),
                alt.Tooltip("stage_from:T", title="From"),
            ],
        )
    )


def stages_words(rows: pd.DataFrame, own: str | None = None) -> str:
    """An arrangement's stages in one line, the merger they led to said once ("a joint chief
    executive from 1 November 2023 to 31 March 2026; then one trust, X, from 1 April 2026");
    with ``own``, each stage names the partners of that trust ("... with Y from ...")."""
    parts, merger = [], ""
    for row in rows.itertuples():
        partners = f" with {named([c for c in row.codes if c != own])}" if own else ""
        start = vocabulary.when(row.start, row.start_precision)
        if row.end is None or pd.isna(row.end):
            parts.append(f"{row.kind_label}{partners} since {start}")
            continue
        parts.append(
            f"{row.kind_label}{partners} from {start} to "
            f"{vocabulary.when(row.end, row.end_precision)}"
        )
        if row.led_to:
            day = row.end + pd.Timedelta(days=1)
            merger = f"then one trust, {org_named(row.led_to)}, from {vocabulary.date_long(day)}"
    return "; ".join(parts + ([merger] if merger else []))


def trust_stage_words(od: succession.OrgData, code: str) -> str:
    """A community trust's group stages in one line, capitalised ("A joint chief executive with
    X from ..."); empty where it had none."""
    text = stages_words(groups.of_trust(od, code), own=code)
    return text[0].upper() + text[1:] if text else ""


SINCE_2024 = pd.Timestamp("2024-04-01")  # the findings' recent window: 1 April 2024 on


def since_2024(od: succession.OrgData, fates: pd.DataFrame) -> dict[str, int]:
    """What became of the community trusts open on 1 April 2024, counted: taken in by acute
    trusts since, running their services jointly with an acute trust now (a chief executive,
    executive team or group board in common), fully standalone, or another form."""
    open_then = fates[
        (fates["open_date"].isna() | (fates["open_date"] <= SINCE_2024))
        & (fates["close_date"].isna() | (fates["close_date"] >= SINCE_2024))
    ]
    jointly = [code for code in open_then["code"] if groups.acute_partners(od, code)]
    taken = int((open_then["fate"] == "acquired_by_acute").sum())
    standalone = int((open_then["fate"] == "standalone").sum())
    return {
        "open": len(open_then),
        "taken": taken,
        "jointly": len(jointly),
        "standalone": standalone,
        "other": len(open_then) - taken - len(jointly) - standalone,
    }


def since_2024_line(od: succession.OrgData, fates: pd.DataFrame) -> str:
    """:func:`since_2024` in a sentence."""
    n = since_2024(od, fates)
    return (
        f"Of the {n['open']} community trusts open on {vocabulary.date_long(SINCE_2024)}, "
        f"{n['taken']} {'was' if n['taken'] == 1 else 'were'} taken in by an acute trust by "
        f"{vocabulary.month_long(od.as_of)}, {n['jointly']} more run their services jointly "
        f"with one (a chief executive or group board in common), {n['standalone']} "
        f"{'is' if n['standalone'] == 1 else 'are'} fully standalone and {n['other']} "
        f"{'has' if n['other'] == 1 else 'have'} another form (a merger with a mental-health or "
        "community trust, leaders shared with a trust that is not acute, or a new type)."
    )


def in_brief_line(od: succession.OrgData, fates: pd.DataFrame) -> str:
    """The chapter's finding on groups: how many community trusts still open share leadership
    with another trust, and how many of the community trusts that merged since 2024 shared
    leaders with their partner first."""
    grouped = fates[fates["fate"] == "grouped"]
    table = groups.stages(od)
    led = table[table["led_to"] != ""]
    merged = groups.joined_since(fates)
    first = merged[merged["code"].isin({c for codes in led["codes"] for c in codes})]
    open_now = fates[fates["close_date"].isna()]  # open under its own code, whatever its type
    names = [
        f"{_short(r.name)} with {vocabulary.in_a_list([_short(org_named(p)) for p in r.partners])}"
        for r in grouped.itertuples()
    ]
    return (
        f"- {len(grouped)} of the {len(open_now)} community trusts still open "
        f"{'shares its' if len(grouped) == 1 else 'share their'} "
        "leaders with another trust, short of a merger"
        + (f": {vocabulary.in_a_list(names)}." if names else ".")
        + f" Of the {len(merged)} community trusts taken in or merged since "
        f"{vocabulary.year(groups.CHANGES_SINCE)}, {len(first)} shared leaders with their "
        "partner first."
    )


def aft_sentence(od: succession.OrgData, fates: pd.DataFrame) -> str:
    """The standalone community trusts among the trusts named for the first wave of advanced
    foundation trusts, and what became of them since."""
    wave = policy_tables.load_aft_first_wave(od)
    community = wave[wave["code"].isin(set(fates["code"]))]
    since = fates.set_index("code").loc[community["code"]]
    changed = since[since["date"].notna() & (since["date"] > wave["announced"].min())]
    later = [
        f"{_short(r.name)} joined {_short(r.successor_name)} on {vocabulary.date_long(r.date)}"
        for r in changed.itertuples()
    ]
    return (
        f"Of the {len(wave)} trusts named on {vocabulary.date_long(wave['announced'].min())} "
        "to be assessed in the first wave of advanced foundation trusts, "
        f"{vocabulary.count_words(len(community))} "
        f"{'was a community trust' if len(community) == 1 else 'were community trusts'}"  # noqa: E501
        + (
            ": "
            + vocabulary.in_a_list([vocabulary.short_org_name(n, 60) for n in community["name"]])
            if len(community)
            else ""
        )
        + (f". Since then, {vocabulary.in_a_list(later)}." if later else ".")
    )


def section(od: succession.OrgData, fates: pd.DataFrame) -> list:
    """The group table for readers: what it holds in a sentence, every stage, and the advanced
    foundation trust applicants among the community trusts."""
    table = groups.stages(od)
    arrangements = table.drop_duplicates("arrangement")
    led = table.loc[table["led_to"] != "", "arrangement"].nunique()
    talks = table.groupby("arrangement")["kind"].agg(lambda k: set(k) == {group_models.EXPLORING})
    summary = (
        f"The table holds {len(arrangements)} arrangements ({len(table)} stages) between a "
        "community trust and another organisation, short of a merger: "
        f"{led} led to a merger, {int(talks.sum())} "
        f"{'is' if int(talks.sum()) == 1 else 'are'} talks only, and the rest "
        "are in force."
    )
    return [
        Markdown(summary),
        charts.Table(
            stages_table(table),
            "group_stages.csv",
            "Each arrangement and its stages in date order, with where its sources are published "
            "(the CSV gives each stage's full address, its date and the ODS codes). A date is as "
            "precise as its source: a year, a month or a day.",
            shown=arrangements_shown(table),
        ),
        Markdown(aft_sentence(od, fates)),
    ]
