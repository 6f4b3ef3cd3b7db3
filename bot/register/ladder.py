"""Where a person stands on the escalation ladder, read from the actions themselves.

A rung is *issued* once one of its delivering actions is done (sent, or done by staff), and
*pending* while one is still on its way (planned, awaiting approval, failed and due a retry,
or with staff). So a second outburst before the first warning has gone out never stacks a
second warning on top.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import ActionKind, ActionState, LadderStep, PersonState, Vulnerability, rung
from bot.identify.accounts import Identity
from bot.register.cases import current_cases
from bot.storage.models import Action, Decision

TERMINAL = frozenset({ActionState.DONE, ActionState.REJECTED, ActionState.SUPERSEDED})


def person_states(
    session: Session,
    identities: Iterable[Identity],
    now: datetime,
    stop_counting_after_months: int | None = None,
) -> dict[str, PersonState]:
    """The ladder state of each subject, from its current case, in a few queries."""
    by_subject = {i.subject: i for i in identities}
    states: dict[str, PersonState] = {}
    if not by_subject:
        return states
    cases = current_cases(session, by_subject, now, stop_counting_after_months)
    case_ids = [c.id for c in cases.values()]
    by_case: dict[int, list[sa.Row]] = {}
    incidents: dict[int, int] = {}
    if case_ids:
        for row in session.execute(
            sa.select(Decision.id, Decision.case_id, Decision.step, Action.kind, Action.state)
            .join(Action, Action.decision_id == Decision.id)
            .where(Decision.case_id.in_(case_ids), Decision.reversed_at.is_(None))
        ):
            by_case.setdefault(row.case_id, []).append(row)
        incidents = dict(
            session.execute(
                sa.select(Decision.case_id, sa.func.count())
                .where(Decision.case_id.in_(case_ids), Decision.incident)
                .group_by(Decision.case_id)
            ).all()
        )
    for subject, identity in by_subject.items():
        case = cases.get(subject)
        issued = pending = LadderStep.NONE
        warned: set[int] = set()  # decisions whose initial warning went out
        blocked = False
        for row in by_case.get(case.id, []) if case is not None else []:
            if row.kind is ActionKind.BLOCK and row.state is not ActionState.REJECTED:
                blocked = True
            step = rung(row.kind, row.step)
            if step is LadderStep.NONE:
                continue
            if row.state is ActionState.DONE:
                if step.rank > issued.rank:
                    issued = step
                if step is LadderStep.INITIAL_WARNING:
                    warned.add(row.id)
            elif row.state not in TERMINAL and step.rank > pending.rank:
                pending = step
        if pending.rank <= issued.rank:
            pending = LadderStep.NONE
        vulnerability = (
            Vulnerability(identity.vulnerability, identity.support_contact)
            if identity.vulnerability.strip()
            else None
        )
        states[subject] = PersonState(
            identified=identity.identified,
            subject=subject,
            tenancy_ref=identity.tenancy_ref,
            step_issued=issued,
            step_pending=pending,
            platform_warnings=len(warned),
            blocked=blocked,
            open_restriction=issued is LadderStep.RESTRICTION,
            vulnerability=vulnerability,
            incidents=incidents.get(case.id, 0) if case is not None else 0,
        )
    return states
