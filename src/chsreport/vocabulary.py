"""One vocabulary for every page: column labels, number formats, organisation names and periods.

Every table the book shows goes through ``for_readers`` (``charts.Table`` calls it), so a column
has the same label and the same format on every page: counts with thousands separators, shares as
%, money in £, p-values to three decimals, booleans as "Yes"/"No", dates as "Apr 2022", missing
values as "–", and NHS organisation names in title case with "NHS", "ICB" and other acronyms
kept.  The CSV download beside each table keeps the raw values.
"""

from __future__ import annotations

import re

import pandas as pd

MISSING = "–"

# ------------------------------------------------------------------ licence and attribution
CONTENT_LICENCE = "Text, tables and charts: Open Government Licence v3.0"
LICENCE = (
    f"{CONTENT_LICENCE}; code: MIT. Contains public sector information licensed under the Open "
    "Government Licence v3.0."
)
BOUNDARY_ATTRIBUTION = (  # the wording ONS asks for, on every map and wherever maps are printed
    "Boundaries: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2026"
)

# code names -> the words a reader sees; one entry per concept, used by every chapter
COLUMN_LABELS: dict[str, str] = {
    # organisations and places
    "code": "ODS code",
    "org_code": "ODS code",
    "gss_code": "ONS code",
    "pcn_code": "PCN code",
    "sub_icb_code": "Sub-ICB code",
    "icb_code": "ICB code",
    "icb22_code": "ICB code (2022)",
    "county_code": "County",
    "name": "Name",
    "org_name": "Trust",
    "pcn_name": "PCN",
    "icb_name": "ICB",
    "acute_trust": "Acute trust",
    "community_trust": "Community trust",
    "successor": "Successor",
    "type": "Type",
    "type_label": "Type",
    "kind": "Kind of trust",
    "tier": "Council tier",
    "layer": "Layer",
    "rural_urban": "Rural or urban",
    "rurality": "Rural or urban",
    "headquartered_here": "Headquartered in this ICB",
    "cross_border": "Crosses an ICB border",
    "took_in_since_2011": "Took in since 2011",
    # sizes
    "population": "Registered patients (2021)",
    "population_2024": "Residents (mid-2024)",
    "patients": "Registered patients",
    "count": "Number",
    "trusts": "Trusts",
    "icbs": "ICBs",
    "min": "Smallest",
    "max": "Largest",
    "median": "Median",
    "median_beds": "Median beds",
    "median_opex_m": "Median operating cost (£m)",
    "median_cost_per_bed": "Median cost per bed (£)",
    "median_cost_per_patient": "Median cost per patient (£)",
    "median_estate_cost_per_m2": "Median estate cost per m² (£)",
    "smallest district": "Smallest district",
    "districts under 100k": "Districts under 100,000",
    "districts under 50k": "Districts under 50,000",
    "population with no district council": "Residents with no district council",
    "population year": "Population year",
    "share_in_icb": "Share of its area in this ICB",
    "share_of_patients_from_icb": "Share of its patients from this ICB",
    "share_in_a": "Patients whose acute trust runs community services",
    # time
    "date": "Date",
    "fate_date": "Fate date",
    "opened": "Opened",
    "closed": "Closed",
    "open_date": "Opened",
    "close_date": "Closed",
    "period": "Period",
    "months": "Months",
    "months_in_file": "Months in the file",
    "months_reported": "Months reported",
    "months_in_group": "Months in this class",
    "last_group_label": "Class in the last month",
    "usual_class": "Usual class (most months)",
    "margin_share": "Smallest effect (share of the comparison average)",
    "margin": "Smallest effect (in the outcome's unit)",
    "smallest_effect": "Smallest effect that would matter",
    # classes and fates
    "group": "Class",
    "group_label": "Class",
    "fate_label": "Fate",
    "group_stage": "Group stages",
    "shared_leaders": "Shared leaders",
    "stages": "Stages",
    "organisations": "Organisations",
    "stage_form": "Form",
    "from": "From",
    "until": "Until",
    "source_site": "Source",
    "source_date": "Source dated",
    "evidence": "Evidence",
    "beds_only_rule": "Class under the earlier beds-only rule",
    "returns_rule": "Class from the providers' returns",
    "from_class": "Class before",
    "to_class": "Class after",
    "to": "Moved to",
    # measures and statistics
    "measure": "Measure",
    "outcome": "Measure",
    "outcome_label": "Outcome",
    "comparison_label": "Compared with",
    "series": "Outcome series",
    "better": "Better when",
    "value": "Value",
    "group_mean": "Mean of its class",
    "group_interval": "95% interval of the class mean",
    "england_median": "England median",
    "rank_of_all": "Rank in England (1 = best)",
    "estimate": "Difference",
    "estimate_interval": "Difference (95% interval)",
    "difference": "Difference",
    "low95": "95% low",
    "high95": "95% high",
    "p_value": "p-value",
    "p_holm": "p-value, Holm-adjusted",
    "p_bh": "p-value, Benjamini-Hochberg-adjusted",
    "verdict": "Verdict",
    "change": "Change, less the year before",
    "placebo_median": "Median change, other trusts",
    "analysable": "Six months either side in the data",
    "slope": "Difference, all against none (per 100,000)",
    "acute_per_100k": "In acute beds, per 100,000",
    "community_per_100k": "In community beds, per 100,000",
    "whole_system_per_100k": "Acute and community, per 100,000",
    # data provenance
    "input": "Input",
    "description": "What it holds",
    "file": "File",
    "publisher": "Publisher",
    "licence": "Licence",
    "sha256": "SHA-256 (first 12)",
    # community services (chapter 4)
    "service": "Service",
    "line": "Service line",
    "form": "Provider's form",
    "waiting": "People waiting",
    "known": "People waiting (known wait)",
    "within_18": "Within 18 weeks",
    "over_52": "Over 52 weeks",
    "share_over_18": "Over 18 weeks",
    "share_over_52": "Over 52 weeks",
    "median_over_18": "Median service line: over 18 weeks",
    "adult_waiting_per_100k": "Adults waiting per 100,000 adults",
    "adult_over_18": "Adults over 18 weeks",
    "children_over_18": "Children over 18 weeks",
    "ucr_within_2h": "Urgent response within 2 hours",
    "within_2h": "Within 2 hours (2024-25)",
    "adult_contacts_per_1000": "Adult care contacts per 1,000 adults",
    "beds_per_100k_65": "Community beds per 100,000 aged 65+",
    "not_submitted": "Did not submit",
    "in_scope": "Organisations in scope",
    "smallest_effect_points": "Smallest effect (percentage points)",
    "service_lines": "Service lines",
    "providers": "Providers",
    "meets": "At or above 70%",
    "referrals": "Referrals",
    "provider": "Provider",
    "how": "How it serves here",
    "adult_known": "Adults waiting (known wait)",
    "children_known": "Children waiting (known wait)",
}

# a community provider's form (chapter 4): key -> (one, several)
PROVIDER_FORMS = {
    "acute": ("acute trust", "acute trusts"),
    "standalone": ("standalone community trust", "standalone community trusts"),
    "mental_health": ("mental-health and community trust", "mental-health and community trusts"),
    "other_nhs": ("other NHS trust", "other NHS trusts"),
    "independent": (
        "other provider (community interest company, independent, council or charity)",
        "other providers (community interest companies, independent providers, councils and "
        "charities)",
    ),
}

# a provider's form where a sentence names many providers
PROVIDER_FORM_SHORT = {"independent": "not an NHS trust"}

# columns shown as a share (0.42 -> 42%)
PERCENT_COLUMNS = {
    "share_in_icb", "share_of_patients_from_icb", "share_in_a", "margin_share", "within_18",
    "over_52", "share_over_18", "share_over_52", "adult_over_18", "children_over_18",
    "ucr_within_2h", "within_2h", "median_over_18",
}  # fmt: skip
# columns in pounds
MONEY_COLUMNS = {"median_cost_per_bed", "median_cost_per_patient", "median_estate_cost_per_m2",
                 "median_opex_m"}  # fmt: skip
# columns holding an organisation's name (upper-case ODS names are title-cased)
NAME_COLUMNS = {"name", "org_name", "successor", "acute_trust", "community_trust", "to",
                "pcn_name", "icb_name"}  # fmt: skip
# words kept as written (upper case) in organisation names
ACRONYMS = {
    "NHS", "ICB", "CCG", "PCN", "GP", "GPS", "CIC", "LLP", "UK", "HQ", "II", "III", "IV", "PLC",
    "TASC", "LTD", "CHS", "A&E", "BMI", "OPD", "ENT", "PCT", "MSK", "SW", "NW", "NE", "SE", "HCT",
    "CNWL", "ELFT", "NELFT", "BCHC", "EPUT", "LPT", "NCIC",
}  # fmt: skip
SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "at", "by", "with", "to", "upon", "&"}

_CODE = re.compile(r"^(?:(?=[A-Z]*\d)[A-Z0-9]{3,5}|[A-Z]{3})$")
_NO_VOWEL = re.compile(r"^[B-DF-HJ-NP-TV-XZ]{2,6}$")  # KWH, SWB, FCP: initials, not words
_SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
_WORD = re.compile(r"[A-Za-z&][A-Za-z0-9'&]*")


def label(column: str) -> str:
    """The reader's label for a column: the vocabulary's word, else the name made readable."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if _SNAKE.match(column) or re.fullmatch(r"[a-z][a-z0-9]*", column):
        return column.replace("_", " ").capitalize()
    return column


def looks_like_code(header: str) -> bool:
    """True for a header that is a code name (snake_case), which no reader table may show."""
    return bool(_SNAKE.match(header.strip()))


def org_name(name) -> str:
    """An ODS name as a reader writes it: "TORBAY AND SOUTHERN DEVON HEALTH AND CARE NHS TRUST"
    becomes "Torbay and Southern Devon Health and Care NHS Trust". Names already in mixed case
    are left as they are."""
    if not isinstance(name, str) or not name:
        return MISSING if name is None or (isinstance(name, float) and pd.isna(name)) else name
    if _CODE.match(name.strip()):
        return name  # an ODS code, not a name
    letters = [c for c in name if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return name
    position = 0

    def word(match: re.Match) -> str:
        nonlocal position
        text = match.group(0)
        first = position == 0
        position += 1
        if text.upper() in WORD_CASE:
            return WORD_CASE[text.upper()]
        if text.upper() in ACRONYMS or _NO_VOWEL.match(text) or any(c.isdigit() for c in text):
            return text.upper()
        lower = text.lower()
        if lower in SMALL_WORDS and not first:
            return lower
        return lower[:1].upper() + lower[1:]

    named = _WORD.sub(word, name)
    for wrong, right in NAME_SPELLINGS.items():
        named = named.replace(wrong, right)
    return named


WORD_CASE = {
    "ST": "St",
    "LTD": "Ltd",
}  # words with no vowel that are not initials ("Guy's and St Thomas'")
NAME_SPELLINGS = {"Kings Lynn": "King's Lynn"}  # as the place and its council spell it


_TRUST_SUFFIX = re.compile(r"\s+NHS\s+(?:Foundation\s+)?Trust$", re.IGNORECASE)


def icb_short_name(name: str) -> str:
    """ "NHS Lancashire and South Cumbria Integrated Care Board" as "Lancashire and South
    Cumbria": the form every chart, table and sentence uses."""
    return name.removeprefix("NHS ").removesuffix(" Integrated Care Board")


def short_org_name(name, limit: int = 34) -> str:
    """A short label for a chart axis: the name without "NHS (Foundation) Trust", cut at
    ``limit`` characters with an ellipsis (the full name goes in the tooltip and the CSV)."""
    short = _TRUST_SUFFIX.sub("", org_name(name))
    return short if len(short) <= limit else short[: limit - 1].rstrip() + "…"


# words that make a trust's short name an organisation's, not a place's ("Somerset" alone)
ORGANISATION_WORDS = {"hospital", "hospitals", "healthcare", "health", "care", "partnership",
                      "community", "services", "university", "teaching", "children's", "heart",
                      "chest", "cancer", "clinic", "ambulance", "mental", "foundation"}  # fmt: skip


def trust_name(name) -> str:
    """A trust's name in a list that says its kind: without "NHS (Foundation) Trust" where the
    rest still names an organisation, else whole."""
    short = _TRUST_SUFFIX.sub("", org_name(name))
    words = {w.casefold() for w in re.findall(r"[\w']+", short)}
    return short if words & ORGANISATION_WORDS else org_name(name)


def in_a_list(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    words = list(words)
    if not words:
        raise ValueError("nothing to list")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def plural(n: int, noun: str) -> str:
    """ "1 acute trust", "4 acute trusts" (the noun given in the singular)."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def with_unit(value: float, unit: str) -> str:
    """A value and its unit, the unit's first word made singular for exactly 1: "1 trust",
    "1 place of 3", "2 trusts"."""
    first, _, rest = unit.partition(" ")
    if value == 1 and first.endswith("s") and not first.endswith("ss") and first != "ICBs":
        first = first[:-1]
    elif value == 1 and first == "ICBs":
        first = "ICB"
    return f"{value:,.10g} {' '.join(x for x in (first, rest) if x)}".strip()


def month(value) -> str:
    """A month as readers write it: "Apr 2022"."""
    if value is None or pd.isna(value):
        return MISSING
    return pd.Timestamp(value).strftime("%b %Y")


def month_long(value) -> str:
    """A month in full, as prose writes it: "August 2026"."""
    return pd.Timestamp(value).strftime("%B %Y")


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count_words(n: int) -> str:
    """A small count in words, as prose writes it ("four"); 10 and over in figures."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def months_in_words(period: str) -> str:
    """A period given as "2022-04 to 2025-08" or "2026-08" in words ("Apr 2022 to Aug 2025");
    any other text (a financial year such as "2013-14", "mid-2024") unchanged."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])( to \d{4}-(0[1-9]|1[0-2]))?", period or ""):
        return period
    if " to " not in period and int(period[2:4]) + 1 == int(period[5:]):
        return period  # "2011-12" alone reads as a financial year, not December 2011
    return " to ".join(month(f"{part}-01") for part in period.split(" to "))


def period(start, end) -> str:
    """A period in words: "Apr 2022 to Aug 2025" (the same form on every page)."""
    return f"{month(start)} to {month(end)}"


# --------------------------------------------------------------------------- numbers in prose
# Every number a sentence shows is formatted here, so a figure reads the same on every page
# (tables format theirs with ``format_column``).
def signed(value: float, decimals: int = 2) -> str:
    """A difference with its sign: "+0.64", "-1.04"."""
    return f"{value:+.{decimals}f}"


def fixed(value: float, decimals: int = 1) -> str:
    """A measured value to a fixed number of decimals: "12.3"."""
    return f"{value:.{decimals}f}"


def whole(value: float) -> str:
    """A count or a population, rounded, with thousands separators: "1,234,567"."""
    return f"{value:,.0f}"


def percent(value: float, decimals: int = 0, sign: bool = False) -> str:
    """A share as a percentage: 0.315 -> "32%" (or "31.5%" with one decimal; "+32%" with
    ``sign``, for a change)."""
    return f"{value:{'+' if sign else ''}.{decimals}%}"


def general(value: float) -> str:
    """A threshold as its rule states it, without trailing zeros: 0.5 -> "0.5", 3.0 -> "3"."""
    return f"{value:g}"


def people(value: float) -> str:
    """A population: "1.23 million" from a million up, else "456,789"."""
    return f"{value / 1e6:.2f} million" if value >= 1e6 else whole(value)


def date_long(value) -> str:
    """A date in full: "1 April 2026"; blank when there is none."""
    if pd.isna(value):
        return ""
    day = pd.Timestamp(value)
    return f"{day.day} {day.strftime('%B %Y')}"  # %-d is not on every platform


def year(value) -> str:
    """The year of a date: "2024"."""
    return pd.Timestamp(value).strftime("%Y")


def iso_month(value) -> str:
    """A month as parameters write it: "2025-10"."""
    return pd.Timestamp(value).strftime("%Y-%m")


def iso_date(value) -> str:
    """A date as data files write it: "2026-04-01"."""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _number(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}".replace("-", "−")


def _decimals_for(values: pd.Series) -> int:
    """Whole numbers for counts and large values, 1 decimal from 10 up, 2 below."""
    finite = values.dropna()
    if finite.empty:
        return 0
    if (finite == finite.round()).all():
        return 0
    typical = finite.abs().median()
    return 0 if typical >= 100 else 1 if typical >= 10 else 2


def format_column(name: str, values: pd.Series) -> pd.Series:
    """One column as the text a reader sees."""
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "Yes", False: "No"}).fillna(MISSING).astype(object)
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.dropna().dt.day
        fmt = "%b %Y" if (days == 1).all() else "%d %b %Y"
        return values.map(
            lambda v: MISSING if pd.isna(v) else v.strftime(fmt).removeprefix("0")
        ).astype(object)
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype(float)
        if name in PERCENT_COLUMNS:
            return numbers.map(lambda v: MISSING if pd.isna(v) else f"{v:.0%}").astype(object)
        if name.startswith("p_"):
            return numbers.map(
                lambda v: MISSING if pd.isna(v) else "<0.001" if v < 0.001 else f"{v:.3f}"
            ).astype(object)
        if name in MONEY_COLUMNS:
            d = 1 if name.endswith("_m") else 0
            return numbers.map(lambda v: MISSING if pd.isna(v) else "£" + _number(v, d)).astype(
                object
            )
        if name == "sha256":
            return values.astype(object)
        d = _decimals_for(numbers)
        return numbers.map(lambda v: MISSING if pd.isna(v) else _number(v, d)).astype(object)
    text = values.astype(object)
    if name == "sha256":
        return text.map(lambda v: MISSING if pd.isna(v) else str(v)[:12])
    if name in {"type", "type_label"}:
        text = text.map(lambda v: TYPE_LABELS.get(v, v))
    if name in NAME_COLUMNS:
        text = text.map(org_name)
    return text.map(lambda v: MISSING if v is None or (isinstance(v, float) and pd.isna(v)) else v)


INTERVAL = ("estimate", "low95", "high95")


def _with_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """An estimate and its 95% limits become one column: "−1.23 (−3.25 to +1.19)"."""
    if not set(INTERVAL) <= set(frame.columns):
        return frame
    numbers = frame[list(INTERVAL)].astype(float)
    d = max(1, _decimals_for(numbers.stack()))

    def text(e, lo, hi):
        if pd.isna(e):
            return MISSING
        signed = [f"{v:+,.{d}f}".replace("-", "−") for v in (e, lo, hi)]
        return f"{signed[0]} ({signed[1]} to {signed[2]})"

    joined = [text(*row) for row in numbers.itertuples(index=False)]
    at = list(frame.columns).index("estimate")
    out = frame.drop(columns=list(INTERVAL))
    out.insert(at, "estimate_interval", joined)
    return out


CODE_COLUMNS = ("code", "org_code", "pcn_code", "icb_code", "sub_icb_code")
_NAME_OF_CODE = {"code": "name", "org_code": "org_name", "pcn_code": "pcn_name",
                 "icb_code": "icb_name"}  # fmt: skip


def names_first(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each organisation's name moved just before its code, so a reader meets a
    name first and the code after it."""
    columns = list(frame.columns)
    for code, name in _NAME_OF_CODE.items():
        if code in columns and name in columns and columns.index(name) > columns.index(code):
            columns.remove(name)
            columns.insert(columns.index(code), name)
    return frame[columns]


def for_readers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` as text for a reader's table: names before codes, labelled columns,
    formatted values, and an estimate with its 95% limits in one column."""
    frame = names_first(_with_intervals(frame))
    labels = [label(str(c)) for c in frame.columns]
    repeated = sorted({x for x in labels if labels.count(x) > 1})
    if repeated:
        raise ValueError(
            f"two columns would both be labelled {repeated}: show only one of "
            f"{[c for c in frame.columns if label(str(c)) in repeated]}"
        )
    columns = {
        x: format_column(str(c), frame[c]) for x, c in zip(labels, frame.columns, strict=True)
    }
    return pd.DataFrame(columns, index=frame.index).reset_index(drop=True)


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """Which columns hold numbers (right-aligned in the table)."""
    frame = names_first(_with_intervals(frame))
    return [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]


# ---------------------------------------------------------------------------------------------
# Organisation types (one vocabulary for the whole book; charts colour by these keys)
# ---------------------------------------------------------------------------------------------
TYPE_LABELS: dict[str, str] = {
    "acute": "Acute",
    "acute_community": "Acute, merged with a community trust",
    "acute_specialist": "Acute specialist",
    "community": "Community",
    "mental_health": "Mental health",
    "mental_health_community": "Mental health, merged with a community trust",
    "ambulance": "Ambulance",
    "care_trust": "Care trust",
    "other": "Other",
    "unknown": "Type unknown",
}


# Group models (chapter 1): arrangements short of a merger, in the words tables and sentences use
GROUP_KINDS: dict[str, str] = {
    "shared_chair": "a shared chair",
    "joint_chief_executive": "a joint chief executive",
    "interim_chief_executive": "an interim chief executive shared",
    "shared_executive_team": "a shared executive team",
    "group": "a group board and executive team",
    "board_in_common": "a board in common",
    "exploring": "talks about becoming one organisation",
}


def when(day, precision: str) -> str:
    """A date to the precision its source gives: "2024", "April 2024" or "1 April 2024"."""
    if precision == "year":
        return year(day)
    if precision == "month":
        return month_long(day)
    return date_long(day)


# --------------------------------------------------------------------------- classes of acute trust
# Who provides an acute trust's patients' community services (chapter 3): each class's letter,
# its label in tables and charts, and its words in a sentence ("an acute trust that ...").
CLASSES: dict[str, tuple[str, str, str]] = {
    "acute_runs_community": ("(a)", "Runs community services itself",
                             "runs community services itself"),
    "standalone_community": ("(b)", "Standalone community trust",
                             "beside a standalone community trust"),
    "mh_runs_community": ("(c)", "Mental-health trust",
                          "community services mainly from a mental-health trust"),
    "other_provider": ("(d)", "Another provider",
                       "community services mainly from another provider"),
    "unplaced": ("", "Unplaced", "no community provider placed"),
}  # fmt: skip
BEDS_ONLY_CLASSES = {  # the earlier rule's labels, kept so readers can compare
    "acute_runs_community": "(a) Acute trust runs community services (beds rule)",
    "standalone_community": "(b) Standalone community trust in the area",
    "mh_runs_community": "(c) Mental-health trust runs community services",
    "unplaced": "Unplaced",
}
COMPARISON_LABELS = {
    "carter": "(a) against every other acute trust",
    "a_vs_b": "(a) against (b) only",
}


def class_letter(group: str) -> str:
    """A class's letter: "(a)"; blank for trusts with no class."""
    return CLASSES[group][0]


def class_label(group: str) -> str:
    """A class as tables and charts label it: "(a) Runs community services itself"."""
    letter, label, _ = CLASSES[group]
    return f"{letter} {label}".strip()


def class_words(group: str) -> str:
    """A class in a sentence, with its letter: "(b) beside a standalone community trust"."""
    letter, _, words = CLASSES[group]
    return f"{letter} {words}".strip()
