"""One moderation pass: ingest, identify, detect, decide, act, register (design.md).

Every stage writes in batches: a batch of contacts and the cursor that covers them commit
together, a batch of decisions (with their findings, planned actions and register entries)
commits together, and the runner claims and finishes actions in batches. A crash at any
point loses nothing and, on the next pass, repeats nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, joinedload

from bot.act.runner import ActionRunner, RunReport
from bot.dates.clock import Clock, system_clock
from bot.decide.engine import PolicyEngine
from bot.decide.messages import Messages
from bot.detect.build import build_classifier, build_detectors
from bot.detect.history import OWN, histories
from bot.domain import ActionKind, ActionState, Decision, LadderStep, PersonState
from bot.errors import EXPECTED
from bot.identify.accounts import AliasBook, identify, upsert_accounts
from bot.identify.suspicions import suspect_connections
from bot.register.audit import BOT, audit
from bot.register.cases import CaseBook, person_states, rung
from bot.settings.loading import LoadedConfig
from bot.settings.saved import apply_saved_settings, settings_revision
from bot.settings.secrets import read_secret
from bot.storage import models as m
from bot.storage.queries import (
    advance_cursor,
    get_cursor,
    insert_ignoring_duplicates,
    record_connector_error,
    record_poll_success,
    to_domain,
)
from bot.storage.session import Store
from filters.classifier import Classification, TextClassifier
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
    stopped: bool = False  # asked to stop: the pass ended between two batches


def build_messages(loaded: LoadedConfig) -> Messages:
    """The message templates for the config and its profile."""
    return Messages(
        loaded.settings.templates.dir,
        loaded.profile,
        loaded.settings.organisation.model_dump(),
    )


class Pipeline:
    """Runs moderation passes for one configuration against one store."""

    def __init__(
        self,
        loaded: LoadedConfig,
        store: Store,
        *,
        connectors: dict[str, Connector] | None = None,
        classifier: TextClassifier | None = None,
        clock: Clock = system_clock,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """`should_stop` is asked between batches: when it says so, the pass ends there.

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
        self.classifier = classifier or build_classifier(loaded)
        self.messages = build_messages(loaded)
        self.engine = PolicyEngine(loaded.profile, settings.thresholds, self.messages)
        self.runner = ActionRunner(
            store,
            self.connectors,
            loaded.profile,
            self.messages,
            clock=clock,
            stale_after=timedelta(seconds=settings.pipeline.running_stale_after_seconds),
            max_attempts=settings.pipeline.max_attempts,
            should_stop=should_stop,
        )
        self.batch_size = settings.pipeline.batch_size
        self.detectors = build_detectors(loaded)
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
        with self.store.begin() as session:
            cursor = get_cursor(session=session, connector=name).cursor
        fetched = 0
        problems: list[str] = []
        try:
            for batch in connector.fetch_since(cursor):
                report.stored += self.store_contacts(name, batch.contacts, cursor=batch.cursor)
                fetched += len(batch.contacts)
                problems.extend(batch.warnings)
                if self.should_stop():
                    report.stopped = True
                    break
            else:
                with self.store.begin() as session:
                    record_poll_success(session=session, connector=name, at=self.clock())
        except EXPECTED as exc:
            problems.append(str(exc))
        # Warnings (a polling gap longer than the platform keeps) and failures both go to
        # connector health, after the cursor moves, so advancing it does not clear them.
        for problem in problems:
            report.errors.append(f"{name}: {problem}")
            log.warning("connector_failed", connector=name, error=problem)
        if problems:
            with self.store.begin() as session:
                record_connector_error(
                    session=session, connector=name, error="; ".join(problems), at=self.clock()
                )
        report.fetched[name] = fetched

    def store_contacts(
        self, name: str, contacts: Sequence[Contact], *, cursor: str | None = None
    ) -> int:
        """Store contacts once each (a repeat is ignored) and, for a poll, the cursor with them.

        Webhook deliveries come here with no cursor. Returns how many were new.
        """
        now = self.clock()
        organisation = self.loaded.settings.organisation
        with self.store.begin() as session:
            accounts = upsert_accounts(session, (c.account for c in contacts), now)
            rows = [
                {
                    "connector": c.connector,
                    "platform": c.platform,
                    "external_id": c.external_id,
                    "account_id": accounts[(c.account.platform, c.account.platform_user_id)].id,
                    "kind": c.kind,
                    "text": c.text,
                    "created_at": c.created_at,
                    "ingested_at": now,
                    "permalink": c.permalink,
                    "thread_id": c.thread_id,
                    "parent_id": c.parent_id,
                    "status": OWN if organisation.is_own(c.platform, c.account.handle) else "new",
                }
                for c in contacts
            ]
            stored = insert_ignoring_duplicates(
                session, m.Contact, rows, ["platform", "external_id"]
            )
            if cursor is not None:
                advance_cursor(session=session, connector=name, cursor=cursor, at=now)
        return stored

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
        self.classifier = build_classifier(self.loaded)
        self.engine = PolicyEngine(
            self.loaded.profile, self.loaded.settings.thresholds, self.messages
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
        thresholds = self.loaded.settings.thresholds
        classified = {c.id: self.classifier.classify(c.text) for c in contacts}
        concerned = {
            identities[c.account_id].subject: identities[c.account_id]
            for c in contacts
            if classified[c.id].labels(thresholds)
        }
        snapshots = histories(
            session,
            identities.values(),
            until=max(c.created_at for c in contacts),
            lookback=self.lookback,
        )
        behaviour = {
            c.id: [
                f
                for detector in self.detectors
                for f in detector.check(
                    c.text, c.created_at, snapshots[identities[c.account_id].subject]
                )
            ]
            for c in contacts
        }
        for contact in contacts:
            if behaviour[contact.id]:
                identity = identities[contact.account_id]
                concerned[identity.subject] = identity
        months = self.loaded.profile.cases_stop_counting_after_months
        states = person_states(session, concerned.values(), now, months)
        cases = CaseBook(session, concerned, now, months)
        aliases = AliasBook(session, (i.account_id for i in concerned.values() if not i.identified))
        batch = _DecisionBatch(now)
        for contact in contacts:
            identity = identities[contact.account_id]
            classification = classified[contact.id]
            state = states.get(identity.subject) or PersonState(
                identified=identity.identified,
                subject=identity.subject,
                tenancy_ref=identity.tenancy_ref,
            )
            decision = self.engine.decide(
                to_domain(contact), classification, state, behaviour[contact.id]
            )
            case = cases.open_case(identity) if decision.acted or decision.incident else None
            batch.add(contact, classification, decision, case)
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
            states[identity.subject] = _after(state, decision)
            report.decided += 1
            report.outcomes[decision.outcome] += 1
        session.flush()  # new cases and alias entries, so their ids exist
        batch.write(session)
        # Suspicions are looked for when an account first enters the alias log: the check is
        # symmetric, so a later account finds the earlier one.
        suspect_connections(session, aliases.new.values(), now)


class _DecisionBatch:
    """Rows for one batch's findings, decisions and actions, written in a few statements.

    Decisions, findings and actions are many and never read back in the same transaction,
    so they go in as bulk inserts rather than one ORM object (and one round trip) each.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.findings: list[dict[str, object]] = []
        self.decisions: list[dict[str, object]] = []
        self.actions: dict[int, list[tuple[dict[str, object], m.Case | None]]] = {}
        self.cases: dict[int, m.Case | None] = {}
        self.contact_ids: list[int] = []

    def add(
        self,
        contact: m.Contact,
        classification: Classification,
        decision: Decision,
        case: m.Case | None,
    ) -> None:
        self.contact_ids.append(contact.id)
        self.cases[contact.id] = case
        self.findings.extend(
            {
                "contact_id": contact.id,
                "category": f.category,
                "rule": f.rule,
                "score": f.score,
                "spans": [[s.start, s.end] for s in f.spans],
                "evidence": f.evidence,
            }
            for f in classification.findings
        )
        self.decisions.append(
            {
                "contact_id": contact.id,
                "profile": decision.profile,
                "outcome": decision.outcome,
                "summary": decision.summary,
                "step": decision.step,
                "identified": decision.identified,
                "incident": decision.incident,
                "not_fired": [[n.rule, n.reason] for n in decision.not_fired],
                "created_at": self.now,
            }
        )
        self.actions[contact.id] = [
            (
                {
                    "contact_id": contact.id,
                    "kind": planned.kind,
                    "state": (
                        ActionState.AWAITING_APPROVAL
                        if planned.needs_approval
                        else ActionState.PLANNED
                    ),
                    "idempotency_key": f"{contact.platform}:{contact.external_id}:{planned.kind}",
                    "clause_ref": planned.clause.ref,
                    "clause_title": planned.clause.title,
                    "reason": planned.reason,
                    "needs_approval": planned.needs_approval,
                    "approver_role": planned.approver.value if planned.approver else None,
                    "message": planned.message,
                    "details": {"protocol": list(planned.protocol)} if planned.protocol else {},
                    "attempts": 0,
                    "created_at": self.now,
                    "updated_at": self.now,
                },
                case,
            )
            for planned in decision.actions
        ]

    def write(self, session: Session) -> None:
        """Insert everything, then mark the batch's contacts decided."""
        for row in self.decisions:
            case = self.cases[row["contact_id"]]  # type: ignore[index]
            row["case_id"] = case.id if case is not None else None
        decision_ids = dict(
            (contact_id, decision_id)
            for decision_id, contact_id in session.execute(
                sa.insert(m.Decision.__table__).returning(
                    m.Decision.__table__.c.id, m.Decision.__table__.c.contact_id
                ),
                self.decisions,
            )
        )
        actions = []
        for contact_id, planned in self.actions.items():
            for row, case in planned:
                row["decision_id"] = decision_ids[contact_id]
                row["case_id"] = case.id if case is not None else None
                actions.append(row)
        if actions:
            session.execute(sa.insert(m.Action.__table__), actions)
        if self.findings:
            session.execute(sa.insert(m.Finding.__table__), self.findings)
        session.execute(
            sa.update(m.Contact.__table__)
            .where(m.Contact.__table__.c.id.in_(self.contact_ids))
            .values(status="decided")
        )


def _after(state: PersonState, decision: Decision) -> PersonState:
    """The person's state once `decision` is planned, for the next contact in the batch."""
    kinds = {a.kind for a in decision.actions}
    pending = max(
        (rung(kind, decision.step) for kind in kinds),
        key=lambda step: step.rank,
        default=LadderStep.NONE,
    )
    if pending.rank < state.step_pending.rank:
        pending = state.step_pending
    return replace(
        state,
        step_pending=pending,
        blocked=state.blocked or ActionKind.BLOCK in kinds,
        incidents=state.incidents + int(decision.incident),
    )
