"""Facebook Graph error answers as the connector interface's errors."""

from __future__ import annotations

from collections.abc import Callable

import facebook
import requests

from platforms.base import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PlatformError,
    RateLimitedError,
    UnsupportedActionError,
)
from platforms.calls import TransientError

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
    if isinstance(exc, requests.Timeout):
        return TransientError(f"Facebook did not answer in time while trying to {what}")
    if isinstance(exc, requests.ConnectionError):
        return TransientError(f"Facebook could not be reached while trying to {what}")
    if not isinstance(exc, facebook.GraphAPIError):
        return PlatformError(f"Facebook call failed while trying to {what}: {type(exc).__name__}")
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    code = error.get("code")
    message = scrub(str(error.get("message") or exc.message or "no message"))
    if code is None and (status is None or status >= 500):
        return TransientError(f"Facebook answered HTTP {status} while trying to {what}")
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
