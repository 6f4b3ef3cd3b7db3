"""Facebook Graph error answers as the connector interface's errors."""

from __future__ import annotations

from collections.abc import Callable

import facebook

from platforms.base import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PayloadError,
    PlatformError,
    RateLimitedError,
    UnsupportedActionError,
)
from platforms.calls import TransientError, transport_error

RATE_LIMIT_CODES = {4, 17, 32, 613, 80001}
PRIVATE_REPLY_REFUSED = {10900: "a private reply was already sent to this comment",
                         10903: "this person cannot receive a private reply to this comment",
                         551: "this person is not available to message"}  # fmt: skip


def translate(
    exc: BaseException,
    what: str,
    *,
    connector: str,
    status: int | None,
    regain_seconds: Callable[[], float | None],
    scrub: Callable[[str], str],
    token_env: str,
) -> PlatformError:
    """Any exception from facebook-sdk (or its transport) as one of our `PlatformError`s.

    `status` is the HTTP status of the last answer (the SDK throws it away); messages go
    through `scrub`, so no token can reach a log or an error.
    """
    if isinstance(exc, PlatformError):
        return exc
    transport = transport_error(exc, "Facebook", what)
    if transport is not None:
        return transport
    if not isinstance(exc, facebook.GraphAPIError):
        return PlatformError(f"Facebook call failed while trying to {what}: {type(exc).__name__}")
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    code = error.get("code")
    message = scrub(str(error.get("message") or exc.message or "no message"))
    if code is None:
        return _by_status(status, what, message, token_env, connector)
    if code == 190 or status == 401:
        return AuthError(
            f"Facebook rejected the Page token while trying to {what} ({message}). Issue a "
            f"new Page token and put it in {token_env}; connector "
            f"'{connector}' is stopped until then and its cursor is kept"
        )
    if code in RATE_LIMIT_CODES or status == 429:
        wait = regain_seconds() or (3600.0 if code == 32 else 300.0)
        return RateLimitedError(
            f"Facebook is throttling this app (code {code}) while trying to {what}", wait
        )
    if code in (1, 2) or error.get("is_transient"):
        return TransientError(f"Facebook had a temporary problem while trying to {what}")
    if code in PRIVATE_REPLY_REFUSED:
        return UnsupportedActionError(f"Facebook refused: {PRIVATE_REPLY_REFUSED[code]}")
    if code == 10 or code == 368 or (isinstance(code, int) and 200 <= code <= 299):
        return ForbiddenError(f"Facebook refused to {what} (code {code}): {message}")
    if code == 100 and "permission" in message.lower():
        return ForbiddenError(f"Facebook refused to {what} (code 100): {message}")
    if code == 100:
        return NotFoundError(f"Facebook says the item is gone or invalid while trying to {what}")
    return PlatformError(f"Facebook refused to {what} (code {code}): {message}")


def _by_status(
    status: int | None, what: str, message: str, token_env: str, connector: str
) -> PlatformError:
    """An answer with no Graph error object (a proxy, a load balancer): read its status."""
    if status is None or status >= 500:
        return TransientError(f"Facebook answered HTTP {status} while trying to {what}")
    if status == 401:
        return AuthError(
            f"Facebook refused the Page token (HTTP 401) while trying to {what}. Check "
            f"{token_env}; connector '{connector}' is stopped until then and its cursor is kept"
        )
    if status == 429:
        return RateLimitedError(f"Facebook answered HTTP 429 while trying to {what}", 300.0)
    if status == 403:
        return ForbiddenError(f"Facebook refused to {what} (HTTP 403)")
    if status == 404:  # not Graph's own "does not exist": nothing proves the item is gone
        return PlatformError(f"Facebook answered HTTP 404 while trying to {what}")
    if status < 400:
        return PayloadError(
            f"Facebook sent an answer the bot could not read while trying to {what} "
            f"({message}); the next pass tries again"
        )
    return PlatformError(f"Facebook answered HTTP {status} while trying to {what}")
