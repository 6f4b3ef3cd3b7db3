"""Warnings stop counting and restrictions end as each policy says, applied by the scheduler's
daily job and shown in the register (issue #13 item 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain import ActionKind, LadderStep, Role
from bot.identify.tenancies import import_tenancies
from bot.pipeline import Pipeline
from bot.register.approvals import decide_approval
from bot.register.decay import apply_decay
from bot.settings.loading import load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from filters.base import Category
from tests.conftest import write_config
from tests.scripted import ScriptedClassifier

ABUSE = "You lot are scum"
THREAT = "I will hurt Marcus"
SCRIPT = ScriptedClassifier({ABUSE: ([Category.ABUSE], []), THREAT: ([Category.THREAT], [])})


class Tenant:
    def __init__(self, tmp_path: Path, store, clock, profile: str) -> None:
        self.inbox = tmp_path / "inbox.jsonl"
        self.inbox.write_text("")
        self.loaded = load_config(write_config(tmp_path, policy={"profile": profile}))
        self.store, self.clock, self.count = store, clock, 0
        csv = tmp_path / "t.csv"
        csv.write_text("tenancy_ref,name,social_handles\nT-1,Tracey,facebook:tracey\n")
        with store.begin() as session:
            import_tenancies(session, csv, actor="test", now=clock())

    def posts(self, text: str = ABUSE) -> m.Decision:
        self.count += 1
        self.clock.advance(hours=1)
        row = {
            "id": f"c{self.count}",
            "platform": "facebook",
            "kind": "comment",
            "author": {"id": "u1", "handle": "tracey"},
            "text": text,
            "created_at": self.clock().isoformat(),
        }
        with self.inbox.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        pipeline = Pipeline(self.loaded, self.store, clock=self.clock, classifier=SCRIPT)
        try:
            pipeline.run_once()
        finally:
            pipeline.close()
        with self.store.session() as session:
            return session.scalar(sa.select(m.Decision).order_by(m.Decision.id.desc()).limit(1))

    def decay(self):
        with self.store.begin() as session:
            return apply_decay(session, profile=self.loaded.profile, now=self.clock())

    def case(self) -> m.Case:
        with self.store.session() as session:
            return session.scalar(sa.select(m.Case).order_by(m.Case.id.desc()).limit(1))


def test_a_warning_stops_counting_once_the_case_has_been_quiet_for_the_profiles_period(
    tmp_path, store, clock
):
    """Housing Ombudsman (the landlord's choice, listed): a case quiet for 12 months closes,
    and the next incident starts the ladder again instead of a formal warning."""
    tenant = Tenant(tmp_path, store, clock, "housing-ombudsman")
    assert tenant.posts().step is LadderStep.INITIAL_WARNING
    clock.advance(days=300)
    assert tenant.decay().closed == 0  # not yet quiet long enough
    clock.advance(days=70)
    assert tenant.decay().closed == 1
    closed = tenant.case()
    assert closed.status == "closed" and closed.closed_by == "modbot"
    assert "no incident for 12 months" in closed.close_reason
    assert tenant.decay().closed == 0  # running again changes nothing
    assert tenant.posts().step is LadderStep.INITIAL_WARNING  # not a formal warning


def test_housing_solutions_6_5_3_a_closed_case_still_counts_for_12_months(tmp_path, store, clock):
    tenant = Tenant(tmp_path, store, clock, "housing-solutions")
    tenant.posts()
    clock.advance(days=370)
    assert tenant.decay().closed == 1
    clock.advance(days=100)  # closed 100 days ago: it still counts (6.5.3)
    assert tenant.posts().step is LadderStep.FORMAL_WARNING
    assert tenant.case().status == "open"


def test_a_case_with_anything_in_hand_is_not_closed(tmp_path, store, clock):
    tenant = Tenant(tmp_path, store, clock, "housing-ombudsman")
    tenant.posts()
    tenant.posts()  # a formal warning waits for a manager
    clock.advance(days=800)
    assert tenant.decay().closed == 0


def test_selwood_a_restriction_lapses_12_months_from_its_letter(tmp_path, store, clock):
    """ "Notifying the customer": in force for 12 months from the date of the letter."""
    tenant = Tenant(tmp_path, store, clock, "selwood-housing")
    tenant.posts(THREAT)
    with store.begin() as session:
        action = session.scalar(sa.select(m.Action).where(m.Action.kind == ActionKind.RESTRICTION))
        decide_approval(
            session,
            action.id,
            approve=True,
            staff=Staff("Helen Okoro", Role.HEAD_OF_SERVICE),
            note="threat",
            profile=tenant.loaded.profile,
            contact_point=tenant.loaded.settings.organisation.contact_point.model_dump(),
            now=clock(),
        )
    Pipeline(tenant.loaded, store, clock=clock, classifier=SCRIPT).run_once()
    with store.session() as session:
        restriction = session.scalar(sa.select(m.Restriction))
    assert restriction.ends_at is not None
    assert restriction.ends_at.date() == (restriction.starts_at + timedelta(days=365)).date()
    clock.now = restriction.ends_at - timedelta(hours=1)
    assert tenant.decay().lapsed == 0
    clock.now = restriction.ends_at + timedelta(hours=1)
    assert tenant.decay().lapsed == 1
    with store.session() as session:
        ended = session.get(m.Restriction, restriction.id)
        assert ended.ended_at == ended.ends_at and "lapsed on" in ended.end_reason
        events = session.scalars(
            sa.select(m.AuditEvent.event).where(m.AuditEvent.event == "restriction_lapsed")
        ).all()
    assert events == ["restriction_lapsed"]


@pytest.mark.parametrize("profile", ["housing-solutions", "hanover"])
def test_profiles_that_review_never_lapse_by_themselves(tmp_path, store, clock, profile):
    loaded = load_config(write_config(tmp_path, policy={"profile": profile}))
    assert loaded.profile.reviews.lapse_after_months is None
    assert loaded.profile.reviews.restriction_review_months is not None


def test_the_daily_reminders_job_applies_the_decay(tmp_path, store, clock):
    """The scheduler's daily job (the one `modbot run` runs) closes the quiet case."""
    from bot.scheduler.jobs import build_jobs

    tenant = Tenant(tmp_path, store, clock, "housing-ombudsman")
    tenant.posts()
    clock.advance(days=400)
    pipeline = Pipeline(tenant.loaded, store, clock=clock, classifier=SCRIPT)
    try:
        jobs = {
            j.job_id: j
            for j in build_jobs(tenant.loaded, store, pipeline, clock=clock, mailer=None)
        }
        result = jobs["reminders"].run(clock())
    finally:
        pipeline.close()
    assert "1 quiet case(s) closed" in result
    assert tenant.case().status == "closed"
