"""Each connector's cursor and health: where its next poll starts, and how the last one went.

A cursor moves only in the transaction that stores the contacts it covers, so a crash never
skips anything. Keyword-only functions; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.storage.models import ConnectorCursor


def get_cursor(*, session: Session, connector: str) -> ConnectorCursor:
    """The connector's cursor row, created empty if it has none yet."""
    row = session.get(ConnectorCursor, connector)
    if row is None:
        row = ConnectorCursor(connector=connector)
        session.add(row)
        session.flush()
    return row


def advance_cursor(*, session: Session, connector: str, cursor: str | None, at: datetime) -> None:
    """Move the cursor in the caller's transaction (the one storing the contacts)."""
    row = get_cursor(session=session, connector=connector)
    row.cursor = cursor
    row.updated_at = at
    row.last_success_at = at
    row.last_error = None
    row.last_error_at = None


def record_poll_success(*, session: Session, connector: str, at: datetime) -> None:
    """Note that a poll finished without error, even if it found nothing new (`status`)."""
    row = get_cursor(session=session, connector=connector)
    row.last_success_at = at


def record_connector_error(*, session: Session, connector: str, error: str, at: datetime) -> None:
    """Note a connector's failure for `modbot status`; its cursor stays where it was."""
    row = get_cursor(session=session, connector=connector)
    row.last_error = error
    row.last_error_at = at
