"""One root for every error the bot raises on purpose, split by where the fault lies.

Each message says what is wrong, where, and what to do: the people who read them are comms
officers and housing managers, not programmers. The CLI prints them without a traceback.
"""

from __future__ import annotations


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


class PlatformError(BotError):
    """A connector's platform refused or failed a call."""


class AuthError(PlatformError):
    """Credentials are missing, expired or revoked: the connector stops until fixed."""


class RateLimitedError(PlatformError):
    """The platform asked us to wait; `retry_after` is in seconds (None if not given)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFoundError(PlatformError):
    """The item or account no longer exists on the platform."""


class ForbiddenError(PlatformError):
    """The account lacks a permission the action needs; staff must act by hand."""


class UnsupportedActionError(PlatformError):
    """The platform cannot do this action *here*, decided at the time of the call.

    Unlike a missing capability, the answer depends on the item: a Facebook private reply
    after 7 days or a second time, an X reply to someone who did not mention the account, an
    X hide outside the organisation's own conversations. The runner hands the action to staff
    with this message as the reason; it is never retried.
    """


class DeliveryUnknownError(PlatformError):
    """A message may or may not have gone out (the platform timed out or failed after it).

    Resending could message the person twice and the platform offers no way to look, so the
    runner never retries it: staff get a task to check the conversation and send it by hand
    only if it is not there.
    """
