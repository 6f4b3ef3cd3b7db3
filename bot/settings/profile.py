"""Policy profiles: one landlord policy's ladder, approvers, periods and clauses, as data.

A profile is YAML under `config/policies/` validated here with `extra="forbid"`, so a profile
that names an unknown step, category or role fails config loading with its key path instead of
surprising anyone at run time.

Who may do what is always a list of roles the profile names (`[head-of-service, executive]`),
never "this rank or higher": a policy can reserve a step to exactly one body (Hanover 5.2: a
member of the Senior Management Team). Values the policy itself does not state are listed
under `landlord_choices` with the reason, so `modbot config check` can show a landlord every
choice made on their behalf.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.domain import Clause, LadderStep, Role
from filters.base import Category


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_roles(value: Any) -> Any:
    """A single role may be written on its own; it means exactly that role."""
    return (value,) if isinstance(value, str) else value


Roles = Annotated[tuple[Role, ...], BeforeValidator(_as_roles), Field(min_length=1)]

# Which letters a policy's appeal route is printed in.
LetterKind = Literal["notice", "initial_warning", "formal_warning", "restriction", "review_outcome"]


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
    approval: Roles | None = None


Protocol = Literal[
    "one_contact_method",
    "single_point_of_contact",
    "set_times",
    "topics_limited",
    "third_party_only",
    "end_direct_contact",
]

# What each protocol term means, as staff see it. The letter to the tenant words each term
# with the single point of contact's name, method and times (bot.decide.letters).
PROTOCOL_TERMS: dict[str, str] = {
    "one_contact_method": "contact by one method only",
    "single_point_of_contact": "all contact through one named member of staff",
    "set_times": "calls and messages answered only at set times",
    "topics_limited": "a limited number of issues dealt with in a given period",
    "third_party_only": "contact through a representative or third party only",
    "end_direct_contact": "direct contact with staff ended; writing or a representative only",
}


class RestrictionRule(StepRule):
    """The last rung: a communication protocol, with the terms proposed by default."""

    default_protocol: tuple[Protocol, ...] = ("one_contact_method", "single_point_of_contact")


class Ladder(_Strict):
    """The escalation ladder: initial warning, formal warning, assessment, restriction.

    A policy without a formal warning (Hanover: a warning letter, then the response agreed in
    the register) leaves `formal_warning` out, and the ladder goes from the initial warning
    straight to the assessment.
    """

    initial_warning: StepRule
    formal_warning: StepRule | None = None
    assessment: StepRule
    restriction: RestrictionRule
    warning_channel: Literal["private", "public", "both"] = "private"

    def rule(self, step: LadderStep) -> StepRule:
        """The rule for one step the profile has.

        Raises:
            KeyError: the profile has no such step.
        """
        rule = getattr(self, step.value, None)
        if rule is None:
            raise KeyError(step.value)
        return rule

    @property
    def steps(self) -> tuple[LadderStep, ...]:
        """The rungs this policy has, lowest first."""
        return tuple(
            step
            for step in (
                LadderStep.INITIAL_WARNING,
                LadderStep.FORMAL_WARNING,
                LadderStep.ASSESSMENT,
                LadderStep.RESTRICTION,
            )
            if getattr(self, step.value, None) is not None
        )

    def next_step(self, issued: LadderStep) -> LadderStep | None:
        """The rung after `issued` under this policy (None once a restriction is in force)."""
        for step in self.steps:
            if step.rank > issued.rank:
                return step
        return None


class PoliceRule(_Strict):
    """What the policy says about the police when violence is threatened.

    `report`: the policy says such threats are (always) reported; the task is to report them,
    with what to tell the police, and only a manager's recorded reason closes it otherwise.
    `decide`: the policy leaves it to judgement; the task is to decide. The bot never contacts
    the police itself.
    """

    clause: ClauseRef
    duty: Literal["report", "decide"]
    roles: Roles


class ThreatRule(_Strict):
    """Threats or use of violence skip the ladder in every profile."""

    clause: ClauseRef
    end_contact_approval: Roles
    police: PoliceRule


class UnidentifiedRule(_Strict):
    """What may be done when nobody can tie the account to a tenancy (platform actions only)."""

    clause: ClauseRef
    warning_clause: ClauseRef | None = Field(
        default=None,
        description="What a warning to an unidentified account cites (default: the initial "
        "warning's clause).",
    )
    warnings_before_block: int = Field(ge=1, le=10)
    block_clause: ClauseRef
    block_approval: Roles | None = Field(
        default=None,
        description="Who must approve a block; None only where the policy itself provides "
        "for blocking (Derby 11.6, Hanover 5.6).",
    )
    tell_when_blocked: bool = Field(
        default=False, description="Tell the person privately that they are being blocked."
    )
    block_connected_pseudonyms: bool = Field(
        default=False,
        description="Block accounts staff confirm are pseudonyms of a blocked one.",
    )


class VulnerabilityRule(_Strict):
    """Recorded vulnerability or reasonable adjustments: a human decides, never the bot."""

    clause: ClauseRef
    decider: Roles


class ComplaintRule(_Strict):
    """A contact that raises a service issue is routed to staff, whatever else is done."""

    clause: ClauseRef


class Appeals(_Strict):
    """How a person appeals, who hears it, and the deadlines the policy sets (if any)."""

    clause: ClauseRef
    decider: Roles | None = Field(
        description="Who hears an appeal; None when the landlord hears none itself "
        "(Hanover 6.7: the appeal is to the SPSO)."
    )
    window_working_days: int | None = Field(default=None, ge=1)
    decide_within_working_days: int | None = Field(default=None, ge=1)
    restrictions_stay_during_appeal: bool = True
    calendar: Literal["england-and-wales", "scotland"] = "england-and-wales"
    route: str = Field(description="How to appeal, in the words a letter uses.")
    after: str = Field(default="", description="Where to go if still dissatisfied.")
    letters: tuple[LetterKind, ...] = Field(
        description="The letters that carry the appeal route (the decisions the policy lets "
        "a person appeal)."
    )


class Reviews(_Strict):
    """How long a restriction lasts, and when and by whom it is reviewed."""

    clause: ClauseRef
    restriction_review_months: int | None = Field(ge=1, le=36)
    reviewer: Roles
    lapse_after_months: int | None = Field(
        default=None,
        ge=1,
        le=36,
        description="The restriction ends by itself this long after the letter (Selwood).",
    )
    explain_when_continued: bool = Field(
        default=False, description="A continued restriction's letter must say why (Hanover 6.6)."
    )


class CaseRules(_Strict):
    """When a person's warnings stop counting toward the ladder."""

    clause: ClauseRef
    close_after_quiet_months: int | None = Field(
        default=None, ge=1, description="The scheduler closes a case with no incident this long."
    )
    closed_cases_count_for_months: int | None = Field(
        default=None, ge=1, description="A closed case still counts this long (HS 6.5.3)."
    )


class LetterRules(_Strict):
    """Sentences a policy requires in its letters."""

    abusive_language: str = Field(
        default="",
        description="What the policy says to someone whose correspondence is abusive "
        "(Housing Solutions 6.3.3, Hanover 5.5).",
    )
    policy_enclosed: bool = Field(
        default=False,
        description="The first warning letter gives the policy (Hanover 6.2); needs "
        "organisation.policy_url.",
    )
    invoked_on_letter_date: bool = Field(
        default=False,
        description="The restriction letter's date is the date the policy is invoked "
        "(Hanover 6.3).",
    )


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
    role_titles: dict[Role, str] = Field(
        default_factory=dict, description="What the policy calls each role, for letters."
    )
    categories: dict[Category, CategoryRule]
    ladder: Ladder
    threats: ThreatRule
    unidentified: UnidentifiedRule
    vulnerability: VulnerabilityRule
    complaints: ComplaintRule
    appeals: Appeals
    reviews: Reviews
    cases: CaseRules
    letters: LetterRules = LetterRules()
    landlord_choices: dict[str, str] = Field(
        default_factory=dict,
        description="Key paths of values the policy does not state, each with why: the "
        "landlord's own choices, listed by `modbot config check`.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PolicyProfile:
        """Roles are declared, every category is covered, formal steps have approvers."""
        used: list[tuple[str, tuple[Role, ...] | None]] = [
            (f"ladder.{step.value}.approval", self.ladder.rule(step).approval)
            for step in self.ladder.steps
        ]
        used += [
            ("threats.end_contact_approval", self.threats.end_contact_approval),
            ("threats.police.roles", self.threats.police.roles),
            ("unidentified.block_approval", self.unidentified.block_approval),
            ("vulnerability.decider", self.vulnerability.decider),
            ("appeals.decider", self.appeals.decider),
            ("reviews.reviewer", self.reviews.reviewer),
        ]
        declared = ", ".join(r.value for r in self.roles)
        for path, roles in used:
            for role in roles or ():
                if role not in self.roles:
                    raise ValueError(
                        f"{path} names role '{role.value}', which this profile does not "
                        f"declare in 'roles' ({declared})"
                    )
        if Role.ADMIN in self.roles:
            raise ValueError("roles: 'admin' runs the system and decides nothing under a policy")
        missing = [c.value for c in Category if c not in self.categories]
        if missing:
            raise ValueError(f"categories must cover every category; missing: {missing}")
        for category, rule in self.categories.items():
            if category.is_behaviour and rule.hide:
                raise ValueError(
                    f"categories.{category.value}.hide: behaviour is a pattern over time, "
                    "never a reason to hide one contact"
                )
        for step in self.ladder.steps:
            if step is not LadderStep.INITIAL_WARNING and self.ladder.rule(step).approval is None:
                raise ValueError(
                    f"ladder.{step.value}.approval is empty: formal steps always need an approver"
                )
        if self.reviews.restriction_review_months is None and not self.reviews.lapse_after_months:
            raise ValueError(
                "reviews: a restriction needs a review period or a lapse date; none may be "
                "indefinite"
            )
        if self.appeals.decider is None and self.appeals.decide_within_working_days:
            raise ValueError(
                "appeals.decide_within_working_days: nobody here hears appeals "
                "(appeals.decider is empty), so there is no deadline to keep"
            )
        data = self.model_dump(mode="python")
        for path in self.landlord_choices:
            if not _has_path(data, path):
                raise ValueError(f"landlord_choices.{path}: no such key in this profile")
        return self

    def cite(self, clause: Clause) -> str:
        """Cite a clause of this policy the way a housing officer would."""
        return clause.cite(self.policy)

    def permits(self, role: Role, allowed: Iterable[Role | str]) -> bool:
        """Whether `role` is one of this profile's roles and one of those `allowed`."""
        return role in self.roles and role in {Role(r) for r in allowed}

    def title(self, role: Role | str) -> str:
        """What the policy calls a role, e.g. "Head of Governance & Transformation"."""
        role = Role(role)
        return self.role_titles.get(role) or DEFAULT_TITLES[role]

    def describe(self, roles: Iterable[Role | str]) -> str:
        """Roles in words, e.g. "a Head of Service or a member of the Executive Team"."""
        names = [_article(self.title(r)) for r in roles]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " or " + names[-1]


DEFAULT_TITLES: dict[Role, str] = {
    Role.COMMS: "comms officer",
    Role.MANAGER: "manager",
    Role.HEAD_OF_SERVICE: "Head of Service",
    Role.DIRECTOR: "Director",
    Role.EXECUTIVE: "member of the Executive Team",
    Role.SMT: "member of the Senior Management Team",
    Role.ADMIN: "administrator",
}


def _article(title: str) -> str:
    if title.lower().startswith("the "):  # one office: "the Head of Governance"
        return title
    return f"{'an' if title[:1].lower() in 'aeiou' else 'a'} {title}"


def _has_path(data: Any, path: str) -> bool:
    node = data
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and any(str(k) == part for k in node):
            node = next(v for k, v in node.items() if str(k) == part)
        else:
            return False
    return True
