"""Personal data: a subject access export, and the retention purge that keeps data minimal.

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
from bot.clock import add_months
from bot.errors import InputError
from bot.policy.profile import PolicyProfile
from bot.storage.models import (
    Account,
    AccountConnection,
    AccountLink,
    Action,
    AliasLogEntry,
    Appeal,
    AuditEvent,
    Case,
    Contact,
    Decision,
    Finding,
    LinkState,
    ManualTask,
    Restriction,
    TenancyRecord,
    Warning,
)

PURGED = "[removed under the retention policy]"


def _row(obj: Any, *fields: str) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        out[name] = value
    return out


def export_person(session: Session, tenancy_ref: str, *, by: str, now: datetime) -> dict[str, Any]:
    """Everything held about one tenancy's person, as plain JSON-ready data.

    Raises:
        InputError: no tenancy with that reference.
    """
    tenancy = session.scalar(
        sa.select(TenancyRecord).where(TenancyRecord.tenancy_ref == tenancy_ref)
    )
    if tenancy is None:
        raise InputError(f"no tenancy record with reference {tenancy_ref}")
    links = list(
        session.scalars(sa.select(AccountLink).where(AccountLink.tenancy_id == tenancy.id))
    )
    account_ids = [link.account_id for link in links]
    accounts = list(session.scalars(sa.select(Account).where(Account.id.in_(account_ids))))
    contacts = list(
        session.scalars(
            sa.select(Contact)
            .where(Contact.account_id.in_(account_ids))
            .order_by(Contact.created_at)
        )
    )
    contact_ids = [c.id for c in contacts]
    findings = list(session.scalars(sa.select(Finding).where(Finding.contact_id.in_(contact_ids))))
    decisions = list(
        session.scalars(sa.select(Decision).where(Decision.contact_id.in_(contact_ids)))
    )
    actions = list(session.scalars(sa.select(Action).where(Action.contact_id.in_(contact_ids))))
    cases = list(
        session.scalars(
            sa.select(Case).where(
                sa.or_(
                    Case.tenancy_id == tenancy.id,
                    Case.account_id.in_(account_ids),
                    Case.id.in_([d.case_id for d in decisions if d.case_id]),
                )
            )
        )
    )
    case_ids = [c.id for c in cases]
    by_contact: dict[int, list[Finding]] = {}
    for finding in findings:
        by_contact.setdefault(finding.contact_id, []).append(finding)
    decision_of = {d.contact_id: d for d in decisions}
    actions_of: dict[int, list[Action]] = {}
    for action in actions:
        actions_of.setdefault(action.contact_id, []).append(action)
    audit_rows = list(
        session.scalars(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    sa.and_(
                        AuditEvent.subject_type == "contact", AuditEvent.subject_id.in_(contact_ids)
                    ),
                    sa.and_(
                        AuditEvent.subject_type == "action",
                        AuditEvent.subject_id.in_([a.id for a in actions]),
                    ),
                    sa.and_(AuditEvent.subject_type == "case", AuditEvent.subject_id.in_(case_ids)),
                    sa.and_(
                        AuditEvent.subject_type == "account", AuditEvent.subject_id.in_(account_ids)
                    ),
                )
            )
            .order_by(AuditEvent.id)
        )
    )
    export = {
        "exported_at": now.isoformat(),
        "exported_by": by,
        "tenancy": {
            **_row(
                tenancy,
                "tenancy_ref",
                "name",
                "contact_preferences",
                "vulnerability_notes",
                "support_contact",
                "updated_at",
            ),
            "social_handles": [f"{h.platform}:{h.handle}" for h in tenancy.handles],
        },
        "account_links": [
            {
                **_row(link, "state", "method", "made_by", "note", "created_at"),
                "account_id": link.account_id,
            }
            for link in links
        ],
        "accounts": [
            _row(
                a,
                "id",
                "platform",
                "platform_user_id",
                "handle",
                "display_name",
                "first_seen",
                "last_seen",
            )
            for a in accounts
        ],
        "contacts": [
            {
                **_row(
                    c,
                    "id",
                    "platform",
                    "external_id",
                    "kind",
                    "text",
                    "created_at",
                    "permalink",
                    "purged_at",
                ),
                "account_id": c.account_id,
                "findings": [
                    _row(f, "category", "rule", "score", "spans", "evidence")
                    for f in by_contact.get(c.id, [])
                ],
                "decision": (
                    _row(
                        decision_of[c.id],
                        "outcome",
                        "summary",
                        "step",
                        "identified",
                        "not_fired",
                        "created_at",
                    )
                    if c.id in decision_of
                    else None
                ),
                "actions": [
                    _row(
                        a,
                        "id",
                        "kind",
                        "state",
                        "clause_ref",
                        "clause_title",
                        "reason",
                        "message",
                        "needs_approval",
                        "approver_role",
                        "decided_by",
                        "decided_at",
                        "decision_note",
                        "created_at",
                        "updated_at",
                    )
                    for a in actions_of.get(c.id, [])
                ],
            }
            for c in contacts
        ],
        "cases": [_row(c, "id", "status", "opened_at", "closed_at") for c in cases],
        "warnings": [
            _row(w, "case_id", "level", "clause_ref", "issued_at")
            for w in session.scalars(sa.select(Warning).where(Warning.case_id.in_(case_ids)))
        ],
        "restrictions": [
            _row(
                r,
                "case_id",
                "kind",
                "terms",
                "clause_ref",
                "approved_by",
                "starts_at",
                "review_due",
                "ended_at",
            )
            for r in session.scalars(
                sa.select(Restriction).where(Restriction.case_id.in_(case_ids))
            )
        ],
        "appeals": [
            _row(
                a,
                "case_id",
                "received_at",
                "deadline",
                "decider_role",
                "decided_at",
                "outcome",
                "note",
            )
            for a in session.scalars(sa.select(Appeal).where(Appeal.case_id.in_(case_ids)))
        ],
        "audit_trail": [
            _row(e, "at", "actor", "event", "subject_type", "subject_id", "detail")
            for e in audit_rows
        ],
    }
    audit(
        session,
        actor=by,
        event="subject_access_export",
        subject_type="tenancy",
        subject_id=tenancy.id,
        at=now,
    )
    return export


@dataclass
class PurgeReport:
    """What the retention purge removed, as counts only."""

    contact_texts: int = 0
    alias_entries: int = 0
    connections: int = 0
    cases_anonymised: int = 0
    accounts_anonymised: int = 0

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
    keep_months = profile.cases_stop_counting_after_months or round(contact_text_days / 30)
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
