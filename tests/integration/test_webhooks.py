"""Webhook deliveries through the real ASGI app, on SQLite and PostgreSQL.

Bodies are the recorded payloads, signed here the way Meta and X sign them (no recording
of a signature exists): HMAC-SHA256 over the exact bytes, lowercase hex for Meta, base64 for X.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.settings.loading import load_config
from bot.storage import models as m
from bot.web.app import create_app
from tests.conftest import write_config
from tests.integration.conftest import SECRETS
from tests.platform_server import CASSETTES, FakePlatform, fixture_json

FB_SECRET = SECRETS["MODBOT_FACEBOOK_APP_SECRET"].encode()
X_SECRET = SECRETS["MODBOT_X_CONSUMER_SECRET"].encode()


@pytest.fixture
def platform():
    server = FakePlatform().start()
    yield server
    server.stop()


@pytest.fixture
def client(tmp_path, store, platform):
    connectors = {
        "page": {"type": "facebook", "page_id": "1234567890321", "api_base_url": platform.url},
        # A second Page: the recorded Messenger delivery is for it (entry id 12345654332).
        "page2": {"type": "facebook", "page_id": "12345654332", "api_base_url": platform.url},
        "x": {"type": "x", "account_id": "1", "handle": "brookmere", "api_base_url": platform.url},
        "sub": {"type": "reddit", "subreddit": "brookmere", "api_base_url": platform.url},
    }
    loaded = load_config(write_config(tmp_path, connectors=connectors))
    with TestClient(create_app(loaded, store)) as test_client:
        yield test_client


def fb_signed(body: bytes, secret: bytes = FB_SECRET) -> dict[str, str]:
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def x_signed(body: bytes, secret: bytes = X_SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return {"x-twitter-webhooks-signature": f"sha256={digest}", "content-type": "application/json"}


def stored(store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.execute(sa.select(m.Contact.external_id, m.Contact.kind, m.Contact.status))
        return sorted((e, k.value, s) for e, k, s in rows)


def recorded(name: str) -> bytes:
    return CASSETTES.joinpath("facebook", name).read_bytes()


# --- Facebook -----------------------------------------------------------------------------


def test_facebook_handshake_answers_the_challenge_only_with_our_token(client):
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": SECRETS["MODBOT_FACEBOOK_VERIFY_TOKEN"],
        "hub.challenge": "1158201444",
    }
    answer = client.get("/webhooks/facebook", params=good)
    assert answer.status_code == 200 and answer.text == "1158201444"
    assert (
        client.get("/webhooks/facebook", params={**good, "hub.verify_token": "nope"}).status_code
        == 403
    )
    assert (
        client.get("/webhooks/facebook", params={**good, "hub.mode": "unsubscribe"}).status_code
        == 403
    )
    assert client.get("/webhooks/facebook").status_code == 403


def test_a_signed_visitor_post_is_stored_once_and_moderated(client, store):
    body = recorded("feed-post-add-25.json")
    answer = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert answer.status_code == 200
    # TestClient runs the background moderation before returning: the contact is decided.
    assert stored(store) == [("1234567890321_7293787835232", "post", "decided")]
    replayed = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert replayed.status_code == 200
    assert len(stored(store)) == 1


def test_wrongly_signed_and_unsigned_deliveries_store_nothing(client, store):
    body = recorded("feed-post-add-25.json")
    wrong = client.post(
        "/webhooks/facebook", content=body, headers=fb_signed(body, b"other-secret")
    )
    unsigned = client.post(
        "/webhooks/facebook", content=body, headers={"content-type": "application/json"}
    )
    tampered = client.post(
        "/webhooks/facebook",
        content=body.replace(b"Let's check this", b"Let's check that"),
        headers=fb_signed(body),
    )
    assert (wrong.status_code, unsigned.status_code, tampered.status_code) == (403, 403, 403)
    assert stored(store) == []


def stored_under(store) -> list[tuple[str, str]]:
    with store.session() as session:
        return sorted(session.execute(sa.select(m.Contact.external_id, m.Contact.connector)))


def test_each_entry_is_stored_under_the_page_it_names(client, store):
    post = json.loads(recorded("feed-post-add-25.json"))["entry"][0]  # Page 1234567890321
    message = json.loads(recorded("messaging-message-basic.json"))["entry"][0]  # 12345654332
    body = json.dumps({"object": "page", "entry": [message, post]}).encode()
    answer = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert answer.status_code == 200
    assert stored_under(store) == [
        ("1234567890321_7293787835232", "page"),
        ("mid.1457764197618:41d102a3e1ae206a38", "page2"),
    ]


def test_entries_for_a_page_not_configured_are_ignored_and_counted(client, store):
    other = json.loads(recorded("feed-post-add-25.json"))
    other["entry"][0]["id"] = "777000777"
    other["entry"][0]["changes"][0]["value"]["post_id"] = "777000777_1"
    body = json.dumps(other).encode()
    answer = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert answer.status_code == 200 and "ignored 1 entries" in answer.text
    assert stored(store) == []
    assert client.app.state.webhook_ignored["facebook:777000777"] == 1


def test_an_entry_without_a_page_id_is_refused(client, store):
    delivery = json.loads(recorded("feed-post-add-25.json"))
    del delivery["entry"][0]["id"]
    body = json.dumps(delivery).encode()
    answer = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert answer.status_code == 400 and "entry 0 has no 'id'" in answer.text
    assert stored(store) == []


def test_the_signature_is_over_the_raw_bytes_not_reserialised_json(client, store):
    body = recorded("messaging-message-basic.json")  # pretty-printed, as Meta may send it
    compact = json.dumps(json.loads(body)).encode()
    assert (
        client.post("/webhooks/facebook", content=compact, headers=fb_signed(body)).status_code
        == 403
    )
    assert (
        client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code == 200
    )
    assert stored(store) == [("mid.1457764197618:41d102a3e1ae206a38", "private_message", "decided")]


def test_malformed_signed_bodies_are_400_and_store_nothing(client, store):
    for body in (b"{not json", b"[1, 2]", b'{"object": "page", "entry": "x"}'):
        assert (
            client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code
            == 400
        )
    assert stored(store) == []


def test_the_pages_own_comments_and_our_own_hides_are_not_stored(client, store):
    for name in (
        "feed-comment-add-211.json",
        "feed-comment-hide.json",
        "feed-comment-remove-25.json",
    ):
        body = recorded(name)
        assert (
            client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code
            == 200
        )
    assert stored(store) == []


# --- X ------------------------------------------------------------------------------------


def test_x_crc_challenge_is_answered_with_the_consumer_secret(client):
    answer = client.get("/webhooks/x", params={"crc_token": "challenge-123"})
    assert answer.status_code == 200
    expected = base64.b64encode(
        hmac.new(X_SECRET, b"challenge-123", hashlib.sha256).digest()
    ).decode()
    assert answer.json() == {"response_token": f"sha256={expected}"}
    assert client.get("/webhooks/x").status_code == 400


def account_activity() -> bytes:
    status = fixture_json("x", "testupdateanddestroystatus.json")["interactions"][0]
    tweet = json.loads(status["response"]["body"]["string"])
    dms = fixture_json("x", "testsendanddeletedirectmessage.json")["interactions"]
    event = json.loads(
        next(i for i in dms if "events/new" in i["request"]["uri"])["response"]["body"]["string"]
    )["event"]
    envelope = {
        "for_user_id": "1",
        "tweet_create_events": [tweet],
        "direct_message_events": [event],
        "users": {},
    }
    return json.dumps(envelope).encode()


def test_x_account_activity_delivery_is_stored_once(client, store):
    body = account_activity()
    assert client.post("/webhooks/x", content=body, headers=x_signed(body)).status_code == 200
    assert client.post("/webhooks/x", content=body, headers=x_signed(body)).status_code == 200
    contacts = stored(store)
    assert [(e.split(":")[0], k) for e, k, _ in contacts] == [
        ("1149868020346556416", "mention"),
        ("dm", "private_message"),
    ]


def test_x_activity_api_envelope_is_understood(client, store):
    payload = {
        "data": {
            "event_type": "post.mention.create",
            "payload": {
                "id": "1578516295611748353",
                "text": "@brookmere hello",
                "author_id": "42",
                "created_at": "2026-11-19T10:00:00.000Z",
            },
            "includes": {"users": [{"id": "42", "username": "tenant42"}]},
        }
    }
    body = json.dumps(payload).encode()
    assert client.post("/webhooks/x", content=body, headers=x_signed(body)).status_code == 200
    assert stored(store) == [("1578516295611748353", "mention", "decided")]


def test_x_bad_signatures_and_malformed_bodies_store_nothing(client, store):
    body = account_activity()
    assert (
        client.post("/webhooks/x", content=body, headers=x_signed(body, b"wrong")).status_code
        == 403
    )
    assert client.post("/webhooks/x", content=body).status_code == 403
    junk = b"not json"
    assert client.post("/webhooks/x", content=junk, headers=x_signed(junk)).status_code == 400
    assert stored(store) == []


def test_reddit_has_no_webhook(client):
    assert client.post("/webhooks/reddit", content=b"{}").status_code == 404


# --- webhooks without a secret are not served ----------------------------------------------


def local_row(n: int) -> bytes:
    row = {
        "id": f"hook-{n}",
        "platform": "facebook",
        "kind": "comment",
        "author": {"id": "9001", "handle": "tracey.h", "name": "Tracey Hughes"},
        "text": "You are a useless bunch of idiots",
        "created_at": "2026-11-20T10:00:00Z",
    }
    return json.dumps(row).encode()


def local_app(tmp_path, store, **local):
    folder = tmp_path / "inbox"
    folder.mkdir(exist_ok=True)
    connector = {
        "type": "local",
        "inbox": str(folder / "in.jsonl"),
        "outbox": str(folder / "out.jsonl"),
        **local,
    }
    loaded = load_config(write_config(tmp_path, connectors={"local": connector}))
    return TestClient(create_app(loaded, store))


def test_a_local_webhook_without_a_token_is_not_served_and_stores_nothing(tmp_path, store):
    with local_app(tmp_path, store) as client:
        answer = client.post(
            "/webhooks/local", content=local_row(1), headers={"content-type": "application/json"}
        )
        assert answer.status_code == 404
    assert stored(store) == []


def test_a_local_webhook_with_a_token_takes_only_bearers_of_it(tmp_path, store, monkeypatch):
    monkeypatch.setenv("LOCAL_HOOK_TOKEN", "local-hook-SECRET-31d")
    with local_app(tmp_path, store, webhook_token_env="LOCAL_HOOK_TOKEN") as client:
        anonymous = client.post("/webhooks/local", content=local_row(1))
        assert anonymous.status_code == 403 and stored(store) == []
        bearer = {"authorization": "Bearer local-hook-SECRET-31d"}
        assert (
            client.post("/webhooks/local", content=local_row(1), headers=bearer).status_code == 200
        )
    assert [e for e, _, _ in stored(store)] == ["hook-1"]
    monkeypatch.delenv("LOCAL_HOOK_TOKEN")  # named, but not set: not served
    with local_app(tmp_path, store, webhook_token_env="LOCAL_HOOK_TOKEN") as client:
        assert (
            client.post("/webhooks/local", content=local_row(2), headers=bearer).status_code == 404
        )
    assert [e for e, _, _ in stored(store)] == ["hook-1"]


def test_facebook_and_x_webhooks_without_their_secrets_are_not_served(client, store, monkeypatch):
    monkeypatch.delenv("MODBOT_FACEBOOK_APP_SECRET")
    monkeypatch.delenv("MODBOT_X_CONSUMER_SECRET")
    body = recorded("feed-post-add-25.json")
    assert (
        client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code == 404
    )
    assert client.get("/webhooks/x", params={"crc_token": "abc"}).status_code == 404
    assert stored(store) == []


# --- request size limit --------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_on_every_route(client, store):
    big = b'{"object": "page", "entry": [' + b" " * 1_000_100 + b"]}"
    for path in ("/webhooks/facebook", "/webhooks/x", "/signin", "/healthz", "/nowhere"):
        answer = client.post(path, content=big, headers=fb_signed(big))
        assert answer.status_code == 413, path
        assert "web.max_request_bytes" in answer.text
    assert stored(store) == []


def test_a_streamed_body_without_a_length_is_counted_and_refused(client, store):
    def chunks():
        for _ in range(40):
            yield b" " * 50_000  # 2 MB in all, no Content-Length

    answer = client.post("/webhooks/facebook", content=chunks(), headers=fb_signed(b""))
    assert answer.status_code == 413
    assert stored(store) == []


def test_a_body_within_the_limit_is_still_taken(client, store):
    body = recorded("feed-post-add-25.json")
    padded = body.rstrip()[:-1] + b"," + b'"pad": "' + b"x" * 900_000 + b'"}'
    answer = client.post("/webhooks/facebook", content=padded, headers=fb_signed(padded))
    assert answer.status_code == 200 and len(stored(store)) == 1
