"""The register's services on SQLite and PostgreSQL: approvals, tasks, assessments,
restrictions, reviews, appeals and cases, each as the policies say.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain import ActionKind, ActionState, LadderStep, Role
from bot.errors import InputError
from bot.identify.tenancies import import_tenancies
from bot.pipeline import Pipeline
from bot.register.appeals import appeals_due, decide_appeal, open_appeal
from bot.register.approvals import decide_approval
from bot.register.assessments import conclude_assessment
from bot.register.cases import close_case
from bot.register.reviews import record_review, reviews_due
from bot.register.tasks import close_task
from bot.settings.loading import load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.session import Store
from tests.conftest import write_config

MANAGER = Staff("Sunita Rao", Role.MANAGER)
HEAD = Staff("Helen Okoro", Role.HEAD_OF_SERVICE)
DIRECTOR = Staff("Dev Patel", Role.DIRECTOR)
DEV = Staff("Dev Patel", Role.EXECUTIVE)  # under Derby Homes, an Executive may end contact


class Tenant:
    """One tenant posting abuse, pass after pass, under a chosen profile."""

    def __init__(self, tmp_path: Path, store: Store, clock, profile: str) -> None:
        self.inbox = tmp_path / "inbox.jsonl"
        self.inbox.write_text("")
        config = write_config(tmp_path, policy={"profile": profile})
        self.loaded = load_config(config)
        self.store = store
        self.clock = clock
        self.count = 0
        store_csv = tmp_path / "t.csv"
        store_csv.write_text("tenancy_ref,name,social_handles\nT-1,Tracey,facebook:tracey\n")
        with store.begin() as session:
            import_tenancies(session, store_csv, actor="test", now=clock())

    def posts(self, text: str = "Dawn Pritchard you are a useless cow") -> None:
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
        Pipeline(self.loaded, self.store, clock=self.clock).run_once()

    def run(self) -> None:
        Pipeline(self.loaded, self.store, clock=self.clock).run_once()

    def waiting(self, kind: ActionKind) -> m.Action:
        with self.store.session() as session:
            return session.scalar(
                sa.select(m.Action).where(
                    m.Action.kind == kind, m.Action.state == ActionState.AWAITING_APPROVAL
                )
            )

    def decide(self, session, action_id: int, staff: Staff, approve: bool = True) -> m.Action:
        return decide_approval(
            session,
            action_id,
            approve=approve,
            staff=staff,
            note="agreed" if approve else "not agreed",
            profile=self.loaded.profile,
            contact_point=self.loaded.settings.organisation.contact_point.model_dump(),
            now=self.clock(),
        )

    def approve(self, kind: ActionKind, staff: Staff) -> None:
        action = self.waiting(kind)
        with self.store.begin() as session:
            self.decide(session, action.id, staff)
        self.run()


@pytest.fixture
def tenant(tmp_path, store, clock):
    return Tenant(tmp_path, store, clock, "housing-solutions")


def test_the_whole_ladder_under_housing_solutions(tenant: Tenant, store: Store):
    """6.5.1 → 6.5.2 → 6.5.3 → 6.5.4, each rung after the last was delivered."""
    tenant.posts()
    tenant.posts()  # the initial warning went out after the first pass: now a formal warning
    formal = tenant.waiting(ActionKind.FORMAL_WARNING)
    assert formal.approver_role == "manager" and formal.clause_ref == "6.5.2"
    with store.begin() as session, pytest.raises(InputError, match="is for a manager"):
        tenant.decide(session, formal.id, Staff("Priya", Role.COMMS))
    tenant.approve(ActionKind.FORMAL_WARNING, MANAGER)
    tenant.posts()
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask).where(m.ManualTask.kind == "assessment"))
        assert task.role == "manager" and "Assessment" in task.instructions
    with store.begin() as session, pytest.raises(InputError, match="assessments conclude"):
        close_task(
            session,
            task.id,
            done=True,
            staff=MANAGER,
            note="",
            profile=tenant.loaded.profile,
            now=tenant.clock(),
        )
    with store.begin() as session:
        proposal = conclude_assessment(
            session,
            task_id=task.id,
            unacceptable=True,
            protocol=["one_contact_method"],
            staff=MANAGER,
            note="three incidents",
            profile=tenant.loaded.profile,
            now=tenant.clock(),
        )
        assert proposal.approver_role == "head-of-service"
    with store.begin() as session, pytest.raises(InputError, match="is for a Head of Service"):
        tenant.decide(session, proposal.id, MANAGER)
    with store.begin() as session, pytest.raises(InputError, match="is for a Head of Service"):
        tenant.decide(session, proposal.id, DIRECTOR)  # 6.5.4 names a Head of Service
    tenant.approve(ActionKind.RESTRICTION, HEAD)
    with store.session() as session:
        restriction = session.scalar(sa.select(m.Restriction))
        assert restriction.kind == "one_contact_method"
        assert restriction.approved_by == "Helen Okoro"
        # 6.5.6: reviewed after six months.
        assert (
            restriction.review_due.date() == (tenant.clock() + timedelta(days=182)).date()
            or (restriction.review_due.month - restriction.starts_at.month) % 12 == 6
        )
        levels = sorted(w.level.value for w in session.scalars(sa.select(m.Warning)))
        assert levels == ["formal_warning", "initial_warning"]
    # Another incident with the restriction in force is recorded, not stepped up.
    tenant.posts()
    with store.session() as session:
        last = session.scalar(sa.select(m.Decision).order_by(m.Decision.id.desc()).limit(1))
        assert last.outcome == "incident recorded"


def test_a_warning_done_by_hand_counts_as_delivered(tenant: Tenant, store: Store):
    tenant.loaded.settings.connectors["local"]
    tenant.posts()
    with store.session() as session:
        warning = session.scalar(
            sa.select(m.Action).where(m.Action.kind == ActionKind.PRIVATE_WARNING)
        )
        assert warning.state is ActionState.DONE
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Warning)) == 1


def make_restriction(tenant: Tenant, store: Store, approver: Staff = DIRECTOR) -> m.Restriction:
    tenant.posts("tell Marcus Webb he'd better watch his back")
    tenant.approve(ActionKind.RESTRICTION, approver)  # HS 6.5: a Director signs off
    with store.session() as session:
        return session.scalar(sa.select(m.Restriction))


def test_reviews_fall_due_and_are_recorded_by_the_reviewer(tenant: Tenant, store: Store, clock):
    restriction = make_restriction(tenant, store)
    with store.session() as session:
        assert reviews_due(session, now=clock()) == []
        clock.advance(days=180)
        assert [r.id for r in reviews_due(session, now=clock())] == [restriction.id]
    with store.begin() as session, pytest.raises(InputError, match="is for a manager"):
        record_review(
            session,
            restriction_id=restriction.id,
            outcome="continue",
            staff=Staff("Priya", Role.COMMS),
            note="x",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.begin() as session:
        record_review(
            session,
            restriction_id=restriction.id,
            outcome="continue",
            staff=MANAGER,
            note="behaviour has not improved",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.session() as session:
        assert reviews_due(session, now=clock()) == []


def test_housing_solutions_6_5_5_appeals_set_no_deadline(tenant, store, clock):
    """6.5.5 gives one further assessment by a Director, but no time limits: none invented."""
    restriction = make_restriction(tenant, store)
    with store.begin() as session:
        appeal = open_appeal(
            session,
            case_id=restriction.case_id,
            received=date(2026, 12, 18),
            profile=tenant.loaded.profile,
            by="Priya",
            now=clock(),
        )
        assert appeal.deadline is None and not appeal.late
    with store.session() as session:  # never lost: listed as due at once
        assert [a.id for a in appeals_due(session, now=clock(), within_days=0)] == [appeal.id]


def test_appeals_have_working_day_deadlines_and_an_independent_decider(tmp_path, store, clock):
    """Derby Homes 12.2: decided within 20 working days by an independent Executive."""
    tenant = Tenant(tmp_path, store, clock, "derby-homes")
    tenant.posts("tell Marcus Webb he'd better watch his back")
    tenant.approve(ActionKind.RESTRICTION, DEV)
    with store.session() as session:
        restriction = session.scalar(sa.select(m.Restriction))
    with store.begin() as session:
        appeal = open_appeal(
            session,
            case_id=restriction.case_id,
            received=date(2026, 12, 18),
            profile=tenant.loaded.profile,
            by="Priya",
            now=clock(),
        )
        assert appeal.deadline.date() == date(2027, 1, 20)  # 20 working days over Christmas
        assert appeal.original_decider == "Dev Patel" and appeal.decider_role == "executive"
    with store.begin() as session, pytest.raises(InputError, match="cannot hear the appeal"):
        decide_appeal(
            session,
            appeal_id=appeal.id,
            outcome="overturned",
            staff=DEV,
            note="x",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.begin() as session, pytest.raises(InputError, match="is for a member of the Exec"):
        decide_appeal(
            session,
            appeal_id=appeal.id,
            outcome="overturned",
            staff=MANAGER,
            note="x",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.session() as session:
        # Restrictions stay in force while the appeal is heard.
        assert session.get(m.Restriction, restriction.id).ended_at is None
        assert [a.id for a in appeals_due(session, now=clock(), within_days=400)] == [appeal.id]
    with store.begin() as session:
        decide_appeal(
            session,
            appeal_id=appeal.id,
            outcome="overturned",
            staff=Staff("Amara Lewis", Role.EXECUTIVE),
            note="words were a quote",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.session() as session:
        assert session.get(m.Restriction, restriction.id).ended_at is not None
        assert appeals_due(session, now=clock(), within_days=400) == []


def test_nobody_who_reviewed_the_case_hears_its_appeal(tmp_path, store, clock):
    """Issue #13 item 8 (Selwood "Right to appeal"; Derby 12.1): not the approver alone, but
    everyone who decided, approved or reviewed anything in the case is excluded."""
    tenant = Tenant(tmp_path, store, clock, "derby-homes")
    restriction = make_restriction(tenant, store, HEAD)
    reviewer = Staff("Erin Cole", Role.EXECUTIVE)
    with store.begin() as session:
        record_review(
            session,
            restriction_id=restriction.id,
            outcome="continue",
            staff=reviewer,
            note="still needed",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.begin() as session:
        appeal = open_appeal(
            session,
            case_id=restriction.case_id,
            received=clock().date(),
            profile=tenant.loaded.profile,
            by="Priya",
            now=clock(),
        )
    with store.begin() as session, pytest.raises(InputError, match="Erin Cole reviewed"):
        decide_appeal(
            session,
            appeal_id=appeal.id,
            outcome="upheld",
            staff=reviewer,
            note="x",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    with store.begin() as session:
        decide_appeal(
            session,
            appeal_id=appeal.id,
            outcome="varied",
            staff=Staff("Amara Lewis", Role.EXECUTIVE),
            note="proportionate",
            explanation="You may also telephone on Mondays.",
            profile=tenant.loaded.profile,
            now=clock(),
        )


def test_a_late_appeal_is_flagged_under_derby_homes(tmp_path, store, clock):
    tenant = Tenant(tmp_path, store, clock, "derby-homes")
    restriction = make_restriction(tenant, store, DEV)
    with store.begin() as session:
        appeal = open_appeal(
            session,
            case_id=restriction.case_id,
            received=clock().date() + timedelta(days=60),
            profile=tenant.loaded.profile,
            by="Priya",
            now=clock(),
        )
        assert appeal.late  # 12.2: the request must be made within 20 working days


def test_a_closed_case_keeps_counting_for_12_months_under_housing_solutions(tenant, store, clock):
    """6.5.3: cases closed for at least 12 months are not counted; sooner, they are."""
    tenant.posts()
    with store.begin() as session:
        case = session.scalar(sa.select(m.Case))
        close_case(session, case_id=case.id, staff=MANAGER, note="behaviour improved", now=clock())
    clock.advance(days=100)
    tenant.posts()
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Case)) == 1
        assert session.scalar(
            sa.select(m.Action).where(m.Action.kind == ActionKind.FORMAL_WARNING)
        ), "the reopened case stepped up to a formal warning"


def test_after_12_months_closed_the_ladder_starts_again(tenant, store, clock):
    tenant.posts()
    with store.begin() as session:
        case = session.scalar(sa.select(m.Case))
        close_case(session, case_id=case.id, staff=MANAGER, note="improved", now=clock())
    clock.advance(days=400)
    tenant.posts()
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Case)) == 2
        latest = session.scalar(sa.select(m.Decision).order_by(m.Decision.id.desc()).limit(1))
        assert latest.step is LadderStep.INITIAL_WARNING


def test_a_case_with_a_restriction_in_force_cannot_be_closed(tenant, store, clock):
    restriction = make_restriction(tenant, store)
    with store.begin() as session, pytest.raises(InputError, match="restriction in force"):
        close_case(session, case_id=restriction.case_id, staff=MANAGER, note="n", now=clock())


def test_persistence_after_an_answer_goes_to_a_manager_not_an_automatic_warning(
    tmp_path, store, clock
):
    tenant = Tenant(tmp_path, store, clock, "housing-ombudsman")
    config = write_config(
        tmp_path,
        organisation={"name": "Brookmere Housing", "accounts": {"facebook": ["BrookmereHousing"]}},
    )
    tenant.loaded = load_config(config)
    issue = "When is someone coming to look at the black mould in the back bedroom?"

    def post(text, handle="tracey", uid="u1"):
        tenant.count += 1
        clock.advance(hours=5)
        row = {
            "id": f"p{tenant.count}",
            "platform": "facebook",
            "kind": "comment",
            "author": {"id": uid, "handle": handle},
            "text": text,
            "created_at": clock().isoformat(),
            "thread_id": "post-1",
        }
        with tenant.inbox.open("a") as handle_:
            handle_.write(json.dumps(row) + "\n")
        tenant.run()

    post(issue)
    post(issue)  # chasing an unanswered issue: acceptable
    post("Hi Tracey, the mould inspection is booked for 2 December.", "BrookmereHousing", "org")
    post(issue)
    post(issue)
    with store.session() as session:
        outcomes = [
            d.outcome for d in session.scalars(sa.select(m.Decision).order_by(m.Decision.id))
        ]
        assert outcomes == ["acceptable", "acceptable", "acceptable", "initial warning"]
        route, warning = session.scalars(sa.select(m.Action).order_by(m.Action.id))
        assert route.kind is ActionKind.ROUTE_COMPLAINT  # the issue reaches staff regardless
        assert warning.kind is ActionKind.PRIVATE_WARNING
        assert warning.state is ActionState.AWAITING_APPROVAL and warning.approver_role == "manager"
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(m.Contact).where(m.Contact.status == "own")
            )
            == 1
        )


def test_a_reversed_false_positive_is_undone_and_does_not_count(tenant: Tenant, store, clock):
    from bot.register.reversals import reverse_decision

    tenant.posts()
    with store.begin() as session:
        decision = session.scalar(sa.select(m.Decision))
        undo = reverse_decision(
            session,
            decision.id,
            staff=Staff("Priya Shah", Role.COMMS),
            reason="quoting what was said to her",
            profile=tenant.loaded.profile,
            now=clock(),
        )
        assert [a.kind for a in undo] == [ActionKind.UNHIDE]
    with store.begin() as session, pytest.raises(InputError, match="already reversed"):
        reverse_decision(
            session,
            decision.id,
            staff=MANAGER,
            reason="r",
            profile=tenant.loaded.profile,
            now=clock(),
        )
    tenant.run()
    outbox = [
        json.loads(line)["action"]
        for line in (tenant.inbox.parent / "outbox.jsonl").read_text().splitlines()
    ]
    assert outbox.count("unhide") == 1
    tenant.posts()  # the reversed warning does not count: this is a first warning again
    with store.session() as session:
        latest = session.scalar(sa.select(m.Decision).order_by(m.Decision.id.desc()).limit(1))
        assert latest.step is LadderStep.INITIAL_WARNING
