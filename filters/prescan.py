r"""Many quick searches over one text in a single pass, with RE2's set matching.

Most filters start with a quick search ("has the text any word this rule needs?"), and most
texts fail most of them. Python's regex engine scans the text once per search; an RE2 set
scans it once for all of them and says which matched.

The answers are exactly the Python patterns' own. On ASCII text (nearly every folded text)
Python's `\w`, `\d` and `\b` mean what RE2's do; "\s" is spelt out (RE2's lacks the
vertical tab), and a leading "(?<!\w)" or trailing "(?![a-z])" (which RE2 lacks) become
the character before or after, or the text's edge, which finds a match exactly when the
look-around does. A pattern RE2 still cannot read (other look-arounds, a "$") is searched
with Python as before, and so is a text that is not ASCII.
"""

from __future__ import annotations

import re
import threading

import re2

__all__ = ["QuickSearch"]


class QuickSearch:
    """A search for `pattern` answered from the shared one-pass scan where RE2 can read it.

    `search(text)` is `pattern.search(text) is not None`, only cheaper when many of these
    are asked about the same text, one after another (as the filters do). Searches of one
    `scan` share a pass; RE2 scans a set of like patterns fastest, so unlike kinds (word
    gates, spellings with look-alike letters, the scorer's gates) keep to sets of their own.
    """

    __slots__ = ("_index", "_scan", "pattern")

    def __init__(self, pattern: re.Pattern[str], scan: str = "gates") -> None:
        self.pattern = pattern
        self._scan = _SCANS.setdefault(scan, _SetScan())
        self._index = self._scan.add(pattern)

    @property
    def in_scan(self) -> bool:
        """Whether RE2 reads the pattern alike, so the one-pass scan answers for it."""
        return self._index is not None

    def search(self, text: str) -> bool:
        """Whether `pattern` occurs anywhere in `text`."""
        if self._index is None or not text.isascii():
            return self.pattern.search(text) is not None
        return self._index in self._scan.matches(text)


class _SetScan:
    """An RE2 set of quick searches, and the answer for the text scanned last.

    Filters built while others classify (a settings preview in the review pages) add
    patterns to a set in use: the lock keeps each compiled set whole, and an answer is
    reused only while the set that gave it is still the current one.
    """

    # Each pattern makes every scan a little slower, and a set too large for RE2's DFA
    # memory would answer "none" for every text: past this many (filters built again and
    # again with other word lists or staff names), new ones are searched with Python.
    LIMIT = 24

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[str, int] = {}  # source -> index; filters built again reuse theirs
        self.patterns: list[re.Pattern[str]] = []  # by index, the first pattern of each source
        self._compiled: re2.Set | None = None
        self._last: tuple[str, frozenset[int], re2.Set | None] = ("", frozenset(), None)

    def add(self, pattern: re.Pattern[str]) -> int | None:
        """Add `pattern` to the set; its index there, or None if RE2 cannot read it alike."""
        source = _for_re2(pattern)
        if source is None:
            return None
        with self._lock:
            if source in self._sources:
                return self._sources[source]
            if len(self.patterns) >= self.LIMIT:
                return None
            try:
                re2.compile(source)
            except re2.error:
                return None
            self._sources[source] = len(self.patterns)
            self.patterns.append(pattern)
            self._compiled = None  # compiled again on next use
            return self._sources[source]

    def matches(self, text: str) -> frozenset[int]:
        """The indices of the patterns found in `text`."""
        text_seen, found, compiled = self._last
        if (
            compiled is not None
            and compiled is self._compiled
            and (text_seen is text or text_seen == text)
        ):
            return found
        with self._lock:
            if self._compiled is None:
                scan = re2.Set.SearchSet()
                for source in self._sources:
                    scan.Add(source)
                scan.Compile()
                self._compiled = scan
            compiled = self._compiled
        found = frozenset(compiled.Match(text) or ())
        self._last = (text, found, compiled)
        return found


# A leading "(?<!X)" or trailing "(?!X)" of one character class: whether a match exists
# is the same with the character before (or after) matched instead, or the text's edge.
_LEADING_NOT_AFTER = re.compile(r"\A\(\?<!(\\w|\[[^\]\\]*(?:\\.[^\]\\]*)*\])\)")
_TRAILING_NOT_BEFORE = re.compile(r"\(\?!(\\w|\[[^\]\\]*(?:\\.[^\]\\]*)*\])\)\Z")
# What RE2 lacks or reads otherwise: other look-arounds and back-references; "{,n}", which
# RE2 reads as text.
_UNLIKE = ("(?<", "(?=", "(?!", "(?P=", "{,")
# Python's "\s" on ASCII text; RE2's lacks the vertical tab and \x1c-\x1f.
_SPACE = r"\t\n\x0b\f\r\x1c-\x1f "


def _for_re2(pattern: re.Pattern[str]) -> str | None:
    """A source RE2 finds a match of exactly when `pattern` has one in ASCII text, or None."""
    if pattern.flags & ~re.UNICODE:
        return None  # only the default flags are translated
    source = pattern.pattern
    leading = _LEADING_NOT_AFTER.match(source)
    if leading:
        source = rf"(?:\A|{_negated(leading.group(1))})" + source[leading.end() :]
    trailing = _TRAILING_NOT_BEFORE.search(source)
    if trailing:
        source = source[: trailing.start()] + rf"(?:{_negated(trailing.group(1))}|\z)"
    if any(mark in source for mark in _UNLIKE):
        return None
    return _spelt_out(source)


def _negated(one_character: str) -> str:
    if one_character == r"\w":
        return r"\W"
    if one_character.startswith("[^"):
        return "[" + one_character[2:]
    return "[^" + one_character[1:]


def _spelt_out(source: str) -> str | None:
    r"""`source` with each "\s" (and "\S" outside a class) spelt out; None where it cannot.

    None too for a "$" outside a class: Python's also matches before a final newline.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            escape = source[index : index + 2]
            if escape == r"\s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif escape == r"\S":
                if in_class:
                    return None
                out.append(f"[^{_SPACE}]")
            else:
                out.append(escape)
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            if source.startswith("[^]", index) or source.startswith("[]", index):
                return None  # a "]" first in a class: rare, and read differently
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            return None
        out.append(char)
        index += 1
    return "".join(out)


_SCANS: dict[str, _SetScan] = {}
