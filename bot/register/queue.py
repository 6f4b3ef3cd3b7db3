"""The review queue: what the bot did and what waits for a person, most severe first.

Read-only. The queue lists decided contacts with their outcome, the categories that
counted at the thresholds in force, and each action's state, filtered the way a comms
officer works an inbox (by platform, category and state). Severity comes from the
heaviest action the decision planned, so a threat or a formal step sits above a hidden
swear word, which sits above a public warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import ActionKind, ActionState
from bot.storage.models import (
    Account,
    AccountLink,
    Action,
    Contact,
    Decision,
    Finding,
    LinkState,
    TenancyRecord,
)
from bot.storage.queries import reaching_threshold
from filters.base import Category, reaches

PAGE_SIZE = 50

STATES: dict[str, str] = {
    "acted": "Acted on",
    "awaiting_approval": "Waiting for approval",
    "manual_task": "With staff (manual task)",
    "failed": "Failed, to retry",
    "done": "Done",
    "reversed": "Reversed by staff",
    "not_acted": "No action",
    "all": "Everything",
}
SORTS = {"severity": "Most severe first", "newest": "Newest first"}
SEVERITY_LABELS = {5: "Threat", 4: "Formal step", 3: "Blocked", 2: "Hidden", 1: "Warned", 0: ""}

_KIND_SEVERITY = (
    (frozenset({ActionKind.POLICE_REFERRAL_DECISION, ActionKind.POLICE_REPORT}), 5),
    (frozenset({ActionKind.FORMAL_WARNING, ActionKind.ASSESSMENT, ActionKind.RESTRICTION}), 4),
    (frozenset({ActionKind.BLOCK, ActionKind.MUTE}), 3),
    (frozenset({ActionKind.HIDE, ActionKind.DELETE}), 2),
)
_UNDO = (ActionKind.UNHIDE, ActionKind.UNBLOCK)


@dataclass(frozen=True)
class QueueFilters:
    """What the person asked the queue to show."""

    platform: str = ""
    category: str = ""
    state: str = "acted"
    sort: str = "severity"
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        """Read filters from a query string, ignoring values that mean nothing."""
        state = query.get("state", "acted")
        sort = query.get("sort", "severity")
        category = query.get("category", "")
        try:
            page = max(1, min(int(query.get("page", "1")), 10_000))
        except ValueError:
            page = 1
        return cls(
            platform=query.get("platform", "")[:32],
            category=category if category in Category.__members__.values() else "",
            state=state if state in STATES else "acted",
            sort=sort if sort in SORTS else "severity",
            page=page,
        )


@dataclass(frozen=True)
class QueueRow:
    """One decided contact as the queue shows it."""

    contact_id: int
    created_at: datetime
    platform: str
    kind: str
    account_id: int
    handle: str
    tenancy_ref: str
    text: str
    purged: bool
    outcome: str
    summary: str
    severity: int
    reversed: bool
    categories: tuple[str, ...] = ()
    actions: tuple[tuple[str, str], ...] = field(default=())  # kind, state

    @property
    def waiting(self) -> bool:
        """Whether an action waits for someone's approval."""
        return any(state == ActionState.AWAITING_APPROVAL.value for _, state in self.actions)


def _severity() -> sa.ScalarSelect[int]:
    kind_rank = sa.case(
        *((Action.kind.in_(list(kinds)), rank) for kinds, rank in _KIND_SEVERITY), else_=1
    )
    return (
        sa.select(sa.func.max(kind_rank))
        .where(Action.decision_id == Decision.id, Action.kind.not_in(_UNDO))
        .scalar_subquery()
    )


def _has_action(*states: ActionState) -> sa.Exists:
    query = sa.exists().where(Action.decision_id == Decision.id, Action.kind.not_in(_UNDO))
    return query.where(Action.state.in_(states)) if states else query


def review_queue(
    session: Session, filters: QueueFilters, thresholds: Mapping[Category, float]
) -> tuple[list[QueueRow], int]:
    """One page of the queue, and how many rows match in all."""
    severity = sa.func.coalesce(_severity(), 0).label("severity")
    query = (
        sa.select(Contact, Decision, Account.handle, severity)
        .join(Decision, Decision.contact_id == Contact.id)
        .join(Account, Account.id == Contact.account_id)
    )
    if filters.platform:
        query = query.where(Contact.platform == filters.platform)
    if filters.category:
        category = Category(filters.category)
        query = query.where(
            sa.exists().where(
                Finding.contact_id == Contact.id,
                Finding.category == category,
                reaching_threshold(thresholds),
            )
        )
    state = filters.state
    if state == "acted":
        query = query.where(_has_action())
    elif state == "awaiting_approval":
        query = query.where(_has_action(ActionState.AWAITING_APPROVAL))
    elif state == "manual_task":
        query = query.where(_has_action(ActionState.MANUAL_TASK, ActionState.UNSUPPORTED))
    elif state == "failed":
        query = query.where(_has_action(ActionState.FAILED))
    elif state == "done":
        query = query.where(_has_action(ActionState.DONE))
    elif state == "reversed":
        query = query.where(Decision.reversed_at.is_not(None))
    elif state == "not_acted":
        query = query.where(~_has_action())
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    order = (
        (severity.desc(), Contact.created_at.desc(), Contact.id.desc())
        if filters.sort == "severity"
        else (Contact.created_at.desc(), Contact.id.desc())
    )
    page = session.execute(
        query.order_by(*order).limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    contact_ids = [contact.id for contact, *_ in page]
    categories = counted_categories(session, contact_ids, thresholds)
    actions: dict[int, list[tuple[str, str]]] = {}
    for contact_id, kind, action_state in session.execute(
        sa.select(Action.contact_id, Action.kind, Action.state)
        .where(Action.contact_id.in_(contact_ids))
        .order_by(Action.id)
    ):
        actions.setdefault(contact_id, []).append((kind.value, action_state.value))
    refs = tenancy_refs(session, {contact.account_id for contact, *_ in page})
    rows = [
        QueueRow(
            contact_id=contact.id,
            created_at=contact.created_at,
            platform=contact.platform,
            kind=contact.kind.value,
            account_id=contact.account_id,
            handle=handle,
            tenancy_ref=refs.get(contact.account_id, ""),
            text=contact.text,
            purged=contact.purged_at is not None,
            outcome=decision.outcome,
            summary=decision.summary,
            severity=int(rank),
            reversed=decision.reversed_at is not None,
            categories=tuple(categories.get(contact.id, ())),
            actions=tuple(actions.get(contact.id, ())),
        )
        for contact, decision, handle, rank in page
    ]
    return rows, total


def counted_categories(
    session: Session, contact_ids: list[int], thresholds: Mapping[Category, float]
) -> dict[int, list[str]]:
    """For each contact, the categories whose findings reach the thresholds in force."""
    found: dict[int, list[str]] = {}
    for contact_id, category, score in session.execute(
        sa.select(Finding.contact_id, Finding.category, sa.func.max(Finding.score))
        .where(Finding.contact_id.in_(contact_ids))
        .group_by(Finding.contact_id, Finding.category)
        .order_by(Finding.contact_id, Finding.category)
    ):
        if reaches(score, category, thresholds):
            found.setdefault(contact_id, []).append(category.value)
    return found


def tenancy_refs(session: Session, account_ids: set[int]) -> dict[int, str]:
    """The tenancy each account is identified with (verified or staff-confirmed links only)."""
    return dict(
        session.execute(
            sa.select(AccountLink.account_id, TenancyRecord.tenancy_ref)
            .join(TenancyRecord, TenancyRecord.id == AccountLink.tenancy_id)
            .where(
                AccountLink.account_id.in_(account_ids),
                AccountLink.state.in_([LinkState.VERIFIED, LinkState.STAFF_CONFIRMED]),
            )
        ).all()
    )


def platforms(session: Session) -> list[str]:
    """The platforms contacts came from, for the queue's filter."""
    return list(session.scalars(sa.select(Contact.platform).distinct().order_by(Contact.platform)))
