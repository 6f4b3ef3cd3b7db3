"""Building the history snapshots the behaviour detectors read, from the store.

A person's history spans every account linked to them (verified or staff-confirmed), on
every platform; an unidentified account's history is its own. A contact counts as answered
when one of the organisation's own accounts posted in the same thread after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.identify.accounts import Identity
from bot.storage.models import OWN, AccountLink, Contact, LinkState
from filters.history import History, PastContact


def histories(
    session: Session, identities: Iterable[Identity], *, until: datetime, lookback: timedelta
) -> dict[str, History]:
    """Each subject's contacts from `lookback` before its earliest to `until`, oldest first."""
    by_subject = {i.subject: i for i in identities}
    if not by_subject:
        return {}
    accounts_of: dict[str, set[int]] = {s: {i.account_id} for s, i in by_subject.items()}
    tenancies = {i.tenancy_id: i.subject for i in by_subject.values() if i.tenancy_id}
    if tenancies:
        for account_id, tenancy_id in session.execute(
            sa.select(AccountLink.account_id, AccountLink.tenancy_id).where(
                AccountLink.tenancy_id.in_(list(tenancies)),
                AccountLink.state.in_([LinkState.VERIFIED, LinkState.STAFF_CONFIRMED]),
            )
        ):
            accounts_of[tenancies[tenancy_id]].add(account_id)
    subject_of = {a: s for s, accounts in accounts_of.items() for a in accounts}
    since = until - lookback
    rows = session.execute(
        sa.select(
            Contact.account_id,
            Contact.created_at,
            Contact.text,
            Contact.platform,
            Contact.thread_id,
        )
        .where(
            Contact.account_id.in_(list(subject_of)),
            Contact.created_at >= since,
            Contact.created_at <= until,
            Contact.status != OWN,
        )
        .order_by(Contact.created_at, Contact.id)
    ).all()
    threads = {r.thread_id for r in rows if r.thread_id}
    answers: dict[str, list[datetime]] = {}
    if threads:
        for thread_id, at in session.execute(
            sa.select(Contact.thread_id, Contact.created_at).where(
                Contact.status == OWN, Contact.thread_id.in_(list(threads))
            )
        ):
            answers.setdefault(thread_id, []).append(at)
    collected: dict[str, list[PastContact]] = {s: [] for s in by_subject}
    for row in rows:
        replies = [at for at in answers.get(row.thread_id, []) if at > row.created_at]
        collected[subject_of[row.account_id]].append(
            PastContact(
                at=row.created_at,
                text=row.text,
                platform=row.platform,
                thread_id=row.thread_id,
                answered_at=min(replies) if replies else None,
            )
        )
    return {s: History(s, tuple(c)) for s, c in collected.items()}
