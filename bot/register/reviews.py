"""Reviews of restrictions: continued for another period, or ended, with reasons.

Each falls due after the profile's period (6 or 12 months, or quarterly).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.dates.clock import add_months
from bot.errors import InputError
from bot.register.reminders import close_reminders
from bot.settings.profile import PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Restriction


def reviews_due(session: Session, *, now: datetime, within_days: int = 14) -> list[Restriction]:
    """Restrictions in force whose review falls within `within_days` (or is overdue)."""
    return list(
        session.scalars(
            sa.select(Restriction)
            .where(
                Restriction.ended_at.is_(None),
                Restriction.review_due <= now + timedelta(days=within_days),
            )
            .order_by(Restriction.review_due)
        )
    )


def record_review(
    session: Session,
    *,
    restriction_id: int,
    outcome: Literal["continue", "end"],
    staff: Staff,
    note: str,
    profile: PolicyProfile,
    now: datetime,
) -> Restriction:
    """Continue a restriction for another review period, or end it.

    Raises:
        InputError: unknown or ended restriction, wrong role, or no reasons given.
    """
    restriction = session.get(Restriction, restriction_id)
    if restriction is None or restriction.ended_at is not None:
        raise InputError(f"there is no restriction {restriction_id} in force")
    staff.require(profile.reviews.reviewer, "reviewing a restriction")
    if not note.strip():
        raise InputError("record why (--note): the person is told in writing whether it continues")
    restriction.last_reviewed_at = now
    restriction.review_note = note
    if outcome == "end":
        restriction.ended_at = now
    else:
        restriction.review_due = add_months(now, profile.reviews.restriction_review_months)
    close_reminders(
        session,
        by=staff.name,
        now=now,
        note=f"review recorded: {outcome}",
        restriction_id=restriction.id,
    )
    audit(
        session,
        actor=staff.name,
        event="restriction_reviewed",
        subject_type="case",
        subject_id=restriction.case_id,
        at=now,
        restriction_id=restriction.id,
        outcome=outcome,
        next_review=None if outcome == "end" else restriction.review_due.date().isoformat(),
    )
    return restriction
