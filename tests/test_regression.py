"""Regression values: numbers, names and codes the real data give today, copied from a run.

These tests do not judge whether a value is right: the tests beside each module do that, from
rules, small fixtures and invariants. They say when a value *changed*, so that a change nobody
meant is seen. Each value is worked out by one function below, registered under a readable key;
the expected values live in ``regression_values.json`` beside this file (a float with its
absolute tolerance).

After a deliberate change to the data or a method, recompute every value, review the printed
differences (old -> new) and rewrite the file::

    .venv/bin/python -m tests.test_regression            # print what changed, write nothing
    .venv/bin/python -m tests.test_regression --refresh  # print what changed and rewrite the file
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from chsreport.analysis import (
    integration_checks,
    integration_classes,
    params,
    population_layers,
    scale,
)
from chsreport.data import geography, manifest, outcomes, pcn_lists, succession
from chsreport.reading import claims, locality

VALUES_FILE = Path(__file__).with_name("regression_values.json")
REFRESH = ".venv/bin/python -m tests.test_regression --refresh"
ABOUT = (
    "Expected values of tests/test_regression.py, copied from a run on the real data. Written by "
    f"`{REFRESH}`; refresh only after a deliberate data or method change, reviewing the diff."
)


@dataclass(frozen=True)
class Value:
    key: str
    guards: str  # what the value is, and so what a change in it means
    compute: Callable[[], object]
    tolerance: float | None = None  # absolute; floats only


VALUES: dict[str, Value] = {}


def value(key: str, guards: str, tolerance: float | None = None):
    """Register the decorated function as the way to work out the value stored under ``key``."""

    def register(compute: Callable[[], object]) -> Callable[[], object]:
        if key in VALUES:
            raise ValueError(f"regression value {key!r} is registered twice")
        VALUES[key] = Value(key, guards, compute, tolerance)
        return compute

    return register


def _plain(obj):
    """The value as JSON holds it: numpy numbers as Python numbers, tuples and sets as lists."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, set | frozenset):
        return sorted(_plain(v) for v in obj)
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "item"):  # a numpy scalar
        return obj.item()
    return obj


def _search(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text``; an error (never a stored null) when absent."""
    found = re.search(pattern, text)
    if found is None:
        raise AssertionError(f"no match for {pattern!r} in: {text[:300]}...")
    return found.group(1)


# --- shared, slow inputs (worked out once per process) ---------------------------------------


@functools.cache
def _acute() -> tuple:
    od = succession.load_org_data()
    panel = outcomes.outcome_panel(od)
    return od, integration_classes.acute_trust_codes(panel)


@functools.cache
def _qe1_briefing() -> str:
    """The opening of Lancashire and South Cumbria's locality page, as one string."""
    profile = scale.icb_profile("QE1", params.validate("scale", {}), 2024)
    org = locality.community_organisation("QE1")
    return " ".join(locality.briefing("QE1", profile, org, locality.acute_flow("QE1")))


@functools.cache
def _c08() -> claims.Result:
    return claims.c08_standalone_count()


# --- ICBs (from test_locality.py, test_geography.py, test_integration.py) --------------------


@value("icbs_2026_count", "how many current (2026) ICBs get a locality page")
def _icbs_2026_count():
    return len(locality.localities())


@value("icbs_2022_count", "how many 2022 ICBs the 2022 data are shared out from")
def _icbs_2022_count():
    return len(geography.icb_populations_2022())


@value("icbs_2026_formed_by_merger", "how many 2026 ICBs were formed from more than one 2022 ICB")
def _icbs_merged():
    mergers = geography.icb_mergers_2026()
    return mergers.loc[mergers["merged"], "icb_code"].nunique()


@value(
    "lsoas_placed_by_boundary",
    "how many small areas of the split Frimley sub-ICB location are placed by the ICB boundary",
)
def _lsoas_placed_by_boundary():
    return int(geography.lsoas_placed_by_boundary()["lsoas"].sum())


# --- locality pages (from test_locality.py, test_build.py) -----------------------------------


@value(
    "qyg_serving_trusts",
    "Cheshire and Merseyside's serving trusts: those based there and acute trusts drawing >= 10%",
)
def _qyg_serving_trusts():
    return set(locality.serving_trusts("QYG")["code"])


@value(
    "qyg_community_trust_fates",
    "Cheshire and Merseyside's standalone community trusts since 2011 and each one's fate "
    "(the locality page's and the consolidation chapter's for icb=QYG)",
)
def _qyg_fates():
    fates = locality.community_organisation("QYG")["fates"]
    return dict(zip(fates["code"], fates["fate_label"], strict=True))


@value("qe1_acute_flow_trusts", "the acute trusts Lancashire and South Cumbria's page compares")
def _qe1_flow():
    return set(locality.acute_flow("QE1")["code"])


@value(
    "qe1_briefing_blackpool_class_and_rank",
    "Blackpool Teaching Hospitals' class and rank on delays in the briefing for Lancashire and "
    "South Cumbria",
)
def _qe1_blackpool():
    pattern = r"Blackpool Teaching Hospitals NHS Foundation Trust, (class \(\w\), \d+\w\w)"
    return _search(pattern, _qe1_briefing())


@value(
    "qe1_briefing_smallest_pcn",
    "Lancashire and South Cumbria's smallest PCN, its list and its rank in England (briefing)",
)
def _qe1_smallest_pcn():
    return _search(r"PCNs, from (.+? \([\d,]+ patients; [^)]+\))", _qe1_briefing())


@value("qe1_briefing_size_rank", "Lancashire and South Cumbria's size rank among ICBs (briefing)")
def _qe1_size_rank():
    return _search(r"registered patients, (.+? of England's \d+ ICBs)", _qe1_briefing())


@value(
    "qe1_briefing_acute_trusts_running_community",
    "how many of Lancashire and South Cumbria's acute trusts run community services (briefing)",
)
def _qe1_running():
    return _search(r"(Of the \d+ acute trusts serving it .+?, \d+ ran community services)",
                   _qe1_briefing())  # fmt: skip


# --- the claims register (from test_claims.py) ------------------------------------------------


@value("claim_C08_value", "claim C08: standalone community trusts at the latest date")
def _c08_value():
    return _c08().value


@value("claim_C08_verdict", "claim C08's verdict (21 standalone community trusts)")
def _c08_verdict():
    return _c08().verdict


@value("claim_C11_verdict", "claim C11's verdict (small district councils)")
def _c11_verdict():
    return claims.c11_small_districts().verdict


# --- populations of every layer (from test_geography.py) -------------------------------------


@value("list_sizes_2026_entries_by_type", "entries of the August 2026 list sizes, by kind")
def _list_sizes_by_type():
    return geography.load_list_sizes_2026()["org_type"].value_counts().to_dict()


@value("list_sizes_2026_england_patients", "England's registered patients (ICBs summed), 2026")
def _england_patients():
    sizes = geography.load_list_sizes_2026()
    return int(sizes.loc[sizes["org_type"] == "ICB", "patients"].sum())


@value("mye_2024_england_population", "England's resident population, mid-2024 estimates")
def _england_population():
    return int(geography.load_mye_2024().set_index("gss_code").loc["E92000001", "population_2024"])


@value("mye_2024_lower_tier_areas", "lower-tier local authorities in the mid-2024 estimates")
def _lower_tier_areas():
    mye = geography.load_mye_2024()
    return int(mye["gss_code"].str.match(r"^E0[6-9]").sum())


@value("councils_by_tier", "England's councils by tier (district, single tier, county)")
def _councils_by_tier():
    return geography.councils()["tier"].value_counts().to_dict()


@value(
    "pcns_spanning_icbs",
    "PCN codes whose practices lie in more than one ICB (the pseudo-code U included)",
)
def _pcns_spanning_icbs():
    pm = geography.load_practice_map_2026()
    spans = pm.groupby("pcn_code")["icb_code"].nunique()
    return set(spans[spans > 1].index)


@value("pcn_entries_excluded", "entries of the PCN list left out of every PCN figure")
def _pcn_entries_excluded():
    return list(pcn_lists.excluded_pcns()["pcn_code"])


@value("barnsley_pcn_patients", "Barnsley PCN's (U16464) registered patients, 2026")
def _barnsley():
    return int(pcn_lists.pcn_populations().set_index("pcn_code").loc["U16464", "patients"])


@value("districts_under_100k_2024", "district councils under 100,000 residents, mid-2024")
def _districts_100k_2024():
    return population_layers.share_of_districts_below(100_000, 2024)["count"]


@value("districts_under_100k_2020", "district councils under 100,000 residents, mid-2020")
def _districts_100k_2020():
    return population_layers.share_of_districts_below(100_000, 2020)["count"]


@value("districts_under_50k_2024", "district councils under 50,000 residents, mid-2024")
def _districts_50k_2024():
    return population_layers.share_of_districts_below(50_000, 2024)["count"]


@value("smallest_district_2024", "England's smallest district council, mid-2024")
def _smallest_district():
    return population_layers.smallest_district(2024)["name"]


@value(
    "share_of_residents_without_district_2024",
    "share of England's residents with no district council, mid-2024",
    tolerance=1e-6,
)
def _share_without_district():
    return population_layers.share_population_without_district(2024)["share"]


@value("pcn_median_patients", "the median PCN's registered patients, 2026", tolerance=0.5)
def _pcn_median():
    return pcn_lists.pcn_band_summary(30_000, 70_000)["median"]


# --- integration (from test_integration.py) --------------------------------------------------


@value(
    "acute_trusts_reclassified_from_beds_only_rule",
    "acute trusts whose class differs from the first edition's beds-only rule",
)
def _class_changes():
    od, acute = _acute()
    return set(integration_classes.class_changes(od, acute)["code"])


@value(
    "community_trust_transfers",
    "community trusts moved to an acute or mental-health trust (from -> to, month)",
)
def _transfers():
    events = integration_checks.transfer_events(_acute()[0])
    return [f"{r.community_trust} -> {r.to} ({r.date:%Y-%m})" for r in events.itertuples()]


# --- the stored values, the comparison and the tests ------------------------------------------


def stored() -> dict[str, dict]:
    if not VALUES_FILE.exists():
        return {}
    return json.loads(VALUES_FILE.read_text(encoding="utf-8"))["values"]


def matches(entry: dict, new) -> bool:
    """Whether ``new`` is the stored value: equal, or for a float within the stored tolerance."""
    old = entry["value"]
    tolerance = entry.get("abs_tolerance")
    if tolerance is not None and isinstance(new, int | float) and isinstance(old, int | float):
        return math.isclose(new, old, rel_tol=0.0, abs_tol=tolerance)
    return new == old


def compute(spec: Value):
    return _plain(spec.compute())


def test_every_value_is_stored_and_every_stored_value_is_worked_out():
    """regression_values.json holds exactly the registered values: none missing, none left
    over from a value no longer registered."""
    assert set(stored()) == set(VALUES), f"refresh with: {REFRESH}"


@pytest.mark.parametrize("key", list(VALUES))
def test_regression_value_unchanged(key):
    """The value registered under ``key`` is still the one stored (see its `guards`)."""
    spec, entries = VALUES[key], stored()
    assert key in entries, f"{key} is not stored yet; refresh with: {REFRESH}"
    new = compute(spec)
    assert matches(entries[key], new), (
        f"{key} ({spec.guards}) changed: stored {entries[key]['value']!r}, now {new!r}. If the "
        f"change is deliberate (data or method), refresh and review the diff: {REFRESH}"
    )


# --- the refresh command ----------------------------------------------------------------------


def _entry(spec: Value, new) -> dict:
    entry = {"value": new}
    if spec.tolerance is not None:
        entry["abs_tolerance"] = spec.tolerance
    entry["guards"] = spec.guards
    return entry


def _dump(entries: dict[str, dict]) -> str:
    """The values file: one block per value, each value itself on one line."""
    blocks = []
    for key, entry in entries.items():
        fields = ",\n".join(
            f"      {json.dumps(name)}: {json.dumps(field, ensure_ascii=False)}"
            for name, field in entry.items()
        )
        blocks.append(f"    {json.dumps(key)}: {{\n{fields}\n    }}")
    body = ",\n".join(blocks)
    return f'{{\n  "about": {json.dumps(ABOUT)},\n  "values": {{\n{body}\n  }}\n}}\n'


def _change(old, new) -> str:
    line = f"{old!r} -> {new!r}"
    if isinstance(old, list) and isinstance(new, list):
        added, removed = [v for v in new if v not in old], [v for v in old if v not in new]
        line += f"\n    added: {added}; removed: {removed}"
    elif isinstance(old, dict) and isinstance(new, dict):
        moved = {k: (old.get(k), new.get(k)) for k in old.keys() | new.keys()}
        line += "\n    " + "; ".join(
            f"{k}: {a!r} -> {b!r}" for k, (a, b) in sorted(moved.items()) if a != b
        )
    return line


def refresh(write: bool, out=print) -> int:
    """Work out every value again and print each one that changed (old -> new); write the file
    when ``write``. A float within its tolerance keeps its stored value. Returns how many values
    changed (added and removed ones included)."""
    old = stored()
    entries, changed = {}, 0
    for key, spec in VALUES.items():
        new = compute(spec)
        if key in old and matches(old[key], new):
            entries[key] = _entry(spec, old[key]["value"])
            continue
        changed += 1
        out(f"{key}: " + (_change(old[key]["value"], new) if key in old else f"(new) {new!r}"))
        entries[key] = _entry(spec, new)
    for key in old.keys() - VALUES.keys():
        changed += 1
        out(f"{key}: {old[key]['value']!r} -> (no longer registered; dropped)")
    unchanged = len(VALUES) - changed + len(old.keys() - VALUES.keys())
    out(f"{changed} changed, {unchanged} unchanged")
    if write:
        VALUES_FILE.write_text(_dump(entries), encoding="utf-8")
        out(f"wrote {VALUES_FILE}")
    elif changed:
        out(f"nothing written; to accept these values: {REFRESH}")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.test_regression",
        description="Recompute the regression values and print what changed (old -> new).",
    )
    parser.add_argument(
        "--refresh", action="store_true", help=f"also rewrite {VALUES_FILE.name} with them"
    )
    args = parser.parse_args(argv)
    # as in the tests (conftest.py): a private parse cache, no network
    with tempfile.TemporaryDirectory(prefix="chs-regression-") as cache:
        os.environ[manifest.CACHE_DIR_ENV] = cache
        os.environ[manifest.OFFLINE_ENV] = "1"
        changed = refresh(write=args.refresh)
    return 0 if args.refresh or not changed else 1


if __name__ == "__main__":
    sys.exit(main())
