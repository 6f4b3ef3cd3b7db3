"""Named regular-expression rules over folded text, the building block of the rule filters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bot.domain import Category, Finding
from filters.normalise import Folded

Guard = Callable[[Folded, re.Match[str]], bool]


@dataclass(frozen=True)
class PatternRule:
    """One named pattern: a match is a finding unless a guard says the context excuses it."""

    name: str
    category: Category
    pattern: re.Pattern[str]
    score: float
    guards: tuple[Guard, ...] = ()

    def findings(self, folded: Folded) -> Iterator[Finding]:
        """Findings for every unexcused match of this rule in `folded`."""
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


def prefix_gate(alternatives: str) -> re.Pattern[str]:
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
            if re.escape(variant).replace("\\ ", " ").replace("'", "") != variant.replace("'", ""):
                raise ValueError(f"not a literal: {variant!r}")
            literals.append(variant)
    return re.compile(r"\b" + trie(literals))


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
