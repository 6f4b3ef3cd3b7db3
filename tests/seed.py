"""A register seeded row by row for the weekly summary, with the figures it should give.

The week is 2026-W43 (Monday 19 to Sunday 25 October), which has the clocks going back on
its Sunday: it starts at 23:00 UTC on the Sunday before (midnight BST) and ends at midnight
UTC (GMT). Contacts sit on both edges. The summary is built at 08:00 on Monday 26 October.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import ActionKind, ActionState, LadderStep
from bot.storage import models as m
from filters.base import Category
from platforms.base import ContactKind

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # Monday after the week, 08:00 GMT
TENANT_NAME = "Tracey Secretname"  # on the tenancy record: must never reach the email
LONG_TEXT = (
    "You lot are absolute scum and the whole repairs team should be ashamed of the damp "
    "in my kitchen which has been there since March and nobody ever comes out"
)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """October `day` 2026 at `hour`:`minute` London time, as UTC."""
    return datetime(2026, 10, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def sept(day: int, hour: int) -> datetime:
    """September `day` 2026 at `hour`:00 London time (before the summary's history)."""
    return datetime(2026, 9, day, hour, tzinfo=LONDON).astimezone(UTC)


class Seeder:
    """Adds contacts with their decisions, findings and actions."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0
        self.accounts = {
            key: m.Account(
                platform=platform,
                platform_user_id=key,
                handle=handle,
                display_name="",
                first_seen=NOW - timedelta(days=90),
                last_seen=NOW,
            )
            for key, platform, handle in (
                ("fb1", "facebook", "angry.tenant"),
                ("fb2", "facebook", "other.person"),
                ("x1", "x", "x_user"),
                ("rd1", "reddit", "reddit_user"),
                ("own", "facebook", "BrookmereHousing"),
            )
        }
        session.add_all(self.accounts.values())
        self.tenancy = m.TenancyRecord(tenancy_ref="T-100", name=TENANT_NAME)
        session.add(self.tenancy)
        session.flush()
        self.cases = {
            "fb1": m.Case(subject="tenancy:1", tenancy_id=self.tenancy.id, opened_at=NOW),
            **{
                key: m.Case(
                    subject=f"account:{self.accounts[key].id}",
                    account_id=self.accounts[key].id,
                    opened_at=NOW,
                )
                for key in ("fb2", "x1", "rd1")
            },
        }
        session.add_all(self.cases.values())
        session.flush()

    def contact(
        self,
        at: datetime,
        account: str = "fb2",
        *,
        findings: dict[Category, float] | None = None,
        actions: dict[ActionKind, ActionState] | None = None,
        text: str = "some text",
        status: str = "decided",
        decided: bool = True,
    ) -> m.Contact:
        self.count += 1
        acc = self.accounts[account]
        contact = m.Contact(
            connector="local",
            platform=acc.platform,
            external_id=f"e{self.count}",
            account_id=acc.id,
            kind=ContactKind.COMMENT,
            text=text,
            created_at=at,
            ingested_at=at,
            status=status,
        )
        self.session.add(contact)
        self.session.flush()
        for category, score in (findings or {}).items():
            self.session.add(
                m.Finding(contact_id=contact.id, category=category, rule="r", score=score)
            )
        if decided:
            decision = m.Decision(
                contact_id=contact.id,
                case_id=self.cases[account].id if actions else None,
                profile="housing-ombudsman",
                outcome="hidden" if actions else "acceptable",
                summary="",
                step=LadderStep.NONE,
                identified=account == "fb1",
                created_at=at,
            )
            self.session.add(decision)
            self.session.flush()
            for kind, state in (actions or {}).items():
                self.session.add(
                    m.Action(
                        decision_id=decision.id,
                        contact_id=contact.id,
                        case_id=decision.case_id,
                        kind=kind,
                        state=state,
                        idempotency_key=f"k{contact.id}:{kind.value}",
                        clause_ref="1",
                        clause_title="t",
                        reason="because",
                        needs_approval=state is ActionState.AWAITING_APPROVAL,
                        approver_role="manager" if state is ActionState.AWAITING_APPROVAL else None,
                        created_at=at,
                        updated_at=at,
                    )
                )
            self.session.flush()
        return contact


DONE, FAILED, WAITING, STAFF = (
    ActionState.DONE,
    ActionState.FAILED,
    ActionState.AWAITING_APPROVAL,
    ActionState.MANUAL_TASK,
)
A, P, T, H = Category.ABUSE, Category.PROFANITY, Category.THREAT, Category.HARASSMENT
HIDE = ActionKind.HIDE


def seed_week(session: Session) -> None:
    """The register the summary tests read; the module docstring says what it holds."""
    s = Seeder(session)
    # --- this week, 2026-W43 ---
    s.contact(
        datetime(2026, 10, 18, 23, 30, tzinfo=UTC),  # Monday 00:30 BST: in this week
        findings={A: 0.9},
        actions={HIDE: DONE, ActionKind.PRIVATE_WARNING: DONE},
    )
    s.contact(local(19, 10))  # acceptable
    s.contact(local(20, 9), "x1", findings={P: 0.96, A: 0.3}, actions={HIDE: DONE})
    s.contact(local(20, 11), "rd1", findings={P: 0.4})  # below the threshold; not acted on
    s.contact(
        local(21, 12),
        "rd1",
        findings={T: 0.95},
        actions={
            HIDE: DONE,
            ActionKind.POLICE_REFERRAL_DECISION: STAFF,
            ActionKind.RESTRICTION: WAITING,
        },
    )
    s.contact(local(22, 8))
    s.contact(
        local(23, 15),
        "fb1",
        findings={A: 0.9, H: 0.8},
        actions={HIDE: DONE, ActionKind.FORMAL_WARNING: WAITING},
        text=LONG_TEXT,
    )
    s.contact(local(24, 11), "x1")
    s.contact(local(25, 12), actions={ActionKind.ASSESSMENT: STAFF})  # behaviour only
    s.contact(
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # Sunday 23:30 GMT: still this week
        findings={P: 0.96},
        actions={HIDE: FAILED},
    )
    s.contact(local(20, 10), "own", status="own", decided=False)  # our own reply: not counted
    s.contact(datetime(2026, 10, 26, 0, 0, tzinfo=UTC), findings={A: 0.9}, actions={HIDE: DONE})
    # --- the four weeks before: seen 4, 6, 8, 6; acted on (abuse) 2, 2, 4, 0 ---
    for monday, seen, acted in ((12, 4, 2), (5, 6, 2), (28, 8, 4), (21, 6, 0)):
        month = 10 if monday >= 5 and monday <= 12 else 9
        for n in range(seen):
            at = datetime(2026, month, monday, 12, tzinfo=LONDON).astimezone(UTC) + timedelta(
                hours=n
            )
            if n < acted:
                s.contact(at, findings={A: 0.9}, actions={HIDE: DONE})
            else:
                s.contact(at)
    # --- older than the four weeks: none of these count in the figures ---
    s.contact(sept(15, 9), "x1", actions={ActionKind.BLOCK: WAITING})  # still awaiting approval
    report = s.contact(sept(16, 9), "x1", actions={ActionKind.REPORT: ActionState.MANUAL_TASK})
    report_action = session.query(m.Action).filter_by(contact_id=report.id).one()
    # --- reversals: one this week (listed), one the week before (not) ---
    reversed_now = s.contact(
        sept(16, 10), "fb2", findings={A: 0.88}, actions={HIDE: DONE}, text=LONG_TEXT
    )
    reversed_before = s.contact(sept(16, 11), "fb2", findings={P: 0.97}, actions={HIDE: DONE})
    for contact, when in ((reversed_now, local(20, 14)), (reversed_before, local(15, 14))):
        decision = session.query(m.Decision).filter_by(contact_id=contact.id).one()
        decision.reversed_at = when
        decision.reversed_by = "Dawn Pritchard"
        decision.reversal_reason = "complaint about damp, not abuse"
    # --- restrictions: due in 10 days, in 20 days, overdue, ended ---
    case = s.cases["fb1"]
    for due, ended in ((10, None), (20, None), (-2, None), (5, NOW - timedelta(days=1))):
        session.add(
            m.Restriction(
                case_id=case.id,
                kind="communication_protocol",
                terms="one contact method",
                clause_ref="7",
                approved_by="Helen Okoro",
                starts_at=NOW - timedelta(days=300),
                review_due=NOW + timedelta(days=due),
                ended_at=ended,
            )
        )
    # --- appeals: open (due in 5 days), open and overdue, decided this week ---
    for deadline, decided in ((5, None), (-1, None), (3, local(21, 16))):
        session.add(
            m.Appeal(
                case_id=case.id,
                received_at=NOW - timedelta(days=20),
                deadline=NOW + timedelta(days=deadline),
                decider_role="director",
                original_decider="Helen Okoro",
                decided_at=decided,
                decided_by="Dev Patel" if decided else None,
                outcome="upheld" if decided else None,
            )
        )
    # --- manual tasks: 5 open, 1 closed ---
    for kind, role, action_id, state in (
        ("route_complaint", "comms", None, "open"),
        ("route_complaint", "comms", None, "open"),
        ("unsupported", "comms", report_action.id, "open"),
        ("police_referral_decision", "manager", None, "open"),
        ("assessment", "manager", None, "open"),
        ("route_complaint", "comms", None, "done"),
    ):
        session.add(
            m.ManualTask(
                action_id=action_id,
                kind=kind,
                role=role,
                instructions="do it",
                state=state,
                created_at=local(20, 9),
            )
        )
    # --- connectors: the configured one is healthy; an old one is failing ---
    session.add(
        m.ConnectorCursor(
            connector="local",
            cursor="offset=1;line=1",
            updated_at=NOW - timedelta(hours=2),
            last_success_at=NOW - timedelta(minutes=5),
        )
    )
    session.add(
        m.ConnectorCursor(
            connector="old",
            updated_at=NOW - timedelta(days=3),
            last_success_at=NOW - timedelta(days=3),
            last_error="HTTP 503 from the platform",
            last_error_at=NOW - timedelta(hours=1),
        )
    )
