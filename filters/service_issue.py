"""Service issues: what a contact is *about*, so a hidden contact's complaint is never lost.

When a contact is hidden or removed for its language but also reports damp, a repair, rent,
anti-social behaviour or a complaint, the policy engine routes it to the right queue with the
original text (docs/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.normalise import Folded
from filters.patterns import at_word_start, trie
from filters.prescan import QuickSearch

_ALL_WORDS: list[str] = []
_ALL_PREFIXES: list[str] = []


def _topic(words: str, prefixes: str = "") -> re.Pattern[str]:
    """Whole words ("damp|black spots") or word beginnings ("leak" for "leaking").

    Compiled as prefix trees: one cheap regex pass over the text.
    """
    _ALL_WORDS.extend(words.split("|"))
    _ALL_PREFIXES.extend(p for p in prefixes.split("|") if p)
    exact = rf"{trie(words.split('|'))}\b"
    if not prefixes:
        return re.compile(at_word_start(exact))
    return re.compile(at_word_start(rf"(?:{exact}|{trie(prefixes.split('|'))}\w*)"))


TOPICS: dict[str, re.Pattern[str]] = {
    "damp and mould": _topic("damp|mould|mold|mildew|condensation|black spot|black spots|fungus"),
    "repairs": _topic(
        "repair|repairs|boiler|heating|radiator|radiators|hot water|no water|roof|window|"
        "windows|door|ceiling|floorboard|floorboards|plaster|electric|electrics|wiring|socket|"
        "sockets|gas|cooker|toilet|shower|bath|sink|drain|drains|blocked|broken|fix|fixed|"
        "engineer|plumber|appointment|job number|work order|lift|stairs|fence|gutter|gutters",
        "leak",
    ),
    "rent and charges": _topic(
        "rent|arrears|service charge|service charges|charge|charges|bill|invoice|"
        "universal credit|housing benefit|direct debit|refund",
        "overcharg",
    ),
    "anti-social behaviour": _topic(
        "anti-social|antisocial|anti social|asb|noise|noisy|neighbour|neighbours|neighbor|"
        "neighbors|drug|drugs|dealing|fly-tipping|flytipping|fly tipping|graffiti|threatening",
        "harass|intimidat|vandal",
    ),
    "complaint": _topic(
        "complaint|stage 1|stage 2|stage one|stage two|ombudsman|no reply|no response|chase|"
        "chased|chasing|waiting|weeks|months|still not",
        "complain|escalat",
    ),
    "pests": _topic("rat|rats|mice|mouse|bed bugs|bedbugs|pest|pests|infestation", "cockroach"),
    "safety": _topic(
        "unsafe|hazard|fire door|smoke alarm|carbon monoxide|asbestos|exposed wire|"
        "exposed wires|gas leak|collapse|collapsed",
        "danger",
    ),
}


@dataclass(frozen=True, slots=True)
class ServiceIssue:
    """A topic the contact raises, with the words that show it."""

    topic: str
    evidence: str


# Any topic at all: one search that spares most texts the seven.
_ANY = QuickSearch(re.compile(at_word_start(rf"(?:{trie(_ALL_WORDS)}\b|{trie(_ALL_PREFIXES)})")))


def service_issues(folded: Folded) -> list[ServiceIssue]:
    """The service topics a text raises (empty for none)."""
    if not _ANY.search(folded.text):
        return []
    issues = []
    for topic, pattern in TOPICS.items():
        match = pattern.search(folded.text)
        if match:
            issues.append(ServiceIssue(topic, folded.excerpt(match.start(), match.end())))
    return issues
