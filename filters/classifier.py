"""The text classifier: every text filter over one folded copy, scores per category.

One object, built once from the config, used by the pipeline, `modbot scan` and the
benchmarks alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain import TEXT_CATEGORIES, Category, Finding
from filters.abuse import AbuseFilter
from filters.allegation import AllegationFilter
from filters.base import TextFilter
from filters.discrimination import DiscriminationFilter
from filters.harassment import HarassmentFilter
from filters.normalise import Folded, fold
from filters.profanity import ProfanityFilter
from filters.service_issue import ServiceIssue, service_issues
from filters.threat import ThreatFilter


@dataclass(frozen=True, slots=True)
class Classification:
    """The findings for one text and the highest score in each text category."""

    text: str
    findings: tuple[Finding, ...]
    scores: Mapping[Category, float]
    issues: tuple[ServiceIssue, ...]

    def labels(self, thresholds: Mapping[Category, float]) -> list[Category]:
        """Categories whose score reaches its threshold, in the canonical order."""
        return [c for c in TEXT_CATEGORIES if self.scores.get(c, 0.0) >= thresholds.get(c, 1.0)]

    def counted(self, thresholds: Mapping[Category, float]) -> list[Finding]:
        """Findings in categories that reach their threshold."""
        labels = set(self.labels(thresholds))
        return [f for f in self.findings if f.category in labels]


class TextClassifier:
    """Runs every text filter over one folded copy of the text."""

    def __init__(self, filters: Sequence[TextFilter]) -> None:
        self.filters = tuple(filters)

    @classmethod
    def build(
        cls,
        words_dir: Path,
        *,
        extra_profanity: Iterable[str] = (),
        allowed: Iterable[str] = (),
        staff_names: Iterable[str] = (),
    ) -> TextClassifier:
        """The shipped filters with the config's word lists."""
        staff = tuple(staff_names)
        return cls(
            [
                ProfanityFilter.curated(words_dir, extra_profanity, allowed),
                AbuseFilter.shipped(words_dir, staff),
                ThreatFilter(),
                DiscriminationFilter.shipped(words_dir),
                AllegationFilter(),
                HarassmentFilter(staff),
            ]
        )

    def classify(self, text: str) -> Classification:
        """Findings, per-category scores and service topics for one text."""
        folded: Folded = fold(text)
        findings: list[Finding] = []
        for text_filter in self.filters:
            findings.extend(text_filter.check(folded))
        findings.sort(key=lambda f: (f.spans[0].start if f.spans else -1, f.category.value))
        scores = {c: 0.0 for c in TEXT_CATEGORIES}
        for finding in findings:
            if finding.score > scores[finding.category]:
                scores[finding.category] = finding.score
        return Classification(text, tuple(findings), scores, tuple(service_issues(folded)))
