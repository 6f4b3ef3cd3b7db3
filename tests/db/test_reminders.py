"""Daily reminders on SQLite and PostgreSQL: reviews and appeals falling due, with a clock
the test moves (no sleeping).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.domain import Role
from bot.register.appeals import decide_appeal
from bot.register.reminders import send_reminders
from bot.register.reviews import record_review
from bot.settings.loading import load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.session import Store
from tests.conftest import write_config


def setup(tmp_path, store: Store, clock, *, appeal: bool = True):
    loaded = load_config(write_config(tmp_path))  # housing-ombudsman: reviews by a manager
    with store.begin() as session:
        tenancy = m.TenancyRecord(tenancy_ref="T-7", name="Secret Name")
        session.add(tenancy)
        session.flush()
        case = m.Case(subject=f"tenancy:{tenancy.id}", tenancy_id=tenancy.id, opened_at=clock())
        session.add(case)
        session.flush()
        restriction = m.Restriction(
            case_id=case.id,
            kind="communication_protocol",
            terms="contact us in writing only",
            clause_ref="7",
            approved_by="Helen Okoro",
            starts_at=clock() - timedelta(days=340),
            review_due=clock() + timedelta(days=20),
        )
        session.add(restriction)
        session.flush()
        if appeal:
            session.add(
                m.Appeal(
                    case_id=case.id,
                    restriction_id=restriction.id,
                    received_at=clock(),
                    deadline=clock() + timedelta(days=28),
                    decider_role="director",
                    original_decider="Helen Okoro",
                )
            )
    with store.session() as session:
        appeal_id = session.scalar(sa.select(m.Appeal.id))
    return loaded, restriction.id, appeal_id


def remind(store, loaded, clock):
    with store.begin() as session:
        return send_reminders(session, profile=loaded.profile, now=clock(), days_ahead=14)


def open_tasks(store) -> list[m.ManualTask]:
    with store.session() as session:
        return list(
            session.scalars(
                sa.select(m.ManualTask)
                .where(m.ManualTask.state == "open")
                .order_by(m.ManualTask.id)
            )
        )


def test_a_review_falling_due_opens_one_task_for_the_reviewer(tmp_path, store, clock):
    loaded, restriction_id, _ = setup(tmp_path, store, clock, appeal=False)
    assert remind(store, loaded, clock).opened == 0  # 20 days away
    clock.advance(days=7)  # now 13 days away
    assert remind(store, loaded, clock).opened == 1
    assert remind(store, loaded, clock).opened == 0  # the next day's run adds nothing
    clock.advance(days=14)  # overdue: still the one task
    assert remind(store, loaded, clock).opened == 0
    (task,) = open_tasks(store)
    assert (task.kind, task.role, task.restriction_id) == ("review_due", "manager", restriction_id)
    assert "T-7" in task.instructions and "Secret Name" not in task.instructions
    assert f"modbot reviews record {restriction_id}" in task.instructions
    # Recording the review closes the reminder at once; the next review is a year away.
    with store.begin() as session:
        record_review(
            session,
            restriction_id=restriction_id,
            outcome="continue",
            staff=Staff("Sunita Rao", Role.MANAGER),
            note="still needed",
            profile=loaded.profile,
            now=clock(),
        )
    assert open_tasks(store) == []
    assert remind(store, loaded, clock).opened == 0
    clock.advance(days=365 - 10)
    assert remind(store, loaded, clock).opened == 1  # the next review date: a new reminder


def test_an_appeal_deadline_reminds_its_decider_and_closes_when_decided(tmp_path, store, clock):
    loaded, _, appeal_id = setup(tmp_path, store, clock)
    clock.advance(days=15)  # deadline in 13 days; the review is already due too
    report = remind(store, loaded, clock)
    assert report.opened == 2
    appeal_task = next(t for t in open_tasks(store) if t.kind == "appeal_due")
    assert (appeal_task.role, appeal_task.appeal_id) == ("director", appeal_id)
    assert "who was not involved in any decision" in appeal_task.instructions
    assert "(Helen Okoro approved restriction 1)" in appeal_task.instructions
    with store.begin() as session:
        decide_appeal(
            session,
            appeal_id=appeal_id,
            outcome="overturned",
            staff=Staff("Dev Patel", Role.DIRECTOR),
            note="disproportionate",
            profile=loaded.profile,
            now=clock(),
        )
    # Overturning ended the restriction, so its review reminder went too.
    assert open_tasks(store) == []
    with store.session() as session:
        closed = session.scalars(sa.select(m.ManualTask.note)).all()
    assert sorted(closed) == ["appeal decided: overturned", "appeal decided: overturned"]


def test_a_reminder_for_something_handled_another_way_is_closed_by_the_next_run(
    tmp_path, store, clock
):
    loaded, restriction_id, _ = setup(tmp_path, store, clock, appeal=False)
    clock.advance(days=10)
    assert remind(store, loaded, clock).opened == 1
    with store.begin() as session:
        session.get(m.Restriction, restriction_id).ended_at = clock()
    report = remind(store, loaded, clock)
    assert (report.opened, report.closed) == (0, 1)
    assert open_tasks(store) == []
