"""The key findings page: computed from the claims register, with the same numbers."""

from __future__ import annotations

import pytest

from chsreport.analysis import integration_models
from chsreport.data import manifest
from chsreport.reading import claims, findings


@pytest.fixture(scope="module")
def register():
    return claims.evaluate()


def test_five_to_nine_findings_across_the_four_questions(register):
    items = findings.key_findings(register)
    assert 5 <= len(items) <= 9
    assert {f.question for f in items} == set(findings.QUESTIONS) == {
        "Consolidation", "Scale", "Integration", "Community"}  # fmt: skip
    # every finding that tests a published claim links to it; "is big best?" answers the
    # book's own question (article 002 asks it, nobody claims an answer), so it links to none
    assert sum(bool(item.claims) for item in items) >= len(items) - 1
    for item in items:
        assert set(item.claims) <= set(register["claim_id"])
        assert item.claims or item.text.startswith("Is big best?")
        chapter = manifest.PROJECT_ROOT / "notebooks" / f"{item.chapter.split('/')[-1]}.ipynb"
        assert chapter.exists(), item.chapter


def test_findings_state_the_registers_numbers(register):
    text = findings.page(findings.key_findings(register))
    by_id = register.set_index("claim_id")
    assert f"{by_id.loc['C07', 'value']:.1f}%" in text
    assert f"{by_id.loc['C11', 'value']:.1f}%" in text
    assert f"{by_id.loc['C04', 'value']:.1f}%" in text
    assert f"**{by_id.loc['C06', 'verdict']}**" in text
    assert f"{abs(by_id.loc['C06', 'value']):.2f} " in text
    assert "seed" not in text.lower()


def test_share_words():
    assert findings._share_words(50.5) == "about half"
    assert findings._share_words(33.0) == "about a third"
    assert findings._share_words(41.0) == "41%"


def test_the_page_answers_the_three_questions_in_order_then_groups_the_findings(register):
    text = findings.page(findings.key_findings(register), findings.answers(register))
    heads = [text.index(f"## {q}") for q in findings.QUESTIONS]
    assert text.index("## The four questions, answered") < heads[0]
    assert heads == sorted(heads)
    for question in findings.QUESTIONS:  # each short answer asked in order
        assert f"**{question}:" in text.split("## Consolidation")[0]
    items = findings.key_findings(register)
    assert [f.question for f in items] == sorted(
        (f.question for f in items), key=list(findings.QUESTIONS).index
    )
    for item in items:  # a finding links to its own question's chapter
        assert item.chapter.endswith(item.question.lower())
    assert "ready-made" not in text and "still big enough" not in text
    assert "Eight" not in text


@pytest.mark.parametrize(
    ("to_acute", "total", "lead"),
    [(7, 40, "Mostly not by takeover"), (20, 40, "Mostly by takeover"), (21, 40, "Mostly by")],
)
def test_consolidation_answer_follows_the_count(to_acute, total, lead):
    assert findings.consolidation_answer(to_acute, total, 10).startswith(lead)


def test_consolidation_answer_counts_groups_among_the_trusts_still_open():
    alone = findings.consolidation_answer(3, 20, 11)
    assert alone.endswith("and 11 are still open.")
    grouped = findings.consolidation_answer(3, 20, 7, 4)
    assert grouped.endswith(
        "and 11 are still open, 4 of them sharing their leaders with another trust short of a "
        "merger."
    )


def test_pcn_meaning_follows_the_share():
    assert findings.pcn_meaning(80.7).startswith("Most primary care networks already")
    assert findings.pcn_meaning(49.9).startswith("Most primary care networks fall outside")


def test_district_sentence_says_none_under_50k_only_when_true():
    assert "none has fewer than 50,000" in findings.district_sentence(30.0, 50_000, 60.0)
    text = findings.district_sentence(30.0, 41_234, 60.0)
    assert "the smallest has 41,234" in text and "none" not in text


@pytest.mark.parametrize(
    "verdict", ["supported", "contradicted", "no meaningful difference", "inconclusive"]
)
def test_integration_answer_has_a_sentence_for_each_verdict(verdict):
    assert findings.integration_answer(verdict)
    shaky = findings.integration_answer(verdict, firm=False)
    assert shaky.startswith("Borderline:") and verdict in shaky


@pytest.mark.parametrize(
    ("low", "high", "said"),
    [
        (-3.25, 1.19, "being worse by more than 1.19."),
        (-1.0, 1.19, "being worse by more than 1.19 or better by more than 1.00."),
        (-3.25, 3.0, "neither a gain nor a harm"),
        (0.5, 1.0, "being worse by more than 1.00 or better at all."),
        (-2.0, -0.5, "being worse at all or better by more than 2.00."),
    ],
)
def test_what_the_interval_rules_out(low, high, said):
    head = {"smallest_effect": 2.65, "low95": low, "high95": high, "better": "lower"}
    assert said in integration_models.ruled_out(head)


@pytest.mark.parametrize(
    ("verdict", "low", "high", "said"),
    [("supported", -5.38, -1.09, "may be too small to matter"),
     ("supported", -5.38, -3.0, "does not include zero; with"),
     ("contradicted", 1.2, 4.0, "may be too small"),
     ("inconclusive", -5.0, 0.3, "verdict is inconclusive; with"),
     ("no meaningful difference", -1.0, 1.0, "verdict is no meaningful difference; with")],
)  # fmt: skip
def test_the_comparison_with_standalone_trusts_is_reported_whatever_it_shows(
    verdict, low, high, said
):
    b = {"verdict": verdict, "class_sizes": {"standalone_community": 18}, "low95": low,
         "high95": high, "smallest_effect": 2.77}  # fmt: skip
    text = findings.standalone_meaning(b, {"verdict": "inconclusive"})
    assert said in text and "18 acute trusts" in text and "loose rule" in text
    assert "a lead to follow up, not a verdict" in text
    shown = findings.integration_meaning(
        _carter("no meaningful difference"), "inconclusive", b, {"verdict": "inconclusive"}
    )
    assert shown.endswith(text) and "But" in shown


def _carter(verdict, low90=-2.53, high90=0.86, margin=2.70, mean=27.0):
    return {"verdict": verdict, "low90": low90, "high90": high90, "smallest_effect": margin,
            "reference_mean": mean}  # fmt: skip


def test_the_meaning_of_the_verdict_says_how_firm_it_is():
    firm = findings.integration_meaning(_carter("inconclusive", -4.0, 3.9), "inconclusive")
    assert firm.startswith("The data cannot say") and "But" not in firm
    close = findings.integration_meaning(_carter("no meaningful difference"), "inconclusive")
    assert "close to its margin (it would read" in close and "9.4%" in close
    assert "reads inconclusive when running community services is measured by the providers'" in (
        close
    )
    assert "does not show that who runs community services makes no difference" in close
    apart = findings.integration_meaning(
        _carter("no meaningful difference", -1.0, 1.0), "no meaningful difference"
    )
    assert "But" not in apart and "within the smallest difference" in apart
