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
