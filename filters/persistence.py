"""Unreasonable persistence: an answered issue raised again without new information.

Chasing an issue nobody has answered is not persistence: the landlord has not done its job,
and "Day 23, still waiting" is an acceptable complaint under every policy. Only contacts
that repeat (near-duplicate, by rapidfuzz) something we had already answered count, and only
when that has happened repeatedly.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rapidfuzz import fuzz, utils

from filters.base import Category, Finding
from filters.history import History


class PersistenceDetector:
    """Flags a contact repeating an already-answered issue for the `repeats`-th time."""

    name: ClassVar[str] = "persistence"

    def __init__(self, similarity: float = 85.0, repeats: int = 2) -> None:
        self.similarity = similarity
        self.repeats = repeats

    def check(self, text: str, at: datetime, history: History) -> list[Finding]:
        """A finding when this contact repeats an answered issue often enough."""
        earlier = history.before(at)
        text = utils.default_process(text)
        if len(text) < 20:
            return []  # too short to tell one issue from another
        similar = [
            c
            for c in earlier
            if fuzz.token_set_ratio(text, utils.default_process(c.text)) >= self.similarity
        ]
        answered = [c for c in similar if c.answered_at is not None]
        if not answered:
            return []
        first_answer = min(c.answered_at for c in answered if c.answered_at is not None)
        repeats = 1 + sum(1 for c in similar if c.at > first_answer)
        if repeats < self.repeats:
            return []
        return [
            Finding(
                category=Category.PERSISTENCE,
                rule="persistence:repeat-after-answer",
                score=1.0,
                evidence=(
                    f"the same issue raised {repeats} times since it was answered on "
                    f"{first_answer:%d %b %Y}, without new information"
                ),
            )
        ]
