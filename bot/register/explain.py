"""Why a contact was treated as it was, gathered in one place.

Everything `modbot explain` (and the review pages) show for one contact.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.errors import InputError
from bot.storage.models import (
    AccountLink,
    Action,
    Case,
    Contact,
    Decision,
    LinkState,
    ManualTask,
    TenancyRecord,
)
from bot.storage.queries import contact_by_ref


@dataclass(frozen=True)
class Explanation:
    """One contact, its findings, its decision with reasons, and what became of each action."""

    contact: Contact
    decision: Decision | None
    actions: tuple[Action, ...]
    tasks: dict[int, ManualTask]
    links: tuple[tuple[str, str, str], ...]  # tenancy ref, link state, how it was made
    vulnerability: str
    case: Case | None
    # Every version of an edited item, oldest first: (contact id, version, text, outcome).
    versions: tuple[tuple[int, int, str, str], ...] = ()


def explain(session: Session, ref: str) -> Explanation:
    """Gather the explanation for contact `ref` (its id, or platform:external id).

    Raises:
        InputError: no such contact.
    """
    contact = contact_by_ref(session=session, ref=ref)
    if contact is None:
        raise InputError(f"there is no contact {ref}; give its number or platform:id")
    contact = session.scalar(
        sa.select(Contact)
        .where(Contact.id == contact.id)
        .options(
            joinedload(Contact.account),
            selectinload(Contact.findings),
            joinedload(Contact.decision).selectinload(Decision.actions),
        )
    )
    decision = contact.decision
    actions = tuple(decision.actions) if decision else ()
    tasks = {
        t.action_id: t
        for t in session.scalars(
            sa.select(ManualTask).where(ManualTask.action_id.in_([a.id for a in actions]))
        )
        if t.action_id is not None
    }
    rows = session.execute(
        sa.select(TenancyRecord, AccountLink)
        .join(AccountLink, AccountLink.tenancy_id == TenancyRecord.id)
        .where(AccountLink.account_id == contact.account_id)
    ).all()
    links = tuple(
        (t.tenancy_ref, link.state.value, f"{link.method} ({link.made_by})") for t, link in rows
    )
    vulnerability = "; ".join(
        t.vulnerability_notes
        for t, link in rows
        if link.state is not LinkState.SUSPECTED and t.vulnerability_notes
    )
    case = session.get(Case, decision.case_id) if decision and decision.case_id else None
    versions = tuple(
        (cid, version, text, outcome or "not decided yet")
        for cid, version, text, outcome in session.execute(
            sa.select(Contact.id, Contact.version, Contact.text, Decision.outcome)
            .outerjoin(Decision, Decision.contact_id == Contact.id)
            .where(Contact.platform == contact.platform, Contact.external_id == contact.external_id)
            .order_by(Contact.version)
        )
    )
    return Explanation(
        contact,
        decision,
        actions,
        tasks,
        links,
        vulnerability,
        case,
        versions if len(versions) > 1 else (),
    )
