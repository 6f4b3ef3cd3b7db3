"""Facebook Graph error answers as the connector interface's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from platforms.calls import TransientError, transport_error, unreadable

# Meta's error reference (developers.facebook.com/docs/graph-api/guides/error-handling and
# /docs/marketing-api/error-reference): a code says the family, the subcode and type say which.
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80000, 80015))
TOKEN_SUBCODES = {458: "the app is no longer installed for this user",
                  459: "the account must log in at facebook.com to pass a security check",
                  460: "the password of the account that issued it was changed",
                  463: "it has expired", 464: "the account that issued it is unconfirmed",
                  467: "it is no longer valid",
                  492: "the account that issued it is no longer an admin of the Page"}  # fmt: skip
PRIVATE_REPLY_REFUSED = {10900: "a private reply was already sent to this comment",
                         10903: "this person cannot receive a private reply to this comment",
                         551: "this person is not available to message"}  # fmt: skip
DOES_NOT_EXIST_SUBCODE = 33  # code 100, GraphMethodException: "Object with ID ... does not exist"


def is_gone(error: dict[str, Any]) -> bool:
    """Whether Graph said the object does not exist, and nothing else.

    Code 100 alone is any invalid parameter, and with type OAuthException a missing
    permission or feature ("Pages Public Content Access requires ... appsecret_proof"):
    taking either as "already gone" would record a hide that never happened.
    """
    code, subcode = error.get("code"), error.get("error_subcode")
    return (code == 100 and subcode == DOES_NOT_EXIST_SUBCODE) or code == 803


def translate(
    exc: BaseException,
    what: str,
    *,
    connector: str,
    status: int | None,
    regain_seconds: Callable[[], float | None],
    scrub: Callable[[str], str],
    token_env: str,
    platform: str = "Facebook",
) -> PlatformError:
    """Any exception from facebook-sdk (or its transport) as one of our `PlatformError`s.

    `status` is the HTTP status of the last answer (the SDK throws it away). Meta's own
    message is kept in every error, through `scrub`, so no token can reach a log or an
    error. `platform` names it in messages (Instagram's Graph API answers the same way).
    """
    if isinstance(exc, PlatformError):
        return exc
    transport = transport_error(exc, platform, what)
    if transport is not None:
        return transport
    if not isinstance(exc, facebook.GraphAPIError):
        return unreadable(platform, what, exc)
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    kind = str(error.get("type") or "")
    message = scrub(str(error.get("message") or exc.message or "no message"))
    said = f"Meta said: {message}"
    label = f"code {code}" + (f"/{subcode}" if subcode else "")
    if code is None:
        return _by_status(status, what, message, token_env, connector, platform)
    if code in (102, 190) or status == 401:
        why = TOKEN_SUBCODES.get(subcode, "it was rejected")
        return AuthError(
            f"{platform} rejected the Page token while trying to {what}: {why} ({label}; "
            f"{said}). Issue a new Page token and put it in {token_env}; connector "
            f"'{connector}' is stopped until then and its cursor is kept"
        )
    if code in RATE_LIMIT_CODES or status == 429:
        wait = regain_seconds() or (3600.0 if code == 32 else 300.0)
        return RateLimitedError(
            f"{platform} is throttling this app ({label}) while trying to {what}; {said}", wait
        )
    if code in (1, 2) or error.get("is_transient"):
        return TransientError(
            f"{platform} had a temporary problem ({label}) while trying to {what}; {said}"
        )
    if code in PRIVATE_REPLY_REFUSED:
        return UnsupportedActionError(
            f"{platform} refused: {PRIVATE_REPLY_REFUSED[code]} ({label}; {said})"
        )
    if code == 368:
        return UnsupportedActionError(
            f"Meta has blocked the account from doing this for now, as it judged the action "
            f"abusive or against its policies ({label}; {said}). Wait before trying again "
            "by hand, and check the account's quality page in Meta Business Suite"
        )
    if is_gone(error):
        return NotFoundError(f"{platform} says the item does not exist ({label}; {said})")
    if code == 10 or (isinstance(code, int) and 200 <= code <= 299):
        return ForbiddenError(f"{platform} refused to {what} ({label}): {message}")
    if code == 100 and kind == "OAuthException" and _names_an_entitlement(message):
        return ForbiddenError(f"{platform} refused to {what} ({label}): {message}")
    if code == 100:
        return PlatformError(
            f"{platform} refused to {what} as an invalid request ({label}): {message}"
        )
    return PlatformError(f"{platform} refused to {what} ({label}): {message}")


def _names_an_entitlement(message: str) -> bool:
    """Whether a code-100 OAuthException is about a permission or feature the app lacks."""
    lowered = message.lower()
    return any(word in lowered for word in ("permission", "feature", "access", "requires"))


def _by_status(
    status: int | None, what: str, message: str, token_env: str, connector: str, platform: str
) -> PlatformError:
    """An answer with no Graph error object (a proxy, a load balancer): read its status."""
    if status is None or status >= 500:
        return TransientError(f"{platform} answered HTTP {status} while trying to {what}")
    if status == 401:
        return AuthError(
            f"{platform} rejected the Page token (HTTP 401) while trying to {what}. Check "
            f"{token_env}; connector '{connector}' is stopped until then and its cursor is kept"
        )
    if status == 429:
        return RateLimitedError(f"{platform} answered HTTP 429 while trying to {what}", 300.0)
    if status == 403:
        return ForbiddenError(f"{platform} refused to {what} (HTTP 403)")
    if status == 404:  # not Graph's own "does not exist": nothing proves the item is gone
        return PlatformError(f"{platform} answered HTTP 404 while trying to {what}")
    if status < 400:
        return PayloadError(
            f"{platform} sent an answer the bot could not read while trying to {what} "
            f"({message}); the next pass tries again"
        )
    return PlatformError(f"{platform} answered HTTP {status} while trying to {what}")
