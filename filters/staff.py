"""A named member of staff's personal details, published: harassment.

The config names the staff to protect (`words.staff_names`). Publishing a member of staff's
home address, personal phone or e-mail, or car registration is harassment under every
policy, whatever else the text says. So a text that puts one of those names within a few
words of such a detail is flagged, with both marked.

What is not a personal detail: the organisation's own numbers (03, 0800 and 0845 numbers,
a switchboard, an office or a contact centre named beside it) and a work e-mail at the
landlord's domain. A tenant telling others to ring the office, or thanking an officer, is
acceptable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from filters.base import Category, Finding
from filters.normalise import Folded

SCORE = 0.9
NEAR = 60  # characters between a name and a detail that still read as "hers"

_MOBILE = r"(?:\+44\s?7|07)(?:\d[\s-]?){8,9}\d"
_LANDLINE = r"(?:\+44\s?[12]|0[12])(?:\d[\s-]?){8,9}\d"
_PERSONAL_EMAIL = (
    r"[\w.+-]+@(?:gmail|googlemail|hotmail|outlook|live|yahoo|icloud|me|aol|btinternet|"
    r"sky|virginmedia|talktalk|protonmail)\.[a-z.]+"
)
_ADDRESS = (
    r"\d{1,4}[a-z]?,?\s+(?:[a-z'-]+\s+){1,3}?(?:road|rd|street|st|avenue|ave|close|lane|ln|"
    r"drive|dr|way|court|crescent|terrace|place|gardens|grove|walk|row|view|mews|square|"
    r"hill|rise|green|parade|wynd|vale)\b"
)
_POSTCODE = r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b"
_REG = r"\b[a-z]{2}\d{2}\s?[a-z]{3}\b"
_DETAIL = re.compile(
    rf"(?<![\w@])(?:{_MOBILE}|{_LANDLINE}|{_PERSONAL_EMAIL}|{_ADDRESS}|{_POSTCODE}|{_REG})"
)
_OFFICE = re.compile(
    r"\b(?:office|offices|switchboard|main number|contact cent(?:re|er)|customer services?|"
    r"reception|head office|freephone|helpline|repairs line|emergency line)\b"
)


class StaffDetails:
    """Flags a configured staff name near a phone number, e-mail, address or registration."""

    name: ClassVar[str] = "staff_details"

    def __init__(self, names: Sequence[str]) -> None:
        parts = sorted({" ".join(n.lower().split()) for n in names if n.strip()}, key=len)
        alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in reversed(parts))
        self._names = re.compile(rf"\b(?:{alternatives})\b") if parts else None
        first = sorted({p.split()[0] for p in parts if len(p.split()[0]) > 2}, key=len)
        firsts = "|".join(re.escape(p) for p in reversed(first))
        self._first_names = re.compile(rf"\b(?:{firsts})\b") if first else None

    def check(self, folded: Folded) -> list[Finding]:
        """One finding per detail published beside a staff name."""
        text = folded.text
        if self._names is None or not any(ch.isdigit() or ch == "@" for ch in text):
            return []
        names = [m.span() for m in self._names.finditer(text)]
        if self._first_names is not None:
            names += [m.span() for m in self._first_names.finditer(text)]
        if not names:
            return []
        findings = []
        for detail in _DETAIL.finditer(text):
            a, b = detail.span()
            near = [n for n in names if (n[1] <= a and a - n[1] <= NEAR) or b <= n[0] < b + NEAR]
            if not near or self._official(text, a, b):
                continue
            name = min(near, key=lambda n: abs(n[0] - a))
            spans = sorted([name, (a, b)])
            findings.append(
                Finding(
                    category=Category.HARASSMENT,
                    rule="harassment:staff_details",
                    score=SCORE,
                    spans=tuple(folded.span(x, y) for x, y in spans),
                    evidence="; ".join(folded.excerpt(x, y) for x, y in spans),
                )
            )
        return findings

    @staticmethod
    def _official(text: str, start: int, end: int) -> bool:
        """Whether the detail is the organisation's own: an office number or its words."""
        detail = text[start:end].replace(" ", "")
        if detail.startswith(("03", "08", "+443", "+448")):
            return True
        window = text[max(0, start - 40) : end + 40]
        return bool(_OFFICE.search(window))
