"""The register from the command line: approvals, tasks, reviews, appeals, explain, replay.

Also assessments and cases.

Staff say who they are with `--by NAME`, the name of their staff account (`modbot users`):
the account must exist and be enabled, its role is checked against the roles the policy
profile names for the step (a comms officer cannot approve what needs a Head of Service), and
the account goes into the audit trail.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli._app import ConfigOption, RowId, app, console, group, opened_store
from bot.dates.clock import system_clock
from bot.domain import Role
from bot.errors import InputError

approvals_app = group("approvals", "Formal actions waiting for the approver the policy names.")
tasks_app = group("tasks", "Manual tasks: what the bot hands to staff.")
assessments_app = group("assessments", "The manager's Unacceptable Behaviour Assessment.")
reviews_app = group("reviews", "Reviews of restrictions in force.")
appeals_app = group("appeals", "Appeals against formal decisions.")
cases_app = group("cases", "Cases in the Unacceptable Actions Register.")

By = Annotated[
    str,
    typer.Option(
        "--by", help="Your staff account's name (modbot users list); its role is checked."
    ),
]
Note = Annotated[
    str, typer.Option("--note", help="Your reasons, kept in the register (never sent).")
]
Explanation = Annotated[
    str,
    typer.Option("--explanation", help="What the person is told in the letter about this outcome."),
]


def _staff(session, by: str):
    """The staff account `--by` names (it must exist and be enabled)."""
    from bot.staff.accounts import acting_staff

    return acting_staff(session, by)


# --- approvals -------------------------------------------------------------------------


@approvals_app.command("list")
def approvals_list(config: ConfigOption = None) -> None:
    """List the actions waiting for approval, oldest first."""
    from bot.register.approvals import approvers_of, pending

    with opened_store(config) as (loaded, store), store.session() as session:
        table = Table(title="Awaiting approval")
        for column in ("Action", "What", "Who", "Needs", "Clause", "Why"):
            table.add_column(column)
        for action in pending(session):
            table.add_row(
                str(action.id),
                action.kind.value.replace("_", " "),
                action.contact.account.handle,
                loaded.profile.describe(approvers_of(action)),
                f"{action.clause_ref}: {action.clause_title}",
                action.reason,
            )
        console.print(table if table.row_count else "Nothing is waiting for approval.")


def _approval(action_id: int, approve: bool, by: str, note: str, config: Path | None) -> None:
    from bot.register.approvals import decide_approval

    with opened_store(config) as (loaded, store), store.begin() as session:
        action = decide_approval(
            session,
            action_id,
            approve=approve,
            staff=_staff(session, by),
            note=note,
            profile=loaded.profile,
            contact_point=loaded.settings.organisation.contact_point.model_dump(),
            now=system_clock(),
        )
        verb = "Approved" if approve else "Rejected"
        console.print(
            f"{verb} action {action.id} ({action.kind.value.replace('_', ' ')}). "
            + ("It runs on the next pass." if approve else "")
        )


@approvals_app.command("approve")
def approvals_approve(
    action_id: RowId, by: By, note: Note = "", config: ConfigOption = None
) -> None:
    """Approve an action; it is carried out on the next pass."""
    _approval(action_id, True, by, note, config)


@approvals_app.command("reject")
def approvals_reject(
    action_id: RowId,
    by: By,
    reason: Annotated[str, typer.Option("--reason", help="Why it should not go ahead.")],
    config: ConfigOption = None,
) -> None:
    """Reject an action, with the reason; it will not be carried out."""
    _approval(action_id, False, by, reason, config)


# --- tasks -----------------------------------------------------------------------------


@tasks_app.command("list")
def tasks_list(
    role: Annotated[Role | None, typer.Option(help="Only tasks for this role.")] = None,
    config: ConfigOption = None,
) -> None:
    """List open manual tasks."""
    from bot.register.tasks import open_tasks

    with opened_store(config) as (_, store), store.session() as session:
        tasks = open_tasks(session, role=role.value if role else None)
        if not tasks:
            console.print("No open tasks.")
        for task in tasks:
            console.rule(f"Task {task.id}: {task.kind.replace('_', ' ')} — for {task.role}")
            console.print(task.instructions, markup=False)
            if task.link:
                console.print(f"Link: {task.link}", markup=False)


def _close(task_id: int, done: bool, by: str, note: str, config: Path | None) -> None:
    from bot.register.tasks import close_task

    with opened_store(config) as (loaded, store), store.begin() as session:
        task = close_task(
            session,
            task_id,
            done=done,
            staff=_staff(session, by),
            note=note,
            profile=loaded.profile,
            now=system_clock(),
        )
        console.print(f"Task {task.id} marked {task.state.replace('_', ' ')}.")


@tasks_app.command("done")
def tasks_done(task_id: RowId, by: By, note: Note = "", config: ConfigOption = None) -> None:
    """Mark a task done (a warning sent by hand then counts as sent)."""
    _close(task_id, True, by, note, config)


@tasks_app.command("not-needed")
def tasks_not_needed(task_id: RowId, by: By, note: Note, config: ConfigOption = None) -> None:
    """Mark a task not needed, with the reason."""
    _close(task_id, False, by, note, config)


# --- assessments -----------------------------------------------------------------------


@assessments_app.command("conclude")
def assessments_conclude(
    task_id: RowId,
    by: By,
    note: Note,
    unacceptable: Annotated[
        bool,
        typer.Option(
            "--unacceptable/--acceptable",
            help="Whether the assessment found the behaviour unacceptable.",
        ),
    ],
    protocol: Annotated[
        list[str] | None,
        typer.Option(help="Protocol terms to propose (repeat); default: the profile's."),
    ] = None,
    contact: Annotated[
        str,
        typer.Option(help="The single point of contact the letter names (default: the config's)."),
    ] = "",
    contact_title: Annotated[str, typer.Option(help="Their job title.")] = "",
    contact_how: Annotated[
        str, typer.Option(help="How to reach them, e.g. 'by email to ...'.")
    ] = "",
    config: ConfigOption = None,
) -> None:
    """Record an assessment's outcome; if unacceptable, a restriction goes for approval."""
    from bot.register.assessments import conclude_assessment

    with opened_store(config) as (loaded, store), store.begin() as session:
        proposal = conclude_assessment(
            session,
            task_id=task_id,
            unacceptable=unacceptable,
            protocol=protocol or (),
            staff=_staff(session, by),
            note=note,
            profile=loaded.profile,
            now=system_clock(),
            contact_point={"name": contact, "title": contact_title, "how": contact_how},
        )
        if proposal is None:
            console.print("Assessment recorded: no restriction proposed.")
        else:
            from bot.register.approvals import approvers_of

            console.print(
                f"Assessment recorded. Restriction proposed as action {proposal.id}, waiting "
                f"for {loaded.profile.describe(approvers_of(proposal))}."
            )


# --- reviews ---------------------------------------------------------------------------


@reviews_app.command("due")
def reviews_due_command(
    within: Annotated[int, typer.Option(help="Days ahead to look.")] = 14,
    config: ConfigOption = None,
) -> None:
    """List restrictions whose review falls due (or is overdue)."""
    from bot.register.reviews import reviews_due

    with opened_store(config) as (_, store), store.session() as session:
        due = reviews_due(session, now=system_clock(), within_days=within)
        table = Table(title=f"Reviews due within {within} days")
        for column in ("Restriction", "Case", "Terms", "Review due", "Approved by"):
            table.add_column(column)
        for r in due:
            table.add_row(
                str(r.id), r.case.subject, r.terms, f"{r.review_due:%d %b %Y}", r.approved_by
            )
        console.print(table if due else f"No reviews due within {within} days.")


@reviews_app.command("record")
def reviews_record(
    restriction_id: RowId,
    outcome: Annotated[str, typer.Option(help="continue or end")],
    by: By,
    note: Note,
    explanation: Explanation = "",
    config: ConfigOption = None,
) -> None:
    """Record a review: continue the restriction for another period, or end it.

    The person is sent the outcome in writing on the next pass.
    """
    from bot.register.reviews import record_review

    if outcome not in {"continue", "end"}:
        raise InputError("--outcome must be continue or end")
    with opened_store(config) as (loaded, store), store.begin() as session:
        restriction = record_review(
            session,
            restriction_id=restriction_id,
            outcome=outcome,  # type: ignore[arg-type]
            staff=_staff(session, by),
            note=note,
            explanation=explanation,
            profile=loaded.profile,
            now=system_clock(),
        )
        if restriction.ended_at:
            console.print(f"Restriction {restriction.id} ended.")
        else:
            console.print(
                f"Restriction {restriction.id} continues; "
                f"next review {restriction.review_due:%d %b %Y}."
            )


# --- appeals ---------------------------------------------------------------------------


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


@appeals_app.command("open")
def appeals_open(
    case_id: RowId,
    received: Annotated[str, typer.Option(help="The date the appeal arrived (YYYY-MM-DD).")],
    by: By,
    config: ConfigOption = None,
) -> None:
    """Record an appeal; its deadline is counted in working days."""
    from bot.register.appeals import open_appeal

    day = _date(received)
    with opened_store(config) as (loaded, store), store.begin() as session:
        staff = _staff(session, by)
        staff.require(loaded.profile.roles, "recording an appeal", loaded.profile)
        appeal = open_appeal(
            session,
            case_id=case_id,
            received=day,
            profile=loaded.profile,
            by=staff.name,
            now=system_clock(),
        )
        who = loaded.profile.describe(loaded.profile.appeals.decider or ())
        when = (
            f"by {appeal.deadline:%A %d %B %Y}"
            if appeal.deadline
            else "(the policy sets no deadline)"
        )
        console.print(
            f"Appeal {appeal.id} opened for case {case_id}: {who} not involved in the case "
            f"must decide it {when}."
        )
        if appeal.late:
            console.print(
                "[yellow]It arrived after the appeal window the policy sets; a manager "
                "decides whether to hear it anyway.[/]"
            )
        if loaded.profile.appeals.restrictions_stay_during_appeal:
            console.print("Restrictions stay in force while it is heard.")


@appeals_app.command("decide")
def appeals_decide(
    appeal_id: RowId,
    outcome: Annotated[str, typer.Option(help="upheld, overturned or varied")],
    by: By,
    note: Note,
    explanation: Explanation = "",
    config: ConfigOption = None,
) -> None:
    """Record an appeal's outcome; overturning a restriction ends it.

    The person is sent the decision in writing on the next pass.
    """
    from bot.register.appeals import decide_appeal

    if outcome not in {"upheld", "overturned", "varied"}:
        raise InputError("--outcome must be upheld, overturned or varied")
    with opened_store(config) as (loaded, store), store.begin() as session:
        appeal = decide_appeal(
            session,
            appeal_id=appeal_id,
            outcome=outcome,  # type: ignore[arg-type]
            staff=_staff(session, by),
            note=note,
            explanation=explanation,
            profile=loaded.profile,
            now=system_clock(),
        )
        console.print(f"Appeal {appeal.id}: {appeal.outcome}. The letter goes on the next pass.")


@appeals_app.command("due")
def appeals_due_command(
    within: Annotated[int, typer.Option(help="Days ahead to look.")] = 14,
    config: ConfigOption = None,
) -> None:
    """List undecided appeals by deadline."""
    from bot.register.appeals import appeals_due

    with opened_store(config) as (_, store), store.session() as session:
        due = appeals_due(session, now=system_clock(), within_days=within)
        table = Table(title=f"Appeals due within {within} days")
        for column in ("Appeal", "Case", "Received", "Decide by", "Decider", "Not", "Late"):
            table.add_column(column)
        for a in due:
            table.add_row(
                str(a.id),
                str(a.case_id),
                f"{a.received_at:%d %b %Y}",
                f"{a.deadline:%d %b %Y}" if a.deadline else "no deadline",
                a.decider_role,
                "anyone involved in the case",
                "yes" if a.late else "",
            )
        console.print(table if due else f"No appeals due within {within} days.")


# --- cases -----------------------------------------------------------------------------


@cases_app.command("close")
def cases_close(case_id: RowId, by: By, note: Note, config: ConfigOption = None) -> None:
    """Close a case (restrictions must have ended)."""
    from bot.register.cases import close_case

    with opened_store(config) as (_, store), store.begin() as session:
        close_case(
            session, case_id=case_id, staff=_staff(session, by), note=note, now=system_clock()
        )
        console.print(f"Case {case_id} closed.")


# --- reversals, explain and replay -----------------------------------------------------


@app.command()
def reverse(
    contact: Annotated[str, typer.Argument(help="The contact's number, or platform:id.")],
    by: By,
    reason: Annotated[str, typer.Option("--reason", help="Why the bot was wrong.")],
    config: ConfigOption = None,
) -> None:
    """Reverse a decision as a false positive: unhide and unblock where the platform allows."""
    from bot.register.reversals import reverse_decision
    from bot.storage.queries import contact_by_ref

    with opened_store(config) as (loaded, store), store.begin() as session:
        found = contact_by_ref(session=session, ref=contact)
        if found is None or found.decision is None:
            raise InputError(f"there is no decided contact {contact}")
        undo = reverse_decision(
            session,
            found.decision.id,
            staff=_staff(session, by),
            reason=reason,
            profile=loaded.profile,
            now=system_clock(),
        )
        planned = ", ".join(a.kind.value for a in undo) or "nothing to undo on the platform"
        console.print(f"Decision reversed; planned: {planned}. It runs on the next pass.")


@app.command()
def explain(
    contact: Annotated[str, typer.Argument(help="The contact's number, or platform:id.")],
    config: ConfigOption = None,
) -> None:
    """Show why a contact was treated as it was: findings, decision, clauses, why-nots."""
    from bot.cli.views import explanation
    from bot.register.explain import explain as gather

    with opened_store(config) as (loaded, store), store.session() as session:
        console.print(explanation(gather(session, contact), loaded.profile))


def _period(value: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([dw])", value.strip())
    if not match:
        raise InputError(f"'{value}' is not a period; write e.g. 90d or 12w")
    number = int(match.group(1))
    return timedelta(days=number * (7 if match.group(2) == "w" else 1))


@app.command()
def replay(
    since: Annotated[str, typer.Option(help="How far back, e.g. 90d or 12w.")] = "90d",
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="The config to try (default: the one in force).", dir_okay=False
        ),
    ] = None,
    current: Annotated[
        Path | None,
        typer.Option(
            help="The config in force, whose database is read. Default: $MODBOT_CONFIG.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Re-decide stored contacts with another config and show how outcomes would change.

    Nothing is stored or sent: this is how to try a threshold or profile safely. (The
    review pages' settings page shows the same preview before a threshold is saved.)
    """
    from bot.cli.views import replay_table
    from bot.decide.replay import replay as simulate
    from bot.settings.loading import load_config
    from bot.settings.saved import apply_saved_settings

    with opened_store(current) as (in_force, store):
        # What is saved in the review pages would still apply over the other file.
        candidate = (
            apply_saved_settings(load_config(config), store) if config is not None else in_force
        )
        if in_force.settings_revision is not None:
            console.print(
                "Thresholds and word lists saved in the review pages apply over both files."
            )
        now = system_clock()
        report = simulate(store, in_force, candidate, since=now - _period(since), now=now)
    console.print(replay_table(report))
    for change in report.changes[:20]:
        console.print(
            f"  #{change.contact_id}: {change.before} → {change.after}: {change.text[:90]!r}",
            markup=False,
        )
    if len(report.changes) > 20:
        console.print(f"  … and {len(report.changes) - 20} more")
