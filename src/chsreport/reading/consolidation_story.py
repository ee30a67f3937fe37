"""Question 1 for readers: the charts, maps, tables and computed sentences of
``notebooks/consolidation.ipynb``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import consolidation, lineage, params
from chsreport.data import geography, inputs, ods, succession
from chsreport.reading import charts, claims_consolidation, groups_story, maps
from chsreport.reading.text import Markdown

INTEGRATED_TYPES = ("acute_community", "mental_health_community")  # took in a community trust

ORG_SOURCE = (
    "NHS ODS trust and successor files (2016, 2022, 2026); ERIC 2013/14-2016/17; 2026 trust list"
)


def trusts_by_type_figure(counts: pd.DataFrame, types: list[str], where: str) -> charts.Figure:
    """NHS trusts open on 1 April of each year, stacked by type, titled with the first and last
    counts."""
    first, last = int(counts["year"].min()), int(counts["year"].max())
    total = counts.groupby("year")["trusts"].sum()
    title = f"{where}: {total.loc[first]} NHS trusts in {first}, {total.loc[last]} in {last}"
    chart = (
        alt.Chart(counts)
        .mark_area()
        .encode(
            x=alt.X("year:O", title="Year (trusts open on 1 April)"),
            y=alt.Y("sum(trusts):Q", title="Number of NHS trusts", stack="zero"),
            color=alt.Color(
                "type_label:N",
                title="Trust type",
                scale=charts.type_scale(types),
                sort=[vocabulary.TYPE_LABELS[t] for t in types],
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("type_label:N", title="Type"),
                alt.Tooltip("trusts:Q", title="Trusts"),
            ],
        )
        .properties(width=560, height=300)
    )
    return charts.figure(
        chart,
        title=title,
        subtitle=f"NHS trusts by type, {first}-{last}. Source: {ORG_SOURCE}",
        source=ORG_SOURCE,
        table=counts[["year", "type", "type_label", "trusts"]],
        csv_name=f"trusts_by_type_{first}_{last}.csv",
    )


# --------------------------------------------------------------------------- community trusts
def fates_in_words(fates: pd.DataFrame) -> str:
    """What became of the standalone community trusts, counted by fate, in one clause ("3 were
    taken in by acute trusts, 4 merged with mental-health trusts, ..."); a fate no trust had is
    left out."""
    counts = fates["fate"].value_counts()
    words = {  # fate -> (words for one, words for several)
        "standalone": ("is still standalone", "are still standalone"),
        "acquired_by_acute": ("was taken in by an acute trust", "were taken in by acute trusts"),
        "merged_with_mental_health": (
            "merged with a mental-health trust",
            "merged with mental-health trusts",
        ),
        "merged_with_community": ("merged with another community trust",) * 2,
        "grouped": (
            "shares its leaders with another trust (short of a merger)",
            "share their leaders with another trust (short of a merger)",
        ),
        "retyped": (
            "is now typed otherwise (mental health or acute) with no merger recorded",
            "are now typed otherwise (mental health or acute) with no merger recorded",
        ),
        "dissolved": ("was dissolved or split", "were dissolved or split"),
        "unknown": ("has no fate in the data", "have no fate in the data"),
    }
    parts = [
        f"{int(counts[fate])} {one if counts[fate] == 1 else several}"
        for fate, (one, several) in words.items()
        if counts.get(fate, 0)
    ]
    if not parts:
        return "none changed"
    return vocabulary.in_a_list(parts)


def fates_table(fates: pd.DataFrame) -> pd.DataFrame:
    """Each standalone community trust and its fate; the successor named, with its code."""

    def named(own: str, code, name) -> str:
        if not isinstance(code, str) or not code:
            return ""
        if code == own:  # it took the other trust in and carries on under a new name
            return f"{vocabulary.org_name(name)} (the same trust, renamed)"
        return f"{vocabulary.org_name(name)} ({code})"

    successor = [
        named(own, code, name)
        for own, code, name in zip(
            fates["code"], fates["successor"], fates["successor_name"], strict=True
        )
    ]
    od = succession.load_org_data()
    shown = fates.assign(
        name=fates["name"].map(vocabulary.org_name),
        successor=successor,
        fate_date=fates["date"],
        group_stage=[groups_story.trust_stage_words(od, c) for c in fates["code"]],
        shared_leaders=[groups_story.shared_years(od, c) for c in fates["code"]],
    )
    return shown[
        [
            "code",
            "name",
            "open_date",
            "close_date",
            "fate_label",
            "fate_date",
            "successor",
            "shared_leaders",
            "group_stage",
            "evidence",
        ]
    ]


LABEL_CHARS = 44  # a trust's name on the timeline wraps at this many characters


def timeline_labels(frame: pd.DataFrame) -> list[str]:
    """Each trust's label on the timeline: its name, then "→" and the trust it became part of,
    each wrapped at :data:`LABEL_CHARS` (never cut)."""
    successor = frame["successor_name"].fillna("").map(consolidation.display_name)
    return [
        charts.wrapped(vocabulary.short_org_name(name, 200), LABEL_CHARS)
        + (
            f"\n{charts.wrapped('→ ' + vocabulary.short_org_name(to, 200), LABEL_CHARS)}"
            if to
            else ""
        )
        for name, to in zip(frame["name"], successor, strict=True)
    ]


def community_timeline_figure(
    od: succession.OrgData, fates: pd.DataFrame, start_year: int, end_year: int
) -> charts.Figure:
    """Each standalone community trust as a bar from opening to closing (or today), coloured by its
    fate, with a dark band over the time it shared its leadership with another trust."""
    start = pd.Timestamp(year=start_year, month=1, day=1)
    end = min(od.as_of, pd.Timestamp(year=end_year, month=12, day=31))
    frame = fates.copy()
    frame["from"] = frame["open_date"].fillna(start).clip(lower=start)
    frame["to"] = frame["close_date"].fillna(end).clip(upper=end)
    frame = frame[frame["to"] >= frame["from"]]
    frame["name"] = frame["name"].map(consolidation.display_name)
    frame["label"] = timeline_labels(frame)
    frame["successor_text"] = (
        frame["successor_name"].fillna("").map(consolidation.display_name)
        + " ("
        + frame["successor"].fillna("")
        + ")"
    )
    still_open = frame["successor"].isna()  # standalone, sharing leaders or retyped
    frame.loc[still_open, "successor_text"] = ""
    standalone = int((frame["fate"] == "standalone").sum())
    grouped = int((frame["fate"] == "grouped").sum())
    title = (
        f"{standalone} of {len(frame)} community trusts open since 2011 are still standalone"
        + (f"; {grouped} more share their leadership with another trust" if grouped else "")
    )
    order = frame.sort_values(["fate", "from"])["label"].tolist()
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "label:N", title=None, sort=order, axis=alt.Axis(labelExpr=charts.LINES, labelLimit=320)
        )
    )
    bars = base.mark_bar(height=11).encode(
        x=alt.X(
            "from:T", title="Date", scale=alt.Scale(domain=[start.isoformat(), end.isoformat()])
        ),
        x2="to:T",
        color=alt.Color(
            "fate_label:N", title="Fate", scale=charts.fate_scale(), legend=alt.Legend(columns=1)
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Trust"),
            alt.Tooltip("code:N", title="ODS code"),
            alt.Tooltip("fate_label:N", title="Fate"),
            alt.Tooltip("date:T", title="Date of fate"),
            alt.Tooltip("successor_text:N", title="Successor"),
        ],
    )
    shared = groups_story.bands(od, frame, frame["label"], order, start)
    row = 13 * charts.line_count(frame["label"]) + 6  # a row's height: its label's lines
    chart = (bars + shared).properties(height=max(120, row * len(frame)))
    table = frame[
        [
            "code",
            "name",
            "open_date",
            "close_date",
            "fate",
            "fate_label",
            "date",
            "successor",
            "successor_name",
            "evidence",
        ]
    ]
    return charts.figure(
        chart,
        title=title,
        subtitle=f"Each bar runs from opening (or {start_year}) to closure; the dark band: shared "
        "leadership with another trust (a group short of a merger); → the trust it became part "
        f"of. Source: {ORG_SOURCE}",
        source=ORG_SOURCE,
        table=table,
        csv_name="community_trust_fates.csv",
    )


def community_count_figure(counts: pd.DataFrame) -> charts.Figure:
    """Standalone community trusts open each year, titled with the peak and the latest count."""
    first, last = counts.iloc[0], counts.iloc[-1]
    peak = lineage.peak_year(counts)
    title = (
        f"Standalone community trusts: {peak['community_trusts']} at the peak "
        f"({lineage.peak_years(counts)}), "
        f"{last['community_trusts']} in {last['year']}"
    )
    bars = (
        alt.Chart(counts)
        .mark_bar(color=charts.TYPE_COLOURS["community"])
        .encode(
            x=alt.X("year:O", title="Year (trusts open on 1 April)"),
            y=alt.Y("community_trusts:Q", title="Standalone community trusts"),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("community_trusts:Q", title="Community trusts"),
            ],
        )
    )
    rule = (
        alt.Chart(
            pd.DataFrame(
                {
                    "y": [consolidation.SEED_COUNT],
                    "text": [f'article 002: "{consolidation.SEED_COUNT}"'],
                }
            )
        )
        .mark_rule(strokeDash=[4, 3], color="#333333")
        .encode(y="y:Q")
    )
    note = rule.mark_text(align="left", dy=-6, x=4, fontSize=11).encode(text="text:N")
    chart = (bars + rule + note).properties(width=560, height=260)
    return charts.figure(
        chart,
        title=title,
        subtitle=f"Trusts typed community, {first['year']}-{last['year']}; dashed line: the "
        f"figure in article 002. Source: {ORG_SOURCE}",
        source=ORG_SOURCE,
        table=counts,
        csv_name="community_trusts_by_year.csv",
    )


def trust_story(od: succession.OrgData, code: str) -> str:
    """One sentence per trust from the data: opening, names, closure, successor, type."""
    reg = od.register.set_index("code")
    if code not in reg.index:
        return f"{code}: not in the organisation data."
    rec = reg.loc[code]
    parts = [f"**{code} {consolidation.name_of(od, code)}**"]
    if pd.notna(rec["open_date"]):
        parts.append(f"opened {vocabulary.date_long(rec['open_date'])}")
    names = ods.names_by_extract(code)
    if len(set(names.values())) > 1:
        changes, previous = [], None
        for extract, name in names.items():
            if name != previous:
                changes.append(f"{consolidation.display_name(name)} ({extract} extract)")
            previous = name
        parts.append("ODS names over time: " + " → ".join(changes))
    types = od.evidence[od.evidence["code"] == code]
    if not types.empty:
        typed = "; ".join(
            f"{vocabulary.TYPE_LABELS[t]} ({s})"
            for t, s in types[["type", "source"]].drop_duplicates("type").itertuples(index=False)
        )
        parts.append(f"typed {typed}")
    else:
        parts.append("no type in the data")
    for step in (
        sorted(od.graph.out_edges(code, data=True), key=lambda e: e[2]["date"])
        if code in od.graph
        else []
    ):
        parts.append(
            f"{step[2]['kind']} into {consolidation.name_of(od, step[1])} ({step[1]}) "
            f"on {vocabulary.date_long(step[2]['date'])}"
        )
    absorbed = [e for e in od.graph.in_edges(code, data=True)] if code in od.graph else []
    recent = [e for e in absorbed if e[2]["date"] >= succession.TCS_DATE]
    for step in sorted(recent, key=lambda e: e[2]["date"]):
        parts.append(
            f"took in {consolidation.name_of(od, step[0])} ({step[0]}) on "
            f"{vocabulary.date_long(step[2]['date'])}"
        )
    stages = groups_story.trust_stage_words(od, code)
    if stages:
        parts.append(f"shared leaders (the book's group table): {stages[0].lower()}{stages[1:]}")
    if pd.notna(rec["close_date"]):
        parts.append(f"closed {vocabulary.date_long(rec['close_date'])}")
        if code not in od.graph or od.graph.out_degree(code) == 0:
            parts.append("no successor recorded in the ODS successor file")
    else:
        parts.append(f"still open in the {consolidation.latest_extract()} ODS extract")
    return "; ".join(parts) + "."


def case_stories(od: succession.OrgData, fates: pd.DataFrame) -> list[dict]:
    """For each seed-named case: the data's account, trust by trust and ICB by ICB."""
    stories = []
    for case in consolidation.load_article_cases():
        lines = [trust_story(od, code) for code in case["trusts"]]
        for icb in case["icb"]:
            here = fates[fates["icb_code"] == icb]
            icb_name = od.register.loc[od.register["icb_code"] == icb, "icb_name"].dropna()
            label = icb_name.iloc[0] if len(icb_name) else icb
            moves = claims_consolidation.service_moves(od, icb)
            if here.empty:
                lines.append(
                    f"{label} ({icb}): the data hold no trust typed community in this ICB since "
                    "2011; its community services were run inside other trusts, which "
                    "organisation data alone do not show."
                )
            else:
                summary = ", ".join(
                    f"{consolidation.display_name(r.name)} ({r.code}: {r.fate_label.lower()})"
                    for r in here.itertuples()
                )
                lines.append(f"{label} ({icb}): community trusts since 2011: {summary}.")
            lines += [f"{move[0].upper()}{move[1:]} (the book's council table)." for move in moves]
        stories.append({**case, "lines": lines})
    return stories


COMPILED = {
    "trust_types.csv": "the type of trusts the published files leave untyped",
    "article_cases.yml": "the trusts behind each case the articles name",
    "group_models.csv": "group arrangements short of a merger, stage by stage",
    "aft_first_wave.csv": "the first wave of advanced foundation trusts",
}


# --------------------------------------------------------------------------- the chapter's words
# What each cell of notebooks/consolidation.ipynb shows, in order; each branch is tested.
def in_brief(od: succession.OrgData, fates: pd.DataFrame, counts: pd.DataFrame) -> str:
    """The findings: how many community trusts there were and remain, who took them in, what
    became of the others, and the peak count against article 002's."""
    acquired = fates[fates["fate"] == "acquired_by_acute"]
    others = fates[~fates["fate"].isin(["standalone", "grouped", "acquired_by_acute"])]
    peak = lineage.peak_year(counts)
    remain = int(fates["close_date"].isna().sum())  # open, whatever its type now
    takeovers = "; ".join(
        f"{consolidation.name_of(od, r.code)} into {groups_story.name_then(r.successor, r.date)} "
        f"in {vocabulary.year(r.date)}"
        for r in acquired.sort_values("date").itertuples()
    )
    return (
        f"- {vocabulary.plural(len(fates), 'standalone community trust')} existed at some point "
        f"since 2011; {remain} {'is' if remain == 1 else 'are'} still open.\n"
        f"- {len(acquired)} {'was' if len(acquired) == 1 else 'were'} acquired by acute trusts"
        + (f": {takeovers}.\n" if len(acquired) else ".\n")
        + f"- Of the others, {fates_in_words(others)}.\n"
        + groups_story.in_brief_line(od, fates)
        + "\n"
        f"- The count of standalone community trusts peaked at {peak['community_trusts']} "
        f"({lineage.peak_years(counts)}), against the {consolidation.SEED_COUNT} of article 002."
    )


def icb_sentence(
    where: str, providers: pd.DataFrame, steps: pd.DataFrame, here: pd.DataFrame, since: int
) -> str:
    """An ICB's trusts since ``since``, the changes touching them and its community trusts,
    each named with its fate (``here``: :func:`lineage.community_fates` rows of the ICB)."""
    named = "; ".join(
        f"{r.code} {consolidation.display_name(r.name)}, {r.fate_label.lower()}"
        for r in here.itertuples()
    )
    return (
        f"{where} is home to {vocabulary.plural(len(providers), 'NHS trust')} open at some point "
        f"since {since} "
        f"({(providers['status'] == 'open').sum()} still open); the data record {len(steps)} "
        "organisational changes touching them, and "
        f"{vocabulary.plural(len(here), 'standalone community trust')} since 2011"
        + (f": {named}." if len(here) else ".")
    )


def icb_section(od: succession.OrgData, fates: pd.DataFrame, p: dict) -> list:
    """For a chosen ICB: its heading, its trusts and their lineage (nothing for England)."""
    if not p["icb"]:
        return []
    where = params.valid_icbs()[p["icb"]]
    since = pd.Timestamp(year=p["start_year"], month=4, day=1)
    providers = consolidation.icb_providers(od, p["icb"], since)
    steps = consolidation.icb_lineage(od, providers["code"].tolist(), since)
    here = fates[fates["icb_code"] == p["icb"]]
    return [
        Markdown(f"## The providers of {where} and their lineage"),
        Markdown(icb_sentence(where, providers, steps, here, p["start_year"])),
        charts.Table(providers, f"providers_{p['icb']}.csv", f"Trusts headquartered in {where}."),
        charts.Table(steps, f"lineage_{p['icb']}.csv", "Mergers, acquisitions and splits."),
    ]


def trusts_by_type_sentence(by_year: pd.DataFrame, first: int, last: int) -> str:
    """England's trusts at the first and last year, the integrated ones, and the untyped."""
    total = by_year.groupby("year").size()
    unknown = (by_year["type"] == "unknown") & (by_year["year"] == first)
    integrated = by_year["type"].isin(INTEGRATED_TYPES) & (by_year["year"] == last)
    return (
        f"On 1 April {first} England had {total.loc[first]} NHS trusts; on 1 April {last}, "
        f"{total.loc[last]} ({vocabulary.signed(total.loc[last] - total.loc[first], 0)}). "
        f"{vocabulary.plural(int(integrated.sum()), 'trust')} "
        + (
            "was an acute or mental-health trust"
            if integrated.sum() == 1
            else "were acute or mental-health trusts"
        )
        + f" that had taken in a community trust by {last}. The type of "
        f"{vocabulary.plural(int(unknown.sum()), 'trust')} open in {first} is in no source (most "
        "closed before the first ERIC return); they are shown as type unknown."
    )


def fates_section(fates: pd.DataFrame) -> list:
    """The fates counted in one sentence, and every community trust with its fate."""
    return [
        Markdown(f"Of the {len(fates)} community trusts open since 2011, {fates_in_words(fates)}."),
        charts.Table(
            fates_table(fates), "community_trust_fates.csv",
            "Every standalone community trust since 2011 and its fate (the CSV adds the evidence "
            "for each, and each trust's group stages). Shared leaders: the years a trust shared "
            "its chair, chief executive or board with another trust, short of a merger (the "
            "book's group table, below).",
            columns=["code", "name", "fate_label", "fate_date", "successor", "shared_leaders"],
        ),
    ]  # fmt: skip


def seed_count_sentence(counts: pd.DataFrame) -> str:
    """Article 002's count of standalone community trusts against the data's, year by year:
    whether the data ever reach it, the peak and the latest count."""
    peak, latest = lineage.peak_year(counts), counts.iloc[-1]
    reached = counts.loc[counts["community_trusts"] >= consolidation.SEED_COUNT, "year"].tolist()
    verdict = (
        f"The data reach {consolidation.SEED_COUNT} or more in {', '.join(map(str, reached))}"
        if reached
        else f"The data never reach {consolidation.SEED_COUNT}"
    )
    return (
        f"{verdict}: the count peaks at {peak['community_trusts']} in "
        f"{lineage.peak_years(counts)} and stands "
        f"at {latest['community_trusts']} in {latest['year']}. The article does not say how it "
        f"counted; a figure of {consolidation.SEED_COUNT} needs a wider definition than ours, "
        "for example one that adds care trusts or combined mental-health and community trusts. "
        'ERIC types two care trusts that ran community services as "care trust"; we count them '
        "as community through the compiled table, with a source for each."
    )


def case_text(case: dict) -> str:
    """One case the articles name: its label, the article's words (or "a 2024-26 merger" for
    a case no article names) and the data's account, line by line."""
    named = f'article {case["seed"]}: "{case["quote"]}"' if case["seed"] else "a 2024-26 merger"
    return f"**{case['label']}** ({named})\n\n" + "\n".join(f"- {line}" for line in case["lines"])


def cases_section(od: succession.OrgData, fates: pd.DataFrame) -> list:
    """Every case the articles name, in the data's words."""
    return [Markdown(case_text(case)) for case in case_stories(od, fates)]


def inputs_table() -> charts.Table:
    """The chapter's inputs, the hand-compiled tables named with what each holds."""
    return charts.inputs_table(
        inputs.CONSOLIDATION, "consolidation_inputs.csv",
        "Compiled by hand, each row with its source: " + "; ".join(COMPILED.values()) + ".",
    )  # fmt: skip


# --------------------------------------------------------------------------- map
NONE_HERE = "No standalone community trust since 2011"
MIXED = "More than one, with different fates"


def fates_map(fates: pd.DataFrame) -> charts.Figure:
    """Each 2026 ICB by what happened to the standalone community trusts based in it."""
    import altair as alt

    icbs = geography.icb_populations_2026()
    rows = []
    for icb in icbs.itertuples():
        here = fates[fates["icb_code"] == icb.icb_code]
        labels = sorted(set(here["fate_label"]))
        rows.append(
            {
                "code": icb.icb_ons_code,
                "fate": NONE_HERE if not labels else labels[0] if len(labels) == 1 else MIXED,
                "trusts": "; ".join(
                    f"{consolidation.display_name(r.name)} ({r.fate_label.lower()})"
                    for r in here.itertuples()
                )
                or "none",
            }
        )
    values = pd.DataFrame(rows)
    order = [*charts.FATE_COLOURS, MIXED, NONE_HERE]
    colours = [*charts.FATE_COLOURS.values(), "#A6761D", "#EFE6CF"]
    present = [o for o in order if o in set(values["fate"])]
    unchanged = [NONE_HERE, lineage.FATES["standalone"], lineage.FATES["grouped"]]
    changed = int((~values["fate"].isin(unchanged)).sum())
    return maps.choropleth(
        "icb26",
        values,
        alt.Color(
            "fate:N",
            title="Fate",
            scale=alt.Scale(domain=present, range=[colours[order.index(o)] for o in present]),
            sort=present,
        ),
        title=f"In {changed} of England's {len(values)} ICBs a standalone community trust "
        "headquartered there changed hands since 2011; in the rest none did or none was based "
        "there",
        subtitle="Each 2026 ICB by the fate of the standalone community trusts headquartered in "
        "it since 2011 (a trust serving several ICBs colours only its headquarters' ICB; the CSV "
        "names the trusts).",
        source=ORG_SOURCE,
        csv_name="community_trust_fates_map.csv",
        tooltip=[alt.Tooltip("trusts:N", title="Trusts")],
    )
