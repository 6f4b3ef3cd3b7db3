"""The manager's Unacceptable Behaviour Assessment, and the restriction it may lead to.

Housing Solutions 6.5.3: after a formal warning, if the behaviour continues, a manager
assesses the case (number of incidents, levels of contact, language, the person's needs,
ignoring cases closed for at least 12 months). If the behaviour is found unacceptable, a
communication protocol is proposed for the approvers the profile names (6.5.4: a Head of
Service); nothing is restricted until they approve. The assessment may name the single point
of contact the restriction letter gives (otherwise the organisation's); the manager's note
stays in the register and never reaches the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.audit import audit
from bot.domain import ActionKind, ActionState
from bot.errors import InputError
from bot.register.effects import record_effects
from bot.register.tasks import finish_task
from bot.settings.profile import PROTOCOL_TERMS, PolicyProfile
from bot.staff.roles import Staff
from bot.storage.models import Action, ManualTask


def conclude_assessment(
    session: Session,
    *,
    task_id: int,
    unacceptable: bool,
    protocol: Sequence[str],
    staff: Staff,
    note: str,
    profile: PolicyProfile,
    now: datetime,
    contact_point: Mapping[str, Any] | None = None,
) -> Action | None:
    """Record the assessment's outcome, proposing a restriction if it was unacceptable.

    Returns the proposed restriction action, if any.

    Raises:
        InputError: not an open assessment task, wrong role, no note, or an unknown protocol.
    """
    task = session.get(ManualTask, task_id)
    if task is None or task.kind != "assessment" or task.state != "open":
        raise InputError(f"task {task_id} is not an open assessment")
    staff.require(
        profile.ladder.assessment.approval or profile.vulnerability.decider,
        "an assessment",
        profile,
    )
    if not note.strip():
        raise InputError("record the assessment's reasons (--note)")
    unknown = [p for p in protocol if p not in PROTOCOL_TERMS]
    if unknown:
        raise InputError(
            f"unknown protocol {', '.join(unknown)}; choose from {', '.join(PROTOCOL_TERMS)}"
        )
    assessment = session.get(Action, task.action_id)
    if assessment is None:
        raise InputError(f"task {task_id} has no assessment action")
    finish_task(session, task, done=True, by=staff.name, note=note, now=now, **staff.audit)
    assessment.state = ActionState.DONE
    assessment.decided_by = staff.name
    assessment.decided_at = now
    assessment.decision_note = note
    assessment.details = {"unacceptable": unacceptable}
    assessment.updated_at = now
    record_effects(session, assessment, profile, staff.name, now)
    audit(
        session,
        actor=staff.name,
        event="assessment_concluded",
        subject_type="case",
        subject_id=assessment.case_id,
        at=now,
        unacceptable=unacceptable,
        task_id=task.id,
        **staff.audit,
    )
    if not unacceptable:
        return None
    rule = profile.ladder.restriction
    chosen = tuple(protocol) or rule.default_protocol
    proposal = Action(
        decision_id=assessment.decision_id,
        contact_id=assessment.contact_id,
        case_id=assessment.case_id,
        kind=ActionKind.RESTRICTION,
        state=ActionState.AWAITING_APPROVAL,
        idempotency_key=f"{assessment.idempotency_key}:restriction",
        clause_ref=rule.clause.ref,
        clause_title=rule.clause.title,
        reason=f"The manager's assessment found the behaviour unacceptable: {note}",
        needs_approval=True,
        approver_role=rule.approval[0].value if rule.approval else None,
        details={
            "protocol": list(chosen),
            "approvers": [r.value for r in rule.approval or ()],
            "contact_point": {k: v for k, v in (contact_point or {}).items() if v},
        },
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    session.flush()
    audit(
        session,
        actor=staff.name,
        event="restriction_proposed",
        subject_type="case",
        subject_id=assessment.case_id,
        at=now,
        action_id=proposal.id,
        protocol=list(chosen),
    )
    return proposal
