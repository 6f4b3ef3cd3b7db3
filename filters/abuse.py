"""Abuse: insulting, derogatory or patronising remarks aimed at people.

An insult only counts when it is aimed at someone: "you useless idiot", "Dawn is a clown",
"overpaid idiots in that office". Anger at the service ("an absolute joke", "not fit for
purpose", "useless repairs service") is acceptable and never matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from bot.domain import Category, Finding
from filters.context import is_reported_speech
from filters.normalise import Folded
from filters.patterns import PatternRule, staff_name_patterns, words
from filters.wordmatch import read_word_file

_PEOPLE = words(
    r"staff",
    r"officers?",
    r"housing officers?",
    r"managers?",
    r"management team",
    r"contractors?",
    r"workmen",
    r"workers",
    r"caretakers?",
    r"directors?",
    r"ceo",
    r"chief executive",
    r"people (?:in|at) (?:that|the|your) office",
    r"you lot",
    r"the lot of you",
    r"all of you",
    r"the pair of you",
    r"they",
    r"he",
    r"she",
    r"you",
    r"ya",
    r"u",
    r"this (?:woman|man|guy|bloke|lady|fella)",
    r"that (?:woman|man|guy|bloke|lady|fella)",
    r"your (?:staff|team|officer|manager)",
)
ADJECTIVES = frozenset(
    {
        "useless",
        "incompetent",
        "clueless",
        "pathetic",
        "spineless",
        "thick",
        "brain dead",
        "braindead",
    }
)
_INTENS = (
    r"(?:(?:a|an|all|such a|such an|the|some|total|absolute|utter|complete|proper|right|"
    r"bloody|fucking|effing|massive|useless|overpaid|lazy|stupid|bunch of|load of|pack of|"
    r"shower of|set of|lot of|gang of|lying|thieving|two[- ]faced|jumped[- ]up|stuck[- ]up|"
    r"arrogant|rude|ignorant|nasty|vile|horrible|disgusting|smug|fat|ugly|little|old)\s+){0,4}"
)


class AbuseFilter:
    """Insults aimed at a person: second person, staff words, or a protected staff name."""

    name: ClassVar[str] = "abuse"

    def __init__(self, insults: Iterable[str], staff_names: Iterable[str] = ()) -> None:
        insults = {i.lower() for i in insults}
        insult = words(*(re.escape(w) for w in insults))
        # Adjectives ("useless", "pathetic") describe services as often as people: they only
        # count with a person named or addressed, never on their own.
        noun = words(*(re.escape(w) for w in insults - ADJECTIVES))
        names, first_names = staff_name_patterns(staff_names)
        people = _PEOPLE
        if names or first_names:
            people = words(_PEOPLE, *names, *first_names)
        be = r"(?:\s*(?:'re|'s|'m)|\s+(?:are|is|was|were|be|being|r|been))?"
        self.rules = (
            PatternRule(
                "insult-aimed",
                Category.ABUSE,
                re.compile(rf"\b(?P<hit>{people}{be}\s+{_INTENS}{insult})\b"),
                0.85,
                (_reported,),
            ),
            PatternRule(
                "insult-vocative",
                Category.ABUSE,
                re.compile(rf"(?:^|[,.!?;:]\s*)(?P<hit>(?:you\s+)?{_INTENS}{noun})(?:s)?\s*[,.!?]"),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "insult-then-person",
                Category.ABUSE,
                re.compile(
                    rf"\b(?P<hit>(?:that|this|the|those|these|you|your)\s+{_INTENS}"
                    rf"{insult}\s+(?:{people}|{words(*names) if names else 'staff'}))\b"
                ),
                0.8,
                (_reported,),
            ),
            PatternRule(
                "swearing-at",
                Category.ABUSE,
                re.compile(
                    r"\b(?P<hit>(?:fuck|f\*+k|f\*+|feck|sod|piss|bugger)\s+(?:off|you|u|ya)|"
                    r"go (?:fuck|f\*+k) (?:yourself|yourselves)|"
                    r"(?:shove|stick) it up your (?:arse|ass))\b"
                ),
                0.85,
                (_reported,),
            ),
        )

    @classmethod
    def shipped(cls, words_dir: Path, staff_names: Iterable[str] = ()) -> AbuseFilter:
        """Built from `config/words/insults.txt`."""
        return cls(read_word_file(words_dir / "insults.txt"), staff_names)

    def check(self, folded: Folded) -> list[Finding]:
        """Findings for each insult aimed at a person."""
        return [f for rule in self.rules for f in rule.findings(folded)]


def _reported(folded: Folded, match: re.Match[str]) -> bool:
    return is_reported_speech(folded, match.start("hit"))
