"""The register's record of a batch of decisions: findings, decisions and planned actions.

Decisions, findings and actions are many and never read back in the same transaction, so
they go in as bulk inserts rather than one ORM object (and one round trip) each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import ActionState, Decision, PlannedAction
from bot.storage import models as m
from filters.base import Category
from filters.classifier import Classification


def action_details(planned: PlannedAction) -> dict[str, object]:
    """What an action row keeps beside its columns.

    Who may approve (or do) it, the protocol a restriction proposes, and the facts a letter
    written later may use.
    """
    details: dict[str, object] = {}
    if planned.approvers:
        details["approvers"] = [r.value for r in planned.approvers]
    if planned.protocol:
        details["protocol"] = list(planned.protocol)
    if planned.facts:
        details["facts"] = dict(planned.facts)
    return details


class DecisionBatch:
    """Rows for one batch's findings, decisions and actions, written in a few statements."""

    def __init__(self, now: datetime, thresholds: Mapping[Category, float] | None = None) -> None:
        self.now = now
        self.thresholds = {str(c): t for c, t in (thresholds or {}).items()}
        self.findings: list[dict[str, object]] = []
        self.decisions: list[dict[str, object]] = []
        self.actions: dict[int, list[tuple[dict[str, object], m.Case | None]]] = {}
        self.cases: dict[int, m.Case | None] = {}
        self.contact_ids: list[int] = []
        self.edits: dict[int, tuple[str, str]] = {}  # later versions: contact id -> item
        self.versions: dict[int, tuple[str, str, int]] = {}  # every contact: item, version

    def add(
        self,
        contact: m.Contact,
        classification: Classification,
        decision: Decision,
        case: m.Case | None,
    ) -> None:
        """One contact's findings, decision and planned actions, filed under `case`."""
        self.contact_ids.append(contact.id)
        self.cases[contact.id] = case
        version = contact.version or 1
        self.versions[contact.id] = (contact.platform, contact.external_id, version)
        if version > 1:
            self.edits[contact.id] = (contact.platform, contact.external_id)
        key = f"{contact.platform}:{contact.external_id}"
        if version > 1:
            key += f":v{version}"
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
                "scores": {str(c): s for c, s in classification.scores.items()},
                "thresholds": self.thresholds,
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
                    "idempotency_key": f"{key}:{planned.kind}",
                    "clause_ref": planned.clause.ref,
                    "clause_title": planned.clause.title,
                    "reason": planned.reason,
                    "needs_approval": planned.needs_approval,
                    "approver_role": planned.approver.value if planned.approver else None,
                    "message": planned.message,
                    "details": action_details(planned),
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
        taken = self._taken_on_earlier_versions(session)
        for contact_id, planned in self.actions.items():
            for row, case in planned:
                if row["kind"] in taken.get(contact_id, ()):
                    continue  # an edit: what was done to the earlier version is not redone
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

    def _taken_on_earlier_versions(self, session: Session) -> dict[int, set[object]]:
        """For each edited contact, the action kinds already under way or done for its item.

        The new version is moderated in full, but only what it calls for beyond those is
        planned: a comment hidden and warned about is not hidden and warned about again
        because its author fixed a typo; one edited from thanks into a threat gets all of it.
        """
        if not self.edits:
            return {}
        rows = session.execute(
            sa.select(m.Contact.platform, m.Contact.external_id, m.Action.kind)
            .join(m.Action, m.Action.contact_id == m.Contact.id)
            .where(
                sa.tuple_(m.Contact.platform, m.Contact.external_id).in_(
                    list(set(self.edits.values()))
                ),
                m.Contact.id.not_in(list(self.edits)),
                m.Action.state.in_(TAKEN),
            )
        )
        by_item: dict[tuple[str, str], set[object]] = {}
        for platform, external_id, kind in rows:
            by_item.setdefault((platform, external_id), set()).add(kind)
        taken = {cid: set(by_item.get(item, set())) for cid, item in self.edits.items()}
        # Versions decided together (an add and its edit in one batch): the earlier one's
        # planned actions count as taken for the later one too.
        for cid in self.edits:
            platform, external_id, version = self.versions[cid]
            for other, (p, e, v) in self.versions.items():
                if (p, e) == (platform, external_id) and v < version:
                    taken[cid].update(row["kind"] for row, _ in self.actions.get(other, []))
        return taken


# An earlier version's action in one of these states is done, under way or with staff.
TAKEN = (
    ActionState.PLANNED,
    ActionState.AWAITING_APPROVAL,
    ActionState.APPROVED,
    ActionState.RUNNING,
    ActionState.DONE,
    ActionState.MANUAL_TASK,
    ActionState.UNSUPPORTED,
)
