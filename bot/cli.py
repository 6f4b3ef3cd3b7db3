"""The `modbot` command.

Every command loads the config once and passes it down. Errors the user can fix (a bad
config, a malformed file, an unreachable database) are printed as one clear message without a
traceback, and the command exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.errors import BotError

app = typer.Typer(
    name="modbot",
    help=(
        "Moderation bot for a UK social-housing landlord's Facebook Page, X account and "
        "subreddit. It applies the landlord's Unacceptable Customer Behaviour policy: finds "
        "what breaches it, takes the actions the policy allows, and keeps the register."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: create or upgrade its tables.", no_args_is_help=True)
config_app = typer.Typer(help="Check a configuration file.", no_args_is_help=True)
tenancies_app = typer.Typer(help="Tenancy records from the housing system.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(tenancies_app, name="tenancies")

console = Console()
errors = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Your YAML config (merged over the shipped defaults). Default: $MODBOT_CONFIG.",
        dir_okay=False,
    ),
]


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its database and outbox.")
    ] = Path("modbot-demo"),
) -> None:
    """Run one moderation pass over the shipped sample inbox and show what happened.

    Uses a fictional landlord (Brookmere Housing), 45 sample contacts on Facebook, X and
    Reddit, and a sample tenancy file. Running it again changes nothing: contacts, actions
    and outbox lines are never duplicated.
    """
    from bot.demo import run_demo

    run_demo(directory, console)


@app.command()
def run(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Do one pass with every configured connector.")
    ] = False,
) -> None:
    """Poll the configured connectors, decide, and act (one pass with --once)."""
    from bot.config import load_config
    from bot.pipeline import Pipeline
    from bot.storage.session import Store

    if not once:
        raise BotError(
            "the long-running scheduler is not part of this version yet; run "
            "`modbot run --once` from cron or a systemd timer"
        )
    loaded = load_config(config)
    store = Store(loaded.settings.database_url())
    store.require_current()
    pipeline = Pipeline(loaded, store)
    try:
        report = pipeline.run_once()
    finally:
        pipeline.close()
        store.dispose()
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
    if report.errors:
        raise typer.Exit(1)


@app.command()
def scan(
    text: Annotated[str, typer.Argument(help="The text to check, in quotes.")],
    config: ConfigOption = None,
) -> None:
    """Show what the filters find in one text, with the matched words highlighted.

    Nothing is stored and nothing is sent: this is how to try a word list or threshold.
    """
    from bot.config import load_config
    from bot.pipeline import build_classifier
    from bot.views import findings_table, highlight

    loaded = load_config(config)
    result = build_classifier(loaded).classify(text)
    labels = result.labels(loaded.settings.thresholds)
    console.print(Panel(highlight(text, result.findings), title="Text"))
    console.print(findings_table(result.findings, dict(result.scores)))
    verdict = ", ".join(c.value for c in labels) if labels else "acceptable"
    console.print(f"Verdict at the configured thresholds: [bold]{verdict}[/]")
    if result.issues:
        topics = ", ".join(f"{i.topic} ({i.evidence!r})" for i in result.issues)
        console.print(f"Service issues raised: {topics}")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the tables, or apply every migration this version has."""
    from bot.config import load_config
    from bot.storage.session import Store

    loaded = load_config(config)
    store = Store(loaded.settings.database_url())
    try:
        store.upgrade()
        console.print(f"Database {store.display_url} is at revision {store.current_revision()}.")
    finally:
        store.dispose()


@config_app.command("check")
def config_check(config: ConfigOption = None) -> None:
    """Validate the config, its policy profile and its message templates."""
    from bot.config import load_config

    loaded = load_config(config)
    console.print(f"Config is valid ({' + '.join(loaded.files)}).")
    console.print(
        f"Policy profile: {loaded.profile.name} — {loaded.profile.landlord}, "
        f"{loaded.profile.policy}."
    )
    names = ", ".join(f"{n} ({c.type})" for n, c in loaded.settings.connectors.items())
    console.print(f"Connectors: {names or 'none'}.")


@tenancies_app.command("import")
def tenancies_import(
    file: Annotated[Path, typer.Argument(help="CSV export of tenancy records.", dir_okay=False)],
    mapping: Annotated[
        Path | None,
        typer.Option(help="YAML saying which of your columns holds each field.", dir_okay=False),
    ] = None,
    by: Annotated[str, typer.Option(help="Your name, for the audit trail.")] = "modbot",
    config: ConfigOption = None,
) -> None:
    """Import or update tenancy records; all rows are checked first, all or nothing."""
    from bot.clock import system_clock
    from bot.config import load_config
    from bot.storage.session import Store
    from bot.tenancies import import_tenancies, read_mapping

    loaded = load_config(config)
    store = Store(loaded.settings.database_url())
    store.require_current()
    try:
        with store.begin() as session:
            report = import_tenancies(
                session, file, mapping=read_mapping(mapping), actor=by, now=system_clock()
            )
    finally:
        store.dispose()
    console.print(
        f"Imported {report.rows} tenancy records from {file}: {report.created} new, "
        f"{report.updated} updated."
    )


def main() -> None:
    """Entry point: run the app, turning deliberate errors into one clear message."""
    try:
        app()
    except BotError as exc:
        # soft_wrap: one unbroken line per problem; Text: never read brackets as markup.
        errors.print(Text.assemble(("modbot: ", "bold red"), str(exc)), soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        errors.print("modbot: interrupted")
        sys.exit(130)
