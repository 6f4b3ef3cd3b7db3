"""What every real connector shares: timeouts, retries, rate-limit waits, secret scrubbing.

The SDKs disagree on all of this (platforms.md 1.2, 2.2, 3.2): tweepy and facebook-sdk set no
timeout and never retry, praw retries some faults itself. So each connector sends its calls
through `Caller.call`, which gives every platform the same rules:

* every HTTP request has a timeout (`TimeoutAdapter`, mounted on the SDK's session);
* a rate limit is waited out in-process only when the platform's reset is near (at most
  `max_rate_wait` seconds); otherwise `RateLimitedError` goes up and the runner puts the
  action back untried, or the poll keeps its cursor for the next pass;
* 5xx and network faults are retried with full-jitter exponential backoff, a bounded number
  of times, then raised as a `PlatformError` (the runner marks the action failed and a
  later run tries again);
* a rejected token stops the connector for the life of the process with one clear message;
* no message that leaves a connector contains a secret: every text built from an SDK
  exception is scrubbed of the credential values first.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
import structlog
from requests.adapters import HTTPAdapter

from platforms.base import AuthError, PayloadError, PlatformError, RateLimitedError, SecretSource
from platforms.settings import RetrySettings

log = structlog.get_logger(__name__)


T = TypeVar("T")


class TransientError(PlatformError):
    """A fault worth retrying soon: a 5xx answer, a timeout, a dropped connection."""


class TimeoutAdapter(HTTPAdapter):
    """A requests adapter that puts a timeout on every request and can move the host.

    `rewrite` (from, to) sends requests for one base URL to another: how a deployment puts a
    proxy in front of an SDK whose host is hard-coded (tweepy), and how tests reach a fake
    server on 127.0.0.1.
    """

    def __init__(self, timeout: float, rewrite: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.rewrite = rewrite

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send with our timeout unless the caller gave one, at the rewritten URL."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.rewrite and request.url and request.url.startswith(self.rewrite[0]):
            request.url = self.rewrite[1].rstrip("/") + request.url[len(self.rewrite[0]) :]
        return super().send(request, **kwargs)


def timed_session(
    timeout: float, rewrite: tuple[str, str] | None = None, session: requests.Session | None = None
) -> requests.Session:
    """A `requests.Session` (new, or the SDK's own) whose every request has a timeout."""
    session = session or requests.Session()
    adapter = TimeoutAdapter(timeout, rewrite)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@dataclass
class Redactor:
    """Replaces every known secret value in a text with ``<redacted>``."""

    secrets: list[str] = field(default_factory=list)

    def add(self, *values: str | None) -> None:
        """Remember more secret values (short ones are ignored: they would mangle text)."""
        self.secrets.extend(v for v in values if v and len(v) >= 6)

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "<redacted>")
        return text


class Caller:
    """Runs one platform call under the shared rules (see the module docstring).

    Args:
        connector: the connector's configured name, for messages.
        settings: the retry and timeout settings.
        translate: turns any exception from the SDK into a `PlatformError` subclass; it must
            build its message with `redactor.scrub`.
        sleep: how to wait (tests pass a recorder).
    """

    def __init__(
        self,
        connector: str,
        settings: RetrySettings,
        translate: Callable[[BaseException, str], PlatformError],
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connector = connector
        self.settings = settings
        self.translate = translate
        self.sleep = sleep
        self.stopped: AuthError | None = None

    def check_running(self) -> None:
        """Refuse every call once the platform rejected our credentials."""
        if self.stopped is not None:
            raise AuthError(str(self.stopped))

    def _translated(self, exc: Exception, what: str) -> PlatformError:
        """`translate`, which must never let a raw exception out, even its own."""
        try:
            error = self.translate(exc, what)
        except Exception:  # a translator's own bug must not become the pass's crash
            log.exception("translate_failed", connector=self.connector, what=what)
            error = None
        if not isinstance(error, PlatformError):
            return PlatformError(
                f"{self.connector}: the call to {what} failed with {type(exc).__name__}"
            )
        return error

    def call(self, what: str, fn: Callable[[], T], *, retry_transient: bool = True) -> T:
        """Call `fn`, retrying transient faults and near rate-limit resets.

        Args:
            what: a short description ("hide comment 123_456") for messages and logs.
            fn: the SDK call.
            retry_transient: False for calls that must not be repeated blindly (a message
                whose first try may have gone out).

        Raises:
            PlatformError: a subclass saying what went wrong and what to do.
        """
        self.check_running()
        attempt = 0
        waited = False
        while True:
            try:
                return fn()
            except Exception as exc:  # every SDK error is translated, never leaked raw
                error = self._translated(exc, what)
            if isinstance(error, RateLimitedError):
                wait = error.retry_after
                if (
                    not waited
                    and wait is not None
                    and wait <= self.settings.max_rate_limit_wait_seconds
                ):
                    log.info("rate_limited_waiting", connector=self.connector, seconds=wait)
                    self.sleep(max(0.0, wait))
                    waited = True
                    continue
                raise error
            if isinstance(error, TransientError) and retry_transient:
                attempt += 1
                if attempt < self.settings.attempts:
                    delay = random.uniform(
                        0,
                        min(
                            self.settings.backoff_max_seconds,
                            self.settings.backoff_seconds * 2 ** (attempt - 1),
                        ),
                    )
                    log.info(
                        "platform_retry",
                        connector=self.connector,
                        what=what,
                        attempt=attempt,
                        delay=round(delay, 2),
                        error=str(error),
                    )
                    self.sleep(delay)
                    continue
                raise PlatformError(f"{error} (gave up after {attempt} tries)") from None
            if isinstance(error, AuthError):
                self.stopped = error
                log.error("connector_stopped", connector=self.connector, error=str(error))
            raise error


def transport_error(exc: BaseException, platform: str, what: str) -> PlatformError | None:
    """A fault below the SDK (requests, httpx, a body that is not JSON) as our error.

    Every connector's translator asks this first, so a timeout or a dropped connection means
    the same on every platform, whichever HTTP library the SDK uses. None: not a transport
    fault, the translator reads the platform's own answer.
    """
    # httpx is not a dependency: if it was never imported, none of its errors can be here.
    httpx = sys.modules.get("httpx")
    timeouts: tuple[type[BaseException], ...] = (requests.Timeout,)
    unreachable: tuple[type[BaseException], ...] = (requests.ConnectionError,)
    others: tuple[type[BaseException], ...] = (requests.RequestException,)
    if httpx is not None:
        timeouts += (httpx.TimeoutException,)
        unreachable += (httpx.TransportError,)
        others += (httpx.HTTPError,)
    if isinstance(exc, timeouts):
        return TransientError(f"{platform} did not answer in time while trying to {what}")
    if isinstance(exc, unreachable):
        return TransientError(f"{platform} could not be reached while trying to {what}")
    if isinstance(exc, json.JSONDecodeError):
        return TransientError(f"{platform} sent an answer that is not JSON while trying to {what}")
    if isinstance(exc, others):
        return PlatformError(f"{platform} call failed while trying to {what}: {type(exc).__name__}")
    return None


def unreadable(platform: str, what: str, exc: BaseException) -> PayloadError:
    """An SDK that failed on its own reading of an answer (a `KeyError` deep in it).

    The SDKs assume the platform's documented shapes; an odd answer (a proxy's page, a
    changed field) makes them raise plain Python errors. Only the type is kept: the text
    could quote anything, including a URL with a token.
    """
    return PayloadError(
        f"{platform} sent an answer the bot could not read while trying to {what} "
        f"({type(exc).__name__}); the next pass tries again"
    )


def secret_value(secrets: SecretSource, env_name: str) -> str:
    """The value of the secret in `env_name`; `secrets` raises, naming it, if it is unset."""
    secret = secrets(env_name)
    assert secret is not None  # required=True raises instead
    return secret.get_secret_value()


def unset_secrets(secrets: SecretSource, env_names: list[str]) -> list[str]:
    """Which of these secrets cannot be read (unset, or a `_FILE` that cannot be read)."""
    unset = []
    for env_name in env_names:
        try:
            value = secrets(env_name, required=False)
        except Exception:  # an unreadable secret file: as good as unset here
            value = None
        if value is None or not value.get_secret_value():
            unset.append(env_name)
    return unset


SDK_LOGGERS = ("tweepy", "prawcore", "praw", "facebook", "urllib3", "requests_oauthlib", "oauthlib")


def quiet_sdk_loggers() -> None:
    """Keep the SDKs' DEBUG logging off: it prints request headers, bodies and URLs.

    tweepy logs the bearer token in its request headers, prawcore the password grant's form
    data, urllib3 every URL with facebook-sdk's `access_token` query parameter — all at DEBUG.
    Setting these loggers to INFO keeps secrets out of the logs whatever the root level is.
    """
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
