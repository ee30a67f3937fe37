"""The key findings page: computed from the claims register, with the same numbers."""

from __future__ import annotations

import pytest

from chsreport import claims, data, findings


@pytest.fixture(scope="module")
def register():
    return claims.evaluate()


def test_five_to_eight_findings_across_the_three_questions(register):
    items = findings.key_findings(register)
    assert 5 <= len(items) <= 8
    assert {f.question for f in items} == {"Consolidation", "Scale", "Integration"}
    # every finding that tests a published claim links to it; "is big best?" answers the
    # book's own question (article 002 asks it, nobody claims an answer), so it links to none
    assert sum(bool(item.claims) for item in items) >= len(items) - 1
    for item in items:
        assert set(item.claims) <= set(register["claim_id"])
        assert item.claims or item.text.startswith("Is big best?")
        chapter = data.PROJECT_ROOT / "notebooks" / f"{item.chapter.split('/')[-1]}.ipynb"
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
