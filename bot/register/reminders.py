"""Daily reminders: a manual task for each restriction review and appeal deadline falling due.

The task goes to the role the policy profile names (the reviewer for a restriction, the
appeal's decider for an appeal), says exactly which command records the outcome, and opens
once per review date or appeal: its `dedupe_key` is unique in the database, so running the
job twice, or in two processes, never opens a second one. A reminder closes itself when
the review is recorded or the appeal decided (and on the next daily run if that happened
some other way, e.g. a restriction ended by an appeal).

Tasks rather than a separate digest email: staff already work from `modbot tasks list
--role ROLE`, the weekly summary counts open tasks, and a task stays until someone acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.register.involvement import involved
from bot.register.tasks import finish_task
from bot.settings.profile import PolicyProfile
from bot.storage.models import Account, Appeal, Case, ManualTask, Restriction, TenancyRecord

REVIEW_DUE, APPEAL_DUE = "review_due", "appeal_due"


@dataclass
class ReminderReport:
    """What one run of the reminders did."""

    opened: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return f"{self.opened} reminder(s) opened, {self.closed} closed"


def _who(tenancy_ref: str | None, handle: str | None) -> str:
    return tenancy_ref or (handle and f"account {handle}") or "an unidentified account"


def send_reminders(
    session: Session, *, profile: PolicyProfile, now: datetime, days_ahead: int
) -> ReminderReport:
    """Open a task for each review or appeal deadline within `days_ahead` days (or past)."""
    report = ReminderReport(closed=_close_stale(session, now))
    horizon = now + timedelta(days=days_ahead)
    rows: list[dict[str, object]] = []
    reviewer = profile.reviews.reviewer
    clause = profile.cite(profile.reviews.clause.to_clause())
    reviews = []
    if profile.reviews.restriction_review_months is not None:  # some only lapse (Selwood)
        reviews = session.execute(
            sa.select(Restriction, TenancyRecord.tenancy_ref, Account.handle)
            .join(Case, Case.id == Restriction.case_id)
            .outerjoin(TenancyRecord, TenancyRecord.id == Case.tenancy_id)
            .outerjoin(Account, Account.id == Case.account_id)
            .where(Restriction.ended_at.is_(None), Restriction.review_due <= horizon)
        ).all()
    for restriction, tenancy_ref, handle in reviews:
        late = "OVERDUE: " if restriction.review_due < now else ""
        rows.append(
            {
                "kind": REVIEW_DUE,
                "role": reviewer[0].value,
                "restriction_id": restriction.id,
                "dedupe_key": f"review:{restriction.id}:{restriction.review_due:%Y-%m-%d}",
                "instructions": (
                    f"{late}The restriction on {_who(tenancy_ref, handle)} "
                    f"({restriction.kind.replace('_', ' ')}: {restriction.terms}) is due for "
                    f"review on {restriction.review_due:%A %d %B %Y} ({clause}), by "
                    f"{profile.describe(reviewer)}. Review it and record the outcome; the "
                    "person is sent it in writing: modbot reviews record "
                    f"{restriction.id} --outcome continue|end --by NAME --note '...' "
                    "[--explanation 'what the person is told']"
                ),
            }
        )
    appeals = session.execute(
        sa.select(Appeal, TenancyRecord.tenancy_ref, Account.handle)
        .join(Case, Case.id == Appeal.case_id)
        .outerjoin(TenancyRecord, TenancyRecord.id == Case.tenancy_id)
        .outerjoin(Account, Account.id == Case.account_id)
        .where(
            Appeal.decided_at.is_(None),
            sa.or_(Appeal.deadline.is_(None), Appeal.deadline <= horizon),
        )
    ).all()
    deciders = profile.describe(profile.appeals.decider or ())
    for appeal, tenancy_ref, handle in appeals:
        late = "OVERDUE: " if appeal.deadline is not None and appeal.deadline < now else ""
        barred = "; ".join(involved(session, appeal.case_id).values())
        by_when = (
            f" by {appeal.deadline:%A %d %B %Y}"
            if appeal.deadline is not None
            else " (the policy sets no deadline)"
        )
        rows.append(
            {
                "kind": APPEAL_DUE,
                "role": appeal.decider_role,
                "appeal_id": appeal.id,
                "dedupe_key": f"appeal:{appeal.id}",
                "instructions": (
                    f"{late}Appeal {appeal.id} from {_who(tenancy_ref, handle)} (case "
                    f"{appeal.case_id}), received {appeal.received_at:%d %B %Y}, must be decided "
                    f"by {deciders or 'a decider'}{by_when}, who was not involved in any "
                    "decision, approval or review in the case"
                    + (f" ({barred})" if barred else "")
                    + ". Record it; the person is sent it "
                    f"in writing: modbot appeals decide {appeal.id} --outcome "
                    "upheld|overturned|varied --by NAME --note '...' "
                    "[--explanation 'what the person is told']"
                ),
            }
        )
    for row in rows:
        row.update(state="open", link="", created_at=now)
        row.setdefault("restriction_id", None)
        row.setdefault("appeal_id", None)
    if rows:
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        opened = session.execute(
            insert(ManualTask.__table__)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(ManualTask.__table__.c.id, ManualTask.__table__.c.kind),
            rows,
        ).all()
        for task_id, kind in opened:
            audit(
                session,
                actor=BOT,
                event="manual_task_opened",
                subject_type="manual_task",
                subject_id=task_id,
                at=now,
                kind=kind,
            )
        report.opened = len(opened)
    return report


def close_reminders(
    session: Session,
    *,
    by: str,
    now: datetime,
    note: str,
    restriction_id: int | None = None,
    appeal_id: int | None = None,
) -> int:
    """Close the open reminders for a restriction or an appeal once staff have acted."""
    conditions = []
    if restriction_id is not None:
        conditions.append(ManualTask.restriction_id == restriction_id)
    if appeal_id is not None:
        conditions.append(ManualTask.appeal_id == appeal_id)
    if not conditions:
        return 0
    tasks = list(
        session.scalars(
            sa.select(ManualTask).where(
                ManualTask.state == "open",
                ManualTask.kind.in_((REVIEW_DUE, APPEAL_DUE)),
                sa.or_(*conditions),
            )
        )
    )
    for task in tasks:
        finish_task(session, task, done=True, by=by, note=note, now=now)
    return len(tasks)


def _close_stale(session: Session, now: datetime) -> int:
    """Close open reminders whose review or appeal no longer waits (handled another way)."""
    closed = 0
    for task, restriction in session.execute(
        sa.select(ManualTask, Restriction)
        .join(Restriction, Restriction.id == ManualTask.restriction_id)
        .where(ManualTask.state == "open", ManualTask.kind == REVIEW_DUE)
    ):
        current = f"review:{restriction.id}:{restriction.review_due:%Y-%m-%d}"
        if restriction.ended_at is not None or task.dedupe_key != current:
            finish_task(
                session,
                task,
                done=True,
                by=BOT,
                note="the restriction was reviewed or ended",
                now=now,
            )
            closed += 1
    for task in session.scalars(
        sa.select(ManualTask)
        .join(Appeal, Appeal.id == ManualTask.appeal_id)
        .where(
            ManualTask.state == "open",
            ManualTask.kind == APPEAL_DUE,
            Appeal.decided_at.is_not(None),
        )
    ):
        finish_task(session, task, done=True, by=BOT, note="the appeal was decided", now=now)
        closed += 1
    return closed
