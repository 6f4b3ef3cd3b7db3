"""One root for every error the bot raises on purpose, split by where the fault lies.

Each message says what is wrong, where, and what to do: the people who read them are comms
officers and housing managers, not programmers. The CLI prints them without a traceback.
What a platform answers with (`PlatformError` and its kinds) is defined with the connector
interface in `platforms/base.py`; `EXPECTED` is both families, for the loop edges.
"""

from __future__ import annotations

from platforms.base import PlatformError


class BotError(Exception):
    """Base of every deliberate modbot error."""


class ConfigError(BotError):
    """The configuration (or a policy profile, word list or template) is invalid.

    Args:
        source: the file the problem is in.
        problems: one ``"key.path: what is wrong"`` string per problem.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} is not valid:\n{lines}")


class InputError(BotError):
    """A file the user gave us (inbox, tenancy export, labelled data) cannot be read."""


class PermissionRefusedError(InputError):
    """The policy reserves this to another role, or to someone other than this person.

    A kind of `InputError`, so the command line reports it the same way; the review pages
    answer it with "not allowed" rather than "bad input".
    """


class StorageError(BotError):
    """The database is unreachable or not in the state this version expects."""


class FilterError(BotError):
    """A filter could not be built (e.g. a broken word list)."""


# What a command, a scheduled job or a pass reports to the user as a message, never a trace.
EXPECTED: tuple[type[Exception], ...] = (BotError, PlatformError)
