"""Manual tasks: the work the bot hands to staff, written so a comms officer can just do it.

A task says what to do, where (a link to the content), and why, and names the role that
should do it. Nothing the bot cannot do is ever silently dropped: it becomes one of these.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import ActionKind, ActionState, Role
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
