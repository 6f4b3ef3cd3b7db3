"""Several processes against one PostgreSQL: each job runs once per tick, each action once.

PostgreSQL only (SQLite has one writer, so there is no race to lose); skipped cleanly
without MODBOT_TEST_DATABASE_URL. Each scheduler has its own engine and connector, as a
separate process would, and they run at the same moments on two threads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain import ActionState
from bot.pipeline import PassReport, Pipeline
from bot.scheduler.service import Service
from bot.storage import models as m
from bot.storage.session import Store
from tests.conftest import FakeClock, _empty_postgres
from tests.scheduling import (
    CountingConnector,
    Performed,
    Runs,
    dispose,
    make_service,
    service_config,
    step,
)
from tests.smtp import smtp_server

MONDAY_0758 = datetime(2026, 11, 16, 7, 58, tzinfo=UTC)


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    _empty_postgres(postgres_url)
    return postgres_url


def together(*calls: Callable[[], object]) -> None:
    """Run the calls at the same moment on separate threads; re-raise the first failure."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


def test_two_schedulers_run_each_job_once_per_tick_and_each_action_once(tmp_path, pg_url):
    clock = FakeClock(MONDAY_0758)
    runs = Runs()
    performed = Performed()
    with smtp_server() as (mailbox, port):
        loaded = service_config(
            tmp_path,
            smtp_port=port,
            schedule={"reminders_cron": "0 8 * * *", "retention_cron": "1 8 * * *"},
        )
        a = make_service(loaded, pg_url, clock, "A", runs, performed)
        b = make_service(loaded, pg_url, clock, "B", runs, performed)
        try:
            together(lambda: step(a), lambda: step(b))
            leader, follower = (a, b) if a.leader else (b, a)
            assert follower.leader is False
            for _ in range(10):  # five minutes, both schedulers at every moment
                clock.advance(seconds=30)
                together(lambda: step(a), lambda: step(b))
            # The leader dies. The follower takes over once the lease (60 s) has run out.
            handover = clock()
            for _ in range(6):
                clock.advance(seconds=30)
                step(follower)
            assert follower.leader
        finally:
            dispose(a, b)

    # Each job ran once per tick, and never twice for one tick across the two processes.
    assert runs.per_tick() and all(n == 1 for n in runs.per_tick().values()), runs.per_tick()
    holders_before = {h for _, tick, h in runs.runs if tick <= handover}
    assert holders_before == {leader.holder}
    assert {h for _, tick, h in runs.runs if tick > handover + timedelta(seconds=60)} == {
        follower.holder
    }
    minute = timedelta(minutes=1)
    polls = runs.ticks("poll:local")
    assert polls[:5] == [MONDAY_0758 + n * minute for n in range(1, 6)]  # none missed
    assert runs.ticks("summary") == [datetime(2026, 11, 16, 8, 0, tzinfo=UTC)]
    assert runs.ticks("reminders") == [datetime(2026, 11, 16, 8, 0, tzinfo=UTC)]
    assert runs.ticks("retention") == [datetime(2026, 11, 16, 8, 1, tzinfo=UTC)]
    assert len(mailbox.received) == 1  # the summary was sent once, by one process

    # Each action was carried out once on the platform.
    assert performed.keys and performed.duplicates() == {}
    outbox = [json.loads(x)["key"] for x in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert sorted(outbox) == sorted(performed.keys)
    store = Store(pg_url)
    with store.session() as session:
        done = session.scalar(
            sa.select(sa.func.count())
            .select_from(m.Action)
            .where(m.Action.state == ActionState.DONE)
        )
    store.dispose()
    assert done == len(performed.keys)


def abusive_inbox(path, count: int) -> None:
    with path.open("w") as handle:
        for n in range(count):
            row = {
                "id": f"c{n}",
                "platform": "facebook",
                "kind": "comment",
                "author": {"id": f"u{n}", "handle": f"user{n}"},
                "text": "you lot are scum",
                "created_at": (MONDAY_0758 + timedelta(seconds=n)).isoformat(),
            }
            handle.write(json.dumps(row) + "\n")


def decided_but_not_acted(tmp_path, url: str, count: int):
    """A store with `count` unidentified abusive contacts decided: two actions each, planned."""
    loaded = service_config(tmp_path, inbox=None)
    abusive_inbox(tmp_path / "inbox.jsonl", count)
    store = Store(url)
    performed = Performed()
    pipeline = Pipeline(loaded, store, connectors={"local": CountingConnector(loaded, performed)})
    report = PassReport()
    pipeline.ingest("local", pipeline.connectors["local"], report)
    pipeline.decide_pending(report)
    store.dispose()
    return loaded


def runner_for(loaded, url: str, performed: Performed, clock) -> tuple[Service, Store]:
    service = make_service(loaded, url, clock, "x", Runs(), performed)
    service.pipeline.runner.batch_size = 10
    return service, service.store


def test_two_runners_racing_carry_out_each_action_once(tmp_path, pg_url):
    loaded = decided_but_not_acted(tmp_path, pg_url, 150)
    clock = FakeClock(MONDAY_0758)
    performed = Performed()
    a, _ = runner_for(loaded, pg_url, performed, clock)
    b, store = runner_for(loaded, pg_url, performed, clock)
    reports = {}
    together(
        lambda: reports.setdefault("a", a.pipeline.runner.run()),
        lambda: reports.setdefault("b", b.pipeline.runner.run()),
    )
    dispose(a, b)
    assert performed.duplicates() == {}
    assert len(performed.keys) == 300 == reports["a"].done + reports["b"].done
    assert reports["a"].done > 0 and reports["b"].done > 0  # both really took part
    with store.session() as session:
        states = dict(
            session.execute(
                sa.select(m.Action.state, sa.func.count()).group_by(m.Action.state)
            ).all()
        )
    assert states == {ActionState.DONE: 300}


def test_a_runner_skips_actions_another_process_has_locked(tmp_path, pg_url):
    """FOR UPDATE SKIP LOCKED, shown deterministically: rows one process holds are skipped."""
    loaded = decided_but_not_acted(tmp_path, pg_url, 10)
    clock = FakeClock(MONDAY_0758)
    performed = Performed()
    other = Store(pg_url)
    with other.begin() as session:  # another process mid-claim, holding five rows
        held = session.scalars(
            sa.select(m.Action.id).order_by(m.Action.id).limit(5).with_for_update()
        ).all()
        runner, store = runner_for(loaded, pg_url, performed, clock)
        report = runner.pipeline.runner.run()
        assert report.done == 15
        with store.session() as check:
            still_planned = check.scalars(
                sa.select(m.Action.id).where(m.Action.state == ActionState.PLANNED)
            ).all()
        assert sorted(still_planned) == sorted(held)
    report = runner.pipeline.runner.run()  # the lock is gone: the rest are done, once
    assert report.done == 5
    assert performed.duplicates() == {} and len(performed.keys) == 20
    dispose(runner)
    other.dispose()
