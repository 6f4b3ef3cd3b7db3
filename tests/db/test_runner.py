"""The action runner against a misbehaving platform, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.act.claims import HOST
from bot.domain import ActionKind, ActionState
from bot.pipeline import PassReport, Pipeline
from bot.settings.loading import load_config
from bot.settings.secrets import read_secret
from bot.storage import models as m
from bot.storage.session import Store
from platforms.base import Capability, DeliveryUnknownError, UnsupportedActionError
from tests.conftest import write_config
from tests.fakes import AuthError, FaultyPlatform, ForbiddenError

ABUSE = "you lot are scum"  # unidentified: hide + private warning


def inbox_row(n: int, text: str, kind: str = "comment") -> str:
    return (
        json.dumps(
            {
                "id": f"c{n}",
                "platform": "facebook",
                "kind": kind,
                "author": {"id": f"u{n}", "handle": f"user{n}"},
                "text": text,
                "created_at": f"2026-11-20T10:{n:02d}:00Z",
                "permalink": f"https://facebook.com/p/{n}",
            }
        )
        + "\n"
    )


@pytest.fixture
def setup(tmp_path: Path, store: Store, clock):
    path = write_config(
        tmp_path,
        pipeline={"max_attempts": 3, "running_stale_after_seconds": 60},
    )
    loaded = load_config(path)
    (tmp_path / "inbox.jsonl").write_text(inbox_row(1, ABUSE))
    platform = FaultyPlatform("local", loaded.settings.connectors["local"], secrets=read_secret)

    def pipeline() -> Pipeline:
        return Pipeline(loaded, store, connectors={"local": platform}, clock=clock)

    return platform, pipeline, tmp_path / "outbox.jsonl"


def states(store: Store) -> dict[str, str]:
    with store.session() as session:
        return {
            kind.value: state.value
            for kind, state in session.execute(sa.select(m.Action.kind, m.Action.state))
        }


def test_failures_are_recorded_retried_then_handed_to_staff(setup, store):
    platform, pipeline, outbox = setup
    platform.failures_left = 99
    for _ in range(3):
        pipeline().run_once()
    assert states(store) == {"hide": "manual_task", "private_warning": "manual_task"}
    with store.session() as session:
        hide = session.scalar(sa.select(m.Action).where(m.Action.kind == ActionKind.HIDE))
        assert hide.attempts == 3 and "HTTP 503" in hide.last_error
        task = session.scalar(sa.select(m.ManualTask).where(m.ManualTask.action_id == hide.id))
        assert task.kind == "failed" and "Hide this comment" in task.instructions
        assert task.link == "https://facebook.com/p/1"
    assert not outbox.exists()


def test_a_transient_failure_succeeds_on_the_next_run(setup, store):
    platform, pipeline, outbox = setup
    platform.failures_left = 1
    report = pipeline().run_once()
    assert report.run.failed == 1 and report.run.done == 1
    assert states(store)["hide"] == "failed"
    pipeline().run_once()
    assert states(store) == {"hide": "done", "private_warning": "done"}
    assert len(outbox.read_text().splitlines()) == 2


def test_a_missing_capability_becomes_a_manual_task_not_an_error(setup, store):
    platform, pipeline, _ = setup
    platform.missing = Capability.HIDE
    report = pipeline().run_once()
    assert report.run.failed == 0
    assert states(store) == {"hide": "manual_task", "private_warning": "done"}
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert task.kind == "unsupported"
        assert "does not let the bot do this" in task.instructions


def test_a_permission_error_names_the_permission_for_staff(setup, store):
    platform, pipeline, _ = setup
    platform.failures_left = 1
    platform.failure = ForbiddenError("the Page token lacks pages_manage_engagement")
    pipeline().run_once()
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert "pages_manage_engagement" in task.instructions


def test_expired_credentials_stop_the_connector_and_lose_nothing(setup, store):
    platform, pipeline, _ = setup
    platform.failures_left = 1
    platform.failure = AuthError("the Page token has expired; renew MODBOT_FACEBOOK_PAGE_TOKEN")
    report = pipeline().run_once()
    assert any("expired" in e for e in report.run.errors)
    assert states(store) == {"hide": "planned", "private_warning": "planned"}
    pipeline().run_once()
    assert states(store) == {"hide": "done", "private_warning": "done"}


def crash_mid_action(store: Store, clock) -> None:
    """Leave every planned action `running`, as a process killed after claiming would."""
    with store.begin() as session:
        session.execute(
            sa.update(m.Action)
            .where(m.Action.state == ActionState.PLANNED)
            .values(state=ActionState.RUNNING, updated_at=clock(), attempts=1)
        )


def decide_only(pipeline: Pipeline, platform: FaultyPlatform) -> None:
    """Ingest and decide, but run no actions (the runner is what crashes)."""
    report = PassReport()
    pipeline.ingest("local", platform, report)
    pipeline.decide_pending(report)


def test_stale_running_actions_are_reconciled(setup, store, clock):
    platform, pipeline, outbox = setup
    first = pipeline()
    decide_only(first, platform)
    crash_mid_action(store, clock)
    # Before the crash the platform had hidden the comment (its own record shows it).
    with store.session() as session:
        hide = session.scalar(sa.select(m.Action).where(m.Action.kind == ActionKind.HIDE))
        request = first.runner._request(hide)
    platform.perform(request)
    platform.calls.clear()
    # Too soon: another worker may still be on it.
    pipeline().run_once()
    assert states(store) == {"hide": "running", "private_warning": "running"}
    clock.advance(minutes=2)
    pipeline().run_once()
    assert states(store)["hide"] == "done"
    assert states(store)["private_warning"] == "done"  # the outbox knew it was not sent
    assert platform.calls == ["facebook:c1:private_warning"]
    assert len(outbox.read_text().splitlines()) == 2


def claimed_by(store: Store, clock, owner: str, *, host: str, pid: int, lease_left) -> None:
    """Leave every planned action `running` in `owner`'s name, with its lease as given."""
    with store.begin() as session:
        session.add(
            m.WorkerLease(
                worker=owner,
                host=host,
                pid=pid,
                started_at=clock(),
                renewed_at=clock(),
                expires_at=clock() + lease_left,
            )
        )
        session.execute(
            sa.update(m.Action)
            .where(m.Action.state == ActionState.PLANNED)
            .values(state=ActionState.RUNNING, updated_at=clock(), attempts=1, claimed_by=owner)
        )


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_a_dead_runners_claims_on_this_machine_are_taken_over_at_once(setup, store, clock):
    platform, pipeline, outbox = setup
    decide_only(pipeline(), platform)
    claimed_by(store, clock, "gone", host=HOST, pid=dead_pid(), lease_left=timedelta(minutes=5))
    pipeline().run_once()  # no waiting: its process no longer exists
    assert states(store) == {"hide": "done", "private_warning": "done"}
    assert len(outbox.read_text().splitlines()) == 2


def test_a_live_runners_claims_are_never_taken(setup, store, clock):
    platform, pipeline, _ = setup
    decide_only(pipeline(), platform)
    alive = os.getpid()  # a process that exists, on this machine
    claimed_by(store, clock, "busy", host=HOST, pid=alive, lease_left=timedelta(seconds=30))
    for _ in range(3):  # a long platform call: the runner keeps renewing its lease
        clock.advance(minutes=10)
        with store.begin() as session:
            session.get(m.WorkerLease, "busy").expires_at = clock() + timedelta(seconds=30)
        pipeline().run_once()
        assert states(store) == {"hide": "running", "private_warning": "running"}
    assert platform.calls == []


def test_a_runner_elsewhere_is_taken_over_when_its_lease_lapses(setup, store, clock):
    platform, pipeline, _ = setup
    decide_only(pipeline(), platform)
    claimed_by(store, clock, "far", host="other-host", pid=1, lease_left=timedelta(seconds=30))
    pipeline().run_once()
    assert states(store) == {"hide": "running", "private_warning": "running"}
    clock.advance(seconds=31)
    pipeline().run_once()
    assert states(store) == {"hide": "done", "private_warning": "done"}


def test_a_runner_records_itself_on_its_claims_and_gives_its_lease_up(setup, store):
    _, pipeline, _ = setup
    running = pipeline()
    running.run_once()
    with store.session() as session:
        owners = set(session.scalars(sa.select(m.Action.claimed_by)))
        assert owners == {running.runner.worker.id}
        assert session.get(m.WorkerLease, running.runner.worker.id) is not None
    running.close()
    with store.session() as session:
        assert session.get(m.WorkerLease, running.runner.worker.id) is None


def test_a_message_that_may_have_gone_is_never_resent_blindly(setup, store, clock):
    platform, pipeline, _ = setup
    first = pipeline()
    decide_only(first, platform)
    crash_mid_action(store, clock)
    clock.advance(minutes=2)
    platform.forget = True  # a platform where we cannot look the action up
    pipeline().run_once()
    assert states(store) == {"hide": "done", "private_warning": "manual_task"}
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert task.kind == "check_sent"
        assert "Check the conversation first" in task.instructions
    assert platform.calls == ["facebook:c1:hide"]


def test_an_action_the_platform_refuses_here_becomes_a_task_with_the_reason(setup, store):
    platform, pipeline, _ = setup
    platform.failures_left = 1
    platform.failure = UnsupportedActionError(
        "Facebook allows a private reply only within 7 days of the comment"
    )
    report = pipeline().run_once()
    assert report.run.failed == 0 and report.run.manual == 1
    assert states(store) == {"hide": "manual_task", "private_warning": "done"}
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert task.kind == "unsupported"
        assert "does not let the bot do this here: Facebook allows a private reply only" in (
            task.instructions
        )
        assert "Hide this comment" in task.instructions and task.link
    pipeline().run_once()  # never retried
    assert platform.calls.count("facebook:c1:hide") == 1


def test_a_message_that_may_have_gone_out_is_handed_to_staff_not_retried(setup, store):
    platform, pipeline, _ = setup
    platform.missing = Capability.HIDE
    platform.failures_left = 1
    platform.failure = DeliveryUnknownError("Facebook did not answer in time")
    pipeline().run_once()
    assert states(store)["private_warning"] == "manual_task"
    with store.session() as session:
        task = session.scalar(sa.select(m.ManualTask).where(m.ManualTask.kind == "check_sent"))
        assert "Facebook did not answer in time" in task.instructions
        assert "Check the conversation first" in task.instructions
    pipeline().run_once()
    assert platform.calls.count("facebook:c1:private_warning") == 1


def test_a_message_sent_just_before_a_crash_is_known_sent_from_its_receipt(setup, store, clock):
    platform, pipeline, _ = setup
    first = pipeline()
    decide_only(first, platform)
    crash_mid_action(store, clock)
    with store.session() as session:
        warning = session.scalar(
            sa.select(m.Action).where(m.Action.kind == ActionKind.PRIVATE_WARNING)
        )
        request = first.runner._request(warning)
    receipt = platform.perform(request)  # it went out...
    first.runner._note_sent(warning.id, receipt)  # ...its receipt was written; then the crash
    platform.calls.clear()
    clock.advance(minutes=2)
    platform.forget = True  # the platform itself cannot say
    pipeline().run_once()
    assert states(store)["private_warning"] == "done"
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.ManualTask)) == 0
    assert "facebook:c1:private_warning" not in platform.calls  # never sent twice
