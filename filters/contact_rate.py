"""Excessive contact: how many times a person contacted us in sliding windows.

Counts follow the person across all their confirmed accounts and platforms. A finding says
which window was exceeded and by how much; one busy day alone is a reason for a human to
look, which is how the policy engine treats it (never a hide, never automatic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from filters.base import Category, Finding
from filters.history import History


@dataclass(frozen=True)
class Window:
    """At most `limit` contacts in any `length` (this one included)."""

    name: str
    length: timedelta
    limit: int


class ContactRateDetector:
    """Flags a contact that takes the person over a contact-rate limit."""

    name: ClassVar[str] = "excessive_contact"

    def __init__(self, windows: tuple[Window, ...]) -> None:
        self.windows = windows

    def check(self, text: str, at: datetime, history: History) -> list[Finding]:
        """A finding for the tightest window exceeded, if any."""
        earlier = history.before(at)
        for window in sorted(self.windows, key=lambda w: w.length):
            since = at - window.length
            count = 1 + sum(1 for c in earlier if c.at >= since)
            if count > window.limit:
                platforms = sorted({c.platform for c in earlier if c.at >= since})
                where = f" across {', '.join(platforms)}" if len(platforms) > 1 else ""
                return [
                    Finding(
                        category=Category.EXCESSIVE_CONTACT,
                        rule=f"excessive_contact:{window.name}",
                        score=1.0,
                        evidence=(
                            f"{count} contacts in the last {window.name}{where} "
                            f"(limit {window.limit})"
                        ),
                    )
                ]
        return []
