"""Normalisation against evasion, keeping a map back to the original text for spans.

Matching runs on a folded copy of the text: compatibility forms (fullwidth, ligatures),
look-alike letters from other scripts, zero-width and combining characters, and case are
folded away; digits and symbols standing for letters inside a word ("k1ll", "sm@sh",
"n3xt") become those letters; and letters spelt out with separators ("f.u.c.k", "s h i t")
are joined. Masking and repeated letters ("f*ck", "fuuuck") are left to the word matcher
(`filters/wordmatch.py`), which knows which word a mask could hide. Every
character of the folded copy remembers which original character it came from, so a finding's
span highlights exactly what the person wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Letters from other scripts that render like Latin ones. Only unambiguous look-alikes.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ѵ": "v",
    # Punctuation that stands for letters or apostrophes
    "¡": "i", "’": "'", "‘": "'", "ʼ": "'",
    # Latin variants NFKC leaves alone
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ſ": "s", "ɑ": "a", "ɩ": "i",
}  # fmt: skip

_SEPARATED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_](?P<sep>[ .*_\-]{1,2})){2,}[^\W\d_](?![^\W\d_])")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of character offsets into the original text: what a finding marks."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded copy of a text and, for each of its characters, the original offset."""

    original: str
    text: str
    origin: Sequence[int]  # a range when nothing moved (plain ASCII): no copy per text

    def span(self, start: int, end: int) -> Span:
        """Map a half-open range of the folded text back to the original text."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return Span(at, at)
        return Span(self.origin[start], self.origin[end - 1] + 1)

    def excerpt(self, start: int, end: int) -> str:
        """The original text behind a folded range."""
        span = self.span(start, end)
        return self.original[span.start : span.end]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in HOMOGLYPHS:
        return HOMOGLYPHS[char]
    category = unicodedata.category(char)
    if category in {"Cf", "Mn", "Me"}:  # zero-width, joiners, combining marks
        return ""
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = "".join(HOMOGLYPHS.get(c, c) for c in kept.casefold())
    return folded


_ASCII_LOWER = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def fold(text: str) -> Folded:
    """Fold `text` for matching, keeping the offset map.

    Args:
        text: the contact's text as the person wrote it.

    Returns:
        The folded text with, for each character, its offset in `text`.
    """
    if text.isascii():
        return _join_spelt_out(Folded(text, _unleet(text.lower()), range(len(text))))
    others = {c: _fold_char(c) for c in set(text) if not c.isascii()}
    if all(len(f) == 1 for f in others.values()):
        # Every character folds to one (emoji, accented and look-alike letters): one
        # translation, and offsets stay as they are.
        table = {**_ASCII_LOWER, **{ord(c): f for c, f in others.items()}}
        return _join_spelt_out(Folded(text, _unleet(text.translate(table)), range(len(text))))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if folded:
            out.append(folded)
            origin.extend([index] * len(folded))
    joined = _unleet("".join(out))
    return _join_spelt_out(Folded(text, joined, tuple(origin)))


# Inside a word of three or more letters, these stand for letters: "k1ll", "sm@sh".
_LEET_INSIDE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                              "@": "a", "$": "s", "!": "i"})  # fmt: skip
_LEETY = re.compile(r"(?<=[a-z])[013457@$!](?=[a-z])")
_LEET_WORD = re.compile(r"[a-z0-9@$!]*[a-z][013457@$!][a-z][a-z0-9@$!]*")


def _unleet(text: str) -> str:
    """Replace look-alike digits and symbols between letters, one character for one.

    Only in words with three or more letters and no two digits together, so "b4", "nn16"
    (a postcode), "covid19" and e-mail addresses ("jo@mail.com", left alone because a dot
    follows) keep their characters. Offsets are unchanged: each character maps to one.
    """
    if not _LEETY.search(text):
        return text

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        letters = sum(c.isalpha() for c in word)
        tail = text[match.end() : match.end() + 1]
        if letters < 3 or re.search(r"\d\d", word) or ("@" in word and tail == "."):
            return word
        return _LEETY.sub(lambda m: m.group().translate(_LEET_INSIDE), word)

    return _LEET_WORD.sub(fix, text)


def _join_spelt_out(folded: Folded) -> Folded:
    """Join letters spelt out with one kind of separator: "f.u.c.k" -> "fuck"."""
    text = folded.text
    if not _SEPARATED.search(text):
        return folded
    out: list[str] = []
    origin: list[int] = []
    last = 0
    for match in _SEPARATED.finditer(text):
        sep = match.group("sep")
        chunk = match.group(0)
        if chunk.count(sep) != (len(chunk) - chunk.count(sep) * len(sep)) - 1:
            continue  # mixed separators: leave it alone
        out.append(text[last : match.start()])
        origin.extend(folded.origin[last : match.start()])
        for offset in range(match.start(), match.end()):
            if text[offset] not in sep:
                out.append(text[offset])
                origin.append(folded.origin[offset])
        last = match.end()
    out.append(text[last:])
    origin.extend(folded.origin[last:])
    return Folded(folded.original, "".join(out), tuple(origin))
