"""When warnings stop counting and restrictions end by themselves, as each policy says.

Run daily by the scheduler (with the reminders), and safe to run any number of times:

* a restriction that lasts a set time from its letter ends on that date (Selwood: 12 months
  from the date of the letter), recorded as lapsed, with no review needed;
* a case with no incident for `cases.close_after_quiet_months` closes, so the ladder starts
  again for a new incident; it waits while anything in it is still in hand (a restriction in
  force, an appeal, an action waiting for approval or with staff). Where the policy keeps a
  closed case counting for a while (Housing Solutions 6.5.3: 12 months), a new incident within
  that time reopens it where it was (`bot.register.cases`).

Both are written to the register (who: the bot; why: the rule and its clause) and the audit
trail, so a person's page shows when and why their warnings stopped counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.dates.clock import add_months
from bot.domain import ActionState
from bot.register.reminders import close_reminders
from bot.settings.profile import PolicyProfile
from bot.storage.models import Action, Appeal, Case, Decision, Restriction

IN_HAND = (
    ActionState.PLANNED,
    ActionState.AWAITING_APPROVAL,
    ActionState.APPROVED,
    ActionState.RUNNING,
    ActionState.MANUAL_TASK,
    ActionState.FAILED,
)


@dataclass
class DecayReport:
    """What one run ended and closed."""

    lapsed: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return f"{self.lapsed} restriction(s) lapsed, {self.closed} quiet case(s) closed"


def apply_decay(session: Session, *, profile: PolicyProfile, now: datetime) -> DecayReport:
    """End lapsed restrictions and close quiet cases under `profile`."""
    report = DecayReport()
    clause = profile.cite(profile.reviews.clause.to_clause())
    for restriction in session.scalars(
        sa.select(Restriction).where(
            Restriction.ended_at.is_(None),
            Restriction.ends_at.is_not(None),
            Restriction.ends_at <= now,
        )
    ):
        restriction.ended_at = restriction.ends_at
        restriction.end_reason = f"lapsed on {restriction.ends_at:%d %B %Y} ({clause})"
        close_reminders(
            session, by=BOT, now=now, note="the restriction lapsed", restriction_id=restriction.id
        )
        audit(
            session,
            actor=BOT,
            event="restriction_lapsed",
            subject_type="case",
            subject_id=restriction.case_id,
            at=now,
            restriction_id=restriction.id,
            clause=clause,
        )
        report.lapsed += 1
    months = profile.cases.close_after_quiet_months
    if months is None:
        return report
    session.flush()
    cutoff = add_months(now, -months)
    last = (
        sa.select(sa.func.max(Decision.created_at))
        .where(Decision.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    busy = sa.or_(
        sa.exists().where(Restriction.case_id == Case.id, Restriction.ended_at.is_(None)),
        sa.exists().where(Appeal.case_id == Case.id, Appeal.decided_at.is_(None)),
        sa.exists().where(Action.case_id == Case.id, Action.state.in_(IN_HAND)),
    )
    quiet = session.scalars(
        sa.select(Case).where(
            Case.status == "open",
            sa.func.coalesce(last, Case.opened_at) <= cutoff,
            sa.not_(busy),
        )
    )
    why = (
        f"no incident for {months} months "
        f"({profile.cite(profile.cases.clause.to_clause())}); the ladder starts again"
    )
    for case in quiet:
        case.status = "closed"
        case.closed_at = now
        case.closed_by = BOT
        case.close_reason = why
        audit(
            session,
            actor=BOT,
            event="case_closed",
            subject_type="case",
            subject_id=case.id,
            at=now,
            note=why,
        )
        report.closed += 1
    return report
