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


class AccessTierError(ForbiddenError):
    """The app's X API access level (its tier or enrollment) does not include the call.

    Not a fact about the item: an X hide refused for this reason must not be explained to
    staff as "only replies in conversations it started".
    """


def is_access_tier(exc: tweepy.HTTPException) -> bool:
    """X's two ways of saying so: v1.1 error code 453, v2 problem `client-not-enrolled`."""
    if 453 in exc.api_codes:
        return True
    try:
        body = exc.response.json()
    except Exception:  # not JSON: no problem type to read
        return False
    return isinstance(body, dict) and (
        body.get("reason") == "client-not-enrolled"
        or str(body.get("type", "")).endswith("/client-forbidden")
    )


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
        if is_access_tier(exc):
            return AccessTierError(
                f"X refused to {what} because the app's X API access level does not include "
                f"it: X said {detail!r}. Change the access level in the X developer console, "
                "or do it by hand"
            )
        return ForbiddenError(f"X refused to {what}: X said {detail!r}")
    if isinstance(exc, tweepy.NotFound):
        return NotFoundError(f"X says the item is gone while trying to {what}")
    if isinstance(exc, tweepy.TwitterServerError):
        return TransientError(f"X answered HTTP {status} while trying to {what}")
    return PlatformError(f"X refused to {what} (HTTP {status}): {detail}")
