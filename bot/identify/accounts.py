"""Identify: which account wrote a contact, and which person (tenancy), if anyone, it is.

Only verified and staff-confirmed links identify a person; a suspected link never does,
because a wrong link punishes the wrong tenant. An account whose handle is on exactly one
tenancy record is linked as verified automatically; a handle on several records identifies
nobody until staff decide. Accounts the bot acts on but cannot identify go to the alias log,
kept apart from tenancy data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.storage.models import (
    Account,
    AccountLink,
    AliasLogEntry,
    LinkState,
    TenancyHandle,
    TenancyRecord,
)
from bot.storage.queries import insert_ignoring_duplicates
from platforms.base import AccountRef


def normalise_handle(handle: str) -> str:
    """Handles compare without case, surrounding space or a leading @ or u/."""
    handle = handle.strip().lower()
    for prefix in ("@", "u/", "/u/"):
        if handle.startswith(prefix):
            handle = handle[len(prefix) :]
    return handle


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is behind an account: a tenancy (identified) or nobody we can name."""

    account_id: int
    tenancy_id: int | None
    tenancy_ref: str = ""
    vulnerability: str = ""
    support_contact: str = ""

    @property
    def identified(self) -> bool:
        """Whether formal steps are possible (an identifying link exists)."""
        return self.tenancy_id is not None

    @property
    def subject(self) -> str:
        """The register's key for this person or account."""
        if self.tenancy_id is not None:
            return f"tenancy:{self.tenancy_id}"
        return f"account:{self.account_id}"


def upsert_accounts(
    session: Session, refs: Iterable[AccountRef], now: datetime
) -> dict[tuple[str, str], Account]:
    """Find or create the accounts behind a batch of contacts, refreshing handle and name.

    Returns:
        Accounts keyed by (platform, platform user id).
    """
    wanted = {(r.platform, r.platform_user_id): r for r in refs}
    if not wanted:
        return {}
    found = _load_accounts(session, list(wanted))
    missing = [
        {
            "platform": ref.platform,
            "platform_user_id": ref.platform_user_id,
            "handle": ref.handle,
            "display_name": ref.display_name,
            "first_seen": now,
            "last_seen": now,
        }
        for key, ref in wanted.items()
        if key not in found
    ]
    if missing:
        insert_ignoring_duplicates(session, Account, missing, ["platform", "platform_user_id"])
        found.update(_load_accounts(session, [k for k in wanted if k not in found]))
    for key, ref in wanted.items():
        account = found[key]
        account.last_seen = now
        if ref.handle and account.handle != ref.handle:
            account.handle = ref.handle
        if ref.display_name and account.display_name != ref.display_name:
            account.display_name = ref.display_name
    return found


def _load_accounts(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Account]:
    found: dict[tuple[str, str], Account] = {}
    wanted = set(keys)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        # Two IN lists rather than a tuple IN: PostgreSQL serves these from the unique
        # (platform, platform_user_id) index; the few extra rows are filtered out here.
        for account in session.scalars(
            sa.select(Account).where(
                Account.platform.in_({p for p, _ in chunk}),
                Account.platform_user_id.in_({u for _, u in chunk}),
            )
        ):
            key = (account.platform, account.platform_user_id)
            if key in wanted:
                found[key] = account
    return found


def identify(
    session: Session, accounts: Iterable[Account], now: datetime, *, verify: bool = True
) -> dict[int, Identity]:
    """Resolve each account to a person through identifying links, verifying handles first.

    An account with no link whose handle appears on exactly one tenancy record gets a
    verified link ("the handle is on the tenancy record"), recorded in the audit trail;
    `verify=False` (a dry run) only reads the links that exist.
    """
    accounts = list(accounts)
    ids = [a.id for a in accounts]
    links: dict[int, AccountLink] = {}
    for link in session.scalars(
        sa.select(AccountLink).where(
            AccountLink.account_id.in_(ids),
            AccountLink.state.in_([LinkState.VERIFIED, LinkState.STAFF_CONFIRMED]),
        )
    ):
        links.setdefault(link.account_id, link)
    unlinked = [a for a in accounts if a.id not in links]
    if unlinked and verify:
        _verify_from_handles(session, unlinked, links, now)
    tenancy_ids = {link.tenancy_id for link in links.values()}
    tenancies = {
        t.id: t
        for t in session.scalars(sa.select(TenancyRecord).where(TenancyRecord.id.in_(tenancy_ids)))
    }
    result = {}
    for account in accounts:
        link = links.get(account.id)
        if link is None:
            result[account.id] = Identity(account.id, None)
            continue
        tenancy = tenancies[link.tenancy_id]
        result[account.id] = Identity(
            account.id,
            tenancy.id,
            tenancy.tenancy_ref,
            tenancy.vulnerability_notes,
            tenancy.support_contact,
        )
    return result


def _verify_from_handles(
    session: Session, accounts: list[Account], links: dict[int, AccountLink], now: datetime
) -> None:
    by_handle: dict[tuple[str, str], list[Account]] = {}
    for account in accounts:
        by_handle.setdefault((account.platform, normalise_handle(account.handle)), []).append(
            account
        )
    handles = {h for _, h in by_handle}
    matches: dict[tuple[str, str], set[int]] = {}
    for row in session.execute(
        sa.select(TenancyHandle.platform, TenancyHandle.handle, TenancyHandle.tenancy_id).where(
            TenancyHandle.handle.in_(handles)
        )
    ):
        matches.setdefault((row.platform, row.handle), set()).add(row.tenancy_id)
    for key, tenancy_ids in matches.items():
        if len(tenancy_ids) != 1:
            continue  # the same handle on two tenancies identifies nobody: staff decide
        (tenancy_id,) = tenancy_ids
        for account in by_handle.get(key, []):
            link = AccountLink(
                account_id=account.id,
                tenancy_id=tenancy_id,
                state=LinkState.VERIFIED,
                method="handle on tenancy record",
                made_by=BOT,
                created_at=now,
            )
            session.add(link)
            session.flush()
            links[account.id] = link
            audit(
                session,
                actor=BOT,
                event="link_verified",
                subject_type="account",
                subject_id=account.id,
                at=now,
                tenancy_id=tenancy_id,
                method=link.method,
            )


class AliasBook:
    """The alias log entries of one batch's unidentified accounts, loaded in one query."""

    def __init__(self, session: Session, account_ids: Iterable[int]) -> None:
        self.session = session
        self.new: dict[int, Account] = {}  # first time in the alias log
        ids = list(set(account_ids))
        self._entries: dict[int, AliasLogEntry] = (
            {
                e.account_id: e
                for e in session.scalars(
                    sa.select(AliasLogEntry).where(AliasLogEntry.account_id.in_(ids))
                )
            }
            if ids
            else {}
        )

    def log(self, account: Account, reason: str, now: datetime) -> None:
        """Record (or refresh) an unidentified account the bot acted on."""
        entry = self._entries.get(account.id)
        if entry is None:
            entry = AliasLogEntry(
                account_id=account.id,
                platform=account.platform,
                handle=account.handle,
                display_names=[account.display_name] if account.display_name else [],
                first_seen=account.first_seen,
                last_seen=now,
                reason=reason,
            )
            self.session.add(entry)
            self._entries[account.id] = entry
            self.new[account.id] = account
            return
        entry.last_seen = now
        entry.handle = account.handle
        if account.display_name and account.display_name not in entry.display_names:
            entry.display_names = [*entry.display_names, account.display_name]
