"""The learned text model: per category, how likely a text is to be unacceptable.

A calibrated linear model (one logistic regression per category) over what a text says and
how it is spelt:

* **words and word pairs** of the folded text (`filters/normalise.py`), so "you are" and
  "are scum" count, not only "scum";
* **character n-grams** (3 to 5 letters) of each word, so a misspelling or an evasion
  ("scumbaggg", "thr3at", "f-ing") shares most of its features with the word it hides;
* **context**: a word inside quotation marks is also seen as quoted ("q:"), a word
  after "not", "never", "don't"... up to the end of its clause as negated ("n:"), and a word
  after "he said", "she shouted"... as reported ("r:"), so "she called me a 'scrounger'",
  "no one deserves to die" and "he shouted that he'd kill my dog" are not read like the
  insult, the wish or the threat itself; a group's name (data/groups.txt) counts only with
  the words around it;
* **structure** any text can have, as placeholder words: links, @handles, phone numbers,
  e-mail addresses, postcodes, street addresses, vehicle registrations, money and times.
  Publishing a member of staff's number is harassment whatever the number.

Features are hashed into a fixed number of buckets (`zlib.crc32`, the same on every
machine), so the model needs no vocabulary file and reads words it never saw in training
through their letters. Training (`tools/train_model.py`) and scoring call the same
`features` function, so they cannot drift apart. The weights ship in
`filters/models/text-model.npz`; loading needs only numpy.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from filters.base import Category
from filters.phrases import PhraseModel

FORMAT = "modbot-text-model/1"
DEFAULT_MODEL = Path(__file__).with_name("models") / "text-model.npz"
PHRASES_FILE = "phrase-model.npz"
BUCKETS = 1 << 20
CHAR_GRAMS = (3, 4, 5)
SKIP = 2  # word pairs with up to this many words between them

# Structure, replaced by a placeholder word before tokenising (written from what the
# categories are about, not from any text): what matters is that a phone number or an
# address was given, not which one.
_LETTER_DIGIT = re.compile(r"[a-z]\d")
_DIGIT_WORD = re.compile(r"\d\s+[a-z]")
_PLACEHOLDERS: tuple[tuple[str, Callable[[str], bool], re.Pattern[str]], ...] = (
    # (placeholder, a cheap test without which the pattern cannot match, pattern)
    (
        "xurlx",
        lambda t: "://" in t or "www." in t or "/" in t,
        re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|co\.uk|org|net)/\S*"),
    ),
    ("xemailx", lambda t: "@" in t, re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("xuserx", lambda t: "@" in t, re.compile(r"(?<![\w@])@\w+")),
    (
        "xphonex",
        lambda t: sum(ch.isdigit() for ch in t) >= 10,
        re.compile(r"(?<!\w)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\w)"),
    ),
    ("xpostcodex", _LETTER_DIGIT.search, re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b")),
    ("xregx", _LETTER_DIGIT.search, re.compile(r"\b[a-z]{2}\d{2}\s?[a-z]{3}\b")),
    (
        "xaddressx",
        _DIGIT_WORD.search,
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:[a-z'-]+\s+){1,3}?(?:road|rd|street|st|avenue|ave|close|"
            r"lane|ln|drive|dr|way|court|ct|crescent|terrace|place|gardens|grove|walk|row|"
            r"view|mews|square|hill|park|rise|green|parade|wynd|vale)\b"
        ),
    ),
    (
        "xmoneyx",
        lambda t: "£" in t or "quid" in t or "pound" in t or "grand" in t,
        re.compile(r"£\s?\d[\d,.]*k?|\b\d[\d,.]*\s?(?:quid|pounds|grand)\b"),
    ),
    (
        "xtimex",
        lambda t: ":" in t or "am" in t or "pm" in t,
        re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b"),
    ),
)


def _groups() -> re.Pattern[str]:
    """One pattern for every group name, longest first, as whole words."""
    names = [
        line.strip()
        for line in (Path(__file__).parent / "data" / "groups.txt").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len)[::-1]
    )
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")


# A group of people named by a protected characteristic reads as one word (data/groups.txt).
_PLACEHOLDERS = (*_PLACEHOLDERS, ("xgroupx", lambda t: True, _groups()))
PLACEHOLDER_WORDS = frozenset(word for word, _, _ in _PLACEHOLDERS)
_NO_DIGIT = frozenset({"xurlx", "xemailx", "xuserx", "xgroupx"})  # the rest need a digit
_TOKEN = re.compile(r"[a-z0-9$*#@][a-z0-9@$*#'’]*|[\"“”«»]|(?<![a-z0-9])'|'(?![a-z0-9])|[.!?;:,\n]")
_CLAUSE_END = frozenset(".!?;:,\n") | {"but"}
_QUOTES_OPEN = frozenset("\"“«'")
_QUOTES_CLOSE = frozenset("\"”»'")
NEGATORS = frozenset(
    [
     "not", "no", "never", "nobody", "noone", "none", "nothing", "neither", "nor", "without",
     "cannot", "aint", "ain't", "dont", "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt",
     "isn't", "arent", "aren't", "wasnt", "wasn't", "werent", "weren't", "wont", "won't", "cant",
     "can't", "couldnt", "couldn't", "shouldnt", "shouldn't", "wouldnt", "wouldn't", "havent",
     "haven't", "hasnt", "hasn't", "hadnt", "hadn't", "mustnt", "mustn't", "neednt", "needn't",
    ]
)  # fmt: skip
NEGATION_SCOPE = 6
# Someone else's words reported by the writer ("he shouted that he'd kill my dog"): a
# reporting verb after a third person marks the rest of its clause as reported ("r:"), so a
# victim telling the landlord what was said reads differently from the saying of it.
REPORTING = frozenset(
    [
     "said", "says", "saying", "shouted", "shouting", "yelled", "screamed", "threatened",
     "told", "tells", "telling", "called", "texted", "wrote", "messaged", "posted", "claimed",
     "reckons", "reckoned", "warned", "muttered", "swore",
    ]
)  # fmt: skip
REPORTERS = frozenset(
    [
     "he", "she", "they", "someone", "somebody", "neighbour", "neighbours", "man", "woman",
     "guy", "bloke", "lad", "lads", "kids", "tenant", "resident", "caller", "person", "people",
     "ex", "husband", "wife", "partner", "boyfriend", "girlfriend", "he'd", "she'd", "they'd",
     "he's", "she's", "they've", "who",
    ]
)  # fmt: skip
REPORT_SCOPE = 10


@dataclass(frozen=True, slots=True)
class Prepared:
    """A folded text with structure replaced by placeholder words, and the way back.

    `swaps` holds, for each placeholder, its range here and the range of the folded text
    it replaced, so an explanation can point at what the person wrote.
    """

    text: str
    swaps: tuple[tuple[int, int, int, int], ...] = ()

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The range of the folded text behind [start, end) of the prepared text."""
        return self._point(start, end=False), self._point(end, end=True)

    def _point(self, at: int, *, end: bool) -> int:
        shift = 0
        for p_start, p_end, f_start, f_end in self.swaps:
            if at < p_start or (end and at == p_start):
                break
            if at < p_end or (end and at == p_end):  # within a placeholder: all it replaced
                return f_end if end else f_start
            shift = f_end - p_end
        return at + shift


def prepare(folded_text: str) -> Prepared:
    """The folded text with structure replaced by placeholder words."""
    digits = any(ch.isdigit() for ch in folded_text)
    spans: list[tuple[int, int, str]] = []
    for word, possible, pattern in _PLACEHOLDERS:
        if (word not in _NO_DIGIT and not digits) or not possible(folded_text):
            continue
        for match in pattern.finditer(folded_text):
            a, b = match.span()
            if all(b <= x or y <= a for x, y, _ in spans):  # the earlier kind wins
                spans.append((a, b, word))
    if not spans:
        return Prepared(folded_text)
    spans.sort()
    parts: list[str] = []
    swaps: list[tuple[int, int, int, int]] = []
    at = 0
    length = 0
    for a, b, word in spans:
        parts.append(folded_text[at:a])
        length += a - at
        piece = f" {word} "
        parts.append(piece)
        swaps.append((length, length + len(piece), a, b))
        length += len(piece)
        at = b
    parts.append(folded_text[at:])
    return Prepared("".join(parts), tuple(swaps))


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of a prepared text, where each is, and its context marks."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    quoted: list[bool]
    negated: list[bool]
    reported: list[bool]

    def __len__(self) -> int:
        return len(self.words)


def tokens(prepared: str, *, where: bool = False) -> Tokens:
    """The words of a prepared text, each marked quoted, negated and/or reported where it is.

    `where` also records each word's range (for explanations; scoring needs no ranges).
    """
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    quotes: list[bool] = []
    negations: list[bool] = []
    reports: list[bool] = []
    quoted = False
    negated = 0
    reported = 0
    pieces = _TOKEN.finditer(prepared) if where else _TOKEN.findall(prepared)
    for found in pieces:
        piece = found.group() if where else found
        if len(piece) == 1 and not piece.isalnum():
            if piece in _QUOTES_OPEN and not quoted:
                quoted = True
            elif piece in _QUOTES_CLOSE and quoted:
                quoted = False
            elif piece in _CLAUSE_END:
                negated = reported = 0
                if piece == "\n":
                    quoted = False
            continue
        if piece == "but":
            negated = 0
        word = piece.replace("’", "'")
        words.append(word)
        if where:
            starts.append(found.start())
            ends.append(found.end())
        quotes.append(quoted)
        negations.append(negated > 0)
        reports.append(reported > 0)
        if word in NEGATORS:
            negated = NEGATION_SCOPE
        elif negated:
            negated -= 1
        if word in REPORTING and any(w in REPORTERS for w in words[-3:-1]):
            reported = REPORT_SCOPE
        elif reported:
            reported -= 1
    return Tokens(words, starts, ends, quotes, negations, reports)


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


# Features of word pairs and marked words are hashed from the words' own hashes (integer
# arithmetic, no string per pair): the same function for training and scoring.
_M1 = 0x9E3779B97F4A7C15
_M2 = 0xC2B2AE3D27D4EB4F
_M3 = 0x165667B19E3779F9
QUOTED, NEGATED, PAIR, QUOTED_PAIR, GAP, REPORTED = 1, 2, 3, 4, 5, 6
_KIND = {k: k * _M3 for k in (QUOTED, NEGATED, PAIR, QUOTED_PAIR, GAP, REPORTED)}


def _mix(first: int, second: int, kind: int) -> int:
    """The bucket of a kind of feature over one word's hash (second=0) or a pair's."""
    x = (first * _M1) ^ (second * _M2) ^ (kind * _M3)
    return (x ^ (x >> 29)) & (BUCKETS - 1)


_WORD_CACHE: dict[str, tuple[int, tuple[int, ...]]] = {}
_WORD_CACHE_LIMIT = 200_000


def _word(word: str) -> tuple[int, tuple[int, ...]]:
    """A word's hash, and the buckets of the word on its own and its character n-grams."""
    found = _WORD_CACHE.get(word)
    if found is None:
        # A group's name gives no feature of its own, only in pairs with its neighbours:
        # "gay" alone, or "my son is gay", is about nobody's conduct.
        grams = set() if word == "xgroupx" else {_bucket("w:" + word)}
        if word not in PLACEHOLDER_WORDS:
            padded = f"<{word}>"
            grams.update(
                _bucket("c:" + padded[i : i + n])
                for n in CHAR_GRAMS
                for i in range(len(padded) - n + 1)
            )
        found = (zlib.crc32(word.encode()), tuple(grams))
        if len(_WORD_CACHE) >= _WORD_CACHE_LIMIT:
            _WORD_CACHE.clear()
        _WORD_CACHE[word] = found
    return found


def _occurrences(toks: Tokens) -> Iterator[tuple[int, int, int]]:
    """Every feature occurrence of a text: (bucket, first token, last token it covers)."""
    hashes = []
    for i, word in enumerate(toks.words):
        h, grams = _word(word)
        hashes.append(h)
        for bucket in grams:
            yield bucket, i, i
        if toks.quoted[i]:
            yield _mix(h, 0, QUOTED), i, i
        if toks.negated[i]:
            yield _mix(h, 0, NEGATED), i, i
        if toks.reported[i]:
            yield _mix(h, 0, REPORTED), i, i
    for i in range(len(toks) - 1):
        yield _mix(hashes[i], hashes[i + 1], PAIR), i, i + 1
        if toks.quoted[i] and toks.quoted[i + 1]:
            yield _mix(hashes[i], hashes[i + 1], QUOTED_PAIR), i, i + 1
    # Words one or two apart: "know ... live", "fix ... receptionist".
    for gap in range(2, 2 + SKIP):
        for i in range(len(toks) - gap):
            yield _mix(hashes[i], hashes[i + gap], GAP), i, i + gap


def features(prepared: Prepared) -> np.ndarray:
    """The distinct feature buckets of a prepared text (what training and scoring use).

    The same features as `_occurrences`, written out for speed: it runs on every text.
    """
    toks = tokens(prepared.text)
    found: set[int] = set()
    add = found.add
    mask = BUCKETS - 1
    left: list[int] = []  # each word's hash times _M1, and times _M2
    right: list[int] = []
    quoted, negated, reported = toks.quoted, toks.negated, toks.reported
    for i, word in enumerate(toks.words):
        h, grams = _word(word)
        found.update(grams)
        a = h * _M1
        left.append(a)
        right.append(h * _M2)
        if quoted[i]:
            x = a ^ _KIND[QUOTED]
            add((x ^ (x >> 29)) & mask)
        if negated[i]:
            x = a ^ _KIND[NEGATED]
            add((x ^ (x >> 29)) & mask)
        if reported[i]:
            x = a ^ _KIND[REPORTED]
            add((x ^ (x >> 29)) & mask)
    n = len(left)
    pair, quoted_pair, gap_kind = _KIND[PAIR], _KIND[QUOTED_PAIR], _KIND[GAP]
    for i in range(n - 1):
        x = left[i] ^ right[i + 1] ^ pair
        add((x ^ (x >> 29)) & mask)
        if quoted[i] and quoted[i + 1]:
            x = left[i] ^ right[i + 1] ^ quoted_pair
            add((x ^ (x >> 29)) & mask)
    for gap in range(2, 2 + SKIP):
        for i in range(n - gap):
            x = left[i] ^ right[i + gap] ^ gap_kind
            add((x ^ (x >> 29)) & mask)
    return np.fromiter(found, dtype=np.int64, count=len(found))


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature behind a score: its name, what it added, and where it is in the text."""

    feature: str
    weight: float
    start: int
    end: int


class TextModel:
    """Calibrated probabilities per category: the linear model, with the phrase model if given.

    `calibration` holds, per category, the weight of each model's raw score and a bias
    (Platt scaling fitted on out-of-fold scores by `tools/train_model.py`): (a, b) for the
    linear model alone, (a_linear, a_phrases, b) with the phrase model.
    """

    def __init__(
        self,
        categories: Sequence[Category],
        weights: np.ndarray,
        bias: np.ndarray,
        calibration: np.ndarray,
        phrases: PhraseModel | None = None,
    ) -> None:
        """`weights` is (categories, BUCKETS), `bias` one per category."""
        self.categories = tuple(categories)
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.calibration = np.asarray(calibration, dtype=np.float64)
        self.phrases = phrases
        if (self.calibration.shape[1] == 3) != (phrases is not None):
            raise ValueError("the calibration does not match the models given")
        if phrases is not None and phrases.categories != [c.value for c in self.categories]:
            raise ValueError("the phrase model scores other categories")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> TextModel:
        """Read a model written by `save`, with the phrase model beside it if it uses one.

        Raises:
            ValueError: the file is damaged or not such a model (named in the message).
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    raise ValueError(f"{path}: not a {FORMAT} model")
                categories = [Category(c) for c in data["categories"]]
                calibration = data["calibration"]
                weights, bias = data["weights"], data["bias"]
        except (KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: damaged or not a {FORMAT} model ({exc})") from None
        phrases = None
        if calibration.shape[1] == 3:
            phrases = PhraseModel.load(path.with_name(PHRASES_FILE))
        return cls(categories, weights, bias, calibration, phrases)

    def save(self, path: Path) -> None:
        """Write the linear model and calibration (the phrase model has its own file)."""
        write(path, self.categories, self.weights, self.bias, self.calibration)

    def decision(self, buckets: np.ndarray) -> np.ndarray:
        """The raw linear scores per category for one text's feature buckets."""
        if len(buckets) == 0:
            return self.bias.copy()
        sums = self.weights[:, buckets].sum(axis=1, dtype=np.float64)
        return self.bias + sums / math.sqrt(len(buckets))

    def probabilities(self, prepared: Prepared) -> dict[Category, float]:
        """The calibrated probability of each category for one prepared text."""
        cal = self.calibration
        z = cal[:, 0] * self.decision(features(prepared)) + cal[:, -1]
        if self.phrases is not None:
            z = z + cal[:, 1] * self.phrases.logits(prepared.text)
        p = 1.0 / (1.0 + np.exp(-z))
        return dict(zip(self.categories, map(float, p), strict=True))

    def reasons(self, prepared: Prepared, category: Category, limit: int = 3) -> list[Reason]:
        """The words and phrases that raised `category`'s score most, strongest first.

        Each feature's weight is put on the words it covers (a word's letter sequences on
        the word, a pair on both words), so an explanation always points at words a comms
        officer can read; ranges are in the folded text (placeholders mapped back to what
        they replaced).
        """
        toks = tokens(prepared.text, where=True)
        seen: dict[int, tuple[int, int]] = {}
        for bucket, first, last in _occurrences(toks):
            seen.setdefault(bucket, (first, last))
        if not seen:
            return []
        row = self.weights[self.categories.index(category)]
        buckets = np.fromiter(seen, dtype=np.int64, count=len(seen))
        weight = row[buckets].astype(np.float64) / math.sqrt(len(seen))
        phrases: dict[tuple[int, int], float] = {}
        for w, key in zip(weight, seen.values(), strict=True):
            if w > 0:
                phrases[key] = phrases.get(key, 0.0) + float(w)
        ranked = sorted(phrases.items(), key=lambda item: -item[1])[:limit]
        reasons = []
        for (first, last), w in ranked:
            start, end = prepared.source(toks.starts[first], toks.ends[last])
            label = " ".join(toks.words[first : last + 1])
            reasons.append(Reason(label, w, start, end))
        return reasons


def write(
    path: Path,
    categories: Sequence[Category],
    weights: np.ndarray,
    bias: np.ndarray,
    calibration: np.ndarray,
) -> None:
    """Write a model file (compressed; the same model always gives the same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            format=np.array(FORMAT),
            categories=np.array([c.value for c in categories]),
            weights=np.asarray(weights, dtype=np.float16),  # ample for these weights
            bias=np.asarray(bias, dtype=np.float64),
            calibration=np.asarray(calibration, dtype=np.float64),
        )
