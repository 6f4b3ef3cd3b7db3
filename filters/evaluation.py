"""Scoring the filters against labelled rows: the figures `modbot eval` prints.

Kept pure (rows and predicted labels in, numbers out) so the CLI, the training script's
cross-validation and the tests all compute the figures the same way.

Conventions follow `shared/data/README.md`: a row's category counts as found only if it is
among the labels we give; `acceptable` rows are the only rows known to carry no other label,
so they are the base of every false-positive rate. Labels in `dev.jsonl` are "at least
these", which makes per-category precision there a lower bound.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from filters.base import TEXT_CATEGORIES

ACCEPTABLE = "acceptable"
CATEGORY_NAMES: tuple[str, ...] = tuple(c.value for c in TEXT_CATEGORIES)
# The sources in dev.jsonl whose acceptable rows are real customer complaints to a company:
# tweets to brands, tweets to @SpotifyCares, and CFPB consumer-finance narratives.
COMPLAINT_SOURCES: frozenset[str] = frozenset({"complaints_preotiuc", "twcs_spotifycares", "cfpb"})
REAL_COMPLAINTS = (
    "false-positive rate on real complaints: acceptable rows from "
    + ", ".join(sorted(COMPLAINT_SOURCES))
    + " flagged with any label"
)


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One labelled text: its id, source and the labels it carries."""

    id: str
    source: str
    labels: frozenset[str]

    @property
    def acceptable(self) -> bool:
        """Whether the row is labelled acceptable (and so carries no other label)."""
        return ACCEPTABLE in self.labels


@dataclass(frozen=True, slots=True)
class Rate:
    """A count over a total, with the ratio (0.0 when the total is 0)."""

    count: int
    total: int

    @property
    def value(self) -> float:
        """The share: count divided by total."""
        return self.count / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 from true positives, false positives and false negatives."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Of the rows flagged, the share that carry the label (0.0 when none flagged)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Of the rows that carry the label, the share flagged (0.0 when none do)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """How many rows carry the label."""
        return self.tp + self.fn


@dataclass(frozen=True)
class Report:
    """Every figure `modbot eval` shows."""

    rows: int
    per_category: Mapping[str, PRF]
    any_unacceptable: PRF
    acceptable_fpr: Rate
    fpr_by_source: Mapping[str, Rate]
    complaints_fpr: Rate

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready figures, rounded to four places."""

        def prf(x: PRF) -> dict[str, float | int]:
            return {
                "precision": round(x.precision, 4),
                "recall": round(x.recall, 4),
                "f1": round(x.f1, 4),
                "support": x.support,
                "tp": x.tp,
                "fp": x.fp,
                "fn": x.fn,
            }

        def rate(x: Rate) -> dict[str, float | int]:
            return {"rate": round(x.value, 4), "flagged": x.count, "rows": x.total}

        return {
            "rows": self.rows,
            "per_category": {c: prf(v) for c, v in self.per_category.items()},
            "any_unacceptable": prf(self.any_unacceptable),
            "fpr_acceptable": rate(self.acceptable_fpr),
            "fpr_acceptable_by_source": {s: rate(v) for s, v in self.fpr_by_source.items()},
            "fpr_real_complaints": {
                **rate(self.complaints_fpr),
                "definition": REAL_COMPLAINTS,
            },
        }


def evaluate(rows: Sequence[LabelledRow], predicted: Iterable[Iterable[str]]) -> Report:
    """Compare predicted labels with the rows' labels.

    Args:
        rows: the labelled rows.
        predicted: for each row, in the same order, the categories we flagged (empty for
            acceptable).

    Returns:
        Per-category precision/recall/F1, any-unacceptable P/R/F1 and false-positive rates.
    """
    counts = {c: [0, 0, 0] for c in CATEGORY_NAMES}
    any_counts = [0, 0, 0]
    fp_by_source: Counter[str] = Counter()
    acceptable_by_source: Counter[str] = Counter()
    n = 0
    for row, labels in zip(rows, predicted, strict=True):
        n += 1
        flagged = set(labels)
        for category in CATEGORY_NAMES:
            truth, said = category in row.labels, category in flagged
            if truth and said:
                counts[category][0] += 1
            elif said:
                counts[category][1] += 1
            elif truth:
                counts[category][2] += 1
        if row.acceptable:
            acceptable_by_source[row.source] += 1
            if flagged:
                any_counts[1] += 1
                fp_by_source[row.source] += 1
        elif flagged:
            any_counts[0] += 1
        else:
            any_counts[2] += 1
    complaints_total = sum(acceptable_by_source[s] for s in COMPLAINT_SOURCES)
    complaints_fp = sum(fp_by_source[s] for s in COMPLAINT_SOURCES)
    return Report(
        rows=n,
        per_category={c: PRF(*v) for c, v in counts.items()},
        any_unacceptable=PRF(*any_counts),
        acceptable_fpr=Rate(sum(fp_by_source.values()), sum(acceptable_by_source.values())),
        fpr_by_source={
            s: Rate(fp_by_source[s], total) for s, total in sorted(acceptable_by_source.items())
        },
        complaints_fpr=Rate(complaints_fp, complaints_total),
    )
