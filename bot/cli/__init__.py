"""The `modbot` command.

Every command loads the config once and passes it down. Errors the user can fix (a bad
config, a malformed file, an unreachable database) are printed as one clear message without a
traceback, and the command exits with status 2. Commands live in one module per area; each
registers itself on the shared app when imported here.
"""

from __future__ import annotations

import sys

from rich.text import Text

from bot.cli import (  # noqa: F401  (registers their commands)
    admin,
    connectors,
    filters,
    identity,
    passes,
    register,
    service,
    tenancies,
    users,
)
from bot.cli._app import app, errors
from bot.errors import EXPECTED
from bot.logging import configure_logging

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning deliberate errors into one clear message."""
    configure_logging()
    try:
        app()
    except EXPECTED as exc:
        # soft_wrap: one unbroken line per problem; Text: never read brackets as markup.
        errors.print(Text.assemble(("modbot: ", "bold red"), str(exc)), soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        errors.print("modbot: interrupted")
        sys.exit(130)
