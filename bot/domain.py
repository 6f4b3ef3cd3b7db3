"""The words of the design (design.md, "Words we use") as plain, frozen data.

Nothing here imports an SDK or the ORM: connectors convert platform items into these types at
their boundary, filters return them, and the policy engine decides on them. Keeping them plain
is what lets `decide` be pure and a dry run (`modbot replay`, `modbot scan`) touch nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Category(enum.StrEnum):
    """What a finding says is wrong with a contact.

    The first six are text categories (shared/data/README.md); the last three are behaviour
    categories that come from a person's history, not from one text.
    """

    PROFANITY = "profanity"
    ABUSE = "abuse"
    THREAT = "threat"
    DISCRIMINATION = "discrimination"
    ALLEGATION = "allegation"
    HARASSMENT = "harassment"
    EXCESSIVE_CONTACT = "excessive_contact"
    PERSISTENCE = "persistence"
    DEMANDS = "demands"

    @property
    def is_behaviour(self) -> bool:
        """Whether this category is about a pattern of contact rather than one text."""
        return self in BEHAVIOUR_CATEGORIES


TEXT_CATEGORIES: tuple[Category, ...] = (
    Category.PROFANITY,
    Category.ABUSE,
    Category.THREAT,
    Category.DISCRIMINATION,
    Category.ALLEGATION,
    Category.HARASSMENT,
)
BEHAVIOUR_CATEGORIES: frozenset[Category] = frozenset(
    {Category.EXCESSIVE_CONTACT, Category.PERSISTENCE, Category.DEMANDS}
)


class ContactKind(enum.StrEnum):
    """How a contact reached the landlord's account."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    MENTION = "mention"
    PRIVATE_MESSAGE = "private_message"

    @property
    def is_public(self) -> bool:
        """Public contacts can be hidden and answered in public; private ones cannot."""
        return self is not ContactKind.PRIVATE_MESSAGE


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as a platform shows it: who wrote a contact."""

    platform: str
    platform_user_id: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """One thing a person posted to or sent the landlord's account."""

    connector: str
    platform: str
    external_id: str
    account: AccountRef
    kind: ContactKind
    text: str
    created_at: datetime
    permalink: str = ""
    thread_id: str = ""
    parent_id: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of character offsets into `Contact.text`."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found in one contact (or in a person's recent history).

    `evidence` is the matched text or a short description of the pattern; `rule` names the
    rule or feature so a comms officer can see *why* it fired.
    """

    category: Category
    rule: str
    score: float
    spans: tuple[Span, ...] = ()
    evidence: str = ""


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
    ROUTE_COMPLAINT = "route_complaint"
    UNHIDE = "unhide"
    UNBLOCK = "unblock"

    @property
    def is_platform_action(self) -> bool:
        """Whether a connector performs this action (as opposed to staff)."""
        return self in PLATFORM_ACTIONS

    @property
    def is_formal(self) -> bool:
        """Formal steps need an identified person (Derby Homes 11.4) and an approver."""
        return self in FORMAL_ACTIONS

    @property
    def is_idempotent(self) -> bool:
        """Whether doing it twice is harmless; messages are not, so they are never resent."""
        return self not in MESSAGE_ACTIONS


PLATFORM_ACTIONS: frozenset[ActionKind] = frozenset(
    {
        ActionKind.HIDE,
        ActionKind.DELETE,
        ActionKind.PUBLIC_WARNING,
        ActionKind.PRIVATE_WARNING,
        ActionKind.NOTICE,
        ActionKind.BLOCK,
        ActionKind.MUTE,
        ActionKind.REPORT,
        ActionKind.FORMAL_WARNING,
        ActionKind.UNHIDE,
        ActionKind.UNBLOCK,
    }
)
FORMAL_ACTIONS: frozenset[ActionKind] = frozenset(
    {ActionKind.FORMAL_WARNING, ActionKind.ASSESSMENT, ActionKind.RESTRICTION}
)
MESSAGE_ACTIONS: frozenset[ActionKind] = frozenset(
    {
        ActionKind.PUBLIC_WARNING,
        ActionKind.PRIVATE_WARNING,
        ActionKind.NOTICE,
        ActionKind.FORMAL_WARNING,
    }
)


class ActionState(enum.StrEnum):
    """The life of an action row (design.md, "Act")."""

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
    """One thing the decision says to do, with the clause it rests on."""

    kind: ActionKind
    clause: Clause
    reason: str
    needs_approval: bool = False
    approver: Role | None = None
    message: str = ""
    evidence: tuple[str, ...] = ()
    protocol: tuple[str, ...] = ()


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
class ActionReceipt:
    """What a connector reports back after performing an action."""

    ok: bool
    platform_ref: str = ""
    detail: str = ""


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
