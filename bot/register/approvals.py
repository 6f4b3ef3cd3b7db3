"""Approvals: a named member of staff approves or rejects an action the policy reserves.

Nothing formal runs unapproved: the runner only executes an action that needs approval once
it is `approved`, and the approver's name, role and note are kept on the action and in the
audit trail. A role may approve what its own rank or a lower one is asked to.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from bot.audit import audit
from bot.domain import ActionState, Role
from bot.errors import InputError, PermissionRefusedError
from bot.staff.roles import may_approve
from bot.storage.models import Action, Contact


def pending(session: Session) -> list[Action]:
    """Actions waiting for approval, oldest first."""
    return list(
        session.scalars(
            sa.select(Action)
            .where(Action.state == ActionState.AWAITING_APPROVAL)
            .order_by(Action.id)
            .options(joinedload(Action.contact).joinedload(Contact.account))
        ).unique()
    )


def decide_approval(
    session: Session,
    action_id: int,
    *,
    approve: bool,
    by: str,
    role: Role,
    note: str,
    now: datetime,
) -> Action:
    """Approve or reject one waiting action.

    Raises:
        InputError: no such action, it is not waiting, the role may not decide it, or a
            rejection has no reason.
    """
    action = session.get(Action, action_id, with_for_update=True)
    if action is None:
        raise InputError(f"there is no action {action_id}")
    if action.state is not ActionState.AWAITING_APPROVAL:
        raise InputError(f"action {action_id} is {action.state.value}, not awaiting approval")
    if not by.strip():
        raise InputError("say who you are (--by NAME): approvals are recorded by name")
    required = Role(action.approver_role) if action.approver_role else Role.MANAGER
    if not may_approve(role, required):
        raise PermissionRefusedError(
            f"action {action_id} ({action.kind.value}) needs a {required.value} to decide; "
            f"a {role.value} may not"
        )
    if not approve and not note.strip():
        raise InputError("a rejection needs a reason (--reason)")
    previous = action.state
    action.state = ActionState.APPROVED if approve else ActionState.REJECTED
    action.decided_by = by
    action.decided_at = now
    action.decision_note = note
    action.updated_at = now
    audit(
        session,
        actor=by,
        event="approved" if approve else "rejected",
        subject_type="action",
        subject_id=action.id,
        at=now,
        role=role.value,
        kind=action.kind.value,
        previous_state=previous.value,
        note=note,
    )
    return action
