"""Approvals: a named member of staff approves or rejects an action the policy reserves.

Nothing formal runs unapproved: the runner only executes an action that needs approval once
it is `approved`, and the approver's name, role and note are kept on the action and in the
audit trail. Who may decide is the list of roles the profile named when the action was
planned (a Head of Service or a member of the Executive Team; exactly a member of the SMT),
and only roles the profile declares count. A restriction is approved only when its letter
can be complete: it names a single point of contact and says how to reach them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from bot.audit import audit
from bot.domain import ActionKind, ActionState, Role
from bot.errors import InputError
from bot.settings.profile import PolicyProfile
from bot.settings.schema import missing_for_letter
from bot.staff.roles import Staff
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


def approvers_of(action: Action) -> tuple[Role, ...]:
    """The roles that may decide `action`, as the profile named them when it was planned."""
    names = action.details.get("approvers") or (
        [action.approver_role] if action.approver_role else [Role.MANAGER.value]
    )
    return tuple(Role(name) for name in names)


def may_decide(staff: Staff, action: Action, profile: PolicyProfile) -> bool:
    """Whether `staff` may approve or reject `action` under `profile`."""
    return staff.may(approvers_of(action), profile)


def decide_approval(
    session: Session,
    action_id: int,
    *,
    approve: bool,
    staff: Staff,
    note: str,
    profile: PolicyProfile,
    contact_point: Mapping[str, Any],
    now: datetime,
) -> Action:
    """Approve or reject one waiting action.

    `contact_point` is the organisation's single point of contact, named by a restriction's
    letter unless the restriction names its own.

    Raises:
        InputError: no such action, it is not waiting, a rejection has no reason, or a
            restriction's letter would lack its single point of contact.
        PermissionRefusedError: the profile does not let `staff`'s role decide it.
    """
    action = session.get(Action, action_id, with_for_update=True)
    if action is None:
        raise InputError(f"there is no action {action_id}")
    if action.state is not ActionState.AWAITING_APPROVAL:
        raise InputError(f"action {action_id} is {action.state.value}, not awaiting approval")
    staff.require(
        approvers_of(action), f"deciding action {action_id} ({action.kind.value})", profile
    )
    if not approve and not note.strip():
        raise InputError("a rejection needs a reason (--reason)")
    if approve and action.kind is ActionKind.RESTRICTION:
        own = {k: v for k, v in (action.details.get("contact_point") or {}).items() if v}
        protocol = action.details.get("protocol") or profile.ladder.restriction.default_protocol
        missing = missing_for_letter({**contact_point, **own}, protocol)
        if missing:
            raise InputError(
                f"the letter for restriction {action_id} would not say "
                + " or ".join(missing)
                + ": set organisation.contact_point in the config (or name one at the "
                "assessment), then approve it"
            )
    previous = action.state
    action.state = ActionState.APPROVED if approve else ActionState.REJECTED
    action.decided_by = staff.name
    action.decided_at = now
    action.decision_note = note
    action.updated_at = now
    audit(
        session,
        actor=staff.name,
        event="approved" if approve else "rejected",
        subject_type="action",
        subject_id=action.id,
        at=now,
        kind=action.kind.value,
        previous_state=previous.value,
        note=note,
        **staff.audit,
    )
    return action
