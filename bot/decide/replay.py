"""What-if: re-decide stored contacts with another config and count what would change.

This is how comms teams tune thresholds safely. Nothing is written: identities are read
from the links that exist (no new links are verified), and both configs moderate the window
through the pipeline's own step (`bot.decide.moderate`), as if its contacts came in one
pass: each person starts the window with a clean ladder, and a rung planned is pending (not
yet delivered or approved) for the rest of it, exactly as within one pass of the bot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from bot.decide.moderate import Moderator
from bot.detect.history import histories
from bot.domain import ActionKind, Decision, PersonState
from bot.identify.accounts import Identity, identify
from bot.settings.loading import LoadedConfig
from bot.storage.models import OWN, Contact
from bot.storage.queries import to_domain
from bot.storage.session import Store
from filters.base import Category
from filters.history import History

HIDES = frozenset({ActionKind.HIDE, ActionKind.DELETE})
WARNINGS = frozenset(
    {ActionKind.PUBLIC_WARNING, ActionKind.PRIVATE_WARNING, ActionKind.FORMAL_WARNING}
)
ESCALATIONS = frozenset(
    {
        ActionKind.ASSESSMENT,
        ActionKind.RESTRICTION,
        ActionKind.BLOCK,
        ActionKind.POLICE_REFERRAL_DECISION,
        ActionKind.POLICE_REPORT,
    }
)


@dataclass
class Tally:
    """What one config would do over the window."""

    outcomes: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    hides: int = 0
    warnings: int = 0
    escalations: int = 0

    def add(self, decision: Decision, counted: list[Category]) -> None:
        """Count one decision."""
        kinds = {a.kind for a in decision.actions}
        self.outcomes[decision.outcome] += 1
        self.categories.update(c.value for c in counted)
        self.hides += bool(kinds & HIDES)
        self.warnings += bool(kinds & WARNINGS)
        self.escalations += bool(kinds & ESCALATIONS)


@dataclass(frozen=True)
class Change:
    """One contact whose outcome would differ."""

    contact_id: int
    text: str
    before: str
    after: str


@dataclass
class ReplayReport:
    """Both tallies and the contacts that would change."""

    contacts: int
    current: Tally
    other: Tally
    changes: list[Change]


class _Simulation:
    """One config's moderation of the window, each person's state carried along."""

    def __init__(self, loaded: LoadedConfig) -> None:
        self.moderator = Moderator(loaded)
        self.states: dict[str, PersonState] = {}
        self.tally = Tally()

    def decide(self, contact: Contact, identity: Identity, history: History) -> Decision:
        moderator = self.moderator
        classification = moderator.classify(contact.text)
        behaviour = moderator.behaviour(contact.text, contact.created_at, history)
        state = self.states.get(identity.subject) or PersonState(
            identified=identity.identified,
            subject=identity.subject,
            tenancy_ref=identity.tenancy_ref,
        )
        moderation = moderator.moderate(to_domain(contact), classification, behaviour, state)
        self.states[identity.subject] = moderation.state
        counted = [
            *classification.labels(moderator.thresholds),
            *(f.category for f in behaviour),
        ]
        self.tally.add(moderation.decision, counted)
        return moderation.decision


def replay(
    store: Store, current: LoadedConfig, other: LoadedConfig, *, since: datetime, now: datetime
) -> ReplayReport:
    """Re-decide every contact stored since `since` under both configs; write nothing."""
    before, after = _Simulation(current), _Simulation(other)
    report = ReplayReport(0, before.tally, after.tally, [])
    lookback = timedelta(days=current.settings.behaviour.lookback_days)
    for contact, identity, history in _window(store, since=since, now=now, lookback=lookback):
        old = before.decide(contact, identity, history)
        new = after.decide(contact, identity, history)
        report.contacts += 1
        if old.outcome != new.outcome:
            report.changes.append(Change(contact.id, contact.text, old.outcome, new.outcome))
    return report


def outcomes(
    store: Store, loaded: LoadedConfig, *, since: datetime, now: datetime
) -> dict[int, str]:
    """What `loaded` would decide for each contact stored since `since` (id -> outcome)."""
    simulation = _Simulation(loaded)
    lookback = timedelta(days=loaded.settings.behaviour.lookback_days)
    return {
        contact.id: simulation.decide(contact, identity, history).outcome
        for contact, identity, history in _window(store, since=since, now=now, lookback=lookback)
    }


def _window(
    store: Store, *, since: datetime, now: datetime, lookback: timedelta, page: int = 500
) -> Iterator[tuple[Contact, Identity, History]]:
    """Stored contacts since `since`, oldest first as the pipeline decides them.

    Each comes with its author's identity and history; nothing is written.
    """
    with store.session() as session:
        after: tuple[datetime, int] | None = None
        while True:
            query = (
                sa.select(Contact)
                .where(Contact.created_at >= since, Contact.status != OWN)
                .order_by(Contact.created_at, Contact.id)
                .limit(page)
                .options(joinedload(Contact.account))
            )
            if after is not None:
                query = query.where(sa.tuple_(Contact.created_at, Contact.id) > after)
            batch = list(session.scalars(query).unique())
            if not batch:
                break
            after = (batch[-1].created_at, batch[-1].id)
            identities = identify(session, {c.account for c in batch}, now, verify=False)
            snapshots = histories(
                session,
                identities.values(),
                until=max(c.created_at for c in batch),
                lookback=lookback,
            )
            for contact in batch:
                identity = identities[contact.account_id]
                yield contact, identity, snapshots[identity.subject]
        session.rollback()
