"""The alias log's suspicions: which unidentified accounts may be the same person.

Each suspicion is stored with its evidence and a confidence, for staff to confirm or dismiss.
A suspicion never identifies anyone and never triggers anything by itself: only a connection
staff confirm can lead to an action, and then only what the policy allows (Hanover 5.6:
connected pseudonyms of a blocked user are blocked too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz, utils
from sqlalchemy.orm import Session

from bot.audit import BOT, audit
from bot.domain import ActionKind, ActionState
from bot.errors import InputError
from bot.settings.profile import PolicyProfile
from bot.storage.models import (
    Account,
    AccountConnection,
    AccountLink,
    Action,
    ConnectionState,
    Contact,
    Decision,
    LinkState,
    TenancyRecord,
)

AFTER_BLOCK = timedelta(days=30)
REFERENCE = re.compile(r"\b[A-Z]{1,3}-?\d{4,8}\b")
# A value shared by more accounts than this identifies nobody (a common name, an estate's
# own reference): suspicions built on it would only bury the real ones.
TOO_COMMON = 5


def suspect_connections(session: Session, accounts: Iterable[Account], now: datetime) -> int:
    """Look for accounts that may be the same person as each of `accounts`; store new ones.

    Returns how many new suspicions were recorded.
    """
    accounts = list(accounts)
    if not accounts:
        return 0
    texts = _texts(session, [a.id for a in accounts])
    earliest = min(a.first_seen for a in accounts) - AFTER_BLOCK
    blocks = session.execute(
        sa.select(Account, Action.updated_at)
        .join(Contact, Contact.account_id == Account.id)
        .join(Action, Action.contact_id == Contact.id)
        .where(
            Action.kind == ActionKind.BLOCK,
            Action.state == ActionState.DONE,
            Action.updated_at >= earliest,
        )
    ).all()
    blocked_texts = _texts(session, list({other.id for other, _ in blocks}))
    found = 0
    for account in accounts:
        mine = texts.get(account.id, [])
        candidates = [
            *_same_name(session, account),
            *_after_block(account, mine, blocks, blocked_texts),
            *_same_reference(session, account, mine),
        ]
        for other, reason, evidence, confidence in candidates:
            found += _record(session, account, other, reason, evidence, confidence, now)
    return found


def _texts(session: Session, account_ids: list[int]) -> dict[int, list[str]]:
    """Up to 20 stored texts per account, in one query."""
    out: dict[int, list[str]] = {}
    if not account_ids:
        return out
    for account_id, text in session.execute(
        sa.select(Contact.account_id, Contact.text)
        .where(Contact.account_id.in_(account_ids), Contact.text != "")
        .order_by(Contact.id.desc())
    ):
        kept = out.setdefault(account_id, [])
        if len(kept) < 20:
            kept.append(text)
    return out


def _same_name(session: Session, account: Account) -> list[tuple[Account, str, str, float]]:
    name = account.display_name.strip()
    if len(name) < 4:
        return []
    same = list(
        session.scalars(
            sa.select(Account)
            .where(sa.func.lower(Account.display_name) == name.lower(), Account.id != account.id)
            .limit(TOO_COMMON + 1)
        )
    )
    if len(same) > TOO_COMMON:
        return []
    return [
        (
            other,
            "same_display_name",
            f"both use the display name '{name}' ({other.platform} and {account.platform})",
            0.5,
        )
        for other in same
    ]


def _after_block(
    account: Account,
    mine: list[str],
    blocks: list[Any],
    blocked_texts: dict[int, list[str]],
) -> Iterable[tuple[Account, str, str, float]]:
    for other, blocked_at in blocks:
        if other.id == account.id or not (
            account.first_seen - AFTER_BLOCK <= blocked_at <= account.first_seen
        ):
            continue
        best, pair = 0.0, ("", "")
        for text in mine:
            for their in blocked_texts.get(other.id, []):
                score = fuzz.token_set_ratio(
                    utils.default_process(text), utils.default_process(their)
                )
                if score > best:
                    best, pair = score, (text, their)
        if best >= 80:
            days = (account.first_seen - blocked_at).days
            yield (
                other,
                "new_after_block",
                f"first seen {days} day(s) after {other.handle} was blocked, raising the same "
                f"issue ({best:.0f}% alike): {_short(pair[0])!r} / {_short(pair[1])!r}",
                0.7,
            )


def _same_reference(
    session: Session, account: Account, texts: list[str]
) -> Iterable[tuple[Account, str, str, float]]:
    # Tenancy references only: a postcode is shared by a whole estate, so two accounts
    # mentioning one says nothing about whether they are one person.
    mentioned = {m.group(0).upper() for t in texts for m in REFERENCE.finditer(t)}
    for value in sorted(mentioned):
        others = list(
            session.scalars(
                sa.select(Account)
                .join(Contact, Contact.account_id == Account.id)
                .where(Account.id != account.id, sa.func.upper(Contact.text).contains(value))
                .distinct()
                .limit(TOO_COMMON + 1)
            )
        )
        for other in others if len(others) <= TOO_COMMON else []:
            yield other, "same_reference", f"both mention {value}", 0.8
        tenancy = session.scalar(
            sa.select(TenancyRecord).where(sa.func.upper(TenancyRecord.tenancy_ref) == value)
        )
        if tenancy is not None:
            _suspect_tenancy(session, account, tenancy, value)


def _suspect_tenancy(
    session: Session, account: Account, tenancy: TenancyRecord, value: str
) -> None:
    exists = session.scalar(
        sa.select(AccountLink.id).where(
            AccountLink.account_id == account.id, AccountLink.tenancy_id == tenancy.id
        )
    )
    if exists is None:
        session.add(
            AccountLink(
                account_id=account.id,
                tenancy_id=tenancy.id,
                state=LinkState.SUSPECTED,
                method=f"mentioned tenancy reference {value} in a contact",
                made_by=BOT,
            )
        )


def _record(
    session: Session,
    account: Account,
    other: Account,
    reason: str,
    evidence: str,
    confidence: float,
    now: datetime,
) -> int:
    first, second = sorted((account.id, other.id))
    exists = session.scalar(
        sa.select(AccountConnection.id).where(
            AccountConnection.account_id == first,
            AccountConnection.other_account_id == second,
            AccountConnection.reason == reason,
        )
    )
    if exists is not None:
        return 0
    connection = AccountConnection(
        account_id=first,
        other_account_id=second,
        reason=reason,
        evidence=evidence,
        confidence=confidence,
        state=ConnectionState.SUSPECTED,
        created_at=now,
    )
    session.add(connection)
    session.flush()
    audit(
        session,
        actor=BOT,
        event="connection_suspected",
        subject_type="account_connection",
        subject_id=connection.id,
        at=now,
        reason=reason,
        confidence=confidence,
    )
    return 1


def decide_connection(
    session: Session,
    connection_id: int,
    *,
    confirm: bool,
    by: str,
    note: str,
    profile: PolicyProfile,
    now: datetime,
) -> AccountConnection:
    """Confirm or dismiss a suspicion.

    A confirmed pseudonym of a blocked account is blocked too where the policy allows it.

    Raises:
        InputError: unknown or already decided connection, or no name or note.
    """
    connection = session.get(AccountConnection, connection_id)
    if connection is None or connection.state is not ConnectionState.SUSPECTED:
        raise InputError(f"there is no suspected connection {connection_id}")
    if not by.strip() or not note.strip():
        raise InputError("deciding a connection needs your name (--by) and a note (--note)")
    connection.state = ConnectionState.CONFIRMED if confirm else ConnectionState.DISMISSED
    connection.decided_by = by
    connection.decided_at = now
    connection.note = note
    audit(
        session,
        actor=by,
        event="connection_confirmed" if confirm else "connection_dismissed",
        subject_type="account_connection",
        subject_id=connection.id,
        at=now,
    )
    if confirm and profile.unidentified.block_connected_pseudonyms:
        _block_pseudonym(session, connection, profile, by, now)
    return connection


def _block_pseudonym(
    session: Session,
    connection: AccountConnection,
    profile: PolicyProfile,
    by: str,
    now: datetime,
) -> None:
    blocked = set(
        session.scalars(
            sa.select(Contact.account_id)
            .join(Action, Action.contact_id == Contact.id)
            .where(
                Action.kind == ActionKind.BLOCK,
                Action.state.not_in([ActionState.REJECTED, ActionState.SUPERSEDED]),
                Contact.account_id.in_([connection.account_id, connection.other_account_id]),
            )
        )
    )
    if len(blocked) != 1:
        return  # neither is blocked (nothing to follow), or both already are
    target = (
        connection.other_account_id if connection.account_id in blocked else connection.account_id
    )
    contact = session.scalar(
        sa.select(Contact)
        .where(Contact.account_id == target)
        .order_by(Contact.created_at.desc())
        .limit(1)
    )
    decision = (
        session.scalar(sa.select(Decision).where(Decision.contact_id == contact.id))
        if contact
        else None
    )
    if contact is None or decision is None:
        return
    rule = profile.unidentified.block_clause
    session.add(
        Action(
            decision_id=decision.id,
            contact_id=contact.id,
            case_id=decision.case_id,
            kind=ActionKind.BLOCK,
            state=ActionState.PLANNED,
            idempotency_key=f"{contact.platform}:{contact.external_id}:block:pseudonym",
            clause_ref=rule.ref,
            clause_title=rule.title,
            reason=f"Confirmed by {by} as a pseudonym of a blocked account.",
            needs_approval=False,
            created_at=now,
            updated_at=now,
        )
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
