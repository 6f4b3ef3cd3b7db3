"""Who was involved in a case: everyone who decided, approved or reviewed anything in it.

An appeal must be heard by someone who was not (Selwood "Right to appeal": not part of the
initial decision-making; Derby Homes 12.1: an independent review). Read from the register
and the audit trail, so a reviewer from a year ago counts as much as today's approver.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.storage.models import Action, Appeal, AuditEvent, Restriction


def involved(session: Session, case_id: int) -> dict[str, str]:
    """Everyone who decided, approved or reviewed anything in the case, with what they did."""
    people: dict[str, str] = {}

    def add(name: str | None, what: str) -> None:
        if name and name.strip():
            people.setdefault(" ".join(name.lower().split()), f"{name} {what}")

    for action_id, kind, by in session.execute(
        sa.select(Action.id, Action.kind, Action.decided_by).where(
            Action.case_id == case_id, Action.decided_by.is_not(None)
        )
    ):
        add(by, f"decided action {action_id} ({kind.value.replace('_', ' ')})")
    for restriction in session.scalars(
        sa.select(Restriction).where(Restriction.case_id == case_id)
    ):
        add(restriction.approved_by, f"approved restriction {restriction.id}")
        add(restriction.reviewed_by, f"reviewed restriction {restriction.id}")
    for actor in session.scalars(
        sa.select(AuditEvent.actor).where(
            AuditEvent.subject_type == "case",
            AuditEvent.subject_id == case_id,
            AuditEvent.event.in_(("restriction_reviewed", "assessment_concluded")),
        )
    ):
        add(actor, "reviewed or assessed this case")
    for appeal_id, by in session.execute(
        sa.select(Appeal.id, Appeal.decided_by).where(
            Appeal.case_id == case_id, Appeal.decided_by.is_not(None)
        )
    ):
        add(by, f"decided appeal {appeal_id}")
    return people
