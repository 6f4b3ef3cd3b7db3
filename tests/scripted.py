"""A text classifier for tests that answers from a script, not from the text filters.

Tests of the policy (what each profile does with abuse, a threat, a repair issue) must not
depend on the filters' exact scores, which another piece of work tunes: each scripted text
gets the categories and service topics the test says, at a score well over any threshold.
Built on the real `Classification`, so the engine and the pipeline see exactly what the real
classifier would give them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from filters.base import TEXT_CATEGORIES, Category, Finding
from filters.classifier import Classification
from filters.normalise import Span
from filters.service_issue import ServiceIssue

SCORE = 0.99


class ScriptedClassifier:
    """Classifies each scripted text as scripted; anything else as acceptable."""

    def __init__(self, script: Mapping[str, tuple[Iterable[Category], Iterable[str]]]) -> None:
        self.script = {text: (tuple(c), tuple(t)) for text, (c, t) in script.items()}

    def classify(self, text: str) -> Classification:
        """The scripted categories (with one finding each) and service topics for `text`."""
        categories, topics = self.script.get(text, ((), ()))
        findings = tuple(
            Finding(c, f"scripted:{c.value}", SCORE, (Span(0, len(text)),), text[:40])
            for c in categories
        )
        scores = {c: (SCORE if c in categories else 0.0) for c in TEXT_CATEGORIES}
        issues = tuple(ServiceIssue(topic, topic) for topic in topics)
        return Classification(text, findings, scores, issues)
