"""The scheduler service on SQLite and PostgreSQL, driven by a clock the test moves.

`Service.fire` is what APScheduler calls at each trigger; here the test calls it (through
`run_pending`) at chosen moments instead of waiting for the wall clock.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.scheduler.ledger import all_jobs
from bot.storage import models as m
from tests.conftest import FakeClock
from tests.scheduling import Performed, Runs, dispose, make_service, service_config, step
from tests.smtp import smtp_server

MONDAY_0758 = datetime(2026, 11, 16, 7, 58, tzinfo=UTC)  # GMT: London time is UTC


def test_each_job_runs_once_per_tick_and_the_summary_fires_monday_0800(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    with smtp_server() as (mailbox, port):
        loaded = service_config(
            tmp_path,
            smtp_port=port,
            schedule={"reminders_cron": "0 8 * * *", "retention_cron": "1 8 * * *"},
        )
        service = make_service(loaded, db_url, clock, "A", runs)
        try:
            assert step(service) == []  # just became leader: nothing due yet
            while clock() < MONDAY_0758 + timedelta(minutes=5):
                clock.advance(seconds=30)
                step(service)
                assert service.run_pending() == []  # a second look at the same moment: nothing
                if clock() < datetime(2026, 11, 16, 8, 0, tzinfo=UTC):
                    assert mailbox.received == []
        finally:
            dispose(service)
    assert all(count == 1 for count in runs.per_tick().values()), runs.per_tick()
    minute = timedelta(minutes=1)
    assert runs.ticks("poll:local") == [MONDAY_0758 + n * minute for n in range(1, 6)]
    assert runs.ticks("act") == [MONDAY_0758 + n * minute / 2 for n in range(1, 11)]
    assert runs.ticks("reminders") == [datetime(2026, 11, 16, 8, 0, tzinfo=UTC)]
    assert runs.ticks("retention") == [datetime(2026, 11, 16, 8, 1, tzinfo=UTC)]
    assert runs.ticks("summary") == [datetime(2026, 11, 16, 8, 0, tzinfo=UTC)]
    (message,) = mailbox.messages()
    assert message["Subject"] == "Brookmere Housing: moderation summary for 2026-W46"
    store = service.store
    with store.session() as session:
        jobs = {j.job_id: j for j in all_jobs(session)}
        decided = session.scalar(
            sa.select(sa.func.count()).select_from(m.Contact).where(m.Contact.status == "decided")
        )
        assert session.get(m.SummarySend, "2026-W46").state == "sent"
    # The next run of each job is in the database, for `modbot status` in any process.
    assert jobs["summary"].next_run_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert jobs["poll:local"].next_run_at == MONDAY_0758 + 6 * minute
    assert jobs["poll:local"].last_status == "ok" and jobs["poll:local"].runs == 5
    assert "sent 2026-W46 to 1 recipient" in jobs["summary"].last_result
    assert decided == 45
    store.dispose()


def test_ticks_missed_while_no_scheduler_ran_are_caught_up_once(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    with smtp_server() as (mailbox, port):
        loaded = service_config(tmp_path, smtp_port=port)
        first = make_service(loaded, db_url, clock, "A", runs)
        step(first)
        dispose(first)  # stopped cleanly before 08:00: the lease is released at once
        clock.advance(weeks=3)  # nobody ran for three weeks
        second = make_service(loaded, db_url, clock, "B", runs)
        ran = step(second)
        assert step(second) == []
        dispose(second)
    assert "summary" in ran and "poll:local" in ran
    # Three Monday 08:00 ticks were missed: one run, for the latest of them (30 November,
    # so the week before it).
    assert runs.ticks("summary") == [datetime(2026, 11, 30, 8, 0, tzinfo=UTC)]
    assert [m_["Subject"] for m_ in mailbox.messages()] == [
        "Brookmere Housing: moderation summary for 2026-W48"
    ]
    assert len(runs.ticks("poll:local")) == 1


def test_only_the_leader_runs_jobs_and_a_follower_takes_over_when_it_dies(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    loaded = service_config(tmp_path, inbox=None)
    (tmp_path / "inbox.jsonl").write_text("")
    a = make_service(loaded, db_url, clock, "A", runs)
    b = make_service(loaded, db_url, clock, "B", runs)
    try:
        step(a, b)
        assert (a.leader, b.leader) == (True, False)
        for _ in range(4):
            clock.advance(seconds=30)
            step(a, b)
        assert {holder for _, _, holder in runs.runs} == {"A"}
        # A hangs: it neither renews nor runs anything. The lease (60 s) runs out.
        for _ in range(3):
            clock.advance(seconds=30)
            step(b)
        assert b.leader
        assert {
            holder
            for _, tick, holder in runs.runs
            if tick > MONDAY_0758 + timedelta(minutes=2, seconds=30)
        } == {"B"}
        # A wakes up still believing it leads: the fence in the claim stops it running a tick.
        assert a.leader
        clock.advance(seconds=30)
        assert a.run_pending() == []
        a.heartbeat()
        assert not a.leader
        step(a, b)
    finally:
        dispose(a, b)
    assert all(count == 1 for count in runs.per_tick().values()), runs.per_tick()
    # No act tick was lost in the handover: the missed ones ran once, coalesced.
    act = runs.ticks("act")
    assert act[0] == MONDAY_0758 + timedelta(seconds=30) and len(act) == len(set(act))


def test_a_stop_between_batches_leaves_nothing_half_done(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    performed = Performed()
    loaded = service_config(tmp_path, connector={"batch_size": 10})
    service = make_service(loaded, db_url, clock, "A", runs, performed)
    # SIGTERM arrives while the second batch of ten is being fetched.
    service.pipeline.connectors["local"].after_batch = service.request_stop
    service.heartbeat()  # leads; first ticks are a minute away
    clock.advance(minutes=1)
    service.heartbeat()
    assert service.fire("poll:local")
    assert service.run_pending() == []  # stopping: nothing new starts
    store = service.store
    with store.session() as session:
        statuses = dict(
            session.execute(
                sa.select(m.Contact.status, sa.func.count()).group_by(m.Contact.status)
            ).all()
        )
        cursor = session.get(m.ConnectorCursor, "local").cursor
        job = session.get(m.ScheduledJob, "poll:local")
        actions = session.scalar(sa.select(sa.func.count()).select_from(m.Action))
    # That batch was stored with its cursor (each batch commits whole); then the pass ended:
    # nothing more was fetched, decided or done.
    assert statuses == {"new": 20}
    assert cursor.endswith(";line=20")
    assert actions == 0 and performed.keys == []
    assert job.last_status == "ok" and "stopped early for shutdown" in job.last_result
    dispose(service)
    with store.session() as session:
        assert session.get(m.SchedulerLease, "scheduler").holder is None  # released
    # The next process carries on from the cursor and finishes everything exactly once.
    again = make_service(loaded, db_url, clock, "B", runs, performed)
    clock.advance(minutes=1)
    step(again)
    dispose(again)
    with store.session() as session:
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(m.Contact)
                .where(m.Contact.status == "decided")
            )
            == 45
        )
        done = session.scalar(
            sa.select(sa.func.count()).select_from(m.Action).where(m.Action.state == "done")
        )
    assert performed.duplicates() == {} and len(performed.keys) == done > 0
    store.dispose()


def test_a_process_killed_mid_action_is_recovered_without_repeating_it(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    performed = Performed()
    loaded = service_config(tmp_path)
    doomed = make_service(loaded, db_url, clock, "A", runs, performed, crash_after=3)
    doomed.heartbeat()  # leads; first ticks are a minute away
    clock.advance(minutes=1)
    doomed.heartbeat()
    with pytest.raises(SystemExit):  # dies after the platform call, before recording it
        doomed.fire("poll:local")
    doomed.pipeline.runner.worker.stop()  # dead: its lease is no longer renewed
    store = doomed.store
    with store.session() as session:
        running = session.scalar(
            sa.select(sa.func.count()).select_from(m.Action).where(m.Action.state == "running")
        )
    assert running > 0  # written before the platform was called: nothing is lost
    # A new process takes over once the dead one's scheduler lease expires, and recovers the
    # actions its runner left running once that runner's lease has lapsed too, asking the
    # platform instead of guessing.
    survivor = make_service(loaded, db_url, clock, "B", runs, performed)
    clock.advance(minutes=2)
    step(survivor)
    dispose(survivor)
    outbox = [
        json.loads(line)["key"] for line in (tmp_path / "outbox.jsonl").read_text().splitlines()
    ]
    assert len(outbox) == len(set(outbox))  # nothing hidden or sent twice on the platform
    with store.session() as session:
        states = dict(
            session.execute(
                sa.select(m.Action.state, sa.func.count()).group_by(m.Action.state)
            ).all()
        )
    assert "running" not in states
    assert states["done"] == len(outbox)
    store.dispose()


def test_a_failing_job_is_recorded_and_the_others_carry_on(tmp_path, db_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    loaded = service_config(tmp_path, inbox=None)  # the inbox does not exist
    service = make_service(loaded, db_url, clock, "A", runs)
    service.heartbeat()  # leads; first ticks are a minute away
    clock.advance(minutes=1)
    service.heartbeat()
    assert set(service.run_pending()) == {"poll:local", "act"}
    with service.store.session() as session:
        poll = session.get(m.ScheduledJob, "poll:local")
        act = session.get(m.ScheduledJob, "act")
        cursor = session.get(m.ConnectorCursor, "local")
    assert poll.last_status == "failed" and "inbox.jsonl does not exist" in poll.last_error
    assert act.last_status == "ok"
    assert "does not exist" in cursor.last_error and cursor.last_success_at is None
    dispose(service)


def test_a_missing_smtp_password_stops_the_service_at_start(tmp_path, db_url, monkeypatch):
    monkeypatch.delenv("T_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("T_SMTP_USER", "modbot")
    loaded = service_config(
        tmp_path, smtp={"username_env": "T_SMTP_USER", "password_env": "T_SMTP_PASSWORD"}
    )
    service = make_service(loaded, db_url, FakeClock(), "A", Runs())
    with pytest.raises(Exception, match="T_SMTP_PASSWORD is not set"):
        service.check()
    dispose(service)
