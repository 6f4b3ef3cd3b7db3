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

from bot.dates.clock import add_months
from bot.decide.profile import PROTOCOL_TERMS, PolicyProfile
from bot.domain import ActionKind, ActionState, LadderStep, PersonState, Vulnerability
from bot.errors import InputError
from bot.identify.accounts import Identity
from bot.register.audit import BOT, audit
from bot.storage.models import Action, Case, Decision, Restriction, Warning

DELIVERS: Mapping[LadderStep, frozenset[ActionKind]] = {
    LadderStep.INITIAL_WARNING: frozenset({ActionKind.PRIVATE_WARNING, ActionKind.PUBLIC_WARNING}),
    LadderStep.FORMAL_WARNING: frozenset({ActionKind.FORMAL_WARNING}),
    LadderStep.ASSESSMENT: frozenset({ActionKind.ASSESSMENT}),
    LadderStep.RESTRICTION: frozenset({ActionKind.RESTRICTION}),
}
TERMINAL = frozenset({ActionState.DONE, ActionState.REJECTED, ActionState.SUPERSEDED})


def rung(kind: ActionKind, decision_step: LadderStep) -> LadderStep:
    """The ladder rung an action delivers, if any.

    Warnings count as the initial warning only when the decision was that rung (a hidden
    comment's notice is not a warning); formal warnings, assessments and restrictions are
    their own rung whatever planned them (a restriction may come from an assessment, or
    from a threat, which skips the ladder).
    """
    if kind in DELIVERS[LadderStep.INITIAL_WARNING]:
        return decision_step if decision_step is LadderStep.INITIAL_WARNING else LadderStep.NONE
    for step in (LadderStep.FORMAL_WARNING, LadderStep.ASSESSMENT, LadderStep.RESTRICTION):
        if kind in DELIVERS[step]:
            return step
    return LadderStep.NONE


def current_cases(
    session: Session,
    subjects: Iterable[str],
    now: datetime,
    stop_counting_after_months: int | None,
) -> dict[str, Case]:
    """Each subject's current case: the open one, or one closed too recently to forget.

    Housing Solutions 6.5.3: a case counts until it has been closed for 12 months.
    """
    wanted = set(subjects)
    open_cases: dict[str, Case] = {}
    recently_closed: dict[str, Case] = {}
    if not wanted:
        return {}
    for case in session.scalars(sa.select(Case).where(Case.subject.in_(wanted)).order_by(Case.id)):
        if case.status == "open":
            open_cases[case.subject] = case
            continue
        still_counts = (
            stop_counting_after_months is not None
            and case.closed_at is not None
            and add_months(case.closed_at, stop_counting_after_months) > now
        )
        if still_counts:
            recently_closed[case.subject] = case
    return {**recently_closed, **open_cases}


class CaseBook:
    """The current cases of the subjects in one batch: loaded in one query, opened on demand.

    New cases are added to the session without a flush; they are written with the batch.
    """

    def __init__(
        self,
        session: Session,
        subjects: Iterable[str],
        now: datetime,
        stop_counting_after_months: int | None = None,
    ) -> None:
        self.session = session
        self.now = now
        self._cases = current_cases(session, subjects, now, stop_counting_after_months)

    def open_case(self, identity: Identity) -> Case:
        """The subject's open case, reopening or opening one if needed.

        A case closed too recently to stop counting is reopened (Housing Solutions 6.5.3);
        otherwise a new case is opened now.
        """
        case = self._cases.get(identity.subject)
        if case is not None and case.status == "closed":
            case.status = "open"
            case.closed_at = None
            audit(
                self.session,
                actor=BOT,
                event="case_reopened",
                subject_type="case",
                subject_id=case.id,
                at=self.now,
                reason="a new incident within the period the policy keeps closed cases counting",
            )
        if case is None:
            case = Case(
                subject=identity.subject,
                tenancy_id=identity.tenancy_id,
                account_id=None if identity.identified else identity.account_id,
                status="open",
                opened_at=self.now,
            )
            self.session.add(case)
            self._cases[identity.subject] = case
        return case


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
    restriction = Restriction(
        case_id=action.case_id,
        action_id=action.id,
        kind=", ".join(protocol),
        terms="; ".join(PROTOCOL_TERMS[p] for p in protocol),
        clause_ref=action.clause_ref,
        approved_by=action.decided_by or "",
        starts_at=now,
        review_due=add_months(now, profile.reviews.restriction_review_months),
    )
    session.add(restriction)
    session.flush()
    return restriction


def close_case(session: Session, *, case_id: int, by: str, note: str, now: datetime) -> Case:
    """Close a case, so the person's ladder starts again.

    Unless the profile keeps closed cases counting for a period and a new incident falls
    within it: then the case is reopened where it was.

    Raises:
        InputError: unknown or already closed case, restrictions still in force, or no note.
    """
    case = session.get(Case, case_id)
    if case is None or case.status != "open":
        raise InputError(f"there is no open case {case_id}")
    if not by.strip() or not note.strip():
        raise InputError("closing a case needs your name (--by) and the reason (--note)")
    in_force = session.scalar(
        sa.select(sa.func.count()).where(
            Restriction.case_id == case_id, Restriction.ended_at.is_(None)
        )
    )
    if in_force:
        raise InputError(f"case {case_id} has a restriction in force; end it at its review first")
    case.status = "closed"
    case.closed_at = now
    audit(
        session,
        actor=by,
        event="case_closed",
        subject_type="case",
        subject_id=case.id,
        at=now,
        note=note,
    )
    return case
