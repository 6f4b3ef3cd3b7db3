"""One moderation pass: ingest, identify, detect, decide, act, register (docs/architecture.md).

Every stage writes in batches: a batch of contacts and the cursor that covers them commit
together, a batch of decisions (with their findings, planned actions and register entries)
commits together, and the runner claims and finishes actions in batches. A crash at any
point loses nothing and, on the next pass, repeats nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, joinedload

from bot.act.runner import ActionRunner, RunReport
from bot.audit import BOT, audit
from bot.dates.clock import Clock, system_clock
from bot.decide.moderate import NEEDS_REVIEW, Moderator
from bot.detect.history import histories
from bot.domain import PersonState, Role
from bot.identify.accounts import AliasBook, identify
from bot.identify.suspicions import suspect_connections
from bot.ingest.contacts import ingest, store_contacts
from bot.register.cases import CaseBook
from bot.register.decisions import DecisionBatch
from bot.register.ladder import person_states
from bot.settings.loading import LoadedConfig
from bot.settings.saved import apply_saved_settings, settings_revision
from bot.settings.secrets import read_secret
from bot.storage import models as m
from bot.storage.queries import to_domain
from bot.storage.session import Store
from filters.classifier import TextClassifier
from platforms.base import Connector, Contact
from platforms.registry import build_connector

log = structlog.get_logger(__name__)


@dataclass
class PassReport:
    """What one pass did, for the CLI and the scheduler's health record."""

    fetched: dict[str, int] = field(default_factory=dict)
    stored: int = 0
    decided: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    run: RunReport = field(default_factory=RunReport)
    errors: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)  # unreadable items kept for staff
    stopped: bool = False  # asked to stop: the pass ended between two batches


class Pipeline:
    """Runs moderation passes for one configuration against one store."""

    def __init__(
        self,
        loaded: LoadedConfig,
        store: Store,
        *,
        connectors: dict[str, Connector] | None = None,
        clock: Clock = system_clock,
        should_stop: Callable[[], bool] = lambda: False,
        classifier: TextClassifier | None = None,
    ) -> None:
        """`should_stop` is asked between batches: when it says so, the pass ends there.

        `classifier` replaces the configured text filters (a test's scripted one).

        Every batch commits whole (contacts with their cursor, decisions with their actions),
        so stopping between batches leaves nothing half done; the next pass carries on.
        """
        self.loaded = loaded
        self.store = store
        self.clock = clock
        self.should_stop = should_stop
        settings = loaded.settings
        self.connectors = (
            connectors
            if connectors is not None
            else {
                name: build_connector(name, cfg, read_secret)
                for name, cfg in settings.connectors.items()
            }
        )
        self.classifier = classifier
        self.moderator = Moderator(loaded, classifier=classifier)
        self.runner = ActionRunner(
            store,
            self.connectors,
            loaded.profile,
            self.moderator.messages,
            clock=clock,
            stale_after=timedelta(seconds=settings.pipeline.running_stale_after_seconds),
            claim_lease=timedelta(seconds=settings.pipeline.claim_lease_seconds),
            max_attempts=settings.pipeline.max_attempts,
            should_stop=should_stop,
        )
        self.batch_size = settings.pipeline.batch_size
        self.lookback = timedelta(days=settings.behaviour.lookback_days)

    def run_once(self, only: Sequence[str] | None = None) -> PassReport:
        """Ingest from every connector (or `only` those named), decide, and act."""
        report = PassReport()
        for name, connector in self.connectors.items():
            if (only is None or name in only) and not self.should_stop():
                self.ingest(name, connector, report)
        self.decide_pending(report)
        report.run = self.runner.run()
        report.stopped = report.stopped or report.run.stopped
        return report

    def close(self) -> None:
        """Close every connector, and the runner's own connection."""
        for connector in self.connectors.values():
            connector.close()
        self.runner.close()

    # --- ingest -----------------------------------------------------------------------

    def ingest(self, name: str, connector: Connector, report: PassReport) -> None:
        """Store a connector's new contacts, advancing its cursor batch by batch."""
        result = ingest(
            self.store,
            name,
            connector,
            organisation=self.loaded.settings.organisation,
            clock=self.clock,
            should_stop=self.should_stop,
        )
        for problem in result.problems:
            report.errors.append(f"{name}: {problem}")
            log.warning("connector_failed", connector=name, error=problem)
        for item in result.set_aside:
            report.set_aside.append(f"{name}: {item}")
            log.warning("item_set_aside", connector=name, item=item)
        report.fetched[name] = result.fetched
        report.stored += result.stored
        report.stopped = report.stopped or result.stopped

    def store_contacts(
        self, name: str, contacts: Sequence[Contact], *, cursor: str | None = None
    ) -> int:
        """Store contacts once each; a webhook delivery's come with no cursor. Returns new."""
        return store_contacts(
            self.store,
            contacts,
            organisation=self.loaded.settings.organisation,
            now=self.clock,
            connector=name,
            cursor=cursor,
        )

    # --- identify, detect, decide, register ---------------------------------------------

    def refresh_settings(self) -> None:
        """Take up thresholds and word lists saved in the review pages since the last look.

        One small query; the classifier and engine are rebuilt only when a save happened,
        so a long-running service or web app applies a save without restarting.
        """
        with self.store.session() as session:
            revision = settings_revision(session)
        if revision == self.loaded.settings_revision:
            return
        self.loaded = apply_saved_settings(self.loaded, self.store)
        self.moderator = Moderator(
            self.loaded, messages=self.moderator.messages, classifier=self.classifier
        )
        log.info("settings_applied", revision=revision)

    def decide_pending(self, report: PassReport) -> None:
        """Decide every stored contact not yet decided, oldest first, batch by batch."""
        self.refresh_settings()
        while True:
            if self.should_stop():
                report.stopped = True
                return
            with self.store.begin() as session:
                contacts = list(
                    session.scalars(
                        sa.select(m.Contact)
                        .where(m.Contact.status == "new")
                        .order_by(m.Contact.created_at, m.Contact.id)
                        .limit(self.batch_size)
                        .with_for_update(skip_locked=True, of=m.Contact)
                        .options(joinedload(m.Contact.account))
                    ).unique()
                )
                if not contacts:
                    return
                self._decide_batch(session, contacts, report)

    def _decide_batch(
        self, session: Session, contacts: list[m.Contact], report: PassReport
    ) -> None:
        now = self.clock()
        accounts = {c.account_id: c.account for c in contacts}
        identities = identify(session, accounts.values(), now)
        moderator = self.moderator
        classified = {c.id: moderator.classify(c.text) for c in contacts}
        concerned = {
            identities[c.account_id].subject: identities[c.account_id]
            for c in contacts
            if classified[c.id].labels(moderator.thresholds)
        }
        snapshots = histories(
            session,
            identities.values(),
            until=max(c.created_at for c in contacts),
            lookback=self.lookback,
        )
        behaviour = {
            c.id: moderator.behaviour(
                c.text, c.created_at, snapshots[identities[c.account_id].subject]
            )
            for c in contacts
        }
        for contact in contacts:
            if behaviour[contact.id]:
                identity = identities[contact.account_id]
                concerned[identity.subject] = identity
        months = self.loaded.profile.cases.closed_cases_count_for_months
        states = person_states(session, concerned.values(), now, months)
        cases = CaseBook(session, concerned, now, months)
        aliases = AliasBook(session, (i.account_id for i in concerned.values() if not i.identified))
        batch = DecisionBatch(now, moderator.thresholds)
        for contact in contacts:
            identity = identities[contact.account_id]
            classification = classified[contact.id]
            state = states.get(identity.subject) or PersonState(
                identified=identity.identified,
                subject=identity.subject,
                tenancy_ref=identity.tenancy_ref,
            )
            moderation = moderator.moderate(
                to_domain(contact), classification, behaviour[contact.id], state
            )
            decision = moderation.decision
            case = cases.open_case(identity) if decision.acted or decision.incident else None
            batch.add(contact, classification, decision, case)
            if decision.outcome == NEEDS_REVIEW:
                session.add(unreadable_task(contact, now))
            if decision.acted:
                audit(
                    session,
                    actor=BOT,
                    event="decided",
                    subject_type="contact",
                    subject_id=contact.id,
                    at=now,
                    outcome=decision.outcome,
                    step=decision.step.value,
                    actions=[a.kind.value for a in decision.actions],
                    profile=decision.profile,
                )
                if not identity.identified:
                    aliases.log(contact.account, f"acted on: {decision.outcome}", now)
            states[identity.subject] = moderation.state
            report.decided += 1
            report.outcomes[decision.outcome] += 1
        session.flush()  # new cases and alias entries, so their ids exist
        batch.write(session)
        # Suspicions are looked for when an account first enters the alias log: the check is
        # symmetric, so a later account finds the earlier one.
        suspect_connections(session, aliases.new.values(), now)


def unreadable_task(contact: m.Contact, now: datetime) -> m.ManualTask:
    """Staff's task for a contact that is only a picture (or video): the bot cannot read it."""
    kinds = ", ".join(str(a.get("type", "attachment")) for a in contact.attachments or [])
    return m.ManualTask(
        contact_id=contact.id,
        kind="cannot_read",
        role=Role.COMMS.value,
        instructions=(
            f"This {contact.kind.value.replace('_', ' ')} is only {kinds or 'an attachment'}, "
            "and the bot cannot read pictures or video. Look at it on the platform: if it "
            "breaches the policy, act by hand; otherwise close this task."
        ),
        link=contact.permalink,
        state="open",
        created_at=now,
        dedupe_key=f"cannot_read:{contact.id}",
    )
