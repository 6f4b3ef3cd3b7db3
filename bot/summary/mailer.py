"""Sending an email over SMTP, with bounded retries for failures that may pass.

A temporary failure (the server unreachable, a 4xx reply, the connection dropped) is tried
again after a delay that doubles each time, up to `smtp.max_attempts` in all. A permanent one
(a 5xx reply, a refused login, a certificate that does not verify, a server without STARTTLS)
is not: trying again would fail the same way, so it is reported at once. The wait between
attempts goes through `wait`, which a service passes as its stop event's `wait`, so a
shutdown never sits out a backoff, and tests pass a recorder instead of sleeping.

Credentials come from the environment variables the config names; the password is never
logged or put in an error message.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

import structlog

from bot.errors import BotError
from bot.settings.schema import SmtpConfig

log = structlog.get_logger(__name__)

Wait = Callable[[float], bool]  # wait so many seconds; True if told to stop meanwhile


def sleep_wait(seconds: float) -> bool:
    """Wait by sleeping; never interrupted."""
    time.sleep(seconds)
    return False


class SendError(BotError):
    """The email could not be sent; `permanent` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool, attempts: int) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts


@dataclass(frozen=True)
class Delivery:
    """A message the server accepted, after how many attempts, and any recipients refused."""

    attempts: int
    refused: dict[str, str] = field(default_factory=dict)


class Mailer:
    """Sends messages through the configured SMTP server."""

    def __init__(self, smtp: SmtpConfig, *, wait: Wait = sleep_wait) -> None:
        self.smtp = smtp
        self.wait = wait

    def send(self, message: EmailMessage) -> Delivery:
        """Send `message`, retrying temporary failures with backoff.

        Raises:
            ConfigError: a credential variable the config names is not set.
            SendError: a permanent failure, every attempt failed, or a stop was requested
                while waiting to try again.
        """
        credentials = self.smtp.credentials()
        delay = self.smtp.retry_delay_seconds
        problem = ""
        for attempt in range(1, self.smtp.max_attempts + 1):
            try:
                refused = self._send_once(message, credentials)
            except Exception as exc:  # loop edge: classify, record, retry or give up
                permanent, problem = classify(exc, f"{self.smtp.host}:{self.smtp.port}")
                if permanent:
                    raise SendError(problem, permanent=True, attempts=attempt) from None
                last = attempt == self.smtp.max_attempts
                log.warning(
                    "smtp_attempt_failed",
                    attempt=attempt,
                    error=problem,
                    retry_in=None if last else delay,
                )
                if last:
                    break
                if self.wait(delay):
                    raise SendError(
                        f"{problem}; stopped before trying again", permanent=False, attempts=attempt
                    ) from None
                delay *= 2
            else:
                return Delivery(attempt, {k: _reply(*v) for k, v in refused.items()})
        raise SendError(
            f"gave up after {self.smtp.max_attempts} attempts: {problem}",
            permanent=False,
            attempts=self.smtp.max_attempts,
        )

    def _send_once(
        self, message: EmailMessage, credentials: tuple[str, object] | None
    ) -> dict[str, tuple[int, bytes]]:
        smtp = self.smtp
        context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if credentials is not None:
                user, password = credentials
                client.login(user, password.get_secret_value())  # type: ignore[attr-defined]
            return client.send_message(message)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def classify(exc: BaseException, where: str = "") -> tuple[bool, str]:
    """Whether an SMTP failure is permanent, and a message saying what happened."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = {k: v for k, v in exc.recipients.items()}
        permanent = all(code >= 500 for code, _ in replies.values())
        listed = "; ".join(f"{addr}: {_reply(*reply)}" for addr, reply in replies.items())
        return permanent, f"the server refused every recipient ({listed})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return True, (
            f"the server refused the login ({_reply(exc.smtp_code, exc.smtp_error)}); check "
            "the username and password in the variables smtp.username_env and "
            "smtp.password_env name"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return True, f"the server does not support what smtp.security asks for: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500, f"the server replied {_reply(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return True, (
            f"the server's certificate does not verify ({exc.verify_message}); set "
            "smtp.ca_file if it uses a private certificate authority"
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return False, f"the server closed the connection ({exc})"
    if isinstance(exc, OSError):
        return False, f"cannot reach the SMTP server {where}: {exc.strerror or exc}"
    if isinstance(exc, smtplib.SMTPException):
        return False, f"SMTP error: {exc}"
    return False, f"{type(exc).__name__}: {exc}"
