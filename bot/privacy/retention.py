"""Retention: the purge that keeps personal data minimal.

The purge empties contact text (and the messages, evidence and task notes quoting it) past
the configured retention, deletes alias-log entries past theirs, and reduces cases closed
for longer than the profile keeps them counting to anonymised counts. It records what it
purged as counts in the audit trail: never the data itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.dates.clock import add_months
from bot.settings.profile import PolicyProfile
from bot.storage.models import (
    Account,
    AccountConnection,
    AccountLink,
    Action,
    AliasLogEntry,
    Case,
    Contact,
    Decision,
    Finding,
    LinkState,
    ManualTask,
    SetAsideItem,
)

PURGED = "[removed under the retention policy]"


@dataclass
class PurgeReport:
    """What the retention purge removed, as counts only."""

    contact_texts: int = 0
    alias_entries: int = 0
    connections: int = 0
    cases_anonymised: int = 0
    accounts_anonymised: int = 0
    set_aside_items: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts, for the audit trail and the CLI."""
        return asdict(self)


def purge(
    session: Session,
    *,
    now: datetime,
    contact_text_days: int,
    alias_log_days: int,
    profile: PolicyProfile,
) -> PurgeReport:
    """Remove personal data past its retention; record what was removed, as counts."""
    report = PurgeReport()
    text_cutoff = now - timedelta(days=contact_text_days)
    keep_months = profile.cases.closed_cases_count_for_months or round(contact_text_days / 30)
    old_cases = [
        c.id
        for c in session.scalars(
            sa.select(Case).where(Case.status == "closed", Case.anonymised_at.is_(None))
        )
        if c.closed_at is not None and add_months(c.closed_at, keep_months) <= now
    ]
    in_old_cases = sa.select(Decision.contact_id).where(Decision.case_id.in_(old_cases))
    targets = select_ids(
        sa.select(Contact.id)
        .where(
            Contact.purged_at.is_(None),
            sa.or_(Contact.created_at < text_cutoff, Contact.id.in_(in_old_cases)),
        )
        .order_by(Contact.id),
        session,
    )
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        session.execute(
            sa.update(Contact).where(Contact.id.in_(chunk)).values(text="", purged_at=now)
        )
        session.execute(sa.update(Finding).where(Finding.contact_id.in_(chunk)).values(evidence=""))
        session.execute(
            sa.update(Action)
            .where(Action.contact_id.in_(chunk), Action.message != "")
            .values(message=PURGED)
        )
        session.execute(
            sa.update(ManualTask)
            .where(ManualTask.contact_id.in_(chunk), ManualTask.state != "open")
            .values(instructions=PURGED)
        )
    report.contact_texts = len(targets)
    if old_cases:
        session.execute(
            sa.update(Case)
            .where(Case.id.in_(old_cases))
            .values(subject="anonymised", tenancy_id=None, account_id=None, anonymised_at=now)
        )
        report.cases_anonymised = len(old_cases)
    alias_cutoff = now - timedelta(days=alias_log_days)
    stale = select_ids(
        sa.select(AliasLogEntry.account_id).where(AliasLogEntry.last_seen < alias_cutoff), session
    )
    if stale:
        report.connections = (
            session.execute(
                sa.delete(AccountConnection).where(
                    sa.or_(
                        AccountConnection.account_id.in_(stale),
                        AccountConnection.other_account_id.in_(stale),
                    ),
                    AccountConnection.created_at < alias_cutoff,
                )
            ).rowcount
            or 0
        )
        report.alias_entries = (
            session.execute(
                sa.delete(AliasLogEntry).where(AliasLogEntry.account_id.in_(stale))
            ).rowcount
            or 0
        )
    report.accounts_anonymised = _anonymise_accounts(session)
    report.set_aside_items = (
        session.execute(
            sa.delete(SetAsideItem).where(SetAsideItem.set_aside_at < text_cutoff)
        ).rowcount
        or 0
    )  # unread items hold contact text too
    audit(
        session,
        actor=BOT,
        event="retention_purged",
        subject_type="store",
        subject_id=None,
        at=now,
        **report.as_dict(),
    )
    return report


def _anonymise_accounts(session: Session) -> int:
    """Blank handle and name of accounts with nothing left but purged contacts."""
    live = sa.select(Contact.account_id).where(Contact.purged_at.is_(None))
    linked = sa.select(AccountLink.account_id).where(AccountLink.state != LinkState.SUSPECTED)
    logged = sa.select(AliasLogEntry.account_id)
    result = session.execute(
        sa.update(Account)
        .where(
            Account.id.not_in(live),
            Account.id.not_in(linked),
            Account.id.not_in(logged),
            sa.or_(Account.handle != "", Account.display_name != ""),
        )
        .values(handle="", display_name="")
    )
    return result.rowcount or 0


def select_ids(query: sa.Select[Any], session: Session) -> list[int]:
    """The first column of `query`, as a list."""
    return [row[0] for row in session.execute(query)]
