"""Cases: one per person (or unidentified account) with incidents, opened and closed.

A case gathers a person's incidents, warnings and restrictions. Closing one starts the
ladder again, unless the profile keeps closed cases counting for a period (Housing
Solutions 6.5.3: 12 months).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.dates.clock import add_months
from bot.errors import InputError
from bot.identify.accounts import Identity
from bot.staff.roles import Staff
from bot.storage.models import Case, Restriction


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
            case.closed_by = None
            case.close_reason = None
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


def close_case(session: Session, *, case_id: int, staff: Staff, note: str, now: datetime) -> Case:
    """Close a case, so the person's ladder starts again.

    Unless the profile keeps closed cases counting for a period and a new incident falls
    within it: then the case is reopened where it was.

    Raises:
        InputError: unknown or already closed case, restrictions still in force, or no note.
    """
    case = session.get(Case, case_id)
    if case is None or case.status != "open":
        raise InputError(f"there is no open case {case_id}")
    if not note.strip():
        raise InputError("closing a case needs the reason (--note)")
    by = staff.name
    in_force = session.scalar(
        sa.select(sa.func.count()).where(
            Restriction.case_id == case_id, Restriction.ended_at.is_(None)
        )
    )
    if in_force:
        raise InputError(f"case {case_id} has a restriction in force; end it at its review first")
    case.status = "closed"
    case.closed_at = now
    case.closed_by = by
    case.close_reason = note
    audit(
        session,
        actor=by,
        event="case_closed",
        subject_type="case",
        subject_id=case.id,
        at=now,
        note=note,
        **staff.audit,
    )
    return case
