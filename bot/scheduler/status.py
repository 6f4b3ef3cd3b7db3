"""What `modbot status` shows, gathered from the database so any process can show it.

The scheduler's leader and each job's next and last run come from the lease and job tables
the service keeps; connector health from the cursors the pipeline keeps, and the items it
set aside; approvals, failed actions and open tasks from the register, counted in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import ActionState
from bot.scheduler.lease import current_lease
from bot.scheduler.ledger import all_jobs
from bot.scheduler.schedules import schedules
from bot.settings.loading import LoadedConfig
from bot.storage.models import (
    Action,
    ConnectorCursor,
    ManualTask,
    SchedulerLease,
    SetAsideItem,
    SummarySend,
)
from bot.summary.model import TASK_LABELS
from bot.summary.sends import latest_sends

SET_ASIDE_SHOWN = 20


@dataclass(frozen=True)
class JobStatus:
    """One job as the job table (or, before any scheduler ran, the config) has it."""

    job_id: str
    schedule: str
    next_run_at: datetime | None
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_status: str | None = None
    last_result: str | None = None
    last_error: str | None = None
    last_holder: str | None = None
    runs: int = 0
    configured: bool = True
    recorded: bool = True


@dataclass(frozen=True)
class ConnectorStatus:
    """One connector's health."""

    name: str
    configured: bool
    last_success_at: datetime | None
    cursor_moved_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass(frozen=True)
class Status:
    """Everything `modbot status` prints."""

    now: datetime
    lease: SchedulerLease | None
    jobs: tuple[JobStatus, ...]
    connectors: tuple[ConnectorStatus, ...]
    approvals: tuple[tuple[str, int, datetime], ...]  # approver role, count, oldest
    failed_actions: int
    running_actions: int
    tasks: tuple[tuple[str, str, int, datetime], ...]  # label, role, count, oldest
    sends: tuple[SummarySend, ...]
    set_aside: tuple[SetAsideItem, ...] = ()  # the newest first, at most SET_ASIDE_SHOWN
    set_aside_total: int = 0

    @property
    def leader(self) -> str | None:
        """Who leads now (None if the lease is free or expired)."""
        if self.lease is None or self.lease.holder is None or self.lease.expires_at <= self.now:
            return None
        return self.lease.holder


def gather_status(session: Session, loaded: LoadedConfig, *, now: datetime) -> Status:
    """Read everything `modbot status` shows."""
    plans = {plan.job_id: plan for plan in schedules(loaded)}
    rows = {row.job_id: row for row in all_jobs(session)}
    jobs: list[JobStatus] = []
    for job_id in [*plans, *sorted(set(rows) - set(plans))]:
        row = rows.get(job_id)
        if row is None:
            plan = plans[job_id]
            jobs.append(JobStatus(job_id, plan.describe, plan.next_after(now), recorded=False))
            continue
        jobs.append(
            JobStatus(
                job_id=job_id,
                schedule=row.schedule,
                next_run_at=row.next_run_at,
                last_started_at=row.last_started_at,
                last_finished_at=row.last_finished_at,
                last_status=row.last_status,
                last_result=row.last_result,
                last_error=row.last_error,
                last_holder=row.last_holder,
                runs=row.runs,
                configured=job_id in plans,
            )
        )
    configured = list(loaded.settings.connectors)
    cursors = {c.connector: c for c in session.scalars(sa.select(ConnectorCursor))}
    connectors = tuple(
        ConnectorStatus(
            name=name,
            configured=name in configured,
            last_success_at=cursors[name].last_success_at if name in cursors else None,
            cursor_moved_at=cursors[name].updated_at if name in cursors else None,
            last_error=cursors[name].last_error if name in cursors else None,
            last_error_at=cursors[name].last_error_at if name in cursors else None,
        )
        for name in [*configured, *sorted(set(cursors) - set(configured))]
    )
    approvals = tuple(
        (role or "manager", count, oldest)
        for role, count, oldest in session.execute(
            sa.select(Action.approver_role, sa.func.count(), sa.func.min(Action.created_at))
            .where(Action.state == ActionState.AWAITING_APPROVAL)
            .group_by(Action.approver_role)
            .order_by(Action.approver_role)
        )
    )
    by_state = dict(
        session.execute(
            sa.select(Action.state, sa.func.count())
            .where(Action.state.in_((ActionState.FAILED, ActionState.RUNNING)))
            .group_by(Action.state)
        ).all()
    )
    tasks = tuple(
        (TASK_LABELS.get(kind, kind.replace("_", " ")), role, count, oldest)
        for kind, role, count, oldest in session.execute(
            sa.select(
                ManualTask.kind,
                ManualTask.role,
                sa.func.count(),
                sa.func.min(ManualTask.created_at),
            )
            .where(ManualTask.state == "open")
            .group_by(ManualTask.kind, ManualTask.role)
            .order_by(sa.func.count().desc(), ManualTask.kind)
        )
    )
    return Status(
        now=now,
        lease=current_lease(session),
        jobs=tuple(jobs),
        connectors=connectors,
        approvals=approvals,
        failed_actions=by_state.get(ActionState.FAILED, 0),
        running_actions=by_state.get(ActionState.RUNNING, 0),
        tasks=tasks,
        sends=tuple(latest_sends(session)),
        set_aside=tuple(
            session.scalars(
                sa.select(SetAsideItem)
                .order_by(SetAsideItem.set_aside_at.desc(), SetAsideItem.id.desc())
                .limit(SET_ASIDE_SHOWN)
            )
        ),
        set_aside_total=session.scalar(sa.select(sa.func.count()).select_from(SetAsideItem)) or 0,
    )
