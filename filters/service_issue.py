"""Service issues: what a contact is *about*, so a hidden contact's complaint is never lost.

When a contact is hidden or removed for its language but also reports damp, a repair, rent,
anti-social behaviour or a complaint, the policy engine routes it to the right queue with the
original text (design.md, "Never lose a complaint").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.normalise import Folded

TOPICS: dict[str, re.Pattern[str]] = {
    "damp and mould": re.compile(r"\b(?:damp|mou?ld|mildew|condensation|black spots?|fungus)\b"),
    "repairs": re.compile(
        r"\b(?:repairs?|leak\w*|boiler|heating|radiators?|hot water|no water|roof|windows?|"
        r"door|ceiling|floorboards?|plaster|electrics?|wiring|sockets?|gas|cooker|toilet|"
        r"shower|bath|sink|drains?|blocked|broken|fix(?:ed)?|engineer|plumber|"
        r"appointment|job number|work order|lift|stairs|fence|gutters?)\b"
    ),
    "rent and charges": re.compile(
        r"\b(?:rent|arrears|service charges?|charges?|bill|invoice|universal credit|"
        r"housing benefit|direct debit|overcharg\w*|refund)\b"
    ),
    "anti-social behaviour": re.compile(
        r"\b(?:anti[- ]?social|asb|noise|noisy|neighbou?rs?|harass\w*|intimidat\w*|drugs?|"
        r"dealing|fly[- ]?tipping|graffiti|vandal\w*|threatening)\b"
    ),
    "complaint": re.compile(
        r"\b(?:complain\w*|complaint|stage (?:1|2|one|two)|ombudsman|escalat\w*|no reply|"
        r"no response|chas(?:e|ed|ing)|waiting|weeks|months|still not)\b"
    ),
    "pests": re.compile(r"\b(?:rats?|mice|mouse|cockroach\w*|bed ?bugs|pests?|infestation)\b"),
    "safety": re.compile(
        r"\b(?:unsafe|danger\w*|hazard|fire door|smoke alarm|carbon monoxide|asbestos|"
        r"exposed wires?|gas leak|collapsed?)\b"
    ),
}


@dataclass(frozen=True, slots=True)
class ServiceIssue:
    """A topic the contact raises, with the words that show it."""

    topic: str
    evidence: str


def service_issues(folded: Folded) -> list[ServiceIssue]:
    """The service topics a text raises (empty for none)."""
    issues = []
    for topic, pattern in TOPICS.items():
        match = pattern.search(folded.text)
        if match:
            issues.append(ServiceIssue(topic, folded.excerpt(match.start(), match.end())))
    return issues
