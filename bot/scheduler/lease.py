"""The leader lease: a row in the database that says which scheduler runs the timed jobs.

Every `modbot run` process tries to take the lease on each heartbeat. Taking it is one
atomic upsert: it succeeds if nobody holds it, if we already hold it (a renewal), or if the
holder's lease has expired (it died, hung or lost the database), so two processes can never
both hold it. The holder renews it every third of its length; a leader that cannot renew
stops leading once it expires, and every job's claim checks the lease in the same statement
(a fence), so a leader paused past its expiry cannot run a tick its successor has taken.

All lease times come from one clock: the database's own by default, so machines whose
clocks disagree still agree on who leads; tests pass a controllable clock instead.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.dates.clock import Clock
from bot.storage.models import SchedulerLease, UTCDateTime
from bot.storage.session import Store

LEADER = "scheduler"


def new_holder() -> str:
    """A name for this process that no other process (here or elsewhere) has."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def database_now(session: Session) -> datetime:
    """The database server's current time, as an aware UTC datetime."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(sa.text("SELECT clock_timestamp()"))
        return value.astimezone(UTC)
    text = session.scalar(sa.text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"))
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Lease:
    """One process's view of the leader lease."""

    def __init__(
        self,
        store: Store,
        holder: str,
        *,
        ttl: timedelta,
        clock: Clock | None = None,
        name: str = LEADER,
    ) -> None:
        self.store = store
        self.holder = holder
        self.ttl = ttl
        self.clock = clock
        self.name = name

    def now(self, session: Session) -> datetime:
        """The lease clock's time: the controllable clock if given, else the database's."""
        return self.clock() if self.clock is not None else database_now(session)

    def acquire(self) -> bool:
        """Take the lease, or renew it if we hold it. True if we hold it afterwards."""
        table = SchedulerLease.__table__
        with self.store.begin() as session:
            now = self.now(session)
            expires = now + self.ttl
            insert = (
                postgresql.insert
                if session.get_bind().dialect.name == "postgresql"
                else sqlite.insert
            )
            statement = (
                insert(table)
                .values(
                    name=self.name,
                    holder=self.holder,
                    acquired_at=now,
                    renewed_at=now,
                    expires_at=expires,
                )
                .on_conflict_do_update(
                    index_elements=["name"],
                    set_={
                        "acquired_at": sa.case(
                            (table.c.holder == self.holder, table.c.acquired_at),
                            else_=sa.literal(now, UTCDateTime()),
                        ),
                        "holder": self.holder,
                        "renewed_at": now,
                        "expires_at": expires,
                    },
                    where=sa.or_(table.c.holder == self.holder, table.c.expires_at <= now),
                )
                .returning(table.c.holder)
            )
            row = session.execute(statement).first()
        return row is not None and row[0] == self.holder

    def release(self) -> None:
        """Give the lease up at once (a clean shutdown), so another process need not wait."""
        with self.store.begin() as session:
            now = self.now(session)
            session.execute(
                sa.update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(holder=None, expires_at=now)
            )

    def held_clause(self, now: datetime) -> Any:
        """SQL that is true while we hold an unexpired lease, for fencing a job's claim."""
        return (
            sa.select(SchedulerLease.name)
            .where(
                SchedulerLease.name == self.name,
                SchedulerLease.holder == self.holder,
                SchedulerLease.expires_at > now,
            )
            .exists()
        )


def current_lease(session: Session, name: str = LEADER) -> SchedulerLease | None:
    """The lease row, for `modbot status`."""
    return session.get(SchedulerLease, name)
