"""`modbot run`, `status` and `summary` as a user runs them: real processes, real signals,
a real SMTP server. These wait for the service to reach a state (polling the database with
a deadline), never for a fixed time.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml

from bot.dates.weeks import Week
from bot.paths import shipped
from tests.conftest import _empty_postgres, write_config
from tests.processes import modbot as run_modbot
from tests.processes import spawn, wait_for
from tests.smtp import smtp_server

ENV = {"PATH": "/usr/bin:/bin", "MODBOT_LOG_LEVEL": "INFO"}
LONDON = ZoneInfo("Europe/London")


def config(tmp_path: Path, port: int, smtp: dict | None = None, **extra: object) -> Path:
    (tmp_path / "inbox.jsonl").write_bytes(shipped("samples", "inbox.jsonl").read_bytes())
    path = write_config(
        tmp_path,
        summary={"to": ["comms@brookmere.example"]},
        smtp={
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "retry_delay_seconds": 1,
            **(smtp or {}),
        },
        schedule={"act_every_seconds": 5, "lease_seconds": 10},
        **extra,
    )
    data = yaml.safe_load(path.read_text())
    data["connectors"]["local"]["poll_interval_seconds"] = 5
    path.write_text(yaml.safe_dump(data))
    return path


def modbot(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return run_modbot(*args, cwd=cwd, env={**ENV, **(env or {})}, columns=200)


def start(cfg: Path, cwd: Path) -> subprocess.Popen[str]:
    return spawn(
        "run",
        "--config",
        str(cfg),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "HOME": str(cwd)},
    )


def last_summary_tick(now: datetime) -> datetime:
    """The latest Monday 08:00 (London) at or before `now`: the summary's due tick."""
    local = now.astimezone(LONDON)
    monday = local.date() - timedelta(days=local.weekday())
    if datetime.combine(monday, time(8), tzinfo=LONDON) > local:
        monday -= timedelta(days=7)
    return datetime.combine(monday, time(8), tzinfo=LONDON).astimezone(UTC)


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.parametrize(
    "sig", [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]
)
def test_run_unattended_then_stop_cleanly_on_a_signal(tmp_path, sig):
    with smtp_server() as (mailbox, port):
        cfg = config(tmp_path, port)
        assert modbot("db", "upgrade", "--config", str(cfg), cwd=tmp_path).returncode == 0
        db = tmp_path / "modbot.db"
        # The service was down at 08:00 on Monday (16 November on the suite's default day):
        # that summary, for the week before, is still owed.
        tick = last_summary_tick(datetime.now(UTC))
        owed = Week.last_complete(tick, LONDON).label
        with sqlite3.connect(db) as connection:
            connection.execute(
                "INSERT INTO scheduled_jobs (job_id, schedule, next_run_at, runs) VALUES "
                "('summary', 'cron 0 8 * * mon (Europe/London)', ?, 0)",
                (tick.strftime("%Y-%m-%d %H:%M:%S.%f"),),
            )
        process = start(cfg, tmp_path)
        try:
            wait_for(
                lambda: (
                    query(db, "SELECT count(*) FROM contacts WHERE status = 'decided'")[0][0] == 45
                ),
                "the inbox to be decided",
            )
            wait_for(lambda: mailbox.received, "the weekly summary to arrive")
            wait_for(
                lambda: (
                    query(db, "SELECT count(*) FROM actions WHERE state = 'planned'")[0][0] == 0
                ),
                "the actions to be carried out",
            )
        finally:
            code, stderr = stop(process, sig)
    assert code == 0, stderr
    assert "service_stop_requested" in stderr and "service_stopped" in stderr
    assert "Traceback" not in stderr
    (message,) = mailbox.messages()
    assert message["Subject"] == f"Brookmere Housing: moderation summary for {owed}"
    # The lease was given up, nothing is left running, and nothing was done twice.
    assert query(db, "SELECT holder FROM scheduler_leases") == [(None,)]
    assert query(db, "SELECT count(*) FROM actions WHERE state = 'running'") == [(0,)]
    keys = [json.loads(x)["key"] for x in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert keys and len(keys) == len(set(keys))
    # `status`, from another process, shows what the service did.
    status = modbot("status", "--config", str(cfg), cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    out = status.stdout
    assert "No scheduler is leading" in out  # it stopped and released the lease
    for expected in ("poll:local", "every 5 s", "summary", "cron 0 8 * * mon (Europe/London)"):
        assert expected in out, expected
    assert f"Summary {owed}: sent to 1 recipient(s)" in out
    assert "Pending approvals:" in out and "Open manual tasks:" in out
    assert "Failed actions" in out


def test_summary_preview_and_send_from_the_command_line(tmp_path):
    with smtp_server() as (mailbox, port):
        cfg = config(tmp_path, port)
        assert modbot("db", "upgrade", "--config", str(cfg), cwd=tmp_path).returncode == 0
        assert modbot("run", "--once", "--config", str(cfg), cwd=tmp_path).returncode == 0
        out = tmp_path / "out.html"
        preview = modbot(
            "summary",
            "--week",
            "2026-W47",
            "--preview",
            str(out),
            "--config",
            str(cfg),
            cwd=tmp_path,
        )
        assert preview.returncode == 0, preview.stderr
        assert "Nothing was sent" in preview.stdout and mailbox.received == []
        html = out.read_text()
        assert 'src="data:image/png;base64,' in html and "Week 2026-W47" in html
        assert (tmp_path / "out.png").read_bytes().startswith(b"\x89PNG")
        assert "Contacts seen: 45" in (tmp_path / "out.txt").read_text()
        sent = modbot("summary", "--week", "2026-W47", "--send", "--config", str(cfg), cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
        assert "sent 2026-W47 to 1 recipient(s)" in sent.stdout
        twice = modbot(
            "summary", "--week", "2026-W47", "--send", "--config", str(cfg), cwd=tmp_path
        )
        assert twice.returncode == 2 and "--again" in twice.stderr
        assert len(mailbox.received) == 1
    nothing = modbot("summary", "--config", str(cfg), cwd=tmp_path)
    assert nothing.returncode == 2 and "--preview" in nothing.stderr
    bad_week = modbot(
        "summary", "--week", "46", "--preview", "x.html", "--config", str(cfg), cwd=tmp_path
    )
    assert bad_week.returncode == 2 and "2026-W46" in bad_week.stderr


def test_run_refuses_to_start_without_the_smtp_password(tmp_path):
    cfg = config(
        tmp_path,
        2,
        smtp={"username_env": "BROOKMERE_SMTP_USER", "password_env": "BROOKMERE_SMTP_PASSWORD"},
    )
    assert modbot("db", "upgrade", "--config", str(cfg), cwd=tmp_path).returncode == 0
    result = modbot("run", "--config", str(cfg), cwd=tmp_path, env={"BROOKMERE_SMTP_USER": "bot"})
    assert result.returncode == 2
    assert "smtp.password_env" in result.stderr
    assert "BROOKMERE_SMTP_PASSWORD is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def pg(postgres_url: str) -> str:
    _empty_postgres(postgres_url)
    return postgres_url


def test_two_service_processes_share_postgresql_and_hand_over(tmp_path, pg):
    with smtp_server() as (_, port):
        cfg = config(tmp_path, port, database={"url": pg, "url_env": None})
        first = start(cfg, tmp_path)
        second = None
        engine = sa.create_engine(pg)

        def scalar(sql: str) -> object:
            with engine.connect() as connection:
                return connection.execute(sa.text(sql)).scalar()

        def leader() -> object:
            return scalar(
                "SELECT holder FROM scheduler_leases WHERE expires_at > (now() AT TIME ZONE 'UTC')"
            )

        try:
            first_holder = wait_for(leader, "the first process to lead")
            second = start(cfg, tmp_path)
            wait_for(
                lambda: scalar("SELECT count(*) FROM contacts WHERE status = 'decided'") == 45,
                "the inbox to be decided",
            )
            code, stderr = stop(first)
            assert code == 0, stderr
            second_holder = wait_for(
                lambda: (h := leader()) and h != first_holder and h, "the second to take over"
            )
            assert str(second.pid) in second_holder and str(first.pid) in first_holder
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    stop(process)
            engine.dispose()
    keys = [json.loads(x)["key"] for x in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert keys and len(keys) == len(set(keys))
