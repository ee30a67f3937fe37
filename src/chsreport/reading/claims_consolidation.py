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


def trust_form(od: succession.OrgData, row, since: pd.Timestamp) -> tuple[str, str]:
    """How one community trust (a row of the fates) went towards an acute trust: ("acquired",
    words) if acquired on or after ``since``, ("group", words) if it runs its services jointly
    with one now, or ("", words) for neither."""
    name = vocabulary.org_name(row.name)
    if row.fate == "acquired_by_acute" and row.date >= since:
        return "acquired", (
            f"{name} ({row.code}) was acquired by "
            f"{vocabulary.org_name(row.successor_name)} on {vocabulary.date_long(row.date)}"
        )
    acute = groups.acute_partners(od, row.code)
    if acute:
        stages = groups.in_force(groups.of_trust(od, row.code), od.as_of, groups.OPERATIONAL)
        stages = stages[[bool(set(c) & set(acute)) for c in stages["codes"]]]
        forms = [
            f"{kind} since {vocabulary.when(start, precision)}"
            for kind, start, precision in zip(
                stages["kind_label"], stages["start"], stages["start_precision"], strict=True
            )
        ]
        return "group", (
            f"{name} ({row.code}) runs its services jointly with "
            f"{vocabulary.in_a_list([community_returns.provider_named(a) for a in acute])} "
            f"({'; '.join(forms)}), still a legal trust"
        )
    return "", f"{name} ({row.code}): {row.fate_label.lower()}"


def service_moves(od: succession.OrgData, icb: str) -> list[str]:
    """Councils whose main adult community provider passed from a provider that is not an acute
    trust to an acute trust based in ``icb`` since :data:`SINCE` (the book's council table): a
    transfer of services, not of a trust (a provider taken over by the acute trust, in ODS, is an
    acquisition and not counted here)."""
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    changes = groups.council_changes(od, SINCE)
    return [
        f"{r.council_name}'s adult community services passed to "
        f"{community_returns.provider_named(r.to_code)} on "
        f"{vocabulary.date_long(r.date)} (a contract, not a merger)"
        for r in changes[changes["to_code"].isin(based) & ~changes["taken_over"]].itertuples()
        if community_returns.provider_kind(r.to_code, r.date, od) == "acute"
        and not (
            r.from_code and community_returns.provider_kind(r.from_code, r.date, od) == "acute"
        )
    ]


def by_definition(counts: dict[str, int], of: int, verdict) -> str:
    """The verdict under each definition of the article's words, in one sentence ("Counting
    acquisitions alone: partly supported (1 of 2); ...")."""
    return (
        "By definition: "
        + "; ".join(f"{label}: {verdict(n)} ({n} of {of})" for label, n in counts.items())
        + "."
    )


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
    forms = [trust_form(od, row, pd.Timestamp("2024-01-01")) for row in here.itertuples()]
    folded = sum(1 for kind, _ in forms if kind)
    acquired = sum(1 for kind, _ in forms if kind == "acquired")
    return Result(
        "Cheshire and Merseyside community trusts (open in 2024) acquired by an acute trust or "
        "running their services jointly with one",
        folded,
        "trusts",
        "2024 to July 2026",
        ODS,
        verdict_of(min(folded, C01_TWO), C01_TWO),
        "; ".join(words for _, words in forms)
        + ". Running services jointly (a joint chief executive, shared executive team or group "
        'board; still two legal trusts) counts as "effectively folding", the article\'s words; a '
        "shared chair alone does not. "
        + by_definition(
            {"acquisitions alone": acquired, "acquisitions or running jointly": folded},
            C01_TWO,
            lambda n: verdict_of(min(n, C01_TWO), C01_TWO),
        ),
    )


PLACES = {  # article 000's places: (2026 ICB, community trusts named)
    "Coventry and Warwickshire": ("QWU", []),
    "Lincolnshire": ("QJM", ["RY5"]),
    "Kingston": (None, ["RY9"]),
}


def c02_similar_moves() -> Result:
    """Places among the three where community services went to an acute trust since 2023, in any
    form (an acquisition since 2023, a community trust running its services jointly with an acute
    trust now, or the council's main adult provider changing to an acute trust from one that was
    not): supported if all three, partly if one or two, not if none (and the verdict under each
    narrower definition)."""
    od = succession.load_org_data()
    fates = _fates(od)
    moved, acquired, transfers, notes = 0, 0, 0, []
    open_since = fates["close_date"].isna() | (fates["close_date"] >= SINCE)
    for place, (icb, codes) in PLACES.items():
        rows = fates[(fates["code"].isin(codes) | (fates["icb_code"] == icb)) & open_since]
        forms = [trust_form(od, row, SINCE) for row in rows.itertuples()]
        services = service_moves(od, icb) if icb else []
        moved += int(any(kind for kind, _ in forms) or bool(services))
        acquired += int(any(kind == "acquired" for kind, _ in forms))
        transfers += int(any(kind == "acquired" for kind, _ in forms) or bool(services))
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
        ". ".join(notes)
        + ". "
        + by_definition(
            {
                "acquisitions of a trust alone": acquired,
                "acquisitions or transfers of services": transfers,
                "every form, with trusts running services jointly": moved,
            },
            len(PLACES),
            lambda n: verdict_of(n, len(PLACES)),
        ),
    )
