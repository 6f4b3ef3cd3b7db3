"""Rendering for the terminal: tables and highlighted text built with rich.

Kept apart from the logic: the pipeline returns data, these functions only draw it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.decide.letters import clause_ref
from bot.decide.replay import ReplayReport
from bot.domain import ActionKind, ActionState, Clause
from bot.register.approvals import approvers_of
from bot.register.explain import Explanation
from bot.settings.profile import PolicyProfile
from bot.storage.models import Action, Contact, Decision, TenancyRecord
from filters.base import TEXT_CATEGORIES, Finding, reaches
from filters.normalise import Span

STATE_STYLE = {
    ActionState.DONE: "green",
    ActionState.AWAITING_APPROVAL: "bold yellow",
    ActionState.MANUAL_TASK: "cyan",
    ActionState.FAILED: "bold red",
    ActionState.UNSUPPORTED: "cyan",
    ActionState.REJECTED: "dim",
}
OUTCOME_STYLE = {
    "acceptable": "green",
    "needs review": "bold cyan",
    "threat escalated": "bold red",
    "formal warning": "bold yellow",
    "restriction proposed": "bold yellow",
}


def highlight(text: str, findings: Iterable[Finding]) -> Text:
    """The text with each finding's spans underlined in red."""
    rich_text = Text(text)
    for finding in findings:
        for span in finding.spans:
            rich_text.stylize("bold red underline", span.start, span.end)
    return rich_text


def findings_table(findings: Sequence[Finding]) -> Table:
    """One row per finding: the category, the rule that fired, its score and evidence."""
    table = Table(title="Findings", show_lines=False)
    table.add_column("Category")
    table.add_column("Rule")
    table.add_column("Score", justify="right")
    table.add_column("Evidence")
    for f in findings:
        table.add_row(f.category.value, f.rule, f"{f.score:.2f}", repr(f.evidence))
    if not findings:
        table.add_row("—", "nothing found", "", "")
    return table


def scores_table(
    scores: Mapping[str, float] | None, thresholds: Mapping[str, float] | None
) -> Table | Text:
    """Each category's score against its threshold, and whether it counts."""
    if scores is None:
        return Text("Scores: not recorded (decided before modbot kept them).", style="dim")
    table = Table(title="Scores" + (" the decision used" if thresholds else ""))
    table.add_column("Category")
    table.add_column("Score", justify="right")
    if thresholds:
        table.add_column("Threshold", justify="right")
        table.add_column("")
    for c in TEXT_CATEGORIES:
        score = scores.get(c.value, 0.0)
        row = [c.value, f"{score:.2f}"]
        if thresholds:
            threshold = thresholds.get(c.value)
            if threshold is None:
                row += ["—", ""]
            else:
                counts = reaches(score, c, thresholds)
                row += [f"{threshold:.2f}", "counts" if counts else "below"]
        table.add_row(*row)
    return table


def pass_table(session: Session, *, connector: str | None = None, limit: int = 500) -> Table:
    """Each stored contact with what was found, the decision, its actions and clauses."""
    query = (
        sa.select(Contact)
        .options(
            joinedload(Contact.account),
            selectinload(Contact.findings),
            joinedload(Contact.decision).selectinload(Decision.actions),
        )
        .order_by(Contact.created_at, Contact.id)
        .limit(limit)
    )
    if connector is not None:
        query = query.where(Contact.connector == connector)
    contacts = list(session.scalars(query).unique())
    tenancy_by_account = _tenancy_refs(session, [c.account_id for c in contacts])
    table = Table(title="Moderation pass", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Contact", ratio=2)
    table.add_column("Text", ratio=3)
    table.add_column("Decision", ratio=2)
    table.add_column("Actions and policy clauses", ratio=3)
    for contact in contacts:
        decision = contact.decision
        ref = tenancy_by_account.get(contact.account_id)
        who = Text(f"{contact.platform} {contact.kind.value.replace('_', ' ')}\n", style="dim")
        who.append(contact.account.handle, style="bold")
        who.append(f"\n{ref}" if ref else "\nnot identified", style="dim")
        text = contact.text if len(contact.text) <= 160 else contact.text[:157] + "…"
        if decision is None:
            table.add_row(str(contact.id), who, text, "not decided yet", "")
            continue
        found = sorted({f.category.value for f in contact.findings if _counted(decision, f)})
        outcome = Text(decision.outcome, style=OUTCOME_STYLE.get(decision.outcome, "yellow"))
        if found:
            outcome.append(f"\n{', '.join(found)}", style="magenta")
        outcome.append(f"\n{decision.summary}", style="dim")
        actions = Text()
        for action in decision.actions:
            if actions:
                actions.append("\n")
            actions.append(action.kind.value.replace("_", " "))
            actions.append(
                f" ({action.state.value.replace('_', ' ')})",
                style=STATE_STYLE.get(action.state, ""),
            )
            actions.append(f"\n  {action.clause_ref}", style="dim italic")
        table.add_row(str(contact.id), who, text, outcome, actions or Text("—", style="dim"))
    return table


def _counted(decision: Decision | None, finding: object) -> bool:
    # A finding shows in "Found" unless the decision explains it fell below its threshold.
    if decision is None:
        return True
    category = finding.category.value  # type: ignore[attr-defined]
    return not any(rule == category for rule, _ in decision.not_fired)


def _tenancy_refs(session: Session, account_ids: list[int]) -> dict[int, str]:
    from bot.storage.models import AccountLink, LinkState

    rows = session.execute(
        sa.select(AccountLink.account_id, TenancyRecord.tenancy_ref, AccountLink.state)
        .join(TenancyRecord, TenancyRecord.id == AccountLink.tenancy_id)
        .where(
            AccountLink.account_id.in_(account_ids),
            AccountLink.state.in_([LinkState.VERIFIED, LinkState.STAFF_CONFIRMED]),
        )
    )
    return {
        row.account_id: f"{row.tenancy_ref} ({row.state.value.replace('_', ' ')})" for row in rows
    }


def action_counts(session: Session) -> dict[str, int]:
    """How many actions are in each state."""
    rows = session.execute(sa.select(Action.state, sa.func.count()).group_by(Action.state))
    return {state.value: count for state, count in rows}


def explanation(found: Explanation, profile: PolicyProfile) -> Group:
    """Everything about one contact's decision, for `modbot explain`."""
    contact, decision = found.contact, found.decision
    parts: list[object] = []
    who = f"{contact.account.handle} on {contact.platform} ({contact.kind.value.replace('_', ' ')})"
    if found.links:
        who += "; " + "; ".join(
            f"{ref}, {state.replace('_', ' ')}: {how}" for ref, state, how in found.links
        )
    else:
        who += "; not linked to a tenancy"
    parts.append(Text(f"Contact {contact.id} from {who}, {contact.created_at:%d %b %Y %H:%M}"))
    if found.vulnerability:
        parts.append(Text(f"Adjustments recorded: {found.vulnerability}", style="bold cyan"))
    stored = [
        Finding(f.category, f.rule, f.score, tuple(Span(a, b) for a, b in f.spans), f.evidence)
        for f in contact.findings
    ]
    parts.append(Panel(highlight(contact.text, stored), title="Text"))
    if stored:
        parts.append(findings_table(stored))
    if decision is None:
        parts.append(Text("Not decided yet."))
        return Group(*parts)
    parts.append(scores_table(decision.scores, decision.thresholds))
    parts.append(
        Text.assemble(
            ("Decision: ", "bold"),
            (decision.outcome, OUTCOME_STYLE.get(decision.outcome, "yellow")),
            f" — {decision.summary} (ladder step: {decision.step.value.replace('_', ' ')}; "
            f"profile {decision.profile})",
        )
    )
    if found.case is not None:
        parts.append(Text(f"Case {found.case.id} ({found.case.status}) for {found.case.subject}"))
    actions = Table(title="Actions", show_lines=True)
    for column in ("#", "Action", "State", "Policy clause", "Approval", "Why"):
        actions.add_column(column)
    for action in found.actions:
        approval = ""
        if action.needs_approval:
            approval = f"needs {profile.describe(approvers_of(action))}"
            if action.decided_by:
                approval += f"; {action.state.value} by {action.decided_by}"
        task = found.tasks.get(action.id)
        state = action.state.value.replace("_", " ")
        if task is not None:
            state += f" (task {task.id}, {task.state.replace('_', ' ')})"
        if action.last_error:
            state += f"\nlast error: {action.last_error}"
        clause = Clause(action.clause_ref, action.clause_title)
        actions.add_row(
            str(action.id),
            action.kind.value.replace("_", " "),
            state,
            profile.cite(clause),
            approval,
            action.reason,
        )
    if found.actions:
        parts.append(actions)
    if decision.not_fired:
        why_not = Table(title="Rules that did not fire, and why")
        why_not.add_column("Rule")
        why_not.add_column("Why not")
        for rule, reason in decision.not_fired:
            why_not.add_row(rule, reason)
        parts.append(why_not)
    return Group(*parts)


def replay_table(report: ReplayReport) -> Table:
    """Outcome counts under the config in force and the one being tried."""
    table = Table(title=f"Replay of {report.contacts} contacts: in force → tried")
    table.add_column("")
    table.add_column("In force", justify="right")
    table.add_column("Tried", justify="right")
    table.add_column("Change", justify="right")

    def row(name: str, before: int, after: int) -> None:
        delta = after - before
        table.add_row(name, str(before), str(after), f"{delta:+d}" if delta else "")

    row("hidden", report.current.hides, report.other.hides)
    row("warned", report.current.warnings, report.other.warnings)
    row("escalated", report.current.escalations, report.other.escalations)
    for category in sorted(set(report.current.categories) | set(report.other.categories)):
        row(f"  {category}", report.current.categories[category], report.other.categories[category])
    for outcome in sorted(set(report.current.outcomes) | set(report.other.outcomes)):
        row(f"outcome: {outcome}", report.current.outcomes[outcome], report.other.outcomes[outcome])
    return table


def register_table(session: Session, tenancy_ref: str) -> Table:
    """One person's entries in the register: warnings, restrictions, appeals, in order."""
    from bot.storage.models import Appeal, Case, Restriction, Warning

    table = Table(title=f"The register for tenancy {tenancy_ref}", show_lines=False)
    table.add_column("When")
    table.add_column("Entry")
    table.add_column("Detail")
    cases = list(
        session.scalars(
            sa.select(Case)
            .join(TenancyRecord, TenancyRecord.id == Case.tenancy_id)
            .where(TenancyRecord.tenancy_ref == tenancy_ref)
        )
    )
    case_ids = [c.id for c in cases]
    entries: list[tuple[object, str, str]] = []
    for w in session.scalars(sa.select(Warning).where(Warning.case_id.in_(case_ids))):
        entries.append((w.issued_at, w.level.value.replace("_", " "), clause_ref(w.clause_ref)))
    for r in session.scalars(sa.select(Restriction).where(Restriction.case_id.in_(case_ids))):
        lasts = (
            f"ends {r.ends_at:%d %b %Y} by itself"
            if r.ends_at is not None
            else f"review due {r.review_due:%d %b %Y}"
        )
        entries.append(
            (
                r.starts_at,
                "restriction",
                f"{r.terms}; approved by {r.approved_by}; {lasts}"
                + (f"; reviewed by {r.reviewed_by}" if r.reviewed_by else ""),
            )
        )
        if r.ended_at is not None:
            entries.append((r.ended_at, "restriction ended", r.end_reason or ""))
    for a in session.scalars(sa.select(Appeal).where(Appeal.case_id.in_(case_ids))):
        by = f"decides by {a.deadline:%d %b %Y}" if a.deadline else "no deadline set"
        entries.append(
            (
                a.received_at,
                "appeal received",
                f"a {a.decider_role} not involved in the case {by}"
                + (f"; {a.outcome} by {a.decided_by}" if a.outcome else ""),
            )
        )
    letters = {
        ActionKind.REVIEW_LETTER: "review outcome sent",
        ActionKind.APPEAL_LETTER: ("appeal decision sent"),
    }
    for action in session.scalars(
        sa.select(Action).where(Action.case_id.in_(case_ids), Action.kind.in_(list(letters)))
    ):
        entries.append(
            (action.updated_at, letters[action.kind], action.state.value.replace("_", " "))
        )
    for case in cases:
        if case.closed_at is not None:
            entries.append(
                (case.closed_at, "case closed", f"by {case.closed_by}: {case.close_reason}")
            )
    for when, entry, detail in sorted(entries, key=lambda e: e[0]):  # type: ignore[arg-type,return-value]
        table.add_row(f"{when:%d %b %Y %H:%M}", entry, detail)
    if not entries:
        table.add_row("—", "nothing recorded", "")
    return table
