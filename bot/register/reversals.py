"""Reversing a decision as a false positive: undo what the platform allows, record the rest.

A comms officer who finds the bot was wrong (a complaint hidden for a word it misread)
reverses the decision: hidden contacts are unhidden and blocks lifted where the platform
lets the bot, anything still waiting is withdrawn, warnings already sent stay on record as
sent (staff may want to apologise), and the reversal counts in the weekly summary so
thresholds can be tuned.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import ActionKind, ActionState
from bot.errors import InputError
from bot.register.ladder import TERMINAL
from bot.settings.profile import PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, Decision

UNDO = {ActionKind.HIDE: ActionKind.UNHIDE, ActionKind.BLOCK: ActionKind.UNBLOCK}


def reverse_decision(
    session: Session,
    decision_id: int,
    *,
    staff: Staff,
    reason: str,
    profile: PolicyProfile,
    now: datetime,
) -> list[Action]:
    """Reverse a decision; returns the undo actions planned (run on the next pass).

    Raises:
        InputError: unknown or already reversed decision, nothing to reverse, or no reason.
        PermissionRefusedError: `staff` holds none of the profile's roles.
    """
    staff.require(profile.roles, "reversing a decision", profile)
    by = staff.name
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise InputError(f"there is no decision {decision_id}")
    if decision.reversed_at is not None:
        raise InputError(f"decision {decision_id} was already reversed by {decision.reversed_by}")
    if not decision.actions:
        raise InputError(f"decision {decision_id} took no action, so there is nothing to reverse")
    if not by.strip() or not reason.strip():
        raise InputError("a reversal needs your name (--by) and the reason (--reason)")
    decision.reversed_at = now
    decision.reversed_by = by
    decision.reversal_reason = reason
    undo: list[Action] = []
    for action in list(decision.actions):
        if action.state not in TERMINAL and action.state is not ActionState.RUNNING:
            action.state = ActionState.SUPERSEDED
            action.updated_at = now
            continue
        opposite = UNDO.get(action.kind)
        if opposite is None or action.state is not ActionState.DONE:
            continue
        key = f"{action.idempotency_key}:undo"
        if session.scalar(sa.select(Action.id).where(Action.idempotency_key == key)):
            continue
        undo_action = Action(
            decision_id=decision.id,
            contact_id=action.contact_id,
            case_id=action.case_id,
            kind=opposite,
            state=ActionState.PLANNED,
            idempotency_key=key,
            clause_ref=action.clause_ref,
            clause_title=action.clause_title,
            reason=f"Reversed by {by} as a false positive: {reason}",
            created_at=now,
            updated_at=now,
        )
        session.add(undo_action)
        undo.append(undo_action)
    decision.incident = False
    audit(
        session,
        actor=by,
        event="decision_reversed",
        subject_type="decision",
        subject_id=decision.id,
        at=now,
        reason=reason,
        undo=[a.kind.value for a in undo],
        **staff.audit,
    )
    return undo
