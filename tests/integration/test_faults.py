"""Faults from a fake platform server, through the real SDKs, the connector and the runner.

429 with a reset, 500 twice then 200, a timeout, a revoked token, a missing permission, and
a private reply past Facebook's window: what waits, what is retried, what is recorded, what
goes to staff — and that nothing is lost or done twice. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.pipeline import PassReport, Pipeline
from bot.settings.loading import load_config
from bot.settings.secrets import read_secret
from bot.storage import models as m
from platforms.base import ActionRequest, ActionTarget, AuthError, PlatformAction, RateLimitedError
from platforms.facebook.connector import FacebookConnector
from platforms.x.config import XConfig
from platforms.x.connector import XConnector
from tests.conftest import write_config
from tests.integration.conftest import SECRETS
from tests.platform_server import FakePlatform, Reply

PAGE = "555"
POST = "555_1"


@pytest.fixture
def server():
    fake = FakePlatform().start()
    yield fake
    fake.stop()


class World:
    """A Page with one abusive visitor post, a pipeline over it, and the waits it made."""

    def __init__(self, tmp_path, store, clock, server, **http: object) -> None:
        self.server = server
        self.store = store
        self.clock = clock
        self.waits: list[float] = []
        settings = {
            "type": "facebook",
            "page_id": PAGE,
            "api_base_url": server.url,
            "watch": {"comments": False},
            "http": {"timeout_seconds": 0.3, "attempts": 3, **http},
        }
        path = write_config(tmp_path, connectors={"page": settings}, pipeline={"max_attempts": 3})
        self.loaded = load_config(path)
        post = {
            "id": POST,
            "message": "you lot are scum",
            "from": {"id": "901", "name": "Angry Visitor"},
            "created_time": (clock() - timedelta(hours=1)).isoformat(),
            "permalink_url": "https://www.facebook.com/555/posts/1",
        }
        server.route("GET", f"/v21.0/{PAGE}/feed", {"data": [post]})
        self.connector = self.new_connector()

    def new_connector(self) -> FacebookConnector:
        return FacebookConnector(
            "page",
            self.loaded.settings.connectors["page"],
            secrets=read_secret,
            sleep=self.waits.append,
            clock=self.clock,
        )

    def pass_(self) -> PassReport:
        pipeline = Pipeline(
            self.loaded, self.store, connectors={"page": self.connector}, clock=self.clock
        )
        return pipeline.run_once()

    def actions(self) -> dict[str, tuple[str, int, str | None]]:
        with self.store.session() as session:
            return {
                a.kind.value: (a.state.value, a.attempts, a.last_error)
                for a in session.scalars(sa.select(m.Action))
            }

    def cursor(self) -> m.ConnectorCursor | None:
        with self.store.session() as session:
            return session.get(m.ConnectorCursor, "page")


@pytest.fixture
def world(tmp_path, store, clock, server):
    return World(tmp_path, store, clock, server)


def ok_routes(server: FakePlatform) -> None:
    server.route("POST", f"/v21.0/{POST}", {"success": True})
    server.route("POST", f"/v21.0/{PAGE}/messages", {"recipient_id": "9", "message_id": "m_1"})


def test_a_throttled_call_waits_for_the_reset_and_resumes(world, server):
    usage = json.dumps(
        {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 1}]}
    )
    throttled = Reply(
        400,
        {"error": {"code": 80001, "message": "Page request limit reached"}},
        {"X-Business-Use-Case-Usage": usage},
    )
    server.route("POST", f"/v21.0/{POST}", throttled, times=1)
    ok_routes(server)
    world.pass_()
    assert world.waits == [60.0]  # estimated_time_to_regain_access is in minutes
    assert world.actions()["hide"][:2] == ("done", 1)
    assert len(server.calls("POST", f"/v21.0/{POST}")) == 2


def test_a_long_throttle_puts_the_action_back_untried_for_a_later_run(world, server):
    usage = json.dumps({PAGE: [{"type": "pages", "estimated_time_to_regain_access": 30}]})
    throttled = Reply(
        400, {"error": {"code": 80001, "message": "limit"}}, {"X-Business-Use-Case-Usage": usage}
    )
    server.route("POST", f"/v21.0/{POST}", throttled, times=1)
    ok_routes(server)
    report = world.pass_()
    assert world.waits == []  # half an hour: not slept through
    assert any("throttling" in e for e in report.run.errors)
    assert world.actions()["hide"][:2] == ("planned", 0)
    assert world.actions()["private_warning"][:2] == ("planned", 0)  # the connector paused
    world.connector = world.new_connector()
    world.pass_()
    assert {k: v[0] for k, v in world.actions().items()} == {
        "hide": "done",
        "private_warning": "done",
    }
    assert len(server.calls("POST", f"/v21.0/{PAGE}/messages")) == 1


def test_server_errors_are_retried_with_backoff(world, server):
    server.route("POST", f"/v21.0/{POST}", Reply(500, "<html>Internal error</html>"), times=2)
    ok_routes(server)
    world.pass_()
    assert len(world.waits) == 2 and all(0 <= w <= 2.0 for w in world.waits)
    assert world.actions()["hide"][:2] == ("done", 1)
    assert len(server.calls("POST", f"/v21.0/{POST}")) == 3


def test_a_platform_that_keeps_timing_out_fails_the_action_for_a_later_run(world, server):
    server.route("POST", f"/v21.0/{POST}", Reply(200, {"success": True}, delay=0.6), times=3)
    ok_routes(server)
    world.pass_()
    state, attempts, error = world.actions()["hide"]
    assert (state, attempts) == ("failed", 1)
    assert "did not answer in time" in error and "gave up after 3 tries" in error
    world.pass_()
    assert world.actions()["hide"][:2] == ("done", 2)


def test_a_timed_out_private_reply_is_never_resent(world, server):
    server.route("POST", f"/v21.0/{POST}", {"success": True})
    server.route("POST", f"/v21.0/{PAGE}/messages", Reply(200, {"message_id": "m"}, delay=0.6))
    world.pass_()
    world.pass_()
    assert world.actions()["private_warning"][0] == "manual_task"
    assert len(server.calls("POST", f"/v21.0/{PAGE}/messages")) == 1
    with world.store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert task.kind == "check_sent"


def test_a_revoked_token_stops_the_connector_keeps_the_cursor_and_shows_in_health(world, server):
    ok_routes(server)
    world.pass_()  # a first good pass stores the post and moves the cursor
    before = world.cursor().cursor
    server.routes.clear()
    server.route(
        "GET",
        f"/v21.0/{PAGE}/feed",
        Reply(
            400,
            {
                "error": {
                    "code": 190,
                    "error_subcode": 463,
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                }
            },
        ),
    )
    calls = len(server.log)
    report = world.pass_()
    assert len(server.log) == calls + 1
    health = world.cursor()
    assert health.cursor == before
    assert "rejected the Page token" in health.last_error
    assert "MODBOT_FACEBOOK_PAGE_TOKEN" in health.last_error
    assert any("stopped" in e for e in report.errors)
    with pytest.raises(AuthError):  # stopped: no further calls in this process
        list(world.connector.fetch_since(before))
    assert len(server.log) == calls + 1


def test_a_missing_permission_becomes_a_task_naming_it(world, server):
    denied = {
        "error": {
            "code": 200,
            "message": "(#200) Requires pages_manage_engagement permission",
            "type": "OAuthException",
        }
    }
    server.route("POST", f"/v21.0/{POST}", Reply(403, denied))
    server.route("POST", f"/v21.0/{PAGE}/messages", {"message_id": "m"})
    world.pass_()
    with world.store.session() as session:
        task = session.scalar(sa.select(m.ManualTask).where(m.ManualTask.kind == "permission"))
        assert "pages_manage_engagement" in task.instructions
        assert task.link == "https://www.facebook.com/555/posts/1"


def test_a_private_reply_past_seven_days_is_a_task_with_the_reason(world, server, clock):
    ok_routes(server)
    report = PassReport()
    pipeline = Pipeline(
        world.loaded, world.store, connectors={"page": world.connector}, clock=clock
    )
    pipeline.ingest("page", world.connector, report)
    pipeline.decide_pending(report)
    clock.advance(days=8)
    pipeline.runner.run()
    assert world.actions()["private_warning"][0] == "manual_task"
    assert server.calls("POST", f"/v21.0/{PAGE}/messages") == []
    with world.store.session() as session:
        task = session.scalar(sa.select(m.ManualTask))
        assert "only within 7 days" in task.instructions
        assert "Send the warning below privately" in task.instructions


def test_x_429_waits_until_x_rate_limit_reset(server):
    reset = int(time.time()) + 5
    server.route(
        "PUT",
        "/2/tweets/7/hidden",
        Reply(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}),
        times=1,
    )
    server.route("PUT", "/2/tweets/7/hidden", {"data": {"hidden": True}})
    waits: list[float] = []
    x = XConnector(
        "x",
        XConfig(type="x", account_id="1", handle="org", api_base_url=server.url),
        secrets=read_secret,
        sleep=waits.append,
    )
    target = ActionTarget("x", "7", "reply", "2", "someone")  # type: ignore[arg-type]
    x.perform(ActionRequest(PlatformAction.HIDE, target, "k"))
    assert len(waits) == 1 and 3 <= waits[0] <= 7
    assert [c.method for c in server.calls(path="/2/tweets/7/hidden")] == ["PUT", "PUT"]
    far = int(time.time()) + 900
    server.route("PUT", "/2/tweets/8/hidden", Reply(429, {}, {"x-rate-limit-reset": str(far)}))
    with pytest.raises(RateLimitedError) as raised:
        x.perform(
            ActionRequest(PlatformAction.HIDE, ActionTarget("x", "8", "reply", "2", "s"), "k")
        )  # type: ignore[arg-type]
    assert 890 <= raised.value.retry_after <= 905


def test_no_secret_reaches_logs_errors_or_the_database(world, server, caplog, store):
    import logging

    from structlog.testing import capture_logs

    caplog.set_level(logging.DEBUG)
    server.route("POST", f"/v21.0/{POST}", Reply(500, "boom"), times=3)
    server.route("POST", f"/v21.0/{PAGE}/messages", Reply(200, {}, delay=0.6))
    with capture_logs() as events:
        first = world.pass_()
        server.routes.clear()
        server.route(
            "GET",
            f"/v21.0/{PAGE}/feed",
            Reply(400, {"error": {"code": 190, "message": "bad token"}}),
        )
        second = world.pass_()
    texts = [caplog.text, json.dumps(events, default=str), repr(first), repr(second)]
    with store.session() as session:
        for table in m.Base.metadata.sorted_tables:
            texts.extend(repr(row) for row in session.execute(sa.select(table)))
    blob = "\n".join(texts)
    assert "HTTP 500" in blob and "did not answer in time" in blob  # the faults were recorded
    assert "rejected the Page token" in blob
    for secret in SECRETS.values():
        if len(secret) > 12:
            assert secret not in blob


def test_a_token_revoked_between_poll_and_action_shows_in_health(world, server):
    expired = {
        "error": {
            "code": 190,
            "error_subcode": 460,
            "message": "password changed",
            "type": "OAuthException",
        }
    }
    server.route("POST", f"/v21.0/{POST}", Reply(400, expired))
    report = world.pass_()
    assert world.actions()["hide"][:2] == ("planned", 0)
    assert any("rejected the Page token" in e for e in report.run.errors)
    assert "MODBOT_FACEBOOK_PAGE_TOKEN" in world.cursor().last_error
    assert world.cursor().cursor is not None  # the poll before it still moved the cursor
