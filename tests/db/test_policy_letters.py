"""Issue #13's "done when": each profile runs the whole pipeline on the same contacts, and the
actions, approvers and the full text of every message are checked against its policy.

The same people write to the landlord under each of the five profiles:

* Tracey (a tenant): abuse in a public comment with a repair problem, then abuse in a private
  message with a damp problem, then more abuse; she climbs the policy's ladder to a
  restriction, which is reviewed, and she appeals;
* Ray (a tenant): a threat to a named member of staff;
* an account nobody can identify: abuse, again and again, until it is blocked;
* Gurpreet (a tenant with recorded adjustments): abuse;
* Kwame (a tenant): many messages in an hour (excessive contact).

Staff act between passes in the roles each policy names, and the roles it does not name are
refused. Every message the local connector sent is compared with the letter kept in
`tests/db/letters/<profile>/` (set MODBOT_WRITE_LETTERS=1 to write them after a deliberate
change, then read every one against its policy), and checked against the profile's clauses:
it cites them, names the action taken, says an issue was passed on only when it was, carries
the appeal route only where the policy gives one, and never carries a staff note.

Classification comes from a scripted classifier (tests/scripted.py), so nothing here depends
on the text filters' scores.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.decide.letters import appeal_paragraph, clause_ref
from bot.domain import ActionKind, ActionState, Role
from bot.errors import InputError, PermissionRefusedError
from bot.identify.tenancies import import_tenancies
from bot.pipeline import Pipeline
from bot.register.appeals import decide_appeal, open_appeal
from bot.register.approvals import approvers_of, decide_approval
from bot.register.assessments import conclude_assessment
from bot.register.decay import apply_decay
from bot.register.reviews import record_review
from bot.register.tasks import close_task
from bot.settings.loading import LoadedConfig, load_config
from bot.staff.roles import Staff
from bot.storage import models as m
from bot.storage.session import Store
from filters.base import Category
from tests.conftest import write_config
from tests.scripted import ScriptedClassifier

PROFILES = ["housing-ombudsman", "housing-solutions", "derby-homes", "selwood-housing", "hanover"]
LETTERS = Path(__file__).parent / "letters"
NOTE = "INTERNAL NOTE, never for the tenant"

ABUSE_REPAIR = "Dawn Pritchard you are a useless cow and my boiler is still broken"
ABUSE_DAMP = "You are a useless liar and the damp in my flat is worse"
ABUSE = "You lot are scum"
THREAT = "Tell Marcus Webb I know where he lives and he had better watch his back"
STRANGER = "You are all vile idiots"
ADJUSTED = "Marcus is a useless prat"
CHATTY = [
    "Morning, a question about the bins",
    "Also, when is the estate meeting?",
    "And is the laundry room open?",
    "One more: who do I ask about parking permits?",
]
SCRIPT = ScriptedClassifier(
    {
        ABUSE_REPAIR: ([Category.ABUSE], ["repairs"]),
        ABUSE_DAMP: ([Category.ABUSE], ["damp and mould"]),
        ABUSE: ([Category.ABUSE], []),
        THREAT: ([Category.THREAT], []),
        STRANGER: ([Category.ABUSE], []),
        ADJUSTED: ([Category.ABUSE], []),
    }
)

# What each policy says, written out from the policy texts (not read from the profiles, so a
# profile that drifts from its policy fails here).
EXPECTED = {
    "housing-ombudsman": {
        "removed": "hidden",
        "initial": None,  # the bot warns at once (the landlord's choice, listed)
        "formal": ["manager", "head-of-service", "director"],
        "assessment": ["manager", "head-of-service", "director"],
        "restriction": ["head-of-service", "director"],
        "end_contact": ["manager", "head-of-service", "director"],
        "police": ActionKind.POLICE_REFERRAL_DECISION,
        "police_roles": ["manager", "head-of-service", "director"],
        "block": ["manager", "head-of-service", "director"],  # never mentions blocking
        "warnings_before_block": 2,
        "vulnerable": ["manager", "head-of-service", "director"],
        "reviewer": "manager",
        "appeal": "director",
    },
    "housing-solutions": {
        "removed": "hidden",
        "initial": None,  # 6.5.1
        "formal": ["manager"],  # 6.5.2 with 2.2
        "assessment": ["manager"],  # 6.5.3
        "restriction": ["head-of-service"],  # 6.5.4
        "end_contact": ["director"],  # 6.5
        "police": ActionKind.POLICE_REPORT,  # 6.3.1
        "police_roles": ["manager"],
        "block": ["manager"],  # never mentions blocking
        "warnings_before_block": 2,
        "vulnerable": ["manager"],  # 6.3.2
        "reviewer": "manager",  # 6.5.6
        "appeal": "director",  # 6.5.5
    },
    "derby-homes": {
        "removed": "hidden",
        "initial": None,
        "formal": ["manager", "head-of-service", "executive"],
        "assessment": ["manager", "head-of-service", "executive"],
        "restriction": ["head-of-service", "executive"],
        "end_contact": ["manager", "head-of-service", "executive"],
        "police": ActionKind.POLICE_REFERRAL_DECISION,  # 10.1
        "police_roles": ["manager", "head-of-service", "executive"],
        "block": None,  # 11.6
        "warnings_before_block": 2,
        "vulnerable": ["manager", "head-of-service", "executive"],
        "reviewer": "manager",
        "appeal": "executive",  # 12.2
    },
    "selwood-housing": {
        "removed": "hidden",
        "initial": None,
        "formal": ["head-of-service", "executive"],  # "Approval"
        "assessment": ["manager", "head-of-service", "executive"],
        "restriction": ["head-of-service", "executive"],
        "end_contact": ["head-of-service", "executive"],
        "police": ActionKind.POLICE_REPORT,  # suspicion of a crime
        "police_roles": ["manager", "head-of-service", "executive"],
        "block": ["head-of-service", "executive"],  # never mentions blocking
        "warnings_before_block": 2,
        "vulnerable": ["manager", "head-of-service", "executive"],
        "reviewer": None,  # in force for 12 months from the letter
        "appeal": "head-of-service",  # "Right to appeal"
    },
    "hanover": {
        "removed": "deleted",  # 5.6
        "initial": ["head-of-service"],  # 6.2
        "formal": None,  # 6.2 then 6.3: no formal warning
        "assessment": ["head-of-service"],  # 6.3
        "restriction": ["smt"],  # 5.2
        "end_contact": ["smt"],
        "police": ActionKind.POLICE_REPORT,  # 5.5
        "police_roles": ["manager", "head-of-service", "smt"],
        "block": None,  # 5.6
        "warnings_before_block": 1,
        "vulnerable": ["head-of-service"],  # 4.3 (and the 6.2 letter)
        "reviewer": "head-of-service",  # 7.4
        "appeal": None,  # 6.7: the SPSO
    },
}

NAMES = {
    Role.COMMS: "Priya Shah",
    Role.MANAGER: "Sunita Rao",
    Role.HEAD_OF_SERVICE: "Helen Okoro",
    Role.DIRECTOR: "Dev Patel",
    Role.EXECUTIVE: "Erin Cole",
    Role.SMT: "Gail Reid",
}


def staff(role: str | Role, name: str | None = None) -> Staff:
    return Staff(name or NAMES[Role(role)], Role(role))


@dataclass
class World:
    """The people writing in, the store, and the staff steps between passes."""

    tmp_path: Path
    store: Store
    clock: object
    loaded: LoadedConfig
    count: int = 0

    @property
    def profile(self):
        return self.loaded.profile

    def post(self, handle: str, text: str, kind: str = "comment", minutes: int = 60) -> None:
        self.count += 1
        self.clock.advance(minutes=minutes)
        row = {
            "id": f"c{self.count}",
            "platform": "facebook",
            "kind": kind,
            "author": {"id": handle, "handle": handle},
            "text": text,
            "created_at": self.clock().isoformat(),
        }
        with (self.tmp_path / "inbox.jsonl").open("a") as inbox:
            inbox.write(json.dumps(row) + "\n")
        self.run()

    def run(self) -> None:
        pipeline = Pipeline(self.loaded, self.store, clock=self.clock, classifier=SCRIPT)
        try:
            pipeline.run_once()
        finally:
            pipeline.close()

    def actions(self, handle: str, kind: ActionKind) -> list[m.Action]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    sa.select(m.Action)
                    .join(m.Contact, m.Contact.id == m.Action.contact_id)
                    .join(m.Account, m.Account.id == m.Contact.account_id)
                    .where(m.Account.handle == handle, m.Action.kind == kind)
                    .order_by(m.Action.id)
                )
            )

    def last(self, handle: str, kind: ActionKind) -> m.Action:
        found = self.actions(handle, kind)
        assert found, f"no {kind.value} for {handle}"
        return found[-1]

    def decide(self, action: m.Action, who: Staff, approve: bool = True) -> None:
        with self.store.begin() as session:
            decide_approval(
                session,
                action.id,
                approve=approve,
                staff=who,
                note=NOTE,
                profile=self.profile,
                contact_point=self.loaded.settings.organisation.contact_point.model_dump(),
                now=self.clock(),
            )
        self.run()

    def refused(self, action: m.Action, who: Staff) -> None:
        with pytest.raises(PermissionRefusedError), self.store.begin() as session:
            decide_approval(
                session,
                action.id,
                approve=True,
                staff=who,
                note="",
                profile=self.profile,
                contact_point={},
                now=self.clock(),
            )

    def task(self, kind: str) -> m.ManualTask:
        with self.store.session() as session:
            return session.scalar(
                sa.select(m.ManualTask)
                .where(m.ManualTask.kind == kind, m.ManualTask.state == "open")
                .order_by(m.ManualTask.id)
            )

    def sent(self) -> list[dict]:
        outbox = self.tmp_path / "outbox.jsonl"
        rows = [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]
        return [row for row in rows if row["message"]]


@pytest.fixture(params=PROFILES)
def world(request, tmp_path, store, clock) -> World:
    (tmp_path / "inbox.jsonl").write_text("")
    loaded = load_config(
        write_config(
            tmp_path,
            policy={"profile": request.param},
            behaviour={"excessive_contact": {"per_hour": 3, "per_day": 20, "per_week": 50}},
        )
    )
    tenancies = tmp_path / "tenancies.csv"
    tenancies.write_text(
        "tenancy_ref,name,social_handles,vulnerability_notes\n"
        "T-1,Tracey Hughes,facebook:tracey,\n"
        'T-2,Gurpreet Sandhu,facebook:gurpreet,"Anxiety; communicates through a support worker"\n'
        "T-3,Kwame Mensah,facebook:kwame,\n"
        "T-4,Ray Dobbs,facebook:ray,\n"
    )
    with store.begin() as session:
        import_tenancies(session, tenancies, actor="test", now=clock())
    return World(tmp_path, store, clock, loaded)


def roles(action: m.Action) -> list[str]:
    return [r.value for r in approvers_of(action)] if action.needs_approval else None


def test_each_profile_acts_and_writes_as_its_policy_says(world: World):
    profile = world.profile
    want = EXPECTED[profile.name]
    removal = ActionKind.DELETE if want["removed"] == "deleted" else ActionKind.HIDE
    comms = staff(Role.COMMS)

    # --- Tracey: abuse in public with a repair problem --------------------------------------
    world.post("tracey", ABUSE_REPAIR)
    route = world.last("tracey", ActionKind.ROUTE_COMPLAINT)
    assert route.state is ActionState.MANUAL_TASK  # routed to staff, not lost
    assert world.last("tracey", removal).state is ActionState.DONE
    warning = world.last("tracey", ActionKind.PRIVATE_WARNING)
    assert roles(warning) == want["initial"]
    if want["initial"]:
        world.refused(warning, comms)
        world.decide(warning, staff(want["initial"][0]))
    assert world.last("tracey", ActionKind.PRIVATE_WARNING).state is ActionState.DONE

    # --- Tracey: abuse in a private message with a damp problem -------------------------------
    world.post("tracey", ABUSE_DAMP, kind="private_message")
    routes = world.actions("tracey", ActionKind.ROUTE_COMPLAINT)
    assert len(routes) == 2, "a private message's issue is routed too (issue #13 item 1)"
    assert not world.actions("tracey", removal)[1:], "a private message cannot be hidden"
    if want["formal"]:
        formal = world.last("tracey", ActionKind.FORMAL_WARNING)
        assert roles(formal) == want["formal"]
        world.refused(formal, comms)
        world.decide(formal, staff(want["formal"][0]))
        assert world.last("tracey", ActionKind.FORMAL_WARNING).state is ActionState.DONE
        world.post("tracey", ABUSE)  # after the formal warning: the assessment
    assessment = world.last("tracey", ActionKind.ASSESSMENT)
    assert assessment.details["approvers"] == want["assessment"]
    task = world.task("assessment")
    with world.store.begin() as session:
        if want["assessment"] != [r.value for r in profile.roles if r is not Role.COMMS]:
            with pytest.raises(PermissionRefusedError):
                conclude_assessment(
                    session,
                    task_id=task.id,
                    unacceptable=True,
                    protocol=(),
                    staff=comms,
                    note=NOTE,
                    profile=profile,
                    now=world.clock(),
                )
    with world.store.begin() as session:
        conclude_assessment(
            session,
            task_id=task.id,
            unacceptable=True,
            protocol=(),
            staff=staff(want["assessment"][0]),
            note=NOTE,
            profile=profile,
            now=world.clock(),
        )
    restriction = world.last("tracey", ActionKind.RESTRICTION)
    assert roles(restriction) == want["restriction"]
    for role in profile.roles:  # exactly the roles the policy names, no rank above them
        if role.value not in want["restriction"]:
            world.refused(restriction, staff(role))
    # The approver is chosen so that, where they could, they would be asked to hear the appeal.
    approver_role = (
        want["appeal"] if want["appeal"] in want["restriction"] else want["restriction"][0]
    )
    world.decide(restriction, staff(approver_role))
    assert world.last("tracey", ActionKind.RESTRICTION).state is ActionState.DONE

    # --- Tracey appeals ------------------------------------------------------------------------
    with world.store.session() as session:
        tracey_restriction = session.scalar(
            sa.select(m.Restriction).where(m.Restriction.action_id == restriction.id)
        )
    received = world.clock().date()
    if want["appeal"] is None:  # Hanover 6.7: to the SPSO, not to the landlord
        with world.store.begin() as session, pytest.raises(InputError, match="SPSO"):
            open_appeal(
                session,
                case_id=tracey_restriction.case_id,
                received=received,
                profile=profile,
                by=comms.name,
                now=world.clock(),
            )
    else:
        with world.store.begin() as session:
            appeal = open_appeal(
                session,
                case_id=tracey_restriction.case_id,
                received=received,
                profile=profile,
                by=comms.name,
                now=world.clock(),
            )
        if approver_role == want["appeal"]:  # the approver may not hear it
            with world.store.begin() as session, pytest.raises(PermissionRefusedError):
                decide_appeal(
                    session,
                    appeal_id=appeal.id,
                    outcome="upheld",
                    staff=staff(approver_role),
                    note=NOTE,
                    profile=profile,
                    now=world.clock(),
                )
        with world.store.begin() as session:
            decide_appeal(
                session,
                appeal_id=appeal.id,
                outcome="upheld",
                staff=staff(want["appeal"], "Amara Lewis"),
                note=NOTE,
                explanation="The messages were abusive to a named member of staff.",
                profile=profile,
                now=world.clock(),
            )
        world.run()
        assert world.last("tracey", ActionKind.APPEAL_LETTER).state is ActionState.DONE

    # --- Ray: a threat to a named member of staff ---------------------------------------------
    world.post("ray", THREAT)
    assert world.last("ray", removal).state is ActionState.DONE
    end = world.last("ray", ActionKind.RESTRICTION)
    assert end.details["protocol"] == ["end_direct_contact"]
    assert roles(end) == want["end_contact"]
    police = world.last("ray", want["police"])
    assert police.details["approvers"] == want["police_roles"]
    police_task = world.task(want["police"].value)
    assert "What to tell the police" in police_task.instructions
    assert THREAT in police_task.instructions and "tenancy T-4" in police_task.instructions
    with world.store.begin() as session, pytest.raises(PermissionRefusedError):
        close_task(
            session,
            police_task.id,
            done=False,
            staff=comms,
            note="no",
            profile=profile,
            now=world.clock(),
        )
    with world.store.begin() as session, pytest.raises(InputError, match="say why"):
        close_task(
            session,
            police_task.id,
            done=False,
            staff=staff(want["police_roles"][0]),
            note=" ",
            profile=profile,
            now=world.clock(),
        )
    with world.store.begin() as session:
        close_task(
            session,
            police_task.id,
            done=True,
            staff=staff(want["police_roles"][0]),
            note="Reported by phone, reference NP-1",
            profile=profile,
            now=world.clock(),
        )
    world.decide(end, staff(want["end_contact"][-1]))

    # --- an account nobody can identify --------------------------------------------------------
    for _ in range(want["warnings_before_block"] + 1):
        world.post("stranger", STRANGER)
    assert not world.actions("stranger", ActionKind.FORMAL_WARNING)
    assert (
        len(world.actions("stranger", ActionKind.PRIVATE_WARNING)) == want["warnings_before_block"]
    )
    block = world.last("stranger", ActionKind.BLOCK)
    assert roles(block) == want["block"]
    if want["block"]:
        world.decide(block, staff(want["block"][0]))
    assert world.last("stranger", ActionKind.BLOCK).state is ActionState.DONE

    # --- Gurpreet: recorded adjustments -------------------------------------------------------
    world.post("gurpreet", ADJUSTED)
    assert world.last("gurpreet", removal).state is ActionState.DONE  # staff still protected
    held = world.last("gurpreet", ActionKind.PRIVATE_WARNING)
    assert roles(held) == (want["initial"] or want["vulnerable"])
    world.decide(held, staff((want["initial"] or want["vulnerable"])[0]))

    # --- Kwame: many messages in an hour ------------------------------------------------------
    for text in CHATTY:
        world.post("kwame", text, kind="private_message", minutes=5)
    nudge = world.last("kwame", ActionKind.PRIVATE_WARNING)
    assert roles(nudge) == (want["initial"] or want["vulnerable"])  # a person judges the impact
    world.decide(nudge, staff((want["initial"] or want["vulnerable"])[0]))

    # --- Tracey's restriction: its review, or its lapse ---------------------------------------
    with world.store.session() as session:
        tracey_restriction = session.scalar(
            sa.select(m.Restriction).where(m.Restriction.action_id == restriction.id)
        )
    world.clock.now = tracey_restriction.review_due + timedelta(hours=1)
    if want["reviewer"] is None:  # Selwood: 12 months from the letter, then it ends
        assert tracey_restriction.ends_at == tracey_restriction.review_due
        with world.store.begin() as session, pytest.raises(InputError, match="cannot be continued"):
            record_review(
                session,
                restriction_id=tracey_restriction.id,
                outcome="continue",
                staff=staff(Role.HEAD_OF_SERVICE),
                note=NOTE,
                profile=profile,
                now=world.clock(),
            )
        with world.store.begin() as session:
            assert apply_decay(session, profile=profile, now=world.clock()).lapsed == 2  # +Ray's
        with world.store.session() as session:
            lapsed = session.get(m.Restriction, tracey_restriction.id)
            assert lapsed.ended_at == lapsed.ends_at and "lapsed" in lapsed.end_reason
    else:
        with world.store.begin() as session:
            if profile.reviews.explain_when_continued:  # Hanover 6.6
                with pytest.raises(InputError, match="say why"):
                    record_review(
                        session,
                        restriction_id=tracey_restriction.id,
                        outcome="continue",
                        staff=staff(want["reviewer"]),
                        note=NOTE,
                        profile=profile,
                        now=world.clock(),
                    )
            record_review(
                session,
                restriction_id=tracey_restriction.id,
                outcome="continue",
                staff=staff(want["reviewer"]),
                note=NOTE,
                explanation="Your messages since then have still included personal abuse "
                "of our staff.",
                profile=profile,
                now=world.clock(),
            )
        world.run()
        assert world.last("tracey", ActionKind.REVIEW_LETTER).state is ActionState.DONE

    check_letters(world)


def check_letters(world: World) -> None:
    """Every message sent: as kept in tests/db/letters, and true to the profile's clauses."""
    profile = world.profile
    sent = world.sent()
    folder = LETTERS / profile.name
    names = [f"{n:02d}-{row['account']}-{row['action']}.txt" for n, row in enumerate(sent, 1)]
    if os.environ.get("MODBOT_WRITE_LETTERS"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.txt"):
            old.unlink()
        for name, row in zip(names, sent, strict=True):
            (folder / name).write_text(row["message"] + "\n", encoding="utf-8")
    kept = sorted(p.name for p in folder.glob("*.txt"))
    assert names == kept, "the messages sent differ from those kept in tests/db/letters"
    for name, row in zip(names, sent, strict=True):
        assert row["message"] + "\n" == (folder / name).read_text(encoding="utf-8"), name
    with world.store.session() as session:
        actions = {
            a.idempotency_key: a
            for a in session.scalars(sa.select(m.Action).where(m.Action.message != ""))
        }
    other_removal = "hidden" if profile.hide_action == "delete" else "deleted"
    for row in sent:
        text, action = row["message"], actions[row["key"]]
        assert NOTE not in text and action.reason not in text  # staff words stay internal
        assert "Hello " + row["account"] in text or row["action"] == "public_warning"
        assert clause_ref(action.clause_ref) in text  # the clause it rests on
        assert f"{other_removal} your" not in text and f"{other_removal} it" not in text
        kind = {
            "private_warning": "initial_warning",
            "notice": "notice",
            "formal_warning": "formal_warning",
            "restriction": "restriction",
            "review_letter": "review_outcome",
        }.get(row["action"])
        if kind is not None and (kind != "notice" or "blocking" not in text):
            route = appeal_paragraph(profile, kind)
            assert (route in text) if route else ("appeal" not in text.lower()), row["key"]
        routed = session_routed(world, action)
        assert ("passed what you told us" in text) == bool(routed), row["key"]
        if row["action"] == "restriction":
            contact = world.loaded.settings.organisation.contact_point
            assert contact.name in text and contact.how in text
            assert ("until we review it" in text) == bool(profile.reviews.restriction_review_months)


def session_routed(world: World, action: m.Action) -> bool:
    """Whether the decision that planned `action` also routed an issue to staff."""
    if action.kind not in (
        ActionKind.PRIVATE_WARNING,
        ActionKind.PUBLIC_WARNING,
        ActionKind.NOTICE,
        ActionKind.FORMAL_WARNING,
    ):
        return False
    with world.store.session() as session:
        return bool(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(m.Action)
                .where(
                    m.Action.decision_id == action.decision_id,
                    m.Action.kind == ActionKind.ROUTE_COMPLAINT,
                )
            )
        )
