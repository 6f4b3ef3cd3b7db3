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

from bot.domain import Category, Finding
from filters.context import sentence_at
from filters.normalise import Folded
from filters.patterns import staff_name_patterns, words

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
    r"twitter|x account|tiktok|linkedin|snapchat|snap|whatsapp|profile|page|account)|"
    r"(?:facebook\.com|instagram\.com|tiktok\.com|linkedin\.com/in)/[\w.\-]+)"
)
RECORDING = re.compile(
    r"\b(?:recorded|recording|recordings|filmed|filming|footage|video|videos|audio|tape|"
    r"clip|livestream(?:ed)?)\b"
)
PUBLISH = re.compile(
    r"\b(?:post(?:ed|ing)?|upload(?:ed|ing)?|publish(?:ed|ing)?|shar(?:e|ed|ing)|put (?:it|this|"
    r"them|the \w+) (?:up |out )?(?:online|on (?:youtube|facebook|tiktok|twitter|x|insta))|"
    r"go(?:ing|es)? viral|all over (?:facebook|social media|the internet|tiktok)|"
    r"on (?:youtube|tiktok|facebook|my page|my channel|insta)|youtube\.com|youtu\.be|"
    r"vimeo\.com|tiktok\.com)\b"
)
PRIVATE_LIFE = re.compile(
    r"\b(?:(?:his|her|their) (?:home|house|kids|children|son|daughter|husband|wife|partner|"
    r"family|car|reg|number plate|school run|gym|local|pub|church|mosque|routine|mum|dad)|"
    r"(?:he|she|they) (?:lives?|drops? (?:the|his|her) kids|parks?|drinks?|goes to the gym|"
    r"walks? the dog)|lives (?:at|on|in|round|near)|doorstep (?:him|her|them)|"
    r"pay (?:him|her|them) a visit|turn up at (?:his|her|their))\b"
)
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
        for pattern, rule, needs_target in (
            (POSTCODE, "postcode", True),
            (ADDRESS, "home-address", True),
            (PHONE, "phone-number", True),
            (EMAIL, "email-address", True),
            (SOCIAL, "personal-account", False),
            (PRIVATE_LIFE, "private-life", True),
            (PILE_ON, "pile-on", True),
        ):
            for match in pattern.finditer(text):
                if needs_target and not self._about_staff(folded, match.start()):
                    continue
                findings.append(self._finding(folded, rule, match.start(), match.end(), 0.85))
        for match in RECORDING.finditer(text):
            sentence = sentence_at(folded, match.start())
            if PUBLISH.search(text, sentence.start, sentence.end) and self._about_staff(
                folded, match.start(), own_ok=True
            ):
                findings.append(
                    self._finding(folded, "publish-recording", match.start(), match.end(), 0.85)
                )
        return findings

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
