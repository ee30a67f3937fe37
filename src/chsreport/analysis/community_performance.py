"""How community services themselves are doing: waiting lists and waits by service, England and
provider, against the 2028/29 standard; whether services run by acute trusts wait less than those
run by standalone community trusts (within the same service line); two-hour urgent community
response (by ICB: :mod:`chsreport.analysis.community_localities`).

The unit of the comparison is a provider's service line in a month (adult community nursing at
one trust, children's speech and language therapy at another). Its outcome is the share of those
waiting with a known wait who have waited more than 18 weeks; a service line with fewer than
``min_waiting`` people waiting is left out (a share of a handful is noise). Service lines differ
far more than providers (children's community paediatrics waits far longer than adult nursing),
so the model compares providers within each service line (service fixed effects), with
providers as clusters (a provider's lines share its management, staff and data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chsreport import settings, vocabulary
from chsreport.analysis import inference, integration_classes
from chsreport.data import community_returns, community_waits, ods, outcomes, succession

STANDARD = 0.80  # at least 80 % of community activity within 18 weeks by 2028/29 (S57)
STANDARD_YEAR = "2028/29"
GAP_FLOOR = 0.01  # the smallest effect when England is at or near the standard
UCR_AMBITION = 0.70  # at least 70 % of two-hour referrals reached within two hours
FORMS = tuple(vocabulary.PROVIDER_FORMS)  # a provider's form, in the chapter's order
SOURCE = "NHS England, Community Health Services waiting lists (CHS SitRep)"
COMPARED = ("acute", "standalone")  # the claim: acute-run services wait less


def provider_form(code: str, on: pd.Timestamp, od: succession.OrgData) -> str:
    """A provider's form on a date, from ODS: acute, standalone (community trust), mental_health
    (a mental-health trust, which runs community services here), other_nhs, or independent (no
    NHS trust code: community interest companies, independent providers, councils, charities)."""
    if not ods.TRUST_CODE.match(code):
        return "independent"
    kind = community_returns.provider_kind(code, on, od)
    return kind if kind in FORMS else "other_nhs"


# --------------------------------------------------------------------------- waits
def over_share(bands: pd.DataFrame, weeks: float, keys: list[str]) -> pd.DataFrame:
    """Per ``keys``: people with a known wait (the sum of the weeks bands), those waiting more
    than ``weeks``, and the share."""
    known = bands.groupby(keys)["value"].sum().rename("known")
    over = bands[bands["over_weeks"] >= weeks].groupby(keys)["value"].sum().rename("over")
    out = pd.concat([known, over], axis=1).fillna({"over": 0.0}).reset_index()
    out["share"] = out["over"] / out["known"].where(out["known"] > 0)
    return out


def provider_lines(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Every provider's service lines in ``month``: people waiting with a known wait, the share
    over 18 weeks and over 52 weeks, adult or children's, and the provider's form and name."""
    bands = community_waits.load_bands()
    bands = bands[
        (bands["month"] == month) & (bands["level"] == "provider") & (bands["code"] != "")
    ]
    if bands.empty:
        raise ValueError(f"no provider tables by weeks waited for {vocabulary.month(month)}")
    keys = ["code", "line", "adult"]
    out = over_share(bands, community_waits.STANDARD_WEEKS, keys)
    long = over_share(bands, community_waits.LONG_WEEKS, keys)
    out["share_over_52"] = long["share"].to_numpy()
    out = out.rename(columns={"share": "share_over_18", "over": "over_18"})
    forms = {c: provider_form(c, month, od) for c in out["code"].unique()}
    out["form"] = out["code"].map(forms)
    out["name"] = out["code"].map(community_returns.provider_names()).fillna(out["code"])
    return out


def national_bands_share(month: pd.Timestamp) -> pd.DataFrame:
    """England, adults and children (and each service) in ``month`` from Table 3: the waiting
    list, the share within 18 weeks and the share over 52 weeks of those with a known wait."""
    table = community_waits.load_national_bands()
    table = table[table["month"] == month]
    bands = table.dropna(subset=["over_weeks"])
    totals = table[table["over_weeks"].isna()].set_index("service")["value"].rename("waiting")
    over18 = over_share(bands, community_waits.STANDARD_WEEKS, ["service"]).set_index("service")
    over52 = over_share(bands, community_waits.LONG_WEEKS, ["service"]).set_index("service")
    out = pd.concat(
        [totals, over18["known"], (1 - over18["share"]).rename("within_18"),
         over52["share"].rename("over_52")], axis=1,
    ).reset_index(names="service")  # fmt: skip
    return out


# --------------------------------------------------------------------------- the comparison
@dataclass(frozen=True)
class Comparison:
    """The acute-against-standalone difference in the share waiting over 18 weeks, within
    service lines, with its interval, verdict and the cells it rests on."""

    interval: inference.Interval
    verdict: str
    delta: float
    cells: pd.DataFrame


def compare_forms(
    lines: pd.DataFrame,
    delta: float,
    min_waiting: int = 20,
    forms: tuple[str, str] = COMPARED,
    weighted: bool = False,
    adult: bool | None = None,
    analytic: bool = False,
) -> Comparison:
    """Share over 18 weeks of ``forms[0]``'s service lines minus ``forms[1]``'s, with service
    fixed effects and providers as clusters (wild cluster bootstrap); ``weighted`` weighs each
    line by the people waiting (the difference a patient meets, rather than a service line);
    ``adult`` keeps adult (True) or children's (False) lines only. The verdict on "services run by
    acute trusts wait less" at the smallest effect ``delta`` (a share, e.g. 0.04)."""
    cells = lines[lines["form"].isin(forms) & (lines["known"] >= min_waiting)]
    cells = cells.dropna(subset=["share_over_18"])
    if adult is not None:
        cells = cells[cells["adult"] == adult]
    # a service line seen at one form only says nothing about the difference
    both = cells.groupby("line")["form"].nunique()
    cells = cells[cells["line"].isin(both[both == 2].index)].reset_index(drop=True)
    if cells["code"].nunique() < 4 or cells.empty:
        raise ValueError("too few providers to compare")
    lines_dummies = pd.get_dummies(cells["line"], drop_first=True, dtype=float)
    X = np.column_stack(
        [np.ones(len(cells)), (cells["form"] == forms[0]).to_numpy(float), lines_dummies]
    )
    y = cells["share_over_18"].to_numpy(float)
    if weighted:
        w = np.sqrt(cells["known"].to_numpy(float) / cells["known"].mean())
        X, y = X * w[:, None], y * w
    clusters = cells["code"].to_numpy()
    interval = (
        inference.cluster_robust(y, X, clusters, 1)
        if analytic
        else inference.wild_cluster_bootstrap(y, X, clusters, 1, seed=settings.SEED)
    )
    return Comparison(interval, inference.verdict(interval, delta, "lower"), delta, cells)


NATIONAL_ROWS = {"all": "England", "adults": "Adult services", "children": "CYP services"}


def standard_gap(england: pd.DataFrame, population: str = "all") -> float:
    """England's distance to the standard for the lines compared (all, adults' or children's):
    80 % minus their share within 18 weeks (the smallest effect of the comparison: a difference
    by form smaller than the country's gap to the standard would not by itself decide whether
    an area meets it), at least :data:`GAP_FLOOR`."""
    within = float(england.set_index("service").loc[NATIONAL_ROWS[population], "within_18"])
    return max(STANDARD - within, GAP_FLOOR)


def ucr_by_form(od: succession.OrgData) -> pd.DataFrame:
    """Two-hour urgent community response, 2024-25, per provider with its form (March 2025):
    the average monthly share reached within two hours, and whether it meets the 70 % ambition."""
    ucr = community_waits.load_ucr()
    providers = ucr[ucr["level"] == "provider"].dropna(subset=["within_2h"]).copy()
    on = pd.Timestamp("2025-03-01")
    providers["form"] = [provider_form(c, on, od) for c in providers["code"]]
    providers["meets"] = providers["within_2h"] >= UCR_AMBITION
    # the returns' names, as every other table gives them (the file's own are recased: "Hcrg")
    names = community_returns.provider_names()
    providers["name"] = providers["code"].map(names).fillna(providers["name"])
    return providers


def non_submission(month: pd.Timestamp) -> pd.DataFrame:
    """England's organisations in scope that did not submit, per month up to ``month`` (the
    returns' own Table 1, each month from the latest workbook that gives it)."""
    table = community_waits.load_non_submission()
    table = table[(table["level"] == "England") & (table["month"] <= month)]
    return table[["month", "not_submitted", "in_scope"]].sort_values("month").reset_index(drop=True)


def previous_month(month: pd.Timestamp) -> pd.Timestamp | None:
    """The month of the provider tables held before ``month`` (None for the first)."""
    months = community_returns.return_months()
    earlier = [m for m in months if m < month]
    return max(earlier) if earlier else None


def missing_providers(month: pd.Timestamp) -> pd.DataFrame:
    """Providers in the previous provider tables held (:func:`previous_month`) that are absent
    from ``month``'s (the returns name no non-submitters; this lists who dropped out), with their
    names."""
    previous = previous_month(month)
    if previous is None:
        return pd.DataFrame(columns=["code", "name"])
    by_month = community_returns.provider_months().groupby("month")["code"].agg(set)
    gone = sorted(by_month.get(previous, set()) - by_month.get(month, set()))
    names = community_returns.provider_names()
    return pd.DataFrame({"code": gone, "name": [names.get(c, c) for c in gone]})


# --------------------------------------------------------------------------- the chapter
def robustness(
    lines: pd.DataFrame,
    pooled: pd.DataFrame,
    delta: float,
    min_waiting: int,
    others: dict | None = None,
):
    """The comparison under other choices: weighted by people waiting, adults' or children's
    lines only, a higher floor of people waiting, every month held from the year before pooled
    (providers as clusters), and from ``others``: only the acute trusts the integration chapter
    classes as running community services (``register``), and the previous month held
    (``previous``: its lines and month). One row each: estimate, 95 % interval, verdict."""
    others = others or {}
    specs = {
        "Primary: each service line counts once": dict(frame=lines),
        "Weighted by the people waiting": dict(frame=lines, weighted=True),
        **(
            {
                "Adults' service lines only": dict(frame=lines, adult=True),
                "Children's service lines only": dict(frame=lines, adult=False),
            }
            if lines["adult"].nunique() == 2
            else {}
        ),
        f"Lines with at least {min_waiting * 5} people waiting": dict(
            frame=lines, min_waiting=min_waiting * 5
        ),
        "Each line's average over the months held in the year to this month": dict(frame=pooled),
        "Analytic cluster-robust interval (CR1) instead of the bootstrap": dict(
            frame=lines, analytic=True
        ),
    }
    if others.get("register") is not None:
        name = (
            "Only the acute trusts the integration chapter classes as running adult community "
            "services (most months of its period), all their lines"
        )
        specs[name] = dict(frame=others["register"])
    if others.get("previous") is not None:
        frame, month = others["previous"]
        specs[f"The previous month held ({vocabulary.month(month)})"] = dict(frame=frame)
    rows = []
    for name, spec in specs.items():
        frame = spec.pop("frame")
        spec.setdefault("min_waiting", min_waiting)
        try:
            result = compare_forms(frame, delta, **spec)
        except ValueError:  # too few providers under this choice
            rows.append({"specification": name, "verdict": "not estimable", "providers": 0})
            continue
        i = result.interval
        rows.append(
            {
                "specification": name,
                "estimate": i.estimate,
                "low95": i.low95,
                "high95": i.high95,
                "providers": i.clusters,
                "service_lines": i.observations,
                "verdict": result.verdict,
            }
        )
    return pd.DataFrame(rows)


MARGINS = (0.02, 0.03, 0.05, 0.075, 0.10)  # other smallest effects (shares) the table tries


def margin_verdicts(result: Comparison) -> pd.DataFrame:
    """The verdict at each smallest effect in :data:`MARGINS` and the chosen one: the interval
    stays the same, only the margin moves."""
    margins = sorted({*MARGINS, result.delta})
    return pd.DataFrame(
        {
            "smallest_effect_points": [m * 100 for m in margins],
            "verdict": [inference.verdict(result.interval, m, "lower") for m in margins],
            "chosen": [m == result.delta for m in margins],
        }
    )


@dataclass
class Chapter:
    """What the community services chapter shows, computed once from its parameters."""

    p: dict
    month: pd.Timestamp
    england: pd.DataFrame
    lines: pd.DataFrame
    gap: float
    primary: Comparison
    robust: pd.DataFrame
    ucr: pd.DataFrame
    ucr_england: float
    od: succession.OrgData


def pooled_lines(month: pd.Timestamp, od: succession.OrgData) -> pd.DataFrame:
    """Each provider's service line averaged over the months held in the twelve months to
    ``month`` (one row per line, so a line seen in ten months does not count ten times): the
    mean share over 18 weeks and mean people waiting; the form as in ``month``, else its last."""
    held = [
        m
        for m in community_returns.return_months()
        if month - pd.DateOffset(months=12) < m <= month
    ]
    frames = pd.concat([provider_lines(m, od).assign(month=m) for m in held], ignore_index=True)
    frames = frames.sort_values("month")
    return frames.groupby(["code", "line", "adult"], as_index=False).agg(
        known=("known", "mean"),
        share_over_18=("share_over_18", "mean"),
        form=("form", "last"),
        name=("name", "last"),
    )


def chosen_lines(lines: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The service lines the parameters compare: adults', children's or all (``population``),
    and only ``service_lines`` when given."""
    if p["population"] != "all":
        lines = lines[lines["adult"] == (p["population"] == "adults")]
    if p["service_lines"]:
        lines = lines[lines["line"].isin(p["service_lines"])]
    return lines.reset_index(drop=True)


def running_acute_trusts(od: succession.OrgData) -> set[str]:
    """Acute trusts the integration chapter classes as running community services themselves
    (their usual class, default rule, over its period)."""
    panel = outcomes.outcome_panel(od)
    groups = integration_classes.classify(od, integration_classes.acute_trust_codes(panel))
    return set(groups.loc[groups["group"] == "acute_runs_community", "code"])


def chapter(p: dict) -> Chapter:
    """The chapter's :class:`Chapter` for validated parameters ``p``."""
    od = succession.load_org_data()
    month = pd.Timestamp(f"{p['month']}-01")
    england = national_bands_share(month)
    lines = chosen_lines(provider_lines(month, od), p)
    gap = standard_gap(england, p["population"])
    delta = p["smallest_effect"] if p["smallest_effect"] is not None else gap
    primary = compare_forms(lines, delta, p["min_waiting"])
    previous = previous_month(month)
    others = {
        "register": lines[
            (lines["form"] != "acute") | lines["code"].isin(running_acute_trusts(od))
        ],
        "previous": (chosen_lines(provider_lines(previous, od), p), previous)
        if previous is not None
        else None,
    }
    robust = robustness(
        lines, chosen_lines(pooled_lines(month, od), p), delta, p["min_waiting"], others
    )
    ucr = community_waits.load_ucr()
    ucr_england = float(ucr.loc[ucr["level"] == "england", "within_2h"].iloc[0])
    return Chapter(p, month, england, lines, gap, primary, robust, ucr_by_form(od), ucr_england, od)
