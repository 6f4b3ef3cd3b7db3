"""The Unacceptable Actions Register: cases, ladder state, warnings and restrictions.

The state of the ladder is read from the actions themselves: a rung is *issued* once one of
its delivering actions is done (sent, or done by staff), and *pending* while one is still on
its way (planned, awaiting approval, failed and due a retry, or with staff). So a second
outburst before the first warning has gone out never stacks a second warning on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.clock import add_months
from bot.domain import ActionKind, ActionState, LadderStep, PersonState, Vulnerability
from bot.identity import Identity
from bot.policy.profile import PolicyProfile
from bot.storage.models import Action, Case, Decision, Restriction, Warning

DELIVERS: Mapping[LadderStep, frozenset[ActionKind]] = {
    LadderStep.INITIAL_WARNING: frozenset({ActionKind.PRIVATE_WARNING, ActionKind.PUBLIC_WARNING}),
    LadderStep.FORMAL_WARNING: frozenset({ActionKind.FORMAL_WARNING}),
    LadderStep.ASSESSMENT: frozenset({ActionKind.ASSESSMENT}),
    LadderStep.RESTRICTION: frozenset({ActionKind.RESTRICTION}),
}
TERMINAL = frozenset({ActionState.DONE, ActionState.REJECTED, ActionState.SUPERSEDED})


def open_case(session: Session, identity: Identity, now: datetime) -> Case:
    """The person's (or account's) open case, opened now if there is none."""
    case = session.scalar(
        sa.select(Case)
        .where(Case.subject == identity.subject, Case.status == "open")
        .order_by(Case.id.desc())
        .limit(1)
    )
    if case is None:
        case = Case(
            subject=identity.subject,
            tenancy_id=identity.tenancy_id,
            account_id=None if identity.identified else identity.account_id,
            status="open",
            opened_at=now,
        )
        session.add(case)
        session.flush()
    return case


def person_states(session: Session, identities: Iterable[Identity]) -> dict[str, PersonState]:
    """The ladder state of each subject, from its open case, in a few queries."""
    by_subject = {i.subject: i for i in identities}
    states: dict[str, PersonState] = {}
    if not by_subject:
        return states
    cases = {
        c.subject: c
        for c in session.scalars(
            sa.select(Case).where(Case.subject.in_(by_subject), Case.status == "open")
        )
    }
    case_ids = [c.id for c in cases.values()]
    rows = (
        session.execute(
            sa.select(Decision.case_id, Decision.step, Action.kind, Action.state)
            .join(Action, Action.decision_id == Decision.id)
            .where(Decision.case_id.in_(case_ids))
        ).all()
        if case_ids
        else []
    )
    for subject, identity in by_subject.items():
        case = cases.get(subject)
        issued = pending = LadderStep.NONE
        warnings = 0
        blocked = False
        incidents = 0
        if case is not None:
            for row in rows:
                if row.case_id != case.id:
                    continue
                step: LadderStep = row.step
                if row.kind is ActionKind.BLOCK and row.state is not ActionState.REJECTED:
                    blocked = True
                if row.kind not in DELIVERS.get(step, ()):
                    continue
                if row.state is ActionState.DONE:
                    if step.rank > issued.rank:
                        issued = step
                    if step is LadderStep.INITIAL_WARNING:
                        warnings += 1
                elif row.state not in TERMINAL and step.rank > pending.rank:
                    pending = step
            incidents = (
                session.scalar(
                    sa.select(sa.func.count()).where(Decision.case_id == case.id, Decision.incident)
                )
                or 0
            )
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
            platform_warnings=warnings,
            blocked=blocked,
            open_restriction=issued is LadderStep.RESTRICTION,
            vulnerability=vulnerability,
            incidents=incidents,
        )
    return states


def record_effects(
    session: Session, action: Action, profile: PolicyProfile, actor: str, now: datetime
) -> None:
    """Write what a finished action leaves in the register (a warning, a restriction)."""
    decision = action.decision
    if action.case_id is None:
        return
    level = None
    if action.kind in DELIVERS[LadderStep.INITIAL_WARNING]:
        level = LadderStep.INITIAL_WARNING
    elif action.kind is ActionKind.FORMAL_WARNING:
        level = LadderStep.FORMAL_WARNING
    if level is not None and decision.step is level:
        exists = session.scalar(
            sa.select(Warning.id).where(
                Warning.case_id == action.case_id,
                Warning.contact_id == action.contact_id,
                Warning.level == level,
            )
        )
        if exists is None:
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
        )


def restriction_for(
    session: Session, action: Action, profile: PolicyProfile, now: datetime
) -> Restriction:
    """The restriction an approved RESTRICTION action starts (created once)."""
    existing = session.scalar(sa.select(Restriction).where(Restriction.action_id == action.id))
    if existing is not None:
        return existing
    threat = action.decision.outcome == "threat escalated"
    restriction = Restriction(
        case_id=action.case_id,
        action_id=action.id,
        kind="end_direct_contact" if threat else "communication_protocol",
        terms=(
            "all direct contact has ended; contact us in writing only, or through a representative"
            if threat
            else "one contact method (in writing), through a single point of contact"
        ),
        clause_ref=action.clause_ref,
        approved_by=action.decided_by or "",
        starts_at=now,
        review_due=add_months(now, profile.reviews.restriction_review_months),
    )
    session.add(restriction)
    session.flush()
    return restriction
