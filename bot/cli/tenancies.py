"""Tenancy records from the housing management system: `tenancies import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from bot.cli._app import ConfigOption, console, group, opened_store

tenancies_app = group("tenancies", "Tenancy records from the housing system.")


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
    from bot.dates.clock import system_clock
    from bot.identify.tenancies import import_tenancies, read_mapping

    with (
        opened_store(config) as (_, store),
        store.begin() as session,
        Progress(disable=not console.is_terminal, console=console) as progress,
    ):
        task = progress.add_task("Importing tenancy records", total=None)
        report = import_tenancies(
            session,
            file,
            mapping=read_mapping(mapping),
            actor=by,
            now=system_clock(),
            progress=lambda done: progress.update(task, completed=done),
        )
    console.print(
        f"Imported {report.rows} tenancy records from {file}: {report.created} new, "
        f"{report.updated} updated."
    )
