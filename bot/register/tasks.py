"""Manual tasks: the work the bot hands to staff, written so a comms officer can just do it.

A task says what to do, where (a link to the content), and why, and names the role that
should do it. Nothing the bot cannot do is ever silently dropped: it becomes one of these.
Who may close a task is the profile's to say (`task_roles`): a police report, an assessment,
a review or an appeal only by the roles the policy names for it; the rest (routing, doing by
hand what a platform cannot) by any of the profile's staff.
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
from bot.storage.models import Action, Case, ManualTask, TenancyRecord

PLATFORM_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "reddit": "Reddit",
    "local": "the platform",
}

VERBS = {
    ActionKind.HIDE: "Hide this {where}",
    ActionKind.DELETE: "Delete this {where}",
    ActionKind.PUBLIC_WARNING: "Reply publicly under this {where} with the warning below",
    ActionKind.PRIVATE_WARNING: "Send the warning below privately to {handle}",
    ActionKind.NOTICE: "Send the notice below privately to {handle}",
    ActionKind.FORMAL_WARNING: "Send the formal warning below to {handle} (and by letter)",
    ActionKind.RESTRICTION: "Send the written notice of this restriction to {handle}",
    ActionKind.REVIEW_LETTER: "Send the letter below, with the outcome of the review, to {handle}",
    ActionKind.APPEAL_LETTER: "Send the letter below, with the appeal decision, to {handle}",
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


POLICE_TASKS = ("police_report", "police_referral_decision")


def task_roles(task: ManualTask, profile: PolicyProfile) -> tuple[Role, ...]:
    """The roles that may close `task` under `profile`."""
    if task.kind in POLICE_TASKS:
        return profile.threats.police.roles
    if task.kind == "assessment":
        return profile.ladder.assessment.approval or profile.vulnerability.decider
    if task.kind == "review_due":
        return profile.reviews.reviewer
    if task.kind == "appeal_due":
        return profile.appeals.decider or profile.roles
    return profile.roles


def police_instructions(session: Session, action: Action) -> str:
    """What a police task asks, and what to tell the police: the words, where, who, our refs."""
    contact = action.contact
    tenancy = None
    if action.case_id is not None:
        tenancy = session.scalar(
            sa.select(TenancyRecord)
            .join(Case, Case.tenancy_id == TenancyRecord.id)
            .where(Case.id == action.case_id)
        )
    who = f"{contact.account.handle} ({contact.account.display_name or 'no display name'}), " + (
        f"tenancy {tenancy.tenancy_ref}, {tenancy.name}" if tenancy else "not linked to any tenancy"
    )
    first = (
        "Report this threat to the police."
        if action.kind is ActionKind.POLICE_REPORT
        else "Decide whether to report this threat to the police."
    )
    closing = (
        "Mark this task done with the police reference. It can be closed as not needed only "
        "with your recorded reason."
        if action.kind is ActionKind.POLICE_REPORT
        else "Record your decision and its reason when you close this task."
    )
    return (
        f"{first} {action.reason}\n\n"
        "What to tell the police:\n"
        f'- What was said: "{contact.text}"\n'
        f"- Where and when: {PLATFORM_NAMES.get(contact.platform, contact.platform)}, "
        f"{contact.kind.value.replace('_', ' ')}, {contact.created_at:%d %B %Y at %H:%M} UTC"
        + (f", {contact.permalink}" if contact.permalink else "")
        + "\n"
        f"- Who sent it: {who}\n"
        f"- Our references: contact {contact.id}"
        + (f", case {action.case_id}" if action.case_id else "")
        + "\n\n"
        + closing
    )


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
        InputError: unknown or closed task, an assessment (which is concluded with
            `modbot assessments conclude`, recording its outcome), or a task closed as not
            needed without a reason.
        PermissionRefusedError: the task is for roles `staff` does not hold (a police report
            is for the roles the profile names, not a comms officer).
    """
    task = session.get(ManualTask, task_id)
    if task is None:
        raise InputError(f"there is no task {task_id}")
    if task.state != "open":
        raise InputError(f"task {task_id} is already {task.state.replace('_', ' ')}")
    what = f"task {task_id} ({task.kind.replace('_', ' ')})"
    staff.require(task_roles(task, profile), what, profile)
    if not done and not note.strip():
        raise InputError(f"say why {what} is not needed (--note): the register keeps the reason")
    by = staff.name
    if task.kind == "assessment" and done:
        raise InputError(
            "an assessment records its outcome: use `modbot assessments conclude` instead"
        )
    action = session.get(Action, task.action_id) if task.action_id else None
    if action is not None:
        state = ActionState.DONE if done else ActionState.SUPERSEDED
        change_state(session, action, state, actor=by, now=now, by_hand=True, **staff.audit)
        if done:
            record_effects(session, action, profile, by, now)
    finish_task(session, task, done=done, by=by, note=note, now=now, **staff.audit)
    return task


def finish_task(
    session: Session,
    task: ManualTask,
    *,
    done: bool,
    by: str,
    note: str,
    now: datetime,
    **detail: object,
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
        **detail,
    )
