"""The job table: each timed job's next tick and last run, shared by every process.

The leader claims a tick with one conditional UPDATE that moves `next_run_at` on, and only
while its lease holds; whoever's UPDATE changes the row runs the tick, and everyone else
sees a later `next_run_at` and does nothing. So a tick runs once whatever the number of
processes, and a new leader carries on from the ticks its predecessor left (missed ticks
coalesce into one run). `modbot status`, from any process, reads the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.scheduler.schedules import Schedule
from bot.storage.models import ScheduledJob

RUNNING, OK, FAILED = "running", "ok", "failed"


def sync_jobs(session: Session, plans: Sequence[Schedule], now: datetime) -> None:
    """Make the table match the leader's schedules.

    New jobs and jobs whose schedule changed get their next tick after `now`; jobs no longer
    configured are removed; unchanged ones keep their next tick, even one in the past, so a
    tick missed while no process ran is caught up.
    """
    rows = {row.job_id: row for row in session.scalars(sa.select(ScheduledJob).with_for_update())}
    for plan in plans:
        row = rows.pop(plan.job_id, None)
        if row is None:
            session.add(
                ScheduledJob(
                    job_id=plan.job_id,
                    schedule=plan.describe,
                    next_run_at=plan.next_after(now),
                    runs=0,
                )
            )
        elif row.schedule != plan.describe or row.next_run_at is None:
            row.schedule = plan.describe
            row.next_run_at = plan.next_after(now)
    for stale in rows.values():
        session.delete(stale)


def due_jobs(session: Session, now: datetime) -> list[str]:
    """Jobs whose next tick has come."""
    return list(
        session.scalars(
            sa.select(ScheduledJob.job_id)
            .where(ScheduledJob.next_run_at <= now)
            .order_by(ScheduledJob.job_id)
        )
    )


def claim_tick(
    session: Session, plan: Schedule, *, now: datetime, holder: str, fence: Any
) -> datetime | None:
    """Claim the job's due tick for this process; None if it is not due or someone else won.

    `fence` is SQL that must hold for the claim to count (the lease check).
    """
    row = session.get(ScheduledJob, plan.job_id, with_for_update=True, populate_existing=True)
    if row is None or row.next_run_at is None or row.next_run_at > now:
        return None
    due = row.next_run_at
    tick = plan.latest_due(due, now)
    claimed = session.execute(
        sa.update(ScheduledJob)
        .where(ScheduledJob.job_id == plan.job_id, ScheduledJob.next_run_at == due, fence)
        .values(
            next_run_at=plan.next_after(now),
            last_tick=tick,
            last_started_at=now,
            last_finished_at=None,
            last_status=RUNNING,
            last_result=None,
            last_error=None,
            last_holder=holder,
            runs=ScheduledJob.runs + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return tick if claimed.rowcount == 1 else None


def finish_run(
    session: Session,
    job_id: str,
    *,
    holder: str,
    now: datetime,
    status: str,
    result: str | None = None,
    error: str | None = None,
) -> None:
    """Record how this process's run of a job ended."""
    session.execute(
        sa.update(ScheduledJob)
        .where(ScheduledJob.job_id == job_id, ScheduledJob.last_holder == holder)
        .values(last_finished_at=now, last_status=status, last_result=result, last_error=error)
        .execution_options(synchronize_session=False)
    )


def all_jobs(session: Session) -> list[ScheduledJob]:
    """Every job row, for `modbot status`."""
    return list(session.scalars(sa.select(ScheduledJob).order_by(ScheduledJob.job_id)))
