"""The learned scorer: a linear model over words and word pairs, shipped as plain weights.

Word lists and rules are precise but only catch what someone thought to write down; the
scorer catches the rest of abuse, threats and hate from how people actually write. It is
trained by `tools/train_scorer.py` (scikit-learn: TF-IDF over `features`, one logistic
regression per category, Platt-calibrated on out-of-fold scores) and shipped as
`filters/models/scorer.json.gz`: the vocabulary with, per feature, its squared IDF and its
IDF-weighted coefficients. Scoring a text is then a few dictionary look-ups and sums, with
no scikit-learn import, no pickle (whose loading depends on the library version) and
nothing downloaded, and the same text always gets the same score.

Explainability: a score comes with the features that pushed it up most ("w=scum",
"b=watch your"), which the classifier turns into the finding's rule and spans.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from filters.base import Category

FORMAT = "modbot-linear-scorer/1"
DEFAULT_MODEL = Path(__file__).with_name("models") / "scorer.json.gz"
# The word tables below are data (filters/data/scorer-words.json), not code.
_WORDS = json.loads((Path(__file__).parent / "data" / "scorer-words.json").read_text("utf-8"))

# Words as the scorer sees them: letters, digits, the symbols of masked words, apostrophes.
WORD = re.compile(r"[a-z0-9@$*#][a-z0-9@$*#']*")


def tokens(folded_text: str) -> list[str]:
    """The scorer's words of an already folded (lower-case) text."""
    return WORD.findall(folded_text)


# Names of groups are one feature, "<group>": in the public training data nearly every
# sentence naming a group is hateful, and a model that learns "immigrants" or "gay" as hate
# flags "gay people are welcome here". Folded together, the words around the group decide.
# (Slurs are not here: a slur is hateful whoever says it, except a victim quoting it, which
# the context guards handle.)
GROUP = "<group>"
GROUP_WORDS = frozenset(_WORDS["group_words"])


# Spellings folded to one word, so what is learned from one counts for all: "u", "ya" and
# "ye" are "you"; "you're" is "you are"; links are "<url>"; @handles are left out (whom a
# post is addressed to says nothing about what it says).
SAME_AS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["same_as"].items()}
URL = "<url>"
# Negation: the words after "not", "no", "never", "n't" ... up to the end of the clause
# are marked ("~die"), so "no one deserves to die" does not count like "deserves to die".
NEGATORS = frozenset(_WORDS["negators"])
NEGATION_SCOPE = 6
# One pass finds links, words, and what ends a clause (which ends a negation).
_TOKEN = re.compile(r"(?:https?://|www\.)\S+|" + WORD.pattern + r"|[.!?;:,\n]")
_CLAUSE_END = frozenset(".!?;:,\n") | {"but"}


def tokens_at(folded_text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The scorer's words of a folded text, and where each is in it.

    Spellings are folded ("u" -> "you"), names of groups become `GROUP`, words after a
    negation are marked "~", links become `URL` and @handles are left out.
    """
    out: list[str] = []
    where: list[tuple[int, int]] = []
    negated = 0
    same_as = SAME_AS
    groups = GROUP_WORDS
    misspelt = GROUP_MISSPELT
    for match in _TOKEN.finditer(folded_text):
        word = match.group()
        if word in _CLAUSE_END:
            negated = 0
            if word != "but":
                continue
        first = word[0]
        if first == "@" and len(word) > 1:
            continue  # whom a post is addressed to says nothing about what it says
        span = match.span()
        if first in "hw" and word.startswith(("http", "www.")) and ("/" in word or "." in word):
            parts: tuple[str, ...] = (URL,)
        else:
            parts = same_as.get(word, (word,))
        for part in parts:
            if part in groups or part in misspelt:
                part = GROUP
            if negated:
                out.append("~" + part)
                negated -= 1
            else:
                out.append(part)
            where.append(span)
        if word in NEGATORS or word in _NT:
            negated = NEGATION_SCOPE
    return out, where


def _words(folded_text: str) -> list[str]:
    """`tokens_at` without the positions, in the fewest steps: every text is scored."""
    out: list[str] = []
    negated = 0
    mapped = _MAPPED
    negating = _NEGATING
    for word in _TOKEN.findall(folded_text):
        if word in _CLAUSE_END:
            negated = 0
            if word != "but":
                continue
        first = word[0]
        if first == "@" and len(word) > 1:
            continue
        if first in "hw" and word.startswith(("http", "www.")) and ("/" in word or "." in word):
            parts: tuple[str, ...] | None = (URL,)
        else:
            parts = mapped.get(word)
        if parts is None:
            if negated:
                out.append("~" + word)
                negated -= 1
            else:
                out.append(word)
        else:
            for part in parts:
                if negated:
                    out.append("~" + part)
                    negated -= 1
                else:
                    out.append(part)
        if word in negating:
            negated = NEGATION_SCOPE
    return out


_NT = frozenset(_WORDS["negating_contractions"])


# Names of groups as people misspell them to get past filters ("womn", "Muslm", "blck",
# "imigrants"): each name of five letters or more with one letter dropped or two swapped
# (never the first), less the real words that makes ("back", "refuge", "disable").
_MISSPELT_FROM = list(_WORDS["misspelt_from"])
_REAL_WORDS = frozenset(_WORDS["real_words"])


def _misspellings(word: str) -> set[str]:
    dropped = {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
    return (dropped | swapped) - {word}


GROUP_MISSPELT = frozenset(
    v
    for w in _MISSPELT_FROM
    for v in _misspellings(w)
    if v not in _REAL_WORDS and v not in GROUP_WORDS and len(v) >= 4
)


# What a token becomes when it is not itself: a spelling folded, or a group's name.
_MAPPED: dict[str, tuple[str, ...]] = {
    **{w: (GROUP,) for w in GROUP_WORDS | GROUP_MISSPELT},
    **SAME_AS,
}
_NEGATING = NEGATORS | _NT


def features(folded_text: str) -> list[str]:
    """The scorer's features: each word ("w=...") and each pair of adjacent words ("b=...").

    Training (through scikit-learn's vectoriser) and scoring both call this one function,
    so they cannot drift apart.
    """
    return _features(_words(folded_text))


def _features(words: list[str]) -> list[str]:
    out = ["w=" + w for w in words]
    out += ["b=" + a + " " + b for a, b in pairwise(words)]
    return out


class Analysis:
    """A folded text as the scorer reads it: its words, features, and where the words are.

    The places are found only when a finding needs them.
    """

    __slots__ = ("_features", "_where", "text", "words")

    def __init__(self, text: str, words: list[str]) -> None:
        self.text = text
        self.words = words
        self._features: list[str] | None = None
        self._where: list[tuple[int, int]] | None = None

    @classmethod
    def of(cls, folded_text: str) -> Analysis:
        """Read one folded text."""
        return cls(folded_text, _words(folded_text))

    @property
    def features(self) -> list[str]:
        """The scorer's features of the text, as `features` gives them."""
        if self._features is None:
            self._features = _features(self.words)
        return self._features

    @property
    def where(self) -> list[tuple[int, int]]:
        """For each word, its range in the folded text."""
        if self._where is None:
            self._where = tokens_at(self.text)[1]
        return self._where

    def span(self, feature: str) -> tuple[int, int] | None:
        """Where in the folded text a feature ("w=scum", "b=you lot") first occurs."""
        parts = feature[2:].split(" ")
        words = self.words
        for i in range(len(words) - len(parts) + 1):
            if words[i] == parts[0] and words[i : i + len(parts)] == parts:
                return self.where[i][0], self.where[i + len(parts) - 1][1]
        return None


# Words that carry no meaning of their own: a feature made only of these explains nothing.
FUNCTION_WORDS = frozenset(_WORDS["function_words"])


def has_content(feature: str, *, group: bool = False) -> bool:
    """Whether a feature ("w=scum", "b=you are") has a word that is not a function word.

    The name of a group counts as a function word too unless `group`: naming a group is
    a reason to call a text hateful (where a hostile word was also found), never abusive.
    """
    return any(
        w.lstrip("~") not in FUNCTION_WORDS and (group or w.lstrip("~") != GROUP)
        for w in feature[2:].split(" ")
    )


@dataclass(frozen=True, slots=True)
class Score:
    """The scorer's probability for one category and the features behind it."""

    probability: float
    strongest: tuple[str, ...]


class LinearScorer:
    """Per-category probabilities from a shipped linear model.

    Args:
        categories: the categories, in the order of each feature's weights.
        table: feature -> (squared IDF, IDF-weighted coefficient per category).
        intercepts: per category, the model's intercept.
        calibration: per category, Platt scaling (a, b): p = 1 / (1 + exp(-(a * z + b))).
    """

    def __init__(
        self,
        categories: Sequence[Category],
        table: Mapping[str, Sequence[float]],
        intercepts: Sequence[float],
        calibration: Sequence[tuple[float, float]],
        normalise: bool = True,
    ) -> None:
        self.categories = tuple(categories)
        self.normalise = normalise
        self.table = {k: tuple(v) for k, v in table.items()}
        self.intercepts = tuple(intercepts)
        self.calibration = tuple(calibration)
        # The same weights as one array, row per feature, for a vectorised sum.
        self._index = {name: row for row, name in enumerate(self.table)}
        # The same rows by word and by pair of words, so scoring a text looks its words up
        # without spelling out each feature's name.
        self._unigrams: dict[str, int] = {}
        self._bigrams: dict[str, dict[str, int]] = {}
        for name, row in self._index.items():
            if name.startswith("w="):
                self._unigrams[name[2:]] = row
            else:
                first, _, second = name[2:].partition(" ")
                self._bigrams.setdefault(first, {})[second] = row
        self._weights = np.array(list(self.table.values()), dtype=np.float64).reshape(
            len(self.table), len(self.categories) + 1
        )
        # Per category, the features that can explain a finding: raising the score, with a
        # word of content (see `strongest`).
        self._reasons = {
            category: {
                f: w[i + 1]
                for f, w in self.table.items()
                if w[i + 1] > 0 and has_content(f, group=category is Category.DISCRIMINATION)
            }
            for i, category in enumerate(self.categories)
        }

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> LinearScorer:
        """Read a model written by `tools/train_scorer.py`.

        Raises:
            ValueError: the file is not a scorer model of this format.
        """
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} model (format {data.get('format')!r})")
        return cls(
            [Category(c) for c in data["categories"]],
            data["features"],
            data["intercepts"],
            [tuple(x) for x in data["calibration"]],
            data.get("normalise", True),
        )

    def score(self, folded_text: str | Analysis, *, explain: int = 3) -> dict[Category, Score]:
        """Probabilities per category for one folded text.

        Args:
            folded_text: the text as `filters.normalise.fold` returns it, or its `Analysis`.
            explain: how many of the strongest features to name per category.
        """
        analysis = _analysis(folded_text)
        result = {
            c: Score(p, ())
            for c, p in zip(self.categories, self.probabilities(analysis), strict=True)
        }
        if explain:
            result = {c: self._explained(analysis, c, s, explain) for c, s in result.items()}
        return result

    def probabilities(self, analysis: Analysis) -> list[float]:
        """The probability of each of `categories`, in order, for an analysed text."""
        unigrams = self._unigrams
        bigrams = self._bigrams
        found: set[int] = set()
        words = analysis.words
        previous = None
        for word in words:
            row = unigrams.get(word)
            if row is not None:
                found.add(row)
            if previous is not None:
                row = previous.get(word)
                if row is not None:
                    found.add(row)
            previous = bigrams.get(word)
        rows = list(found)
        if not rows:
            sums = [0.0] * len(self.categories)
            scale = 0.0
        else:
            total = self._weights[rows].sum(axis=0).tolist()
            norm, sums = total[0], total[1:]
            scale = (1.0 / math.sqrt(norm) if norm else 0.0) if self.normalise else 1.0
        out = []
        for z0, weighted, (a, b) in zip(self.intercepts, sums, self.calibration, strict=True):
            out.append(1.0 / (1.0 + math.exp(-(a * (z0 + weighted * scale) + b))))
        return out

    def strongest(
        self, folded_text: str | Analysis, category: Category, n: int = 3
    ) -> tuple[str, ...]:
        """The `n` features present in the text that raise `category`'s score most.

        Only features with a word of content count: "w=should" or "b=you are" explain
        nothing to a reader, and a score that rests on them alone is not a finding.
        """
        reasons = self._reasons[category]
        present = [f for f in dict.fromkeys(_analysis(folded_text).features) if f in reasons]
        present.sort(key=reasons.__getitem__, reverse=True)
        return tuple(present[:n])

    def _explained(self, folded_text: Analysis, category: Category, score: Score, n: int) -> Score:
        if score.probability < 0.3:  # nobody reads why a text was *not* flagged
            return score
        return Score(score.probability, self.strongest(folded_text, category, n))


def _analysis(folded_text: str | Analysis) -> Analysis:
    return folded_text if isinstance(folded_text, Analysis) else Analysis.of(folded_text)
