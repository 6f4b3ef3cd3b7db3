"""Everything about one person (a tenancy) or one account, gathered for the review pages.

Read-only. A person is seen through every account identified with their tenancy (verified
or staff-confirmed links); suspected links are shown as suspicions and count for nothing.
An account nobody can identify is seen with its alias-log entry and the suspected
connections to other accounts that staff may confirm or dismiss.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.errors import InputError
from bot.storage.models import (
    Account,
    AccountConnection,
    AccountLink,
    AliasLogEntry,
    Appeal,
    Case,
    ConnectionState,
    Contact,
    Decision,
    LinkState,
    Restriction,
    TenancyRecord,
    Warning,
)

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class Register:
    """The register's entries for one subject: cases, warnings, restrictions, appeals."""

    cases: tuple[Case, ...]
    warnings: tuple[Warning, ...]
    restrictions: tuple[Restriction, ...]
    appeals: tuple[Appeal, ...]

    @property
    def open_restrictions(self) -> tuple[Restriction, ...]:
        """Restrictions still in force."""
        return tuple(r for r in self.restrictions if r.ended_at is None)

    @property
    def appealable_cases(self) -> tuple[Case, ...]:
        """Cases with a restriction or a formal decision someone could appeal."""
        return tuple(c for c in self.cases if c.status == "open")


@dataclass(frozen=True)
class PersonView:
    """One tenancy: the record, its accounts, their contacts and the register."""

    tenancy: TenancyRecord
    links: tuple[AccountLink, ...]
    contacts: tuple[Contact, ...]
    register: Register

    @property
    def identified_accounts(self) -> tuple[Account, ...]:
        """Accounts that count as this person."""
        return tuple(link.account for link in self.links if link.state.identifies)


@dataclass(frozen=True)
class AccountView:
    """One account: who it may be, what it sent, and the register for it if unidentified."""

    account: Account
    links: tuple[AccountLink, ...]
    alias: AliasLogEntry | None
    connections: tuple[AccountConnection, ...]
    contacts: tuple[Contact, ...]
    register: Register

    @property
    def identified_as(self) -> str:
        """The tenancy this account is identified with, if any."""
        return next((link.tenancy.tenancy_ref for link in self.links if link.state.identifies), "")


def _register(session: Session, cases: list[Case]) -> Register:
    ids = [c.id for c in cases]
    return Register(
        cases=tuple(cases),
        warnings=tuple(
            session.scalars(
                sa.select(Warning).where(Warning.case_id.in_(ids)).order_by(Warning.issued_at)
            )
        ),
        restrictions=tuple(
            session.scalars(
                sa.select(Restriction)
                .where(Restriction.case_id.in_(ids))
                .order_by(Restriction.starts_at)
            )
        ),
        appeals=tuple(
            session.scalars(
                sa.select(Appeal).where(Appeal.case_id.in_(ids)).order_by(Appeal.received_at)
            )
        ),
    )


def _contacts(session: Session, account_ids: list[int]) -> tuple[Contact, ...]:
    return tuple(
        session.scalars(
            sa.select(Contact)
            .where(Contact.account_id.in_(account_ids))
            .order_by(Contact.created_at.desc(), Contact.id.desc())
            .limit(HISTORY_LIMIT)
            .options(
                joinedload(Contact.account),
                joinedload(Contact.decision).selectinload(Decision.actions),
            )
        ).unique()
    )


def person_view(session: Session, tenancy_ref: str) -> PersonView:
    """Gather one tenancy's page.

    Raises:
        InputError: no such tenancy.
    """
    tenancy = session.scalar(
        sa.select(TenancyRecord)
        .where(TenancyRecord.tenancy_ref == tenancy_ref)
        .options(selectinload(TenancyRecord.handles))
    )
    if tenancy is None:
        raise InputError(f"there is no tenancy {tenancy_ref}")
    links = tuple(
        session.scalars(
            sa.select(AccountLink)
            .where(AccountLink.tenancy_id == tenancy.id)
            .order_by(AccountLink.id)
            .options(joinedload(AccountLink.account))
        )
    )
    identified = [link.account_id for link in links if link.state.identifies]
    cases = list(
        session.scalars(sa.select(Case).where(Case.tenancy_id == tenancy.id).order_by(Case.id))
    )
    return PersonView(tenancy, links, _contacts(session, identified), _register(session, cases))


def account_view(session: Session, account_id: int) -> AccountView:
    """Gather one account's page.

    Raises:
        InputError: no such account.
    """
    account = session.get(Account, account_id)
    if account is None:
        raise InputError(f"there is no account {account_id}")
    links = tuple(
        session.scalars(
            sa.select(AccountLink)
            .where(AccountLink.account_id == account_id)
            .order_by(AccountLink.id)
            .options(joinedload(AccountLink.tenancy))
        )
    )
    alias = session.scalar(sa.select(AliasLogEntry).where(AliasLogEntry.account_id == account_id))
    connections = tuple(
        session.scalars(
            sa.select(AccountConnection)
            .where(
                sa.or_(
                    AccountConnection.account_id == account_id,
                    AccountConnection.other_account_id == account_id,
                )
            )
            .order_by(AccountConnection.id)
            .options(joinedload(AccountConnection.account), joinedload(AccountConnection.other))
        )
    )
    cases = list(
        session.scalars(sa.select(Case).where(Case.account_id == account_id).order_by(Case.id))
    )
    return AccountView(
        account,
        links,
        alias,
        connections,
        _contacts(session, [account_id]),
        _register(session, cases),
    )


def suspected_connections(session: Session) -> list[AccountConnection]:
    """Every suspicion still waiting for staff, strongest first."""
    return list(
        session.scalars(
            sa.select(AccountConnection)
            .where(AccountConnection.state == ConnectionState.SUSPECTED)
            .order_by(AccountConnection.confidence.desc(), AccountConnection.id)
            .options(joinedload(AccountConnection.account), joinedload(AccountConnection.other))
        )
    )


def suspected_links(session: Session) -> list[AccountLink]:
    """Links between an account and a tenancy that staff have not confirmed."""
    return list(
        session.scalars(
            sa.select(AccountLink)
            .where(AccountLink.state == LinkState.SUSPECTED)
            .order_by(AccountLink.id)
            .options(joinedload(AccountLink.account), joinedload(AccountLink.tenancy))
        )
    )
