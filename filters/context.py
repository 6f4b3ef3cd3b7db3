"""Context that turns a match into an innocent one: reported speech and lawful escalation.

A resident quoting what was said to them ("my neighbour called me a …") is reporting abuse,
not committing it; a tenant saying they will go to the Ombudsman, their MP, the papers or a
solicitor is using their rights. Both are acceptable under every policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.normalise import Folded

_REPORTING = re.compile(
    r"\b(?:called|calling|call|calls|shouted|shouting|screamed|screaming|yelled|yelling|"
    r"said|says|saying|wrote|written|writing|sprayed|spray[- ]painted|painted|scrawled|"
    r"graffiti(?:'d|ed)?|texted|messaged|told|tells|chanted|chanting|left a note|note saying|"
    r"abused|abusing|accused|labelled|branded|names like|words like|word)\b"
)
_VICTIM = re.compile(
    r"\b(?:me|us|my|our|we|i|mum|mom|dad|son|daughter|kids?|children|wife|husband|partner|"
    r"family|neighbou?rs?|door|wall|car|van|fence|him|her)\b"
)
_QUOTE_OPEN = "\"'“‘«"
_LAWFUL = re.compile(
    r"\b(?:ombudsman|mp|m\.p\.|councillor|council(?:lor)?s?|solicitors?|lawyers?|legal|"
    r"court|courts|tribunal|regulator|rsh|press|papers|newspapers?|journalists?|bbc|itv|"
    r"media|petition|complaints? (?:process|procedure)|formal complaint|stage (?:1|2|one|two)|"
    r"environmental health|trading standards|police|citizens advice|shelter|judicial review)\b"
)
_SENTENCE_END = re.compile(r"[.!?\n]+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the folded text, as a half-open range."""

    start: int
    end: int


def sentence_at(folded: Folded, offset: int) -> Sentence:
    """The sentence (in folded-text offsets) that contains `offset`."""
    text = folded.text
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, offset):
        start = match.end()
    end_match = _SENTENCE_END.search(text, offset)
    end = end_match.start() if end_match else len(text)
    return Sentence(start, end)


def is_reported_speech(folded: Folded, start: int) -> bool:
    """Whether the words at `start` are quoted or reported as said to a victim.

    True when, earlier in the same sentence, a reporting verb ("called", "shouted", "wrote",
    "sprayed") appears near a victim ("me", "us", "my son", "our door"), or the words sit
    inside quotation marks that follow a reporting verb.
    """
    sentence = sentence_at(folded, start)
    before = folded.text[max(sentence.start, start - 80) : start]
    verbs = list(_REPORTING.finditer(before))
    if not verbs:
        return False
    verb = verbs[-1]
    window = before[max(0, verb.start() - 40) :]
    if _VICTIM.search(window):
        return True
    opened = any(q in before[verb.end() :] for q in _QUOTE_OPEN)
    return opened


# A sentence about saying or threatening something, not saying it: "Threatening to kill
# anyone is a crime", "Saying they're all thieves is racist".
_MENTION = re.compile(
    r"\s*(?:and |but |so |because |just )?(?:threatening|saying|calling|telling (?:people|someone|"
    r"anyone|everyone)|wishing|joking about|posting|writing|shouting|chanting|talking about|"
    r"accusing|describing|comparing)\b"
)


def is_mention(folded: Folded, start: int) -> bool:
    """Whether the words at `start` are talked about rather than said.

    True when their sentence opens with the act of saying them as its subject
    ("Threatening to ...", "Calling people ..."), as in counter-speech.
    """
    sentence = sentence_at(folded, start)
    return _MENTION.match(folded.text, sentence.start, start) is not None


def is_lawful_escalation(folded: Folded, start: int) -> bool:
    """Whether the sentence around `start` names a lawful route (Ombudsman, MP, court …)."""
    sentence = sentence_at(folded, start)
    return _LAWFUL.search(folded.text, sentence.start, sentence.end) is not None


def is_question(folded: Folded, start: int) -> bool:
    """Whether the sentence around `start` ends with a question mark."""
    text = folded.text
    sentence = sentence_at(folded, start)
    tail = text[sentence.end : sentence.end + 3]
    return "?" in tail
