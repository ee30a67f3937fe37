import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from chsreport import vocabulary


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "TORBAY AND SOUTHERN DEVON HEALTH AND CARE NHS TRUST",
            "Torbay and Southern Devon Health and Care NHS Trust",
        ),
        (
            "KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST",
            "King's College Hospital NHS Foundation Trust",
        ),
        ("NHS SOUTH YORKSHIRE ICB", "NHS South Yorkshire ICB"),
        ("THE ROYAL WOLVERHAMPTON NHS TRUST", "The Royal Wolverhampton NHS Trust"),
        ("HERTFORDSHIRE COMMUNITY NHS TRUST - HQ", "Hertfordshire Community NHS Trust - HQ"),
        ("Bristol NHS Foundation Trust", "Bristol NHS Foundation Trust"),
    ],
)
def test_org_names_in_title_case_keep_acronyms(raw, expected):
    assert vocabulary.org_name(raw) == expected


def test_formats():
    frame = pd.DataFrame(
        {
            "population": [1234567.0, None],
            "p_holm": [0.0004, 0.04321],
            "median_opex_m": [65.6231, 5.0],
            "estimate": [-5883.34, 12.0],
            "small": [0.4231, 1.5],
            "date": pd.to_datetime(["2022-04-01", "2025-08-01"]),
            "cross_border": [True, False],
        }
    )
    out = vocabulary.for_readers(frame)
    assert list(out["Registered patients (2021)"]) == ["1,234,567", "–"]
    assert list(out["p-value, Holm-adjusted"]) == ["<0.001", "0.043"]
    assert list(out["Median operating cost (£m)"]) == ["£65.6", "£5.0"]
    assert list(out["Difference"]) == ["−5,883", "12"]
    assert list(out["Small"]) == ["0.42", "1.50"]
    assert list(out["Date"]) == ["Apr 2022", "Aug 2025"]
    assert list(out["Crosses an ICB border"]) == ["Yes", "No"]
    assert vocabulary.period("2022-04-01", "2025-08-31") == "Apr 2022 to Aug 2025"


def test_no_label_is_a_code_name_and_collisions_fail():
    assert not any(vocabulary.looks_like_code(x) for x in vocabulary.COLUMN_LABELS.values())
    assert vocabulary.label("some_new_column") == "Some new column"
    with pytest.raises(ValueError, match="both be labelled"):
        vocabulary.for_readers(pd.DataFrame({"group": [1], "group_label": ["x"]}))


def test_an_estimate_and_its_interval_read_as_one_column():
    frame = pd.DataFrame(
        {"outcome": ["x"], "estimate": [-1.234], "low95": [-3.25], "high95": [1.19], "trusts": [9]}
    )
    out = vocabulary.for_readers(frame)
    assert list(out.columns) == ["Measure", "Difference (95% interval)", "Trusts"]
    assert out.iloc[0, 1] == "−1.23 (−3.25 to +1.19)"
    assert vocabulary.numeric_columns(frame) == [False, False, True]


def test_short_names_for_chart_axes():
    assert vocabulary.short_org_name("BRIDGEWATER COMMUNITY HEALTHCARE NHS FOUNDATION TRUST") == (
        "Bridgewater Community Healthcare"
    )
    long = vocabulary.short_org_name("Derbyshire Community Health Services NHS Foundation Trust")
    assert long == "Derbyshire Community Health Services" or long.endswith("…")
    assert len(long) <= 34


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RY9", "RY9"),
        ("R1A", "R1A"),
        ("BRENT WEST KWH PCN", "Brent West KWH PCN"),
        ("SS9 NORTH PCN", "SS9 North PCN"),
        ("SWB I3 PCN", "SWB I3 PCN"),
        ("FCP SERVICE - BARNSLEY PCN", "FCP Service - Barnsley PCN"),
    ],
)
def test_codes_and_initials_stay_in_capitals(raw, expected):
    assert vocabulary.org_name(raw) == expected


def test_lists_in_words():
    assert vocabulary.in_a_list(["Hart"]) == "Hart"
    assert vocabulary.in_a_list(["Hart", "Rushmoor"]) == "Hart and Rushmoor"
    assert vocabulary.in_a_list(["a", "b", "c"]) == "a, b and c"
    with pytest.raises(ValueError):
        vocabulary.in_a_list([])


def test_plurals_and_units():
    assert vocabulary.plural(1, "acute trust") == "1 acute trust"
    assert vocabulary.plural(1200, "PCN") == "1,200 PCNs"
    assert vocabulary.with_unit(1, "trusts") == "1 trust"
    assert vocabulary.with_unit(1, "places of 3") == "1 place of 3"
    assert vocabulary.with_unit(2, "places of 3") == "2 places of 3"
    assert vocabulary.with_unit(50.5, "%") == "50.5 %"
    assert vocabulary.org_name("AFFINITY (BNSSG) PCN") == "Affinity (BNSSG) PCN"
    assert vocabulary.org_name("TASC PCN") == "TASC PCN"


def test_icb_short_names():
    assert (
        vocabulary.icb_short_name("NHS Lancashire and South Cumbria Integrated Care Board")
        == "Lancashire and South Cumbria"
    )
    assert vocabulary.icb_short_name("Somerset") == "Somerset"


def test_months_in_words_only_for_month_periods():
    assert vocabulary.months_in_words("2022-04 to 2025-08") == "Apr 2022 to Aug 2025"
    assert vocabulary.months_in_words("2026-08") == "Aug 2026"
    for kept in ("2013-14", "2011-12", "mid-2024", "2024 to July 2026", ""):
        assert vocabulary.months_in_words(kept) == kept


def test_names_keep_saint_and_the_places_own_spelling():
    assert vocabulary.org_name("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST") == (
        "Guy's and St Thomas' NHS Foundation Trust"
    )
    assert "King's Lynn" in vocabulary.org_name(
        "THE QUEEN ELIZABETH HOSPITAL, KINGS LYNN, NHS TRUST"
    )


def test_month_long_and_count_words():
    assert vocabulary.month_long("2026-08-01") == "August 2026"
    assert vocabulary.count_words(3) == "three" and vocabulary.count_words(12) == "12"


# --------------------------------------------------------------------------- one vocabulary
PACKAGE = Path(vocabulary.__file__).parent
NOTEBOOKS = PACKAGE.parents[1] / "notebooks"
# The build's progress log is for whoever runs it, not a reader's page: its timings may be
# formatted where they are logged.
LOG_MODULES = {"publishing/build.py", "publishing/execution.py", "publishing/buildlog.py"}
_PERCENT_FORMAT = re.compile(r"%[-+ 0#]*\d*(?:\.\d+)?[sdifgeEx]")


def _sources():
    """(where, code) for each package module but the vocabulary, and each notebook's code."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel != "vocabulary.py" and rel not in LOG_MODULES:
            yield rel, path.read_text(encoding="utf-8")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        yield f"notebooks/{path.name}", code


def typed_formats(code: str) -> list[int]:
    """Lines of ``code`` that format a number or date themselves: a format spec in an f-string
    (``{x:+.2f}``, ``{x:,}``, ``{d:%Y}``, nested or not), a ``strftime`` or ``format`` call, a
    ``.format`` method (called or passed), or ``%`` formatting. Read from the syntax tree, so
    it sees the same on every Python version."""
    lines = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in {"strftime", "format"}:
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "format":
            lines.append(node.lineno)
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
            and _PERCENT_FORMAT.search(node.left.value)
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def _strings(code: str):
    """The string constants of ``code`` that are not docstrings, with their line numbers."""
    tree = ast.parse(code)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


def test_numbers_and_dates_are_formatted_only_by_the_vocabulary():
    typed = [
        f"{where}:{line}: {code.splitlines()[line - 1].strip()[:70]}"
        for where, code in _sources()
        for line in typed_formats(code)
        if "_KERNEL_RESET" not in code.splitlines()[line - 1]  # a code template, not a number
    ]
    assert not typed, "format numbers and dates with chsreport.vocabulary:\n" + "\n".join(typed)


@pytest.mark.parametrize(
    "code",
    ['f"{x:+.2f}"', 'f"{x:,} people"', "f'{d:%Y}'", 'f"{s:.0%}"', 'f"{v:g}"', 'f"{x:.2}"',
     'f"{x:>8}"', "f\"{r[f'population_{y}']:,.0f}\"", '"%.1f" % x', 'd.strftime("%Y")',
     'v.map("{:.1f}".format)', 'format(x, ",")'],
)  # fmt: skip
def test_the_check_finds_each_form_of_a_typed_format(code):
    assert typed_formats(code) == [1]


@pytest.mark.parametrize("code", ['f"{x}"', 'f"{a[1:]}"', 'f"{{cite:t}}"', 'f"{x!r}"', '"50%"'])
def test_the_check_leaves_plain_text_and_placeholders_alone(code):
    assert typed_formats(code) == []


def test_class_labels_and_licence_words_are_typed_only_in_the_vocabulary():
    words = [vocabulary.class_label(g) for g in vocabulary.CLASSES if vocabulary.class_letter(g)]
    words += [v for v in vocabulary.BEDS_ONLY_CLASSES.values() if v.startswith("(")]
    words += list(vocabulary.COMPARISON_LABELS.values())
    words += ["Open Government Licence", "Crown copyright"]
    typed = [
        f"{where}:{line}: {text[:60]}"
        for where, code in _sources()
        for line, text in _strings(code)
        for word in words
        if word.lower() in text.lower()
    ]
    assert not typed, "use chsreport.vocabulary's words:\n" + "\n".join(typed)


def test_a_trusts_short_name_is_kept_whole_where_it_would_name_a_place():
    assert vocabulary.trust_name("Blackpool Teaching Hospitals NHS Foundation Trust") == (
        "Blackpool Teaching Hospitals"
    )
    assert vocabulary.trust_name("Mersey Care NHS Foundation Trust") == "Mersey Care"
    # "Somerset" or "West London" alone would read as the place, not the trust
    assert vocabulary.trust_name("Somerset NHS Foundation Trust") == "Somerset NHS Foundation Trust"
    assert vocabulary.trust_name("WEST LONDON NHS TRUST") == "West London NHS Trust"
