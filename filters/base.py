"""The filter interface: text in, findings out; nothing read, written or remembered.

Each filter is pure so the same text always gives the same findings: `modbot scan`, the
pipeline, `modbot replay` and the benchmarks all call exactly the same code.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from bot.domain import Contact, Finding
from filters.history import History
from filters.normalise import Folded


@runtime_checkable
class TextFilter(Protocol):
    """Finds one or more categories of unacceptable content in one text."""

    name: ClassVar[str]

    def check(self, folded: Folded) -> list[Finding]:
        """Return the findings in `folded` (spans point into `folded.original`)."""
        ...


@runtime_checkable
class BehaviourDetector(Protocol):
    """Finds a pattern in a person's contacts: fed a history snapshot, never the store."""

    name: ClassVar[str]

    def check(self, contact: Contact, history: History) -> list[Finding]:
        """Return the findings for `contact` given what came before it."""
        ...
