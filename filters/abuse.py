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

from filters.base import Category, Finding
from filters.context import is_reported_speech, sentence_at
from filters.normalise import Folded
from filters.patterns import (
    PatternRule,
    at_word_start,
    prefix_gate,
    staff_name_patterns,
    trie,
    words,
)
from filters.prescan import QuickSearch
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
    r"surveyors?",
    r"plumbers?",
    r"engineers?",
    r"inspectors?",
    r"roofers?",
    r"(?:tenant |resident )?reps",
    r"the family(?: at (?:number )?\d+[a-z]?)?(?: [a-z]+ (?:road|street|close|drive|way|lane))?",
    r"the (?:lads|lot|team|residents|tenants|neighbours|people)(?: \w+){0,3}",
    r"(?:customer service|comms|repairs|lettings|income) team",
    r"[a-z]+ from (?:repairs|lettings|income|the \w+ team)",
    r"[a-z]+ the (?:surveyor|plumber|caretaker|officer|manager|contractor|engineer)",
)
# Words that describe services and things as often as people ("useless repairs service",
# "this update is trash"): they only count with a person named or addressed, never on
# their own or after any subject.
PERSON_ONLY = frozenset(
    {
        "useless",
        "incompetent",
        "clueless",
        "pathetic",
        "spineless",
        "thick",
        "brain dead",
        "braindead",
        "trash",
        "garbage",
        "filth",
        "stupid",
        "dumb",
        "dim",
        "dense",
        "daft",
        "brainless",
        "ignorant",
        "worthless",
        "gutless",
        "delusional",
        "deranged",
        "unhinged",
        "insane",
        "evil",
        "vile",
        "disgusting",
        "despicable",
        "repulsive",
        "revolting",
        "ugly",
        "dishonest",
        "two-faced",
        "shameless",
        "sleazy",
        "creepy",
        "nasty",
        "spiteful",
        "vindictive",
        "hateful",
        "brainwashed",
        "gormless",
        "idiotic",
        "moronic",
        "pitiful",
    }
)
ADJECTIVES = PERSON_ONLY  # the name this set had before
# Nouns that are also pests and animals a tenant reports ("Rats. In the bin store again."):
# never an insult on their own.
NOT_ALONE = frozenset({"rat", "rats", "pig", "pigs", "snake", "snakes", "cow", "lump", "witch"})
# People spoken about in the plural, whose insult is abuse: "liberals are clueless".
_PEOPLE_PLURAL = words(
    r"liberals",
    r"conservatives",
    r"democrats",
    r"republicans",
    r"tories",
    r"lefties",
    r"leftists",
    r"socialists",
    r"remainers",
    r"remoaners",
    r"brexiteers",
    r"politicians",
    r"mps",
    r"councillors",
    r"journalists",
    r"celebrities",
    r"fans",
    r"voters",
    r"supporters",
    r"protesters",
    r"people",
    r"folks",
    r"men",
    r"landlords",
    r"agents",
    r"trolls",
    r"idiots",
)
# A person described: "a very sick man", "such a nasty woman".
_PERSON_NOUN = words(
    r"man",
    r"woman",
    r"person",
    r"people",
    r"human(?: being)?s?",
    r"individuals?",
    r"guy",
    r"bloke",
    r"lady",
    r"creatures?",
    r"specimens?",
    r"men",
    r"women",
    r"kid",
    r"child",
    r"boy",
    r"girl",
    r"fella",
)
_INTENS = (
    r"(?:(?:a|an|such a|such an|the|some|total|absolute|utter|complete|proper|right|all|"
    r"so+|really|very|too|just|truly|seriously|incredibly|extremely|literally|clearly|"
    r"obviously|completely|totally|absolutely|utterly|genuinely|pretty|most|biggest|"
    r"bloody|fucking|fuckin|f\*+(?:c?king|kin|in|ing)|effing|feckin[g']?|massive|useless|"
    r"overpaid|lazy|stupid|bunch of|load of|pack of|"
    r"shower of|set of|lot of|gang of|lying|thieving|two[- ]faced|jumped[- ]up|stuck[- ]up|"
    r"arrogant|rude|ignorant|nasty|vile|horrible|disgusting|smug|fat|ugly|little|old)\s+){0,4}"
)


class AbuseFilter:
    """Insults aimed at a person: second person, staff words, or a protected staff name."""

    name: ClassVar[str] = "abuse"

    def __init__(self, insults: Iterable[str], staff_names: Iterable[str] = ()) -> None:
        insults = {i.lower() for i in insults}
        insult = trie(insults)
        # Adjectives ("useless", "pathetic") describe services as often as people: they only
        # count with a person named or addressed, never on their own.
        noun = trie(insults - PERSON_ONLY)
        alone = trie(insults - PERSON_ONLY - NOT_ALONE)
        person_only = trie(insults & PERSON_ONLY)
        names, first_names = staff_name_patterns(staff_names)
        self.staff = re.compile(rf"\b{words(*names, *first_names)}\b") if names else None
        people = _PEOPLE
        if names or first_names:
            people = words(_PEOPLE, *names, *first_names)
        is_ = r"(?:\s*(?:'re|'s|'m)|\s+(?:are|is|was|were|be|being|r|been))"
        be = is_ + "?"
        # Every rule needs an insult word or one of these phrases; one quick search spares
        # most texts the six rules (checked over the training and dev texts).
        self._gate = QuickSearch(re.compile(at_word_start(trie([*insults, *_GATE_WORDS]))))
        # Most rules below need an insult word (all but `_WITHOUT_INSULT`).
        self._insult = QuickSearch(re.compile(at_word_start(insult)))
        self.rules = (
            PatternRule(
                "insult-aimed",
                Category.ABUSE,
                # "you idiot", "he is an idiot"; words that also describe things only after
                # a verb ("he is useless", not "they useless builders")
                re.compile(
                    rf"\b(?P<hit>{people}(?:{be}\s+{_INTENS}{noun}|{is_}\s+{_INTENS}{person_only}))\b"
                ),
                0.85,
                (_reported,),
            ),
            PatternRule(
                "insult-vocative",
                Category.ABUSE,
                re.compile(
                    rf"(?:^|[,.!?;:\n]\s*)(?:@\w+\s+)*(?P<hit>(?:you\s+)?{_INTENS}{alone})(?:s)?"
                    r"\s*(?:[,.!?]|$)"
                ),
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
                "insult-predicate",
                Category.ABUSE,
                re.compile(
                    rf"\b(?P<hit>(?:is|are|\w+'s|\w+'re|was|were|being)\s+"
                    rf"(?:(?:a|an|such a|such an|just|all|nothing but|like|both)\s+)?"
                    rf"{_INTENS}{noun})(?:s)?\b"
                ),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "insult-phrase",
                Category.ABUSE,
                re.compile(
                    r"\b(?P<hit>brains? of a \w+|(?:a |one |single )?working brain cells?|"
                    r"waste of (?:space|oxygen|skin|a salary)|"
                    r"(?:should|ought to) be (?:embarrassed|ashamed) to show "
                    r"(?:his|her|their) face|"
                    r"good (?:girl|boy)(?=\W*$)|on work experience from a primary school|"
                    r"nodding dogs|yes-?men|lapdogs?|bootlickers?|couldn'?t organise a \w+|"
                    r"(?:dribbling|useless|lazy|fat|thick|stupid|brainless|pathetic|spineless) "
                    r"(?:idiots?|lumps?|slobs?|morons?|clowns?|muppets?|cows?|pigs?|yes-men)|"
                    r"(?:bunch|pack|load|room full|shower|gang) of (?:\w+ ){0,2}?"
                    r"(?:idiots|morons|clowns|muppets|yobs|slobs|animals|pigs|rats|parasites|"
                    r"scum|losers|numpties|dogs|thieves|liars))\b"
                ),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "insult-exclaimed",
                Category.ABUSE,
                re.compile(rf"\b(?P<hit>what (?:a|an) {_INTENS}{noun})\b"),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "insult-group",
                Category.ABUSE,
                re.compile(
                    rf"\b(?P<hit>{_PEOPLE_PLURAL}{be}\s+{_INTENS}(?:{person_only}|{noun}))\b"
                ),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "insult-described",
                Category.ABUSE,
                re.compile(
                    rf"\b(?P<hit>(?:is|are|\w+'s|\w+'re|was|were|what|such)\s+(?:a|an)?\s*{_INTENS}"
                    rf"(?:{person_only}|{noun})\s+{_PERSON_NOUN})\b"
                ),
                0.75,
                (_reported,),
            ),
            PatternRule(
                "sexual-remark",
                Category.ABUSE,
                _SEXUAL,
                0.8,
                (_reported,),
                _NEEDS_SEXUAL,
            ),
            PatternRule(
                "swearing-at",
                Category.ABUSE,
                re.compile(
                    r"\b(?P<hit>(?:fuck|f\*+k|f\*+|feck|sod|piss|bugger)\s+(?:off|you|u|ya)|"
                    r"go (?:fuck|f\*+k) (?:yourself|yourselves)|stfu|"
                    r"shut (?:the (?:fuck|f\*+k|f\*+|hell) )?up(?= you\b|\W*$)|"
                    r"(?:go to|rot in) hell|eat (?:shit|a dick)|kiss my (?:arse|ass)|up yours|"
                    r"get fucked|drop dead|"
                    r"(?:shove|stick) it up your (?:arse|ass))\b"
                ),
                0.85,
                (_reported,),
                _NEEDS_SWEARING,
            ),
        )

    @classmethod
    def shipped(cls, words_dir: Path, staff_names: Iterable[str] = ()) -> AbuseFilter:
        """Built from `config/words/insults.txt`."""
        return cls(read_word_file(words_dir / "insults.txt"), staff_names)

    def check(self, folded: Folded) -> list[Finding]:
        """Findings for each insult aimed at a person."""
        if not self._gate.search(folded.text):
            return []
        if self._insult.search(folded.text):
            return [f for rule in self.rules for f in rule.findings(folded)]
        return [
            f for rule in self.rules if rule.name in _WITHOUT_INSULT for f in rule.findings(folded)
        ]


# Every rule needs an insult word or one of these (a word starts with it); one quick search
# spares most texts the rules (checked over the training and dev texts: same findings).
_GATE_WORDS = (
    "brain",
    "waste of",
    "embarrassed",
    "ashamed",
    "good girl",
    "good boy",
    "work experience",
    "nodding",
    "yes-men",
    "yesmen",
    "lapdog",
    "bootlicker",
    "organise",
    "bunch of",
    "pack of",
    "load of",
    "room full",
    "shower of",
    "gang of",
    "as much use",
    "as useful",
    "as thick as",
    "as dim as",
    "as daft as",
    "as stupid as",
    "as useless as",
    "fuck",
    "f*",
    "feck",
    "sod",
    "piss",
    "bugger",
    "shove",
    "stick",
    "stfu",
    "shut",
    "hell",
    "eat",
    "kiss",
    "up yours",
    "drop dead",
    "sex",
    "shag",
    "bang",
    "screw",
    "sleep with",
    "suck",
    "lick",
    "touch",
    "rub",
    "stroke",
    "grab",
    "sit on",
    "nudes",
    "nude",
    "naked",
    "clothes",
    "knickers",
    "bra",
    "kit off",
    "top off",
    "pants off",
    "horny",
    "talk dirty",
    "penis",
    "dick",
    "cock",
    "pussy",
    "vagina",
    "rectum",
    "tits",
    "boobs",
    "nipples",
    "genitals",
    "sexy",
    "submissive",
)

# The rules that can match without an insult word from the list.
_WITHOUT_INSULT = frozenset({"insult-phrase", "sexual-remark", "swearing-at"})
# The words the sexual-remark and swearing-at rules cannot match without (checked over the
# training and dev texts: same findings).
_NEEDS_SEXUAL = prefix_gate(
    "sex|shag|bang|screw|sleep with|suck|lick|touch|rub|stroke|grab|sit on|nudes|nude|naked|"
    "clothes|knickers|bra|kit off|top off|pants off|horny|talk dirty|penis|dick|cock|pussy|"
    "vagina|rectum|tits|boobs|nipples|genitals|sexy|submissive|kiss|fuck"
)
_NEEDS_SWEARING = prefix_gate(
    "fuck|f*|feck|sod|piss|bugger|stfu|shut|hell|eat|kiss|up yours|drop dead|shove|stick"
)

# Sexual remarks and propositions aimed at the reader (ConvAbuse: sexual harassment of the
# agent is abuse): "have sex with me", "send nudes", "suck my ...", "take your top off".
_SEXUAL = re.compile(
    r"\b(?P<hit>(?:have|having|want|wanna|need|give me|let'?s have|lets have|gimme) "
    r"(?:sex|a shag)(?: with (?:me|you|u|ya))?(?! (?:education|offenders?|advice|health|"
    r"discrimination|abuse|workers?))|"
    r"(?:sleep|sex|shag|bang|screw) with (?:me|you|u|ya)\b(?! (?:on|about|at))|"
    r"(?:suck|lick|touch|rub|stroke|grab|sit on) (?:my|your|ur|me) "
    r"(?:dick|cock|balls|tits|boobs|pussy|ass|arse|nipples|body|face|lap|knob)|"
    r"(?:send|show)(?: me| us)?(?: your| ur| some)? (?:nudes|tits|boobs|naked pics|nude pics)|"
    r"(?:take|get) (?:your|ur) (?:clothes|top|knickers|pants|bra|kit) off|"
    r"(?:i'?m|i am|im) (?:so |really |well )?horny|talk dirty|"
    r"(?:wanna|want to|going to|gonna) (?:shag|bang|screw|fuck) (?:you|u|ya)|"
    r"(?:your|ur|big|hairy|wet|hard|huge|tiny) "
    r"(?:penis|dick|cock|pussy|vagina|rectum|tits|boobs|nipples|genitals)|"
    r"i (?:love|like|want|need) (?:penis|dick|cock|boobs|tits|sex)\b(?! (?:education|offenders?))|"
    r"(?:can|could|may) i (?:kiss|touch) (?:you|u|ya|your)|"
    r"submissive type|(?:slow|nice|real) and sexy|sexy (?:pics|photos|selfies?))\b"
)

# Someone a swear word or slur can be aimed at, in the same sentence.
_AIMED_AT = re.compile(
    r"\b(?:you|your|youre|you're|yourself|yourselves|u|ur|ya|ye|"
    r"(?:the|that|this|some|your) (?:\w+ )?(?:woman|man|guy|bloke|lady|lad|girl|boy|fella|"
    r"owner|officer|manager|caretaker|surveyor|contractor|plumber|worker|neighbou?r|tenant|"
    r"one next door|one upstairs|one downstairs|receptionist|director|ceo)|"
    r"at the (?:front )?desk|next door|downstairs|upstairs|at number \d+|"
    r"(?:he|she|they)(?:'s| is| are|'re) (?:a|an|such|so|just|nothing but)|"
    r"(?:him|her|them)\b(?! to\b))\b"
)


def aimed_at_person(
    folded: Folded, findings: list[Finding], staff: re.Pattern[str] | None
) -> list[Finding]:
    """Abuse findings for swearing or slurs aimed at a person (housing-dev README).

    "Profanity aimed at a person is profanity + abuse", and a discriminatory slur aimed at
    a specific person also gets abuse; "this is shit" or a slur about a group alone do not.
    """
    derived = []
    for finding in findings:
        if finding.category not in (Category.PROFANITY, Category.DISCRIMINATION):
            continue
        if not finding.spans or (
            ":slur:" not in finding.rule and finding.category is Category.DISCRIMINATION
        ):
            continue
        start = _folded_offset(folded, finding.spans[0].start)
        sentence = sentence_at(folded, start)
        window = folded.text[sentence.start : sentence.end]
        if _AIMED_AT.search(window) or (staff is not None and staff.search(window)):
            kind = "profanity" if finding.category is Category.PROFANITY else "slur"
            derived.append(
                Finding(
                    category=Category.ABUSE,
                    rule=f"abuse:{kind}-at-person",
                    score=0.8,
                    spans=finding.spans,
                    evidence=finding.evidence,
                )
            )
    return derived


def _folded_offset(folded: Folded, original: int) -> int:
    for index, origin in enumerate(folded.origin):
        if origin >= original:
            return index
    return len(folded.text)


def _reported(folded: Folded, match: re.Match[str]) -> bool:
    return is_reported_speech(folded, match.start("hit"))
