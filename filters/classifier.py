"""The text classifier: the learned model and the swear-word list over one folded copy.

One object, built once from the config, used by the pipeline, `modbot scan`,
`modbot classify`, `modbot eval`, the replay and the benchmarks alike.

Each category's score is the learned model's calibrated probability (`filters/model.py`):
it reads words, word pairs and letter sequences in context (quoted, negated), so a
complaint that mentions a group, a victim quoting what was said to them or a report of a
threat received is not read as the thing itself, and an insult, threat or allegation worded
in a way nobody anticipated is still seen. Two kinds of exact evidence sit beside it:

* **swear words** (`filters/profanity.py`): profanity is a listed word, disguised or not
  (score `WORD_SCORE`), unless the model is sure the text is not swearing, as when the word
  is a name or a dog (never a word the landlord added). The model never makes profanity on
  its own, so `words.extra_profanity` and `words.allowed` mean exactly what they say;
* **a member of staff's personal details** (`filters/staff.py`): a configured staff name
  beside a phone number, e-mail, street address or registration is harassment.

Someone else's words reported by the person they were aimed at, and the writer's own contact
details, are set aside (`filters/voice.py`): a category's score is the lower of the whole
text's and the writer's own words'.

A category is flagged when its score reaches its threshold (config `thresholds`); a
finding is kept from `FINDING_FLOOR` so a decision can say why a near miss did not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from filters.base import TEXT_CATEGORIES, Category, Finding, reaches
from filters.model import DEFAULT_MODEL, Prepared, TextModel, prepare
from filters.normalise import Folded, fold
from filters.profanity import ProfanityFilter
from filters.service_issue import ServiceIssue, service_issues
from filters.staff import StaffDetails
from filters.voice import own_voice

# A model score is kept as a finding from here (below it, 0.0: an ordinary text does not
# list six near-zero "reasons" in its decision); only the threshold makes it count. A
# finding that counts also names the words behind it (with their places in the text): from
# its category's threshold when the classifier knows the thresholds, else from
# EXPLAIN_FLOOR; a near miss is shown by its score alone (finding the words is a third of
# the classifier's time).
FINDING_FLOOR = 0.3
EXPLAIN_FLOOR = 0.5
# A listed swear word's score: over every shipped profanity threshold.
WORD_SCORE = 0.95
# Under this profanity probability the model is sure the listed word is not swearing ("my
# dog is a bitch", "Dick from repairs"): the word's finding is dropped. Chosen by
# cross-validation (README, "Filters and how they were measured").
PROFANITY_VETO = 0.05
REASONS = 3


@dataclass(frozen=True, slots=True)
class Classification:
    """The findings for one text and the highest score in each text category."""

    text: str
    findings: tuple[Finding, ...]
    scores: Mapping[Category, float]
    issues: tuple[ServiceIssue, ...]

    def labels(self, thresholds: Mapping[Category, float]) -> list[Category]:
        """Categories whose score reaches its threshold, in the canonical order."""
        return [c for c in TEXT_CATEGORIES if reaches(self.scores.get(c, 0.0), c, thresholds)]

    def counted(self, thresholds: Mapping[Category, float]) -> list[Finding]:
        """Findings in categories that reach their threshold."""
        labels = set(self.labels(thresholds))
        return [f for f in self.findings if f.category in labels]


class TextClassifier:
    """The swear-word list, staff details and the learned model over one folded text.

    Args:
        profanity: the swear-word filter.
        model: the learned model, or None for the word list and staff details alone.
        staff: the staff-details rule (None: no staff names configured).
        explain_from: the thresholds from which a model finding names its words (None:
            `EXPLAIN_FLOOR` for every category).
    """

    def __init__(
        self,
        profanity: ProfanityFilter,
        model: TextModel | None = None,
        staff: StaffDetails | None = None,
        explain_from: Mapping[Category, float] | None = None,
    ) -> None:
        self.profanity = profanity
        self.model = model
        self.staff = staff
        self.explain_from = {
            c: max(EXPLAIN_FLOOR, (explain_from or {}).get(c, EXPLAIN_FLOOR))
            for c in TEXT_CATEGORIES
        }
        self.filters = tuple(f for f in (profanity, staff) if f is not None)

    @classmethod
    def build(
        cls,
        words_dir: Path,
        *,
        extra_profanity: Iterable[str] = (),
        allowed: Iterable[str] = (),
        staff_names: Iterable[str] = (),
        model: TextModel | Literal["shipped"] | None = "shipped",
        explain_from: Mapping[Category, float] | None = None,
    ) -> TextClassifier:
        """The shipped word list with the config's words, and the shipped model.

        Args:
            words_dir: the folder of word lists (`config/words/`).
            extra_profanity: more swear words to flag.
            allowed: words and phrases never to flag as swearing.
            staff_names: staff whose personal details must not be published.
            model: "shipped" for `filters/models/text-model.npz`, a model of your own, or
                None for the word list alone.
            explain_from: the config's thresholds, so only findings that count name words.
        """
        names = tuple(n for n in staff_names if n.strip())
        return cls(
            ProfanityFilter.curated(words_dir, extra_profanity, allowed),
            shipped_model() if model == "shipped" else model,
            StaffDetails(names) if names else None,
            explain_from,
        )

    def classify(self, text: str) -> Classification:
        """Findings, per-category scores and service topics for one text."""
        folded: Folded = fold(text)
        scores = {c: 0.0 for c in TEXT_CATEGORIES}
        findings: list[Finding] = []
        probabilities: Mapping[Category, float] = {}
        prepared: Prepared | None = None
        if self.model is not None:
            prepared = prepare(folded.text)
            probabilities = self.model.probabilities(prepared)
            own = own_voice(prepared.text)
            if own is not None:  # only the writer's own words carry a category
                alone = self.model.probabilities(Prepared(own))
                probabilities = {
                    c: p if c is Category.PROFANITY else min(p, alone[c])
                    for c, p in probabilities.items()
                }
        words = self.profanity.check(folded)
        if words and probabilities.get(Category.PROFANITY, 1.0) < PROFANITY_VETO:
            own = self.profanity.own  # the landlord's own words are never vetoed
            words = [w for w in words if w.rule.removeprefix("profanity:word:") in own]
        findings.extend(words)
        if self.staff is not None:
            findings.extend(self.staff.check(folded))
        for finding in findings:
            scores[finding.category] = max(scores[finding.category], finding.score)
        if prepared is not None:
            assert self.model is not None
            for category, probability in probabilities.items():
                if category is Category.PROFANITY:
                    continue  # only the veto above: swearing is what the word list says
                if probability >= FINDING_FLOOR and probability > scores[category]:
                    scores[category] = probability
                    findings.append(self._model_finding(folded, prepared, category, probability))
        findings.sort(key=lambda f: (f.spans[0].start if f.spans else -1, f.category.value))
        return Classification(text, tuple(findings), scores, tuple(service_issues(folded)))

    def _model_finding(
        self, folded: Folded, prepared: Prepared, category: Category, probability: float
    ) -> Finding:
        assert self.model is not None
        if probability < self.explain_from[category]:
            return Finding(category, f"{category.value}:model", round(probability, 4))
        reasons = self.model.reasons(prepared, category, REASONS)
        spans = sorted({(r.start, r.end) for r in reasons})
        named = [r.feature or folded.text[r.start : r.end] for r in reasons]
        return Finding(
            category=category,
            rule=f"{category.value}:model:" + ",".join(named),
            score=round(probability, 4),
            spans=tuple(folded.span(a, b) for a, b in spans),
            evidence="; ".join(folded.excerpt(a, b) for a, b in spans),
        )


@lru_cache(maxsize=2)
def shipped_model(path: Path = DEFAULT_MODEL) -> TextModel:
    """The shipped model, read once per process."""
    return TextModel.load(path)
