"""A locality page's community services panel: the providers that serve the ICB, with their
form, and its waits, urgent response, contacts and beds, each with its rank among the 36 ICBs,
the median ICB, its five most similar ICBs and, for waits, the same month a year earlier.
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


def panel_frame(icb: str, month: pd.Timestamp) -> pd.DataFrame:
    """The panel's figures for the CSV: one row per measure, with this ICB's value, its rank,
    the number of ICBs with a figure, the median ICB, each of its five most similar ICBs and
    this ICB a year earlier (waits only)."""
    now = cl.icb_panel(month).set_index("icb_code")
    before_month = cl.year_before(month)
    before = cl.icb_panel(before_month).set_index("icb_code") if before_month is not None else None
    peers = locality.similar_icbs(icb)
    rows = []
    for key in cl.MEASURES:
        row = {
            "measure": key,
            "icb": now.at[icb, key],
            "rank": now.at[icb, f"rank_{key}"],
            "of": int(now[key].notna().sum()),
            "rank_one": rank_one(key),
            "median_icb": now[key].median(),
        }
        row |= {f"peer_{n}": now.at[code, key] for n, code in enumerate(peers, start=1)}
        # a year earlier only where both months have a figure (a return missing now would
        # otherwise set a whole figure beside a part)
        waits = before is not None and key in cl.WAITS and pd.notna(row["icb"])
        row["year_earlier"] = before.at[icb, key] if waits else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def _words(frame: pd.DataFrame, column: str) -> list[str]:
    """A column of :func:`panel_frame` in words, each by its measure's unit ("" if blank)."""
    return [
        "" if pd.isna(v) else value_words(k, v)
        for k, v in zip(frame["measure"], frame[column], strict=True)
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
    ranks = [
        "none" if pd.isna(r.rank) else f"{int(r.rank)} of {r.of} ({r.rank_one})"
        for r in frame.itertuples()
    ]
    measures = frame["measure"].map(V.label)
    own = pd.DataFrame(
        {
            "Measure": measures,
            "This ICB": [w or "no figure" for w in _words(frame, "icb")],
            V.month(before) if before is not None else "A year earlier": _words(
                frame, "year_earlier"
            ),
            "Rank (1 is)": ranks,
            "Median ICB": _words(frame, "median_icb"),
        }
    )
    similar = pd.DataFrame(
        {"Measure": measures, **{name: _words(frame, column) for column, name in peers.items()}}
    )
    table = frame.assign(measure=measures).rename(columns=peers)
    both = pd.concat([own, similar.drop(columns="Measure")], axis=1)
    return [
        charts.Table(table, f"community_panel_{icb}.csv", panel_caption(month), shown=own),
        charts.Table(
            table, f"community_peers_{icb}.csv",
            "The same measures in the five ICBs most like this one in size and rurality.",
            shown=similar,
        ),
        charts.Table(
            table, f"community_panel_{icb}.csv",
            panel_caption(month) + " The last five columns: the ICBs most like this one in size "
            "and rurality.", shown=both, print_only=True,
        ),
    ]  # fmt: skip


def panel_caption(month: pd.Timestamp) -> str:
    """Where each of the panel's figures comes from, and its period."""
    return (
        f"Waits: {V.month_long(month)}, people with a known wait; adults' figures follow the "
        "patients (each council's main adult community provider lends it a share of its adult "
        "list by small area), children's are those of the providers NHS England places in the "
        "ICB. Urgent response: 2024-25, the share of two-hour referrals reached within two hours "
        f"(ambition {V.percent(cp.UCR_AMBITION)}). Adult care contacts: March 2025 (Community "
        "Services Data Set). Beds: the community bed audit of 4 March 2026. Figures published "
        "for the 42 ICBs of 2022 are carried to today's ICBs by registered-patient shares; rates "
        f"per registered patient of the age group ({geography.lists_month()})."
    )


def coverage_words(row: pd.Series) -> str:
    """What the ICB's wait figures leave out, in a sentence ("" when nothing)."""
    parts = []
    for group, column in (("adults'", "adult_covered"), ("children's", "children_covered")):
        covered = row[column]
        if covered == 0:
            parts.append(f"there is no {group} figure: no return covers its area")
        elif covered < 0.995:
            parts.append(f"the {group} figure covers {V.percent(covered)} of its area")
    if not parts:
        return ""
    return " " + V.in_a_list(parts).capitalize() + " (a provider without a return that month)."


def waits_sentence(icb: str, month: pd.Timestamp) -> str:
    """The ICB's waits in a sentence: adults' and children's share over 18 weeks, its rank, and
    the same month a year earlier."""
    now = cl.icb_panel(month).set_index("icb_code").loc[icb]
    before_month = cl.year_before(month)
    before = (
        cl.icb_panel(before_month).set_index("icb_code").loc[icb]
        if before_month is not None
        else None
    )
    parts = []
    for group, key in (("adults", "adult_over_18"), ("children", "children_over_18")):
        if pd.isna(now[key]):
            parts.append(f"no figure for {group}")
            continue
        of = int(cl.icb_panel(month)[key].notna().sum())
        place = locality.rank_words(int(now[f"rank_{key}"]), of, "lowest", "highest")
        words = (
            f"{V.percent(now[key])} of {group} waiting had waited over 18 weeks ({place} of the "
            f"{of} ICBs with a figure"
        )
        if before is not None and pd.notna(before[key]) and pd.notna(now[key]):
            words += f"; {V.percent(before[key])} in {V.month(before_month)}"
        parts.append(words + ")")
    return f"In {V.month_long(month)}, " + "; ".join(parts) + "." + coverage_words(now)


def ucr_sentence(icb: str, month: pd.Timestamp) -> str:
    """Urgent response against the ambition, and what the ICB's volumes are."""
    row = cl.icb_panel(month).set_index("icb_code").loc[icb]
    share = row["ucr_within_2h"]
    if pd.isna(share):
        return "No urgent community response figure is published for all of its area."
    meets = "above" if share >= cp.UCR_AMBITION else "below"
    return (
        f"Urgent community response (2024-25): {V.percent(share)} of two-hour referrals reached "
        f"within two hours, {meets} the {V.percent(cp.UCR_AMBITION)} ambition."
    )


def serving_providers(icb: str, month: pd.Timestamp) -> pd.DataFrame:
    """The community providers serving the ICB in ``month``: each council's main adult provider
    (the book's table) and the providers based in its 2022 ICBs (an NHS trust by its
    headquarters, another provider by the ICB totals that hold its returns:
    :func:`community_returns.locate_providers`), with the
    provider's form, how it serves here and its whole waiting list and share over 18 weeks
    (adults and children, all its areas)."""
    od = succession.load_org_data()
    areas = cl.area_providers(month, od)
    here = areas[areas["icb_code"] == icb]
    councils = community_returns.load_community_areas(od)
    council_names = councils.drop_duplicates("council_code").set_index("council_code")[
        "council_name"
    ]
    main = here.dropna(subset=["provider_code"]).groupby("provider_code")["ltla_code"].unique()
    parts = icb_outcomes.icb22_weights()
    places = set(parts.loc[(parts["icb_code"] == icb) & (parts["weight"] >= 0.5), "icb22_code"])
    located = community_returns.locate_providers()
    based = set(located.loc[located["icb22_code"].isin(places), "code"])
    bands = community_performance_lines(month, od)
    names = community_returns.provider_names()
    rows = []
    for code in sorted(set(main.index) | based):
        how = []
        if code in main.index:
            served = sorted(council_names.get(c, c) for c in main[code])
            how.append("main adult provider for " + V.in_a_list(served))
        if code in based:
            how.append("based here")
        own = bands[bands["code"] == code]
        form = cp.provider_form(code, month, od)
        row = {
            "provider": V.org_name(names.get(code, code)),
            "code": code,
            "form": V.PROVIDER_FORMS[form][0],
            "form_short": V.PROVIDER_FORM_SHORT.get(form, V.PROVIDER_FORMS[form][0]),
            "how": "; ".join(how),
        }
        for group, adult in (("adult", True), ("children", False)):
            part = own[own["adult"] == adult]
            known = part["known"].sum()
            row[f"{group}_known"] = known if len(part) else float("nan")
            row[f"{group}_over_18"] = part["over_18"].sum() / known if known > 0 else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def community_performance_lines(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Every provider's service lines in ``month`` (the chapter's, read once per kernel)."""
    return od.remember(("provider lines", month), lambda: cp.provider_lines(month, od))


def providers_table(icb: str, month: pd.Timestamp, frame: pd.DataFrame) -> charts.Table:
    """:func:`serving_providers` (``frame``) for readers."""
    return charts.Table(
        frame,
        f"community_providers_waits_{icb}.csv",
        f"Community providers serving it and their whole waiting lists in {V.month_long(month)} "
        "(all the areas they serve; a blank: no return that month). Form from NHS ODS.",
        "None found.",
        columns=["provider", "form", "how", "adult_known", "adult_over_18", "children_known",
                 "children_over_18"],
    )  # fmt: skip


def providers_sentence(frame: pd.DataFrame, month: pd.Timestamp) -> str:
    """The providers of :func:`serving_providers` named with their form, in a sentence."""
    if frame.empty:
        return "No community provider could be placed here."
    named = [f"{r.provider} ({r.form_short})" for r in frame.itertuples()]
    return (
        f"Community providers serving it ({V.month_long(month)}; the main adult provider of each "
        f"council, and those based here): {'; '.join(named)}."
    )


def panel_section(icb: str) -> list:
    """The locality page's community services section: its providers named with their form, its
    waits and urgent response in sentences, the panel, then the providers' own lists."""
    month = panel_month()
    providers = serving_providers(icb, month)
    return [
        Markdown(providers_sentence(providers, month)),
        Markdown(waits_sentence(icb, month) + " " + ucr_sentence(icb, month)),
        *panel_tables(icb, month),
        providers_table(icb, month, providers),
    ]
