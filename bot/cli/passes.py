"""The moderation pass from the command line: `demo`, `run`, `scan`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.text import Text

from bot.cli._app import ConfigOption, app, console, errors, opened_store


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its database and outbox.")
    ] = Path("modbot-demo"),
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="Leave the staff steps after the first pass (approving a formal warning, "
            "and what follows) for you to do in the review pages. Use a fresh --dir.",
        ),
    ] = False,
) -> None:
    """Run one moderation pass over the shipped sample inbox and show what happened.

    Uses a fictional landlord (Brookmere Housing), 45 sample contacts on Facebook, X and
    Reddit, and a sample tenancy file. Running it again changes nothing: contacts, actions
    and outbox lines are never duplicated.
    """
    from bot.cli.demo import run_demo

    run_demo(directory, console, review=review)


@app.command()
def run(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Do one pass with every configured connector, then exit.")
    ] = False,
) -> None:
    """Run unattended: poll each connector, act, remind, purge, and send the weekly summary.

    Runs until SIGTERM or SIGINT, then finishes the current batch and exits. Several
    processes may run against one PostgreSQL database: one leads and runs the timed jobs,
    the others take over if it stops. With --once, do one pass and exit.
    """
    from bot.pipeline import Pipeline

    if not once:
        from bot.scheduler.service import run_service

        with opened_store(config) as (loaded, store):
            run_service(loaded, store)
        return
    with opened_store(config) as (loaded, store):
        pipeline = Pipeline(loaded, store)
        try:
            report = pipeline.run_once()
        finally:
            pipeline.close()
    fetched = ", ".join(f"{k}: {v}" for k, v in report.fetched.items()) or "none"
    console.print(
        f"Fetched {fetched}; stored {report.stored} new; decided {report.decided}; "
        f"actions done {report.run.done}, failed {report.run.failed}, "
        f"to staff {report.run.manual}."
    )
    for outcome, count in sorted(report.outcomes.items()):
        console.print(f"  {outcome}: {count}")
    for message in [*report.errors, *report.run.errors]:
        errors.print(Text.assemble(("warning: ", "yellow"), message), soft_wrap=True)
    for message in report.set_aside:
        errors.print(
            Text.assemble(("set aside: ", "yellow"), message, " (see `modbot status`)"),
            soft_wrap=True,
        )
    if report.errors:
        raise typer.Exit(1)


@app.command()
def scan(
    text: Annotated[str, typer.Argument(help="The text to check, in quotes.")],
    config: ConfigOption = None,
) -> None:
    """Show what the filters find in one text, with the matched words highlighted.

    Nothing is stored and nothing is sent: this is how to try a word list or threshold.
    Thresholds and word lists saved in the review pages apply over the config file.
    """
    from bot.cli.views import findings_table, highlight, scores_table
    from bot.detect.build import build_classifier
    from bot.settings.saved import load_effective

    loaded = load_effective(config)
    result = build_classifier(loaded).classify(text)
    labels = result.labels(loaded.settings.thresholds)
    console.print(Panel(highlight(text, result.findings), title="Text"))
    console.print(findings_table(result.findings))
    console.print(
        scores_table(
            {str(c): s for c, s in result.scores.items()},
            {str(c): t for c, t in loaded.settings.thresholds.items()},
        )
    )
    verdict = ", ".join(c.value for c in labels) if labels else "acceptable"
    console.print(f"Verdict at the configured thresholds: [bold]{verdict}[/]")
    if result.issues:
        topics = ", ".join(f"{i.topic} ({i.evidence!r})" for i in result.issues)
        console.print(f"Service issues raised: {topics}")
