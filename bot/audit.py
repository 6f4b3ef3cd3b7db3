"""The append-only audit trail: who (the bot or a named staff member) did what, and why.

Details hold ids, states and reasons, never contact text, so the retention purge never needs
to edit history (and the database refuses UPDATE and DELETE on the table anyway).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.storage.models import AuditEvent

BOT = "modbot"


def audit(
    session: Session,
    *,
    actor: str,
    event: str,
    subject_type: str,
    subject_id: int | None,
    at: datetime,
    **detail: Any,
) -> None:
    """Append one event to the audit trail in the caller's transaction."""
    session.add(
        AuditEvent(
            at=at,
            actor=actor,
            event=event,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )
    )
