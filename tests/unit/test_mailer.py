"""The SMTP sender against a real local server: TLS both ways, logins, and what is retried."""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import pytest
import trustme

from bot.errors import ConfigError
from bot.settings.schema import SmtpConfig
from bot.summary.mailer import Mailer, SendError
from tests.smtp import free_port, smtp_server


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "test"
    msg["From"] = "modbot@brookmere.example"
    msg["To"] = "comms@brookmere.example"
    msg.set_content("hello")
    return msg


def smtp(port: int, **kwargs: object) -> SmtpConfig:
    return SmtpConfig.model_validate(
        {"host": "127.0.0.1", "port": port, "max_attempts": 3, "retry_delay_seconds": 5, **kwargs}
    )


class Waits:
    def __init__(self, stop_after: int | None = None) -> None:
        self.waits: list[float] = []
        self.stop_after = stop_after

    def __call__(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.stop_after is not None and len(self.waits) >= self.stop_after


def test_starttls_with_a_login_from_the_environment(ca, ca_file, monkeypatch):
    monkeypatch.setenv("T_SMTP_USER", "modbot")
    monkeypatch.setenv("T_SMTP_PASSWORD", "s3cret")
    with smtp_server(starttls_context=server_context(ca), login=("modbot", "s3cret")) as (
        mailbox,
        port,
    ):
        config = smtp(
            port,
            security="starttls",
            ca_file=str(ca_file),
            username_env="T_SMTP_USER",
            password_env="T_SMTP_PASSWORD",
        )
        delivery = Mailer(config).send(message())
    assert delivery.attempts == 1 and len(mailbox.received) == 1


def test_implicit_tls(ca, ca_file):
    with smtp_server(ssl_context=server_context(ca)) as (mailbox, port):
        Mailer(smtp(port, security="ssl", ca_file=str(ca_file))).send(message())
    assert len(mailbox.received) == 1


def test_a_refused_login_is_permanent_and_hides_the_password(ca, ca_file, monkeypatch):
    monkeypatch.setenv("T_SMTP_USER", "modbot")
    monkeypatch.setenv("T_SMTP_PASSWORD", "wrong-password")
    waits = Waits()
    with smtp_server(starttls_context=server_context(ca), login=("modbot", "s3cret")) as (
        mailbox,
        port,
    ):
        config = smtp(
            port,
            security="starttls",
            ca_file=str(ca_file),
            username_env="T_SMTP_USER",
            password_env="T_SMTP_PASSWORD",
        )
        with pytest.raises(SendError, match="refused the login") as failure:
            Mailer(config, wait=waits).send(message())
    assert failure.value.permanent and waits.waits == []
    assert "wrong-password" not in str(failure.value)
    assert mailbox.received == []


def test_a_certificate_that_does_not_verify_is_permanent(ca):
    with (
        smtp_server(starttls_context=server_context(ca)) as (_, port),
        pytest.raises(SendError, match=r"does not verify.*smtp\.ca_file") as failure,
    ):
        Mailer(smtp(port, security="starttls")).send(message())
    assert failure.value.permanent


def test_an_unreachable_server_is_retried_with_backoff_then_reported():
    waits = Waits()
    port = free_port()  # nothing listens here
    with pytest.raises(SendError, match=f"gave up after 3 attempts.*127.0.0.1:{port}") as failure:
        Mailer(smtp(port, security="none"), wait=waits).send(message())
    assert not failure.value.permanent and failure.value.attempts == 3
    assert waits.waits == [5, 10]


def test_a_shutdown_cuts_the_backoff_short():
    waits = Waits(stop_after=1)
    with pytest.raises(SendError, match="stopped before trying again") as failure:
        Mailer(smtp(free_port(), security="none"), wait=waits).send(message())
    assert failure.value.attempts == 1 and waits.waits == [5]


def test_credentials_need_both_variables_or_neither():
    with pytest.raises(ValueError, match="both username_env and password_env"):
        SmtpConfig.model_validate({"username_env": "U"})


def test_a_missing_username_variable_is_named(monkeypatch):
    monkeypatch.delenv("T_NOBODY_USER", raising=False)
    monkeypatch.delenv("T_NOBODY_USER_FILE", raising=False)
    monkeypatch.setenv("T_SMTP_PASSWORD", "x")
    config = smtp(1, username_env="T_NOBODY_USER", password_env="T_SMTP_PASSWORD")
    with pytest.raises(ConfigError, match=r"smtp.username_env: .*T_NOBODY_USER is not set"):
        Mailer(config).send(message())
