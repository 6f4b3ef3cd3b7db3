"""Reddit's error answers (prawcore's and praw's exceptions) as the connector interface's."""

from __future__ import annotations

import re
from collections.abc import Callable

import praw
import prawcore

from platforms.base import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PlatformError,
    RateLimitedError,
    UnsupportedActionError,
)
from platforms.calls import TransientError, transport_error, unreadable

RATELIMIT = re.compile(r"(\d+)\s*(second|minute|hour)", re.IGNORECASE)


def translate(
    exc: BaseException,
    what: str,
    *,
    connector: str,
    subreddit: str,
    scrub: Callable[[str], str],
    credential_envs: tuple[str, str, str, str],
) -> PlatformError:
    """Any exception from praw, prawcore (or their transport) as one of our `PlatformError`s.

    What Reddit said (its JSON `message`/`reason`, or the start of the body) is kept in the
    message, through `scrub`, so staff see the platform's own words and never a secret.
    """
    if isinstance(exc, PlatformError):
        return exc
    said = scrub(reddit_said(exc))
    tail = f": Reddit said {said!r}" if said else ""
    if isinstance(exc, prawcore.OAuthException | prawcore.InvalidToken) or (
        isinstance(exc, prawcore.ResponseException) and exc.response.status_code == 401
    ):
        username, password, client_id, client_secret = credential_envs
        return AuthError(
            f"Reddit rejected the bot's credentials while trying to {what}{tail}. Check "
            f"{username}, {password} and the app's {client_id}/{client_secret}; connector "
            f"'{connector}' is stopped until they are fixed, and its cursor is kept"
        )
    if isinstance(exc, prawcore.TooManyRequests):
        # prawcore keeps Retry-After as the header's text; RateLimitedError reads it.
        return RateLimitedError(
            f"Reddit rate limit reached while trying to {what}{tail}", exc.retry_after
        )
    if isinstance(exc, prawcore.InsufficientScope | prawcore.Forbidden):
        return ForbiddenError(f"Reddit refused to {what} (HTTP 403){tail}")
    if isinstance(exc, prawcore.NotFound):
        return NotFoundError(f"Reddit says the item is gone while trying to {what}{tail}")
    if isinstance(exc, prawcore.Redirect):
        return PlatformError(f"r/{subreddit} does not exist (Reddit redirected)")
    if isinstance(exc, prawcore.ServerError):
        status = exc.response.status_code
        return TransientError(f"Reddit answered HTTP {status} while trying to {what}{tail}")
    if isinstance(exc, prawcore.RequestException):
        original = exc.original_exception
        return transport_error(original, "Reddit", what) or TransientError(
            f"Reddit could not be reached while trying to {what} ({type(original).__name__})"
        )
    transport = transport_error(exc, "Reddit", what)
    if transport is not None:
        return transport
    if isinstance(exc, praw.exceptions.RedditAPIException):
        kinds = {item.error_type for item in exc.items}
        text = scrub("; ".join(f"{i.error_type}: {i.message}" for i in exc.items))
        if "RATELIMIT" in kinds:
            return RateLimitedError(f"Reddit asked the bot to slow down ({text})", _wait(text))
        if "NOT_WHITELISTED_BY_USER_MESSAGE" in kinds:
            return UnsupportedActionError(
                "this person accepts messages only from people they allow"
            )
        if kinds & {"THREAD_LOCKED", "DELETED_COMMENT", "TOO_OLD"}:
            return UnsupportedActionError(f"Reddit refused: {text}")
        if "USER_DOESNT_EXIST" in kinds:
            return NotFoundError(f"Reddit says the account no longer exists while trying to {what}")
        return PlatformError(f"Reddit refused to {what}: {text}")
    if isinstance(exc, prawcore.ResponseException):
        status = exc.response.status_code
        return PlatformError(f"Reddit answered HTTP {status} while trying to {what}{tail}")
    if isinstance(exc, praw.exceptions.PRAWException | prawcore.PrawcoreException):
        return PlatformError(f"Reddit call failed while trying to {what}: {scrub(str(exc))}")
    return unreadable("Reddit", what, exc)


def reddit_said(exc: BaseException) -> str:
    """Reddit's own words in an error answer: its JSON message, or the body's start."""
    response = getattr(exc, "response", None)
    if response is None:
        return ""
    try:
        body = response.json()
    except Exception:  # an HTML page or nothing at all
        text = " ".join(str(getattr(response, "text", "") or "").split())
        return text[:200]
    if not isinstance(body, dict):
        return ""
    parts = [
        str(body[key])
        for key in ("message", "reason", "explanation", "error_description")
        if body.get(key) not in (None, "")
    ]
    return "; ".join(dict.fromkeys(parts))[:300]


def _wait(text: str) -> float | None:
    match = RATELIMIT.search(text)
    if not match:
        return None
    number, unit = int(match.group(1)), match.group(2).lower()
    return float(number * {"second": 1, "minute": 60, "hour": 3600}[unit])
