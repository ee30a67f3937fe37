"""Who runs adult community services, month by month, and for which councils' residents.

The rule (one place, :data:`chsreport.settings.RULES`): a provider **runs adult community
services** in a month in which it submits at least ``min_lines`` adult service lines (5 by
default; 10 strict; 1 loose). A month is read from the provider's own return for it; where there
is none (a month without a workbook: 2022-04..2022-12, 2023-11..2024-07, 2025-08; or a provider
missing from a month's workbook), from its return nearest the month's workbook (or the workbooks
either side of a gap), if that return is within :data:`CARRY_MONTHS` of it and on the same side
of every change of hands the ODS lineage records for the provider; otherwise the provider has no
return that month (:func:`return_for`).

:func:`exposure` then gives each acute trust, month by month, the share of its patients whose
council's main adult community provider is the trust itself, a standalone community trust, a
mental-health trust or another provider, from the providers' returns, their care volume (CSDS)
and the book's dated table of providers by council.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.data import community_returns, succession

# --------------------------------------------------------------------------- the register
CARRY_MONTHS = 3  # a provider missing from a month's return is carried this far, no further


def return_for(
    month: pd.Timestamp,
    own: list[pd.Timestamp],
    files: list[pd.Timestamp],
    changes: list[pd.Timestamp],
) -> tuple[pd.Timestamp | None, str]:
    """The provider's CHS month that stands for ``month``, and why.

    ``files`` are the months with a CHS workbook, ``own`` those with a row for this provider.
    A month with a workbook is anchored on itself; a month in a gap between workbooks on the
    nearest workbook month on either side (nearest first). From an anchor, the provider's own
    return is used if it is within :data:`CARRY_MONTHS` months of the anchor and on the same side
    of every change of hands (``changes``) as ``month``; otherwise there is no return.
    """
    if month in files:
        anchors = [month]
    else:
        before = [m for m in files if m < month]
        after = [m for m in files if m > month]
        anchors = sorted(
            ([max(before)] if before else []) + ([min(after)] if after else []),
            key=lambda m: (abs((m - month).days), m),
        )

    def same_side(m):
        return all((m >= date) == (month >= date) for date in changes)

    for anchor in anchors:
        near = [m for m in own if abs((m - anchor).days) <= 31 * CARRY_MONTHS and same_side(m)]
        if near:
            used = min(near, key=lambda m: (abs((m - anchor).days), m))
            if used == month:
                return used, f"its community services return for {vocabulary.month(used)}"
            if month in files:
                return used, (
                    f"its community services return for {vocabulary.month(used)}, the nearest "
                    "month it sent one"
                )
            return used, (
                f"its community services return for {vocabulary.month(used)}, the nearest month "
                "for which "
                "NHS England published returns"
            )
    return (
        None,
        "no community services return near this month (on this side of any change of hands)",
    )


def register(
    od: succession.OrgData, months: list[pd.Timestamp], min_lines: int = settings.RULES["default"]
) -> pd.DataFrame:
    """Per provider code (as ODS knew it then) and month: whether it runs adult community
    services, with its adult lines, care contacts and the source row behind the answer."""
    base = _returns_by_month(od, tuple(months))
    out = base.assign(runs_community=base["adult_lines"] >= min_lines)
    return out[[*base.columns.drop("source"), "runs_community", "source"]]


def _returns_by_month(od: succession.OrgData, months: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    """The register without its rule: each provider's return standing for each month. The same
    for every rule (only the line threshold differs), so worked out once per loaded data."""
    return od.remember(("returns by month", months), lambda: _work_out_returns(od, months))


def _work_out_returns(od: succession.OrgData, months: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    returns = community_returns.provider_months()
    files = sorted(returns["month"].unique())
    edges = od.edges
    csds = community_returns.load_csds().set_index("code")["care_contacts"]
    rows = []
    for code, part in returns.groupby("code"):
        part = part.set_index("month")
        changes = sorted(
            set(edges.loc[(edges["from_code"] == code) | (edges["to_code"] == code), "date"])
        )
        own = sorted(part.index)
        for month in months:
            used, how = return_for(month, own, files, changes)
            if used is not None:
                lines = int(part.at[used, "adult_lines"])
                waiting = float(part.at[used, "adult_waiting"])
                source = f"{vocabulary.plural(lines, 'adult service line')} in {how}"
            else:
                lines, waiting, source = 0, 0.0, how
            rows.append(
                {
                    "code": code,
                    "month": month,
                    "chs_month": used if used is not None else pd.NaT,
                    "adult_lines": lines,
                    "adult_waiting": waiting,
                    "care_contacts_mar_2025": float(csds.get(code, np.nan)),
                    "source": source,
                }
            )
    return pd.DataFrame(rows)


def main_acute_by_council(patients: pd.DataFrame, acute_codes: list[str]) -> pd.Series:
    """The acute trust that admits most of each council's patients."""
    mine = patients[patients["code"].isin(acute_codes)]
    best = mine.sort_values(["patients", "code"], ascending=[False, True])
    return best.drop_duplicates("ltla_code").set_index("ltla_code")["code"]


def _active(reg: pd.DataFrame, od: succession.OrgData) -> pd.Series:
    """Rows of the register for providers that exist in the month: NHS trusts open per ODS;
    others with a return that stands for the month."""
    opened = od.register.set_index("code")
    is_trust = reg["code"].isin(opened.index)
    open_ = reg["code"].map(opened["open_date"])
    close = reg["code"].map(opened["close_date"])
    trust_ok = (open_.isna() | (open_ <= reg["month"])) & (close.isna() | (close >= reg["month"]))
    return (is_trust & trust_ok) | (~is_trust & reg["chs_month"].notna())


def area_pools(reg: pd.DataFrame, od: succession.OrgData) -> pd.DataFrame:
    """Per 2022 ICB and month, the providers (not acute trusts) running community services
    there, with their kind and adult service lines as weight."""
    located = community_returns.locate_providers().set_index("code")["icb22_code"]
    rows = reg[reg["runs_community"] & _active(reg, od)].copy()
    rows["icb22_code"] = rows["code"].map(located).fillna("")
    rows = rows[rows["icb22_code"] != ""]
    kinds = {
        (c, m): community_returns.provider_kind(c, m, od)
        for c, m in rows[["code", "month"]].itertuples(index=False)
    }
    rows["kind"] = [kinds[(c, m)] for c, m in rows[["code", "month"]].itertuples(index=False)]
    return rows[["icb22_code", "month", "code", "kind", "adult_lines"]]


SHARE_WORDS = {
    "standalone": "standalone community trusts",
    "mental_health": "mental-health trusts",
    "other": "other providers",
    "none": "providers that could not be placed",
}


VOLUME_MONTH = pd.Timestamp("2025-03-01")  # the month of the CSDS counts held
VOLUME_RUNS = 3.0  # adult care contacts per emergency admission: at least this, it runs them
VOLUME_NOT = 1.0  # below this it does not, whatever its returns list
# The thresholds sit in the gap of the data: acute trusts whose returns list 5 or more adult
# service lines have 0.001 to 42 contacts per emergency admission; apart from two with 11 and 17
# (Mid Yorkshire, Guy's and St Thomas'), those that list fewer have at most 2.1, and no acute
# trust has between 2.2 and 3.3. Below 1 a trust's community care is a few thousand contacts a
# month at most, whatever it lists (University Hospitals Plymouth 5, Barts Health 3,795).
TABLE_DECIDES = "the book's table of community providers names it as the main adult provider"
# what decides whether an acute trust runs them; "no_table": "both" without the table's naming
SOURCES = ("both", "returns", "volume", "no_table")


def area_splits(
    areas: pd.DataFrame, months: list[pd.Timestamp], od: succession.OrgData
) -> dict[tuple[str, pd.Timestamp], dict[tuple[str, str], float]]:
    """For each council and month the compiled table covers: its providers that month, by
    kind (standalone, mental_health, other; an acute trust counts as other), equal shares."""
    out: dict = {}
    for month in months:
        live = areas[
            (areas["valid_from"] <= month)
            & (areas["valid_to"].isna() | (areas["valid_to"] >= month))
        ]
        for council, rows in live.groupby("council_code"):
            split: dict[tuple[str, str], float] = {}
            for code in rows["provider_code"]:
                kind = community_returns.provider_kind(code, month, od)
                kind = "other" if kind == "acute" else kind
                split[(kind, code)] = split.get((kind, code), 0.0) + 1 / len(rows)
            out[(council, month)] = split
    return out


def runs_by_volume(
    per_admission: float,
    by_lines: bool,
    source: str = "both",
    runs_at: float = VOLUME_RUNS,
    not_below: float = VOLUME_NOT,
    named: bool = False,
) -> bool:
    """Whether an acute trust runs adult community services in a month, from its CSDS adult care
    contacts per emergency admission (NaN: no count, or the count is from a trust made of other
    organisations that month) and what its CHS returns say (``by_lines``). ``source``: "both"
    (volume decides above ``VOLUME_RUNS`` and below ``VOLUME_NOT``; in between and where there is
    no count, the returns, or the book's table of community providers by council when it names
    the trust as a council's main adult provider that month: ``named``), "returns" (the returns
    alone) or "volume" (volume decides wherever there is a count, at ``VOLUME_RUNS``; the returns
    elsewhere), "no_table" ("both" without the table's naming)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of {SOURCES}")
    if source == "no_table":
        source, named = "both", False
    if source == "returns":
        return by_lines
    if np.isnan(per_admission):
        return by_lines or (named and source == "both")
    if source == "volume":
        return per_admission >= runs_at
    if per_admission >= runs_at:
        return True
    if per_admission < not_below:
        return False
    return by_lines or named


@dataclass
class OwnServices:
    """Whether each acute trust runs adult community services, per (code, month), and why."""

    found: dict  # its (or a constituent's) return: (member code, register row), or None
    ratio: dict  # adult care contacts per emergency admission that month, or NaN
    named_for: dict  # councils whose main adult provider the table names it
    by_lines: dict  # what its returns say
    runs: dict  # the decision
    by_table: dict  # decided only because the table names it
    by_volume: dict  # the care volume overturned its returns


def own_services(
    od: succession.OrgData,
    reg: pd.DataFrame,
    acute_codes: list[str],
    months: list[pd.Timestamp],
    by_area: dict,
    council_names: dict[str, str],
    volume: dict[str, float],
    source: str,
    cuts: tuple[float, float],
) -> OwnServices:
    """Step (a) of :func:`exposure`: the returns, the care volume and the table, per trust and
    month, decided by :func:`runs_by_volume`."""
    runs = {(r["code"], r["month"]): r for r in reg.to_dict("records")}
    own_codes = {
        (c, m): community_returns.constituents(c, m, od) for c in acute_codes for m in months
    }
    # councils whose main adult community provider the table names, per provider and month
    named_in: dict[tuple[str, pd.Timestamp], list[str]] = {}
    for (council, month), split in by_area.items():
        for _, member in split:
            named_in.setdefault((member, month), []).append(council_names[council])

    def councils_named(members: list[str], month: pd.Timestamp) -> list[str]:
        return sorted({n for member in members for n in named_in.get((member, month), [])})

    then = {c: community_returns.constituents(c, VOLUME_MONTH, od) for c in acute_codes}
    named_for = {(c, m): councils_named(own_codes[(c, m)], m) for c in acute_codes for m in months}
    # the councils whose provider each trust was in the month of the care volume
    named_then = {c: councils_named(then[c], VOLUME_MONTH) for c in acute_codes}

    def own_row(code, month):
        best = None
        for member in own_codes[(code, month)]:
            rec = runs.get((member, month))
            if rec is not None:
                if best is None or rec["adult_lines"] > best[1]["adult_lines"]:
                    best = (member, rec)
        return best

    found = {(c, m): own_row(c, m) for c in acute_codes for m in months}
    by_lines = {k: bool(v is not None and v[1]["runs_community"]) for k, v in found.items()}
    # the care volume describes a month in which the trust was made of the same organisations
    # and ran the same councils' services as in the month of the count (the Isle of Wight NHS
    # Trust ran the island's until its services moved in October 2024)
    ratio = {
        (c, m): volume.get(c, np.nan)
        if own_codes[(c, m)] == then[c] and named_for[(c, m)] == named_then[c]
        else np.nan
        for c in acute_codes
        for m in months
    }
    decided = {
        k: runs_by_volume(ratio[k], by_lines[k], source, cuts[1], cuts[0], bool(named_for[k]))
        for k in by_lines
    }
    return OwnServices(
        found=found,
        ratio=ratio,
        named_for=named_for,
        by_lines=by_lines,
        runs=decided,
        # the table decides when the trust runs them only because the table names it
        by_table={
            k: decided[k] and not runs_by_volume(ratio[k], by_lines[k], source, cuts[1], cuts[0])
            for k in by_lines
        },
        # a month decided by the care volume of another month is carried, like a return
        by_volume={k: decided[k] != by_lines[k] for k in by_lines},
    )


def fallback_pools(pools: pd.DataFrame, runs: dict) -> tuple[dict, dict]:
    """Per ICB and month: the non-acute providers' split by adult lines, and the acute ones
    (those that run community services by :func:`own_services`)."""
    others: dict[tuple, list] = {}
    acute_pools: dict[tuple, list] = {}
    for icb, month, code, kind, lines in pools.itertuples(index=False):
        if kind == "acute" and not runs.get((code, month), True):
            continue  # listed lines, but too little care to count as running them
        target = acute_pools if kind == "acute" else others
        target.setdefault((icb, month), []).append((kind, code, lines))
    splits = {
        key: {(kind, code): lines / total for kind, code, lines in members}
        for key, members in others.items()
        if (total := sum(lines for _, _, lines in members)) > 0
    }
    return splits, acute_pools


def patient_split(code, month, mine, by_area, main_of, runs, splits, acute_pools):
    """Steps (b)-(d) of :func:`exposure` for one trust and month: its patients' councils
    (``mine``: council, 2022 ICB, patients) weighted by patients, each council's provider from
    the table, else its main acute trust if that runs community services, else its ICB's
    providers. Returns (shares by kind, shares by provider, the share the table decided)."""
    total = sum(p for _, _, p in mine)
    shares = dict.fromkeys(["standalone", "mental_health", "other", "none"], 0.0)
    named: dict[str, float] = {}
    from_table = 0.0
    for ltla, icb, pts in mine:
        weight = pts / total if total else 0.0
        lead = main_of.get(ltla)
        if (ltla, month) in by_area:  # the compiled table names the provider
            split = by_area[(ltla, month)]
            from_table += weight
        elif lead and lead != code and runs.get((lead, month)):
            split = {("other", lead): 1.0}
        elif (icb, month) in splits:
            split = splits[(icb, month)]
        else:
            acutes = [(m, w) for _, m, w in acute_pools.get((icb, month), []) if m != code]
            lines_sum = sum(w for _, w in acutes)
            split = (
                {("other", m): w / lines_sum for m, w in acutes}
                if lines_sum
                else {("none", ""): 1.0}
            )
        for (kind, member), w in split.items():
            shares[kind] += weight * w
            if member:
                named[member] = named.get(member, 0.0) + weight * w
    return shares, named, from_table


def own_words(decision: OwnServices, code: str, month: pd.Timestamp) -> str:
    """What the returns, the care volume and the table say of the trust's own services."""
    key = (code, month)
    found = decision.found[key]
    text = (
        found[1]["source"]
        + ("" if found[0] == code else f", as {community_returns.provider_named(found[0])}")
        if found is not None
        else "no community services return"
    )
    volume_text = (
        f"{vocabulary.fixed(decision.ratio[key])} adult community care contacts per emergency "
        f"admission in {vocabulary.month(VOLUME_MONTH)} (Community Services Data Set)"
        if not np.isnan(decision.ratio[key])
        else ""
    )
    if volume_text and decision.by_volume[key] and not decision.by_table[key]:
        text += f"; but {volume_text}, which decides"
    elif volume_text:
        text += f"; {volume_text}"
    if decision.by_table[key]:
        named = vocabulary.in_a_list(decision.named_for[key])
        text += f"; {TABLE_DECIDES} in {named}, which decides"
    return text


def shares_words(own_text: str, shares: dict, named: dict, from_table: float) -> str:
    """The evidence of a trust that does not run community services: whose services its
    patients' councils get, its three main providers and where the providers came from."""
    top = sorted(named.items(), key=lambda kv: -kv[1])[:3]
    kinds = ", ".join(
        f"{SHARE_WORDS[k]} {vocabulary.percent(shares[k])}" for k in shares if shares[k] >= 0.005
    )
    main = ", ".join(
        f"{community_returns.provider_named(m)}: {vocabulary.percent(w)}" for m, w in top
    )
    where = (
        "; each council's provider from the book's table of community providers by council"
        if from_table >= 0.995
        else f"; for councils holding {vocabulary.percent(from_table)} of its patients the "
        "provider comes from the book's table of community providers by council, for the rest "
        "from its main acute trust or the providers in its 2022 ICB"
    )
    return (
        f"does not run community services ({own_text}); its patients' community services come "
        f"from {kinds}" + (f"; main providers {main}" if top else "") + where
    )


def sitrep_months(acute_codes: list[str], od: succession.OrgData) -> dict[str, int]:
    """Months in which each trust or any of its constituents then reported community bed
    activity to the community discharge sitrep (a month counts once)."""
    activity = community_returns.load_sitrep_community_activity()
    active = activity[activity["community_activity"] > 0].groupby("code")["month"].agg(set)
    return {
        c: len(
            set().union(
                *(
                    active.get(m, set())
                    for m in community_returns.constituents(c, community_returns.SITREP_MONTH, od)
                )
            )
        )
        for c in acute_codes
    }


def sitrep_words(beds: int) -> str:
    """The sitrep's line of a trust's evidence."""
    if not beds:
        return "; no community bed activity in the community discharge sitrep"
    of = community_returns.sitrep_month_count()
    return (
        f"; the community discharge sitrep shows community bed activity in {beds} of {of} "
        f"months, {community_returns.sitrep_period()}"
    )


def exposure(
    od: succession.OrgData,
    acute_codes: list[str],
    months: list[pd.Timestamp],
    rule: str = "default",
    volume: dict[str, float] | None = None,
    source: str = "both",
    cuts: tuple[float, float] = (VOLUME_NOT, VOLUME_RUNS),
) -> pd.DataFrame:
    """Each acute trust's class per month, with the evidence.

    (a) ``own``: the trust (or a constituent, see :func:`constituents`) runs adult community
    services that month. Otherwise its patients' community services, council by council,
    weighted by where its admitted patients live: the provider the book's dated table names for
    the council that month (:func:`load_community_areas`); for a council not in the table, its
    main acute trust if that trust runs community services ((d), another provider), otherwise the
    providers based in the council's 2022 ICB that run community services (weighted by adult
    service lines), with acute trusts of the ICB only where nobody else is there. Standalone
    community trusts make (b), mental-health trusts (c), others (d); the class is the kind with
    the largest share (:func:`patient_split`).

    Whether an acute trust runs them (a) is decided by :func:`runs_by_volume` from ``volume``
    (its CSDS adult care contacts per emergency admission in ``VOLUME_MONTH``, applied to months
    in which the trust is made of the same organisations, and runs the same councils' services by
    the table, as then), its returns and the table (:func:`own_services`).
    """
    if rule not in settings.RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {tuple(settings.RULES)}")
    months = list(months)
    reg = register(od, months, settings.RULES[rule])
    patients = community_returns.patients_by_council(od)
    table = community_returns.load_community_areas(od)
    by_area = area_splits(table, sorted(set(months) | {VOLUME_MONTH}), od)
    council_names = dict(zip(table["council_code"], table["council_name"], strict=False))
    decision = own_services(
        od, reg, acute_codes, months, by_area, council_names, volume or {}, source, cuts
    )
    splits, acute_pools = fallback_pools(area_pools(reg, od), decision.runs)
    areas = {
        code: list(zip(part["ltla_code"], part["icb22_code"], part["patients"], strict=True))
        for code, part in patients.groupby("code")
    }
    main_of = main_acute_by_council(patients, acute_codes).to_dict()
    beds_months = sitrep_months(acute_codes, od)
    published = set(community_returns.return_months())  # such a month's class is not carried
    rows = []
    for code in acute_codes:
        for month in months:
            if decision.runs[(code, month)]:
                own_text = own_words(decision, code, month)
                cls, evidence = "own", f"runs community services ({own_text})"
                shares = dict.fromkeys(["standalone", "mental_health", "other", "none"], 0.0)
            else:
                shares, named, from_table = patient_split(
                    code,
                    month,
                    areas.get(code, []),
                    by_area,
                    main_of,
                    decision.runs,
                    splits,
                    acute_pools,
                )
                cls = max(["standalone", "mental_health", "other", "none"], key=shares.get)
                evidence = shares_words(own_words(decision, code, month), shares, named, from_table)
            rows.append(
                exposure_row(decision, code, month, cls, shares, published, beds_months[code])
                | {"evidence": evidence + sitrep_words(beds_months[code])}
            )
    return pd.DataFrame(rows)


def exposure_row(decision, code, month, cls, shares, published, beds) -> dict:
    """One row of :func:`exposure` but its evidence: the class, the shares, the adult lines of
    its return and whether the class comes from that month's own return (not carried)."""
    key = (code, month)
    found = decision.found[key]
    return {
        "code": code,
        "month": month,
        "cls": cls,
        "sitrep_active_months": beds,
        "share_standalone": shares["standalone"],
        "share_mental_health": shares["mental_health"],
        "share_other": shares["other"],
        "own_adult_lines": int(found[1]["adult_lines"]) if found is not None else 0,
        "from_return": month in published
        and not decision.by_table[key]
        and not (decision.by_volume[key] and month != VOLUME_MONTH)
        and (cls != "own" or found is None or found[1]["chs_month"] == month),
    }
