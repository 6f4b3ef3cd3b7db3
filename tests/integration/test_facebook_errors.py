"""Graph errors read by code *and* subcode and type, with Meta's words kept (issue 14, 2 and 7).

Real facebook-sdk against the fake Graph server answering with the error bodies in
`cassettes/facebook/meta_errors.json` (Meta's documented shapes; see its `_source`) and the
recorded `error_data.json`. Only Graph's own "does not exist" lets a hide or delete count as
done; everything else leaves the action undone with Meta's reason. `appsecret_proof` goes
with every call once the app secret is configured.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.domain import ActionKind
from platforms.base import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    PlatformError,
    UnsupportedActionError,
)
from platforms.facebook.graph import appsecret_proof
from tests.conftest import FakeClock
from tests.integration.conftest import SECRETS
from tests.integration.test_facebook import COMMENT, PAGE, TOKEN, connector, graph, request
from tests.platform_server import Reply, fixture_json
from tests.timetravel import today

__all__ = ["graph"]  # the fixture


@pytest.fixture
def clock() -> FakeClock:
    """The suite's today: the Page connector reads the (travelled) system clock to poll."""
    return FakeClock(today())


PROOF = appsecret_proof(TOKEN, SECRETS["MODBOT_FACEBOOK_APP_SECRET"])


def meta(name: str) -> dict:
    return fixture_json("facebook", "meta_errors.json")[name]


def test_only_a_true_does_not_exist_counts_as_already_hidden(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, meta("does_not_exist")))
    receipt = connector(graph).perform(request(ActionKind.HIDE))
    assert receipt.ok and receipt.detail == "already gone from Facebook"


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ("public_content_access", ForbiddenError, "Pages Public Content Access requires"),
        ("invalid_parameter", PlatformError, "Param is_hidden must be a boolean"),
        ("invalid_parameter_method", PlatformError, "The parameter message is required"),
    ],
)
def test_a_code_100_that_is_not_gone_leaves_the_hide_undone(graph, body, error, words):
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, meta(body)))
    with pytest.raises(error, match=words) as raised:
        connector(graph).perform(request(ActionKind.HIDE))
    assert not isinstance(raised.value, NotFoundError)


def test_the_recorded_permission_error_is_not_gone_either(graph):
    graph.route(
        "DELETE", f"/v21.0/{COMMENT}", Reply(400, fixture_json("facebook", "error_data.json"))
    )
    with pytest.raises(ForbiddenError, match="pages_read_engagement"):
        connector(graph).perform(request(ActionKind.DELETE))


def test_code_368_says_meta_blocked_the_action_not_a_permission(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, meta("abusive_368")))
    with pytest.raises(UnsupportedActionError, match="temporarily blocked") as raised:
        connector(graph).perform(request(ActionKind.HIDE))
    assert "permission" not in str(raised.value) and "368" in str(raised.value)


def test_an_expired_token_says_it_expired(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, meta("token_expired")))
    with pytest.raises(AuthError, match="it has expired") as raised:
        connector(graph).perform(request(ActionKind.HIDE))
    assert "MODBOT_FACEBOOK_PAGE_TOKEN" in str(raised.value)


def test_appsecret_proof_goes_with_every_call(graph):
    graph.route("GET", f"/v21.0/{PAGE}/feed", {"data": []})
    graph.route("POST", f"/v21.0/{COMMENT}", {"success": True})
    graph.route("DELETE", f"/v21.0/{COMMENT}", {"success": True})
    page = connector(graph, watch={"comments": False, "messages": False})
    list(page.fetch_since(None))
    page.perform(request(ActionKind.HIDE))
    page.perform(request(ActionKind.DELETE))
    get, post, delete = graph.log
    assert get.query["appsecret_proof"] == PROOF and get.query["access_token"] == TOKEN
    assert post.form["appsecret_proof"] == PROOF
    assert delete.query["appsecret_proof"] == PROOF


def test_no_proof_without_an_app_secret(graph, monkeypatch):
    monkeypatch.delenv("MODBOT_FACEBOOK_APP_SECRET")
    graph.route("POST", f"/v21.0/{COMMENT}", {"success": True})
    connector(graph).perform(request(ActionKind.HIDE))
    [post] = graph.log
    assert "appsecret_proof" not in post.form


def test_a_refused_hide_is_never_recorded_as_done(tmp_path, store, clock, graph):
    """Through the runner: the register does not say hidden when Graph refused."""
    from datetime import timedelta

    from bot.pipeline import Pipeline
    from bot.settings.loading import load_config
    from bot.storage import models as m
    from tests.conftest import write_config

    settings = {"type": "facebook", "page_id": PAGE, "api_base_url": graph.url,
                "watch": {"comments": False, "messages": False}}  # fmt: skip
    loaded = load_config(write_config(tmp_path, connectors={"page": settings}))
    post = {
        "id": COMMENT,
        "message": "I know where you live and I will hurt you",
        "from": {"id": "901", "name": "Angry Visitor"},
        "created_time": (clock() - timedelta(hours=1)).isoformat(),
    }
    graph.route("GET", f"/v21.0/{PAGE}/feed", {"data": [post]})
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, meta("public_content_access")))
    graph.route("POST", f"/v21.0/{PAGE}/messages", {"recipient_id": "9", "message_id": "m_1"})
    pipeline = Pipeline(loaded, store, clock=clock)
    pipeline.run_once()
    pipeline.close()
    with store.session() as session:
        hide = session.scalar(sa.select(m.Action).where(m.Action.kind == "hide"))
        assert hide.state.value != "done"
        assert "Pages Public Content Access requires" in hide.last_error
