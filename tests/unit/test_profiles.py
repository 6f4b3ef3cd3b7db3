"""Each built-in profile encodes its policy: tests written from the policy texts.

Every test names the clause it checks. Policy texts: shared/policies/.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.decide.moderate import Moderator
from bot.domain import ActionKind, LadderStep, PersonState, Role
from bot.settings.loading import load_config
from platforms.base import AccountRef, Contact, ContactKind

PROFILES = ["housing-ombudsman", "housing-solutions", "derby-homes", "selwood-housing", "hanover"]
ABUSE = "Dawn Pritchard you are a useless cow"
THREAT = "tell Marcus Webb he'd better watch his back"


def load(tmp_path: Path, profile: str):
    path = tmp_path / f"{profile}.yaml"
    path.write_text(
        f"policy:\n  profile: {profile}\nwords:\n  staff_names: [Dawn Pritchard, Marcus Webb]\n"
    )
    return load_config(path)


@pytest.fixture(params=PROFILES)
def loaded(request, tmp_path):
    return load(tmp_path, request.param)


def engine_for(loaded):
    moderator = Moderator(loaded)
    return moderator.engine, moderator.classifier


def decide(loaded, text, state):
    engine, classifier = engine_for(loaded)
    contact = Contact(
        connector="local",
        platform="facebook",
        external_id="1",
        account=AccountRef("facebook", "u", "tenant"),
        kind=ContactKind.COMMENT,
        text=text,
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    return engine.decide(contact, classifier.classify(text), state)


def planned(decision, kind):
    return [a for a in decision.actions if a.kind is kind]


TENANT = PersonState(identified=True, subject="tenancy:1", tenancy_ref="T-1")


def test_every_profile_loads_and_cites_its_own_document(loaded):
    policies = Path(__file__).parents[2].parent / "shared" / "policies"
    if policies.is_dir():
        assert (policies / loaded.profile.source).is_file()
    assert loaded.profile.cite(loaded.profile.ladder.initial_warning.clause.to_clause())


def test_threats_skip_the_ladder_in_every_profile(loaded):
    """Design: threats or use of violence skip the ladder everywhere; a human decides police."""
    decision = decide(loaded, THREAT, TENANT)
    kinds = [a.kind for a in decision.actions]
    assert kinds[0] in {ActionKind.HIDE, ActionKind.DELETE}
    assert ActionKind.RESTRICTION in kinds and ActionKind.POLICE_REFERRAL_DECISION in kinds
    [end] = planned(decision, ActionKind.RESTRICTION)
    assert end.needs_approval and end.protocol == ("end_direct_contact",)
    assert decision.step is LadderStep.NONE


def test_formal_steps_always_wait_for_an_approver(loaded):
    for issued, kind in [
        (LadderStep.INITIAL_WARNING, ActionKind.FORMAL_WARNING),
        (LadderStep.ASSESSMENT, ActionKind.RESTRICTION),
    ]:
        state = PersonState(identified=True, subject="t", step_issued=issued)
        [action] = planned(decide(loaded, ABUSE, state), kind)
        assert action.needs_approval and action.approver is not None


# --- Housing Solutions (HS_POL_HOU_UAB_3.0) ---------------------------------------------


def test_housing_solutions_ladder_6_5_1_to_6_5_4(tmp_path):
    """6.5.1 initial warning by officers; 6.5.2 formal warning; 6.5.3 assessment by a
    manager; 6.5.4 a Head of Service authorises the communication protocol."""
    loaded = load(tmp_path, "housing-solutions")
    ladder = loaded.profile.ladder
    assert ladder.initial_warning.clause.ref == "6.5.1" and ladder.initial_warning.approval is None
    assert ladder.formal_warning.clause.ref == "6.5.2"
    assert ladder.assessment.clause.ref == "6.5.3" and ladder.assessment.approval is Role.MANAGER
    assert ladder.restriction.clause.ref == "6.5.4"
    assert ladder.restriction.approval is Role.HEAD_OF_SERVICE
    first = decide(loaded, ABUSE, TENANT)
    [warning] = planned(first, ActionKind.PRIVATE_WARNING)
    assert not warning.needs_approval and "6.5.1" in warning.clause.ref


def test_housing_solutions_6_5_6_review_after_six_months_and_6_5_5_appeal_to_a_director(tmp_path):
    profile = load(tmp_path, "housing-solutions").profile
    assert profile.reviews.restriction_review_months == 6 and profile.reviews.clause.ref == "6.5.6"
    assert profile.appeals.decider is Role.DIRECTOR and profile.appeals.clause.ref == "6.5.5"


def test_housing_solutions_6_5_3_closed_cases_stop_counting_after_12_months(tmp_path):
    assert load(tmp_path, "housing-solutions").profile.cases_stop_counting_after_months == 12


def test_housing_solutions_6_5_immediate_action_is_signed_off_by_a_director(tmp_path):
    """6.3.1 a threat ends direct contact; 6.5 immediate action is signed off by a Director."""
    decision = decide(load(tmp_path, "housing-solutions"), THREAT, TENANT)
    [end] = planned(decision, ActionKind.RESTRICTION)
    assert end.approver is Role.DIRECTOR and end.clause.ref == "6.3.1"


# --- Derby Homes (2024) -----------------------------------------------------------------


def test_derby_12_2_appeal_within_20_working_days_decided_within_20_by_the_executive(tmp_path):
    profile = load(tmp_path, "derby-homes").profile
    assert profile.appeals.window_working_days == 20
    assert profile.appeals.decide_within_working_days == 20
    assert profile.appeals.decider is Role.EXECUTIVE


def test_derby_12_3_restrictions_apply_while_the_appeal_is_heard(tmp_path):
    assert load(tmp_path, "derby-homes").profile.appeals.restrictions_stay_during_appeal


def test_derby_10_4_actions_reviewed_after_12_months(tmp_path):
    profile = load(tmp_path, "derby-homes").profile
    assert profile.reviews.restriction_review_months == 12 and profile.reviews.clause.ref == "10.4"


def test_derby_11_4_and_11_6_unidentified_accounts_get_platform_actions_only(tmp_path):
    """11.4 where we cannot identify someone formal action may not be possible; 11.6 we warn,
    hide, block or report instead."""
    loaded = load(tmp_path, "derby-homes")
    stranger = PersonState(identified=False, subject="account:1")
    decision = decide(loaded, ABUSE, stranger)
    assert {a.kind for a in decision.actions} == {ActionKind.HIDE, ActionKind.PRIVATE_WARNING}
    assert any("11.6" in n.reason for n in decision.not_fired)
    warned = PersonState(identified=False, subject="account:1", platform_warnings=2)
    [block] = planned(decide(loaded, ABUSE, warned), ActionKind.BLOCK)
    assert block.clause.ref == "11.6" and not block.needs_approval


def test_derby_messages_mention_the_housing_ombudsman_and_the_appeal_route(tmp_path):
    """12.3: customers are told they have access to the Housing Ombudsman."""
    state = PersonState(identified=True, subject="t", step_issued=LadderStep.INITIAL_WARNING)
    [formal] = planned(
        decide(load(tmp_path, "derby-homes"), ABUSE, state), ActionKind.FORMAL_WARNING
    )
    assert "Housing Ombudsman" in formal.message
    assert "20 working days" in formal.message
    assert "Customer Experience Team" in formal.message


# --- Selwood Housing (2024) -------------------------------------------------------------


def test_selwood_approval_formal_actions_need_a_head_of_service(tmp_path):
    """ "Approval": formal actions need a Head of Service or a member of the Executive Team."""
    ladder = load(tmp_path, "selwood-housing").profile.ladder
    assert ladder.formal_warning.approval is Role.HEAD_OF_SERVICE
    assert ladder.restriction.approval is Role.HEAD_OF_SERVICE


def test_selwood_restriction_lasts_12_months_and_appeal_goes_to_another_head_of_service(tmp_path):
    """ "Notifying the customer": in force for 12 months; "Right to appeal": a different Head
    of Service or Executive who was not part of the first decision."""
    profile = load(tmp_path, "selwood-housing").profile
    assert profile.reviews.restriction_review_months == 12
    assert profile.appeals.decider is Role.HEAD_OF_SERVICE


# --- Hanover (Scotland) -----------------------------------------------------------------


def test_hanover_5_6_comments_are_deleted_and_the_user_told_privately(tmp_path):
    loaded = load(tmp_path, "hanover")
    decision = decide(loaded, "you lot are scum", PersonState(identified=False, subject="a:1"))
    kinds = [a.kind for a in decision.actions]
    assert ActionKind.DELETE in kinds and ActionKind.HIDE not in kinds


def test_hanover_5_6_persistent_commenters_are_blocked_after_one_warning(tmp_path):
    warned = PersonState(identified=False, subject="a:1", platform_warnings=1)
    decision = decide(load(tmp_path, "hanover"), "you lot are scum", warned)
    assert ActionKind.BLOCK in [a.kind for a in decision.actions]


def test_hanover_6_2_the_warning_letter_is_issued_by_the_head_of_governance(tmp_path):
    [warning] = planned(
        decide(load(tmp_path, "hanover"), ABUSE, TENANT), ActionKind.PRIVATE_WARNING
    )
    assert warning.needs_approval and warning.approver is Role.HEAD_OF_SERVICE


def test_hanover_5_2_smt_approves_restrictions_and_7_4_reviews_are_quarterly(tmp_path):
    profile = load(tmp_path, "hanover").profile
    assert profile.ladder.restriction.approval is Role.SMT
    assert profile.reviews.restriction_review_months == 3


def test_hanover_6_7_appeals_go_to_the_spso_on_scottish_working_days(tmp_path):
    loaded = load(tmp_path, "hanover")
    assert loaded.profile.appeals.calendar == "scotland"
    state = PersonState(identified=True, subject="t", step_issued=LadderStep.INITIAL_WARNING)
    [formal] = planned(decide(loaded, ABUSE, state), ActionKind.FORMAL_WARNING)
    assert "Scottish Public Services Ombudsman" in formal.message
    assert "Housing Ombudsman" not in formal.message.replace(
        "Scottish Public Services Ombudsman", ""
    )


# --- Housing Ombudsman ------------------------------------------------------------------


def test_ombudsman_formal_action_is_told_in_writing_with_the_right_to_appeal(tmp_path):
    """ "Actions we may take": formal action is told in writing; customers may appeal."""
    state = PersonState(identified=True, subject="t", step_issued=LadderStep.INITIAL_WARNING)
    [formal] = planned(
        decide(load(tmp_path, "housing-ombudsman"), ABUSE, state), ActionKind.FORMAL_WARNING
    )
    assert "formal warning" in formal.message and "right to appeal" in formal.message


def test_profiles_can_be_overridden_key_by_key(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "policy:\n  profile: derby-homes\n  overrides:\n    reviews:\n"
        "      restriction_review_months: 6\n"
    )
    profile = load_config(path).profile
    assert profile.reviews.restriction_review_months == 6
    assert profile.reviews.clause.ref == "10.4"  # the rest of the key is untouched
