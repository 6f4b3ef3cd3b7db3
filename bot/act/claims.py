"""Who holds a claim on an action: each runner's identity and lease.

A runner claims an action (state `running`) in its own name, and keeps a lease in the
database alive from a background thread while it exists. Another runner — or the same
service restarted — takes a claim over only when its holder is known to be gone: its lease
has lapsed, or it ran on this machine and its process no longer exists (so a restart after
`kill -9` recovers at once). A live runner's claims are never taken, however long its
platform calls take. Claims from before owners were recorded fall back to their age
(`pipeline.running_stale_after_seconds`).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Collection
from datetime import timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from bot.dates.clock import Clock
from bot.storage.models import WorkerLease
from bot.storage.session import Store

log = structlog.get_logger(__name__)

HOST = socket.gethostname()[:200]


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


class Worker:
    """A runner's identity, and the lease that says it is alive."""

    def __init__(self, store: Store, *, lease: timedelta, clock: Clock) -> None:
        self.id = f"{HOST}:{os.getpid()}:{secrets.token_hex(3)}"
        self.store = store
        self.lease = lease
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew(self, *, take: bool = False) -> bool:
        """Extend the lease to now + lease (`take`: write it if absent). False if it is gone.

        A lease another runner has removed (it judged this one dead) is never written back:
        the claims it covered are that runner's now.
        """
        now = self.clock()
        with self.store.begin() as session:
            row = session.get(WorkerLease, self.id)
            if row is None:
                if not take:
                    return False
                row = WorkerLease(
                    worker=self.id, host=HOST, pid=os.getpid(), started_at=now, renewed_at=now
                )
                session.add(row)
            row.renewed_at = now
            row.expires_at = now + self.lease
        return True

    def start(self) -> None:
        """Take the lease and keep it renewed from a background thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self.renew(take=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._keep, name="worker-lease", daemon=True)
        self._thread.start()

    def _keep(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                if not self.renew():
                    log.warning("worker_lease_lost", worker=self.id)
                    return
            except Exception:  # loop edge: a missed renewal is retried; the lease is long
                log.exception("worker_lease_renewal_failed", worker=self.id)

    def stop(self) -> None:
        """Stop renewing the lease (it lapses after `lease`), as when the process dies."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def release(self) -> None:
        """Stop renewing and give the lease up: this runner has finished its claims."""
        self.stop()
        try:
            with self.store.begin() as session:
                session.execute(sa.delete(WorkerLease).where(WorkerLease.worker == self.id))
        except Exception:  # loop edge: at shutdown; the lease then simply lapses
            log.warning("worker_lease_release_failed", worker=self.id)


def gone(session: Session, owners: Collection[str], *, me: str, clock: Clock) -> set[str]:
    """Which of these claim holders are certainly not running (never `me`).

    Their leases are removed, so a holder that was only stalled cannot renew its way back.
    """
    others = set(owners) - {me}
    if not others:
        return set()
    leases = {
        row.worker: row
        for row in session.scalars(sa.select(WorkerLease).where(WorkerLease.worker.in_(others)))
    }
    now = clock()
    dead = set()
    for owner in others:
        row = leases.get(owner)
        if row is None or row.expires_at is None or row.expires_at <= now:
            dead.add(owner)
        elif row.host == HOST and not process_alive(row.pid):
            dead.add(owner)  # died on this machine: no need to wait for its lease
    if dead:
        session.execute(sa.delete(WorkerLease).where(WorkerLease.worker.in_(dead)))
    return dead
