"""Moving an action from one state to the next, always with its line in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import ActionState
from bot.storage.models import Action


def change_state(
    session: Session,
    action: Action,
    state: ActionState,
    *,
    actor: str,
    now: datetime,
    **detail: Any,
) -> None:
    """Set `action.state`, stamp it, and record who moved it from what to what."""
    previous = action.state
    if previous is state:
        return
    action.state = state
    action.updated_at = now
    audit(
        session,
        actor=actor,
        event="action_state",
        subject_type="action",
        subject_id=action.id,
        at=now,
        kind=action.kind.value,
        previous_state=previous.value,
        state=state.value,
        **detail,
    )
