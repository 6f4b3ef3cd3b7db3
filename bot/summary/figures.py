"""The weekly summary's figures, asked of the store as SQL aggregates.

Counting happens in the database: each section is one GROUP BY over an indexed date range
(or a LIMITed listing with a COUNT beside it), never a Python loop over contacts, so the
cost follows the size of the week, not of the history. The "week at a glance" figures are
for the ISO week; the to-do sections (approvals, reviews, appeals, tasks, connectors) are
as they stand when the summary is built.

People are named by tenancy reference when a case ties them to a tenancy, otherwise by
account handle; contact text appears only as a short excerpt, cut in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.dates.weeks import Week
from bot.domain import ActionKind, ActionState
from bot.storage.models import (
    OWN,
    Account,
    Action,
    Appeal,
    Case,
    ConnectorCursor,
    Contact,
    Decision,
    Finding,
    ManualTask,
    Restriction,
    TenancyRecord,
)
from bot.storage.queries import reaching_threshold
from bot.summary.model import (
    CATEGORY_LABELS,
    HISTORY_WEEKS,
    OTHER,
    PLATFORM_LABELS,
    TASK_LABELS,
    TO_STAFF,
    WAITING,
    ActionRow,
    AppealRow,
    ApprovalRow,
    CategoryRow,
    ConnectorRow,
    Listing,
    PlatformRow,
    ReversalRow,
    ReviewRow,
    TaskRow,
    Trend,
    WeeklySummary,
)
from filters.base import Category


@dataclass(frozen=True)
class SummaryOptions:
    """What the config says about the summary's content."""

    organisation: str
    thresholds: Mapping[Category, float]
    connectors: tuple[str, ...] = ()
    excerpt_chars: int = 80
    reviews_within_days: int = 14
    list_limit: int = 25


def build_summary(
    session: Session, week: Week, *, now: datetime, options: SummaryOptions
) -> WeeklySummary:
    """Gather the summary for `week` from the store, as it stands at `now`."""
    weeks = [week.previous(n) for n in range(HISTORY_WEEKS + 1)]  # this week first
    q = _Queries(session, weeks, now, options)
    seen, acted, platforms = q.seen_and_acted()
    categories, reversed_by_category = q.categories()
    days, daily = q.daily()
    return WeeklySummary(
        organisation=options.organisation,
        week=week,
        generated_at=now,
        seen=seen,
        acted=acted,
        categories=categories,
        platforms=platforms,
        actions=q.actions(),
        days=days,
        daily=daily,
        approvals=q.approvals(),
        reviews=q.reviews(),
        reviews_within_days=options.reviews_within_days,
        appeals=q.appeals(),
        appeals_decided=q.appeals_decided(),
        tasks=q.tasks(),
        reversals=q.reversals(),
        reversed_by_category=reversed_by_category,
        connectors=q.connectors(),
    )


def reversals_in_week(
    session: Session, week: Week, *, now: datetime, options: SummaryOptions
) -> Listing[ReversalRow]:
    """The summary's "decisions staff reversed" for one week, on its own.

    The review pages show this figure so staff see a reversal counted exactly as the
    weekly summary will count it.
    """
    return _Queries(session, [week], now, options).reversals()


def who(tenancy_ref: str | None, platform: str | None, handle: str | None) -> str:
    """How the summary names a person: tenancy reference, else the account handle."""
    if tenancy_ref:
        return tenancy_ref
    if handle:
        return f"{handle} ({PLATFORM_LABELS.get(platform or '', platform or '')})"
    return "unknown"


def excerpt(text: str | None, limit: int, purged: bool = False) -> str:
    """A short excerpt: at most `limit` characters, cut at a word where possible."""
    if purged:
        return "[text removed under the retention policy]"
    if not text or limit <= 0:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:") + "…"


class _Queries:
    """The summary's queries for one week and its history; one method per section."""

    def __init__(
        self, session: Session, weeks: list[Week], now: datetime, options: SummaryOptions
    ) -> None:
        self.session = session
        self.weeks = weeks
        self.week = weeks[0]
        self.now = now
        self.options = options
        if session.get_bind().dialect.name == "postgresql":
            # These queries take well under a second; compiling them with JIT costs more
            # than it saves (measured with benchmarks/bench_summary.py).
            session.execute(sa.text("SET LOCAL jit = off"))
        # Acted on: the bot planned at least one action for the contact.
        self.acted = sa.exists().where(Action.contact_id == Contact.id)
        self.counted = reaching_threshold(options.thresholds)

    # --- helpers ---

    def _bucket(self, column: Any) -> Any:
        """Which of the weeks (0 = this one) a timestamp falls in."""
        return sa.case(
            *((column >= w.start, n) for n, w in enumerate(self.weeks)),
            else_=len(self.weeks),
        )

    def _in_history(self, column: Any) -> Any:
        return sa.and_(column >= self.weeks[-1].start, column < self.week.end)

    def _trend(self, counts: Mapping[int, int]) -> Trend:
        return Trend(counts.get(0, 0), tuple(counts.get(n, 0) for n in range(1, len(self.weeks))))

    def _text(self) -> Any:
        # Cut in SQL: the excerpt is all that ever leaves the database.
        return sa.func.substr(Contact.text, 1, self.options.excerpt_chars + 1)

    def _excerpt(self, text: str | None, purged_at: datetime | None) -> str:
        return excerpt(text, self.options.excerpt_chars, purged_at is not None)

    def _count(self, query: sa.Select[Any]) -> int:
        return self.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    # --- the week at a glance ---

    def seen_and_acted(self) -> tuple[Trend, Trend, tuple[PlatformRow, ...]]:
        bucket = self._bucket(Contact.created_at).label("bucket")
        rows = self.session.execute(
            sa.select(
                bucket,
                Contact.platform,
                sa.func.count(),
                sa.func.sum(sa.case((self.acted, 1), else_=0)),
            )
            .select_from(Contact)
            .where(self._in_history(Contact.created_at), Contact.status != OWN)
            .group_by(bucket, Contact.platform)
        ).all()
        seen: dict[int, int] = {}
        acted: dict[int, int] = {}
        per_platform: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
        for n, platform, count, acted_count in rows:
            seen[n] = seen.get(n, 0) + count
            acted[n] = acted.get(n, 0) + int(acted_count or 0)
            p_seen, p_acted = per_platform.setdefault(platform, ({}, {}))
            p_seen[n] = count
            p_acted[n] = int(acted_count or 0)
        platforms = tuple(
            PlatformRow(
                platform,
                PLATFORM_LABELS.get(platform, platform),
                self._trend(p_seen),
                self._trend(p_acted),
            )
            for platform, (p_seen, p_acted) in sorted(
                per_platform.items(), key=lambda item: (-item[1][0].get(0, 0), item[0])
            )
        )
        return self._trend(seen), self._trend(acted), platforms

    def categories(self) -> tuple[tuple[CategoryRow, ...], dict[str, int]]:
        """Acted-on contacts per category over the weeks, and reversals per category."""
        bucket = self._bucket(Contact.created_at).label("bucket")
        counts: dict[str, dict[int, int]] = {}
        for n, category, count in self.session.execute(
            sa.select(bucket, Finding.category, sa.func.count(sa.distinct(Contact.id)))
            .select_from(Finding)
            .join(Contact, Contact.id == Finding.contact_id)
            .where(self._in_history(Contact.created_at), self.counted, self.acted)
            .group_by(bucket, Finding.category)
        ):
            counts.setdefault(category.value, {})[n] = count
        uncategorised = ~sa.exists().where(Finding.contact_id == Contact.id, self.counted)
        counts[OTHER] = dict(
            self.session.execute(
                sa.select(bucket, sa.func.count())
                .select_from(Contact)
                .where(self._in_history(Contact.created_at), self.acted, uncategorised)
                .group_by(bucket)
            ).all()
        )
        rows = tuple(
            CategoryRow(key, CATEGORY_LABELS[key], self._trend(counts.get(key, {})))
            for key in CATEGORY_LABELS
            if any(counts.get(key, {}).get(n) for n in range(len(self.weeks)))
        )
        reversed_counts = dict(
            (category.value, count)
            for category, count in self.session.execute(
                sa.select(Finding.category, sa.func.count(sa.distinct(Decision.id)))
                .select_from(Decision)
                .join(Finding, Finding.contact_id == Decision.contact_id)
                .where(self._reversed_this_week(), self.counted)
                .group_by(Finding.category)
            )
        )
        return rows, reversed_counts

    def daily(self) -> tuple[tuple[date, ...], dict[str, tuple[int, ...]]]:
        """Acted-on contacts per local day of this week, by category, for the chart."""
        days = self.week.days
        day = sa.case(
            *((Contact.created_at >= d.start, n) for n, d in reversed(list(enumerate(days)))),
            else_=-1,
        ).label("day")
        in_week = sa.and_(Contact.created_at >= self.week.start, Contact.created_at < self.week.end)
        counts: dict[str, list[int]] = {}
        for n, category, count in self.session.execute(
            sa.select(day, Finding.category, sa.func.count(sa.distinct(Contact.id)))
            .select_from(Finding)
            .join(Contact, Contact.id == Finding.contact_id)
            .where(in_week, self.counted, self.acted)
            .group_by(day, Finding.category)
        ):
            counts.setdefault(category.value, [0] * 7)[n] = count
        uncategorised = ~sa.exists().where(Finding.contact_id == Contact.id, self.counted)
        for n, count in self.session.execute(
            sa.select(day, sa.func.count())
            .select_from(Contact)
            .where(in_week, self.acted, uncategorised)
            .group_by(day)
        ):
            counts.setdefault(OTHER, [0] * 7)[n] = count
        ordered = {key: tuple(counts[key]) for key in CATEGORY_LABELS if key in counts}
        return tuple(d.day for d in days), ordered

    def actions(self) -> tuple[ActionRow, ...]:
        """The actions planned for this week's contacts, by kind and where they stand."""
        folded: dict[ActionKind, dict[str, int]] = {}
        for kind, state, count in self.session.execute(
            sa.select(Action.kind, Action.state, sa.func.count())
            .select_from(Action)
            .join(Contact, Contact.id == Action.contact_id)
            .where(Contact.created_at >= self.week.start, Contact.created_at < self.week.end)
            .group_by(Action.kind, Action.state)
        ):
            column = (
                "done"
                if state is ActionState.DONE
                else "waiting"
                if state in WAITING
                else "to_staff"
                if state in TO_STAFF
                else "failed"
                if state is ActionState.FAILED
                else "withdrawn"
            )
            into = folded.setdefault(kind, {})
            into[column] = into.get(column, 0) + count
        rows = [
            ActionRow(kind.value, kind.value.replace("_", " ").capitalize(), **columns)
            for kind, columns in folded.items()
        ]
        return tuple(sorted(rows, key=lambda r: (-r.total, r.kind)))

    # --- the to-do lists ---

    def approvals(self) -> Listing[ApprovalRow]:
        query = (
            sa.select(
                Action.id,
                Action.kind,
                Action.approver_role,
                Action.created_at,
                Action.reason,
                Contact.platform,
                Account.handle,
                TenancyRecord.tenancy_ref,
                self._text(),
                Contact.purged_at,
            )
            .select_from(Action)
            .join(Contact, Contact.id == Action.contact_id)
            .join(Account, Account.id == Contact.account_id)
            .outerjoin(Case, Case.id == Action.case_id)
            .outerjoin(TenancyRecord, TenancyRecord.id == Case.tenancy_id)
            .where(Action.state == ActionState.AWAITING_APPROVAL)
        )
        rows = tuple(
            ApprovalRow(
                action_id=r[0],
                kind=r[1].value.replace("_", " "),
                approver_role=r[2] or "manager",
                since=r[3],
                reason=r[4],
                platform=PLATFORM_LABELS.get(r[5], r[5]),
                who=who(r[7], r[5], r[6]),
                excerpt=self._excerpt(r[8], r[9]),
            )
            for r in self.session.execute(query.order_by(Action.id).limit(self.options.list_limit))
        )
        return Listing(rows, self._count(query.with_only_columns(Action.id)))

    def _case_who(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query.outerjoin(TenancyRecord, TenancyRecord.id == Case.tenancy_id).outerjoin(
            Account, Account.id == Case.account_id
        )

    def reviews(self) -> Listing[ReviewRow]:
        horizon = self.now + timedelta(days=self.options.reviews_within_days)
        query = self._case_who(
            sa.select(
                Restriction.id,
                Restriction.kind,
                Restriction.terms,
                Restriction.review_due,
                TenancyRecord.tenancy_ref,
                Account.platform,
                Account.handle,
            )
            .select_from(Restriction)
            .join(Case, Case.id == Restriction.case_id)
        ).where(Restriction.ended_at.is_(None), Restriction.review_due <= horizon)
        rows = tuple(
            ReviewRow(
                restriction_id=r[0],
                kind=r[1].replace("_", " "),
                terms=r[2],
                review_due=r[3],
                who=who(r[4], r[5], r[6]),
                overdue=r[3] < self.now,
            )
            for r in self.session.execute(
                query.order_by(Restriction.review_due).limit(self.options.list_limit)
            )
        )
        return Listing(rows, self._count(query.with_only_columns(Restriction.id)))

    def appeals(self) -> Listing[AppealRow]:
        query = self._case_who(
            sa.select(
                Appeal.id,
                Appeal.case_id,
                Appeal.received_at,
                Appeal.deadline,
                Appeal.decider_role,
                Appeal.late,
                TenancyRecord.tenancy_ref,
                Account.platform,
                Account.handle,
            )
            .select_from(Appeal)
            .join(Case, Case.id == Appeal.case_id)
        ).where(Appeal.decided_at.is_(None))
        rows = tuple(
            AppealRow(
                appeal_id=r[0],
                case_id=r[1],
                received=r[2],
                deadline=r[3],
                decider_role=r[4],
                late=r[5],
                who=who(r[6], r[7], r[8]),
                overdue=r[3] is not None and r[3] < self.now,
            )
            for r in self.session.execute(
                query.order_by(Appeal.deadline, Appeal.id).limit(self.options.list_limit)
            )
        )
        return Listing(rows, self._count(query.with_only_columns(Appeal.id)))

    def appeals_decided(self) -> dict[str, int]:
        return {
            outcome or "decided": count
            for outcome, count in self.session.execute(
                sa.select(Appeal.outcome, sa.func.count())
                .where(Appeal.decided_at >= self.week.start, Appeal.decided_at < self.week.end)
                .group_by(Appeal.outcome)
            )
        }

    def tasks(self) -> tuple[TaskRow, ...]:
        rows = []
        for kind, role, action_kind, count, oldest in self.session.execute(
            sa.select(
                ManualTask.kind,
                ManualTask.role,
                Action.kind,
                sa.func.count(),
                sa.func.min(ManualTask.created_at),
            )
            .select_from(ManualTask)
            .outerjoin(Action, Action.id == ManualTask.action_id)
            .where(ManualTask.state == "open")
            .group_by(ManualTask.kind, ManualTask.role, Action.kind)
        ):
            if kind == "unsupported" and action_kind is ActionKind.REPORT:
                label = "Reports to make on the platform"
            elif kind == "unsupported":
                what = action_kind.value.replace("_", " ") if action_kind else "action"
                label = f"Platform actions to do by hand: {what}"
            else:
                label = TASK_LABELS.get(kind, kind.replace("_", " ").capitalize())
            rows.append(TaskRow(label, kind, role, count, oldest))
        return tuple(sorted(rows, key=lambda r: (-r.count, r.label, r.role)))

    def _reversed_this_week(self) -> Any:
        return sa.and_(
            Decision.reversed_at >= self.week.start, Decision.reversed_at < self.week.end
        )

    def reversals(self) -> Listing[ReversalRow]:
        query = (
            sa.select(
                Decision.id,
                Decision.contact_id,
                Decision.outcome,
                Decision.reversed_by,
                Decision.reversal_reason,
                Decision.reversed_at,
                Contact.platform,
                Account.handle,
                TenancyRecord.tenancy_ref,
                self._text(),
                Contact.purged_at,
            )
            .select_from(Decision)
            .join(Contact, Contact.id == Decision.contact_id)
            .join(Account, Account.id == Contact.account_id)
            .outerjoin(Case, Case.id == Decision.case_id)
            .outerjoin(TenancyRecord, TenancyRecord.id == Case.tenancy_id)
            .where(self._reversed_this_week())
        )
        listed = self.session.execute(
            query.order_by(Decision.reversed_at, Decision.id).limit(self.options.list_limit)
        ).all()
        categories: dict[int, list[str]] = {}
        for contact_id, category in self.session.execute(
            sa.select(Finding.contact_id, Finding.category)
            .where(Finding.contact_id.in_([r[1] for r in listed]), self.counted)
            .group_by(Finding.contact_id, Finding.category)
            .order_by(Finding.contact_id, Finding.category)
        ):
            categories.setdefault(contact_id, []).append(CATEGORY_LABELS[category.value])
        rows = tuple(
            ReversalRow(
                decision_id=r[0],
                contact_id=r[1],
                outcome=r[2],
                reversed_by=r[3] or "",
                reason=r[4] or "",
                reversed_at=r[5],
                platform=PLATFORM_LABELS.get(r[6], r[6]),
                who=who(r[8], r[6], r[7]),
                excerpt=self._excerpt(r[9], r[10]),
                categories=", ".join(categories.get(r[1], [])) or "behaviour",
            )
            for r in listed
        )
        return Listing(rows, self._count(query.with_only_columns(Decision.id)))

    def connectors(self) -> tuple[ConnectorRow, ...]:
        stored = {c.connector: c for c in self.session.scalars(sa.select(ConnectorCursor))}
        names = list(self.options.connectors) + sorted(set(stored) - set(self.options.connectors))
        rows = []
        for name in names:
            cursor = stored.get(name)
            rows.append(
                ConnectorRow(
                    name=name,
                    configured=name in self.options.connectors,
                    last_success_at=cursor.last_success_at if cursor else None,
                    cursor_moved_at=cursor.updated_at if cursor else None,
                    last_error=cursor.last_error if cursor else None,
                    last_error_at=cursor.last_error_at if cursor else None,
                )
            )
        return tuple(rows)
