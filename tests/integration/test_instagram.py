"""The Instagram connector with the real facebook-sdk against a fake Graph server on 127.0.0.1.

Bodies come from `cassettes/instagram/` (Meta's documented shapes; its README says which
document each comes from). The server logs what the SDK sent, which the tests assert.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.settings.loading import load_config
from bot.settings.secrets import read_secret
from bot.storage import models as m
from bot.web.app import create_app
from platforms.base import (
    ActionRequest,
    ActionTarget,
    ContactKind,
    ForbiddenError,
    PlatformAction,
    UnsupportedActionError,
)
from platforms.facebook.graph import appsecret_proof
from platforms.instagram.config import InstagramConfig
from platforms.instagram.connector import InstagramConnector
from tests.conftest import write_config
from tests.integration.conftest import SECRETS
from tests.integration.test_webhooks import fb_signed
from tests.platform_server import FakePlatform, Reply, fixture_json

IG = "17841405793187218"
PAGE = "1234567890321"
MEDIA = "17918195224117851"
COMMENT = "17858893269000001"
TOKEN = SECRETS["MODBOT_FACEBOOK_PAGE_TOKEN"]
PROOF = appsecret_proof(TOKEN, SECRETS["MODBOT_FACEBOOK_APP_SECRET"])
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def recorded(name: str) -> dict:
    return fixture_json("instagram", name)


@pytest.fixture
def graph():
    server = FakePlatform().start()
    yield server
    server.stop()


def connector(server: FakePlatform, **settings: object) -> InstagramConnector:
    config = InstagramConfig.model_validate(
        {
            "type": "instagram",
            "ig_user_id": IG,
            "page_id": PAGE,
            "handle": "brookmere_homes",
            "api_base_url": server.url,
            "backfill_days": 2,
            **settings,
        }
    )
    return InstagramConnector(
        "insta", config, secrets=read_secret, sleep=lambda s: None, clock=lambda: NOW
    )


def serve_media(server: FakePlatform) -> None:
    server.route("GET", f"/v21.0/{IG}/media", recorded("media.json"))
    server.route("GET", f"/v21.0/{MEDIA}/comments", recorded("comments.json"))
    server.route("GET", f"/v21.0/{COMMENT}/replies", recorded("replies.json"))
    server.route("GET", r"/v21.0/\d+/replies", {"data": []})


def test_polling_reads_comments_and_replies_on_recent_media(graph):
    serve_media(graph)
    insta = connector(graph)
    [batch] = list(insta.fetch_since(None))
    by_id = {c.external_id: c for c in batch.contacts}
    assert set(by_id) == {COMMENT, "17858893269000002", "17858893269000003"}  # not our own
    threat = by_id[COMMENT]
    assert threat.kind is ContactKind.COMMENT and threat.platform == "instagram"
    assert threat.account.handle == "angry_tenant"
    assert threat.account.platform_user_id == "17841400000000001"
    assert threat.thread_id == MEDIA and threat.permalink.startswith("https://www.instagram.com/p/")
    assert threat.created_at == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    reply = by_id["17858893269000002"]
    assert reply.kind is ContactKind.REPLY and reply.parent_id == COMMENT
    media_call = graph.calls("GET", f"/v21.0/{IG}/media")[0]
    assert media_call.query["appsecret_proof"] == PROOF
    assert "timestamp" in media_call.query["fields"]
    # The cursor holds a watermark per media: the next poll finds nothing new.
    [again] = list(insta.fetch_since(batch.cursor))
    assert again.contacts == ()


def test_hide_and_unhide_post_hide(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", recorded("actions.json")["hidden"])
    insta = connector(graph)
    receipt = insta.perform(request(PlatformAction.HIDE))
    assert receipt.platform_ref == f"instagram:hide:{COMMENT}"
    insta.perform(request(PlatformAction.UNHIDE))
    hide, unhide = graph.calls("POST", f"/v21.0/{COMMENT}")
    assert hide.form == {"hide": "true", "access_token": TOKEN, "appsecret_proof": PROOF}
    assert unhide.form["hide"] == "false"


def test_delete_sends_delete(graph):
    graph.route("DELETE", f"/v21.0/{COMMENT}", recorded("actions.json")["deleted"])
    assert connector(graph).perform(request(PlatformAction.DELETE)).ok
    assert len(graph.calls("DELETE", f"/v21.0/{COMMENT}")) == 1


def test_a_public_reply_looks_for_ours_then_replies(graph):
    graph.route("GET", f"/v21.0/{COMMENT}/replies", {"data": []})
    graph.route("POST", f"/v21.0/{COMMENT}/replies", recorded("actions.json")["reply"])
    receipt = connector(graph).perform(request(PlatformAction.REPLY, "Please keep it civil."))
    assert receipt.platform_ref == "instagram:comment:17873440459141021"
    [post] = graph.calls("POST", f"/v21.0/{COMMENT}/replies")
    assert post.form["message"] == "Please keep it civil."


def test_a_reply_already_there_is_not_posted_twice(graph):
    graph.route("GET", f"/v21.0/{COMMENT}/replies", recorded("replies.json"))
    receipt = connector(graph).perform(request(PlatformAction.REPLY, "Please keep it civil."))
    assert receipt.detail == "found on Instagram"
    assert graph.calls("POST") == []


def test_a_private_reply_goes_to_the_comment_through_the_page(graph):
    graph.route("POST", f"/v21.0/{PAGE}/messages", recorded("actions.json")["private_reply"])
    receipt = connector(graph).perform(request(PlatformAction.MESSAGE, "A private warning"))
    assert receipt.platform_ref.startswith("instagram:message:")
    [call] = graph.calls("POST", f"/v21.0/{PAGE}/messages")
    assert json.loads(call.form["recipient"]) == {"comment_id": COMMENT}
    assert json.loads(call.form["message"]) == {"text": "A private warning"}


def test_a_private_reply_after_seven_days_is_for_staff(graph):
    old = request(PlatformAction.MESSAGE, "late", created_at=NOW - timedelta(days=8))
    with pytest.raises(UnsupportedActionError, match="within 7 days"):
        connector(graph).perform(old)
    assert graph.log == []


def test_block_restrict_and_report_have_no_api(graph):
    insta = connector(graph)
    for kind in (PlatformAction.BLOCK, PlatformAction.MUTE, PlatformAction.REPORT):
        with pytest.raises(UnsupportedActionError, match="no API"):
            insta.perform(request(kind))
    assert not insta.capabilities & (
        type(insta.capabilities).BLOCK | type(insta.capabilities).REPORT
    )
    assert graph.log == []


def test_graph_errors_are_read_the_same_way_naming_instagram(graph):
    error = fixture_json("facebook", "meta_errors.json")
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, error["does_not_exist"]), times=1)
    assert connector(graph).perform(request(PlatformAction.HIDE)).detail == (
        "already gone from Instagram"
    )
    graph.route("POST", f"/v21.0/{COMMENT}", Reply(400, error["public_content_access"]))
    with pytest.raises(ForbiddenError, match="Instagram refused"):
        connector(graph).perform(request(PlatformAction.HIDE))


def request(kind: PlatformAction, message: str = "", **target: object) -> ActionRequest:
    values = {
        "platform": "instagram",
        "external_id": COMMENT,
        "kind": ContactKind.COMMENT,
        "account_platform_id": "17841400000000001",
        "account_handle": "angry_tenant",
        "thread_id": MEDIA,
        "created_at": NOW - timedelta(hours=1),
        **target,
    }
    return ActionRequest(kind, ActionTarget(**values), "k", message=message)  # type: ignore[arg-type]


# --- webhooks, through the web app ---------------------------------------------------------


@pytest.fixture
def client(tmp_path, store, graph):
    connectors = {
        "insta": {"type": "instagram", "ig_user_id": IG, "page_id": PAGE,
                  "handle": "brookmere_homes", "api_base_url": graph.url},
    }  # fmt: skip
    loaded = load_config(write_config(tmp_path, connectors=connectors))
    with TestClient(create_app(loaded, store)) as test_client:
        yield test_client


def stored(store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.execute(sa.select(m.Contact.external_id, m.Contact.kind, m.Contact.platform))
        return sorted((e, k.value, p) for e, k, p in rows)


def test_a_signed_comments_delivery_is_stored(client, store):
    body = json.dumps(recorded("webhook-comments.json")).encode()
    answer = client.post("/webhooks/instagram", content=body, headers=fb_signed(body))
    assert answer.status_code == 200
    assert stored(store) == [("17865799348089039", "reply", "instagram")]


def test_a_mention_is_read_from_graph_and_stored(client, store, graph):
    graph.route("GET", f"/v21.0/{IG}", recorded("actions.json")["mentioned_comment"])
    body = json.dumps(recorded("webhook-mentions.json")).encode()
    answer = client.post("/webhooks/instagram", content=body, headers=fb_signed(body))
    assert answer.status_code == 200
    assert stored(store) == [("17894227972186120", "mention", "instagram")]
    [call] = graph.calls("GET", f"/v21.0/{IG}")
    assert "mentioned_comment.comment_id(17894227972186120)" in call.query["fields"]


def test_entries_for_another_account_and_bad_signatures_store_nothing(client, store):
    other = recorded("webhook-comments.json")
    other["entry"][0]["id"] = "17840000000000000"
    body = json.dumps(other).encode()
    answer = client.post("/webhooks/instagram", content=body, headers=fb_signed(body))
    assert answer.status_code == 200 and "ignored 1 entries" in answer.text
    good = json.dumps(recorded("webhook-comments.json")).encode()
    assert (
        client.post("/webhooks/instagram", content=good, headers=fb_signed(good, b"x")).status_code
        == 403
    )
    assert stored(store) == []


def test_the_handshake_answers_with_the_verify_token(client):
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": SECRETS["MODBOT_FACEBOOK_VERIFY_TOKEN"],
        "hub.challenge": "4242",
    }
    assert client.get("/webhooks/instagram", params=good).text == "4242"
    assert (
        client.get("/webhooks/instagram", params={**good, "hub.verify_token": "no"}).status_code
        == 403
    )


def test_a_throttled_call_waits_for_metas_estimate_then_resumes(graph):
    usage = json.dumps({IG: [{"type": "instagram", "estimated_time_to_regain_access": 1}]})
    throttled = Reply(
        400,
        {"error": {"code": 80002, "message": "Instagram account request limit reached"}},
        {"X-Business-Use-Case-Usage": usage},
    )
    graph.route("POST", f"/v21.0/{COMMENT}", throttled, times=1)
    graph.route("POST", f"/v21.0/{COMMENT}", recorded("actions.json")["hidden"])
    waits: list[float] = []
    insta = connector(graph)
    insta.caller.sleep = waits.append
    assert insta.perform(request(PlatformAction.HIDE)).ok
    assert waits == [60.0]  # minutes, as Meta gives it
    assert len(graph.calls("POST", f"/v21.0/{COMMENT}")) == 2


def test_without_the_app_secret_and_verify_token_the_webhook_is_not_served(tmp_path, store, graph):
    """An unchecked webhook would let anyone feed the bot contacts (docs/security.md)."""
    ready = connector(graph)
    assert ready.webhook_unserved() is None
    bare = InstagramConnector(
        "insta",
        ready.config,
        secrets=lambda name, required=True: None,
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    reason = bare.webhook_unserved()
    assert reason and "MODBOT_FACEBOOK_APP_SECRET" in reason
    assert "MODBOT_FACEBOOK_VERIFY_TOKEN" in reason
