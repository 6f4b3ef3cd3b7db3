"""Sessions of the review pages, kept in the database so that each can be ended.

A sign-in starts a session: a random token for the browser's cookie, and a row holding only
the token's digest. Every request checks the row: it must not have ended, must be younger
than the absolute lifetime, and must have been used within the idle timeout. Signing out
ends it; a new password, a new role, disabling the account and a lock-out end all of the
account's sessions, in the same transaction as the change, in every web process at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.storage.models import StaffSession, StaffUser

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class SessionLimits:
    """How long a session may last in all, and unused."""

    lifetime: timedelta
    idle: timedelta


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user_id: int, now: datetime) -> str:
    """Start a session for `user_id`; return the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_digest=_digest(token), staff_user_id=user_id, started_at=now, last_seen_at=now
        )
    )
    return token


def session_user(
    session: Session, *, token: str, now: datetime, limits: SessionLimits
) -> StaffUser | None:
    """The account a live session belongs to, or None; a lapsed session is ended here."""
    row = session.scalar(
        sa.select(StaffSession).where(StaffSession.token_digest == _digest(token)).with_for_update()
    )
    if row is None or row.ended_at is not None:
        return None
    if now >= row.started_at + limits.lifetime:
        _end(row, now, "expired")
        return None
    if now >= row.last_seen_at + limits.idle:
        _end(row, now, "idle")
        return None
    user = session.get(StaffUser, row.staff_user_id)
    if user is None or not user.active:
        _end(row, now, "disabled")
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def end_session(session: Session, *, token: str, now: datetime, reason: str) -> None:
    """End the session with this token (sign-out); nothing if it has already ended."""
    row = session.scalar(sa.select(StaffSession).where(StaffSession.token_digest == _digest(token)))
    if row is not None and row.ended_at is None:
        _end(row, now, reason)


def end_sessions(session: Session, *, user_id: int, now: datetime, reason: str) -> int:
    """End every open session of an account; return how many were open."""
    rows = session.scalars(
        sa.select(StaffSession).where(
            StaffSession.staff_user_id == user_id, StaffSession.ended_at.is_(None)
        )
    ).all()
    for row in rows:
        _end(row, now, reason)
    return len(rows)


def _end(row: StaffSession, now: datetime, reason: str) -> None:
    row.ended_at = now
    row.end_reason = reason
