"""A subject access request: everything held about one person, as plain JSON-ready data.

Staff answer a request with `modbot person export`; the export is recorded in the audit
trail (who asked for it and when), never the data itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.errors import InputError
from bot.storage.models import (
    Account,
    AccountLink,
    Action,
    Appeal,
    AuditEvent,
    Case,
    Contact,
    Decision,
    Finding,
    Restriction,
    TenancyRecord,
    Warning,
)


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
