"""The weekly summary as plain data: what the templates render and the tests check.

Built by `figures.build_summary` from SQL aggregates; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from bot.dates.weeks import Week
from bot.domain import ActionState
from filters.base import Category

T = TypeVar("T")

HISTORY_WEEKS = 4
OTHER = "behaviour"  # acted on for a pattern of contact, with no text category over threshold

CATEGORY_LABELS: dict[str, str] = {
    Category.PROFANITY.value: "Profanity",
    Category.ABUSE.value: "Abuse",
    Category.THREAT.value: "Threats",
    Category.DISCRIMINATION.value: "Discrimination",
    Category.ALLEGATION.value: "Unfounded allegations",
    Category.HARASSMENT.value: "Harassment of staff",
    OTHER: "Behaviour (contact patterns)",
}
PLATFORM_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "reddit": "Reddit",
    "local": "Local",
}

WAITING = frozenset(
    {ActionState.PLANNED, ActionState.AWAITING_APPROVAL, ActionState.APPROVED, ActionState.RUNNING}
)
TO_STAFF = frozenset({ActionState.MANUAL_TASK, ActionState.UNSUPPORTED})
WITHDRAWN = frozenset({ActionState.REJECTED, ActionState.SUPERSEDED})

TASK_LABELS: dict[str, str] = {
    "route_complaint": "Complaints to route to the right team",
    "police_referral_decision": "Threats: decide on a police referral",
    "police_report": "Threats to report to the police",
    "assessment": "Unacceptable Behaviour Assessments to complete",
    "failed": "Actions the platform kept failing (do by hand)",
    "check_sent": "Messages to check were sent",
    "permission": "Actions refused for lack of permission (do by hand)",
    "connector_missing": "Actions for a connector no longer configured",
    "review_due": "Restriction reviews falling due",
    "appeal_due": "Appeals to decide",
}


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trend:
    """A count this week beside the same count in the weeks before (most recent first)."""

    now: int
    before: tuple[int, ...] = ()

    @property
    def average(self) -> float:
        """The average over the weeks before (0 with none)."""
        return sum(self.before) / len(self.before) if self.before else 0.0

    @property
    def change(self) -> float | None:
        """The change from that average to this week, as a fraction (None if the average is 0)."""
        if not self.average:
            return None
        return (self.now - self.average) / self.average


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """Contacts acted on for one category (a contact may count in several)."""

    key: str
    label: str
    acted: Trend


@dataclass(frozen=True, slots=True)
class PlatformRow:
    """Contacts seen and acted on, on one platform."""

    platform: str
    label: str
    seen: Trend
    acted: Trend


@dataclass(frozen=True, slots=True)
class ActionRow:
    """The actions planned for the week's contacts, of one kind, by where they stand."""

    kind: str
    label: str
    done: int = 0
    waiting: int = 0
    to_staff: int = 0
    failed: int = 0
    withdrawn: int = 0

    @property
    def total(self) -> int:
        """Every action of this kind."""
        return self.done + self.waiting + self.to_staff + self.failed + self.withdrawn


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    """An action waiting for the approver the policy names."""

    action_id: int
    kind: str
    approver_role: str
    who: str
    platform: str
    excerpt: str
    since: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A restriction whose review falls due soon (or is overdue)."""

    restriction_id: int
    who: str
    kind: str
    terms: str
    review_due: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class AppealRow:
    """An appeal not yet decided, with its deadline."""

    appeal_id: int
    case_id: int
    who: str
    received: datetime
    deadline: datetime | None
    decider_role: str
    late: bool
    overdue: bool


@dataclass(frozen=True, slots=True)
class TaskRow:
    """Open manual tasks of one kind for one role."""

    label: str
    kind: str
    role: str
    count: int
    oldest: datetime


@dataclass(frozen=True, slots=True)
class ReversalRow:
    """A decision staff reversed as a false positive this week."""

    decision_id: int
    contact_id: int
    who: str
    platform: str
    outcome: str
    categories: str
    reversed_by: str
    reason: str
    reversed_at: datetime
    excerpt: str


@dataclass(frozen=True, slots=True)
class ConnectorRow:
    """One connector's health."""

    name: str
    configured: bool
    last_success_at: datetime | None
    cursor_moved_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @property
    def failing(self) -> bool:
        """Whether its last poll failed (an error newer than its last success)."""
        return bool(self.last_error_at) and (
            self.last_success_at is None or self.last_error_at >= self.last_success_at  # type: ignore[operator]
        )


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """Up to `limit` rows of a longer list, and how long the list is."""

    rows: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        """How many rows were left out."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class WeeklySummary:
    """Everything the email shows, as plain data for the templates and the tests."""

    organisation: str
    week: Week
    generated_at: datetime
    seen: Trend
    acted: Trend
    categories: tuple[CategoryRow, ...]
    platforms: tuple[PlatformRow, ...]
    actions: tuple[ActionRow, ...]
    days: tuple[date, ...]
    daily: dict[str, tuple[int, ...]]
    approvals: Listing[ApprovalRow]
    reviews: Listing[ReviewRow]
    reviews_within_days: int
    appeals: Listing[AppealRow]
    appeals_decided: dict[str, int]
    tasks: tuple[TaskRow, ...]
    reversals: Listing[ReversalRow]
    reversed_by_category: dict[str, int]
    connectors: tuple[ConnectorRow, ...]
    history_weeks: int = HISTORY_WEEKS
    labels: dict[str, str] = field(default_factory=lambda: dict(CATEGORY_LABELS))

    @property
    def share_acted(self) -> float | None:
        """The share of contacts seen that the bot acted on."""
        return self.acted.now / self.seen.now if self.seen.now else None

    @property
    def tasks_total(self) -> int:
        """Every open manual task."""
        return sum(t.count for t in self.tasks)
