"""The Facebook connector with the real facebook-sdk against a fake Graph server on 127.0.0.1.

The server answers with the recorded Graph bodies from `cassettes/facebook/` (bodies only:
the recordings have no HTTP envelope) and logs what the SDK sent, which the tests assert.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import ActionKind
from bot.settings.secrets import read_secret
from platforms.base import (
    ActionRequest,
    ActionTarget,
    ContactKind,
    ForbiddenError,
    Recall,
    UnsupportedActionError,
)
from platforms.facebook.config import FacebookConfig
from platforms.facebook.connector import FacebookConnector
from platforms.facebook.graph import appsecret_proof
from platforms.facebook.payloads import (
    contact_from_change,
    contact_from_comment,
    contact_from_message,
    contact_from_messaging,
)
from tests.integration.conftest import SECRETS
from tests.platform_server import FakePlatform, Reply, fixture_json

PAGE = "4"
POST = "4_10113477241177441"
TOKEN = SECRETS["MODBOT_FACEBOOK_PAGE_TOKEN"]
PROOF = appsecret_proof(TOKEN, SECRETS["MODBOT_FACEBOOK_APP_SECRET"])
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def graph():
    server = FakePlatform().start()
    yield server
    server.stop()


def connector(server: FakePlatform, **settings: object) -> FacebookConnector:
    config = FacebookConfig.model_validate(
        {
            "type": "facebook",
            "page_id": PAGE,
            "api_base_url": server.url,
            "backfill_days": 100_000,
            "posts_to_watch": 5,
            **settings,
        }
    )
    return FacebookConnector(
        "page", config, secrets=read_secret, sleep=lambda s: None, clock=lambda: NOW
    )


def serve_feed(server: FakePlatform) -> None:
    server.route(
        "GET",
        f"/v21.0/{PAGE}/feed",
        lambda seen: Reply(
            body=fixture_json(
                "facebook",
                "feed_fields_p2.json" if "until" in seen.query else "feed_fields_p1.json",
            )
        ),
    )
    server.route(
        "GET",
        f"/v21.0/{POST}/comments",
        lambda seen: Reply(
            body=fixture_json(
                "facebook", "comments_p2.json" if "after" in seen.query else "comments_p1.json"
            )
        ),
    )
    server.route("GET", r"/v21.0/[\d_]+/comments", {"data": []})


def test_poll_reads_the_feed_and_every_page_of_comments(graph):
    serve_feed(graph)
    page = connector(graph)
    batches = list(page.fetch_since(None))
    feed_calls = graph.calls("GET", f"/v21.0/{PAGE}/feed")
    assert len(feed_calls) == 2 and feed_calls[1].query["until"] == "1624385168"
    assert feed_calls[0].query["access_token"] == TOKEN
    assert (
        feed_calls[0].query["fields"] == "id,message,from,created_time,updated_time,permalink_url"
    )
    # The recorded feed has no `from`: those are the Page's own posts, not contacts.
    assert batches[0].contacts == ()
    contacts = [c for b in batches for c in b.contacts]
    assert len(contacts) == 15
    comment_calls = graph.calls("GET", f"/v21.0/{POST}/comments")
    assert [c.query.get("after") for c in comment_calls] == [None, "after"]
    assert comment_calls[0].query["filter"] == "stream"
    first = next(c for c in contacts if c.external_id == "10113477241177441_10158407835073553")
    assert first.kind is ContactKind.COMMENT and first.text.startswith("Boa noite")
    assert first.created_at == datetime(2021, 8, 10, 18, 45, 3, tzinfo=UTC)
    assert first.thread_id == POST
    # No comment ids or authors without the MODERATE task (G13): ids from the permalink.
    reply = next(c for c in contacts if c.external_id == "10113477241177441_10158409983033553")
    assert reply.kind is ContactKind.REPLY
    assert reply.parent_id == "10113477241177441_10158407903973553"
    assert reply.account.platform_user_id == "unknown:10113477241177441_10158409983033553"
    cursor = json.loads(batches[-1].cursor)
    assert set(cursor["comments"]) <= {
        p
        for p in [
            POST,
            "4_10113449068715281",
            "4_10113400535556121",
            "4_10113332572050531",
            "4_10113319652002411",
        ]
    }
    assert cursor["comments"][POST]["t"] == datetime(2021, 8, 14, 7, 24, 42, tzinfo=UTC).timestamp()


def test_a_second_poll_finds_nothing_new_and_keeps_the_cursor(graph):
    serve_feed(graph)
    page = connector(graph)
    first = list(page.fetch_since(None))
    again = list(page.fetch_since(first[-1].cursor))
    assert [c for b in again for c in b.contacts] == []
    assert json.loads(again[-1].cursor)["comments"] == json.loads(first[-1].cursor)["comments"]


def test_visitor_posts_are_contacts_and_the_pages_own_are_not(graph):
    visitor = {
        "id": "4_1",
        "message": "you lot",
        "from": {"id": "77", "name": "Ann"},
        "created_time": "2026-11-19T10:00:00+0000",
    }
    own = {
        "id": "4_2",
        "message": "Our news",
        "from": {"id": PAGE, "name": "Page"},
        "created_time": "2026-11-19T11:00:00+0000",
    }
    graph.route("GET", f"/v21.0/{PAGE}/feed", {"data": [own, visitor]})
    graph.route("GET", r"/v21.0/[\d_]+/comments", {"data": []})
    batches = list(connector(graph).fetch_since(None))
    assert [c.external_id for c in batches[0].contacts] == ["4_1"]
    assert batches[0].contacts[0].account.handle == "Ann"


# --- parsing every recorded shape ---------------------------------------------------------


def change(name: str) -> tuple[str, dict]:
    data = fixture_json("facebook", name)
    entry = data["entry"][0]
    return entry["id"], entry["changes"][0]


def test_webhook_comment_v211_shape():
    page, ch = change("feed-comment-add-211.json")
    contact = contact_from_change("page", page, ch["field"], ch["value"])
    assert contact.external_id == "901097836652708_903438993085259"
    assert contact.kind is ContactKind.COMMENT and contact.text == "and the next one"
    assert (
        contact.account.platform_user_id == "1234567890321" and contact.account.handle == "Tester"
    )
    assert contact.created_at == datetime.fromtimestamp(1449135003, UTC)
    assert contact.thread_id == "1234567890321_901097836652708"


def test_webhook_older_sender_id_shape():
    page, ch = change("feed-comment-edited-25.json")
    contact = contact_from_change("page", page, ch["field"], ch["value"])
    assert (
        contact.account.platform_user_id == "1234567890321"
        and contact.account.display_name == "Tester"
    )
    assert contact.text == "Let's see the Webhooks in action :D"


def test_webhook_comment_with_a_photo_and_no_message():
    page, ch = change("feed-comment-add-211.json")
    value = {k: v for k, v in ch["value"].items() if k != "message"}
    value["photo"] = "https://scontent.example/photo.jpg"
    contact = contact_from_change("page", page, "feed", value)
    assert contact is not None and contact.text == ""


def test_webhook_visitor_post_mention_and_messenger():
    page, ch = change("feed-post-add-25.json")
    post = contact_from_change("page", page, ch["field"], ch["value"])
    assert post.kind is ContactKind.POST and post.external_id == "1234567890321_7293787835232"
    assert post.account.platform_user_id == "8423678347823" and post.account.handle == "John Doe"
    page, ch = change("mention-comment-add.json")
    mention = contact_from_change("page", page, ch["field"], ch["value"])
    assert mention.kind is ContactKind.MENTION and mention.text == "Just a test message"
    assert mention.account.platform_user_id.startswith("unknown:")
    data = fixture_json("facebook", "messaging-message-basic.json")
    event = data["entry"][0]["messaging"][0]
    dm = contact_from_messaging("page", "12345654332", event)
    assert dm.kind is ContactKind.PRIVATE_MESSAGE and dm.text == "hello, world!"
    assert dm.account.platform_user_id == "987654321432"
    assert dm.external_id == "mid.1457764197618:41d102a3e1ae206a38"
    assert dm.created_at == datetime.fromtimestamp(1457764197.627, UTC)


def test_hide_and_remove_events_are_not_contacts():
    for name in ("feed-comment-hide.json", "feed-comment-remove-25.json"):
        page, ch = change(name)
        assert contact_from_change("page", page, ch["field"], ch["value"]) is None


def test_comment_nodes_with_photo_page_author_and_no_author():
    photo = fixture_json("facebook", "comment.json")
    contact = contact_from_comment("page", "2121008874780932", "2954961744718970", photo)
    assert contact.external_id == "2954961744718970_2966313500250461"
    assert contact.account.handle == "Kun Liu" and contact.text == "My Nice Car "
    own = fixture_json("facebook", "comment_canHide.json")
    assert contact_from_comment("page", "123456789", "123456789_1", own) is None
    anonymous = fixture_json("facebook", "comment_info.json")
    parsed = contact_from_comment("page", "19292868552", "10158371815748553", anonymous)
    assert parsed.external_id == "10158371815748553_10158371930463553"
    assert parsed.account.platform_user_id.startswith("unknown:")
    message = fixture_json("facebook", "message_info.json")
    dm = contact_from_message("page", "2121008874780932", "t_1", message)
    assert (
        dm.kind is ContactKind.PRIVATE_MESSAGE and dm.account.platform_user_id == "2711636948859886"
    )
    assert contact_from_message("page", "2711636948859886", "t_1", message) is None


# --- actions ------------------------------------------------------------------------------


COMMENT = "10113477241177441_10158407835073553"


def request(action: ActionKind, message: str = "", **kw: object) -> ActionRequest:
    values = {
        "platform": "facebook",
        "external_id": COMMENT,
        "kind": ContactKind.COMMENT,
        "account_platform_id": "2711636948859886",
        "account_handle": "Kun Liu",
        "created_at": NOW - timedelta(days=1),
    }
    values.update(kw)
    return ActionRequest(
        kind=action.on_platform,
        label=action.value,
        target=ActionTarget(**values),
        idempotency_key="k",
        message=message,
    )  # type: ignore[arg-type]


def test_hide_posts_is_hidden_true(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", {"success": True})
    receipt = connector(graph).perform(request(ActionKind.HIDE))
    assert receipt.platform_ref == f"facebook:hidden:{COMMENT}"
    [call] = graph.log
    assert (call.method, call.path) == ("POST", f"/v21.0/{COMMENT}")
    assert call.form == {"is_hidden": "true", "access_token": TOKEN, "appsecret_proof": PROOF}


def test_delete_sends_delete(graph):
    graph.route("DELETE", f"/v21.0/{COMMENT}", {"success": True})
    connector(graph).perform(request(ActionKind.DELETE))
    [call] = graph.log
    assert (call.method, call.path, call.body) == ("DELETE", f"/v21.0/{COMMENT}", b"")


def test_deleting_what_is_already_gone_counts_as_done(graph):
    graph.route(
        "DELETE",
        f"/v21.0/{COMMENT}",
        Reply(400, fixture_json("facebook", "meta_errors.json")["does_not_exist"]),
    )
    receipt = connector(graph).perform(request(ActionKind.DELETE))
    assert receipt.ok and receipt.detail == "already gone from Facebook"


def test_public_reply_looks_for_ours_then_comments(graph):
    graph.route("GET", f"/v21.0/{COMMENT}/comments", {"data": []})
    graph.route("POST", f"/v21.0/{COMMENT}/comments", fixture_json("facebook", "create_resp.json"))
    receipt = connector(graph).perform(request(ActionKind.PUBLIC_WARNING, "Please keep it civil."))
    assert receipt.platform_ref == "facebook:comment:245778718206154_229887283291835"
    lookup, post = graph.log
    assert (lookup.method, lookup.path) == ("GET", f"/v21.0/{COMMENT}/comments")
    assert (post.method, post.path) == ("POST", f"/v21.0/{COMMENT}/comments")
    assert post.form == {
        "message": "Please keep it civil.",
        "access_token": TOKEN,
        "appsecret_proof": PROOF,
    }


def test_the_pages_earlier_reply_is_found_not_posted_again(graph):
    ours = {"id": "1_2", "from": {"id": PAGE}, "message": "Please keep it civil."}
    graph.route("GET", f"/v21.0/{COMMENT}/comments", {"data": [ours]})
    page = connector(graph)
    req = request(ActionKind.PUBLIC_WARNING, "Please keep it civil.")
    assert page.already_done(req).platform_ref == "facebook:comment:1_2"
    assert page.perform(req).detail == "found on Facebook"
    assert graph.calls("POST") == []


def test_private_reply_json_encodes_the_recipient(graph):
    graph.route("POST", f"/v21.0/{PAGE}/messages", {"recipient_id": "99", "message_id": "m_1"})
    receipt = connector(graph).perform(request(ActionKind.PRIVATE_WARNING, "A private word."))
    assert receipt.platform_ref == "facebook:message:m_1"
    [call] = graph.log
    assert (call.method, call.path) == ("POST", f"/v21.0/{PAGE}/messages")
    assert json.loads(call.form["recipient"]) == {"comment_id": COMMENT}
    assert json.loads(call.form["message"]) == {"text": "A private word."}
    assert connector(graph).already_done(request(ActionKind.PRIVATE_WARNING, "x")) is Recall.UNKNOWN


def test_private_reply_after_seven_days_goes_to_staff_without_a_call(graph):
    old = request(ActionKind.PRIVATE_WARNING, "x", created_at=NOW - timedelta(days=8))
    with pytest.raises(UnsupportedActionError, match=r"within 7 days.*8 days old"):
        connector(graph).perform(old)
    assert graph.log == []


def test_a_second_private_reply_is_refused_and_goes_to_staff(graph):
    error = {
        "error": {
            "message": "(#10900) Activity already replied to",
            "type": "OAuthException",
            "code": 10900,
        }
    }
    graph.route("POST", f"/v21.0/{PAGE}/messages", Reply(400, error))
    with pytest.raises(UnsupportedActionError, match="already sent"):
        connector(graph).perform(request(ActionKind.PRIVATE_WARNING, "x"))


def test_messenger_reply_goes_to_the_psid(graph):
    graph.route("POST", f"/v21.0/{PAGE}/messages", {"recipient_id": "987", "message_id": "m_2"})
    connector(graph).perform(
        request(
            ActionKind.NOTICE, "Notice", kind=ContactKind.PRIVATE_MESSAGE, account_platform_id="987"
        )
    )
    [call] = graph.log
    assert json.loads(call.form["recipient"]) == {"id": "987"}
    assert call.form["messaging_type"] == "RESPONSE"


def test_block_posts_the_user_to_the_pages_blocked_edge(graph):
    graph.route("POST", f"/v21.0/{PAGE}/blocked", {"2711636948859886": True})
    connector(graph).perform(request(ActionKind.BLOCK))
    [call] = graph.log
    assert (call.method, call.path) == ("POST", f"/v21.0/{PAGE}/blocked")
    assert call.form == {
        "user": "2711636948859886",
        "access_token": TOKEN,
        "appsecret_proof": PROOF,
    }


def test_a_missing_permission_is_named(graph):
    graph.route(
        "POST", f"/v21.0/{COMMENT}", Reply(400, fixture_json("facebook", "error_data.json"))
    )
    with pytest.raises(ForbiddenError, match="pages_manage_engagement") as raised:
        connector(graph).perform(request(ActionKind.HIDE))
    assert "pages_read_engagement" in str(raised.value)


def test_report_and_mute_are_not_facebook_actions(graph):
    page = connector(graph)
    for kind in (ActionKind.REPORT, ActionKind.MUTE):
        with pytest.raises(UnsupportedActionError, match="no API"):
            page.perform(request(kind))
    assert graph.log == []


def test_unhide_posts_is_hidden_false(graph):
    graph.route("POST", f"/v21.0/{COMMENT}", {"success": True})
    receipt = connector(graph).perform(request(ActionKind.UNHIDE))
    assert receipt.platform_ref == f"facebook:unhidden:{COMMENT}"
    [call] = graph.log
    assert (call.method, call.path) == ("POST", f"/v21.0/{COMMENT}")
    assert call.form == {"is_hidden": "false", "access_token": TOKEN, "appsecret_proof": PROOF}


def test_unblock_deletes_the_user_from_the_pages_blocked_edge(graph):
    graph.route("DELETE", f"/v21.0/{PAGE}/blocked", {"success": True})
    connector(graph).perform(request(ActionKind.UNBLOCK))
    [call] = graph.log
    assert (call.method, call.path) == ("DELETE", f"/v21.0/{PAGE}/blocked")
    assert call.query["user"] == "2711636948859886"
