"""Group models beside mergers: which community trusts share leadership with another trust, from
when, and what it led to (the compiled table, :mod:`chsreport.data.group_models`), read with the
ODS successor links; and the changes since 2024 among the trusts based in one ICB.
"""

from __future__ import annotations

import pandas as pd

from chsreport.data import community_returns, group_models, succession

CHANGES_SINCE = pd.Timestamp("2024-01-01")  # "what changed there": the locality pages' window


def stages(od: succession.OrgData) -> pd.DataFrame:
    """Every stage of every arrangement, the arrangements in order of their first stage."""
    table = group_models.load_group_models(od)
    first = table.groupby("arrangement")["start"].transform("min")
    return (
        table.assign(first=first)
        .sort_values(["first", "arrangement", "start"], kind="stable")
        .drop(columns="first")
        .reset_index(drop=True)
    )


# who runs the services day to day: a chief executive or executive team in common, or one group
# board and executive (a shared chair or a board in common alone leaves two executives)
OPERATIONAL = ("joint_chief_executive", "interim_chief_executive", "shared_executive_team", "group")


def in_force(
    table: pd.DataFrame,
    day: pd.Timestamp,
    kinds: tuple[str, ...] | None = None,
    certain: bool = False,
) -> pd.DataFrame:
    """Stages of shared leadership in force on ``day`` (begun by then, not ended; talks about
    becoming one organisation are not shared leadership and are left out). ``kinds``: only these
    (e.g. :data:`OPERATIONAL`, leaving out a shared chair alone); ``certain``: only stages
    certainly begun, a start known to the year or month read as its last day (else its first).
    An end is read as its first day either way, so a stage counts only until it may have ended."""
    table = table[table["kind"] != group_models.EXPLORING]
    if kinds is not None:
        table = table[table["kind"].isin(kinds)]
    pairs = zip(table["start"], table["start_precision"], strict=True)
    starts = [group_models.last_day(d, p) if certain else d for d, p in pairs]
    ended = table["end"].notna() & (table["end"] < day)
    begun = pd.Series([start <= day for start in starts], index=table.index, dtype=bool)
    return table[begun & ~ended]


def grouped_on(
    od: succession.OrgData,
    day: pd.Timestamp,
    kinds: tuple[str, ...] | None = None,
    certain: bool = False,
) -> dict[str, list[str]]:
    """Each trust in a shared-leadership arrangement on ``day`` and its partners' codes (the
    options as :func:`in_force`'s)."""
    out: dict[str, list[str]] = {}
    for codes in in_force(stages(od), day, kinds, certain)["codes"]:
        for code in codes:
            out.setdefault(code, [])
            out[code] += [c for c in codes if c != code and c not in out[code]]
    return out


def acute_partners(od: succession.OrgData, code: str) -> list[str]:
    """The acute trusts ``code`` runs its services jointly with on the ODS extract's date: a
    joint (or interim) chief executive, shared executive team or group board (a shared chair
    alone does not count)."""
    partners = grouped_on(od, od.as_of, kinds=OPERATIONAL).get(code, [])
    return [p for p in partners if community_returns.provider_kind(p, od.as_of, od) == "acute"]


def joined_since(fates: pd.DataFrame, since: pd.Timestamp = CHANGES_SINCE) -> pd.DataFrame:
    """The community trusts (rows of ``lineage.community_fates``) that joined another trust on or
    after ``since``."""
    return fates[(fates["date"] >= since) & fates["successor"].notna()]


def of_trust(od: succession.OrgData, code: str) -> pd.DataFrame:
    """The stages of the arrangements a trust was part of, in date order."""
    table = stages(od)
    return table[[code in codes for codes in table["codes"]]].sort_values("start", kind="stable")


def community_forms(od: succession.OrgData, fates: pd.DataFrame) -> pd.Series:
    """For each community trust still open (fate ``standalone``): the partners it shares
    leadership with on the ODS extract's date, or none (indexed like ``fates``)."""
    grouped = grouped_on(od, od.as_of)
    return pd.Series(
        [
            grouped.get(code, []) if fate == "standalone" else []
            for code, fate in zip(fates["code"], fates["fate"], strict=True)
        ],
        index=fates.index,
    )


def icb_changes(od: succession.OrgData, icb: str, since: pd.Timestamp = CHANGES_SINCE) -> dict:
    """What changed among the trusts based in ``icb`` (today's ICB codes) since ``since``: the
    ODS steps (mergers, acquisitions) into or out of them, and the group arrangements they were in
    at any time since (with the stages before ``since`` that are still in force)."""
    based = set(od.register.loc[od.register["icb_code"] == icb, "code"])
    steps = od.edges[
        (od.edges["from_code"].isin(based) | od.edges["to_code"].isin(based))
        & (od.edges["date"] >= since)
        & od.edges["kind"].isin(["merger", "acquisition"])
    ].sort_values("date", kind="stable")
    table = stages(od)
    touches = [bool(set(codes) & based) for codes in table["codes"]]
    recent = table["end"].isna() | (table["end"] >= since)
    names = table.loc[[t and r for t, r in zip(touches, recent, strict=True)], "arrangement"]
    return {
        "steps": steps.reset_index(drop=True),
        "groups": table[table["arrangement"].isin(set(names))].reset_index(drop=True),
    }


def council_changes(od: succession.OrgData, since: pd.Timestamp = CHANGES_SINCE) -> pd.DataFrame:
    """Changes of a council's main adult community provider since ``since`` (the book's council
    table): council, the provider before and after, the date, and whether the new provider took
    the old one over in ODS (then the change is that acquisition, not a transfer of services)."""
    areas = community_returns.load_community_areas(od).sort_values("valid_from", kind="stable")
    rows = []
    for r in areas[areas["valid_from"] >= since].itertuples():
        before = areas[
            (areas["council_code"] == r.council_code) & (areas["valid_from"] < r.valid_from)
        ]
        was = before["provider_code"].iloc[-1] if len(before) else ""
        edges = od.edges
        taken_over = bool(
            was and ((edges["from_code"] == was) & (edges["to_code"] == r.provider_code)).any()
        )
        rows.append(
            {
                "council_code": r.council_code,
                "council_name": r.council_name,
                "from_code": was,
                "to_code": r.provider_code,
                "date": r.valid_from,
                "taken_over": taken_over,
            }
        )
    columns = ["council_code", "council_name", "from_code", "to_code", "date", "taken_over"]
    return pd.DataFrame(rows, columns=columns)
