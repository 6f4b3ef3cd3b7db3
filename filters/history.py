"""The history snapshot behaviour detectors read: a person's recent contacts, oldest first.

Built by the pipeline from the store (across every account linked to the person), so the
detectors themselves stay pure: the same snapshot always gives the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PastContact:
    """One earlier contact by the same person (any of their accounts, any platform)."""

    at: datetime
    text: str
    platform: str
    thread_id: str
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class History:
    """A person's contacts before the one being decided, within the lookback window."""

    subject: str
    contacts: tuple[PastContact, ...] = ()

    def before(self, moment: datetime) -> tuple[PastContact, ...]:
        """Contacts strictly earlier than `moment`."""
        return tuple(c for c in self.contacts if c.at < moment)
