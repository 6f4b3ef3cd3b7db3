"""The regex helpers the filters are built from: same matches, found faster."""

import re

import pytest

from filters.normalise import fold
from filters.patterns import at_word_start, trie
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
    alternation = "(?:" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)) + ")"
    plain = re.compile(r"\b" + alternation + r"\b")
    tree = re.compile(r"\b" + trie(WORDS) + r"\b")
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]


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


@pytest.mark.parametrize("text", ["he's a fool", "you fool", "fools", "these  fools", "x1 fool"])
def test_rewritten_rules_find_the_same_matches(text):
    for body in (r"(?:you|he) (?:idiot|fool)", r"(?:is|are|'s|'re) a fool", r"(?:the )?fools?"):
        slow = re.compile(rf"\b(?P<hit>{body})")
        fast = re.compile(at_word_start(f"(?P<hit>{body})"))
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]


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
