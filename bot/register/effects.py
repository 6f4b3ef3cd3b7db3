"""What a finished action leaves in the register: a warning on the case, a restriction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.dates.clock import add_months
from bot.domain import DELIVERS, ActionKind, LadderStep
from bot.settings.profile import PROTOCOL_TERMS, PolicyProfile
from bot.storage.models import Action, Restriction, Warning


def record_effects(
    session: Session,
    action: Action,
    profile: PolicyProfile,
    actor: str,
    now: datetime,
    issued: set[tuple[int, int | None, LadderStep]] | None = None,
) -> None:
    """Write what a finished action leaves in the register (a warning, a restriction).

    `issued` holds (case, contact, level) of the warnings already recorded, when the caller
    loaded them for a whole batch; without it, this looks them up.
    """
    decision = action.decision
    if action.case_id is None:
        return
    level = None
    if action.kind in DELIVERS[LadderStep.INITIAL_WARNING]:
        level = LadderStep.INITIAL_WARNING
    elif action.kind is ActionKind.FORMAL_WARNING:
        level = LadderStep.FORMAL_WARNING
    if level is not None and decision.step is level:
        key = (action.case_id, action.contact_id, level)
        if issued is None:
            issued = warnings_issued(session, [action.contact_id])
        if key not in issued:
            issued.add(key)
            session.add(
                Warning(
                    case_id=action.case_id,
                    action_id=action.id,
                    contact_id=action.contact_id,
                    level=level,
                    clause_ref=action.clause_ref,
                    issued_at=now,
                )
            )
            audit(
                session,
                actor=actor,
                event="warning_issued",
                subject_type="case",
                subject_id=action.case_id,
                at=now,
                level=level.value,
                action_id=action.id,
            )
    if action.kind is ActionKind.RESTRICTION:
        restriction = restriction_for(session, action, profile, now)
        audit(
            session,
            actor=actor,
            event="restriction_started",
            subject_type="case",
            subject_id=action.case_id,
            at=now,
            restriction_id=restriction.id,
            review_due=restriction.review_due.date().isoformat(),
            ends=restriction.ends_at.date().isoformat() if restriction.ends_at else None,
        )


def warnings_issued(
    session: Session, contact_ids: Iterable[int]
) -> set[tuple[int, int | None, LadderStep]]:
    """(case, contact, level) of every warning already recorded for these contacts."""
    rows = session.execute(
        sa.select(Warning.case_id, Warning.contact_id, Warning.level).where(
            Warning.contact_id.in_(list(contact_ids))
        )
    )
    return {(row.case_id, row.contact_id, row.level) for row in rows}


def restriction_for(
    session: Session, action: Action, profile: PolicyProfile, now: datetime
) -> Restriction:
    """The restriction an approved RESTRICTION action starts (created once)."""
    existing = session.scalar(sa.select(Restriction).where(Restriction.action_id == action.id))
    if existing is not None:
        return existing
    protocol = tuple(action.details.get("protocol") or profile.ladder.restriction.default_protocol)
    rules = profile.reviews
    ends = add_months(now, rules.lapse_after_months) if rules.lapse_after_months else None
    review_due = (
        add_months(now, rules.restriction_review_months)
        if rules.restriction_review_months
        else ends
    )
    assert review_due is not None  # a profile sets a review period or a lapse (validated)
    restriction = Restriction(
        case_id=action.case_id,
        action_id=action.id,
        kind=", ".join(protocol),
        terms="; ".join(PROTOCOL_TERMS[p] for p in protocol),
        clause_ref=action.clause_ref,
        approved_by=action.decided_by or "",
        starts_at=now,
        review_due=review_due,
        ends_at=ends,
    )
    session.add(restriction)
    session.flush()
    return restriction
