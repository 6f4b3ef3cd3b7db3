"""The store's tables, as SQLAlchemy 2 typed models. Schema changes go through Alembic.

Words follow docs/architecture.md. Personal data is kept apart where the policies and the law
want it apart: the alias log has no link to tenancy data, and the audit trail holds ids and reasons,
never contact text, so the retention purge can empty contact text without editing history.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.domain import ActionKind, ActionState, LadderStep
from filters.base import Category
from platforms.base import ContactKind


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Store naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Read back as aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(kind: type[enum.Enum]) -> sa.Enum:
    # Values, not names, as strings without a CHECK constraint: adding a member later needs
    # no migration, and the stored text reads the same as the YAML and the CLI.
    return sa.Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON,
        list[Any]: sa.JSON,
    }


class ConnectorCursor(Base):
    """A connector's durable position and health; advanced with the contacts it covers."""

    __tablename__ = "connector_cursors"

    connector: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_error_at: Mapped[datetime | None]


class TenancyRecord(Base):
    """A tenancy as exported from the housing management system: the *person* policies act on."""

    __tablename__ = "tenancy_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    contact_preferences: Mapped[str] = mapped_column(sa.Text, default="")
    vulnerability_notes: Mapped[str] = mapped_column(sa.Text, default="")
    support_contact: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    handles: Mapped[list[TenancyHandle]] = relationship(
        back_populates="tenancy", cascade="all, delete-orphan"
    )


class TenancyHandle(Base):
    """A social handle the housing management system holds for a tenancy."""

    __tablename__ = "tenancy_handles"
    __table_args__ = (sa.UniqueConstraint("platform", "handle", "tenancy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(sa.ForeignKey("tenancy_records.id"), index=True)
    platform: Mapped[str] = mapped_column(sa.String(32))
    handle: Mapped[str] = mapped_column(sa.String(200), index=True)

    tenancy: Mapped[TenancyRecord] = relationship(back_populates="handles")


class Account(Base):
    """An account as a platform shows it."""

    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(sa.String(32))
    platform_user_id: Mapped[str] = mapped_column(sa.String(128))
    handle: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]

    links: Mapped[list[AccountLink]] = relationship(back_populates="account")


class LinkState(enum.StrEnum):
    """How sure we are that an account belongs to a tenancy."""

    VERIFIED = "verified"
    STAFF_CONFIRMED = "staff_confirmed"
    SUSPECTED = "suspected"

    @property
    def identifies(self) -> bool:
        """Only verified and staff-confirmed links identify a person."""
        return self is not LinkState.SUSPECTED


class AccountLink(Base):
    """Ties an account to a tenancy record, saying how and by whom."""

    __tablename__ = "account_links"
    __table_args__ = (sa.UniqueConstraint("account_id", "tenancy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    tenancy_id: Mapped[int] = mapped_column(sa.ForeignKey("tenancy_records.id"), index=True)
    state: Mapped[LinkState] = mapped_column(_enum(LinkState))
    method: Mapped[str] = mapped_column(sa.Text)
    made_by: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(back_populates="links")
    tenancy: Mapped[TenancyRecord] = relationship()


class AliasLogEntry(Base):
    """An account the bot acted on but could not identify, kept apart from tenancy data."""

    __tablename__ = "alias_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), unique=True)
    platform: Mapped[str] = mapped_column(sa.String(32))
    handle: Mapped[str] = mapped_column(sa.String(200))
    display_names: Mapped[list[Any]] = mapped_column(default=list)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text, default="")


class ConnectionState(enum.StrEnum):
    """Staff's view of a suspected connection between two accounts."""

    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class AccountConnection(Base):
    """A suspicion that two accounts are the same person, with its evidence.

    Part of the alias log, kept apart from tenancy data. Nothing follows from a suspicion:
    only a connection staff confirm can lead to anything (e.g. blocking a pseudonym where
    the policy allows it, Hanover 5.6).
    """

    __tablename__ = "account_connections"
    __table_args__ = (sa.UniqueConstraint("account_id", "other_account_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    other_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(60))
    evidence: Mapped[str] = mapped_column(sa.Text)
    confidence: Mapped[float]
    state: Mapped[ConnectionState] = mapped_column(_enum(ConnectionState))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    other: Mapped[Account] = relationship(foreign_keys=[other_account_id])


# A contact's status: waiting to be decided, decided, or posted by the organisation's own
# accounts (stored as the answers the persistence detector looks for, never moderated).
NEW, DECIDED, OWN = "new", "decided", "own"


class Contact(Base):
    """One thing posted to or sent to the landlord's account: one row per version of an item."""

    __tablename__ = "contacts"
    __table_args__ = (
        sa.UniqueConstraint("platform", "external_id", "version"),
        sa.Index("ix_contacts_status_created", "status", "created_at", "id"),
        sa.Index("ix_contacts_account_created", "account_id", "created_at"),
        sa.Index("ix_contacts_created_at", "created_at"),  # the weekly summary's ranges
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(sa.String(64))
    platform: Mapped[str] = mapped_column(sa.String(32))
    external_id: Mapped[str] = mapped_column(sa.String(200))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    permalink: Mapped[str] = mapped_column(sa.Text, default="")
    thread_id: Mapped[str] = mapped_column(sa.String(200), default="")
    parent_id: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=NEW)  # NEW, DECIDED or OWN
    purged_at: Mapped[datetime | None]
    # An edit is a new row with the next version, moderated in its own right (issue 14).
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    # What was attached: [{"type", "url", "alt_text"}], as the platform described it.
    attachments: Mapped[list[Any] | None] = mapped_column(sa.JSON, default=list)

    account: Mapped[Account] = relationship()
    findings: Mapped[list[Finding]] = relationship(back_populates="contact")
    decision: Mapped[Decision | None] = relationship(back_populates="contact")


class Finding(Base):
    """What one rule found in one contact."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    category: Mapped[Category] = mapped_column(_enum(Category))
    rule: Mapped[str] = mapped_column(sa.String(120))
    score: Mapped[float]
    spans: Mapped[list[Any]] = mapped_column(default=list)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")

    contact: Mapped[Contact] = relationship(back_populates="findings")


class Case(Base):
    """The register's case for one person (or one unidentified account)."""

    __tablename__ = "cases"
    __table_args__ = (sa.Index("ix_cases_subject_status", "subject", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(80))
    tenancy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenancy_records.id"))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(sa.String(200))
    close_reason: Mapped[str | None] = mapped_column(sa.Text)
    anonymised_at: Mapped[datetime | None]


class Decision(Base):
    """The policy engine's decision for one contact, with its reasons."""

    __tablename__ = "decisions"
    __table_args__ = (sa.Index("ix_decisions_reversed_at", "reversed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    profile: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.Text)
    step: Mapped[LadderStep] = mapped_column(_enum(LadderStep))
    identified: Mapped[bool]
    incident: Mapped[bool] = mapped_column(default=False)
    not_fired: Mapped[list[Any]] = mapped_column(default=list)
    # The category scores and thresholds this decision was made with.
    scores: Mapped[dict[str, Any] | None]
    thresholds: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reversed_at: Mapped[datetime | None]
    reversed_by: Mapped[str | None] = mapped_column(sa.String(200))
    reversal_reason: Mapped[str | None] = mapped_column(sa.Text)

    contact: Mapped[Contact] = relationship(back_populates="decision")
    case: Mapped[Case | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="decision", order_by="Action.id")


class Action(Base):
    """One planned action and its state, written before the platform is called."""

    __tablename__ = "actions"
    __table_args__ = (sa.Index("ix_actions_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    state: Mapped[ActionState] = mapped_column(_enum(ActionState))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    clause_ref: Mapped[str] = mapped_column(sa.String(120))
    clause_title: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    approver_role: Mapped[str | None] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    receipt: Mapped[str | None] = mapped_column(sa.Text)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(240))  # the runner, while running
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="actions")
    contact: Mapped[Contact] = relationship()
    case: Mapped[Case | None] = relationship()


class ManualTask(Base):
    """Work for staff: what the platform cannot do, or what a human must decide.

    Reminders (a restriction's review or an appeal's deadline falling due) name the
    restriction or appeal instead of an action, and carry a `dedupe_key` so the daily job
    opens one task per review date or appeal however often it runs, in however many processes.
    """

    __tablename__ = "manual_tasks"
    __table_args__ = (sa.Index("ix_manual_tasks_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), unique=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    role: Mapped[str] = mapped_column(sa.String(40))
    instructions: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    restriction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("restrictions.id"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appeals.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)


class Warning(Base):
    """An initial or formal warning issued to a person (or an unidentified account)."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), unique=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    level: Mapped[LadderStep] = mapped_column(_enum(LadderStep))
    clause_ref: Mapped[str] = mapped_column(sa.String(120))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Restriction(Base):
    """A communication protocol (or ending direct contact) with its review date."""

    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    terms: Mapped[str] = mapped_column(sa.Text)
    clause_ref: Mapped[str] = mapped_column(sa.String(120))
    approved_by: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    review_due: Mapped[datetime]
    ends_at: Mapped[datetime | None]  # ends by itself then (Selwood: 12 months from the letter)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    last_reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(200))
    review_note: Mapped[str | None] = mapped_column(sa.Text)

    case: Mapped[Case] = relationship()


class Appeal(Base):
    """An appeal against a decision, with its deadline in working days."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    restriction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("restrictions.id"))
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id"))
    received_at: Mapped[datetime]
    deadline: Mapped[datetime | None]
    decider_role: Mapped[str] = mapped_column(sa.String(40))
    original_decider: Mapped[str] = mapped_column(sa.String(200), default="")
    late: Mapped[bool] = mapped_column(default=False)
    opened_by: Mapped[str] = mapped_column(sa.String(200), default="")
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)  # the decider's reasons, internal
    explanation: Mapped[str | None] = mapped_column(sa.Text)  # what the person is told

    case: Mapped[Case] = relationship()
    restriction: Mapped[Restriction | None] = relationship()
    action: Mapped[Action | None] = relationship()


class AuditEvent(Base):
    """Append-only trail of who (the bot or a named staff member) did what and why.

    Database triggers refuse UPDATE and DELETE on this table (see the first migration).
    """

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    event: Mapped[str] = mapped_column(sa.String(80))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SchedulerLease(Base):
    """Who leads the schedulers: only the holder of an unexpired lease runs the timed jobs.

    One row per lease name. Several `modbot run` processes against one database all try to
    take it; the holder renews it well before it expires, and another takes it over once it
    has expired (the leader died or lost the database). Times come from one clock for every
    process: the database's own, unless a test gives a controllable one.
    """

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime | None]
    renewed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class ScheduledJob(Base):
    """One timed job's schedule and last run, shared by every scheduler process.

    `next_run_at` is the tick the job is due at; the leader claims a tick by moving it on in
    one conditional UPDATE, so a tick runs once however many processes see it. `modbot
    status` reads the same row from any process.
    """

    __tablename__ = "scheduled_jobs"

    job_id: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    schedule: Mapped[str] = mapped_column(sa.Text)
    next_run_at: Mapped[datetime | None]
    last_tick: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(sa.String(16))
    last_result: Mapped[str | None] = mapped_column(sa.Text)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_holder: Mapped[str | None] = mapped_column(sa.String(200))
    runs: Mapped[int] = mapped_column(default=0)


class SummarySend(Base):
    """A weekly summary email sent (or being sent, or failed) for one ISO week.

    Written before the SMTP conversation and finished after it, like an action: the
    scheduler never sends a week whose row says sent or sending. No addresses are kept,
    only how many recipients there were.
    """

    __tablename__ = "summary_sends"

    week: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)
    message_id: Mapped[str | None] = mapped_column(sa.String(250))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_by: Mapped[str] = mapped_column(sa.String(200))


class StaffUser(Base):
    """A named member of staff who signs in to the review pages.

    The name is what the register records for everything they do there; the role is checked
    against what the policy profile reserves, exactly as `--by NAME --role ROLE` is on the
    command line. Passwords are kept only as argon2 hashes. Failed sign-ins are counted here,
    not in memory, so the lock-out holds across every web process.
    """

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    login: Mapped[str] = mapped_column(sa.String(200), unique=True)  # the name, folded
    role: Mapped[str] = mapped_column(sa.String(40))
    password_hash: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    failed_signins: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    last_signin_at: Mapped[datetime | None]


class SettingsChange(Base):
    """Thresholds and word lists saved from the review pages: who changed what, and when.

    Each row holds only the keys that changed, as ``{"key", "before", "after"}``; the
    settings in force are the config file with every saved key's latest value over it
    (`bot.settings_store`). Rows are never edited, so this is also the history.
    """

    __tablename__ = "settings_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(40))
    changes: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")


class StaffSession(Base):
    """One sign-in to the review pages, kept here so that it can be ended.

    The browser's cookie carries only a random token; this row holds its SHA-256 digest
    (a copy of the table opens no session), whose account it is, and when it started and
    was last used. A session ends at sign-out, after `web.session_hours` however busy, after
    `web.session_idle_minutes` unused, and when the account's password, role or status
    changes or it is locked; an ended row stays, with the reason, as the record of it.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(40))


class SetAsideItem(Base):
    """An item a connector could not read (a malformed inbox row), kept whole.

    Stored with the batch it fell in and the cursor that passed it, so it is neither read
    twice nor lost; `modbot status` and the health page list it with where it was and why.
    """

    __tablename__ = "set_aside_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(sa.String(64), index=True)
    position: Mapped[str] = mapped_column(sa.String(100))  # "line 12"
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[str] = mapped_column(sa.Text)
    set_aside_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerLease(Base):
    """A running action runner: who it is and until when it is known to be alive.

    Renewed from a background thread; an action claimed by a runner whose lease lapsed (or
    whose process on this machine is gone) is taken over by the next runner at once.
    """

    __tablename__ = "worker_leases"

    worker: Mapped[str] = mapped_column(sa.String(240), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(200))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
