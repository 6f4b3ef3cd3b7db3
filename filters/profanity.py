"""Profanity: swearing at Ofcom's medium level or stronger, found in one compiled pass.

The vocabulary is better-profanity 0.7.0's own list, minus a documented removal list
(`config/words/profanity-removed.txt`: mild words, ordinary words, and slurs and insults that
belong to other categories), plus British additions (`profanity-extra.txt`) and the
config's `words.extra_profanity`. Phrases in `config/words/allowed.txt` and the config's
`words.allowed` are never findings ("Dick Turpin Way", "magna cum laude").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from filters.base import Category, Finding
from filters.normalise import Folded
from filters.wordmatch import WordMatcher, read_word_file


def better_profanity_words() -> list[str]:
    """better-profanity's own default word list, read from the installed package."""
    import better_profanity

    path = Path(better_profanity.__file__).parent / "profanity_wordlist.txt"
    return read_word_file(path)


class AllowList:
    """Phrases in which listed words are innocent; a finding inside one is dropped."""

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = list(phrases)
        self._matcher = WordMatcher(phrases, char_map={}, repeats=False, masks=False)
        # Every word of every phrase: a text with none of them has nothing allowed in it.
        self.words = frozenset(w for p in phrases for w in re.findall(r"[a-z0-9']+", p.lower()))

    def covered(self, folded_text: str) -> list[tuple[int, int]]:
        """Folded-text ranges that an allowed phrase covers."""
        return [(m.start, m.end) for m in self._matcher.finditer(folded_text)]

    @staticmethod
    def inside(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
        """Whether [start, end) lies within one of `ranges`."""
        return any(a <= start and end <= b for a, b in ranges)


class ProfanityFilter:
    """Finds listed swear words, disguised or not, as whole words."""

    name: ClassVar[str] = "profanity"

    def __init__(
        self,
        words: Iterable[str],
        allowed: Iterable[str] = (),
        *,
        score: float = 0.95,
    ) -> None:
        self.matcher = WordMatcher(words)
        self.allow = AllowList(allowed)
        self.score = score
        # The words a landlord added itself (config `words.extra_profanity`): always swearing.
        self.own: frozenset[str] = frozenset()

    @classmethod
    def curated(
        cls,
        words_dir: Path,
        extra: Iterable[str] = (),
        allowed: Iterable[str] = (),
    ) -> ProfanityFilter:
        """The shipped vocabulary: better-profanity's list, curated, plus additions."""
        removed = set(read_word_file(words_dir / "profanity-removed.txt"))
        vocabulary = [w for w in better_profanity_words() if w not in removed]
        vocabulary += read_word_file(words_dir / "profanity-extra.txt")
        vocabulary += [w.lower() for w in extra]
        allow = read_word_file(words_dir / "allowed.txt") + [w.lower() for w in allowed]
        allowed_words = {w for w in allow if " " not in w}
        vocabulary = [w for w in vocabulary if w not in allowed_words]
        made = cls(vocabulary, allow)
        made.own = frozenset(w.lower() for w in extra) - allowed_words
        return made

    def check(self, folded: Folded) -> list[Finding]:
        """One finding per swear word, with its span in the original text."""
        matches = self.matcher.finditer(folded.text)
        if not matches:
            return []
        covered = self.allow.covered(folded.text)
        findings = []
        for match in matches:
            if covered and AllowList.inside(match.start, match.end, covered):
                continue
            findings.append(
                Finding(
                    category=Category.PROFANITY,
                    rule=f"profanity:word:{match.word}",
                    score=self.score,
                    spans=(folded.span(match.start, match.end),),
                    evidence=folded.excerpt(match.start, match.end),
                )
            )
        return findings
