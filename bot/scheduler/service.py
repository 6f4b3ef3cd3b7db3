"""The long-running service behind `modbot run`: APScheduler, a leader lease, clean shutdown.

Every process runs the same APScheduler jobs: a heartbeat that takes or renews the leader
lease, and one job per schedule (each connector's poll, the action runner, the daily
reminders and retention purge, the weekly summary). When a job's trigger fires, `fire`
runs it only if this process leads and its claim on the tick succeeds in the database, so
one process does each tick however many are running. Jobs run one at a time on one worker
thread, which keeps SQLite happy and the order of steps easy to follow.

Shutdown (SIGTERM or SIGINT): the stop event is set; the running job finishes its current
batch (the pipeline and runner check the event between batches, the summary's retry wait
wakes on it), APScheduler waits for it, the lease is released so another process takes over
at once, and connectors are closed. A second signal exits immediately; that is safe too,
since each batch is one transaction and the runner writes each action's state before
calling the platform (a crash mid-call is recovered on the next run, never repeated
blindly).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType

import sqlalchemy as sa
import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.dates.clock import Clock, system_clock
from bot.errors import EXPECTED, BotError
from bot.pipeline import Pipeline
from bot.scheduler.jobs import Job, build_jobs
from bot.scheduler.lease import Lease, new_holder
from bot.scheduler.ledger import FAILED, OK, claim_tick, due_jobs, finish_run, sync_jobs
from bot.scheduler.schedules import SUMMARY
from bot.settings.loading import LoadedConfig
from bot.storage.session import Store
from bot.summary.mailer import Mailer
from platforms.base import Connector

log = structlog.get_logger(__name__)

OnRun = Callable[[str, datetime, str], None]  # job id, tick, holder: for tests and metrics


class Service:
    """One scheduler process: its jobs, its view of the lease, and its stop event."""

    def __init__(
        self,
        loaded: LoadedConfig,
        store: Store,
        *,
        clock: Clock = system_clock,
        lease_clock: Clock | None = None,
        holder: str | None = None,
        connectors: dict[str, Connector] | None = None,
        mailer: Mailer | None = None,
        on_run: OnRun | None = None,
    ) -> None:
        """`lease_clock` None means lease times come from the database's clock."""
        settings = loaded.settings
        self.loaded = loaded
        self.store = store
        self.clock = clock
        self.stop_event = threading.Event()
        self.holder = holder or new_holder()
        self.pipeline = Pipeline(
            loaded, store, connectors=connectors, clock=clock, should_stop=self.stop_event.is_set
        )
        self.mailer = mailer or Mailer(settings.smtp, wait=self.stop_event.wait)
        self.jobs: dict[str, Job] = {
            job.job_id: job
            for job in build_jobs(loaded, store, self.pipeline, clock=clock, mailer=self.mailer)
        }
        self.lease = Lease(
            store,
            self.holder,
            ttl=timedelta(seconds=settings.schedule.lease_seconds),
            clock=lease_clock,
        )
        self.leader = False
        self.on_run = on_run
        self._scheduler: BackgroundScheduler | None = None

    # --- the parts a test drives with a controllable clock --------------------------------

    def check(self) -> None:
        """Refuse to start with a problem that would only show when a job runs.

        Raises:
            ConfigError: e.g. an SMTP credential variable the config names is not set.
        """
        if SUMMARY in self.jobs:
            self.loaded.settings.smtp.credentials()

    def heartbeat(self) -> bool:
        """Take or renew the lease. Returns True when this process has just become leader."""
        try:
            held = self.lease.acquire()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("lease_unavailable", error=str(getattr(exc, "orig", exc)))
            held = False
        became = held and not self.leader
        if became:
            with self.store.begin() as session:
                sync_jobs(session, [job.schedule for job in self.jobs.values()], self.clock())
            log.info("leadership_acquired", holder=self.holder)
        elif self.leader and not held:
            log.warning("leadership_lost", holder=self.holder)
        self.leader = held
        return became

    def fire(self, job_id: str) -> bool:
        """Run the job's due tick if this process leads and no one has run it. True if run."""
        if self.stop_event.is_set() or not self.leader:
            return False
        job = self.jobs[job_id]
        now = self.clock()
        try:
            with self.store.begin() as session:
                fence = self.lease.held_clause(self.lease.now(session))
                tick = claim_tick(session, job.schedule, now=now, holder=self.holder, fence=fence)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("job_claim_failed", job=job_id, error=str(getattr(exc, "orig", exc)))
            return False
        if tick is None:
            return False
        log.info("job_started", job=job_id, tick=tick.isoformat())
        began = time.monotonic()
        status, result, error = OK, None, None
        try:
            result = job.run(tick)
        except EXPECTED as exc:  # loop edge: record it for `status`, keep the service going
            status, error = FAILED, str(exc)
            log.warning("job_failed", job=job_id, error=error)
        except Exception as exc:  # loop edge: an unexpected fault, recorded with its trace
            status, error = FAILED, f"{type(exc).__name__}: {exc}"
            log.exception("job_crashed", job=job_id)
        try:
            with self.store.begin() as session:
                finish_run(
                    session,
                    job_id,
                    holder=self.holder,
                    now=self.clock(),
                    status=status,
                    result=result,
                    error=error[:2000] if error else None,
                )
        except sa.exc.SQLAlchemyError as exc:
            log.warning("job_record_failed", job=job_id, error=str(getattr(exc, "orig", exc)))
        log.info(
            "job_finished",
            job=job_id,
            status=status,
            seconds=round(time.monotonic() - began, 3),
        )
        if self.on_run is not None:
            self.on_run(job_id, tick, self.holder)
        return True

    def run_pending(self) -> list[str]:
        """Fire every job whose tick is due (used after taking over, and by tests)."""
        return [job_id for job_id in self.jobs if self.fire(job_id)]

    def overdue(self) -> list[str]:
        """Configured jobs whose tick has come, by the shared job table."""
        with self.store.session() as session:
            return [j for j in due_jobs(session, self.clock()) if j in self.jobs]

    def request_stop(self) -> None:
        """Ask the service to stop after the current batch."""
        self.stop_event.set()

    def close(self) -> None:
        """Give up the lease (if held) and close the connectors."""
        if self.leader:
            try:
                self.lease.release()
                log.info("leadership_released", holder=self.holder)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("lease_release_failed", error=str(getattr(exc, "orig", exc)))
            self.leader = False
        self.pipeline.close()

    # --- the real thing: APScheduler and signals ------------------------------------------

    def build_scheduler(self) -> BackgroundScheduler:
        """APScheduler with the heartbeat and every job, not yet started."""
        scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(1), "lease": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        beat = max(1.0, self.lease.ttl.total_seconds() / 3)
        scheduler.add_job(
            self._beat,
            IntervalTrigger(seconds=beat, timezone=UTC),
            id="lease",
            executor="lease",
            next_run_time=datetime.now(UTC),
        )
        for job in self.jobs.values():
            scheduler.add_job(
                self.fire, job.schedule.trigger, args=[job.job_id], id=job.job_id, name=job.job_id
            )
        return scheduler

    def _beat(self) -> None:
        if self.heartbeat() and self._scheduler is not None and self.overdue():
            # Ticks missed while nobody led (or before this start) run now, once each.
            self._scheduler.add_job(
                self.run_pending,
                "date",
                run_date=datetime.now(UTC),
                id="catch-up",
                replace_existing=True,
            )

    def serve(self, *, handle_signals: bool = True) -> None:
        """Run until SIGTERM or SIGINT (or `request_stop`), then shut down cleanly."""
        try:
            self.check()
        except BotError:
            self.pipeline.close()
            raise
        self._scheduler = self.build_scheduler()
        if handle_signals:
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        self._scheduler.start()
        log.info("service_started", holder=self.holder, jobs=len(self.jobs), pid=os.getpid())
        try:
            while not self.stop_event.wait(0.5):
                pass
        finally:
            log.info("service_stopping", holder=self.holder)
            self.stop_event.set()
            self._scheduler.shutdown(wait=True)
            self.close()
            log.info("service_stopped", holder=self.holder)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stop_event.is_set():
            log.warning("service_stopped_at_once", signal=name)
            os._exit(128 + signum)
        log.info("service_stop_requested", signal=name)
        self.stop_event.set()


def run_service(loaded: LoadedConfig, store: Store) -> None:
    """`modbot run`: serve until told to stop."""
    Service(loaded, store).serve()
