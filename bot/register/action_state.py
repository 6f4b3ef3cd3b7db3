"""Moving an action from one state to the next, always with its line in the audit trail.

`change_state` does it for one action through the ORM. `StateWrites` collects the changes of
a whole batch and writes them in one statement per shape: the ORM would send one UPDATE per
action whenever neighbouring actions change different columns, which on PostgreSQL is most
of a pass's time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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
    writes: StateWrites | None = None,
    **detail: Any,
) -> None:
    """Set `action.state`, stamp it, and record who moved it from what to what.

    With `writes`, the UPDATE is deferred to `writes.flush()` with the rest of the batch.
    """
    previous = action.state
    if previous is state:
        return
    if writes is not None:
        writes.set(action, state)
    else:
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


class StateWrites:
    """A batch's action updates, written together by `flush`.

    The in-memory objects are updated as if read back from the database, so later code in
    the same transaction sees the new values and the ORM does not write them again.
    """

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._rows: dict[int, dict[str, Any]] = {}

    def set(self, action: Action, state: ActionState, **values: Any) -> None:
        """Queue `state` (and any other column values) for `action`."""
        row = self._rows.setdefault(action.id, {"b_id": action.id})
        row.update(values, state=state, updated_at=self.now)
        for key, value in (*values.items(), ("state", state), ("updated_at", self.now)):
            set_committed_value(action, key, value)

    def flush(self) -> None:
        """One executemany UPDATE per set of columns changed."""
        table = Action.__table__
        groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row in self._rows.values():
            groups.setdefault(frozenset(row), []).append(row)
        for keys, rows in groups.items():
            statement = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"))
                .values({key: sa.bindparam(key) for key in keys if key != "b_id"})
            )
            self.session.execute(statement, rows)
        self._rows.clear()
