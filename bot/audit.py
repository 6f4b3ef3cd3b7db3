"""The append-only audit trail: who (the bot or a named staff member) did what, and why.

Details hold ids, states and reasons, never contact text, so the retention purge never needs
to edit history (and the database refuses UPDATE and DELETE on the table anyway).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from bot.storage.models import AuditEvent

BOT = "modbot"
_PENDING = "modbot_audit_pending"


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
    """Append one event to the audit trail in the caller's transaction.

    Events are written together, in one statement, when the transaction commits.
    """
    session.info.setdefault(_PENDING, []).append(
        {
            "at": at,
            "actor": actor,
            "event": event,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "detail": detail,
        }
    )


@sa_event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.execute(sa.insert(AuditEvent.__table__), pending)


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
