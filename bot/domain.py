"""The bot's own words (docs/architecture.md, "Words we use") as plain, frozen data.

The words a connector speaks (contact, account, platform action, receipt, platform errors)
live in `platforms/base.py`, and those a filter speaks (category, finding, span) in
`filters/base.py`; these are the policy's: roles, planned actions, decisions, the ladder.
Nothing here imports an SDK or the ORM, which is what lets `decide` be pure and a dry run
(`modbot replay`, `modbot scan`) touch nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from filters.base import Finding
from platforms.base import PlatformAction

MAX_ROW_ID = 2**63 - 1
"""The largest row id either database holds (a signed 64-bit integer)."""


class Role(enum.StrEnum):
    """Staff roles that the policy profiles name as approvers and appeal deciders."""

    COMMS = "comms"
    MANAGER = "manager"
    HEAD_OF_SERVICE = "head-of-service"
    DIRECTOR = "director"
    EXECUTIVE = "executive"
    SMT = "smt"
    ADMIN = "admin"


class ActionKind(enum.StrEnum):
    """Everything the policy engine can plan.

    Platform actions go through a connector; the rest are work for staff (manual tasks) or
    entries in the register that take effect once approved.
    """

    HIDE = "hide"
    DELETE = "delete"
    PUBLIC_WARNING = "public_warning"
    PRIVATE_WARNING = "private_warning"
    NOTICE = "notice"
    BLOCK = "block"
    MUTE = "mute"
    REPORT = "report"
    FORMAL_WARNING = "formal_warning"
    ASSESSMENT = "assessment"
    RESTRICTION = "restriction"
    POLICE_REFERRAL_DECISION = "police_referral_decision"
    POLICE_REPORT = "police_report"
    ROUTE_COMPLAINT = "route_complaint"
    REVIEW_LETTER = "review_letter"
    APPEAL_LETTER = "appeal_letter"
    UNHIDE = "unhide"
    UNBLOCK = "unblock"

    @property
    def on_platform(self) -> PlatformAction | None:
        """What a connector does to carry it out; None for work that is staff's alone."""
        return ON_PLATFORM.get(self)

    @property
    def is_platform_action(self) -> bool:
        """Whether a connector performs this action (as opposed to staff)."""
        return self in ON_PLATFORM

    @property
    def is_formal(self) -> bool:
        """Formal steps need an identified person (Derby Homes 11.4) and an approver."""
        return self in (ActionKind.FORMAL_WARNING, ActionKind.ASSESSMENT, ActionKind.RESTRICTION)

    @property
    def is_idempotent(self) -> bool:
        """Whether doing it twice is harmless; messages are not, so they are never resent."""
        action = ON_PLATFORM.get(self)
        return action is None or not action.sends


# Each written message (a warning, a notice, a restriction letter, the outcome of a review or
# an appeal) is a private message or a public reply on the platform; the rest are the
# platform's own moderation actions.
ON_PLATFORM: Mapping[ActionKind, PlatformAction] = {
    ActionKind.HIDE: PlatformAction.HIDE,
    ActionKind.DELETE: PlatformAction.DELETE,
    ActionKind.PUBLIC_WARNING: PlatformAction.REPLY,
    ActionKind.PRIVATE_WARNING: PlatformAction.MESSAGE,
    ActionKind.NOTICE: PlatformAction.MESSAGE,
    ActionKind.FORMAL_WARNING: PlatformAction.MESSAGE,
    ActionKind.RESTRICTION: PlatformAction.MESSAGE,
    ActionKind.REVIEW_LETTER: PlatformAction.MESSAGE,
    ActionKind.APPEAL_LETTER: PlatformAction.MESSAGE,
    ActionKind.BLOCK: PlatformAction.BLOCK,
    ActionKind.MUTE: PlatformAction.MUTE,
    ActionKind.REPORT: PlatformAction.REPORT,
    ActionKind.UNHIDE: PlatformAction.UNHIDE,
    ActionKind.UNBLOCK: PlatformAction.UNBLOCK,
}


class ActionState(enum.StrEnum):
    """The life of an action row (docs/architecture.md, "Act")."""

    PLANNED = "planned"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"
    MANUAL_TASK = "manual_task"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class LadderStep(enum.StrEnum):
    """The escalation ladder shared by the policies, lowest first."""

    NONE = "none"
    INITIAL_WARNING = "initial_warning"
    FORMAL_WARNING = "formal_warning"
    ASSESSMENT = "assessment"
    RESTRICTION = "restriction"

    @property
    def rank(self) -> int:
        """Position on the ladder, for comparisons."""
        return list(LadderStep).index(self)


DELIVERS: Mapping[LadderStep, frozenset[ActionKind]] = {
    LadderStep.INITIAL_WARNING: frozenset({ActionKind.PRIVATE_WARNING, ActionKind.PUBLIC_WARNING}),
    LadderStep.FORMAL_WARNING: frozenset({ActionKind.FORMAL_WARNING}),
    LadderStep.ASSESSMENT: frozenset({ActionKind.ASSESSMENT}),
    LadderStep.RESTRICTION: frozenset({ActionKind.RESTRICTION}),
}


def rung(kind: ActionKind, decision_step: LadderStep) -> LadderStep:
    """The ladder rung an action delivers, if any.

    Warnings count as the initial warning only when the decision was that rung (a hidden
    comment's notice is not a warning); formal warnings, assessments and restrictions are
    their own rung whatever planned them (a restriction may come from an assessment, or
    from a threat, which skips the ladder).
    """
    if kind in DELIVERS[LadderStep.INITIAL_WARNING]:
        return decision_step if decision_step is LadderStep.INITIAL_WARNING else LadderStep.NONE
    for step in (LadderStep.FORMAL_WARNING, LadderStep.ASSESSMENT, LadderStep.RESTRICTION):
        if kind in DELIVERS[step]:
            return step
    return LadderStep.NONE


@dataclass(frozen=True, slots=True)
class Clause:
    """A reference into the landlord's policy, quoted the way a housing officer would."""

    ref: str
    title: str

    def cite(self, policy: str) -> str:
        """Render as e.g. "Housing Solutions UCB policy 6.5.1 (Initial warning)"."""
        return f"{policy} {self.ref} ({self.title})" if self.ref else f"{policy} ({self.title})"


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing the decision says to do, with the clause it rests on.

    `reason` is for staff (the register, `modbot explain`); only `message` reaches the
    person. `approvers` are the roles that may approve it (or, for staff's own work, do it);
    `facts` are what a letter written later (a restriction's) may say: the behaviour in plain
    words, the clause it breaches, what was done to the contact.
    """

    kind: ActionKind
    clause: Clause
    reason: str
    needs_approval: bool = False
    approvers: tuple[Role, ...] = ()
    message: str = ""
    evidence: tuple[str, ...] = ()
    protocol: tuple[str, ...] = ()
    facts: Mapping[str, object] = field(default_factory=dict)

    @property
    def approver(self) -> Role | None:
        """The first role named, for display ("needs a manager")."""
        return self.approvers[0] if self.approvers else None


@dataclass(frozen=True, slots=True)
class NotFired:
    """Why a rule that could have applied did not: the "why not" half of an explanation."""

    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy engine decided for one contact: data, not side effects."""

    outcome: str
    summary: str
    step: LadderStep
    identified: bool
    findings: tuple[Finding, ...]
    actions: tuple[PlannedAction, ...]
    not_fired: tuple[NotFired, ...] = ()
    profile: str = ""
    incident: bool = False

    @property
    def acted(self) -> bool:
        """Whether anything at all was planned."""
        return bool(self.actions)


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """Reasonable-adjustment or vulnerability notes on a tenancy record."""

    notes: str
    support_contact: str = ""


@dataclass(frozen=True, slots=True)
class PersonState:
    """What the engine knows about the person (or unidentified account) behind a contact.

    Built by the pipeline from the store before deciding, so `decide` needs no I/O.
    """

    identified: bool
    subject: str
    tenancy_ref: str = ""
    step_issued: LadderStep = LadderStep.NONE
    step_pending: LadderStep = LadderStep.NONE
    platform_warnings: int = 0
    blocked: bool = False
    open_restriction: bool = False
    vulnerability: Vulnerability | None = None
    incidents: int = 0
    history_notes: tuple[str, ...] = field(default=())
