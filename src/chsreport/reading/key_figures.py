"""An ICB's key figures in one block, opening its page and its briefing: each figure with
England's value, its rank among the 36 ICBs and a mark for its third (shape, word and colour,
so colour is never the only cue), then a short reading of them written for this ICB.
Figures from :func:`chsreport.analysis.icb_figures.key_figures`."""

from __future__ import annotations

import html

import pandas as pd

from chsreport import settings
from chsreport import vocabulary as V
from chsreport.analysis import community_localities as cl
from chsreport.analysis import icb_figures
from chsreport.data import geography
from chsreport.reading import charts, locality

# each figure's label, as the block says it
FIGURES = {
    "patients": "Registered patients",
    "adult_waiting_per_100k": "Adults waiting for community care per 100,000 adults",
    "adult_over_18": "Adults waiting over 18 weeks",
    "ucr_within_2h": "Urgent community response within 2 hours",
    "adult_contacts_per_1000": "Adult community care contacts in the month per 1,000 adults",
    "beds_per_100k_65": "Community beds per 100,000 aged 65+",
    "delays_per_100k": "Delayed discharges from its hospitals per 100,000 (criteria to reside)",
    "ae_within_4h": "A&E within 4 hours at the hospitals its patients use",
}
# a third's word, by whether the measure has a better direction
THIRD_WORDS = {
    True: {"top": "best third", "middle": "middle third", "bottom": "worst third"},
    False: {"top": "highest third", "middle": "middle third", "bottom": "lowest third"},
}
RANK_HEADING = "Rank"
SHAPES = {"top": "▲", "middle": "●", "bottom": "▼"}  # a mark's shape, by its third


def periods(month: pd.Timestamp) -> dict[str, str]:
    """Each figure's period in words."""
    return {
        "patients": geography.lists_month(),
        **{key: V.month(month) for key in cl.WAITS},
        **cl.ACTIVITY_PERIODS,
        "delays_per_100k": V.period(*settings.PERIOD),
        "ae_within_4h": V.period(*icb_figures.ae_window()),
    }


def value_text(key: str, value: float) -> str:
    """A figure in words: a share as a percentage, delays to one decimal, the rest whole."""
    if pd.isna(value):
        return "no figure"
    if key in (*cl.SHARES, "ae_within_4h"):
        return V.percent(value)
    return V.fixed(value) if key == "delays_per_100k" else V.whole(value)


def mark_words(row) -> str:
    """The mark's words: "best third", "highest third"…; why a figure is unranked."""
    if row.third:
        return THIRD_WORDS[row.better is not None][row.third]
    if pd.notna(row.value) and row.covered < cl.WHOLE:
        return f"not ranked ({V.percent(row.covered)} of areas)"
    return "not ranked: no figure"


def rank_words(row) -> str:
    """ "3 of 36" where rank 1 is the best; "3 of 36 (1 = most)" for a size or volume; "" when
    unranked."""
    if pd.isna(row.rank):
        return ""
    return f"{int(row.rank)} of {row.of}" + ("" if row.better is not None else " (1 = most)")


def frame(icb: str, month: pd.Timestamp) -> pd.DataFrame:
    """This ICB's rows of the key figures, in the block's order."""
    figures = icb_figures.key_figures(month)
    return figures[figures["icb_code"] == icb].reset_index(drop=True)


def shown(rows: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """The block for readers: measure with its period, this ICB, England, rank, mark."""
    when = periods(month)
    return pd.DataFrame(
        {
            "Measure": [FIGURES[k] for k in rows["measure"]],
            "Period": [when[k] for k in rows["measure"]],
            "This ICB": [
                value_text(k, v) for k, v in zip(rows["measure"], rows["value"], strict=True)
            ],
            "England": [
                ("median ICB " if k == "patients" else "") + value_text(k, v)
                for k, v in zip(rows["measure"], rows["england"], strict=True)
            ],
            RANK_HEADING: [rank_words(r) for r in rows.itertuples()],
            "Among the ICBs": [mark_words(r) for r in rows.itertuples()],
        }
    )


def caption(month: pd.Timestamp) -> str:
    """How to read the block, and how its less obvious figures are made."""
    ranked = icb_figures.key_figures(month).query("measure == 'adult_over_18'")["of"].iloc[0]
    return (
        "Rank 1 is the best, or (marked) the most. ▲ ● ▼ and colour: the ICB's third of the "
        "ranked ICBs (green best, orange worst; blues for volumes, where more is neither better "
        "nor worse in itself), not a statistical test nor a comparison with England. England: "
        f"its counts added up, then divided (size: the median ICB; adults' waits: the {ranked} "
        f"ICBs whose figures cover {V.percent(cl.WHOLE)} of their areas). Delays: an average day, "
        "counted where the hospital is, months missing a 2022 ICB's return left out. A&E: the "
        "hospitals its patients use, each trust weighted by the share of its admitted patients "
        "from here, over the months nearly every trust reports."
    )


class Block:
    """The key figures as a table with marks, and its CSV."""

    def __init__(self, icb: str, month: pd.Timestamp):
        self.month = month
        self.rows = frame(icb, month)
        self.shown = shown(self.rows, month)
        self.csv = self.rows.assign(
            measure=self.rows["measure"].map(FIGURES),
            period=self.rows["measure"].map(periods(month)),
            mark=self.shown["Among the ICBs"],
        )

    def _repr_html_(self) -> str:
        body = []
        for row, words in zip(
            self.rows.itertuples(), self.shown.itertuples(index=False), strict=True
        ):
            kind = "dir" if row.better is not None else "vol"
            mark = (
                f'<span class="chs-mark chs-{kind}-{row.third}" aria-hidden="true">'
                f"{SHAPES[row.third]}</span> "
                if row.third
                else ""
            )
            body.append(
                f'<tr><th scope="row">{html.escape(words[0])}</th>'
                f"<td>{html.escape(words[1])}</td>"
                f'<td class="num">{html.escape(words[2])}</td>'
                f'<td class="num">{html.escape(words[3])}</td>'
                f'<td class="num">{html.escape(words[4])}</td>'
                f"<td>{mark}{html.escape(words[5])}</td></tr>"
            )
        numeric = ' class="num"'
        head = "".join(
            f'<th scope="col"{numeric if 2 <= i <= 4 else ""}>{html.escape(c)}</th>'
            for i, c in enumerate(self.shown.columns)
        )
        link = charts.download_link(self.csv, "key_figures.csv", "Download this table")
        return (
            '<div class="chs-table-wrap chs-key-wrap"><div class="chs-table-scroll" tabindex="0">'
            '<table class="chs-table chs-key">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            f'<p class="chs-table-caption">{html.escape(caption(self.month))} {link}</p></div>'
        )

    def __repr__(self) -> str:
        return f"<Key figures: {len(self.rows)} rows>"


def named(rows: pd.DataFrame, third: str, directed: bool) -> list[str]:
    """The short names of the figures in ``third``, of the directed ones or the volumes."""
    picked = rows[(rows["third"] == third) & (rows["better"].notna() == directed)]
    return [SHORT[k] for k in picked["measure"]]


SHORT = {  # a figure's name inside a sentence
    "patients": "size",
    "adult_waiting_per_100k": "adults waiting per head",
    "adult_over_18": "adults waiting over 18 weeks",
    "ucr_within_2h": "urgent response within 2 hours",
    "adult_contacts_per_1000": "adult care contacts per head",
    "beds_per_100k_65": "community beds per older person",
    "delays_per_100k": "delayed discharges from its hospitals",
    "ae_within_4h": "A&E within 4 hours at its patients' hospitals",
}


def reading(icb: str, month: pd.Timestamp) -> str:
    """Two or three sentences on this ICB's figures, chosen by its thirds: its size, where it is
    among the best and the worst third, then where its volumes are high or low."""
    rows = frame(icb, month)
    name = V.icb_short_name(geography.icb_populations_2026().set_index("icb_code")["icb_name"][icb])
    size = rows.set_index("measure").loc["patients"]
    best, worst = named(rows, "top", True), named(rows, "bottom", True)
    parts = []
    if best:
        parts.append(f"the best third of ICBs on {V.in_a_list(best)}")
    if worst:
        parts.append(
            ("the worst third" if best else "the worst third of ICBs") + f" on {V.in_a_list(worst)}"
        )
    first = (
        f"{name} ({locality.rank_words(int(size['rank']), size['of'], 'largest', 'smallest')} "
        f"of {size['of']} ICBs) is in "
        + (
            " and in ".join(parts)
            if parts
            else "neither the best nor the worst third of ICBs on any figure with a better "
            "direction"
        )
        + "."
    )
    rows = rows[rows["measure"] != "patients"]
    high, low = named(rows, "top", False), named(rows, "bottom", False)
    volumes = [
        *([f"high on {V.in_a_list(high)}"] if high else []),
        *([f"low on {V.in_a_list(low)}"] if low else []),
    ]
    aside = (
        "; a longer waiting list can mean more people referred as well as slower care"
        if "adult_waiting_per_100k" in set(rows.loc[rows["third"].isin(["top", "bottom"])
                                                      & rows["better"].isna(), "measure"])
        else ""
    )  # fmt: skip
    second = (
        f" Against the other ICBs it is {' and '.join(volumes)} (volumes: more is neither "
        f"better nor worse in itself{aside})."
        if volumes
        else ""
    )
    waits = rows[rows["measure"].isin(cl.WAITS) & rows["value"].notna()]
    third = (
        " Its adults' waits are not ranked: they cover "
        f"{V.percent(waits['covered'].iloc[0])} of its areas."
        if len(waits) and waits["rank"].isna().all()
        else ""
    )
    return first + second + third
