"""The record of each week's summary send, written before SMTP and finished after.

Like an action, a send is claimed (`sending`) in its own transaction before the SMTP
conversation, then finished as `sent` or `failed`. The scheduler sends a week only if it
has no row or a `failed` one, so it never sends a week twice; a row left `sending` by a
process that died mid-send is not resent blindly (the email may have gone): `modbot status`
reports it and staff resend with `modbot summary --week W --send --again` if it never came.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.models import SummarySend

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def claim_send(
    session: Session, week: str, *, by: str, now: datetime, again: bool = False
) -> SummarySend | None:
    """Mark `week` as being sent; None if it was already sent or is being sent.

    With `again`, a sent or unfinished week is claimed anyway (an explicit resend).
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(SummarySend.__table__)
        .values(week=week, state=PENDING, attempts=0, started_at=now, recipients=0, sent_by=by)
        .on_conflict_do_nothing(index_elements=["week"])
    )
    row = session.get(SummarySend, week, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.state in (SENT, SENDING) and not again:
        return None
    row.state = SENDING
    row.started_at = now
    row.finished_at = None
    row.sent_by = by
    row.last_error = None
    return row


def finish_send(
    session: Session,
    week: str,
    *,
    sent: bool,
    attempts: int,
    now: datetime,
    recipients: int = 0,
    message_id: str | None = None,
    error: str | None = None,
) -> None:
    """Record how a claimed send ended."""
    row = session.get(SummarySend, week, with_for_update=True, populate_existing=True)
    assert row is not None
    row.state = SENT if sent else FAILED
    row.attempts += attempts
    row.finished_at = now
    row.recipients = recipients
    row.message_id = message_id
    row.last_error = error


def get_send(session: Session, week: str) -> SummarySend | None:
    """The send record for `week`, if any."""
    return session.get(SummarySend, week)


def latest_sends(session: Session, limit: int = 3) -> list[SummarySend]:
    """The most recent weeks' send records, newest first."""
    return list(
        session.scalars(sa.select(SummarySend).order_by(SummarySend.week.desc()).limit(limit))
    )
