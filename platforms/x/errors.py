"""X's error answers (tweepy's exceptions) as the connector interface's errors."""

from __future__ import annotations

import time
from collections.abc import Callable

import tweepy

from platforms.base import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PlatformError,
    RateLimitedError,
)
from platforms.calls import TransientError, transport_error, unreadable


def translate(
    exc: BaseException,
    what: str,
    *,
    connector: str,
    scrub: Callable[[str], str],
    token_envs: tuple[str, str],
) -> PlatformError:
    """Any exception from tweepy (or its transport) as one of our `PlatformError`s.

    Messages go through `scrub`, so no credential can reach a log or an error.
    """
    if isinstance(exc, PlatformError):
        return exc
    transport = transport_error(exc, "X", what)
    if transport is not None:
        return transport
    if not isinstance(exc, tweepy.HTTPException):
        return unreadable("X", what, exc)
    detail = scrub("; ".join(str(m) for m in exc.api_messages) or "no detail")
    status = exc.response.status_code
    if isinstance(exc, tweepy.TooManyRequests):
        wait = None if exc.reset_time is None else max(0.0, exc.reset_time - time.time() + 1)
        return RateLimitedError(f"X rate limit reached while trying to {what}", wait)
    if isinstance(exc, tweepy.Unauthorized):
        return AuthError(
            f"X rejected the credentials (HTTP 401) while trying to {what}. Check "
            f"{token_envs[0]} and {token_envs[1]} "
            f"(and the consumer key pair); connector '{connector}' is stopped until they "
            "are fixed, and its cursor is kept"
        )
    if status == 402:
        return AuthError(
            f"X refused to {what}: the app's API credits are used up (HTTP 402). Top up "
            f"in the developer console; connector '{connector}' is stopped until then"
        )
    if isinstance(exc, tweepy.Forbidden):
        hint = " (this needs a higher X access tier)" if 453 in exc.api_codes else ""
        return ForbiddenError(f"X refused to {what}: {detail}{hint}")
    if isinstance(exc, tweepy.NotFound):
        return NotFoundError(f"X says the item is gone while trying to {what}")
    if isinstance(exc, tweepy.TwitterServerError):
        return TransientError(f"X answered HTTP {status} while trying to {what}")
    return PlatformError(f"X refused to {what} (HTTP {status}): {detail}")
