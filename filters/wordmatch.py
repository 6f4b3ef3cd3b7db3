"""Compile a word list into one regular expression that finds whole words in one pass.

better-profanity compares each word of a message against every generated variant of every
listed word, which costs about 20 ms a message. Here the list becomes a prefix trie rendered
as a single regex (shared prefixes factored out, each letter a character class of its
look-alikes), so the regex engine scans the text once.

Words match only as whole tokens: a token is a run of letters, digits and the symbols people
use to disguise letters (``@ $ * ! ' "``), so "Scunthorpe", "assess" and "cocktail" never
match "cunt", "ass" or "cock".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# better-profanity's substitutions (better_profanity.Profanity.CHARS_MAPPING), plus "!" and
# "|" for i/l and "0" for o which people use just as often.
LEET: dict[str, tuple[str, ...]] = {
    "a": ("a", "@", "*", "4"),
    "i": ("i", "*", "l", "1", "!", "|"),
    "o": ("o", "*", "0", "@"),
    "u": ("u", "*", "v"),
    "v": ("v", "*", "u"),
    "l": ("l", "1", "|"),
    "e": ("e", "*", "3"),
    "s": ("s", "$", "5"),
    "t": ("t", "7", "+"),
}

TOKEN_CHARS = r"\w@$*!|'\"+"
_TOKEN = re.compile(rf"[{TOKEN_CHARS}]+")
_BEFORE = rf"(?<![{TOKEN_CHARS}])"
_AFTER = rf"(?![{TOKEN_CHARS}])"


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
    """

    CACHE_LIMIT = 200_000

    def __init__(
        self,
        words: Iterable[str],
        char_map: Mapping[str, tuple[str, ...]] | None = None,
        *,
        repeats: bool = True,
    ) -> None:
        self.char_map = dict(char_map if char_map is not None else LEET)
        self.repeats = repeats
        self.words = sorted({w.strip().lower() for w in words if w.strip()})
        single = [w for w in self.words if _TOKEN.fullmatch(w)]
        multi = [w for w in self.words if not _TOKEN.fullmatch(w)]
        self._single = re.compile(self._trie(single)) if single else None
        self._multi = (
            re.compile(_BEFORE + "(?:" + self._trie(multi) + ")" + _AFTER) if multi else None
        )
        # Plain words before spelt-out ones, so "fuck" names a match, not "f-u-c-k".
        self._by_preference = sorted(self.words, key=lambda w: (not _TOKEN.fullmatch(w), len(w)))
        self._verdicts: dict[str, bool] = {}
        self._canonical: dict[str, str] = {}

    def finditer(self, text: str) -> list[WordMatch]:
        """Every listed word in `text` (which should already be folded to lower case)."""
        found: list[WordMatch] = []
        if self._single is not None:
            verdicts = self._verdicts
            for token in _TOKEN.finditer(text):
                word = token.group()
                verdict = verdicts.get(word)
                if verdict is None:
                    verdict = self._single.fullmatch(word) is not None
                    if len(verdicts) >= self.CACHE_LIMIT:
                        verdicts.clear()
                    verdicts[word] = verdict
                if verdict:
                    found.append(WordMatch(token.start(), token.end(), self._identify(word)))
        if self._multi is not None:
            multi = [
                WordMatch(m.start(), m.end(), self._identify(m.group(0)))
                for m in self._multi.finditer(text)
            ]
            if multi:
                found = [w for w in found if not any(_covers(m, w) for m in multi)] + multi
                found.sort(key=lambda w: w.start)
        return found

    def search(self, text: str) -> bool:
        """Whether any listed word occurs in `text`."""
        return bool(self.finditer(text))

    def _identify(self, matched: str) -> str:
        # Which listed word it was: used as evidence ("rule: profanity:word:fuck").
        if matched in self._canonical:
            return self._canonical[matched]
        name = matched
        for word in self._by_preference:
            if re.fullmatch(self._trie([word]), matched):
                name = word
                break
        if len(self._canonical) < self.CACHE_LIMIT:
            self._canonical[matched] = name
        return name

    def _letter(self, char: str) -> str:
        options = self.char_map.get(char, (char,))
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
                tokens.append(self._letter(char) + ("+" if self.repeats and nxt != char else ""))
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
