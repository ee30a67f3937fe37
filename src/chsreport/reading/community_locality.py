"""A locality page's community services panel: the providers that serve the ICB, with their
form, and its adults' waits, urgent response, contacts and beds, each with its rank among the 36
ICBs, the median ICB, its five most similar ICBs and, for waits, the same month a year earlier.
Figures from :mod:`chsreport.analysis.community_localities`."""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary as V
from chsreport.analysis import community_localities as cl
from chsreport.analysis import community_performance as cp
from chsreport.analysis import params
from chsreport.data import community_returns, geography, icb_outcomes, succession
from chsreport.reading import charts, locality
from chsreport.reading.text import Markdown

# what rank 1 means for each measure, as a table says it
RANK_ONE = {True: "most", False: "fewest"}
RANK_ONE_SHARE = {True: "highest", False: "lowest"}
COUNCIL_SHARE = 0.1  # a council is named for an ICB when this share of its small areas lie in it
LIST_FLOOR = 100  # a provider based here is listed when this many people wait with it
CHILDREN_WORDS = (
    "Children's waits are not given for the ICB: NHS England counts each provider's whole list "
    "in the one ICB it files the provider under, and the book holds no table of children's "
    "providers by area; each provider's own children's list is in the table of its providers on "
    "this ICB's web page."
)
CHANGE_FLAG = 0.05  # a change in the share over 18 weeks from a year earlier this large is flagged


def panel_month() -> pd.Timestamp:
    """The month of the panel's waits: the community chapter's default month."""
    return pd.Timestamp(f"{params.defaults('community')['month']}-01")


def value_words(key: str, value: float) -> str:
    """A panel figure in words: a share as a percentage, a rate as a whole number; a blank as
    "no figure"."""
    if pd.isna(value):
        return "no figure"
    return V.percent(value) if key in cl.SHARES else V.whole(value)


def rank_one(key: str) -> str:
    """What rank 1 is for ``key``: "most", "fewest", "highest" or "lowest"."""
    words = RANK_ONE_SHARE if key in cl.SHARES else RANK_ONE
    return words[cl.MEASURES[key]]


def rank_text(rank, of: int, one: str, covered: float | None = None) -> str:
    """ "19 of 36 (1 = lowest)"; unranked: why."""
    if pd.notna(rank):
        return f"{int(rank)} of {of} (1 = {one})"
    if covered is not None and covered < cl.WHOLE:
        return f"not ranked: covers {V.percent(covered)} of its areas"
    return "not ranked: no figure"


def panel_frame(icb: str, month: pd.Timestamp) -> pd.DataFrame:
    """The panel's figures for the CSV: one row per measure, with this ICB's value, its rank,
    the number of ICBs ranked, the median ICB, each of its five most similar ICBs and this ICB a
    year earlier (waits only, and only where both months cover at least ``cl.WHOLE`` of its
    areas)."""
    now = cl.icb_panel(month).set_index("icb_code")
    before_month = cl.year_before(month)
    before = cl.icb_panel(before_month).set_index("icb_code") if before_month is not None else None
    comparable = (
        before is not None
        and min(now.at[icb, "adult_covered"], before.at[icb, "adult_covered"]) >= cl.WHOLE
    )
    peers = locality.similar_icbs(icb)
    rows = []
    for key in cl.MEASURES:
        covered = now.at[icb, "adult_covered"] if key in cl.WAITS else None
        row = {
            "measure": key,
            "icb": now.at[icb, key],
            "rank": rank_text(
                now.at[icb, f"rank_{key}"],
                int(now[f"rank_{key}"].notna().sum()),
                rank_one(key),
                covered,
            ),  # fmt: skip
            "median_icb": now[key].median(),
        }
        for n, code in enumerate(peers, start=1):
            row[f"peer_{n}"] = now.at[code, key]
            row[f"peer_{n}_note"] = peer_note(now, code, key)
        row["year_earlier"] = (
            before.at[icb, key] if comparable and key in cl.WAITS else float("nan")
        )
        rows.append(row)
    return pd.DataFrame(rows)


def peer_note(panel: pd.DataFrame, code: str, key: str) -> str:
    """What a similar ICB's figure needs said beside it: "partial" for waits covering under
    ``cl.WHOLE`` of its areas, "likely gap" for contacts under ``CONTACTS_FLAG`` of the median;
    else ""."""
    if key in cl.WAITS and panel.at[code, "adult_covered"] < cl.WHOLE:
        return "partial"
    values = panel["adult_contacts_per_1000"]
    if key == "adult_contacts_per_1000" and values[code] < CONTACTS_FLAG * values.median():
        return "likely gap"
    return ""


def _words(frame: pd.DataFrame, column: str) -> list[str]:
    """A column of :func:`panel_frame` in words, each by its measure's unit ("" if blank), with
    its note where it has one ("2,039 (partial)")."""
    notes = frame.get(f"{column}_note", pd.Series("", index=frame.index))
    return [
        "" if pd.isna(v) else value_words(k, v) + (f" ({note})" if note else "")
        for k, v, note in zip(frame["measure"], frame[column], notes, strict=True)
    ]


def panel_tables(icb: str, month: pd.Timestamp) -> list[charts.Table]:
    """The panel as two tables for readers, a measure per row: this ICB with the same month a
    year earlier, its rank and the median ICB; then the five most similar ICBs; and both side by
    side for the two-page briefing (hidden on the web page)."""
    frame = panel_frame(icb, month)
    names = geography.icb_populations_2026().set_index("icb_code")["icb_name"]
    peers = {
        f"peer_{n}": V.icb_short_name(names[c]) for n, c in enumerate(locality.similar_icbs(icb), 1)
    }
    before = cl.year_before(month)
    measures = frame["measure"].map(V.label)
    own = pd.DataFrame(
        {
            "Measure": measures,
            "This ICB": [w or "no figure" for w in _words(frame, "icb")],
            V.month(before) if before is not None else "A year earlier": _words(
                frame, "year_earlier"
            ),
            "Rank among ICBs": frame["rank"],
            "Median ICB": _words(frame, "median_icb"),
        }
    )
    similar = pd.DataFrame(
        {"Measure": measures, **{name: _words(frame, column) for column, name in peers.items()}}
    )
    notes = {f"{column}_note": f"{name} note" for column, name in peers.items()}
    table = frame.assign(measure=measures).rename(columns=peers | notes)
    both = pd.concat([own, similar.drop(columns="Measure")], axis=1)
    return [
        charts.Table(table, f"community_panel_{icb}.csv", panel_caption(month), shown=own),
        charts.Table(
            table, f"community_peers_{icb}.csv",
            "The same measures in this ICB and the five ICBs most like it in size and rurality. "
            f"Partial: waits covering under {V.percent(cl.WHOLE)} of the ICB's areas; likely gap: "
            "adult care contacts under a third of the median ICB's.",
            shown=peers_by_icb(frame, own, V.icb_short_name(names[icb]), peers),
        ),
        charts.Table(
            table, f"community_panel_{icb}.csv",
            panel_caption(month) + " The last five columns: the ICBs most like this one in size "
            f"and rurality (partial: waits covering under {V.percent(cl.WHOLE)} of its areas; "
            "likely gap: contacts under a third of the median ICB's).", shown=both,
            print_only=True,
        ),
    ]  # fmt: skip


def peers_by_icb(frame: pd.DataFrame, own: pd.DataFrame, name: str, peers: dict) -> pd.DataFrame:
    """The five similar ICBs for the web page, an ICB per row (this one first) and a measure per
    column: long ICB names wrap in the first column instead of widening the table."""
    rows = {f"{name} (this ICB)": own["This ICB"].tolist()}
    rows |= {label: _words(frame, column) for column, label in peers.items()}
    return (
        pd.DataFrame.from_dict(rows, orient="index", columns=list(own["Measure"]))
        .rename_axis("ICB")
        .reset_index()
    )


def panel_caption(month: pd.Timestamp) -> str:
    """Where each of the panel's figures comes from, and its period."""
    return (
        f"Adults' waits: {V.month_long(month)}, people with a known wait. Each council's main "
        "adult community provider has its list shared across the areas it serves; NHS trusts that "
        "are no council's main provider count where they are based (other providers' areas are "
        "not known, so they are left out). An ICB whose figures cover "
        f"less than {V.percent(cl.WHOLE)} of its areas is not ranked on waits, and a year earlier "
        "is shown only where both months cover it. Urgent response: "
        f"{cl.ACTIVITY_PERIODS['ucr_within_2h']}, the share of "
        f"two-hour referrals reached within two hours (ambition {V.percent(cp.UCR_AMBITION)}). "
        "Adult care contacts: one month, "
        f"{cl.ACTIVITY_PERIODS['adult_contacts_per_1000']} (Community Services Data Set). Beds: "
        f"the community bed audit of {cl.ACTIVITY_PERIODS['beds_per_100k_65']}. Figures "
        "published for the 42 ICBs of 2022 are carried to today's ICBs by registered-patient "
        "shares; rates per registered patient of "
        f"the age group (registered patients, {geography.lists_month()}). The returns are "
        "unvalidated management information: a large change between months can reflect a change "
        "in what a provider reports."
    )


def council_names() -> pd.Series:
    """Today's councils: GSS code -> name."""
    return geography.councils().set_index("gss_code")["name"]


def coverage_words(icb: str, month: pd.Timestamp) -> str:
    """What the ICB's adults' figure leaves out and why, in a sentence ("" when nothing): the
    councils whose main provider made no return, and those the book's table names no provider
    for."""
    od = succession.load_org_data()
    areas = cl.area_providers(month, od)
    here = areas[areas["icb_code"] == icb]
    lists = cl.provider_adults(month)
    thin = cl.thin_returns(month, od)
    names, providers = council_names(), community_returns.provider_names()
    parts = []
    silent = here[
        here["provider_code"].notna() & ~here["provider_code"].isin(set(lists.index) - thin)
    ]
    for code, rows in silent.groupby("provider_code"):
        where = V.in_a_list(sorted({names.get(c, c) for c in rows["council_code"]}))
        name = V.org_name(providers.get(code, code))
        if code in thin:
            parts.append(
                f"a return of only {V.whole(lists.at[code, 'known'])} adults waiting from {name} "
                f"(main provider for {where}), too few to be its whole list"
            )
        else:
            parts.append(f"no return that month from {name} (main provider for {where})")
    missing = sorted(
        {names.get(c, c) for c in here.loc[here["provider_code"].isna(), "council_code"]}
    )
    if missing:
        parts.append(f"the book's table names no main provider for {V.in_a_list(missing)}")
    if not parts:
        return ""
    covered = cl.icb_panel(month).set_index("icb_code").at[icb, "adult_covered"]
    return f" The adults' figure covers {V.percent(covered)} of its areas: {'; '.join(parts)}."


def waits_sentence(icb: str, month: pd.Timestamp) -> str:
    """The ICB's adults' waits in a sentence: the share over 18 weeks with its rank (or why it
    has none) and the same month a year earlier where both months cover the ICB; what the
    figure leaves out; and why children's waits are not given by area."""
    frame = panel_frame(icb, month).set_index("measure")
    row = frame.loc["adult_over_18"]
    panel = cl.icb_panel(month).set_index("icb_code")
    rank = panel.at[icb, "rank_adult_over_18"]
    if pd.isna(row["icb"]):
        words = "there is no adults' waits figure"
    else:
        of = int(panel["rank_adult_over_18"].notna().sum())
        place = "not ranked" if pd.isna(rank) else f"rank {int(rank)} of {of}, 1 being the lowest"
        words = f"{V.percent(row['icb'])} of adults waiting had waited over 18 weeks ({place}"
        if pd.notna(row["year_earlier"]):
            words += f"; {V.percent(row['year_earlier'])} in {V.month(cl.year_before(month))}"
        words += ")"
        words += change_words(frame)
    return f"In {V.month_long(month)}, {words}.{coverage_words(icb, month)} {CHILDREN_WORDS}"


def longest_children_words(frame: pd.DataFrame) -> str:
    """The provider serving the ICB with the largest share of children waiting over 18 weeks
    (of those with at least ``LIST_FLOOR`` children waiting), in a sentence ("" if none)."""
    shown = frame[frame["children_known"].fillna(0) >= LIST_FLOOR]
    if shown.empty:
        return ""
    top = shown.loc[shown["children_over_18"].idxmax()]
    return (
        f" Among its providers, the longest children's waits were at {top['provider']}: "
        f"{V.percent(top['children_over_18'])} of {V.whole(top['children_known'])} children "
        "waiting had waited over 18 weeks."
    )


RATE_FLAG = 0.25  # a change in the list per 100,000 from a year earlier this large is flagged


def change_words(frame: pd.DataFrame) -> str:
    """A flag when the share over 18 weeks moved :data:`CHANGE_FLAG` or more, or the list per
    100,000 by :data:`RATE_FLAG` or more, from a year earlier ("" otherwise)."""
    share, rate = frame.loc["adult_over_18"], frame.loc["adult_waiting_per_100k"]
    moved = []
    if pd.notna(share["year_earlier"]):
        points = abs(share["icb"] - share["year_earlier"])
        if points >= CHANGE_FLAG:
            moved.append(f"the share over 18 weeks changed by {V.fixed(points * 100, 0)} points")
    if pd.notna(rate["year_earlier"]):
        change = abs(rate["icb"] / rate["year_earlier"] - 1)
        if change >= RATE_FLAG:
            moved.append(f"the list per 100,000 changed by {V.percent(change)}")
    if not moved:
        return ""
    return (
        f". In a year, {V.in_a_list(moved)}: a change this large can reflect a change in what "
        "providers report, so check with them before relying on it"
    )


def ucr_sentence(icb: str, month: pd.Timestamp) -> str:
    """Urgent response against the ambition."""
    share = cl.icb_panel(month).set_index("icb_code").at[icb, "ucr_within_2h"]
    if pd.isna(share):
        return "No urgent community response figure is published for all of its area."
    meets = "above" if share >= cp.UCR_AMBITION else "below"
    return (
        f"Urgent community response (2024-25): {V.percent(share)} of two-hour referrals reached "
        f"within two hours, {meets} the {V.percent(cp.UCR_AMBITION)} ambition."
    )


CONTACTS_FLAG = 1 / 3  # adult care contacts below this share of the median ICB's are flagged


def contacts_words(icb: str, month: pd.Timestamp) -> str:
    """A flag when the ICB's adult care contacts per head are far below the median ICB's (more
    likely a gap in what its providers send to the data set than so little care); else ""."""
    panel = cl.icb_panel(month).set_index("icb_code")["adult_contacts_per_1000"]
    value, median = panel.get(icb), panel.median()
    if pd.isna(value) or value >= CONTACTS_FLAG * median:
        return ""
    return (
        f" Its adult care contacts ({V.whole(value)} per 1,000 adults, March 2025) are under a "
        f"third of the median ICB's ({V.whole(median)}): more likely a gap in what its providers "
        "send to the Community Services Data Set than so little care."
    )


def main_providers(icb: str, month: pd.Timestamp) -> dict[str, list[str]]:
    """The main adult providers of the ICB's councils in ``month``, each with the councils
    (today's names) it serves here, a council counted when at least :data:`COUNCIL_SHARE` of its
    small areas lie in the ICB."""
    areas = cl.area_providers(month, succession.load_org_data())
    share = areas.groupby("council_code")["icb_code"].value_counts(normalize=True)
    here = areas[(areas["icb_code"] == icb) & areas["provider_code"].notna()]
    here = here[[share.get((c, icb), 0) >= COUNCIL_SHARE for c in here["council_code"]]]
    names = council_names()
    return {
        code: sorted({names.get(c, c) for c in rows["council_code"]})
        for code, rows in here.groupby("provider_code")
    }


def based_here(icb: str, month: pd.Timestamp, main_anywhere: set[str]) -> set[str]:
    """Providers based in the ICB's 2022 ICBs (most of whose patients are now in it) with a
    return in ``month`` of at least :data:`LIST_FLOOR` people, that are no council's main
    provider (a main provider is named where it serves)."""
    parts = icb_outcomes.icb22_weights()
    places = set(parts.loc[(parts["icb_code"] == icb) & (parts["weight"] >= 0.5), "icb22_code"])
    located = community_returns.locate_providers()
    codes = set(located.loc[located["icb22_code"].isin(places), "code"]) - main_anywhere
    lines = provider_lines(month, succession.load_org_data())
    sizes = lines.groupby("code")["known"].sum()
    return {c for c in codes if sizes.get(c, 0) >= LIST_FLOOR}


def provider_name(
    code: str, names: dict[str, str], od: succession.OrgData, month: pd.Timestamp
) -> str:
    """A provider's name as the returns give it in ``month``, with its name today where ODS has
    a newer one: "X (now Y)", or "X (now Y, after a merger)" when another trust joined it after
    ``month``."""
    then = V.org_name(names.get(code, code))
    register = od.register.set_index("code")
    if code in register.index and pd.isna(register.at[code, "close_date"]):
        now = V.org_name(register.at[code, "name"])
        if community_returns.normalise_name(now) != community_returns.normalise_name(then):
            edges = od.graph.in_edges(code, data=True) if code in od.graph else []
            merged = [a for a, _, d in edges if d["date"] > month]
            return f"{then} (now {now}{', after a merger' if merged else ''})"
    return then.replace("(Formerly", "(formerly")


def successor_words(code: str, month: pd.Timestamp, od: succession.OrgData) -> str:
    """ " (part of X since 2026)" when the provider joined another after ``month``; else ""."""
    if code not in od.graph:
        return ""
    later = [(b, a) for _, b, a in od.graph.out_edges(code, data=True) if a["date"] > month]
    if not later:
        return ""
    into, attrs = later[0]
    name = od.register.set_index("code")["name"].get(into, into)
    return f" (part of {V.org_name(name)} since {V.year(attrs['date'])})"


def serving_providers(icb: str, month: pd.Timestamp) -> pd.DataFrame:
    """The community providers serving the ICB in ``month``: the main adult provider of each
    of its councils (the book's table) and other providers based in it, each with its form, how
    it serves here and its whole waiting list and share over 18 weeks (adults and children, all
    the areas it serves)."""
    od = succession.load_org_data()
    main = main_providers(icb, month)
    main_anywhere = set(cl.area_providers(month, od)["provider_code"].dropna())
    lines = provider_lines(month, od)
    names = community_returns.provider_names()
    rows = []
    for code in sorted(set(main) | based_here(icb, month, main_anywhere)):
        form = cp.provider_form(code, month, od)
        own = lines[lines["code"] == code]
        row = {
            "provider": provider_name(code, names, od, month) + successor_words(code, month, od),
            "code": code,
            "form": V.PROVIDER_FORMS[form][0],
            "form_short": V.PROVIDER_FORM_SHORT.get(form, V.PROVIDER_FORMS[form][0]),
            "how": "main adult provider for " + V.in_a_list(main[code])
            if code in main
            else "based here"
            if form != "independent"
            else "filed here by NHS England (the areas it serves are not known)",
        }
        for group, adult in (("adult", True), ("children", False)):
            part = own[own["adult"] == adult]
            known = part["known"].sum()
            row[f"{group}_known"] = known if len(part) else float("nan")
            row[f"{group}_over_18"] = part["over_18"].sum() / known if known > 0 else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def provider_lines(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Every provider's service lines in ``month`` (the chapter's, read once per kernel)."""
    return od.remember(("provider lines", month), lambda: cp.provider_lines(month, od))


def providers_table(icb: str, month: pd.Timestamp, frame: pd.DataFrame) -> charts.Table:
    """:func:`serving_providers` (``frame``) for readers."""
    return charts.Table(
        frame,
        f"community_providers_waits_{icb}.csv",
        f"Community providers serving it and their whole waiting lists in {V.month_long(month)} "
        "(all the areas they serve; a blank: no return that month). A provider based here is "
        f"listed if at least {V.whole(LIST_FLOOR)} people were waiting with it. Form from NHS "
        "ODS.",
        "None found.",
        columns=["provider", "form", "how", "adult_known", "adult_over_18", "children_known",
                 "children_over_18"],
    )  # fmt: skip


def providers_sentence(frame: pd.DataFrame, month: pd.Timestamp) -> str:
    """The providers of :func:`serving_providers` named with their form, in a sentence."""
    if frame.empty:
        return "No community provider could be placed here."
    named = []
    for r in frame.itertuples():
        base, _, later = r.provider.partition(" (part of ")
        base = V.trust_name(base)  # without "NHS (Foundation) Trust": the form says what it is
        named.append(  # its form then, and what it joined since
            f"{base} ({r.form_short} in {V.month(month)}; part of "
            f"{V.trust_name(later.rsplit(' since ', 1)[0])} since "
            f"{later.rsplit(' since ', 1)[1]}"
            if later
            else f"{base} ({r.form_short})"
        )
    return (
        f"Community providers serving it ({V.month_long(month)}; the main adult provider of each "
        f"council, and others based here): {'; '.join(named)}."
    )


def panel_section(icb: str) -> list:
    """The locality page's community services section: its providers named with their form, its
    waits and urgent response in sentences, the panel, then the providers' own lists."""
    month = panel_month()
    providers = serving_providers(icb, month)
    return [
        Markdown(providers_sentence(providers, month)),
        Markdown(
            waits_sentence(icb, month)
            + longest_children_words(providers)
            + " "
            + ucr_sentence(icb, month)
            + contacts_words(icb, month)
        ),
        *panel_tables(icb, month),
        providers_table(icb, month, providers),
    ]
