"""The Typer application, its sub-commands' groups, and what every command shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.domain import MAX_ROW_ID

if TYPE_CHECKING:
    from bot.settings.loading import LoadedConfig
    from bot.storage.session import Store

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

RowId = Annotated[int, typer.Argument(min=1, max=MAX_ROW_ID, metavar="ID", help="Its number.")]
"""A row id on the command line: one no database row can have is refused by name."""


def group(name: str, help_text: str) -> typer.Typer:
    """A sub-command group (`modbot NAME ...`), registered on the app."""
    sub = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


@contextmanager
def opened_store(
    config: Path | None, *, current: bool = True
) -> Iterator[tuple[LoadedConfig, Store]]:
    """Load the config and open its store (checked to be at the current schema).

    The config yielded is the one in force: with `current`, the thresholds and word lists
    saved in the review pages are applied over the file.
    """
    from bot.settings.loading import load_config
    from bot.settings.saved import apply_saved_settings
    from bot.storage.session import Store

    loaded = load_config(config)
    store = Store(loaded.settings.database_url())
    try:
        if current:
            store.require_current()
            loaded = apply_saved_settings(loaded, store)
        yield loaded, store
    finally:
        store.dispose()
