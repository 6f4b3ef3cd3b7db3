"""The filter interface, and the words filters speak: categories and findings.

Text filters take text and return findings; behaviour detectors take one contact's text and
time and a history snapshot. Nothing is read, written or remembered, so the same input always
gives the same findings: `modbot scan`, the pipeline, `modbot replay` and the benchmarks all
call exactly the same code. Nothing in `filters/` imports the bot.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from filters.history import History
from filters.normalise import Folded, Span


class Category(enum.StrEnum):
    """What a finding says is wrong with a contact.

    The first six are text categories (shared/data/README.md); the last three are behaviour
    categories that come from a person's history, not from one text.
    """

    PROFANITY = "profanity"
    ABUSE = "abuse"
    THREAT = "threat"
    DISCRIMINATION = "discrimination"
    ALLEGATION = "allegation"
    HARASSMENT = "harassment"
    EXCESSIVE_CONTACT = "excessive_contact"
    PERSISTENCE = "persistence"
    DEMANDS = "demands"

    @property
    def is_behaviour(self) -> bool:
        """Whether this category is about a pattern of contact rather than one text."""
        return self in BEHAVIOUR_CATEGORIES


TEXT_CATEGORIES: tuple[Category, ...] = (
    Category.PROFANITY,
    Category.ABUSE,
    Category.THREAT,
    Category.DISCRIMINATION,
    Category.ALLEGATION,
    Category.HARASSMENT,
)
BEHAVIOUR_CATEGORIES: frozenset[Category] = frozenset(
    {Category.EXCESSIVE_CONTACT, Category.PERSISTENCE, Category.DEMANDS}
)


def reaches(score: float, category: Category, thresholds: Mapping[Category, float]) -> bool:
    """Whether a score counts: it reaches its category's threshold.

    The one statement of the rule, used by the classifier, the policy engine and the review
    queue (the store's SQL form is `bot.storage.queries.reaching_threshold`). Every text
    category has a threshold, since the config refuses a file without one, so a missing one
    is a fault in the caller (KeyError), never quietly counted or ignored.
    """
    return score >= thresholds[category]


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found in one contact (or in a person's recent history).

    `evidence` is the matched text or a short description of the pattern; `rule` names the
    rule or feature so a comms officer can see *why* it fired.
    """

    category: Category
    rule: str
    score: float
    spans: tuple[Span, ...] = ()
    evidence: str = ""


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

    def check(self, text: str, at: datetime, history: History) -> list[Finding]:
        """Return the findings for the contact (`text`, sent `at`) given what came before."""
        ...
