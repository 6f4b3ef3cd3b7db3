"""Appeals: opened when a person asks, decided by someone who was not the first decider.

Deadlines are counted in working days (England and Wales, or Scotland, as the profile
says). Restrictions stay in force while an appeal is heard where the profile says so (Derby
Homes 12.3); overturning one ends it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.dates.workdays import add_working_days
from bot.errors import InputError, PermissionRefusedError
from bot.register.reminders import close_reminders
from bot.settings.profile import PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, Appeal, Case, Restriction

Outcome = Literal["upheld", "overturned", "varied"]


def open_appeal(
    session: Session,
    *,
    case_id: int,
    received: date,
    profile: PolicyProfile,
    by: str,
    now: datetime,
) -> Appeal:
    """Record an appeal against the case's latest formal decision, with its deadline.

    Raises:
        InputError: the case does not exist or has no formal decision to appeal.
    """
    case = session.get(Case, case_id)
    if case is None:
        raise InputError(f"there is no case {case_id}")
    restriction = session.scalar(
        sa.select(Restriction)
        .where(Restriction.case_id == case_id, Restriction.ended_at.is_(None))
        .order_by(Restriction.id.desc())
        .limit(1)
    )
    formal = session.scalar(
        sa.select(Action)
        .where(Action.case_id == case_id, Action.decided_by.is_not(None))
        .order_by(Action.decided_at.desc())
        .limit(1)
    )
    if restriction is None and formal is None:
        raise InputError(f"case {case_id} has no formal decision to appeal")
    decided_on = (restriction.starts_at if restriction else formal.decided_at).date()  # type: ignore[union-attr]
    original = restriction.approved_by if restriction else (formal.decided_by or "")  # type: ignore[union-attr]
    rules = profile.appeals
    late = bool(
        rules.window_working_days
        and received > add_working_days(decided_on, rules.window_working_days, rules.calendar)
    )
    deadline = add_working_days(received, rules.decide_within_working_days, rules.calendar)
    appeal = Appeal(
        case_id=case_id,
        restriction_id=restriction.id if restriction else None,
        received_at=datetime.combine(received, time(9), tzinfo=UTC),
        deadline=datetime.combine(deadline, time(17), tzinfo=UTC),
        decider_role=rules.decider.value,
        original_decider=original,
        late=late,
        opened_by=by,
    )
    session.add(appeal)
    session.flush()
    audit(
        session,
        actor=by,
        event="appeal_opened",
        subject_type="case",
        subject_id=case_id,
        at=now,
        appeal_id=appeal.id,
        deadline=deadline.isoformat(),
        late=late,
    )
    return appeal


def decide_appeal(
    session: Session,
    *,
    appeal_id: int,
    outcome: Outcome,
    staff: Staff,
    note: str,
    profile: PolicyProfile,
    now: datetime,
) -> Appeal:
    """Record the appeal's outcome; overturning a restriction ends it.

    Raises:
        InputError: unknown or already decided appeal, wrong role, the original decider, or
            no note.
    """
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise InputError(f"there is no appeal {appeal_id}")
    if appeal.decided_at is not None:
        raise InputError(f"appeal {appeal_id} was already decided ({appeal.outcome})")
    staff.require(profile.appeals.decider, "deciding an appeal")
    if staff.same_person(appeal.original_decider):
        raise PermissionRefusedError(
            f"{staff.name} made the decision under appeal, so cannot hear the appeal "
            f"({profile.cite(profile.appeals.clause.to_clause())})"
        )
    if not note.strip():
        raise InputError("record the reasons for the appeal decision (--note)")
    appeal.outcome = outcome
    appeal.note = note
    appeal.decided_by = staff.name
    appeal.decided_at = now
    ended = None
    if outcome == "overturned" and appeal.restriction is not None:
        appeal.restriction.ended_at = now
        ended = appeal.restriction.id
    close_reminders(
        session,
        by=staff.name,
        now=now,
        note=f"appeal decided: {outcome}",
        appeal_id=appeal.id,
        restriction_id=ended,
    )
    audit(
        session,
        actor=staff.name,
        event="appeal_decided",
        subject_type="case",
        subject_id=appeal.case_id,
        at=now,
        appeal_id=appeal.id,
        outcome=outcome,
        role=staff.role.value,
    )
    return appeal


def appeals_due(session: Session, *, now: datetime, within_days: int = 14) -> list[Appeal]:
    """Undecided appeals whose deadline falls within `within_days` (or has passed)."""
    return list(
        session.scalars(
            sa.select(Appeal)
            .where(
                Appeal.decided_at.is_(None),
                Appeal.deadline <= now + timedelta(days=within_days),
            )
            .order_by(Appeal.deadline)
        )
    )
