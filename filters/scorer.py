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

from bot.domain import Category

FORMAT = "modbot-linear-scorer/1"
DEFAULT_MODEL = Path(__file__).with_name("models") / "scorer.json.gz"

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
GROUP_WORDS = frozenset(
    [
        "women",
        "woman",
        "female",
        "females",
        "girls",
        "girl",
        "gay",
        "gays",
        "lesbian",
        "lesbians",
        "bisexual",
        "trans",
        "transgender",
        "muslim",
        "muslims",
        "islam",
        "islamic",
        "jew",
        "jews",
        "jewish",
        "black",
        "blacks",
        "asian",
        "asians",
        "immigrant",
        "immigrants",
        "immigration",
        "refugee",
        "refugees",
        "migrant",
        "migrants",
        "disabled",
        "foreigner",
        "foreigners",
        "foreign",
        "christian",
        "christians",
        "hindu",
        "hindus",
        "sikh",
        "sikhs",
        "arab",
        "arabs",
        "african",
        "africans",
        "polish",
        "poles",
        "romanian",
        "romanians",
        "gypsy",
        "gypsies",
        "traveller",
        "travellers",
        "roma",
        "mexican",
        "mexicans",
        "chinese",
        "indian",
        "indians",
        "pakistani",
        "pakistanis",
        "somali",
        "somalis",
        "nigerian",
        "nigerians",
        "irish",
        "kurdish",
        "deaf",
        "blind",
        "autistic",
        "lgbt",
        "lgbtq",
        "homosexual",
        "homosexuals",
    ]
)


def features(folded_text: str) -> list[str]:
    """The scorer's features: each word ("w=...") and each pair of adjacent words ("b=...").

    Training (through scikit-learn's vectoriser) and scoring both call this one function,
    so they cannot drift apart.
    """
    words = [GROUP if w in GROUP_WORDS else w for w in WORD.findall(folded_text)]
    out = ["w=" + w for w in words]
    out += ["b=" + a + " " + b for a, b in pairwise(words)]
    return out


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
    ) -> None:
        self.categories = tuple(categories)
        self.table = {k: tuple(v) for k, v in table.items()}
        self.intercepts = tuple(intercepts)
        self.calibration = tuple(calibration)
        # The same weights as one array, row per feature, for a vectorised sum.
        self._index = {name: row for row, name in enumerate(self.table)}
        self._weights = np.array(list(self.table.values()), dtype=np.float64).reshape(
            len(self.table), len(self.categories) + 1
        )

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
        )

    def score(self, folded_text: str, *, explain: int = 3) -> dict[Category, Score]:
        """Probabilities per category for one folded text.

        Args:
            folded_text: the text as `filters.normalise.fold` returns it.
            explain: how many of the strongest features to name per category.
        """
        index = self._index
        rows = [index[f] for f in set(features(folded_text)) if f in index]
        if rows:
            total = self._weights[rows].sum(axis=0)
            norm, sums = float(total[0]), total[1:].tolist()
        else:
            norm, sums = 0.0, [0.0] * len(self.categories)
        scale = 1.0 / math.sqrt(norm) if norm else 0.0
        result: dict[Category, Score] = {}
        for index, category in enumerate(self.categories):
            z = self.intercepts[index] + sums[index] * scale
            a, b = self.calibration[index]
            probability = 1.0 / (1.0 + math.exp(-(a * z + b)))
            result[category] = Score(probability, ())
        if explain:
            result = {c: self._explained(folded_text, c, s, explain) for c, s in result.items()}
        return result

    def strongest(self, folded_text: str, category: Category, n: int = 3) -> tuple[str, ...]:
        """The `n` features present in the text that raise `category`'s score most."""
        index = self.categories.index(category) + 1
        present = [f for f in dict.fromkeys(features(folded_text)) if f in self.table]
        ranked = sorted(present, key=lambda f: self.table[f][index], reverse=True)
        return tuple(f for f in ranked[:n] if self.table[f][index] > 0)

    def _explained(self, folded_text: str, category: Category, score: Score, n: int) -> Score:
        if score.probability < 0.3:  # nobody reads why a text was *not* flagged
            return score
        return Score(score.probability, self.strongest(folded_text, category, n))
