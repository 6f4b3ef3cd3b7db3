"""Named regular-expression rules over folded text, the building block of the rule filters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from filters.base import Category, Finding
from filters.normalise import Folded
from filters.prescan import QuickSearch

Guard = Callable[[Folded, re.Match[str]], bool]


@dataclass(frozen=True)
class PatternRule:
    """One named pattern: a match is a finding unless a guard says the context excuses it."""

    name: str
    category: Category
    pattern: re.Pattern[str]
    score: float
    guards: tuple[Guard, ...] = ()
    # A quick search the text must pass before the rule is tried (the words without which
    # it cannot match), or None to always try it.
    needs: re.Pattern[str] | QuickSearch | None = None
    # Whether the pattern occurs at all, from one pass for the category's rules (None where
    # RE2 cannot read it alike).
    _present: QuickSearch | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A leading "\b" before a word character finds the same matches as "(?<!\w)", which
        # the regex engine scans several times faster. Only where no alternative of the rule
        # can start with anything else (an apostrophe: "'re a ...").
        source = self.pattern.pattern
        if source.startswith(r"\b(?P<hit>") and _starts_with_word_character(source[2:]):
            fast = re.compile(r"(?<!\w)" + source[2:], self.pattern.flags)
            object.__setattr__(self, "pattern", fast)
        if isinstance(self.needs, re.Pattern):
            object.__setattr__(self, "needs", QuickSearch(self.needs))
        present = QuickSearch(self.pattern, scan=f"rules-{self.category.value}")
        object.__setattr__(self, "_present", present if present.in_scan else None)

    def findings(self, folded: Folded) -> Iterator[Finding]:
        """Findings for every unexcused match of this rule in `folded`."""
        if self.needs is not None and not self.needs.search(folded.text):
            return
        if self._present is not None and not self._present.search(folded.text):
            return
        for match in self.pattern.finditer(folded.text):
            if any(guard(folded, match) for guard in self.guards):
                continue
            start, end = match.span("hit") if "hit" in self.pattern.groupindex else match.span()
            yield Finding(
                category=self.category,
                rule=f"{self.category.value}:{self.name}",
                score=self.score,
                spans=(folded.span(start, end),),
                evidence=folded.excerpt(start, end),
            )


def anchored(pattern: re.Pattern[str]) -> re.Pattern[str]:
    r"""`pattern` with a leading "\b" rewritten by `at_word_start` (unchanged otherwise)."""
    source = pattern.pattern
    if not source.startswith(r"\b") or not _starts_with_word_character(source[2:]):
        return pattern
    return re.compile(r"(?<!\w)" + source[2:], pattern.flags)


def at_word_start(body: str) -> str:
    r"""`body` anchored at the start of a word, as "\b" + body would be.

    Written "(?<!\w)" + body where every match of `body` starts with a word character:
    the same matches, several times faster for the regex engine to scan for.
    """
    return (r"(?<!\w)" if _starts_with_word_character(body) else r"\b") + body


def _starts_with_word_character(source: str) -> bool:
    """Whether every match of `source` starts with a word character (and is not empty).

    Read from the regex's parse tree; anything not understood counts as "no".
    """
    try:
        from re import _constants as sre  # type: ignore[attr-defined]
        from re import _parser

        kinds, nullable = _first(_parser.parse(source), sre)
    except Exception:
        return False
    return kinds == {"word"} and not nullable


def _first(items, sre) -> tuple[set[str], bool]:
    """The kinds of character a sequence of parsed items can start with, and if it can be empty.

    The kinds are "word" and "other" (anything not a word character).
    """
    kinds: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            char = chr(av)
            kinds.add("word" if char.isalnum() or char == "_" else "other")
            return kinds, False
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.LITERAL:
                    char = chr(value)
                    kinds.add("word" if char.isalnum() or char == "_" else "other")
                elif (kind is sre.RANGE and all(chr(x).isalnum() for x in value)) or (
                    kind is sre.CATEGORY and value in (sre.CATEGORY_WORD, sre.CATEGORY_DIGIT)
                ):
                    kinds.add("word")
                else:
                    kinds.add("other")
            return kinds, False
        if op is sre.BRANCH:
            nullable = False
            for branch in av[1]:
                first, empty = _first(branch, sre)
                kinds |= first
                nullable = nullable or empty
            if not nullable:
                return kinds, False
        elif op is sre.SUBPATTERN:
            first, empty = _first(av[3], sre)
            kinds |= first
            if not empty:
                return kinds, False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            first, empty = _first(av[2], sre)
            kinds |= first
            if av[0] > 0 and not empty:
                return kinds, False
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # takes no character
        else:
            kinds.add("other")
            return kinds, False
    return kinds, True


def words(*alternatives: str) -> str:
    """A non-capturing group of alternatives, longest first so the regex prefers them."""
    return "(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")"


def trie(literals: Iterable[str]) -> str:
    """A non-capturing group matching any of `literals`, as a prefix tree.

    The same language as `words(*map(re.escape, literals))`, longest first, but the regex
    engine reads one character to choose a branch instead of trying every alternative at
    every position, which makes a list of hundreds of words cheap to search for.
    """
    root: dict[str, dict] = {}
    for literal in {x for x in literals if x}:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:" + _render(root) + ")"


def prefix_gate(alternatives: str) -> QuickSearch:
    """A quick check for a word starting with one of the alternatives, as a prefix tree.

    `alternatives` is "a|b c|d'?e": literals, where "'?" is an optional apostrophe. One
    regex pass, cheap per character.
    """
    literals: list[str] = []
    for alternative in alternatives.split("|"):
        variants = [alternative]
        if "'?" in alternative:
            variants = [alternative.replace("'?", "'"), alternative.replace("'?", "")]
        for variant in variants:
            if any(c in variant for c in "()[]\\?{}^$+|"):
                raise ValueError(f"not a literal: {variant!r}")
            literals.append(variant)
    return QuickSearch(re.compile(at_word_start(trie(literals))))


def _render(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _render(child) for char, child in node.items() if char]
    if not branches:
        return ""
    branches.sort(key=len, reverse=True)
    joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{joined})?" if "" in node else joined


def compile_rule(pattern: str) -> re.Pattern[str]:
    """Compile a rule pattern; it runs over folded (lower-case) text."""
    return re.compile(pattern)


def staff_name_patterns(staff_names: Iterable[str]) -> tuple[list[str], set[str]]:
    """Escaped full names and first names of the staff the config protects."""
    full = [n.strip().lower() for n in staff_names if n.strip()]
    first = {n.split()[0] for n in full if " " in n}
    return [re.escape(n) for n in full], {re.escape(n) for n in first}
