"""better-profanity 0.7.0's verdicts in one compiled pass: the profanity stage's parity mode.

better-profanity (`Profanity.contains_profanity`) splits a text into words over its
ALLOWED_CHARACTERS, and compares each word, and each word joined to up to
MAX_NUMBER_COMBINATIONS following words (with and without the separators between them),
against every listed word and its CHARS_MAPPING variants, one comparison at a time: about
20 ms a message. This module gives the same verdicts from the same word list and mapping,
with no allow-list and no normalisation, for the benchmark and for anyone who needs to
reproduce its behaviour exactly.

How: one regular expression holds the whole expanded vocabulary (a trie whose letters are
character classes of their variants, with an optional run of separators between letters
for words joined across separators) and finds candidate matches that start and end on word
boundaries. Almost every text has none, so that single search is the whole cost. A
candidate is then confirmed by replaying better-profanity's own rules for that one word
(`_confirm`), which reproduces its edge cases: a look-ahead window of at most
MAX_NUMBER_COMBINATIONS words, a final one-letter word that the window never sees, and a
last word that is only compared alone.

Semantics are read from the installed package (its word list, CHARS_MAPPING,
ALLOWED_CHARACTERS and MAX_NUMBER_COMBINATIONS), so the parity is with exactly the version
installed; `tests/unit/test_parity.py` and `benchmarks/bench_filters.py` compare verdicts
with better-profanity itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import ClassVar

from filters.base import Category, Finding
from filters.normalise import Span


@dataclass(frozen=True, slots=True)
class _Semantics:
    words: tuple[str, ...]
    char_map: Mapping[str, tuple[str, ...]]
    allowed: frozenset[str]
    max_combinations: int


def _installed_semantics(words: Iterable[str] | None) -> _Semantics:
    """better-profanity's word list and settings, from the installed package."""
    from better_profanity import Profanity
    from better_profanity.constants import ALLOWED_CHARACTERS

    reference = Profanity() if words is None else Profanity(list(words))
    return _Semantics(
        words=tuple(sorted({str(w) for w in reference.CENSOR_WORDSET})),
        char_map=dict(reference.CHARS_MAPPING),
        allowed=frozenset(ALLOWED_CHARACTERS),
        max_combinations=reference.MAX_NUMBER_COMBINATIONS,
    )


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class for a set of characters, as compact ranges."""
    points = sorted({ord(c) for c in chars})
    parts: list[str] = []
    index = 0
    while index < len(points):
        start = end = points[index]
        while index + 1 < len(points) and points[index + 1] == end + 1:
            index += 1
            end = points[index]
        first, last = re.escape(chr(start)), re.escape(chr(end))
        parts.append(first if start == end else f"{first}-{last}")
        index += 1
    return "".join(parts)


class ParityProfanity:
    """better-profanity's `contains_profanity`, identical verdicts, one compiled pass.

    Args:
        words: the word list; None for better-profanity's own default list.
    """

    name: ClassVar[str] = "profanity-parity"

    def __init__(self, words: Iterable[str] | None = None) -> None:
        semantics = _installed_semantics(words)
        self.words = semantics.words
        self.max_combinations = semantics.max_combinations
        allowed = semantics.allowed
        if any(c.isspace() for c in allowed):  # better-profanity strips words; we do not
            raise ValueError("better-profanity's ALLOWED_CHARACTERS now holds whitespace")
        allowed_class = _char_class(allowed)
        self._allowed = allowed
        self._token = re.compile(f"[{allowed_class}]+")
        # Each listed character matches the characters whose lower case is one of its
        # variants (str.lower, as better-profanity lowers each word before comparing).
        lowered: dict[str, set[str]] = {}
        for char in allowed | {chr(c) for c in range(128)}:
            low = char.lower()
            if len(low) == 1:
                lowered.setdefault(low, set()).add(char)
        char_map = semantics.char_map

        def unit(char: str) -> str:
            variants = char_map.get(char, (char,))
            chars = {c for v in variants for c in lowered.get(v, {v})}
            return f"[{_char_class(chars)}]"

        # Any run of separators between two letters of a word joined across words. A
        # superset (it also spans non-ASCII letters) keeps the pattern small; `_confirm`
        # rejects what better-profanity would not join.
        separator = "(?:[^a-zA-Z0-9@$*\"']+)?"
        joined: list[list[str]] = []  # words of allowed characters: may be split by separators
        literal: list[list[str]] = []  # words with separators in them: matched as written
        for word in self.words:
            units = [unit(c) if c in allowed else re.escape(c) for c in word]
            if all(c in allowed for c in word):
                joined.append(
                    [u + (separator if i < len(units) - 1 else "") for i, u in enumerate(units)]
                )
            else:
                literal.append(units)
        body = _trie(joined + literal)
        self._candidates = re.compile(f"(?<![{allowed_class}])(?:{body})(?![{allowed_class}])")
        # The same search over the lower-cased text, with ASCII boundaries (a superset of
        # better-profanity's): smaller classes, so about twice as fast. Usable when lowering
        # keeps every offset, which is every text without an expanding character (İ) or
        # the Kelvin sign (the one non-ASCII character whose lower case is ASCII).
        fast_units = [
            [
                f"[{_char_class(char_map.get(c, (c,)))}]" + (separator if i < len(w) - 1 else "")
                for i, c in enumerate(w)
            ]
            for w in self.words
            if all(c in allowed for c in w)
        ]
        fast_literal = [
            [f"[{_char_class(char_map.get(c, (c,)))}]" if c in allowed else re.escape(c) for c in w]
            for w in self.words
            if not all(c in allowed for c in w)
        ]
        ascii_word = "a-z0-9@$*\"'"
        self._fast = re.compile(
            f"(?<![{ascii_word}])(?:{_trie(fast_units + fast_literal)})(?![{ascii_word}])"
        )
        # Confirmation compares lowered words, as better-profanity does: variants only.
        exact = [[f"[{_char_class(char_map.get(c, (c,)))}]" for c in word] for word in self.words]
        self._exact = re.compile(_trie(exact))

    def contains_profanity(self, text: str) -> bool:
        """Whether better-profanity 0.7.0 would say `text` contains profanity."""
        return bool(self.spans(text, first_only=True))

    def spans(self, text: str, *, first_only: bool = False) -> list[Span]:
        """Where better-profanity would censor, as offsets into `text`.

        Args:
            text: any text.
            first_only: stop at the first match (enough for a verdict).
        """
        lowered = text.lower()
        if len(lowered) == len(text) and "\u212a" not in text:
            search, subject = self._fast.search, lowered
        else:
            search, subject = self._candidates.search, text
        match = search(subject)
        if match is None:
            return []
        # better-profanity returns a text whose only word starts at its last character as is.
        first = self._token.search(text)
        if first is None or first.start() >= len(text) - 1:
            return []
        found: list[Span] = []
        next_free = 0
        window = self.max_combinations + 1
        while match is not None:
            at = match.start()
            if at >= next_free and (at == 0 or text[at - 1] not in self._allowed):
                tokens = [m.span() for m in islice(self._token.finditer(text, at), window)]
                end = self._confirm(text, tokens)
                if end is not None:
                    found.append(Span(at, end))
                    if first_only:
                        break
                    next_free = end
            match = search(subject, at + 1)
        return found

    def findings(self, text: str) -> list[Finding]:
        """Profanity findings in better-profanity's terms, with spans it cannot give."""
        return [
            Finding(
                category=Category.PROFANITY,
                rule="profanity:better-profanity-parity",
                score=1.0,
                spans=(span,),
                evidence=text[span.start : span.end],
            )
            for span in self.spans(text)
        ]

    def _is_listed(self, word: str) -> bool:
        return self._exact.fullmatch(word) is not None

    def _confirm(self, text: str, tokens: list[tuple[int, int]]) -> int | None:
        """Replay better-profanity's check of the first of `tokens`; return where it ends.

        The word is compared joined to each prefix of its look-ahead window, without and
        with the separators (`any_next_words_form_swear_word`), then alone. The window
        holds at most `max_combinations` following words and stops at a word starting at
        the text's last character (`_get_next_words`). The text's last word, when nothing
        follows it, is only compared alone (the "final check").
        """
        start, end = tokens[0]
        length = len(text)
        word = text[start:end].lower()
        if end == length:
            return end if self._is_listed(word) else None
        joined = spaced = word
        separator_from = end
        for later_start, later_end in tokens[1:]:
            if later_start >= length - 1:
                break
            joined += text[later_start:later_end].lower()
            spaced += text[separator_from:later_end].lower()
            if self._is_listed(joined) or self._is_listed(spaced):
                return later_end
            separator_from = later_end
        return end if self._is_listed(word) else None


def _trie(words: list[list[str]]) -> str:
    """Render words (each a list of regex units) as one alternation with shared prefixes."""
    root: dict[str, dict] = {}
    for units in words:
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}
    return _render(root)


def _render(node: dict[str, dict]) -> str:
    branches = [unit + _render(child) for unit, child in node.items() if unit]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
