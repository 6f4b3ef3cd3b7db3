"""Unreasonable demands, when repeated: timescales, one person only, staff disciplined.

Demanding replies in unreasonable timescales, insisting on one named person or a senior
manager only, demanding that staff be disciplined.

One demand is someone at the end of their tether; the policies call demands unreasonable
when they are repeated and start to affect the service. So a finding needs this contact and
earlier ones in the window to make such demands.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import ClassVar

from filters.base import Category, Finding
from filters.history import History
from filters.normalise import fold

DEMANDS = {
    "timescale": re.compile(
        r"\b(?:reply|respond|answer|ring|call|get back to) (?:me )?(?:with)?in (?:the next )?"
        r"(?:the hour|an hour|\d+ (?:minutes|mins|hours))\b|"
        r"\b(?:by|before) (?:5 ?pm|five|close of play|end of (?:the )?day|tonight)"
        r"(?: today)?,? or (?:else|i'?ll)\b|\bi (?:want|expect|demand) (?:an? )?(?:answer|reply|"
        r"response|call) (?:today|now|immediately|right now|within the hour)\b"
    ),
    "named_person_only": re.compile(
        r"\b(?:i (?:will|'?ll) only (?:speak|talk|deal) (?:to|with)|"
        r"i (?:want|demand|insist on) (?:to speak to|speaking to|talking to) (?:the )?"
        r"(?:chief executive|ceo|director|head of \w+|managing director|chair)\b|"
        r"(?:nobody|no one|no-one) (?:else|but (?:the )?(?:chief executive|ceo|director|manager))"
        r"\b)"
    ),
    "discipline_staff": re.compile(
        r"\b(?:i (?:want|demand)|she|he|they|\w+) (?:\w+ ){0,3}(?:should|must|needs? to|want \w+ "
        r"to) be (?:sacked|fired|disciplined|suspended|struck off)\b|"
        r"\b(?:sack|fire|discipline|suspend) (?:her|him|them|that \w+|\w+ \w+) (?:now|today|"
        r"immediately)\b"
    ),
}


def demands_in(text: str) -> list[str]:
    """The kinds of unreasonable demand a text makes (empty for none)."""
    folded = fold(text).text
    return [kind for kind, pattern in DEMANDS.items() if pattern.search(folded)]


class DemandsDetector:
    """Flags the `repeats`-th demand within `within` (this contact's included)."""

    name: ClassVar[str] = "demands"

    def __init__(self, repeats: int = 3, within: timedelta = timedelta(days=30)) -> None:
        self.repeats = repeats
        self.within = within

    def check(self, text: str, at: datetime, history: History) -> list[Finding]:
        """A finding when this contact's demand is one too many."""
        kinds = demands_in(text)
        if not kinds:
            return []
        since = at - self.within
        earlier = sum(1 for c in history.before(at) if c.at >= since and demands_in(c.text))
        count = earlier + 1
        if count < self.repeats:
            return []
        return [
            Finding(
                category=Category.DEMANDS,
                rule=f"demands:{kinds[0]}",
                score=1.0,
                evidence=(
                    f"{count} demands in {self.within.days} days "
                    f"({', '.join(k.replace('_', ' ') for k in kinds)} in this one)"
                ),
            )
        ]
