"""Each built-in profile encodes its policy: tests written from the policy texts.

Every test names the clause it checks. Policy texts: shared/policies/. The contacts are
classified by a scripted classifier (tests/scripted.py), so these tests check the policy, not
the text filters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.decide.letters import appeal_paragraph, closing
from bot.decide.moderate import Moderator
from bot.domain import ActionKind, LadderStep, PersonState, Role, Vulnerability
from bot.errors import ConfigError, PermissionRefusedError
from bot.settings.loading import load_config, load_profile
from bot.staff.roles import Staff
from filters.base import Category
from platforms.base import AccountRef, Contact, ContactKind
from tests.scripted import ScriptedClassifier

PROFILES = ["housing-ombudsman", "housing-solutions", "derby-homes", "selwood-housing", "hanover"]
ABUSE = "Dawn Pritchard you are a useless cow"
ABUSE_AND_REPAIR = "Dawn Pritchard you are a useless cow, and the boiler is still broken"
THREAT = "tell Marcus Webb he'd better watch his back"
SWEARING = "this bloody service"
SCRIPT = ScriptedClassifier(
    {
        ABUSE: ([Category.ABUSE], []),
        ABUSE_AND_REPAIR: ([Category.ABUSE], ["repairs"]),
        THREAT: ([Category.THREAT], []),
        SWEARING: ([Category.PROFANITY], []),
    }
)
SOURCES = Path(__file__).parents[2].parent / "shared" / "policies"


def load(tmp_path: Path, profile: str, **organisation: object):
    path = tmp_path / f"{profile}.yaml"
    org = {
        "name": "Brookmere Housing",
        "policy_url": "https://brookmere.example/policy",
        **organisation,
    }
    lines = "".join(f"  {k}: {v}\n" for k, v in org.items())
    path.write_text(f"organisation:\n{lines}policy:\n  profile: {profile}\n")
    return load_config(path)


@pytest.fixture(params=PROFILES)
def loaded(request, tmp_path):
    return load(tmp_path, request.param)


def decide(loaded, text, state, kind=ContactKind.COMMENT):
    moderator = Moderator(loaded, classifier=SCRIPT)
    contact = Contact(
        connector="local",
        platform="facebook",
        external_id="1",
        account=AccountRef("facebook", "u", "tenant"),
        kind=kind,
        text=text,
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    return moderator.engine.decide(contact, moderator.classify(text), state)


def planned(decision, kind):
    return [a for a in decision.actions if a.kind is kind]


TENANT = PersonState(identified=True, subject="tenancy:1", tenancy_ref="T-1")
STRANGER = PersonState(identified=False, subject="account:1")
WARNED = PersonState(identified=True, subject="t", step_issued=LadderStep.INITIAL_WARNING)


# --- every profile ------------------------------------------------------------------------


def test_every_profile_loads_and_cites_its_own_document(loaded):
    if SOURCES.is_dir():
        assert (SOURCES / loaded.profile.source).is_file()
    assert loaded.profile.cite(loaded.profile.ladder.initial_warning.clause.to_clause())


def test_threats_skip_the_ladder_in_every_profile(loaded):
    """Design: threats or use of violence skip the ladder everywhere; a human deals with the
    police, and the bot never contacts them."""
    decision = decide(loaded, THREAT, TENANT)
    kinds = [a.kind for a in decision.actions]
    assert kinds[0] in {ActionKind.HIDE, ActionKind.DELETE}
    assert ActionKind.RESTRICTION in kinds
    assert {ActionKind.POLICE_REPORT, ActionKind.POLICE_REFERRAL_DECISION} & set(kinds)
    [end] = planned(decision, ActionKind.RESTRICTION)
    assert end.needs_approval and end.protocol == ("end_direct_contact",)
    assert end.approvers == loaded.profile.threats.end_contact_approval
    assert decision.step is LadderStep.NONE


def test_formal_steps_always_wait_for_an_approver(loaded):
    for issued, kind in [
        (LadderStep.INITIAL_WARNING, loaded.profile.ladder.next_step(LadderStep.INITIAL_WARNING)),
        (LadderStep.ASSESSMENT, LadderStep.RESTRICTION),
    ]:
        state = PersonState(identified=True, subject="t", step_issued=issued)
        decision = decide(loaded, ABUSE, state)
        assert decision.step is kind
        formal = [a for a in decision.actions if a.kind.is_formal]
        assert formal and all(a.approvers for a in formal)


@pytest.mark.parametrize("kind", [ContactKind.COMMENT, ContactKind.PRIVATE_MESSAGE])
@pytest.mark.parametrize(
    "state", [TENANT, WARNED, STRANGER, PersonState(identified=False, subject="a", blocked=True)]
)
def test_an_issue_is_routed_whatever_else_is_done(loaded, kind, state):
    """Issue #13 item 1: routing happens for every contact that raises a service issue, and a
    message says it was passed on only when it was."""
    decision = decide(loaded, ABUSE_AND_REPAIR, state, kind)
    [route] = planned(decision, ActionKind.ROUTE_COMPLAINT)
    assert route.clause == loaded.profile.complaints.clause.to_clause()
    for action in decision.actions:
        if action.message:
            assert "passed what you told us about repairs" in action.message
    plain = decide(loaded, ABUSE, state, kind)
    assert not planned(plain, ActionKind.ROUTE_COMPLAINT)
    assert all("passed what you told us" not in a.message for a in plain.actions)


def test_messages_never_carry_the_engines_reasons(loaded):
    """Issue #13 item 2: a reason is for staff; only the rendered message reaches a person."""
    for text, state in [(ABUSE, TENANT), (ABUSE, WARNED), (SWEARING, TENANT), (ABUSE, STRANGER)]:
        for action in decide(loaded, text, state).actions:
            if action.message:
                assert action.reason not in action.message
                assert "skip the ladder" not in action.message


def test_police_duty_follows_each_policy(tmp_path):
    """Housing Solutions 6.3.1 and Hanover 5.5: always reported when violence is threatened;
    Selwood: the police are involved on suspicion of a crime. The Housing Ombudsman and Derby
    Homes (10.1) notify authorities only in exceptional circumstances: a person decides."""
    expected = {
        "housing-solutions": (ActionKind.POLICE_REPORT, "6.3.1"),
        "hanover": (ActionKind.POLICE_REPORT, "5.5"),
        "selwood-housing": (ActionKind.POLICE_REPORT, "Management interventions to be considered"),
        "housing-ombudsman": (ActionKind.POLICE_REFERRAL_DECISION, "Actions we may take"),
        "derby-homes": (ActionKind.POLICE_REFERRAL_DECISION, "10.1"),
    }
    for profile, (kind, ref) in expected.items():
        decision = decide(load(tmp_path, profile), THREAT, TENANT)
        [police] = planned(decision, kind)
        assert police.clause.ref == ref and not police.needs_approval
        if kind is ActionKind.POLICE_REPORT:
            assert "Report this threat to the police" in police.reason


def test_a_block_needs_an_approver_where_the_policy_never_mentions_blocking(tmp_path):
    """Issue #13 item 10: the Housing Ombudsman, Housing Solutions and Selwood never mention
    blocking, so a named approver decides; Derby Homes (11.6) and Hanover (5.6) provide for
    blocking a person from the page."""
    warned_twice = PersonState(identified=False, subject="a", platform_warnings=2)
    for profile, approvers in {
        "housing-ombudsman": (Role.MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR),
        "housing-solutions": (Role.MANAGER,),
        "selwood-housing": (Role.HEAD_OF_SERVICE, Role.EXECUTIVE),
        "derby-homes": (),
        "hanover": (),
    }.items():
        loaded = load(tmp_path, profile)
        [block] = planned(decide(loaded, ABUSE, warned_twice), ActionKind.BLOCK)
        assert block.approvers == approvers and block.needs_approval == bool(approvers)
        if approvers:
            assert "unidentified.block_approval" in loaded.profile.landlord_choices


def test_a_threat_from_a_stranger_is_blocked_by_who_may_end_contact(tmp_path):
    """A block is how direct contact ends with an unidentified account: under Housing
    Solutions (6.3.1, 6.5) that is signed off by a Director."""
    [block] = planned(
        decide(load(tmp_path, "housing-solutions"), THREAT, STRANGER), ActionKind.BLOCK
    )
    assert block.approvers == (Role.DIRECTOR,) and block.clause.ref == "6.3.1"
    [block] = planned(decide(load(tmp_path, "derby-homes"), THREAT, STRANGER), ActionKind.BLOCK)
    assert not block.needs_approval


def test_roles_are_the_profiles_own_lists_not_ranks(tmp_path):
    """Issue #13 item 6: Hanover 5.2 needs a member of the SMT, not a Head of Service; Housing
    Solutions 6.5.4 a Head of Service (a Director outranks one but is not named)."""
    hanover = load(tmp_path, "hanover").profile
    assert hanover.ladder.restriction.approval == (Role.SMT,)
    with pytest.raises(PermissionRefusedError, match="member of the Senior Management Team"):
        Staff("Helen Okoro", Role.HEAD_OF_SERVICE).require(
            hanover.ladder.restriction.approval, "approving a restriction", hanover
        )
    Staff("Gail Reid", Role.SMT).require(hanover.ladder.restriction.approval, "x", hanover)
    solutions = load(tmp_path, "housing-solutions").profile
    with pytest.raises(PermissionRefusedError):
        Staff("Dev Patel", Role.DIRECTOR).require(
            solutions.ladder.restriction.approval, "authorising a protocol", solutions
        )
    ombudsman = load(tmp_path, "housing-ombudsman").profile
    with pytest.raises(PermissionRefusedError, match="not one of"):
        Staff("Gail Reid", Role.SMT).require((Role.SMT,), "anything", ombudsman)


def test_a_profile_naming_an_undeclared_role_fails_to_load(tmp_path):
    with pytest.raises(ConfigError, match="does not declare"):
        load_profile(
            "housing-ombudsman", {"ladder": {"restriction": {"approval": ["smt"]}}}, "x.yaml"
        )


# --- appeals: each profile's route, deadline and body (issue #13 item 4) -----------------------


def test_only_derby_homes_12_2_sets_twenty_working_days(tmp_path):
    derby = appeal_paragraph(load(tmp_path, "derby-homes").profile, "restriction")
    assert "within 20 working days of the date of this message" in derby
    assert "Customer Experience Team" in derby and "Executive Team" in derby
    assert "reply within 20 working days" in derby
    for profile in ("housing-solutions", "selwood-housing", "hanover"):
        text = appeal_paragraph(load(tmp_path, profile).profile, "restriction")
        assert "working days" not in text, profile


def test_housing_ombudsman_appeal_values_are_the_landlords_choice(tmp_path):
    """Issue #13 item 12: the policy names no approver, review period or appeal deadline."""
    profile = load(tmp_path, "housing-ombudsman").profile
    for path in (
        "ladder.formal_warning.approval",
        "ladder.restriction.approval",
        "appeals.decider",
        "appeals.decide_within_working_days",
        "reviews.restriction_review_months",
    ):
        assert path in profile.landlord_choices
    assert "reply within 20 working days" in appeal_paragraph(profile, "restriction")


def test_housing_solutions_6_5_5_a_director_reassesses_or_the_complaints_policy(tmp_path):
    profile = load(tmp_path, "housing-solutions").profile
    text = closing(profile, "restriction")
    assert "one further assessment by a Director" in text and "complaints policy" in text
    assert appeal_paragraph(profile, "initial_warning") == ""  # 6.5.5 is about the protocol


def test_selwood_appeals_are_heard_by_someone_not_part_of_the_decision(tmp_path):
    profile = load(tmp_path, "selwood-housing").profile
    text = appeal_paragraph(profile, "restriction")
    assert "Head of Service or a member of the Executive Team who was not involved" in text


def test_hanover_6_7_the_appeal_is_to_the_spso_not_an_invented_internal_one(tmp_path):
    loaded = load(tmp_path, "hanover")
    assert loaded.profile.appeals.decider is None
    assert loaded.profile.appeals.calendar == "scotland"
    [warning] = planned(decide(loaded, ABUSE, TENANT), ActionKind.PRIVATE_WARNING)
    assert "Scottish Public Services Ombudsman (SPSO)" in warning.message
    assert "www.spso.org.uk" in warning.message
    assert "will hear your appeal" not in warning.message
    assert "Housing Ombudsman" not in warning.message.replace(
        "Scottish Public Services Ombudsman", ""
    )


# --- Housing Solutions (HS_POL_HOU_UAB_3.0) ---------------------------------------------


def test_housing_solutions_ladder_6_5_1_to_6_5_4(tmp_path):
    """6.5.1 initial warning by officers; 6.5.2 formal warning (2.2: with their manager);
    6.5.3 assessment completed by a manager; 6.5.4 a Head of Service authorises the protocol."""
    loaded = load(tmp_path, "housing-solutions")
    ladder = loaded.profile.ladder
    assert ladder.initial_warning.clause.ref == "6.5.1" and ladder.initial_warning.approval is None
    assert ladder.formal_warning.clause.ref == "6.5.2"
    assert ladder.assessment.clause.ref == "6.5.3" and ladder.assessment.approval == (Role.MANAGER,)
    assert ladder.restriction.clause.ref == "6.5.4"
    assert ladder.restriction.approval == (Role.HEAD_OF_SERVICE,)
    [warning] = planned(decide(loaded, ABUSE, TENANT), ActionKind.PRIVATE_WARNING)
    assert not warning.needs_approval and warning.clause.ref == "6.5.1"


def test_housing_solutions_6_3_3_tells_the_person_their_language_is_offensive(tmp_path):
    [warning] = planned(
        decide(load(tmp_path, "housing-solutions"), ABUSE, TENANT), ActionKind.PRIVATE_WARNING
    )
    assert "We consider your language offensive, unnecessary and unhelpful." in warning.message
    assert "if you do not stop, we will not respond" in warning.message


def test_housing_solutions_6_5_6_review_after_six_months_by_a_manager(tmp_path):
    profile = load(tmp_path, "housing-solutions").profile
    assert profile.reviews.restriction_review_months == 6 and profile.reviews.clause.ref == "6.5.6"
    assert profile.reviews.reviewer == (Role.MANAGER,)
    assert "review_outcome" in profile.appeals.letters


def test_housing_solutions_6_5_3_closed_cases_count_for_12_months(tmp_path):
    cases = load(tmp_path, "housing-solutions").profile.cases
    assert cases.closed_cases_count_for_months == 12 and cases.clause.ref == "6.5.3"


def test_housing_solutions_6_5_immediate_action_is_signed_off_by_a_director(tmp_path):
    """6.3.1 a threat ends direct contact; 6.5 immediate action is signed off by a Director."""
    [end] = planned(
        decide(load(tmp_path, "housing-solutions"), THREAT, TENANT), ActionKind.RESTRICTION
    )
    assert end.approvers == (Role.DIRECTOR,) and end.clause.ref == "6.3.1"


# --- Derby Homes (2024) -----------------------------------------------------------------


def test_derby_12_2_appeal_within_20_working_days_decided_within_20_by_the_executive(tmp_path):
    profile = load(tmp_path, "derby-homes").profile
    assert profile.appeals.window_working_days == 20
    assert profile.appeals.decide_within_working_days == 20
    assert profile.appeals.decider == (Role.EXECUTIVE,)
    assert profile.appeals.restrictions_stay_during_appeal  # 12.3


def test_derby_10_4_actions_reviewed_after_12_months(tmp_path):
    profile = load(tmp_path, "derby-homes").profile
    assert profile.reviews.restriction_review_months == 12 and profile.reviews.clause.ref == "10.4"


def test_derby_11_4_and_11_6_unidentified_accounts_get_platform_actions_only(tmp_path):
    """11.4 where we cannot identify someone formal action may not be possible; 11.6 we warn,
    hide, block or report instead."""
    loaded = load(tmp_path, "derby-homes")
    decision = decide(loaded, ABUSE, STRANGER)
    assert {a.kind for a in decision.actions} == {ActionKind.HIDE, ActionKind.PRIVATE_WARNING}
    [warning] = planned(decision, ActionKind.PRIVATE_WARNING)
    assert warning.clause.ref == "11.6"
    assert any("11.6" in n.reason for n in decision.not_fired)


def test_derby_12_1_every_decision_carries_the_right_to_an_independent_review(tmp_path):
    loaded = load(tmp_path, "derby-homes")
    for text, state, kind in [
        (SWEARING, TENANT, ActionKind.NOTICE),
        (ABUSE, TENANT, ActionKind.PRIVATE_WARNING),
        (ABUSE, WARNED, ActionKind.FORMAL_WARNING),
    ]:
        [action] = planned(decide(loaded, text, state), kind)
        assert "request an independent review" in action.message
        assert "Housing Ombudsman" in action.message  # 12.3, 12.4


# --- Selwood Housing (2024) -------------------------------------------------------------


def test_selwood_approval_formal_actions_need_a_head_of_service_or_the_executive(tmp_path):
    ladder = load(tmp_path, "selwood-housing").profile.ladder
    assert ladder.formal_warning.approval == (Role.HEAD_OF_SERVICE, Role.EXECUTIVE)
    assert ladder.restriction.approval == (Role.HEAD_OF_SERVICE, Role.EXECUTIVE)


def test_selwood_a_restriction_lasts_12_months_from_the_letter_without_review(tmp_path):
    """ "Notifying the customer": in force for 12 months from the date of the letter."""
    reviews = load(tmp_path, "selwood-housing").profile.reviews
    assert reviews.lapse_after_months == 12 and reviews.restriction_review_months is None


# --- Hanover (Scotland) -----------------------------------------------------------------


def test_hanover_5_6_comments_are_deleted_and_the_notice_says_deleted(tmp_path):
    """Issue #13 item 3: the person is told the action taken, not "hidden"."""
    loaded = load(tmp_path, "hanover")
    for text, state in [(SWEARING, TENANT), (ABUSE, STRANGER)]:
        decision = decide(loaded, text, state)
        kinds = [a.kind for a in decision.actions]
        assert ActionKind.DELETE in kinds and ActionKind.HIDE not in kinds
        for action in decision.actions:
            if action.message:
                assert "deleted your comment" in action.message
                assert "hidden" not in action.message


def test_hanover_5_6_blocks_after_one_warning_and_tells_the_user(tmp_path):
    warned = PersonState(identified=False, subject="a:1", platform_warnings=1)
    decision = decide(load(tmp_path, "hanover"), ABUSE, warned)
    notice, block = planned(decision, ActionKind.NOTICE)[0], planned(decision, ActionKind.BLOCK)[0]
    assert decision.actions.index(notice) < decision.actions.index(block)  # told first
    assert "we are blocking this account from commenting on our posts" in notice.message
    assert not block.needs_approval


def test_hanover_6_2_the_warning_letter_comes_from_the_head_of_governance_with_the_policy(
    tmp_path,
):
    loaded = load(tmp_path, "hanover")
    [warning] = planned(decide(loaded, ABUSE, TENANT), ActionKind.PRIVATE_WARNING)
    assert warning.needs_approval and warning.approvers == (Role.HEAD_OF_SERVICE,)
    assert loaded.profile.describe(warning.approvers) == "the Head of Governance & Transformation"
    assert "https://brookmere.example/policy" in warning.message


def test_hanover_needs_the_policys_address_to_give_it(tmp_path):
    with pytest.raises(ConfigError, match=r"organisation\.policy_url"):
        load(tmp_path, "hanover", policy_url='""')


def test_hanover_6_2_then_6_3_there_is_no_formal_warning(tmp_path):
    loaded = load(tmp_path, "hanover")
    assert LadderStep.FORMAL_WARNING not in loaded.profile.ladder.steps
    decision = decide(loaded, ABUSE, WARNED)
    assert decision.step is LadderStep.ASSESSMENT
    [assessment] = planned(decision, ActionKind.ASSESSMENT)
    assert assessment.clause.ref == "6.3" and assessment.approvers == (Role.HEAD_OF_SERVICE,)


def test_hanover_5_2_smt_approves_restrictions_and_7_4_reviews_are_quarterly(tmp_path):
    profile = load(tmp_path, "hanover").profile
    assert profile.ladder.restriction.approval == (Role.SMT,)
    assert profile.reviews.restriction_review_months == 3
    assert profile.reviews.explain_when_continued  # 6.6


# --- Housing Ombudsman ------------------------------------------------------------------


def test_ombudsman_formal_action_is_told_in_writing_with_the_right_to_appeal(tmp_path):
    """ "Actions we may take": formal action is told in writing; customers may appeal."""
    [formal] = planned(
        decide(load(tmp_path, "housing-ombudsman"), ABUSE, WARNED), ActionKind.FORMAL_WARNING
    )
    assert "formal warning" in formal.message and "To appeal" in formal.message


def test_vulnerability_holds_the_warning_for_the_profiles_decider(loaded):
    state = PersonState(identified=True, subject="t", vulnerability=Vulnerability("support worker"))
    [warning] = planned(decide(loaded, ABUSE, state), ActionKind.PRIVATE_WARNING)
    assert warning.needs_approval
    expected = (
        loaded.profile.ladder.initial_warning.approval or loaded.profile.vulnerability.decider
    )
    assert warning.approvers == expected


def test_profiles_can_be_overridden_key_by_key(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "policy:\n  profile: derby-homes\n  overrides:\n    reviews:\n"
        "      restriction_review_months: 6\n"
    )
    profile = load_config(path).profile
    assert profile.reviews.restriction_review_months == 6
    assert profile.reviews.clause.ref == "10.4"  # the rest of the key is untouched
