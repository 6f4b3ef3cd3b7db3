"""Appeals: opened when a person asks, heard by someone not involved, and the outcome sent.

Only the decisions a policy lets a person appeal can be appealed (the letters that carry its
appeal route), and only where the landlord hears appeals itself: under Hanover 6.7 a
dissatisfied customer goes to the Scottish Public Services Ombudsman, so nothing is opened
here. Deadlines are counted in working days (England and Wales, or Scotland) where the
policy sets them (Derby Homes 12.2); where it sets none, the appeal has no deadline and its
reminder opens at once. Nobody who decided, approved or reviewed anything in the case may
hear the appeal (Selwood "Right to appeal"; Derby 12.1 "independent review"). Restrictions
stay in force while an appeal is heard where the profile says so (Derby 12.3); overturning one
ends it, overturning a warning withdraws it. The decision is sent to the person in writing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.dates.workdays import add_working_days
from bot.domain import ActionKind, ActionState
from bot.errors import InputError, PermissionRefusedError
from bot.register.action_state import change_state
from bot.register.involvement import involved
from bot.register.reminders import close_reminders
from bot.settings.profile import LetterKind, PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, Appeal, Case, Restriction

Outcome = Literal["upheld", "overturned", "varied"]

# The action that delivers each kind of letter a policy may attach its appeal route to.
APPEALABLE: dict[LetterKind, tuple[ActionKind, ...]] = {
    "notice": (ActionKind.NOTICE,),
    "initial_warning": (ActionKind.PRIVATE_WARNING, ActionKind.PUBLIC_WARNING),
    "formal_warning": (ActionKind.FORMAL_WARNING,),
    "restriction": (ActionKind.RESTRICTION,),
    "review_outcome": (ActionKind.REVIEW_LETTER,),
}


def open_appeal(
    session: Session,
    *,
    case_id: int,
    received: date,
    profile: PolicyProfile,
    by: str,
    now: datetime,
) -> Appeal:
    """Record an appeal against the case's latest appealable decision, with its deadline.

    Raises:
        InputError: the case does not exist, has no decision the policy lets a person
            appeal, or the landlord hears no appeals itself.
    """
    rules = profile.appeals
    if rules.decider is None:
        raise InputError(
            f"the {profile.landlord} policy gives no appeal to the landlord "
            f"({profile.cite(rules.clause.to_clause())}): {rules.route}"
        )
    case = session.get(Case, case_id)
    if case is None:
        raise InputError(f"there is no case {case_id}")
    restriction = None
    if "restriction" in rules.letters:
        restriction = session.scalar(
            sa.select(Restriction)
            .where(Restriction.case_id == case_id, Restriction.ended_at.is_(None))
            .order_by(Restriction.id.desc())
            .limit(1)
        )
    kinds = [kind for letter in rules.letters for kind in APPEALABLE[letter]]
    target = None
    if restriction is None:
        target = session.scalar(
            sa.select(Action)
            .where(
                Action.case_id == case_id,
                Action.kind.in_(kinds),
                Action.state == ActionState.DONE,
            )
            .order_by(Action.updated_at.desc(), Action.id.desc())
            .limit(1)
        )
    if restriction is None and target is None:
        raise InputError(
            f"case {case_id} has no decision the policy lets a person appeal "
            f"({profile.cite(rules.clause.to_clause())})"
        )
    if (
        restriction is not None
        and restriction.last_reviewed_at
        and "review_outcome" in rules.letters
    ):
        decided_on = restriction.last_reviewed_at.date()  # the review's outcome is appealed
        original = restriction.reviewed_by or ""
    elif restriction is not None:
        decided_on = restriction.starts_at.date()
        original = restriction.approved_by
    else:
        assert target is not None
        decided_on = (target.decided_at or target.updated_at).date()
        original = target.decided_by or ""
    late = bool(
        rules.window_working_days
        and received > add_working_days(decided_on, rules.window_working_days, rules.calendar)
    )
    deadline = (
        datetime.combine(
            add_working_days(received, rules.decide_within_working_days, rules.calendar),
            time(17),
            tzinfo=UTC,
        )
        if rules.decide_within_working_days
        else None
    )
    appeal = Appeal(
        case_id=case_id,
        restriction_id=restriction.id if restriction else None,
        action_id=target.id if target else None,
        received_at=datetime.combine(received, time(9), tzinfo=UTC),
        deadline=deadline,
        decider_role=rules.decider[0].value,
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
        deadline=deadline.date().isoformat() if deadline else None,
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
    explanation: str = "",
) -> Appeal:
    """Record the appeal's outcome and write it to the person.

    `note` is the decider's reasons for the register; `explanation` is what the person is
    told (required when the decision is varied, since the letter must say how).

    Raises:
        InputError: unknown or already decided appeal, or no note (or explanation).
        PermissionRefusedError: the profile does not let `staff`'s role hear appeals, or they
            were involved in the case.
    """
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise InputError(f"there is no appeal {appeal_id}")
    if appeal.decided_at is not None:
        raise InputError(f"appeal {appeal_id} was already decided ({appeal.outcome})")
    rules = profile.appeals
    if rules.decider is None:
        raise InputError(
            f"the {profile.landlord} policy gives no appeal to the landlord "
            f"({profile.cite(rules.clause.to_clause())})"
        )
    staff.require(rules.decider, "deciding an appeal", profile)
    part = involved(session, appeal.case_id).get(" ".join(staff.name.lower().split()))
    if part is not None:
        raise PermissionRefusedError(
            f"{part}, so cannot hear the appeal: it needs someone not involved in the "
            f"decision ({profile.cite(rules.clause.to_clause())})"
        )
    if not note.strip():
        raise InputError("record the reasons for the appeal decision (--note)")
    if outcome == "varied" and not explanation.strip():
        raise InputError("say how the decision was changed (--explanation): the person is told")
    appeal.outcome = outcome
    appeal.note = note
    appeal.explanation = explanation.strip()
    appeal.decided_by = staff.name
    appeal.decided_at = now
    ended = None
    if outcome == "overturned" and appeal.restriction is not None:
        appeal.restriction.ended_at = now
        appeal.restriction.end_reason = f"overturned on appeal {appeal.id}"
        ended = appeal.restriction.id
    if outcome == "overturned" and appeal.action is not None:
        change_state(
            session,
            appeal.action,
            ActionState.SUPERSEDED,
            actor=staff.name,
            now=now,
            reason=f"overturned on appeal {appeal.id}",
        )
    letter = _appeal_letter(session, appeal, staff, profile, now, ended is not None)
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
        letter_action=letter.id if letter is not None else None,
        **staff.audit,
    )
    return appeal


def _appeal_letter(
    session: Session,
    appeal: Appeal,
    staff: Staff,
    profile: PolicyProfile,
    now: datetime,
    ended: bool,
) -> Action | None:
    """The letter with the appeal's decision, sent by the runner on its next run."""
    target = appeal.action
    if target is None and appeal.restriction is not None and appeal.restriction.action_id:
        target = session.get(Action, appeal.restriction.action_id)
    if target is None:
        return None
    restriction = appeal.restriction
    if restriction is not None:
        reviewed = restriction.last_reviewed_at and "review_outcome" in profile.appeals.letters
        decided_on = restriction.last_reviewed_at if reviewed else restriction.starts_at
    else:
        decided_on = target.decided_at or target.updated_at
    clause = profile.appeals.clause
    letter = Action(
        decision_id=target.decision_id,
        contact_id=target.contact_id,
        case_id=appeal.case_id,
        kind=ActionKind.APPEAL_LETTER,
        state=ActionState.PLANNED,
        idempotency_key=f"appeal:{appeal.id}:decision",
        clause_ref=clause.ref,
        clause_title=clause.title,
        reason=f"Tell the person in writing the decision on appeal {appeal.id} ({appeal.outcome}).",
        details={
            "appeal_id": appeal.id,
            "outcome": appeal.outcome,
            "explanation": appeal.explanation or "",
            "received": appeal.received_at.isoformat(),
            "decided_on": decided_on.isoformat(),
            "heard_by": staff.role.value,
            "ended": ended,
        },
        created_at=now,
        updated_at=now,
    )
    session.add(letter)
    session.flush()
    return letter


def appeals_due(session: Session, *, now: datetime, within_days: int = 14) -> list[Appeal]:
    """Undecided appeals due within `within_days` (or overdue), and those with no deadline."""
    return list(
        session.scalars(
            sa.select(Appeal)
            .where(
                Appeal.decided_at.is_(None),
                sa.or_(
                    Appeal.deadline.is_(None),
                    Appeal.deadline <= now + timedelta(days=within_days),
                ),
            )
            .order_by(Appeal.deadline.is_(None), Appeal.deadline, Appeal.id)
        )
    )
