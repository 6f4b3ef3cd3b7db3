"""The policy engine decides as the Housing Ombudsman profile says (pure: no database)."""

from datetime import UTC, datetime

import pytest

from bot.decide.engine import PolicyEngine
from bot.decide.moderate import Moderator
from bot.domain import ActionKind, LadderStep, PersonState, Role, Vulnerability
from platforms.base import AccountRef, Contact, ContactKind


@pytest.fixture(scope="module")
def engine_and_classifier(tmp_path_factory):
    from bot.settings.loading import load_config
    from tests.conftest import write_config

    loaded = load_config(write_config(tmp_path_factory.mktemp("cfg")))
    moderator = Moderator(loaded)
    return moderator.engine, moderator.classifier


def contact(text: str, kind: ContactKind = ContactKind.COMMENT) -> Contact:
    return Contact(
        connector="local",
        platform="facebook",
        external_id="c1",
        account=AccountRef("facebook", "u1", "tracey.h", "Tracey"),
        kind=kind,
        text=text,
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )


def decide(engine_and_classifier, text, state=None, kind=ContactKind.COMMENT):
    engine, classifier = engine_and_classifier
    state = state or PersonState(identified=True, subject="tenancy:1", tenancy_ref="T-1")
    return engine.decide(contact(text, kind), classifier.classify(text), state)


def kinds(decision):
    return [a.kind for a in decision.actions]


def test_angry_complaint_gets_nothing(engine_and_classifier):
    decision = decide(engine_and_classifier, "Third time asking about the mould. A disgrace!")
    assert decision.outcome == "acceptable"
    assert decision.actions == ()
    assert any("forceful complaining is acceptable" in n.reason for n in decision.not_fired)


def test_first_abuse_hides_routes_and_warns_without_approval(engine_and_classifier):
    decision = decide(engine_and_classifier, "Dawn Pritchard you are a useless cow, fix my boiler")
    assert kinds(decision) == [
        ActionKind.ROUTE_COMPLAINT,
        ActionKind.HIDE,
        ActionKind.PRIVATE_WARNING,
    ]
    assert decision.step is LadderStep.INITIAL_WARNING
    warning = decision.actions[-1]
    assert not warning.needs_approval
    assert "Unacceptable user action policy" in warning.reason
    assert warning.message.startswith("Hello tracey.h,")
    assert "Aggressive or abusive behaviour" in warning.message
    assert "repairs" in warning.message  # the routed issue is mentioned: not lost


def test_abuse_after_an_initial_warning_asks_a_manager_for_a_formal_warning(
    engine_and_classifier,
):
    state = PersonState(
        identified=True, subject="tenancy:1", step_issued=LadderStep.INITIAL_WARNING
    )
    decision = decide(engine_and_classifier, "you lot are scum", state)
    formal = [a for a in decision.actions if a.kind is ActionKind.FORMAL_WARNING]
    assert formal and formal[0].needs_approval and formal[0].approver is Role.MANAGER
    assert "right to appeal" in formal[0].message


def test_ladder_goes_to_assessment_then_restriction_by_head_of_service(engine_and_classifier):
    state = PersonState(identified=True, subject="t", step_issued=LadderStep.FORMAL_WARNING)
    assessment = decide(engine_and_classifier, "you lot are scum", state)
    assert ActionKind.ASSESSMENT in kinds(assessment)
    state = PersonState(identified=True, subject="t", step_issued=LadderStep.ASSESSMENT)
    restriction = decide(engine_and_classifier, "you lot are scum", state)
    [planned] = [a for a in restriction.actions if a.kind is ActionKind.RESTRICTION]
    assert planned.needs_approval and planned.approver is Role.HEAD_OF_SERVICE


def test_a_pending_step_is_not_stacked(engine_and_classifier):
    state = PersonState(identified=True, subject="t", step_pending=LadderStep.INITIAL_WARNING)
    decision = decide(engine_and_classifier, "you lot are scum", state)
    assert kinds(decision) == [ActionKind.HIDE]
    assert decision.outcome == "incident recorded"


def test_threat_skips_the_ladder(engine_and_classifier):
    decision = decide(engine_and_classifier, "tell Marcus Webb he'd better watch his back")
    assert kinds(decision) == [
        ActionKind.HIDE,
        ActionKind.RESTRICTION,
        ActionKind.POLICE_REFERRAL_DECISION,
    ]
    hide, end_contact, police = decision.actions
    assert not hide.needs_approval
    assert end_contact.needs_approval and end_contact.approver is Role.MANAGER
    assert not police.needs_approval and police.approver is Role.MANAGER
    assert "never contacts the police" in police.reason


def test_unidentified_account_gets_platform_actions_only(engine_and_classifier):
    stranger = PersonState(identified=False, subject="account:9")
    decision = decide(engine_and_classifier, "you lot are scum", stranger)
    assert all(a.kind.is_platform_action for a in decision.actions)
    assert any(n.rule == "formal steps" for n in decision.not_fired)
    threat = decide(engine_and_classifier, "I know where you live", stranger)
    assert ActionKind.RESTRICTION not in kinds(threat)
    assert ActionKind.BLOCK in kinds(threat)


def test_unidentified_account_is_blocked_after_repeated_warnings(engine_and_classifier):
    """The Housing Ombudsman's policy never mentions blocking: a named approver decides."""
    warned = PersonState(identified=False, subject="account:9", platform_warnings=2)
    decision = decide(engine_and_classifier, "you lot are scum", warned)
    assert kinds(decision) == [ActionKind.HIDE, ActionKind.BLOCK]
    block = decision.actions[1]
    assert block.needs_approval
    assert block.approvers == (Role.MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR)
    assert any(n.rule == "automatic block" for n in decision.not_fired)


def test_vulnerability_holds_warnings_for_a_manager(engine_and_classifier):
    state = PersonState(
        identified=True,
        subject="t",
        vulnerability=Vulnerability("communicates through a support worker"),
    )
    decision = decide(engine_and_classifier, "you are a useless prat", state)
    warning = decision.actions[-1]
    assert warning.kind is ActionKind.PRIVATE_WARNING
    assert warning.needs_approval and warning.approver is Role.MANAGER
    assert decision.actions[0].kind is ActionKind.HIDE and not decision.actions[0].needs_approval
    assert any("support worker" in n.reason for n in decision.not_fired)


def test_profanity_alone_hides_with_a_notice_not_a_warning(engine_and_classifier):
    decision = decide(engine_and_classifier, "shit service as usual")
    assert kinds(decision) == [ActionKind.HIDE, ActionKind.NOTICE]
    assert decision.step is LadderStep.NONE
    assert not decision.incident
    assert "This is not a warning" in decision.actions[1].message


def test_private_messages_are_not_hidden(engine_and_classifier):
    decision = decide(engine_and_classifier, "you lot are scum", kind=ContactKind.PRIVATE_MESSAGE)
    assert ActionKind.HIDE not in kinds(decision)
    assert any(n.rule == "hide" for n in decision.not_fired)


def test_scores_below_threshold_are_explained(engine_and_classifier):
    engine, classifier = engine_and_classifier
    strict = PolicyEngine(engine.profile, {**engine.thresholds, "profanity": 1.0}, engine.messages)
    text = "shit service"
    decision = strict.decide(
        contact(text), classifier.classify(text), PersonState(identified=True, subject="t")
    )
    assert decision.actions == ()
    [note] = [n for n in decision.not_fired if n.rule == "profanity"]
    assert "below the profanity threshold 1.00" in note.reason
