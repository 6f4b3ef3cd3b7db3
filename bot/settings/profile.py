"""Policy profiles: one landlord policy's ladder, approvers, periods and clauses, as data.

A profile is YAML under `config/policies/` validated here with `extra="forbid"`, so a profile
that names an unknown step, category or role fails config loading with its key path instead of
surprising anyone at run time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.domain import Clause, LadderStep, Role
from filters.base import Category

FORMAL_STEPS = (LadderStep.FORMAL_WARNING, LadderStep.ASSESSMENT, LadderStep.RESTRICTION)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClauseRef(_Strict):
    """A clause as the YAML gives it."""

    ref: str = Field(description="Clause number or heading, e.g. '6.5.1' or 'Harassment'.")
    title: str = Field(description="Short name of what the clause says.")

    def to_clause(self) -> Clause:
        """The frozen domain form used in decisions."""
        return Clause(ref=self.ref, title=self.title)


class CategoryRule(_Strict):
    """What a finding in one category triggers under this policy."""

    clause: ClauseRef
    hide: bool = Field(description="Hide the public contact at once.")
    ladder: bool = Field(description="Counts as an incident that moves the person up the ladder.")
    notify: bool = Field(
        default=True, description="Tell the author privately why it was hidden (if not warned)."
    )


class StepRule(_Strict):
    """One rung of the ladder: its clause and who must approve it (None: no approval)."""

    clause: ClauseRef
    approval: Role | None = None


Protocol = Literal[
    "one_contact_method",
    "single_point_of_contact",
    "set_times",
    "topics_limited",
    "third_party_only",
    "end_direct_contact",
]

PROTOCOL_TERMS: dict[str, str] = {
    "one_contact_method": "contact us by one method only (in writing)",
    "single_point_of_contact": "all contact goes through one named member of staff",
    "set_times": "we will take your calls and messages only at set times",
    "topics_limited": "we will deal with a limited number of issues in a given period",
    "third_party_only": "contact us through a representative or third party only",
    "end_direct_contact": "all direct contact has ended; contact us in writing only, or "
    "through a representative",
}


class RestrictionRule(StepRule):
    """The last rung: a communication protocol, with the terms proposed by default."""

    default_protocol: tuple[Protocol, ...] = ("one_contact_method", "single_point_of_contact")


class Ladder(_Strict):
    """The escalation ladder: initial warning, formal warning, assessment, restriction."""

    initial_warning: StepRule
    formal_warning: StepRule
    assessment: StepRule
    restriction: RestrictionRule
    warning_channel: Literal["private", "public", "both"] = "private"

    def rule(self, step: LadderStep) -> StepRule:
        """The rule for one step (NONE has none)."""
        return getattr(self, step.value)


class ThreatRule(_Strict):
    """Threats or use of violence skip the ladder in every profile."""

    clause: ClauseRef
    end_contact_approval: Role
    police_referral_role: Role


class UnidentifiedRule(_Strict):
    """What may be done when nobody can tie the account to a tenancy (platform actions only)."""

    clause: ClauseRef
    warnings_before_block: int = Field(ge=1, le=10)
    block_clause: ClauseRef
    block_connected_pseudonyms: bool = Field(
        default=False,
        description="Block accounts staff confirm are pseudonyms of a blocked one.",
    )


class VulnerabilityRule(_Strict):
    """Recorded vulnerability or reasonable adjustments: a human decides, never the bot."""

    clause: ClauseRef
    decider: Role


class ComplaintRule(_Strict):
    """A hidden contact that also raises a service issue is routed, never lost."""

    clause: ClauseRef


class Appeals(_Strict):
    """Who hears an appeal and how long each side has, in working days."""

    clause: ClauseRef
    decider: Role
    window_working_days: int | None = Field(default=None, ge=1)
    decide_within_working_days: int = Field(ge=1)
    restrictions_stay_during_appeal: bool = True
    calendar: Literal["england-and-wales", "scotland"] = "england-and-wales"
    route: str = Field(description="What the letter tells the person about appealing.")


class Reviews(_Strict):
    """How long a restriction runs before review."""

    clause: ClauseRef
    restriction_review_months: int = Field(ge=1, le=36)
    reviewer: Role


class PolicyProfile(_Strict):
    """A whole policy, as `config/policies/<name>.yaml` declares it."""

    name: str
    landlord: str
    policy: str = Field(description="The document's title, used when citing clauses.")
    source: str = Field(description="The policy text this profile encodes.")
    ombudsman: str | None = Field(
        default="Housing Ombudsman", description="The ombudsman messages mention, if any."
    )
    hide_action: Literal["hide", "delete"] = "hide"
    roles: tuple[Role, ...]
    categories: dict[Category, CategoryRule]
    ladder: Ladder
    threats: ThreatRule
    unidentified: UnidentifiedRule
    vulnerability: VulnerabilityRule
    complaints: ComplaintRule
    appeals: Appeals
    reviews: Reviews
    cases_stop_counting_after_months: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _roles_are_declared(self) -> PolicyProfile:
        """Every approver the profile names must be one of its own roles."""
        used: list[tuple[str, Role | None]] = [
            ("ladder.initial_warning.approval", self.ladder.initial_warning.approval),
            ("ladder.formal_warning.approval", self.ladder.formal_warning.approval),
            ("ladder.assessment.approval", self.ladder.assessment.approval),
            ("ladder.restriction.approval", self.ladder.restriction.approval),
            ("threats.end_contact_approval", self.threats.end_contact_approval),
            ("threats.police_referral_role", self.threats.police_referral_role),
            ("vulnerability.decider", self.vulnerability.decider),
            ("appeals.decider", self.appeals.decider),
            ("reviews.reviewer", self.reviews.reviewer),
        ]
        for path, role in used:
            if role is not None and role not in self.roles:
                declared = ", ".join(r.value for r in self.roles)
                raise ValueError(
                    f"{path} names role '{role.value}', which this profile does not declare "
                    f"in 'roles' ({declared})"
                )
        missing = [c.value for c in Category if c not in self.categories]
        if missing:
            raise ValueError(f"categories must cover every category; missing: {missing}")
        for category, rule in self.categories.items():
            if category.is_behaviour and rule.hide:
                raise ValueError(
                    f"categories.{category.value}.hide: behaviour is a pattern over time, "
                    "never a reason to hide one contact"
                )
        for step in FORMAL_STEPS:
            if self.ladder.rule(step).approval is None:
                raise ValueError(
                    f"ladder.{step.value}.approval is empty: formal steps always need an approver"
                )
        return self

    def cite(self, clause: Clause) -> str:
        """Cite a clause of this policy the way a housing officer would."""
        return clause.cite(self.policy)
