"""Running unattended from the command line: `status` and `summary`.

(`modbot run` itself lives with the other pass commands in `passes.py`.)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli._app import ConfigOption, app, console, opened_store
from bot.errors import InputError


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((moment - now).total_seconds())
    span = abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
        if span >= size or size == 1:
            amount = f"{span // size} {unit}"
            break
    relative = f"in {amount}" if seconds > 0 else f"{amount} ago"
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({relative})"


@app.command()
def status(config: ConfigOption = None) -> None:
    """Show the scheduler's leader and jobs, connector health, approvals, failures and tasks."""
    from bot.scheduler.lease import database_now
    from bot.scheduler.status import gather_status

    with opened_store(config) as (loaded, store), store.session() as session:
        now = database_now(session)
        report = gather_status(session, loaded, now=now)
    lease = report.lease
    if report.leader:
        console.print(
            f"Scheduler leader: [bold]{escape(report.leader)}[/] (lease renewed "
            f"{_when(lease.renewed_at, now)}, expires {_when(lease.expires_at, now)})."
        )
    elif lease is not None:
        console.print(
            f"[yellow]No scheduler is leading[/]: the lease was last held until "
            f"{_when(lease.expires_at, now)}. Start one with `modbot run`."
        )
    else:
        console.print("[yellow]No scheduler has run against this database yet.[/]")

    table = Table(title="Jobs")
    for column in ("Job", "Schedule", "Next run", "Last run", "Result"):
        table.add_column(column, overflow="fold")
    for job in report.jobs:
        if not job.recorded:
            last, result = "never", "(next run if a scheduler started now)"
        else:
            last = _when(job.last_started_at, now)
            if job.last_status == "running" and job.last_holder == report.leader:
                result = f"running on {escape(job.last_holder or '')}"
            elif job.last_status == "running":
                result = (
                    f"[yellow]interrupted[/]: {escape(job.last_holder or '')} stopped during it; "
                    "the next run carries on"
                )
            elif job.last_status == "failed":
                result = f"[red]failed[/]: {escape(job.last_error or '')}"
            else:
                result = escape(job.last_result or "")
        name = job.job_id + ("" if job.configured else " (no longer configured)")
        table.add_row(name, job.schedule, _when(job.next_run_at, now), last, result)
    console.print(table)

    table = Table(title="Connectors")
    for column in ("Connector", "Last successful poll", "Cursor moved", "Last error"):
        table.add_column(column, overflow="fold")
    for c in report.connectors:
        failing = c.last_error_at and (
            c.last_success_at is None or c.last_error_at >= c.last_success_at
        )
        error = "none"
        if c.last_error:
            error = f"{escape(c.last_error)} ({_when(c.last_error_at, now)})"
            if failing:
                error = f"[red]failing[/]: {error}"
        name = c.name + ("" if c.configured else " (no longer configured)")
        table.add_row(name, _when(c.last_success_at, now), _when(c.cursor_moved_at, now), error)
    console.print(table)
    if report.set_aside:
        table = Table(title=f"Items set aside, unread ({report.set_aside_total}; newest first)")
        for column in ("Connector", "Where", "Why", "When", "As received"):
            table.add_column(column, overflow="fold")
        for item in report.set_aside:
            table.add_row(
                item.connector,
                item.position,
                escape(item.reason),
                _when(item.set_aside_at, now),
                escape(item.raw[:200]),
            )
        console.print(table)

    waiting = sum(count for _, count, _ in report.approvals)
    console.print(f"Pending approvals: [bold]{waiting}[/]")
    for role, count, oldest in report.approvals:
        console.print(f"  for a {role}: {count}, oldest since {_when(oldest, now)}")
    console.print(
        f"Failed actions (to be retried or handed to staff): [bold]{report.failed_actions}[/]"
    )
    if report.running_actions:
        console.print(f"Actions running now: {report.running_actions}")
    total = sum(count for _, _, count, _ in report.tasks)
    console.print(f"Open manual tasks: [bold]{total}[/]")
    for label, role, count, oldest in report.tasks:
        console.print(f"  {label} (for {role}): {count}, oldest {_when(oldest, now)}")
    for send in report.sends:
        line = f"Summary {send.week}: {send.state}"
        if send.state == "sent":
            line += f" to {send.recipients} recipient(s) {_when(send.finished_at, now)}"
        elif send.state == "sending":
            line += (
                f" since {_when(send.started_at, now)}; if that process stopped, check whether "
                f"it arrived and resend with `modbot summary --week {send.week} --send --again`"
            )
        if send.last_error:
            line += f" ({send.last_error})"
        console.print(line, markup=False)


@app.command()
def summary(
    week: Annotated[
        str | None,
        typer.Option(help="ISO week, e.g. 2026-W46. Default: the last complete week."),
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            help="Write the email as HTML (chart embedded) to this file, and the plain-text "
            "part beside it; nothing is sent.",
            dir_okay=False,
        ),
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Send it to summary.to now.")] = False,
    again: Annotated[
        bool, typer.Option("--again", help="With --send: send a week already sent.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Preview or send the weekly moderation summary email."""
    from bot.dates.clock import system_clock
    from bot.dates.weeks import Week
    from bot.summary.mailer import Mailer
    from bot.summary.render import preview_html, preview_text
    from bot.summary.weekly import produce, send_summary, templates_for

    if not preview and not send:
        raise InputError("say what to do: --preview FILE.html to look at it, --send to send it")
    with opened_store(config) as (loaded, store):
        zone = loaded.settings.schedule.zone()
        now = system_clock()
        chosen = Week.parse(week, zone) if week else Week.last_complete(now, zone)
        if preview is not None:
            produced = produce(loaded, store, chosen, now=now)
            templates = templates_for(loaded)
            preview.write_text(
                preview_html(produced.summary, produced.chart, templates), encoding="utf-8"
            )
            text_path = preview.with_suffix(".txt")
            text_path.write_text(preview_text(produced.summary, templates), encoding="utf-8")
            png_path = preview.with_suffix(".png")
            png_path.write_bytes(produced.chart)
            console.print(
                f"Wrote the summary for {chosen.label} to {preview} (with {text_path.name} "
                f"and {png_path.name} beside it). Nothing was sent."
            )
        if send:
            outcome = send_summary(
                loaded,
                store,
                chosen,
                now=now,
                mailer=Mailer(loaded.settings.smtp),
                by="modbot summary --send",
                again=again,
            )
            console.print(f"Summary {outcome.detail}.")
