"""The claims register's rules for article 000's consolidation claims (C01, C02): what became of
the community trusts and places it names, with group arrangements counted as a form of their own
(the book's group table) beside the legal changes ODS records and the transfers of services its
council table dates.

Each rule gives its verdict counting every form the article's words can mean ("effectively
folding", "similar moves"), and says what the verdict would be counting legal changes alone.
"""

from __future__ import annotations

import pandas as pd

from chsreport import vocabulary
from chsreport.analysis import groups, lineage
from chsreport.data import community_returns, succession
from chsreport.reading.claim_result import Result

ODS = "NHS ODS trust and successor files; ERIC; 2026 trust list; the book's group table"
SINCE = pd.Timestamp("2023-01-01")  # article 000 (autumn 2024) speaks of recent moves


def _fates(od: succession.OrgData) -> pd.DataFrame:
    return od.remember(("community fates",), lambda: lineage.community_fates(od))


def verdict_of(hits: int, of: int) -> str:
    """All: supported; some: partly supported; none: not supported."""
    return "supported" if hits == of else "partly supported" if hits else "not supported"


def grouped_with_acute(od: succession.OrgData, code: str) -> list[str]:
    """The acute trusts ``code`` shares its leadership with on the ODS extract's date."""
    partners = groups.grouped_on(od, od.as_of).get(code, [])
    return [p for p in partners if community_returns.provider_kind(p, od.as_of, od) == "acute"]


def trust_form(od: succession.OrgData, row) -> tuple[str, str]:
    """How one community trust (a row of the fates) went towards an acute trust: ("acquired",
    words), ("group", words) or ("", words) for neither."""
    name = vocabulary.org_name(row.name)
    if row.fate == "acquired_by_acute":
        return "acquired", (
            f"{name} ({row.code}) was acquired by "
            f"{vocabulary.org_name(row.successor_name)} on {vocabulary.date_long(row.date)}"
        )
    acute = grouped_with_acute(od, row.code)
    if acute:
        stages = groups.in_force(groups.of_trust(od, row.code), od.as_of)
        stages = stages[[bool(set(c) & set(acute)) for c in stages["codes"]]]
        forms = [
            f"{kind} since {vocabulary.when(start, precision)}"
            for kind, start, precision in zip(
                stages["kind_label"], stages["start"], stages["start_precision"], strict=True
            )
        ]
        return "group", (
            f"{name} ({row.code}) shares its leaders with "
            f"{vocabulary.in_a_list([community_returns.provider_named(a) for a in acute])} "
            f"({'; '.join(forms)}), still a legal trust"
        )
    return "", f"{name} ({row.code}): {row.fate_label.lower()}"


def service_moves(od: succession.OrgData, icb: str) -> list[str]:
    """Councils whose main adult community provider passed to an acute trust based in ``icb``
    since :data:`SINCE` (the book's council table): a transfer of services, not of a trust."""
    areas = community_returns.load_community_areas(od)
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    moved = areas[(areas["valid_from"] >= SINCE) & areas["provider_code"].isin(based)]
    return [
        f"{r.council_name}'s adult community services passed to "
        f"{community_returns.provider_named(r.provider_code)} on "
        f"{vocabulary.date_long(r.valid_from)} (a contract, not a merger)"
        for r in moved.itertuples()
        if community_returns.provider_kind(r.provider_code, r.valid_from, od) == "acute"
    ]


def _strict(hits: int, of: int, what: str) -> str:
    """The verdict counting one form alone, in a sentence."""
    return f"Counting {what} alone: {verdict_of(hits, of)} ({hits} of {of})."


C01_TWO = 2  # "two standalone community trusts are effectively folding into the local acutes"


def c01_cheshire_merseyside() -> Result:
    """The Cheshire and Merseyside community trusts open in 2024 that have gone to acute trusts,
    by acquisition or by sharing their leadership with one: supported if two or more (the
    article's two), partly if one, not if none (and the verdict counting acquisitions alone)."""
    od = succession.load_org_data()
    fates = _fates(od)
    here = fates[
        (fates["icb_code"] == "QYG")
        & (fates["close_date"].isna() | (fates["close_date"] >= "2024-01-01"))
    ]
    forms = [trust_form(od, row) for row in here.itertuples()]
    folded = sum(1 for kind, _ in forms if kind)
    acquired = sum(1 for kind, _ in forms if kind == "acquired")
    return Result(
        "Cheshire and Merseyside community trusts (open in 2024) acquired by an acute trust or "
        "in a group with one",
        folded,
        "trusts",
        "2024 to July 2026",
        ODS,
        verdict_of(min(folded, C01_TWO), C01_TWO),
        "; ".join(words for _, words in forms)
        + ". A group (a shared chair and chief executive, still two legal trusts) is counted as "
        '"effectively folding", the article\'s words. '
        + _strict(min(acquired, C01_TWO), C01_TWO, "acquisitions"),
    )


PLACES = {  # article 000's places: (2026 ICB, community trusts named)
    "Coventry and Warwickshire": ("QWU", []),
    "Lincolnshire": ("QJM", ["RY5"]),
    "Kingston": (None, ["RY9"]),
}


def c02_similar_moves() -> Result:
    """Places among the three where community services went to an acute trust since 2023, in any
    form (an acquisition, a group sharing leadership, or the council's main adult provider
    changing to an acute trust): supported if all three, partly if one or two, not if none (and
    the verdict counting acquisitions alone)."""
    od = succession.load_org_data()
    fates = _fates(od)
    moved, acquired, notes = 0, 0, []
    for place, (icb, codes) in PLACES.items():
        rows = fates[fates["code"].isin(codes) | (fates["icb_code"] == icb)]
        forms = [trust_form(od, row) for row in rows.itertuples()]
        services = service_moves(od, icb) if icb else []
        moved += int(any(kind for kind, _ in forms) or bool(services))
        acquired += int(any(kind == "acquired" for kind, _ in forms))
        found = [words for _, words in forms] + services
        notes.append(f"{place}: " + ("; ".join(found) or "no community trust or transfer found"))
    return Result(
        "Named places where community services went to an acute trust (acquisition, group or "
        "transfer of services)",
        moved,
        f"places of {len(PLACES)}",
        "2023 to July 2026",
        ODS + "; the book's council table",
        verdict_of(moved, len(PLACES)),
        ". ".join(notes) + ". " + _strict(acquired, len(PLACES), "acquisitions of a trust"),
    )
