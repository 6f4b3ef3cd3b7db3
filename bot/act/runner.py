"""The action runner: carries out planned and approved actions, recording every step.

Each action is claimed (state `running`, attempt counted) and committed *before* the platform
is called, then finished (`done` with the platform's receipt, or `failed` with the error) in a
second transaction. A crash in between leaves the action `running`, claimed in the runner's
name (`bot.act.claims`); as soon as that runner is known to be gone — its lease lapsed, or
its process on this machine no longer exists — the next run asks the connector whether it
already happened (`Connector.already_done`). If it did, it is recorded;
if the connector cannot tell, an idempotent action (hide, block, mute) is simply done again,
and a message (public reply, private warning) is never resent blindly: staff get a task to
check. Claims use `FOR UPDATE SKIP LOCKED`, so several runners never take the same action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session, joinedload

from bot.act.claims import Worker, gone
from bot.act.letters import write_letter
from bot.audit import BOT, audit
from bot.dates.clock import Clock, system_clock
from bot.decide.messages import Messages
from bot.domain import ActionKind, ActionState, Role
from bot.ingest.cursors import record_connector_error
from bot.register.action_state import StateWrites, change_state
from bot.register.effects import record_effects, restriction_for, warnings_issued
from bot.register.tasks import PLATFORM_NAMES, describe_by_hand, open_task, police_instructions
from bot.settings.profile import PolicyProfile
from bot.storage.models import Action, Contact
from bot.storage.session import Store
from platforms.base import (
    ActionReceipt,
    ActionRequest,
    ActionTarget,
    AuthError,
    Connector,
    DeliveryUnknownError,
    ForbiddenError,
    PlatformError,
    RateLimitedError,
    Recall,
    UnsupportedActionError,
    can_perform,
)

log = structlog.get_logger(__name__)

STAFF_ACTIONS: Mapping[ActionKind, str] = {
    ActionKind.ROUTE_COMPLAINT: "route_complaint",
    ActionKind.POLICE_REFERRAL_DECISION: "police_referral_decision",
    ActionKind.POLICE_REPORT: "police_report",
    ActionKind.ASSESSMENT: "assessment",
}
# Letters written when they are sent, from the register as it then stands.
LETTERS = (ActionKind.RESTRICTION, ActionKind.REVIEW_LETTER, ActionKind.APPEAL_LETTER)
RUNNABLE = (ActionState.PLANNED, ActionState.APPROVED)


@dataclass
class RunReport:
    """What one run of the runner did, for the CLI and the weekly summary."""

    done: int = 0
    failed: int = 0
    manual: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False  # asked to stop: the run ended between two batches


@dataclass(frozen=True)
class _Claimed:
    action_id: int
    connector: str
    request: ActionRequest


class ActionRunner:
    """Executes actions through connectors and records each state change."""

    def __init__(
        self,
        store: Store,
        connectors: Mapping[str, Connector],
        profile: PolicyProfile,
        messages: Messages,
        *,
        clock: Clock = system_clock,
        stale_after: timedelta = timedelta(minutes=5),
        claim_lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 5,
        batch_size: int = 200,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """`should_stop` is asked before each batch is claimed, never while one is running."""
        self.store = store
        self.connectors = connectors
        self.profile = profile
        self.messages = messages
        self.clock = clock
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self._writes: StateWrites | None = None  # the open transaction's deferred updates
        self._notes_connection: sa.Connection | None = None
        self.should_stop = should_stop
        self.worker = Worker(store, lease=claim_lease, clock=clock)

    def run(self) -> RunReport:
        """Recover stale actions, then run every runnable action, batch by batch."""
        report = RunReport()
        self.worker.start()  # alive before claiming anything, until `close`
        self._recover(report)
        blocked: set[str] = set()  # connectors that stopped (auth, rate limit) this run
        after = 0  # each action is looked at once per run, in id order
        while True:
            if self.should_stop():
                report.stopped = True
                return report
            claimed, after = self._claim(report, blocked, after)
            if after == 0:
                return report
            batch: list[tuple[_Claimed, ActionReceipt | Exception]] = []
            for action in claimed:
                result = self._perform(action, blocked)
                if isinstance(result, ActionReceipt) and action.request.kind.sends:
                    self._note_sent(action.action_id, result)
                batch.append((action, result))
            if batch:
                self._finish(batch, report)

    def _note_sent(self, action_id: int, receipt: ActionReceipt) -> None:
        """Write a message's receipt the moment it is sent, in one small statement.

        The batch records everything else when it finishes; if the process dies before
        that, recovery finds the receipt and knows the message went out, instead of asking
        staff to check.
        """
        with self._notes.begin():
            self._notes.execute(
                sa.update(Action.__table__)
                .where(Action.__table__.c.id == action_id)
                .values(receipt=receipt.platform_ref or receipt.detail or "sent")
            )

    @property
    def _notes(self) -> sa.Connection:
        """A connection of its own for receipts, committing without waiting for the disk.

        A note survives this process being killed (its point); only a database server
        crash could lose one, and then recovery asks staff, which is safe.
        """
        if self._notes_connection is None or self._notes_connection.closed:
            connection = self.store.private_connection()  # its setting dies with it
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET synchronous_commit TO OFF")
                connection.commit()
            self._notes_connection = connection
        return self._notes_connection

    def close(self) -> None:
        """Give up this runner's lease and return the receipts connection to the pool."""
        self.worker.release()
        if self._notes_connection is not None:
            self._notes_connection.close()
            self._notes_connection = None

    @contextmanager
    def _transaction(self, now: datetime) -> Iterator[Session]:
        """A transaction whose action updates are written together before it commits."""
        with self.store.begin() as session:
            self._writes = StateWrites(session, now)
            try:
                yield session
                self._writes.flush()
            finally:
                self._writes = None

    # --- claim ------------------------------------------------------------------------

    def _claim(
        self, report: RunReport, blocked: set[str], after: int
    ) -> tuple[list[_Claimed], int]:
        """Claim the next batch of runnable actions with ids above `after`.

        Returns the claimed actions and the highest id looked at (0 when none was left).
        """
        now = self.clock()
        claimed: list[_Claimed] = []
        with self._transaction(now) as session:
            retry = sa.and_(Action.state == ActionState.FAILED, Action.attempts < self.max_attempts)
            query = (
                sa.select(Action)
                .where(sa.or_(Action.state.in_(RUNNABLE), retry))
                .where(Action.id > after)
                .order_by(Action.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True, of=Action)
                .options(joinedload(Action.contact).joinedload(Contact.account))
                .options(joinedload(Action.decision))
            )
            actions = list(session.scalars(query).unique())
            last = actions[-1].id if actions else 0
            for action in actions:
                if (
                    action.needs_approval
                    and action.state is not ActionState.APPROVED
                    and not (action.state is ActionState.FAILED and action.decided_by)
                ):
                    self._set(session, action, ActionState.AWAITING_APPROVAL, now)
                    continue
                if action.kind in STAFF_ACTIONS:
                    self._to_staff(session, action, now)
                    report.manual += 1
                    continue
                if action.kind is ActionKind.RESTRICTION:
                    restriction_for(session, action, self.profile, now)  # in force from now
                if action.kind in LETTERS and not action.message:  # also for sending by hand
                    action.message = write_letter(session, action, self.profile, self.messages)
                connector = self.connectors.get(action.contact.connector)
                if connector is None:
                    open_task(
                        session,
                        action,
                        kind="connector_missing",
                        role=Role.COMMS,
                        instructions=(
                            f"The connector '{action.contact.connector}' that fetched this "
                            "contact is no longer configured, so the bot cannot act on it. "
                            + describe_by_hand(action)
                        ),
                        now=now,
                        actor=BOT,
                        writes=self._writes,
                    )
                    report.manual += 1
                    continue
                platform_action = action.kind.on_platform
                if platform_action is None or not can_perform(connector, platform_action):
                    self._unsupported(session, action, now)
                    report.manual += 1
                    continue
                if action.contact.connector in blocked:
                    continue
                self._set(
                    session,
                    action,
                    ActionState.RUNNING,
                    now,
                    attempts=action.attempts + 1,
                    claimed_by=self.worker.id,
                )
                claimed.append(_Claimed(action.id, action.contact.connector, self._request(action)))
        return claimed, last

    def _to_staff(self, session: Session, action: Action, now: datetime) -> None:
        contact = action.contact
        kind = STAFF_ACTIONS[action.kind]
        if action.kind is ActionKind.ROUTE_COMPLAINT:
            instructions = (
                f"Route this to the right queue (complaints or repairs). {action.reason}\n\n"
                f"From {contact.account.handle} on {PLATFORM_NAMES.get(contact.platform)}, "
                f"{contact.created_at:%d %b %Y %H:%M}:\n\n{contact.text}"
            )
        elif action.kind in (ActionKind.POLICE_REPORT, ActionKind.POLICE_REFERRAL_DECISION):
            instructions = police_instructions(session, action)
        else:
            instructions = f"Complete the Unacceptable Behaviour Assessment. {action.reason}"
        open_task(
            session,
            action,
            kind=kind,
            role=action.approver_role or Role.COMMS,
            instructions=instructions,
            now=now,
            actor=BOT,
            writes=self._writes,
        )

    def _unsupported(
        self, session: Session, action: Action, now: datetime, *, reason: str = ""
    ) -> None:
        platform = PLATFORM_NAMES.get(action.contact.platform, action.contact.platform)
        previous = action.state
        self._set(session, action, ActionState.UNSUPPORTED, now, quiet=True)
        audit(
            session,
            actor=BOT,
            event="action_unsupported",
            subject_type="action",
            subject_id=action.id,
            at=now,
            kind=action.kind.value,
            previous_state=previous.value,
            reason=reason,
        )
        if reason:
            self._note(action, last_error=reason)
        open_task(
            session,
            action,
            kind="unsupported",
            role=Role.COMMS,
            instructions=(
                f"{platform} does not let the bot do this"
                + (f" here: {reason.rstrip('.')}" if reason else "")
                + ". "
                + describe_by_hand(action)
            ),
            now=now,
            actor=BOT,
            writes=self._writes,
        )

    # --- perform ----------------------------------------------------------------------

    def _perform(self, claimed: _Claimed, blocked: set[str]) -> ActionReceipt | Exception:
        if claimed.connector in blocked:
            return RateLimitedError("connector paused for the rest of this run")
        connector = self.connectors[claimed.connector]
        try:
            return connector.perform(claimed.request)
        except (AuthError, RateLimitedError) as exc:
            blocked.add(claimed.connector)
            return exc
        except PlatformError as exc:
            return exc
        except Exception as exc:  # loop edge: record the failure, never lose the action
            log.exception("action_crashed", action_id=claimed.action_id)
            return exc

    # --- finish -----------------------------------------------------------------------

    def _finish(
        self, results: list[tuple[_Claimed, ActionReceipt | Exception]], report: RunReport
    ) -> None:
        now = self.clock()
        with self._transaction(now) as session:
            ids = [claimed.action_id for claimed, _ in results]
            loaded = {
                a.id: a
                for a in session.scalars(
                    sa.select(Action)
                    .where(Action.id.in_(ids))
                    .options(
                        joinedload(Action.contact).joinedload(Contact.account),
                        joinedload(Action.decision),
                    )
                ).unique()
            }
            issued = warnings_issued(session, {a.contact_id for a in loaded.values()})
            for claimed, result in results:
                action = loaded.get(claimed.action_id)
                if (
                    action is None
                    or action.state is not ActionState.RUNNING
                    or action.claimed_by != self.worker.id  # taken over: no longer ours
                ):
                    continue
                if isinstance(result, ActionReceipt):
                    self._done(session, action, result, now, issued)
                    report.done += 1
                elif isinstance(result, UnsupportedActionError):
                    self._unsupported(session, action, now, reason=str(result))
                    report.manual += 1
                elif isinstance(result, DeliveryUnknownError):
                    self._note(action, last_error=str(result))
                    self._check_sent(session, action, now, str(result))
                    report.manual += 1
                elif isinstance(result, ForbiddenError):
                    self._note(action, last_error=str(result))
                    open_task(
                        session,
                        action,
                        kind="permission",
                        role=Role.COMMS,
                        instructions=(
                            f"The bot was refused permission: {result}. " + describe_by_hand(action)
                        ),
                        now=now,
                        actor=BOT,
                        writes=self._writes,
                    )
                    report.manual += 1
                elif isinstance(result, (AuthError, RateLimitedError)):
                    # Not the action's fault: put it back untried for the next run.
                    if isinstance(result, AuthError):  # show it in connector health too
                        record_connector_error(
                            session=session, connector=claimed.connector, error=str(result), at=now
                        )
                    back = ActionState.APPROVED if action.decided_by else ActionState.PLANNED
                    self._set(
                        session,
                        action,
                        back,
                        now,
                        attempts=max(0, action.attempts - 1),
                        last_error=str(result),
                    )
                    report.errors.append(f"{claimed.connector}: {result}")
                else:
                    self._failed(session, action, result, now)
                    report.failed += 1

    def _done(
        self,
        session: Session,
        action: Action,
        receipt: ActionReceipt,
        now: datetime,
        issued: set | None = None,
    ) -> None:
        self._set(
            session,
            action,
            ActionState.DONE,
            now,
            receipt=receipt.platform_ref or receipt.detail or "ok",
            last_error=None,
        )
        record_effects(session, action, self.profile, BOT, now, issued)

    def _failed(self, session: Session, action: Action, error: Exception, now: datetime) -> None:
        message = str(error) or type(error).__name__
        self._set(session, action, ActionState.FAILED, now, last_error=message)
        if action.attempts >= self.max_attempts:
            open_task(
                session,
                action,
                kind="failed",
                role=Role.COMMS,
                instructions=(
                    f"The bot tried {action.attempts} times and the platform kept failing "
                    f"({message}). " + describe_by_hand(action)
                ),
                now=now,
                actor=BOT,
                writes=self._writes,
            )

    # --- recover ----------------------------------------------------------------------

    def _recover(self, report: RunReport) -> None:
        now = self.clock()
        cutoff = now - self.stale_after
        with self._transaction(now) as session:
            owners = session.scalars(
                sa.select(Action.claimed_by)
                .where(Action.state == ActionState.RUNNING, Action.claimed_by.is_not(None))
                .distinct()
            ).all()
            dead = gone(session, [o for o in owners if o], me=self.worker.id, clock=self.clock)
            unowned_and_old = sa.and_(Action.claimed_by.is_(None), Action.updated_at <= cutoff)
            stale = list(
                session.scalars(
                    sa.select(Action)
                    .where(
                        Action.state == ActionState.RUNNING,
                        sa.or_(unowned_and_old, Action.claimed_by.in_(dead)),
                    )
                    .with_for_update(skip_locked=True, of=Action)
                    .options(joinedload(Action.contact).joinedload(Contact.account))
                ).unique()
            )
            for action in stale:
                report.recovered += 1
                connector = self.connectors.get(action.contact.connector)
                known: ActionReceipt | Recall = Recall.UNKNOWN
                if action.receipt:  # written as it was sent, before the crash
                    known = ActionReceipt(ok=True, platform_ref=action.receipt)
                elif connector is not None:
                    try:
                        known = connector.already_done(self._request(action))
                    except PlatformError as exc:
                        log.warning("recovery_lookup_failed", action_id=action.id, error=str(exc))
                    except Exception:  # loop edge: an unknown answer is treated as unknown
                        log.exception("recovery_lookup_crashed", action_id=action.id)
                if isinstance(known, ActionReceipt):
                    self._done(session, action, known, now)
                elif known is Recall.NOT_DONE or action.kind.is_idempotent:
                    back = ActionState.APPROVED if action.decided_by else ActionState.PLANNED
                    self._set(session, action, back, now, attempts=max(0, action.attempts - 1))
                else:
                    self._check_sent(session, action, now, "The bot stopped while sending this")
                    report.manual += 1

    def _check_sent(self, session: Session, action: Action, now: datetime, why: str) -> None:
        # A message that may have gone out is never resent blindly: staff look first.
        open_task(
            session,
            action,
            kind="check_sent",
            role=Role.COMMS,
            instructions=(
                f"{why.rstrip('.')}, and the bot cannot tell whether it went out. Check the "
                "conversation first and send it by hand only if it is not there. "
                + describe_by_hand(action)
            ),
            now=now,
            actor=BOT,
            writes=self._writes,
        )

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _request(action: Action) -> ActionRequest:
        contact = action.contact
        platform_action = action.kind.on_platform
        assert platform_action is not None  # staff's own work never reaches a connector
        return ActionRequest(
            kind=platform_action,
            label=action.kind.value,
            target=ActionTarget(
                platform=contact.platform,
                external_id=contact.external_id,
                kind=contact.kind,
                account_platform_id=contact.account.platform_user_id,
                account_handle=contact.account.handle,
                thread_id=contact.thread_id,
                permalink=contact.permalink,
                parent_id=contact.parent_id,
                created_at=contact.created_at,
            ),
            idempotency_key=action.idempotency_key,
            message=action.message,
            reason=action.reason,
        )

    def _set(
        self,
        session: Session,
        action: Action,
        state: ActionState,
        now: datetime,
        *,
        quiet: bool = False,
        **values: object,
    ) -> None:
        """Move `action` to `state` (with other column values), deferred to the batch."""
        if values:
            self._note(action, **values)
        if quiet:  # the caller writes its own, more specific, audit line
            if self._writes is not None:
                self._writes.set(action, state)
            else:
                action.state = state
                action.updated_at = now
            return
        change_state(session, action, state, actor=BOT, now=now, writes=self._writes)

    def _note(self, action: Action, **values: object) -> None:
        """Set column values on `action`, deferred to the batch when one is open."""
        if self._writes is not None:
            self._writes.set(action, action.state, **values)
        else:
            for key, value in values.items():
                setattr(action, key, value)
