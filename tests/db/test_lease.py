"""The leader lease on SQLite and PostgreSQL, with a controllable clock (and the database's)."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
import time_machine

from bot.scheduler.lease import Lease, current_lease, database_now
from bot.storage import models as m
from bot.storage.session import Store

TTL = timedelta(seconds=60)


def test_one_holder_at_a_time_until_the_lease_expires(store: Store, clock):
    a = Lease(store, "a", ttl=TTL, clock=clock)
    b = Lease(store, "b", ttl=TTL, clock=clock)
    assert a.acquire()
    assert not b.acquire()
    clock.advance(seconds=40)
    assert a.acquire()  # renewed: expires 60 s from now, not from the first take
    clock.advance(seconds=40)
    assert not b.acquire()  # 80 s after a took it, but only 40 s after it renewed
    with store.session() as session:
        lease = current_lease(session)
        assert lease.holder == "a"
        assert lease.acquired_at == clock() - timedelta(seconds=80)
        assert lease.expires_at == clock() + timedelta(seconds=20)
    clock.advance(seconds=20)  # a died: no renewal; the lease runs out
    assert b.acquire()
    assert not a.acquire()  # a comes back: b leads now
    with store.session() as session:
        lease = current_lease(session)
        assert (lease.holder, lease.acquired_at) == ("b", clock())


def test_a_lease_given_up_can_be_taken_at_once(store: Store, clock):
    a = Lease(store, "a", ttl=TTL, clock=clock)
    b = Lease(store, "b", ttl=TTL, clock=clock)
    assert a.acquire()
    a.release()
    assert b.acquire()
    b.release()
    b.release()  # twice is harmless
    with store.session() as session:
        assert current_lease(session).holder is None


def test_the_fence_is_true_only_for_the_holder_before_expiry(store: Store, clock):
    a = Lease(store, "a", ttl=TTL, clock=clock)
    b = Lease(store, "b", ttl=TTL, clock=clock)
    assert a.acquire()
    with store.session() as session:
        assert session.scalar(sa.select(a.held_clause(clock())))
        assert not session.scalar(sa.select(b.held_clause(clock())))
        assert not session.scalar(sa.select(a.held_clause(clock() + TTL)))


def test_the_database_clock_is_used_when_no_clock_is_given(store: Store):
    a = Lease(store, "a", ttl=TTL)
    b = Lease(store, "b", ttl=TTL)
    assert a.acquire() and not b.acquire()
    with store.session() as session:
        now = database_now(session)
        # The database's own clock, not the suite's fixed today: compare with the real time.
        real_now = time_machine.escape_hatch.datetime.datetime.now(UTC)
        assert abs(now - real_now) < timedelta(seconds=5)
        lease = session.get(m.SchedulerLease, "scheduler")
        assert timedelta(seconds=50) < lease.expires_at - now <= TTL
    a.release()
    assert b.acquire()
