"""Harassment of staff: their personal details, recordings, private life, pile-ons.

Publishing staff personal details or recordings, contacting them in their private life, or
naming them in public to target them.

Personal details alone are not harassment: a tenant giving their own address or number
("I live at 14 Alder Close, call me on …") is asking for help. A finding needs the detail to
be about someone else (a protected staff name, "he/she/his/her", a staff role).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from filters.base import Category, Finding
from filters.context import sentence_at
from filters.normalise import Folded
from filters.patterns import anchored, staff_name_patterns, words
from filters.prescan import QuickSearch

POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b")
ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[a-z']+\s+){1,3}(?:road|rd|street|st|close|avenue|ave|lane|ln|"
    r"drive|dr|way|crescent|cres|court|ct|place|pl|grove|gardens|gdns|terrace|mews|walk|row|"
    r"square|sq|hill|view|rise|park|green|croft|fold|meadow|meadows|parade)\b"
)
PHONE = re.compile(r"(?<!\d)(?:\+44\s?7\d{3}|07\d{3}|0\d{3,4})[\s-]?\d{3}[\s-]?\d{3,4}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
SOCIAL = re.compile(
    r"\b(?:(?:his|her|their) (?:personal |private |own )?(?:facebook|fb|insta|instagram|"
    r"twitter|x account|tiktok|linkedin|snapchat|snap|whatsapp)|"
    r"(?:his|her|their) (?:personal|private) (?:profile|page|account)|"
    r"(?:facebook\.com|instagram\.com|tiktok\.com|linkedin\.com/in)/[\w.\-]+)"
)
RECORDING = re.compile(
    r"\b(?:recorded|recording|recordings|filmed|filming|footage|video|videos|audio|tape|"
    r"clip|clips|livestream(?:ed)?|photo|photos|picture|pictures|pic|pics|camera|"
    r"recorded calls|the files|word for word|greatest hits)\b"
)
PUBLISH = re.compile(
    r"\b(?:post(?:ed|ing)?|upload(?:ed|ing)?|publish(?:ed|ing)?|shar(?:e|ed|ing)|put (?:it|this|"
    r"them|the \w+) (?:up |out )?(?:online|on (?:youtube|facebook|tiktok|twitter|x|insta))|"
    r"go(?:ing|es)? viral|all over (?:facebook|social media|the internet|tiktok)|"
    r"on (?:youtube|tiktok|facebook|my page|my channel|insta)|youtube\.com|youtu\.be|"
    r"vimeo\.com|tiktok\.com|go(?:es|ing)? public|all go public|link in bio|"
    r"(?:going|goes) on (?:the |my |every )?[\w' ]{0,30}(?:page|group|channel|feed)|"
    r"(?:every|the) (?:local )?(?:group|groups|page|pages)|tenants'? group|to youtube)\b"
)
PRIVATE_LIFE = re.compile(
    r"\b(?:(?:his|her|their) (?:home|house|kids|children|son|daughter|husband|wife|partner|"
    r"family|car|reg|number plate|school run|gym|local|pub|church|mosque|routine|mum|dad)|"
    r"(?:he|she|they) (?:lives?|drops? (?:the|his|her) kids|parks?|drinks?|goes to the gym|"
    r"walks? the dog)|lives (?:at|on|in|round|near)|doorstep (?:him|her|them)|"
    r"pay (?:him|her|them) a visit|turn up at (?:his|her|their))\b"
)
# The staff member's life away from work: home, family, leisure, personal accounts.
# Counted only when a member of staff is named or described in the same sentence (or the
# one before), never for "my neighbour's partner" or the tenant's own life.
AWAY_FROM_WORK = re.compile(
    r"\b(?:(?:his|her|their|[a-z]+'s) (?:own )?(?:house|home|front door|street|"
    r"kids|children|son|daughter|sister|brother|husband|wife|partner|family|mum|dad|"
    r"car|van|personal \w+|private \w+|hotmail|gmail|charity \w+|fundraiser\w*|"
    r"local|gym|lunch|school run|holiday)|"
    r"your (?:home|house|personal \w+|private \w+|hotmail|gmail|kids|children|family) "
    r"(?:address|number|email|account|page|is|are|at|go)|"
    r"home (?:address|landline|number|phone)|personal (?:hotmail|gmail|email|e-mail|mobile|"
    r"number|phone|account|page|facebook|instagram)|"
    r"outside (?:his|her|their|[a-z]+'s) (?:house|home|door|work|school)|"
    r"(?:sit|wait|stand|park)(?:ing|ed)? outside|i know where (?:it|he|she|they) (?:is|are|lives?)|"
    r"drinks (?:in|at) the|plays (?:sunday|for|football|five)|on the touchline|market stall|"
    r"parish council|followed (?:him|her|them) home|as (?:he|she) walked|"
    r"(?:name|names) and (?:mobile|number|address|photo|phone)|full name|direct line|"
    r"(?:naming|named) the \w+(?: \w+)? (?:officer|manager|surveyor|caretaker|director)|"
    r"(?:her|his|their) (?:name|mobile|number|photo|face) (?:is|are) on)\b"
)
STAFF_WORDS = re.compile(
    r"\b(?:officer|officers|manager|managers|staff|surveyor|caretaker|contractor|director|"
    r"ceo|chief exec\w*|housing officer|repairs|lettings|income|tenancy|team|supervisor|"
    r"engineer|plumber|roofer|inspector|worker|operative|receptionist|advisor|adviser|"
    r"reviewer|panel|chair|from (?:the )?\w+ (?:team|office|department))\b"
)
# A capitalised word that is probably someone's first name: not the first word of its
# sentence (unless addressed: "Carly, ..."), not part of a run of capitalised words (a
# place or an organisation: "Cranmer House", "Red Lion") and not a weekday or month.
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NOT_NAMES = frozenset(
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Christmas",
        "Easter",
        "English",
        "British",
        "God",
        "The",
        "This",
        "That",
        "There",
        "They",
        "Their",
        "What",
        "When",
        "Why",
        "How",
        "Who",
        "Just",
        "Still",
    ]
)


def _name_in(original: str, start: int, end: int) -> bool:
    """Whether original[start:end] seems to name a person (see `_CAPITALISED`)."""
    for match in _CAPITALISED.finditer(original, start, end):
        if match.group() in _NOT_NAMES:
            continue
        before = original[: match.start()].rstrip()
        after = original[match.end() :]
        previous = before.split()[-1] if before.split() else ""
        following = after.split()[0] if after.split() else ""
        if before[-1:] in ("#", "@"):
            continue  # a hashtag or handle, not a person's name
        if not before or before[-1] in ".!?\n":
            if not after.startswith(","):
                continue  # first word of a sentence, not addressed
        elif previous[:1].isupper():
            continue
        if following[:1].isupper():
            continue
        return True
    return False


PILE_ON = re.compile(
    r"\b(?:everyone (?:message|ring|call|email|tag|flood)|let'?s all (?:message|ring|call|email|"
    r"tag)|(?:message|ring|call|email|tag) (?:him|her) (?:direct|yourselves|and tell)|"
    r"give (?:him|her) (?:a call|a ring|hell)|tag (?:him|her))\b"
)
_THIRD_PERSON = re.compile(
    r"\b(?:he|she|his|her|him|their|they|officer|manager|contractor|caretaker|director|ceo|"
    r"housing officer|staff|worker|surveyor|plumber|operative)\b"
)
_OWN = re.compile(
    r"\b(?:my|me|i live|i'?m at|call me|ring me|text me|our|we live|contact me|reach me)\b"
)


_DIGIT_OR_AT = re.compile(r"[\d@]")
# The other patterns each need one of these words: one quick search spares most texts
# (checked over the training and dev texts: same findings).
_WORDY = re.compile(
    r"\b(?:facebook|fb|insta|twitter|x account|tiktok|linkedin|snap|whatsapp|personal|"
    r"private|everyone|let|message|ring|call|email|e-mail|tag|give|record|film|footage|video|"
    r"audio|tape|clip|livestream|photo|picture|pic|camera|word for word|greatest hits|files|"
    r"house|home|front door|street|kids|children|son|daughter|sister|brother|husband|wife|"
    r"partner|family|mum|dad|car|van|hotmail|gmail|charity|fundraiser|local|gym|lunch|school|"
    r"holiday|landline|outside|sit|wait|stand|park|know where|i know|drinks|plays|touchline|"
    r"market stall|parish|followed|walked|name|full name|direct line|naming|named|mobile|"
    r"number|face|[a-z]+'s )"
)
POSTCODE, ADDRESS, SOCIAL, RECORDING, PUBLISH, AWAY_FROM_WORK, PILE_ON, _WORDY = (
    anchored(p)
    for p in (POSTCODE, ADDRESS, SOCIAL, RECORDING, PUBLISH, AWAY_FROM_WORK, PILE_ON, _WORDY)
)
_NEEDS_DIGIT_OR_AT = (POSTCODE, ADDRESS, PHONE, EMAIL)
_NEEDS_DIGIT = (POSTCODE, ADDRESS, PHONE)
_DIGIT = QuickSearch(re.compile(r"\d"))
# Whether each pattern occurs at all, from one pass for all of them: most texts have none.
_PRESENT = {
    pattern: QuickSearch(pattern, scan="harassment")
    for pattern in (POSTCODE, ADDRESS, PHONE, EMAIL, SOCIAL, PILE_ON, RECORDING, AWAY_FROM_WORK)
}
_WORDY = QuickSearch(_WORDY)


class HarassmentFilter:
    """Staff personal details, recordings published, private-life targeting, pile-ons."""

    name: ClassVar[str] = "harassment"

    def __init__(self, staff_names: Iterable[str] = ()) -> None:
        names, first = staff_name_patterns(staff_names)
        self._staff = re.compile(rf"\b{words(*names, *first)}\b") if names else None

    def check(self, folded: Folded) -> list[Finding]:
        """Findings for each piece of staff-targeting detail."""
        text = folded.text
        findings: list[Finding] = []
        # Postcodes, house numbers and phone numbers have digits, e-mails an "@"; the other
        # patterns each need a word of _WORDY.
        has_digit = _DIGIT.search(text)
        has_at = "@" in text
        wordy = _WORDY.search(text)
        if not (has_digit or has_at or wordy):
            return findings
        for pattern, rule, needs_target in (
            (POSTCODE, "postcode", True),
            (ADDRESS, "home-address", True),
            (PHONE, "phone-number", True),
            (EMAIL, "email-address", True),
            (SOCIAL, "personal-account", False),
            (PILE_ON, "pile-on", True),
        ):
            if pattern in _NEEDS_DIGIT and not has_digit:
                continue
            if pattern is EMAIL and not has_at:
                continue
            if pattern not in _NEEDS_DIGIT_OR_AT and not wordy:
                continue
            if not _PRESENT[pattern].search(text):
                continue
            for match in pattern.finditer(text):
                if needs_target and not self._about_staff(folded, match.start()):
                    continue
                findings.append(self._finding(folded, rule, match.start(), match.end(), 0.85))
        if not wordy:
            return findings
        recordings = RECORDING.finditer(text) if _PRESENT[RECORDING].search(text) else ()
        for match in recordings:
            sentence = sentence_at(folded, match.start())
            published = PUBLISH.search(text, sentence.start)
            following = sentence_at(folded, min(len(text), sentence.end + 1))
            if published and self._staff_in(folded, sentence.start, following.end):
                findings.append(
                    self._finding(folded, "publish-recording", match.start(), match.end(), 0.85)
                )
                break
        away = AWAY_FROM_WORK.finditer(text) if _PRESENT[AWAY_FROM_WORK].search(text) else ()
        for match in away:
            if self._staff_nearby(folded, match.start()):
                findings.append(
                    self._finding(folded, "private-life", match.start(), match.end(), 0.8)
                )
        return findings

    def _staff_in(self, folded: Folded, start: int, end: int) -> bool:
        """Whether folded.text[start:end] names or describes a member of staff."""
        window = folded.text[start:end]
        if self._staff is not None and self._staff.search(window):
            return True
        if STAFF_WORDS.search(window) or _THIRD_PERSON.search(window):
            return True
        span = folded.span(start, max(start + 1, end))
        return _name_in(folded.original, span.start, span.end)

    def _staff_nearby(self, folded: Folded, offset: int) -> bool:
        """A member of staff named or described in this sentence or the one before."""
        sentence = sentence_at(folded, offset)
        before = sentence_at(folded, max(0, sentence.start - 2))
        window = folded.text[before.start : sentence.end]
        if self._staff is not None and self._staff.search(window):
            return True
        if STAFF_WORDS.search(window):
            return True
        original = folded.span(before.start, max(before.start + 1, sentence.end))
        return _name_in(folded.original, original.start, original.end)

    def _about_staff(self, folded: Folded, offset: int, *, own_ok: bool = False) -> bool:
        sentence = sentence_at(folded, offset)
        window = folded.text[max(0, sentence.start - 60) : sentence.end]
        named = self._staff is not None and self._staff.search(window) is not None
        third = _THIRD_PERSON.search(window) is not None
        own = _OWN.search(folded.text, sentence.start, sentence.end) is not None
        if named:
            return True
        return third and (own_ok or not own)

    @staticmethod
    def _finding(folded: Folded, rule: str, start: int, end: int, score: float) -> Finding:
        return Finding(
            category=Category.HARASSMENT,
            rule=f"harassment:{rule}",
            score=score,
            spans=(folded.span(start, end),),
            evidence=folded.excerpt(start, end),
        )
