"""Discrimination: hate against a protected group, including masked slurs.

Racist, xenophobic, sexist, homophobic, transphobic, ableist or religious hate. A victim
reporting a slur said to them is not discriminating.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from filters.base import Category, Finding
from filters.context import is_mention, is_reported_speech, sentence_at
from filters.normalise import Folded
from filters.patterns import PatternRule, at_word_start, words
from filters.prescan import QuickSearch
from filters.wordmatch import WordMatcher, read_word_file

_GROUPS = words(
    r"immigrants?",
    r"foreigners?",
    r"refugees?",
    r"asylum seekers?",
    r"migrants?",
    r"muslims?",
    r"moslems?",
    r"jews?",
    r"hindus?",
    r"sikhs?",
    r"christians?",
    r"blacks?",
    r"black people",
    r"asians?",
    r"africans?",
    r"arabs?",
    r"chinese",
    r"eastern europeans?",
    r"poles",
    r"polish",
    r"romanians?",
    r"bulgarians?",
    r"albanians?",
    r"pakistanis?",
    r"indians?",
    r"somalis?",
    r"nigerians?",
    r"gypsies",
    r"travellers?",
    r"roma",
    r"gays?",
    r"gay people",
    r"lesbians?",
    r"homosexuals?",
    r"trans people",
    r"transgender people",
    r"trannies",
    r"women",
    r"females",
    r"disabled people",
    r"the disabled",
    r"cripples?",
    r"retards?",
)
_NEGATIVE = words(
    r"scum",
    r"animals?",
    r"vermin",
    r"parasites?",
    r"dirty",
    r"filthy",
    r"thieves",
    r"criminals",
    r"rapists",
    r"terrorists",
    r"lazy",
    r"breed like",
    r"diseased",
    r"savages?",
    r"subhuman",
    r"inferior",
    r"disgusting",
    r"a disease",
    r"a plague",
    r"cockroaches",
    r"should (?:be|all be|get) (?:banned|deported|kicked out|sent back|shot|gassed|removed)",
    r"(?:don'?t|do not|dont) belong",
    r"should go back",
    r"shouldn'?t be (?:allowed|here)",
    r"get (?:everything|all the houses|priority|all the flats)",
    r"jump(?:ing|ed)? the queue",
    r"taking (?:our|all the) (?:houses|homes|flats|jobs)",
    r"ruin(?:ing|ed)? (?:this|the) estate",
    r"are the problem",
    r"can'?t be trusted",
    r"stink",
    r"smell",
)
_GROUP_SLUR = re.compile(
    rf"\b(?P<hit>(?:(?:these|those|them|the|bloody|all|all the|all these|all those|you|your)"
    rf"\s+)?{_GROUPS}\s+(?:are|is|should|always|never|just|all|get|getting|keep|who|that)?\s*"
    rf"(?:\w+\s+){{0,3}}?{_NEGATIVE})\b"
)
_GO_BACK = re.compile(
    r"\b(?P<hit>(?:go|send (?:them|em|him|her|you)|ship (?:them|em) (?:off )?) ?back "
    r"(?:to|where) (?:your|their|his|her|they|you) (?:own )?(?:country|came from|come from)|"
    r"go home to (?:your|their) (?:own )?country|"
    r"(?:jumped|jump|jumps|jumping) the queue (?:cos|cause|because) (?:they'?re|she'?s|he'?s) "
    r"(?:foreign|polish|black|asian|muslim|an immigrant|immigrants|refugees?)|"
    r"(?:only|always) (?:give|giving|gives) (?:the )?(?:houses|homes|flats|properties) to "
    rf"{_GROUPS}|"
    r"(?:women|girls) (?:shouldn'?t|should not|can'?t) (?:be|do|work)|"
    r"no (?:blacks|irish|pakis|gypsies|travellers|foreigners) (?:allowed|wanted|here))\b"
)


# Both rules need a group named, or one of these words (checked over the training and
# dev texts: same findings); most texts have none.
_GATE = QuickSearch(re.compile(at_word_start(rf"(?:{_GROUPS}|back|home|queue|wom[ae]n|girls|no )")))


class DiscriminationFilter:
    """Slurs, and hostile generalisations about a protected group."""

    name: ClassVar[str] = "discrimination"

    def __init__(self, slurs: list[str]) -> None:
        self.slurs = WordMatcher(slurs)
        self.rules = (
            PatternRule(
                "group-hostility", Category.DISCRIMINATION, _GROUP_SLUR, 0.85, (_reported, _denied)
            ),
            PatternRule("exclusion", Category.DISCRIMINATION, _GO_BACK, 0.9, (_reported,)),
        )

    @classmethod
    def shipped(cls, words_dir: Path) -> DiscriminationFilter:
        """Built from `config/words/slurs.txt`."""
        return cls(read_word_file(words_dir / "slurs.txt"))

    def check(self, folded: Folded) -> list[Finding]:
        """Findings for each slur (not reported by a victim) and hostile generalisation."""
        findings = []
        for match in self.slurs.finditer(folded.text):
            if is_reported_speech(folded, match.start):
                continue
            findings.append(
                Finding(
                    category=Category.DISCRIMINATION,
                    rule=f"discrimination:slur:{match.word}",
                    score=0.95,
                    spans=(folded.span(match.start, match.end),),
                    evidence=folded.excerpt(match.start, match.end),
                )
            )
        if _GATE.search(folded.text):
            for rule in self.rules:
                findings.extend(rule.findings(folded))
        return findings


# Counter-speech: "calling Muslims cockroaches is horrible" condemns the slur it quotes.
_CONDEMNED = re.compile(
    r"\b(?:calling|call|saying|to say|to call|describing)\b[^.!?]*\b(?:is|are|was|it'?s)\s+"
    r"(?:such an?\s+|so\s+|really\s+|just\s+|completely\s+)?(?:horrible|wrong|disgusting|"
    r"unacceptable|hateful|racist|vile|awful|shameful|not ok|not okay|sick|bigoted|hate)"
)


# A negation just before the generalisation: "I don't think Muslims are a plague".
_DENIED = re.compile(
    r"(?:\b(?:no|not|never|nobody|no one|dont|doesnt|isnt|arent)\b|n't\b)[^.!?;,]{0,30}$"
)


def _denied(folded: Folded, match: re.Match[str]) -> bool:
    start = match.start("hit")
    window = max(sentence_at(folded, start).start, start - 40)
    return _DENIED.search(folded.text, window, start) is not None


def _reported(folded: Folded, match: re.Match[str]) -> bool:
    start = match.start("hit")
    sentence = sentence_at(folded, start)
    if _CONDEMNED.search(folded.text, sentence.start, sentence.end):
        return True
    return is_reported_speech(folded, start) or is_mention(folded, start)
