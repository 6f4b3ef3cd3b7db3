"""Manual tasks: the work the bot hands to staff, written so a comms officer can just do it.

A task says what to do, where (a link to the content), and why, and names the role that
should do it. Nothing the bot cannot do is ever silently dropped: it becomes one of these.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import ActionKind, ActionState, Role
from bot.errors import InputError
from bot.register.action_state import StateWrites, change_state
from bot.register.effects import record_effects
from bot.settings.profile import PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, ManualTask

PLATFORM_NAMES = {"facebook": "Facebook", "x": "X", "reddit": "Reddit", "local": "the platform"}

VERBS = {
    ActionKind.HIDE: "Hide this {where}",
    ActionKind.DELETE: "Delete this {where}",
    ActionKind.PUBLIC_WARNING: "Reply publicly under this {where} with the warning below",
    ActionKind.PRIVATE_WARNING: "Send the warning below privately to {handle}",
    ActionKind.NOTICE: "Send the notice below privately to {handle}",
    ActionKind.FORMAL_WARNING: "Send the formal warning below to {handle} (and by letter)",
    ActionKind.RESTRICTION: "Send the written notice of this restriction to {handle}",
    ActionKind.BLOCK: "Block {handle} from the page",
    ActionKind.MUTE: "Mute {handle}",
    ActionKind.REPORT: "Report this {where} to {platform}",
}


def describe_by_hand(action: Action) -> str:
    """What staff should do on the platform to carry out `action` themselves."""
    contact = action.contact
    where = "message" if contact.kind.value == "private_message" else "comment"
    verb = VERBS.get(action.kind, f"Carry out '{action.kind.value}'")
    text = verb.format(
        where=where,
        handle=contact.account.handle,
        platform=PLATFORM_NAMES.get(contact.platform, contact.platform),
    )
    if action.message:
        text += f":\n\n{action.message}"
    return text


def open_task(
    session: Session,
    action: Action,
    *,
    kind: str,
    role: Role | str,
    instructions: str,
    now: datetime,
    actor: str,
    writes: StateWrites | None = None,
) -> ManualTask:
    """Hand `action` to staff as a manual task, and put the action in state `manual_task`."""
    task = ManualTask(
        action_id=action.id,
        contact_id=action.contact_id,
        kind=kind,
        role=str(role.value if isinstance(role, Role) else role),
        instructions=instructions,
        link=action.contact.permalink,
        state="open",
        created_at=now,
    )
    session.add(task)
    previous = action.state
    if writes is not None:
        writes.set(action, ActionState.MANUAL_TASK)
    else:
        action.state = ActionState.MANUAL_TASK
        action.updated_at = now
    audit(
        session,
        actor=actor,
        event="manual_task_opened",
        subject_type="action",
        subject_id=action.id,
        at=now,
        kind=kind,
        previous_state=previous.value,
    )
    return task


def open_tasks(session: Session, *, role: str | None = None) -> list[ManualTask]:
    """Tasks still waiting for staff, oldest first."""
    query = sa.select(ManualTask).where(ManualTask.state == "open").order_by(ManualTask.id)
    if role is not None:
        query = query.where(ManualTask.role == role)
    return list(session.scalars(query))


def task_role(task: ManualTask) -> Role:
    """The role a task is for (a manager's, if it names one the policy does not know)."""
    try:
        return Role(task.role)
    except ValueError:
        return Role.MANAGER


def close_task(
    session: Session,
    task_id: int,
    *,
    done: bool,
    staff: Staff,
    note: str,
    profile: PolicyProfile,
    now: datetime,
) -> ManualTask:
    """Mark a task done (its action then counts as done) or not needed.

    Raises:
        InputError: unknown or closed task, or an assessment (which is concluded with
            `modbot assessments conclude`, recording its outcome).
        PermissionRefusedError: the task is for a role `staff` does not hold (a police
            referral decision is a manager's, not a comms officer's).
    """
    task = session.get(ManualTask, task_id)
    if task is None:
        raise InputError(f"there is no task {task_id}")
    if task.state != "open":
        raise InputError(f"task {task_id} is already {task.state.replace('_', ' ')}")
    staff.require(task_role(task), f"task {task_id}")
    by = staff.name
    if task.kind == "assessment" and done:
        raise InputError(
            "an assessment records its outcome: use `modbot assessments conclude` instead"
        )
    action = session.get(Action, task.action_id) if task.action_id else None
    if action is not None:
        state = ActionState.DONE if done else ActionState.SUPERSEDED
        change_state(session, action, state, actor=by, now=now, by_hand=True)
        if done:
            record_effects(session, action, profile, by, now)
    finish_task(session, task, done=done, by=by, note=note, now=now)
    return task


def finish_task(
    session: Session, task: ManualTask, *, done: bool, by: str, note: str, now: datetime
) -> None:
    """Close `task` as done or not needed, by whom and why, with its line in the audit trail.

    The one way a task is closed: by staff (`close_task`) or by the bot when a reminder's
    review or appeal was dealt with another way.
    """
    task.state = "done" if done else "not_needed"
    task.closed_at = now
    task.closed_by = by
    task.note = note
    audit(
        session,
        actor=by,
        event="manual_task_closed",
        subject_type="manual_task",
        subject_id=task.id,
        at=now,
        state=task.state,
        note=note,
    )
