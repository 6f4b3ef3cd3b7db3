"""Reviews of restrictions: continued for another period, or ended, and the person told.

Each falls due after the profile's period (6 or 12 months, or quarterly). The outcome is sent
to the person in writing (Housing Solutions 6.5.6; Hanover 6.6, which also wants a continued
restriction explained) as a letter action the runner sends and the register keeps. The
reviewer's note stays internal; only their `explanation` is written to the person. Where a
restriction simply lasts a set time from its letter (Selwood: 12 months), it cannot be
continued at a review: going on restricting is a new decision with its own letter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.dates.clock import add_months
from bot.domain import ActionKind, ActionState
from bot.errors import InputError
from bot.register.reminders import close_reminders
from bot.settings.profile import PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, Restriction


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
    explanation: str = "",
) -> Restriction:
    """Continue a restriction for another review period, or end it, and write to the person.

    Raises:
        InputError: unknown or ended restriction, no reasons given, a continuation the policy
            does not allow, or a continuation the policy wants explained without one.
        PermissionRefusedError: the profile does not let `staff`'s role review.
    """
    restriction = session.get(Restriction, restriction_id)
    if restriction is None or restriction.ended_at is not None:
        raise InputError(f"there is no restriction {restriction_id} in force")
    rules = profile.reviews
    staff.require(rules.reviewer, "reviewing a restriction", profile)
    if not note.strip():
        raise InputError("record why (--note): the register keeps the reviewer's reasons")
    if outcome == "continue" and rules.restriction_review_months is None:
        raise InputError(
            f"under {profile.cite(rules.clause.to_clause())} a restriction lasts "
            f"{rules.lapse_after_months} months from its letter and then ends; it cannot be "
            "continued at a review (restricting again is a new decision, with its own letter)"
        )
    if outcome == "continue" and rules.explain_when_continued and not explanation.strip():
        raise InputError(
            "say why the restriction continues (--explanation): the policy tells the person "
            "why it remains in force until the next review"
        )
    letter_from = session.get(Action, restriction.action_id) if restriction.action_id else None
    restriction.last_reviewed_at = now
    restriction.reviewed_by = staff.name
    restriction.review_note = note
    if outcome == "end":
        restriction.ended_at = now
        restriction.end_reason = f"ended at review by {staff.name}"
    else:
        assert rules.restriction_review_months is not None
        restriction.review_due = add_months(now, rules.restriction_review_months)
    letter = None
    if letter_from is not None:
        letter = _review_letter(
            session, letter_from, restriction, outcome, explanation, profile, now
        )
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
        letter_action=letter.id if letter is not None else None,
        **staff.audit,
    )
    return restriction


def _review_letter(
    session: Session,
    letter_from: Action,
    restriction: Restriction,
    outcome: str,
    explanation: str,
    profile: PolicyProfile,
    now: datetime,
) -> Action:
    """The letter telling the person the review's outcome, sent by the runner on its next run."""
    earlier = session.scalar(
        sa.select(sa.func.count())
        .select_from(Action)
        .where(
            Action.kind == ActionKind.REVIEW_LETTER,
            Action.idempotency_key.like(f"{letter_from.idempotency_key}:review:%"),
        )
    )
    clause = profile.reviews.clause
    letter = Action(
        decision_id=letter_from.decision_id,
        contact_id=letter_from.contact_id,
        case_id=restriction.case_id,
        kind=ActionKind.REVIEW_LETTER,
        state=ActionState.PLANNED,
        idempotency_key=f"{letter_from.idempotency_key}:review:{(earlier or 0) + 1}",
        clause_ref=clause.ref,
        clause_title=clause.title,
        reason=f"Tell the person in writing the outcome of the review ({outcome}).",
        details={
            "restriction_id": restriction.id,
            "continued": outcome == "continue",
            "explanation": explanation.strip(),
            "started": restriction.starts_at.isoformat(),
            "next_review": restriction.review_due.isoformat() if outcome == "continue" else None,
        },
        created_at=now,
        updated_at=now,
    )
    session.add(letter)
    session.flush()
    return letter
