"""Account links made by staff: confirming that an account belongs to a tenancy.

Every link says how it was made and by whom. Staff-confirmed links identify a person just
as verified ones do; suspected links never do.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.errors import InputError
from bot.storage.models import Account, AccountLink, LinkState, TenancyRecord


def add_link(
    session: Session,
    *,
    platform: str,
    platform_user_id: str,
    handle: str,
    tenancy_ref: str,
    state: LinkState,
    made_by: str,
    note: str,
    now: datetime,
) -> AccountLink:
    """Link an account (created if the bot has not seen it yet) to a tenancy record.

    Raises:
        InputError: the tenancy is unknown, or a staff confirmation has no name or note.
    """
    if state is LinkState.STAFF_CONFIRMED and (not made_by.strip() or not note.strip()):
        raise InputError("a staff-confirmed link needs the staff member's name and a note")
    tenancy = session.scalar(
        sa.select(TenancyRecord).where(TenancyRecord.tenancy_ref == tenancy_ref)
    )
    if tenancy is None:
        raise InputError(f"no tenancy record with reference {tenancy_ref}; import it first")
    account = session.scalar(
        sa.select(Account).where(
            Account.platform == platform, Account.platform_user_id == platform_user_id
        )
    )
    if account is None:
        account = Account(
            platform=platform,
            platform_user_id=platform_user_id,
            handle=handle,
            display_name="",
            first_seen=now,
            last_seen=now,
        )
        session.add(account)
        session.flush()
    link = session.scalar(
        sa.select(AccountLink).where(
            AccountLink.account_id == account.id, AccountLink.tenancy_id == tenancy.id
        )
    )
    if link is None:
        link = AccountLink(account_id=account.id, tenancy_id=tenancy.id)
        session.add(link)
    link.state = state
    link.method = "confirmed by staff" if state is LinkState.STAFF_CONFIRMED else "added by staff"
    link.made_by = made_by
    link.note = note
    link.created_at = now
    session.flush()
    audit(
        session,
        actor=made_by,
        event="link_added",
        subject_type="account",
        subject_id=account.id,
        at=now,
        tenancy_id=tenancy.id,
        state=state.value,
    )
    return link


def list_links(
    session: Session, *, tenancy_ref: str | None = None, state: LinkState | None = None
) -> list[AccountLink]:
    """Links, newest first, optionally for one tenancy or in one state."""
    query = sa.select(AccountLink).order_by(AccountLink.id.desc())
    if tenancy_ref is not None:
        query = query.join(TenancyRecord).where(TenancyRecord.tenancy_ref == tenancy_ref)
    if state is not None:
        query = query.where(AccountLink.state == state)
    return list(session.scalars(query))


def confirm_link(
    session: Session, link_id: int, *, by: str, note: str, now: datetime
) -> AccountLink:
    """A member of staff confirms a suspected link; from now on it identifies the person.

    Raises:
        InputError: unknown link, already identifying, or no name or note.
    """
    link = session.get(AccountLink, link_id)
    if link is None:
        raise InputError(f"there is no link {link_id}")
    if link.state is not LinkState.SUSPECTED:
        raise InputError(f"link {link_id} is already {link.state.value.replace('_', ' ')}")
    if not by.strip() or not note.strip():
        raise InputError("confirming a link needs your name (--by) and how you know (--note)")
    previous = link.method
    link.state = LinkState.STAFF_CONFIRMED
    link.method = f"confirmed by staff (suspected: {previous})"
    link.made_by = by
    link.note = note
    audit(
        session,
        actor=by,
        event="link_confirmed",
        subject_type="account",
        subject_id=link.account_id,
        at=now,
        tenancy_id=link.tenancy_id,
    )
    return link


def remove_link(session: Session, link_id: int, *, by: str, note: str, now: datetime) -> None:
    """Remove a wrong link; the audit trail keeps who removed it and why.

    Raises:
        InputError: unknown link, or no name or note.
    """
    link = session.get(AccountLink, link_id)
    if link is None:
        raise InputError(f"there is no link {link_id}")
    if not by.strip() or not note.strip():
        raise InputError("removing a link needs your name (--by) and the reason (--note)")
    audit(
        session,
        actor=by,
        event="link_removed",
        subject_type="account",
        subject_id=link.account_id,
        at=now,
        tenancy_id=link.tenancy_id,
        state=link.state.value,
        note=note,
    )
    session.delete(link)
