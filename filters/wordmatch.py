"""Compile a word list into one regular expression that finds whole words in one pass.

better-profanity compares each word of a message against every generated variant of every
listed word, which costs about 20 ms a message. Here the list becomes a prefix trie rendered
as a single regex (shared prefixes factored out, each letter a character class of its
look-alikes), so the regex engine scans the text once.

Words match only as whole tokens: a token is a run of letters, digits and the symbols people
use to disguise letters (``@ $ * ! | + # % &``), with apostrophes allowed inside ("f'ing"), so
"Scunthorpe", "assess" and "cocktail" never match "cunt", "ass" or "cock". A token that does
not match whole is tried again without what commonly clings to a word: a leading "#"
(hashtag), trailing "!" and a possessive "'s" ("shit!", "#fuckoff", "fuck's sake").

Masking: after a word's first letter, any of ``* # % & @`` may stand for any letter
("f*ck", "f@#k", "c**t", "b*llocks"), provided at least two real letters remain, so a row of
symbols ("@#%&!") is never a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from filters.prescan import QuickSearch

# better-profanity's substitutions (better_profanity.Profanity.CHARS_MAPPING), plus "!" and
# "|" for i/l, "0" for o, "+" for t and "€" for e, which people use just as often.
LEET: dict[str, tuple[str, ...]] = {
    "a": ("a", "@", "*", "4"),
    "i": ("i", "*", "l", "1", "!", "|"),
    "o": ("o", "*", "0", "@"),
    "u": ("u", "*", "v"),
    "v": ("v", "*", "u"),
    "l": ("l", "1", "|"),
    "e": ("e", "*", "3", "€"),
    "s": ("s", "$", "5"),
    "t": ("t", "7", "+"),
}
# Symbols that mask any letter after a word's first ("f*ck", "f@#k").
MASKS = "*#%&@"

_CHARS = r"\w@$*!|+#%&€"
TOKEN_CHARS = _CHARS + "'"
_TOKEN = re.compile(rf"[{_CHARS}]+(?:'[{_CHARS}]+)*")
_BEFORE = rf"(?<![{_CHARS}])"
_AFTER = rf"(?![{_CHARS}])"
_LETTER = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class WordMatch:
    """One whole-word match in the text the matcher ran on."""

    start: int
    end: int
    word: str


class WordMatcher:
    """Finds whole words from a list (with look-alike spellings) in one pass.

    Single-token entries are matched token by token against one compiled trie regex, with
    a bounded cache of verdicts (most tokens repeat: "the", "repair", "you"); entries with
    separators ("bull shit", "f-u-c-k") are found by a second, small scanning regex.

    Args:
        words: the listed words; multi-word entries match with any run of separators.
        char_map: per letter, the characters that may stand in for it.
        repeats: let each letter repeat ("fuuuck"); a doubled letter in the list still needs
            at least two.
        masks: let ``* # % & @`` stand for any letter after the first ("f*ck", "f@#k").
    """

    CACHE_LIMIT = 200_000

    def __init__(
        self,
        words: Iterable[str],
        char_map: Mapping[str, tuple[str, ...]] | None = None,
        *,
        repeats: bool = True,
        masks: bool = True,
    ) -> None:
        self.char_map = dict(char_map if char_map is not None else LEET)
        self.repeats = repeats
        self.masks = masks
        self.words = sorted({w.strip().lower() for w in words if w.strip()})
        self._listed = frozenset(self.words)
        single = [w for w in self.words if _TOKEN.fullmatch(w)]
        multi = [w for w in self.words if not _TOKEN.fullmatch(w)]
        self._single = re.compile(self._trie(single)) if single else None
        self._multi = (
            re.compile(_BEFORE + "(?:" + self._trie(multi) + ")" + _AFTER) if multi else None
        )
        # Most texts have none of the multi-word entries: the one-pass scan says so.
        self._multi_present = (
            QuickSearch(self._multi, scan="words") if self._multi is not None else None
        )
        # Plain words before spelt-out ones, so "fuck" names a match, not "f-u-c-k".
        self._by_preference = sorted(self.words, key=lambda w: (not _TOKEN.fullmatch(w), len(w)))
        # token -> (start, end, word) within the token, or None: most tokens repeat.
        self._verdicts: dict[str, tuple[int, int, str] | None] = {}
        self._clean: set[str] = set()  # the tokens whose verdict is None
        self._canonical: dict[str, str] = {}
        self._word_patterns: dict[str, re.Pattern[str]] = {}

    def finditer(self, text: str) -> list[WordMatch]:
        """Every listed word in `text` (which should already be folded to lower case)."""
        found: list[WordMatch] = []
        # Most texts are made only of tokens already known to be clean: one set test in C
        # instead of a Python loop over the tokens.
        if self._single is not None and not self._clean.issuperset(_tokens(text)):
            verdicts = self._verdicts
            for token in _TOKEN.finditer(text):
                word = token.group()
                if word in verdicts:
                    verdict = verdicts[word]
                else:
                    verdict = self._verdict(word)
                    if len(verdicts) >= self.CACHE_LIMIT:
                        verdicts.clear()
                        self._clean.clear()
                    verdicts[word] = verdict
                    if verdict is None:
                        self._clean.add(word)
                if verdict is not None:
                    start = token.start()
                    found.append(WordMatch(start + verdict[0], start + verdict[1], verdict[2]))
        if self._multi is not None and self._multi_present.search(text):
            multi = [
                WordMatch(m.start(), m.end(), self._identify(m.group(0)))
                for m in self._multi.finditer(text)
                if self._plausible(m.group(0))
            ]
            if multi:
                found = [w for w in found if not any(_covers(m, w) for m in multi)] + multi
                found.sort(key=lambda w: w.start)
        return found

    def _verdict(self, token: str) -> tuple[int, int, str] | None:
        """Which listed word `token` is, trying it whole and then without what clings to it."""
        assert self._single is not None
        for start, end in _trimmings(token):
            candidate = token[start:end]
            if self._single.fullmatch(candidate) and self._plausible(candidate):
                return start, end, self._identify(candidate)
        return None

    def _plausible(self, matched: str) -> bool:
        # A masked spelling needs two real letters: "f**k" yes, "@#%&" never.
        if not self.masks or matched in self._listed or not any(c in MASKS for c in matched):
            return True
        return len(_LETTER.findall(matched)) >= 2

    def search(self, text: str) -> bool:
        """Whether any listed word occurs in `text`."""
        return bool(self.finditer(text))

    def _identify(self, matched: str) -> str:
        # Which listed word it was, used as evidence ("rule: profanity:word:fuck"): the
        # plain word closest in length, so "f@#k" names "fuck" rather than "fck".
        if matched in self._canonical:
            return self._canonical[matched]
        name = matched
        ranked = sorted(
            self._by_preference,
            key=lambda w: (not _TOKEN.fullmatch(w), abs(len(w) - len(matched)), len(w)),
        )
        for word in ranked:
            pattern = self._word_patterns.get(word)
            if pattern is None:
                pattern = self._word_patterns[word] = re.compile(self._trie([word]))
            if pattern.fullmatch(matched):
                name = word
                break
        if len(self._canonical) < self.CACHE_LIMIT:
            self._canonical[matched] = name
        return name

    def _letter(self, char: str, *, first: bool) -> str:
        options = list(self.char_map.get(char, (char,)))
        if self.masks and not first and char.isalpha():
            options += [m for m in MASKS if m not in options]
        if len(options) == 1:
            return re.escape(options[0])
        return "[" + "".join(re.escape(o) for o in options) + "]"

    def _tokens(self, word: str) -> list[str]:
        # One regex fragment per character, so shared prefixes share trie nodes.
        tokens = []
        for index, char in enumerate(word):
            if char == " ":
                tokens.append(r"[\s_.\-]+")
            elif char in "-_.":
                tokens.append(r"[\s_.\-]?")
            else:
                nxt = word[index + 1] if index + 1 < len(word) else ""
                first = index == 0 or word[index - 1] in " -_."
                unit = self._letter(char, first=first)
                tokens.append(unit + ("+" if self.repeats and nxt != char else ""))
        return tokens

    def _trie(self, words: list[str]) -> str:
        trie: dict[str, dict] = {}
        for word in words:
            node = trie
            for token in self._tokens(word):
                node = node.setdefault(token, {})
            node[""] = {}
        return self._render(trie)

    def _render(self, node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [token + self._render(child) for token, child in node.items() if token != ""]
        # Longer alternatives first, so "fucking" wins over "fuck" at the same position.
        branches.sort(key=len, reverse=True)
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{joined})?" if ends else joined


# The tokens of the last text seen: the profanity and slur matchers read the same text.
_last: tuple[str, list[str]] = ("", [])


def _tokens(text: str) -> list[str]:
    global _last
    seen = _last
    if seen[0] is text or seen[0] == text:
        return seen[1]
    tokens = _TOKEN.findall(text)
    _last = (text, tokens)
    return tokens


def _trimmings(token: str) -> list[tuple[int, int]]:
    """The token, then without a leading "#", trailing "!"s or a trailing "'s" and the like."""
    start, end = 0, len(token)
    options = [(start, end)]
    if token.startswith("#"):
        start = len(token) - len(token.lstrip("#"))
        options.append((start, end))
    if token.endswith("!"):
        end = len(token.rstrip("!"))
        options.append((start, end))
    apostrophe = token.rfind("'", start, end)
    if apostrophe > start:
        options.append((start, apostrophe))
    return [(a, b) for a, b in options if b > a]


def _covers(outer: WordMatch, inner: WordMatch) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def read_word_file(path: str | bytes | object) -> list[str]:
    """Read a word list: one entry a line, `#` starts a comment, blank lines ignored."""
    from pathlib import Path

    words = []
    for line in Path(str(path)).read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            words.append(entry.lower())
    return words
