"""The regex helpers the filters are built from: same matches, found faster."""

import re

import pytest

from filters.base import Category
from filters.normalise import fold
from filters.patterns import PatternRule, anchored, at_word_start, prefix_gate, trie, words
from filters.service_issue import service_issues

WORDS = ["idiot", "idiots", "id", "fool", "waste of space", "waste", "f*ck", "yes-men"]
SAMPLES = [
    "you idiots",
    "a waste of space",
    "id card",
    "fool!",
    "idiotic",
    "wastes",
    "what the f*ck",
    "nodding yes-men",
    "the idiot's car",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_trie_matches_what_the_alternation_matches(text):
    plain = re.compile(r"\b" + words(*map(re.escape, WORDS)) + r"\b")
    tree = re.compile(r"\b" + trie(WORDS) + r"\b")
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_prefix_gate_finds_word_beginnings_and_optional_apostrophes():
    gate = prefix_gate("kill|won'?t|set fire")
    assert gate.search("killing it") and gate.search("i wont") and gate.search("i won't")
    assert gate.search("they set fire to it")
    assert not gate.search("skill") and not gate.search("upset fire")
    with pytest.raises(ValueError):
        prefix_gate("kill(s)?")


@pytest.mark.parametrize(
    ("body", "fast"),
    [
        (r"(?:you|he) (?:idiot|fool)", True),
        (r"(?:is|are|'s|'re) a fool", False),  # may start with an apostrophe
        (r"(?:these )?\s*fools", False),  # may start with a space
        (r"\d+ high street", True),
        (r"(?:the )?fools?", True),
    ],
)
def test_look_behind_only_where_every_match_starts_a_word(body, fast):
    assert at_word_start(body).startswith(r"(?<!\w)") is fast
    rule = PatternRule("r", Category.ABUSE, re.compile(rf"\b(?P<hit>{body})"), 0.5)
    assert rule.pattern.pattern.startswith(r"(?<!\w)") is fast


@pytest.mark.parametrize("text", ["he's a fool", "you fool", "fools", "these  fools", "x1 fool"])
def test_rewritten_rules_find_the_same_matches(text):
    for body in (r"(?:you|he) (?:idiot|fool)", r"(?:is|are|'s|'re) a fool", r"(?:the )?fools?"):
        slow = re.compile(rf"\b(?P<hit>{body})")
        fast = anchored(slow)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]


def test_a_rule_needing_words_skips_texts_without_them():
    rule = PatternRule(
        "r", Category.THREAT, re.compile(r"\b(?P<hit>kill you)"), 0.9, needs=prefix_gate("kill")
    )
    assert [f.rule for f in rule.findings(fold("I will kill you"))] == ["threat:r"]
    assert list(rule.findings(fold("I will visit you"))) == []


def test_non_ascii_text_folds_with_offsets_intact():
    text = "Ｙｏｕ 😀 ÀBC Straße"
    folded = fold(text)
    assert folded.text.startswith("you 😀 abc stra")
    start = folded.text.index("abc")
    assert folded.excerpt(start, start + 3) == "ÀBC"


def test_service_topics_still_found_after_the_quick_check():
    topics = {i.topic: i.evidence for i in service_issues(fold("The LEAKING boiler, complaints"))}
    assert topics == {"repairs": "LEAKING", "complaint": "complaints"}
    assert service_issues(fold("lovely weather today")) == []
