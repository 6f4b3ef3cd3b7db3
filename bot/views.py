"""Rendering for the terminal: tables and highlighted text built with rich.

Kept apart from the logic: the pipeline returns data, these functions only draw it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.domain import TEXT_CATEGORIES, ActionState, Category, Finding
from bot.storage.models import Action, Contact, Decision, TenancyRecord

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


def findings_table(findings: Sequence[Finding], scores: dict[Category, float]) -> Table:
    """One row per finding, then the score of every category."""
    table = Table(title="Findings", show_lines=False)
    table.add_column("Category")
    table.add_column("Rule")
    table.add_column("Score", justify="right")
    table.add_column("Evidence")
    for f in findings:
        table.add_row(f.category.value, f.rule, f"{f.score:.2f}", repr(f.evidence))
    if not findings:
        table.add_row("—", "nothing found", "", "")
    summary = "  ".join(f"{c.value} {scores.get(c, 0.0):.2f}" for c in TEXT_CATEGORIES)
    table.caption = f"Scores: {summary}"
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
