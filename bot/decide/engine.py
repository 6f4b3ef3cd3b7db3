"""The policy engine: findings plus what we know of the person, in; a Decision, out.

`PolicyEngine.decide` is pure. It reads no database and calls no platform, so a dry run
(`modbot scan`, `modbot replay`) is just `decide` without the runner. Every decision carries its
reasons: the findings, the ladder step, each planned action with its clause and approvers, and
why the rules that did not fire did not.

The shape every profile shares (docs/architecture.md):
  * Acceptable text, however angry, gets nothing.
  * A contact that raises a service issue (repairs, damp, rent...) is routed to staff with its
    text, whatever else is done: hidden or not, public or private, identified or not.
  * Threats skip the ladder: hide at once, end direct contact (an approver decides), and the
    police task the profile says: report it (Housing Solutions 6.3.1, Hanover 5.5, Selwood),
    or decide whether to. The bot never contacts the police.
  * Other ladder categories move an identified person one rung per incident *after* the
    previous rung was delivered, along the rungs the profile has. Formal rungs wait for the
    approvers the profile names.
  * Nobody identified: platform actions only (warn, hide, block), never formal steps; a block
    waits for an approver where the policy never provides for blocking.
  * Recorded vulnerability or adjustments: hide still protects staff, but every warning or
    block waits for a human.

Messages are rendered here from facts about this decision only: a message says a comment was
hidden (or deleted) only when this decision hides (or deletes) it, and that an issue was passed
to staff only when this decision routes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.decide.letters import clause_ref, closing, letter_clause
from bot.decide.messages import WHERE, Messages, describe
from bot.domain import (
    ActionKind,
    Clause,
    Decision,
    LadderStep,
    NotFired,
    PersonState,
    PlannedAction,
    Role,
)
from bot.settings.profile import LetterKind, PolicyProfile
from filters.base import TEXT_CATEGORIES, Category, Finding, reaches
from filters.classifier import Classification
from platforms.base import Contact

# Most severe first: the clause of the most severe category is cited for hide and warn.
SEVERITY: tuple[Category, ...] = (
    Category.THREAT,
    Category.HARASSMENT,
    Category.DISCRIMINATION,
    Category.ABUSE,
    Category.ALLEGATION,
    Category.PROFANITY,
    Category.EXCESSIVE_CONTACT,
    Category.PERSISTENCE,
    Category.DEMANDS,
)

# Language the policies call abusive correspondence (Housing Solutions 6.3.3, Hanover 5.5).
ABUSIVE_LANGUAGE = frozenset(
    {
        Category.PROFANITY,
        Category.ABUSE,
        Category.DISCRIMINATION,
        Category.ALLEGATION,
        Category.HARASSMENT,
    }
)

REMOVED = {ActionKind.HIDE: "hidden", ActionKind.DELETE: "deleted"}


@dataclass(frozen=True)
class PolicyEngine:
    """Decides, for one contact at a time, what the configured policy says to do."""

    profile: PolicyProfile
    thresholds: Mapping[Category, float]
    messages: Messages

    def decide(
        self,
        contact: Contact,
        classification: Classification,
        state: PersonState,
        behaviour: Sequence[Finding] = (),
    ) -> Decision:
        """The decision for `contact`, given its classification and the person's state.

        `behaviour` holds the behaviour detectors' findings for this contact (excessive
        contact, persistence, demands); they feed the ladder but never hide anything.
        """
        not_fired: list[NotFired] = []
        counted = self._counted(classification, not_fired)
        for finding in behaviour:
            counted.setdefault(finding.category, []).append(finding)
        if not counted:
            return self._acceptable(classification, state, not_fired)
        categories = [c for c in SEVERITY if c in counted]
        plan = _Plan(self, contact, classification, state, categories, not_fired, behaviour)
        plan.route()
        if Category.THREAT in categories:
            plan.threat()
        elif any(self.profile.categories[c].ladder for c in categories):
            plan.ladder()
        else:
            plan.hide_only()
        return plan.decision()

    def _counted(
        self, classification: Classification, not_fired: list[NotFired]
    ) -> dict[Category, list[Finding]]:
        counted: dict[Category, list[Finding]] = {}
        for category in TEXT_CATEGORIES:
            score = classification.scores.get(category, 0.0)
            threshold = self.thresholds[category]
            if reaches(score, category, self.thresholds):
                counted[category] = [f for f in classification.findings if f.category == category]
            elif score > 0:
                not_fired.append(
                    NotFired(
                        category.value,
                        f"score {score:.2f} is below the {category.value} threshold "
                        f"{threshold:.2f}",
                    )
                )
        return counted

    def _acceptable(
        self, classification: Classification, state: PersonState, not_fired: list[NotFired]
    ) -> Decision:
        if classification.issues:
            topics = ", ".join(i.topic for i in classification.issues)
            not_fired.append(
                NotFired(
                    "acceptable",
                    f"raises {topics}: forceful complaining is acceptable under every policy; "
                    "nothing is done to it, so staff answer it where it was posted",
                )
            )
        return Decision(
            outcome="acceptable",
            summary="Nothing unacceptable found; no action.",
            step=LadderStep.NONE,
            identified=state.identified,
            findings=classification.findings,
            actions=(),
            not_fired=tuple(not_fired),
            profile=self.profile.name,
        )


class _Plan:
    """Builds one decision's actions; a helper of `PolicyEngine.decide`, never stored."""

    def __init__(
        self,
        engine: PolicyEngine,
        contact: Contact,
        classification: Classification,
        state: PersonState,
        categories: list[Category],
        not_fired: list[NotFired],
        behaviour: Sequence[Finding] = (),
    ) -> None:
        self.engine = engine
        self.findings = (*classification.findings, *behaviour)
        self.behaviour_only = all(c.is_behaviour for c in categories)
        self.profile = engine.profile
        self.contact = contact
        self.classification = classification
        self.state = state
        self.categories = categories
        self.not_fired = not_fired
        self.actions: list[PlannedAction] = []
        self.step = LadderStep.NONE
        self.outcome = ""
        self.summary = ""
        self.removed = ""  # "hidden" or "deleted", once this decision does it
        self.routed: list[str] = []  # the issues this decision routes to staff
        self.incident = Category.THREAT in categories or any(
            self.profile.categories[c].ladder for c in categories
        )
        top = self.profile.categories[categories[0]]
        self.clause = top.clause.to_clause()
        self.behaviour = describe(categories)
        self.evidence = tuple(
            f"{f.category.value}: {f.evidence!r} ({f.rule})"
            for c in categories
            for f in self.findings
            if f.category == c
        )

    # --- the three shapes -------------------------------------------------------------

    def threat(self) -> None:
        rule = self.profile.threats
        clause = rule.clause.to_clause()
        self.hide()
        if self.state.identified:
            self._add(
                ActionKind.RESTRICTION,
                clause,
                f"Threats skip the ladder ({self.profile.cite(clause)}): end all direct "
                f"contact, once {self.profile.describe(rule.end_contact_approval)} agrees.",
                approvers=rule.end_contact_approval,
                protocol=("end_direct_contact",),
                facts=self._facts(),
            )
        elif not self.state.blocked:
            # Blocking is how direct contact ends with an account nobody can identify: where
            # the policy never provides for blocking, the approvers of ending contact decide.
            self._block(
                f"Threat from an account nobody can identify ({self.profile.cite(clause)}): "
                "block it so it cannot contact staff again (the platform action available).",
                clause=clause,
                approvers=rule.end_contact_approval
                if self.profile.unidentified.block_approval
                else (),
                warned=False,
            )
        police = rule.police
        police_clause = police.clause.to_clause()
        if police.duty == "report":
            self._add(
                ActionKind.POLICE_REPORT,
                police_clause,
                f"Report this threat to the police: the policy says threats of violence are "
                f"reported ({self.profile.cite(police_clause)}). Not reporting it needs "
                f"{self.profile.describe(police.roles)}'s recorded reason. The bot never "
                "contacts the police itself.",
                approvers=police.roles,
                needs_approval=False,
            )
        else:
            self._add(
                ActionKind.POLICE_REFERRAL_DECISION,
                police_clause,
                f"Decide whether to report this threat to the police "
                f"({self.profile.cite(police_clause)}); the bot never contacts the police "
                "itself.",
                approvers=police.roles,
                needs_approval=False,
            )
        self.not_fired.append(
            NotFired("ladder", "threats skip the warning ladder in every policy profile")
        )
        self.outcome = "threat escalated"
        self.summary = (
            f"Threat: {self.removed or 'noted'} at once and escalated; police: "
            f"{'report' if police.duty == 'report' else 'a person decides'}."
        )

    def ladder(self) -> None:
        self.hide()
        issued, pending = self.state.step_issued, self.state.step_pending
        if pending is not LadderStep.NONE:
            self.not_fired.append(
                NotFired(
                    "ladder",
                    f"{_words(pending)} is already under way; this incident is added to the "
                    "case rather than stepping up again before it is delivered",
                )
            )
            self.outcome = "incident recorded"
            self.summary = f"Incident recorded; {_words(pending)} already under way."
            return
        if not self.state.identified:
            if self.behaviour_only:
                self.not_fired.append(
                    NotFired(
                        "behaviour",
                        "patterns of contact need an identified person before anything is "
                        "done about them; noted only",
                    )
                )
                self.outcome = "noted"
                self.summary = "Pattern of contact noted; the account is not identified."
                return
            self._unidentified()
            return
        step = self.profile.ladder.next_step(issued)
        if step is None:
            self.not_fired.append(
                NotFired(
                    "ladder",
                    "a restriction is already in force; its reviewer sees this incident",
                )
            )
            self.outcome = "incident recorded"
            self.summary = "Incident recorded against the restriction in force."
            return
        self.step = step
        rule = self.profile.ladder.rule(step)
        clause = rule.clause.to_clause()
        approvers = rule.approval or ()
        if self.behaviour_only and not approvers:
            approvers = self.profile.vulnerability.decider
            self.not_fired.append(
                NotFired(
                    "automatic warning",
                    "a pattern of contact is unacceptable only when it affects the service; "
                    f"{self.profile.describe(approvers)} judges that before anything is sent",
                )
            )
        vulnerable = self.state.vulnerability is not None
        if vulnerable and not approvers:
            approvers = self.profile.vulnerability.decider
            self.not_fired.append(
                NotFired(
                    "automatic warning",
                    "vulnerability or reasonable adjustments recorded "
                    f"({self.state.vulnerability.notes}): "
                    f"{self.profile.describe(approvers)} decides before anything is sent "
                    f"({self.profile.cite(self.profile.vulnerability.clause.to_clause())})",
                )
            )
        if step is LadderStep.INITIAL_WARNING:
            self._warnings(clause, approvers, self._next_words(step))
            self.outcome = "initial warning"
        elif step is LadderStep.FORMAL_WARNING:
            self._add(
                ActionKind.FORMAL_WARNING,
                clause,
                f"Unacceptable behaviour persisted after an initial warning: "
                f"{self._behaviour_cited()}.",
                approvers=approvers,
                message=self._render("formal_warning.txt.j2", clause, "formal_warning"),
                facts=self._facts(),
            )
            self.outcome = "formal warning"
        elif step is LadderStep.ASSESSMENT:
            before = self.profile.ladder.steps[self.profile.ladder.steps.index(step) - 1]
            self._add(
                ActionKind.ASSESSMENT,
                clause,
                f"Unacceptable behaviour ({self.behaviour}) continued after the {_words(before)}"
                f": {self.profile.describe(approvers)} assesses the case (number of incidents, "
                "contact levels, language, the person's needs) before any restriction.",
                approvers=approvers,
                needs_approval=False,
                facts=self._facts(),
            )
            self.outcome = "assessment"
        else:
            self._add(
                ActionKind.RESTRICTION,
                clause,
                f"Unacceptable behaviour ({self.behaviour}) continued after the assessment: "
                "a communication protocol is proposed.",
                approvers=approvers,
                protocol=self.profile.ladder.restriction.default_protocol,
                facts=self._facts(),
            )
            self.outcome = "restriction proposed"
        waiting = any(a.needs_approval for a in self.actions)
        self.summary = f"{_words(step).capitalize()}" + (
            f" awaiting approval by {self.profile.describe(approvers)}."
            if waiting and approvers
            else " planned."
        )

    def hide_only(self) -> None:
        self.hide()
        names = ", ".join(c.value for c in self.categories)
        self.not_fired.append(
            NotFired(
                "ladder",
                f"{names} alone does not count toward the ladder under this profile",
            )
        )
        notify = any(self.profile.categories[c].notify for c in self.categories)
        if self.removed and notify:
            self._add(
                ActionKind.NOTICE,
                self.clause,
                f"Tell the author privately that their {self._where()} was {self.removed} and "
                f"why ({self.behaviour}); this is not a warning.",
                message=self._render("notice.txt.j2", self.clause, "notice"),
            )
        self.outcome = self.removed or "noted"
        self.summary = (
            f"{self.removed.capitalize()} for {self.behaviour}; not a warning."
            if self.removed
            else f"{self.behaviour.capitalize()} in a private message; noted only."
        )

    # --- pieces -----------------------------------------------------------------------

    def route(self) -> None:
        """Route a service issue to staff with the original text, whatever else is done."""
        issues = self.classification.issues
        if not issues:
            return
        self.routed = list(dict.fromkeys(i.topic for i in issues))
        self._add(
            ActionKind.ROUTE_COMPLAINT,
            self.profile.complaints.clause.to_clause(),
            f"The {self._where()} also raises {', '.join(self.routed)}: route it to the right "
            "team with the original text so the issue is not lost.",
            approvers=self.profile.roles,
            needs_approval=False,
        )

    def hide(self) -> None:
        """Hide (or delete, as the profile says) a public contact whose language calls for it."""
        hide = any(self.profile.categories[c].hide for c in self.categories if not c.is_behaviour)
        if not hide:
            return
        if not self.contact.kind.is_public:
            self.not_fired.append(
                NotFired("hide", "a private message cannot be hidden from the public")
            )
            return
        kind = ActionKind.DELETE if self.profile.hide_action == "delete" else ActionKind.HIDE
        self._add(kind, self.clause, f"{self.behaviour.capitalize()} on a public page.")
        self.removed = REMOVED[kind]

    def _unidentified(self) -> None:
        rule = self.profile.unidentified
        self.not_fired.append(
            NotFired(
                "formal steps",
                "the account is not linked to a tenancy, so formal action is not possible; "
                f"platform actions only ({self.profile.cite(rule.clause.to_clause())})",
            )
        )
        if self.state.blocked:
            self.outcome = "incident recorded"
            self.summary = "Account already blocked; incident recorded."
            return
        self.step = LadderStep.INITIAL_WARNING
        if self.state.platform_warnings >= rule.warnings_before_block:
            self._block(
                f"Warned {self.state.platform_warnings} time(s) already on this account; "
                "block it from the page.",
                clause=rule.block_clause.to_clause(),
                approvers=rule.block_approval or (),
                warned=True,
            )
            self.outcome = "blocked" if not rule.block_approval else "block proposed"
            self.summary = "Unidentified account warned before; " + (
                "blocked." if not rule.block_approval else "block awaiting approval."
            )
            return
        clause = (rule.warning_clause or self.profile.ladder.initial_warning.clause).to_clause()
        self._warnings(clause, (), "")
        self.outcome = "platform warning"
        self.summary = "Unidentified account: warned on the platform."

    def _block(
        self, reason: str, *, clause: Clause, approvers: tuple[Role, ...], warned: bool
    ) -> None:
        """Block an unidentified account, telling them first where the policy says so."""
        rule = self.profile.unidentified
        if approvers:
            self.not_fired.append(
                NotFired(
                    "automatic block",
                    "the policy does not provide for blocking, so "
                    f"{self.profile.describe(approvers)} decides before anyone is blocked",
                )
            )
        if rule.tell_when_blocked:
            self._add(
                ActionKind.NOTICE,
                clause,
                f"Tell the account privately that it is being blocked, and why "
                f"({self.profile.cite(clause)}).",
                approvers=approvers,
                message=self._render("block_notice.txt.j2", clause, "notice", warned=warned),
            )
        self._add(ActionKind.BLOCK, clause, reason, approvers=approvers)

    def _warnings(self, clause: Clause, approvers: tuple[Role, ...], consequence: str) -> None:
        channel = self.profile.ladder.warning_channel
        reason = f"First incident of unacceptable behaviour: {self._behaviour_cited()}."
        private = channel in {"private", "both"} or not self.contact.kind.is_public
        if not consequence:  # an unidentified account: platform actions are all that is left
            consequence = "we may block this account from our page"
        if channel in {"public", "both"} and self.contact.kind.is_public:
            self._add(
                ActionKind.PUBLIC_WARNING,
                clause,
                reason,
                approvers=approvers,
                message=self._render(
                    "public_warning.txt.j2", clause, "initial_warning", messaged=private
                ),
                facts=self._facts(),
            )
        if private:
            self._add(
                ActionKind.PRIVATE_WARNING,
                clause,
                reason,
                approvers=approvers,
                message=self._render(
                    "private_warning.txt.j2",
                    clause,
                    "initial_warning",
                    consequence=consequence,
                    policy_link=self._policy_link(),
                ),
                facts=self._facts(),
            )

    def _next_words(self, step: LadderStep) -> str:
        """What the person is told happens if the behaviour continues after `step`."""
        following = self.profile.ladder.next_step(step)
        if following is LadderStep.FORMAL_WARNING:
            return "we may send you a formal warning and could restrict how you contact us"
        return "we may restrict how you can contact us"

    def _policy_link(self) -> str:
        """Where the policy can be read, for a first warning that must give it (Hanover 6.2)."""
        if not self.profile.letters.policy_enclosed or not self.state.identified:
            return ""
        return str(self.engine.messages.organisation.get("policy_url", ""))

    def _add(
        self,
        kind: ActionKind,
        clause: Clause,
        reason: str,
        *,
        approvers: tuple[Role, ...] = (),
        needs_approval: bool | None = None,
        message: str = "",
        protocol: tuple[str, ...] = (),
        facts: Mapping[str, object] | None = None,
    ) -> None:
        if needs_approval is None:
            needs_approval = bool(approvers)
        self.actions.append(
            PlannedAction(
                kind=kind,
                clause=clause,
                reason=reason,
                needs_approval=needs_approval,
                approvers=tuple(approvers),
                message=message,
                evidence=self.evidence,
                protocol=protocol,
                facts=facts or {},
            )
        )

    def _conduct(self) -> str:
        """What the person did, as a letter says it: what a contact held, or a pattern."""
        if self.behaviour_only:
            return f"your recent contact with us amounts to {self.behaviour}"
        return f"your recent {self._where()} included {self.behaviour}"

    def _facts(self) -> dict[str, object]:
        """What a letter written later may say about this contact."""
        return {
            "conduct": self._conduct(),
            "behaviour": self.behaviour,
            "behaviour_clause": letter_clause(self.clause),
            "categories": [c.value for c in self.categories],
            "where": self._where(),
            "removed": self.removed,
        }

    def _behaviour_cited(self) -> str:
        return self.behaviour + f" ({self.profile.cite(self.clause)})"

    def _where(self) -> str:
        return WHERE[self.contact.kind.value]

    def _render(self, template: str, step_clause: Clause, kind: LetterKind, **extra: Any) -> str:
        language = bool(ABUSIVE_LANGUAGE.intersection(self.categories))
        context: dict[str, Any] = {
            "conduct": self._conduct(),
            "pattern": self.behaviour_only,
            "clause": letter_clause(self.clause),
            "clause_ref": clause_ref(self.clause.ref),
            "step_clause": letter_clause(step_clause),
            "behaviour": self.behaviour,
            "handle": self.contact.account.handle,
            "where": self._where(),
            "removed": self.removed,
            "routed": self.routed,
            "abusive_language": self.profile.letters.abusive_language if language else "",
            "closing": closing(self.profile, kind),
        }
        context.update(extra)
        return self.engine.messages.render(template, **context)

    def decision(self) -> Decision:
        return Decision(
            outcome=self.outcome,
            summary=self.summary,
            step=self.step,
            identified=self.state.identified,
            findings=self.findings,
            actions=tuple(self.actions),
            not_fired=tuple(self.not_fired),
            profile=self.profile.name,
            incident=self.incident,
        )


def _words(step: LadderStep) -> str:
    return step.value.replace("_", " ")
