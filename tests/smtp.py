"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

It can be told to answer the next few deliveries with a failure (to test retries), to
refuse recipients, to speak STARTTLS or implicit TLS with a test CA's certificate, and to
require a login.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: stores messages, or fails on request."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.fail_data: list[str] = []  # replies to give to the next DATA commands
        self.refuse_rcpt: str | None = None  # a reply to give to every RCPT
        self.data_attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        if self.fail_data:
            return self.fail_data.pop(0)
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)
            for e in self.received
        ]


def _authenticator(expected_user: str, expected_password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == expected_user
            and auth_data.password.decode() == expected_password
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(
    *,
    starttls_context: Any = None,
    ssl_context: Any = None,
    login: tuple[str, str] | None = None,
) -> Iterator[tuple[Mailbox, int]]:
    """Run a server for the length of the block; yields its mailbox and port."""
    mailbox = Mailbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls_context is not None:
        kwargs.update(tls_context=starttls_context, require_starttls=True)
    if ssl_context is not None:
        kwargs.update(ssl_context=ssl_context)
    if login is not None:
        kwargs.update(
            authenticator=_authenticator(*login),
            auth_require_tls=starttls_context is not None or ssl_context is not None,
        )
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
