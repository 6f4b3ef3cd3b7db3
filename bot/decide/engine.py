"""The policy engine: findings plus what we know of the person, in; a Decision, out.

`PolicyEngine.decide` is pure. It reads no database and calls no platform, so a dry run
(`modbot scan`, `modbot replay`) is just `decide` without the runner. Every decision carries its
reasons: the findings, the ladder step, each planned action with its clause and approver, and
why the rules that did not fire did not.

The shape every profile shares (docs/architecture.md):
  * Acceptable text, however angry, gets nothing.
  * Threats skip the ladder: hide at once, end direct contact (an approver decides), and a
    manager decides on a police referral. The bot never contacts the police.
  * Other ladder categories move an identified person one rung per incident *after* the
    previous rung was delivered: initial warning, formal warning, manager's assessment,
    restriction. Formal rungs wait for the approver the profile names.
  * Nobody identified: platform actions only (warn, hide, block), never formal steps.
  * Recorded vulnerability or adjustments: hide still protects staff, but every warning or
    block waits for a human.
  * A hidden contact that raises a service issue is routed to staff first: never lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
from bot.settings.profile import PolicyProfile
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

NEXT_STEP: Mapping[LadderStep, LadderStep] = {
    LadderStep.NONE: LadderStep.INITIAL_WARNING,
    LadderStep.INITIAL_WARNING: LadderStep.FORMAL_WARNING,
    LadderStep.FORMAL_WARNING: LadderStep.ASSESSMENT,
    LadderStep.ASSESSMENT: LadderStep.RESTRICTION,
}


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
        if Category.THREAT in categories:
            plan.threat()
        elif any(self.profile.categories[c].ladder for c in categories):
            plan.ladder()
        else:
            plan.hide_only()
        return plan.decision(counted)

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
                    f"raises {topics}: forceful complaining is acceptable under every policy",
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
        self.hidden = False
        self.incident = Category.THREAT in categories or any(
            self.profile.categories[c].ladder for c in categories
        )
        top = self.profile.categories[categories[0]]
        self.clause = top.clause.to_clause()
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
        self._route_and_hide()
        if self.state.identified:
            self._add(
                ActionKind.RESTRICTION,
                clause,
                "Threats skip the ladder: end all direct contact while a manager reviews.",
                approver=rule.end_contact_approval,
                protocol=("end_direct_contact",),
            )
        elif not self.state.blocked:
            self._add(
                ActionKind.BLOCK,
                clause,
                "Threat from an account nobody can identify: block it so it cannot contact "
                "staff again (the platform action available).",
            )
        self._add(
            ActionKind.POLICE_REFERRAL_DECISION,
            clause,
            "A manager decides whether to report this threat to the police; the bot never "
            "contacts the police itself.",
            approver=rule.police_referral_role,
            needs_approval=False,
        )
        self.not_fired.append(
            NotFired("ladder", "threats skip the warning ladder in every policy profile")
        )
        self.outcome = "threat escalated"
        self.summary = "Threat: hidden at once and escalated to a manager."

    def ladder(self) -> None:
        self._route_and_hide()
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
        step = NEXT_STEP.get(issued)
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
        approver = rule.approval
        if self.behaviour_only and approver is None:
            approver = self.profile.vulnerability.decider
            self.not_fired.append(
                NotFired(
                    "automatic warning",
                    "a pattern of contact is unacceptable only when it affects the service; "
                    f"a {approver.value} judges that before anything is sent",
                )
            )
        vulnerable = self.state.vulnerability is not None
        if vulnerable and approver is None:
            approver = self.profile.vulnerability.decider
            self.not_fired.append(
                NotFired(
                    "automatic warning",
                    "vulnerability or reasonable adjustments recorded "
                    f"({self.state.vulnerability.notes}): a "
                    f"{approver.value} decides before anything is sent "
                    f"({self.profile.cite(self.profile.vulnerability.clause.to_clause())})",
                )
            )
        behaviour = describe(self.categories)
        if step is LadderStep.INITIAL_WARNING:
            self._warnings(clause, approver)
            self.outcome = "initial warning"
        elif step is LadderStep.FORMAL_WARNING:
            self._add(
                ActionKind.FORMAL_WARNING,
                clause,
                f"Unacceptable behaviour persisted after an initial warning: "
                f"{self._behaviour_cited()}.",
                approver=approver,
                message=self._render("formal_warning.txt.j2"),
            )
            self.outcome = "formal warning"
        elif step is LadderStep.ASSESSMENT:
            self._add(
                ActionKind.ASSESSMENT,
                clause,
                f"Unacceptable behaviour ({behaviour}) continued after a formal warning: a "
                "manager assesses the case (number of incidents, contact levels, language, "
                "the person's needs) before any restriction.",
                approver=approver,
                needs_approval=False,
            )
            self.outcome = "assessment"
        else:
            self._add(
                ActionKind.RESTRICTION,
                clause,
                f"Unacceptable behaviour ({behaviour}) continued after the manager's "
                "assessment: a communication protocol is proposed.",
                approver=approver,
                protocol=self.profile.ladder.restriction.default_protocol,
            )
            self.outcome = "restriction proposed"
        waiting = any(a.needs_approval for a in self.actions)
        self.summary = f"{_words(step).capitalize()}" + (
            f" awaiting approval by a {approver.value}." if waiting and approver else " planned."
        )

    def hide_only(self) -> None:
        self._route_and_hide()
        behaviour = describe(self.categories)
        names = ", ".join(c.value for c in self.categories)
        self.not_fired.append(
            NotFired(
                "ladder",
                f"{names} alone does not count toward the ladder under this profile",
            )
        )
        notify = any(self.profile.categories[c].notify for c in self.categories)
        if self.hidden and notify:
            self._add(
                ActionKind.NOTICE,
                self.clause,
                f"Tell the author privately that their {self._where()} was hidden and why "
                f"({behaviour}); this is not a warning.",
                message=self._render("notice.txt.j2"),
            )
        self.outcome = "hidden" if self.hidden else "noted"
        self.summary = (
            f"Hidden for {behaviour}; not a warning."
            if self.hidden
            else f"{behaviour.capitalize()} in a private message; noted only."
        )

    # --- pieces -----------------------------------------------------------------------

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
        if self.state.platform_warnings >= rule.warnings_before_block:
            self.step = LadderStep.INITIAL_WARNING
            self._add(
                ActionKind.BLOCK,
                rule.block_clause.to_clause(),
                f"Warned {self.state.platform_warnings} time(s) already on this account; "
                "block it from the page.",
            )
            self.outcome = "blocked"
            self.summary = "Unidentified account warned before; blocked."
            return
        self.step = LadderStep.INITIAL_WARNING
        self._warnings(self.profile.ladder.initial_warning.clause.to_clause(), None)
        self.outcome = "platform warning"
        self.summary = "Unidentified account: warned on the platform."

    def _warnings(self, clause: Clause, approver: Role | None) -> None:
        channel = self.profile.ladder.warning_channel
        reason = f"First incident of unacceptable behaviour: {self._behaviour_cited()}."
        if channel in {"public", "both"} and self.contact.kind.is_public:
            self._add(
                ActionKind.PUBLIC_WARNING,
                clause,
                reason,
                approver=approver,
                message=self._render("public_warning.txt.j2"),
            )
        if channel in {"private", "both"} or not self.contact.kind.is_public:
            self._add(
                ActionKind.PRIVATE_WARNING,
                clause,
                reason,
                approver=approver,
                message=self._render("private_warning.txt.j2"),
            )

    def _route_and_hide(self) -> None:
        hide = any(self.profile.categories[c].hide for c in self.categories if not c.is_behaviour)
        if not hide:
            return
        if not self.contact.kind.is_public:
            self.not_fired.append(
                NotFired("hide", "a private message cannot be hidden from the public")
            )
            return
        issues = self.classification.issues
        if issues:
            topics = ", ".join(i.topic for i in issues)
            self._add(
                ActionKind.ROUTE_COMPLAINT,
                self.profile.complaints.clause.to_clause(),
                f"The hidden {self._where()} also raises {topics}: route it to the right team "
                "with the original text so the issue is not lost.",
                approver=Role.COMMS,
                needs_approval=False,
            )
        kind = ActionKind.DELETE if self.profile.hide_action == "delete" else ActionKind.HIDE
        self._add(
            kind,
            self.clause,
            f"{describe(self.categories).capitalize()} on a public page.",
        )
        self.hidden = True

    def _add(
        self,
        kind: ActionKind,
        clause: Clause,
        reason: str,
        *,
        approver: Role | None = None,
        needs_approval: bool | None = None,
        message: str = "",
        protocol: tuple[str, ...] = (),
    ) -> None:
        if needs_approval is None:
            needs_approval = approver is not None
        self.actions.append(
            PlannedAction(
                kind=kind,
                clause=clause,
                reason=reason,
                needs_approval=needs_approval,
                approver=approver,
                message=message,
                evidence=self.evidence,
                protocol=protocol,
            )
        )

    def _behaviour_cited(self) -> str:
        return describe(self.categories) + f" ({self.profile.cite(self.clause)})"

    def _where(self) -> str:
        return WHERE[self.contact.kind.value]

    def _render(self, template: str) -> str:
        return self.engine.messages.render(
            template,
            clause=f"{self.clause.ref} ({self.clause.title})",
            behaviour=describe(self.categories),
            handle=self.contact.account.handle,
            where=self._where(),
            hidden=self.hidden,
            issues=[i.topic for i in self.classification.issues],
        )

    def decision(self, counted: Mapping[Category, list[Finding]]) -> Decision:
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
