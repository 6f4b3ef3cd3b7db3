"""Parity mode: better-profanity 0.7.0's verdicts, exactly, from one compiled pass."""

import pytest
from better_profanity import Profanity

from filters.parity import ParityProfanity

# Ordinary text, and the corners of better-profanity's word-by-word algorithm: words joined
# across separators ("fu ck"), a last one-letter word its look-ahead never sees ("fuc k"),
# multi-word list entries, its own character variants, symbols it does not treat as letters.
SAMPLE = [
    "",
    "a",
    " x",
    "hello there, the boiler is broken again",
    "this is shit",
    "SHIT.",
    "fu ck this",
    "fuc k",
    "fuc k.",
    "pen is mightier",
    "2 girls 1 cup",
    "2 girls  1 cup",
    "sh!t happens",
    "this is sh!t",
    "s.h.i.t. ok",
    "f-u-c-k you",
    "son-of-a-bitch",
    "@$$hole",
    "a$$ and b1tch",
    "$h1t",
    "ｆｕｃｋ",
    "fuc\u212a you",
    "Scunthorpe and cocktails",
    "assess the class",
    "I'm pissed off",
    "what the f*ck",
    "b*llocks",
    "l3i+ch yes",
    "mo-fo",
    "we had a gay old time",
    "Moby Dick",
]


@pytest.fixture(scope="module")
def both() -> tuple[Profanity, ParityProfanity]:
    return Profanity(), ParityProfanity()


@pytest.mark.parametrize("text", SAMPLE)
def test_parity_verdict_equals_better_profanity(both, text):
    reference, parity = both
    assert parity.contains_profanity(text) == reference.contains_profanity(text)


def test_parity_flags_and_clears_what_better_profanity_does(both):
    _, parity = both
    assert parity.contains_profanity("fu ck this")  # joined across a space
    assert not parity.contains_profanity("fuc k")  # the last one-letter word is never joined
    assert parity.contains_profanity("we had a gay old time")  # its list, not ours
    assert not parity.contains_profanity("Scunthorpe")


def test_parity_gives_spans(both):
    _, parity = both
    # Where better-profanity censors ("you ****, I said **** ok"), with offsets.
    text = "you twat, I said 2 girls 1 cup ok"
    spans = [text[s.start : s.end] for s in parity.spans(text)]
    assert spans == ["twat", "2 girls 1 cup"]
    [finding] = parity.findings("oh shit")
    assert finding.rule == "profanity:better-profanity-parity" and finding.evidence == "shit"


def test_parity_uses_better_profanity_word_list(both):
    reference, parity = both
    assert set(parity.words) == {str(w) for w in reference.CENSOR_WORDSET}
    assert parity.max_combinations == reference.MAX_NUMBER_COMBINATIONS
