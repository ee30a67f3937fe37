"""One ICB's page: its layers, the trusts that serve it, how its community services are run, and
its acute trusts' flow against England and their peers. Everything is composed from the
functions of the three chapters.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import (
    icb_figures,
    integration_classes,
    integration_models,
    lineage,
    params,
)
from chsreport.data import geography, icb_outcomes, manifest, ods, outcomes, pcn_lists, succession
from chsreport.reading import charts, consolidation_story, groups_story


@lru_cache(maxsize=1)
def shared() -> dict:
    """Data every locality page uses, loaded once per kernel."""
    od = succession.load_org_data()
    panel = icb_figures.trust_panel()  # the one the key figures' A&E reads
    acute = integration_classes.acute_trust_codes(panel)
    groups = integration_classes.classify(od, acute, "default")
    fates = lineage.community_fates(od)
    return {"od": od, "panel": panel, "groups": groups, "fates": fates}


def occupancy_words(percent: float) -> str:
    """ "55% occupied"; above 100%, say what that means (more patients than reported beds)."""
    if pd.isna(percent):
        return "occupancy not reported"
    words = f"{vocabulary.fixed(percent, 0)}% occupied"
    if percent > 100:
        words += " (more patients than the capacity the ICB reported)"
    return words


def serving_trusts(icb: str, min_share: float = 0.1) -> pd.DataFrame:
    """Acute trusts drawing at least ``min_share`` of their patients from the ICB's 2022 areas,
    and other trusts headquartered in it, with type and status. A merged trust's share is its
    predecessors' shares weighted by their size
    (:func:`chsreport.data.outcomes.catchment_shares_current`); the shares from the 2022 ICBs
    (or the parts of them) that make up the ICB are then added. Fails (``SchemaError``, naming
    the row) if a share falls outside 0..1."""
    od = shared()["od"]
    shares = icb_figures.trust_icb_shares(od)
    here = shares.loc[shares["icb_code"] == icb, ["code", "share"]]
    acute = here[here["share"] >= min_share].rename(columns={"share": "share_from_icb"})
    based = od.register[(od.register["icb_code"] == icb) & od.register["close_date"].isna()]
    codes = sorted(set(acute["code"]) | set(based["code"]))
    names = od.register.set_index("code")
    rows = []
    for code in codes:
        base, _ = ods.type_on(code, od.as_of, od.evidence)
        kind = succession.integrated_type(base, code, od.as_of, od)
        share = acute.set_index("code")["share_from_icb"].get(code, np.nan)
        steps = (
            [
                f"{vocabulary.org_name(names['name'].get(a, a))} ({a}, "
                f"{vocabulary.year(attrs['date'])})"
                for a, _, attrs in od.graph.in_edges(code, data=True)
                if attrs["date"] >= succession.TCS_DATE
            ]
            if code in od.graph
            else []
        )
        rows.append(
            {
                "code": code,
                "name": names["name"].get(code, code),
                "type": vocabulary.TYPE_LABELS[kind],
                "headquartered_here": code in set(based["code"]),
                "share_of_patients_from_icb": round(share, 3) if pd.notna(share) else None,
                "took_in_since_2011": ", ".join(steps),
            }
        )
    frame = pd.DataFrame(rows)
    checked = frame.assign(icb_code=icb)
    manifest.check_range(
        checked, "share_of_patients_from_icb", 0, 1, "serving_trusts", ["code", "icb_code"]
    )
    return frame


def at_a_glance(profile: dict, neighbourhood_size: int, year: int) -> str:
    """The ICB's layers in one paragraph (``profile``: :func:`scale.icb_profile`), with each
    count in words that fit it ("none of them district councils")."""
    districts, councils = profile["districts"], len(profile["councils"])
    if councils == 1:
        tiers = "a district council" if districts else "a single-tier council"
    elif districts == 0:
        tiers = "none of them district councils"
    elif districts == councils:
        tiers = "all of them district councils"
    else:
        tiers = f"{vocabulary.plural(districts, 'district council')} among them"
    subs = len(profile["sub_icbs"])
    former = (
        "the area of the former clinical commissioning group"
        if subs == 1
        else "the areas of the former clinical commissioning groups"
    )
    return (
        f"{vocabulary.whole(profile['patients'])} registered patients "
        f"({geography.lists_month()}); about "
        f"{vocabulary.whole(profile['residents'])} residents in the councils mostly inside it "
        f"(mid-{year}); "
        f"{vocabulary.percent(profile['rural_share'])} of its small areas in councils classed "
        "rural (ONS "
        "classes a council as a whole); "
        f"{vocabulary.plural(subs, 'sub-ICB location')} ({former}); "
        f"{vocabulary.plural(councils, 'district or unitary council')} ({tiers}); "
        f"{vocabulary.plural(profile['pcns'], 'PCN')} (median "
        f"{vocabulary.whole(profile['pcn_median'])} "
        "patients). It would hold about "
        f"{vocabulary.fixed(profile['patients'] / neighbourhood_size, 0)} "
        f"neighbourhoods of {vocabulary.whole(neighbourhood_size)} people."
    )


ICB_CHANGE_DAY = "1 April 2026"  # the day the ICBs of 2022 were merged into today's


def formed_words(icb: str) -> str:
    """What the ICB was formed from on :data:`ICB_CHANGE_DAY`: the 2022 ICBs whose small areas it
    holds, whole or in part (with the share of the old ICB's small areas; a split sub-ICB
    location's areas placed council by council, as :func:`geography.lsoa_places` does). An ICB
    that kept its 2022 code either stayed as it was or gained parts of others."""
    lsoas = geography.lsoa_places()
    sizes = lsoas.groupby("icb22_code").size()
    mine = lsoas[lsoas["icb_code"] == icb].groupby("icb22_code").size()
    names = geography.icb22_official_names()

    def piece(code: str) -> str:
        share = mine[code] / sizes[code]
        name = f"{names.get(code, code)} ICB"
        if share >= 0.999:
            return name
        return f"part of {name} (about {vocabulary.percent(share)} of that ICB's small areas)"

    others = [c for c in mine.index if c != icb]
    if icb in mine.index:
        if not others:
            return f"The ICB changes of {ICB_CHANGE_DAY} left its area as it was."
        return f"On {ICB_CHANGE_DAY} it took in {vocabulary.in_a_list([piece(c) for c in others])}."
    return (
        f"Formed on {ICB_CHANGE_DAY} from {vocabulary.in_a_list([piece(c) for c in mine.index])}."
    )


def classes_table(acute: pd.DataFrame) -> pd.DataFrame:
    """The acute trusts based in the ICB with their usual class (most months of the period),
    how many months they had it, and their class and evidence in the last month."""
    table = acute.rename(columns={"group_label": "usual_class"})
    return table[["code", "name", "usual_class", "months_in_group", "last_group_label", "evidence"]]


def classes_caption() -> str:
    """What :func:`classes_table` shows, with its period and last month in words."""
    return (
        "Acute trusts based here: the class each had in most months of "
        f"{vocabulary.period(*settings.PERIOD)} and in how many, then its class and the "
        "evidence in the "
        f"last month ({vocabulary.month(settings.PERIOD[1])}), which can differ from the usual one."
    )


def fates_table(fates: pd.DataFrame) -> pd.DataFrame:
    """The ICB's standalone community trusts and their fates, each successor named before its
    code (the consolidation chapter's table, fewer columns)."""
    table = consolidation_story.fates_table(fates)
    return table[["code", "name", "fate_label", "fate_date", "successor"]]


def community_organisation(icb: str) -> dict:
    """How the ICB's community services are run: its acute trusts' groups, the NHS trusts that
    report community beds from it, and what happened to its standalone community trusts."""
    s = shared()
    od, groups, fates = s["od"], s["groups"], s["fates"]
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    acute_here = groups[groups["code"].isin(based)]
    reporters = outcomes.load_community_sitrep_reporters()
    reporters = reporters[reporters["org_code"].isin(based)]
    return {"acute": acute_here, "reporters": reporters, "fates": fates[fates["icb_code"] == icb]}


FLOW_SHARE = 0.25  # an acute trust based elsewhere joins the flow comparison above this share


@lru_cache(maxsize=64)
def flow_trusts(icb: str) -> frozenset[str]:
    """Acute trusts compared on the page: those based in the ICB and those drawing at least
    ``FLOW_SHARE`` of their admitted patients from it (the table and the chart both ask)."""
    od = shared()["od"]
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    serving = serving_trusts(icb)
    large = serving.loc[serving["share_of_patients_from_icb"].fillna(0) >= FLOW_SHARE, "code"]
    return frozenset(based | set(large))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int, of: int, best: str, worst: str) -> str:
    """ "the largest", "the 3rd largest", "the smallest" (rank ``of`` of ``of``)."""
    if rank == 1:
        return f"the {best}"
    if rank == of:
        return f"the {worst}"
    if rank > (of + 1) / 2:  # the lower half counted from the other end: "the 5th most"
        return f"the {ordinal(of - rank + 1)} {worst}"
    return f"the {ordinal(rank)} {best}"


def acute_flow(icb: str) -> pd.DataFrame:
    """Each acute trust the ICB's patients use most (``flow_trusts``): its mean over the period,
    its rank among England's acute trusts (1 = best), the England median and the mean of its
    class with a bootstrap interval."""
    s = shared()
    panel, groups = s["panel"], s["groups"]
    chosen = flow_trusts(icb)
    rows = []
    for key in ("ctr_per_100_beds", "ae_4hr_performance"):
        spec = outcomes.OUTCOMES[key]
        means = integration_models.trust_means(panel, groups, key, *settings.PERIOD)
        summary = integration_models.group_summary(means).set_index("group")
        for rec in integration_models.rank_among(means, chosen, spec.better).itertuples():
            g = summary.loc[rec.group]
            rows.append(
                {
                    "code": rec.code,
                    "name": rec.name,
                    "group": rec.group,
                    "group_label": rec.group_label,
                    "outcome": spec.label,
                    "value": round(rec.value, 1),
                    "rank_of_all": int(rec.rank_of_all),
                    "trusts": len(means),
                    "england_median": round(means["value"].median(), 1),
                    "group_mean": round(g["mean"], 1),
                    "group_interval": f"{vocabulary.fixed(g['mean_low'])} to "
                    f"{vocabulary.fixed(g['mean_high'])}",
                }
            )
    return pd.DataFrame(rows)


FLOW_COLUMNS = {  # acute_flow's measures: flow_table's heading, its rank's word, its unit
    "ctr_per_100_beds": (
        "Not meeting the criteria to reside, per 100 beds",
        "delays",
        " per 100 beds",
    ),
    "ae_4hr_performance": ("A&E within 4 hours (%)", "A&E", "% within 4 hours"),
}


def flow_table(flow: pd.DataFrame) -> pd.DataFrame:
    """``acute_flow`` one row per trust, for readers: its class, then each measure's value and
    its rank among England's acute trusts (1 = best) side by side, fewest delays first."""
    if flow.empty:
        return pd.DataFrame()
    wide = flow[["code", "name", "group_label"]].drop_duplicates("code").set_index("code")
    wide = wide.rename(columns={"group_label": "Usual class (most months)"})
    ranks = []
    for key, (heading, word, _) in FLOW_COLUMNS.items():
        rows = flow[flow["outcome"] == outcomes.OUTCOMES[key].label].set_index("code")
        rank = f"Rank ({word}) of {rows['trusts'].max()}"
        wide[heading] = rows["value"]
        wide[rank] = rows["rank_of_all"].astype("Int64")
        ranks.append(rank)
    return wide.sort_values(ranks[0]).reset_index(drop=True).rename(columns={"name": "Trust"})


def flow_table_print(flow: pd.DataFrame) -> pd.DataFrame:
    """:func:`flow_table` narrow enough for a line per trust on paper: the class as its letter
    (:func:`class_key` says what each means), names without "NHS (Foundation) Trust" where the
    rest still names the trust, and short headings."""
    table = flow_table(flow)
    if table.empty:
        return table
    letters = flow.drop_duplicates("code").set_index("name")["group"].map(vocabulary.class_letter)
    out = table.rename(columns={"Usual class (most months)": "Class"})
    out["Class"] = out["Trust"].map(letters).fillna("")
    out["Trust"] = [vocabulary.trust_name(n) for n in out["Trust"]]
    headings = {}
    for key, (heading, word, _) in FLOW_COLUMNS.items():
        headings[heading] = FLOW_SHORT[key]
        rank = next(c for c in out.columns if c.startswith(f"Rank ({word})"))
        headings[rank] = f"{word[0].upper()}{word[1:]} rank of {rank.rsplit(' ', 1)[-1]}"
    return out.rename(columns=headings)


def class_key() -> str:
    """The classes' letters in words: "(a) runs community services itself; (b) beside a …"."""
    return "; ".join(
        f"{letter} {words}" for letter, _, words in vocabulary.CLASSES.values() if letter
    )


FLOW_SHORT = {
    "ctr_per_100_beds": "Delayed per 100 beds",
    "ae_4hr_performance": "A&E in 4 hours (%)",
}


def flow_period_words() -> str:
    """The period of ``acute_flow``'s means in words, with where a measure's data end sooner."""
    ends = {
        FLOW_COLUMNS[key][1]: settings.OUTCOME_PERIODS[key][1]
        for key in FLOW_COLUMNS
        if settings.OUTCOME_PERIODS[key][1] < settings.PERIOD[1]
    }
    early = "; ".join(f"{word} data end in {vocabulary.month(end)}" for word, end in ends.items())
    return vocabulary.period(*settings.PERIOD) + (f" ({early})" if early else "")


def flow_medians(flow: pd.DataFrame) -> str:
    """The England medians of ``acute_flow``'s measures, in words for a table's caption."""
    if flow.empty:
        return "none (no acute trust)"
    medians = flow.drop_duplicates("outcome").set_index("outcome")["england_median"]
    return " and ".join(
        f"{vocabulary.fixed(medians[outcomes.OUTCOMES[key].label])}{unit}"
        for key, (_, _, unit) in FLOW_COLUMNS.items()
        if outcomes.OUTCOMES[key].label in medians
    )


def flow_figure(icb: str, name: str) -> charts.Figure:
    """All acute trusts' mean delayed-discharge rate, the ICB's trusts highlighted."""
    s = shared()
    means = integration_models.trust_means(
        s["panel"], s["groups"], "ctr_per_100_beds", *settings.PERIOD
    )
    means["where"] = np.where(
        means["code"].isin(flow_trusts(icb)), "Serving this ICB", "Elsewhere in England"
    )
    means = means[["code", "name", "group_label", "value", "where"]]
    chart = (
        alt.Chart(means)
        .mark_circle(size=60)
        .encode(
            x=alt.X(
                "value:Q",
                title="Patients not meeting the criteria to reside per 100 beds",
                scale=alt.Scale(zero=False),
            ),
            y=alt.Y("group_label:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "where:N",
                title=None,
                scale=alt.Scale(
                    domain=["Serving this ICB", "Elsewhere in England"],
                    range=["#D55E00", "#CCCCCC"],
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Trust"),
                alt.Tooltip("code:N", title="Code"),
                alt.Tooltip("value:Q", format=".1f", title="Per 100 beds"),
            ],
        )
        .properties(width=480, height=160)
    )
    mine = means[means["where"] == "Serving this ICB"]
    median = means["value"].median()
    better = int((mine["value"] < median).sum())
    if len(mine) == 1:
        title = (
            f"The one acute trust serving {name} had {'fewer' if better else 'more'} delayed "
            "patients per bed than the median acute trust"
        )
    else:
        title = (
            f"{'None' if better == 0 else better} of {len(mine)} acute trusts serving {name} had "
            "fewer delayed patients per bed than the median acute trust"
        )
    return charts.figure(
        chart,
        title=title,
        subtitle=f"Mean, {vocabulary.period(*settings.PERIOD)}; grey: every other acute "
        "trust; lower is "
        "better",
        source=outcomes.OUTCOMES["ctr_per_100_beds"].source,
        table=means,
        csv_name=f"acute_flow_{icb}.csv",
    )


def headline(icb: str) -> dict:
    """A few computed figures for the localities index."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    rurality = geography.icb_rurality().set_index("icb_code")
    org = community_organisation(icb)
    acute = org["acute"]["group"].value_counts()
    return {
        "icb_code": icb,
        "name": vocabulary.icb_short_name(icbs.loc[icb, "icb_name"]),
        "registered_patients": int(icbs.loc[icb, "patients"]),
        "rural_share": round(100 * float(rurality["rural_share"].get(icb, np.nan)), 0),
        "acute_trusts": int(acute.sum()),
        "acute_running_community": int(acute.get("acute_runs_community", 0)),
        "standalone_community_trusts_now": int((org["fates"]["fate"] == "standalone").sum()),
    }


def localities() -> list[str]:
    """Every current ICB code, in order of name (the list that makes the locality pages and
    their place in the table of contents)."""
    icbs = params.valid_icbs()
    return sorted(icbs, key=lambda code: icbs[code])


def index_page() -> str:
    """The Localities index page (Markdown): each ICB with its registered patients, rurality, acute
    trusts and community trusts, linked to its page."""
    rows = [headline(icb) for icb in localities()]
    lines = [
        "# Localities",
        "",
        f"A page for each of England's {len(rows)} integrated care boards (since April 2026). "
        f"Data published for the {geography.sub_icb_to_icb22().nunique()} ICBs of 2022 are "
        "carried to their successors by registered-population shares. "
        "Each page answers the book's questions for that ICB.",
        "",
        "| ICB | Registered patients | Rural share | Acute trusts | of which run community "
        "services | Standalone community trusts |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| [{r['name']}](../../notebooks/localities/{r['icb_code']}.ipynb) | "
            f"{vocabulary.whole(r['registered_patients'])} | "
            f"{vocabulary.fixed(r['rural_share'], 0)}% | {r['acute_trusts']} | "
            f"{r['acute_running_community']} | {r['standalone_community_trusts_now']} |"
        )
    return "\n".join(lines) + "\n"


def similar_icbs(icb: str, n: int = 5) -> list[str]:
    """The ``n`` ICBs most like this one in size (log registered patients) and rurality (share
    of small areas in rural councils), each standardised over the 36 ICBs; nearest first."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    rural = geography.icb_rurality().set_index("icb_code")["rural_share"]
    traits = pd.DataFrame({"size": np.log(icbs["patients"]), "rural": rural.reindex(icbs.index)})
    z = (traits - traits.mean()) / traits.std()
    distance = np.sqrt(((z - z.loc[icb]) ** 2).sum(axis=1)).drop(icb)
    return list(distance.sort_values(kind="stable").index[:n])


def briefing(icb: str, profile: dict, org: dict, flow: pd.DataFrame) -> list[str]:
    """The page's opening: what the three questions mean for this ICB, with ranks among England's
    ICBs and acute trusts, the extremes in its data and the five most similar ICBs, computed.
    Long because it writes the page's opening paragraph by paragraph, one per question, in
    reading order."""
    icbs = geography.icb_populations_2026().set_index("icb_code")
    names = icbs["icb_name"].map(vocabulary.icb_short_name)
    size_rank = int(icbs["patients"].rank(ascending=False, method="min")[icb])

    # scale: size, PCNs, councils
    pcns = pcn_lists.pcn_populations()
    here = pcns[pcns["icb_code"] == icb].sort_values("patients")
    scale_parts = [
        f"{vocabulary.whole(profile['patients'])} registered patients, "
        f"{rank_words(size_rank, len(icbs), 'largest', 'smallest')} of England's {len(icbs)} ICBs"
    ]
    if len(here):
        small, large = here.iloc[0], here.iloc[-1]
        england_rank = int((pcns["patients"] < small["patients"]).sum()) + 1
        where = (
            "England's smallest PCN"
            if england_rank == 1
            else f"the {ordinal(england_rank)} smallest of England's "
            f"{vocabulary.whole(len(pcns))} PCNs"
            if england_rank <= 20
            else "its smallest PCN"
        )
        scale_parts.append(
            f"{len(here)} PCNs, from {vocabulary.org_name(small['pcn_name'])} "
            f"({vocabulary.whole(small['patients'])} patients; {where}) to "
            f"{vocabulary.org_name(large['pcn_name'])} ({vocabulary.whole(large['patients'])})"
        )
    councils = profile["councils"]
    if len(councils) > 1:
        col = [c for c in councils.columns if c.startswith("population_")][0]
        first, last = councils.iloc[0], councils.iloc[-1]
        scale_parts.append(
            f"{len(councils)} councils, from {first['name']} ({vocabulary.whole(first[col])} "
            "residents) to "
            f"{last['name']} ({vocabulary.whole(last[col])})"
        )

    # consolidation
    fates = org["fates"]
    if len(fates):
        q1 = "; ".join(
            f"{groups_story.name_then(r.code, succession.TCS_DATE)}: {r.fate_label.lower()}"
            + (
                f" ({vocabulary.year(r.date)})"
                if pd.notna(r.date) and r.fate != "standalone"
                else ""
            )
            for r in fates.itertuples()
        )
        q1 = (
            f"{vocabulary.plural(len(fates), 'standalone community trust')} "
            f"{'has' if len(fates) == 1 else 'have'} been based here since 2011. {q1}."
        )
    else:
        q1 = "No standalone community trust has been based here since 2011."

    # integration: each trust's rank on delayed patients, and its class
    delays = flow[flow["outcome"] == outcomes.OUTCOMES["ctr_per_100_beds"].label]
    delays = delays.sort_values("rank_of_all")
    ranks = "; ".join(
        f"{vocabulary.org_name(r.name)}, class {vocabulary.class_letter(r.group) or 'unplaced'}, "
        f"{ordinal(r.rank_of_all)}"
        for r in delays.itertuples()
    )
    present = sorted(set(delays["group"]), key=vocabulary.class_label)
    q3 = (
        f"Ranked from fewest to most patients who no longer meet the criteria to reside per 100 "
        f"adult beds ({vocabulary.period(*settings.PERIOD)}) among England's "
        f"{delays['trusts'].iloc[0]} "
        f"acute trusts, the acute trusts serving it rank: {ranks}. Classes (each trust's usual "
        "class, the one it had in most months): "
        + "; ".join(vocabulary.class_words(g) for g in present)
        + "."
        if len(delays)
        else "No acute trust serving it reports the discharge sitrep."
    )
    acute = flow.drop_duplicates("code")["group"]
    if len(acute):
        running = int((acute == "acute_runs_community").sum())
        serving = (
            f"based here or drawing at least {vocabulary.percent(FLOW_SHARE)} of "
            f"{'its' if len(acute) == 1 else 'their'} patients from here"
        )
        q1 += (
            f" Of the {vocabulary.plural(len(acute), 'acute trust')} serving it ({serving}), "
            f"{running} ran community services {'itself' if running == 1 else 'themselves'} in "
            f"most months of {vocabulary.period(*settings.PERIOD)}."
            if len(acute) > 1
            else f" Its one acute trust ({serving}) {'ran' if running else 'did not run'} "
            f"community services itself in most months of {vocabulary.period(*settings.PERIOD)}."
        )

    # the five most similar ICBs on ICB-level delays per 100,000
    peers = similar_icbs(icb)
    per_100k = icb_figures.icb_delays(icb_outcomes.icb_delays_in_period()).drop("England")
    block = per_100k.reindex([icb, *peers]).sort_values()
    place = int(list(block.index).index(icb)) + 1
    england = int(per_100k.rank(method="min")[icb])
    compare = (
        "The five ICBs most like it in size and rurality are "
        + "; ".join(names[c] for c in peers)
        + f". Among these six it has {rank_words(place, 6, 'fewest', 'most')} delayed patients "
        f"per 100,000 registered patients ({vocabulary.fixed(per_100k[icb])}; "
        f"{rank_words(england, len(per_100k), 'fewest', 'most')} of {len(per_100k)} ICBs)."
    )
    return [
        f"**Consolidation.** {q1}",
        "**Scale.** " + "; ".join(scale_parts) + ".",
        f"**Integration.** {q3}",
        f"**Compared with similar ICBs.** {compare}",
    ]


class BriefingLink:
    """The locality page's link to its two-page PDF briefing (``paths.BRIEFINGS``); the build
    drops it from the page when no PDF was made."""

    def __init__(self, icb: str):
        self.icb = icb

    def __repr__(self) -> str:  # the notebook's text output: the same in every run
        return f"Link to the briefing PDF of {self.icb}"

    def _repr_html_(self) -> str:
        return (
            f'<p class="chs-pdf-line"><a class="chs-pdf" href="../../pdf/briefings/{self.icb}.pdf">'
            "Download this ICB's briefing (PDF, two A4 pages)</a></p>"
        )
