"""The X connector with real tweepy against tweepy's recorded cassettes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from bot.domain import ActionKind
from bot.settings.secrets import read_secret
from platforms.base import ActionRequest, ActionTarget, ContactKind, Recall, UnsupportedActionError
from platforms.x.config import XConfig
from platforms.x.connector import XConnector
from platforms.x.payloads import contact_from_dm_event, contact_from_status
from tests.integration.replay import body_of, interaction, prepared, record_requests, replay
from tests.platform_server import fixture_json

ME = "1072250532645998596"
API = "https://api.twitter.com"


def connector(**settings: object) -> XConnector:
    config = XConfig.model_validate(
        {"type": "x", "account_id": ME, "handle": "TweepyDev", **settings}
    )
    return XConnector("x", config, secrets=read_secret, sleep=lambda s: None)


def target(post: str = "1344794616005066752", **kw: object) -> ActionTarget:
    values = {
        "platform": "x",
        "external_id": post,
        "kind": ContactKind.MENTION,
        "account_platform_id": "750362064426721281",
        "account_handle": "someone",
    }
    values.update(kw)
    return ActionTarget(**values)  # type: ignore[arg-type]


def request(action: ActionKind, message: str = "", **kw: object) -> ActionRequest:
    return ActionRequest(
        kind=action.on_platform, target=target(**kw), idempotency_key="k", message=message
    )


def test_mentions_poll_reads_one_page_and_keeps_its_place(tmp_path):
    x = connector(
        account_id="783214", watch={"replies": False, "direct_messages": False}, max_pages=1
    )
    with replay(prepared(tmp_path, "x", "test_client_get_users_mentions.yaml")):
        sent = record_requests(x.client.session)
        batches = list(x.fetch_since(None))
    assert len(batches) == 1
    contacts = batches[0].contacts
    assert len(contacts) == 10 and all(c.kind is ContactKind.MENTION for c in contacts)
    first = contacts[0]
    assert first.external_id == "1578516295611748353"
    assert first.text.startswith("@Twitter @TwitterSupport this is my ENTIRE feed")
    # The recording asked for no created_at: the time comes from the post id itself.
    assert first.created_at == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)
    assert first.account.platform_user_id == "unknown:1578516295611748353"
    cursor = json.loads(batches[0].cursor)
    assert cursor["mentions"] == {
        "since_id": None,
        "newest": "1578516295611748353",
        "next_token": "7140dibdnow9c7btw423i3sy3u5zupmkcpofxcsmxj48j",
    }
    assert sent[0].method == "GET" and sent[0].path_url.startswith("/2/users/783214/mentions?")
    assert "tweet.fields=created_at%2Cauthor_id%2Cconversation_id" in sent[0].url
    assert "start_time=" in sent[0].url  # the first poll reads back one day, not 800 posts
    assert sent[0].headers["Authorization"].startswith("OAuth ")  # user context


def test_mentions_resume_from_the_stored_page_token(tmp_path):
    x = connector(
        account_id="783214", watch={"replies": False, "direct_messages": False}, max_pages=1
    )
    cursor = json.dumps({"mentions": {"since_id": "1", "newest": "9", "next_token": "TOKEN"}})
    with replay(prepared(tmp_path, "x", "test_client_get_users_mentions.yaml")):
        sent = record_requests(x.client.session)
        batch = next(x.fetch_since(cursor))
    assert "pagination_token=TOKEN" in sent[0].url and "since_id=1" in sent[0].url
    assert "start_time" not in sent[0].url
    # The page had a next_token again: the run is still paging from the same since_id.
    assert json.loads(batch.cursor)["mentions"]["newest"] == "9"


def test_replies_search_completes_and_moves_since_id(tmp_path):
    x = connector(watch={"mentions": False, "direct_messages": False}, max_pages=1)
    recorded = prepared(tmp_path, "x", "test_client_search_recent_tweets.yaml")
    with replay(recorded):
        sent = record_requests(x.client.session)
        batch = next(x.fetch_since(json.dumps({"replies": {"since_id": "1578511538419212200"}})))
    assert len(batch.contacts) == 10 and batch.contacts[0].kind is ContactKind.REPLY
    assert "query=to%3ATweepyDev+-from%3ATweepyDev" in sent[0].url
    assert "since_id=1578511538419212200" in sent[0].url


def test_a_search_gap_longer_than_seven_days_is_reported(tmp_path):
    now = datetime(2026, 11, 20, tzinfo=UTC)
    x = connector(watch={"mentions": False, "direct_messages": False}, max_pages=1)
    x.clock = lambda: now
    last = int((now - timedelta(days=9)).timestamp())
    cursor = json.dumps({"replies": {"since_id": "5"}, "polled_at": {"replies": last}})
    with replay(prepared(tmp_path, "x", "test_client_search_recent_tweets.yaml")):
        batch = next(x.fetch_since(cursor))
    assert len(batch.warnings) == 1
    assert "7 days only" in batch.warnings[0] and "9 days ago" in batch.warnings[0]
    # The run stopped with pages left, so it is not yet a complete poll.
    assert json.loads(batch.cursor)["polled_at"]["replies"] == last


def test_direct_messages_poll_an_empty_inbox(tmp_path):
    x = connector(watch={"mentions": False, "replies": False})
    path = prepared(
        tmp_path, "x", "test_manage_and_lookup_direct_messages.yaml", only=("/2/dm_events",)
    )
    with replay(path):
        sent = record_requests(x.client.session)
        batches = list(x.fetch_since(None))
    assert [len(b.contacts) for b in batches] == [0]
    assert sent[0].path_url.startswith("/2/dm_events?")
    assert "event_types=MessageCreate" in sent[0].url
    assert "direct_messages" in json.loads(batches[0].cursor)["polled_at"]


def test_hide_reply_sends_put_hidden_true(tmp_path):
    x = connector()
    with replay(prepared(tmp_path, "x", "test_client_hide_and_unhide_reply.yaml")) as cassette:
        sent = record_requests(x.client.session)
        receipt = x.perform(request(ActionKind.HIDE))
    assert receipt.ok and receipt.platform_ref == "x:hidden:1344794616005066752"
    assert [(r.method, r.path_url, body_of(r)) for r in sent] == [
        ("PUT", "/2/tweets/1344794616005066752/hidden", '{"hidden": true}')
    ]
    assert cassette.play_count == 1


def test_hiding_a_post_that_starts_a_conversation_goes_to_staff_without_a_call():
    x = connector()
    with pytest.raises(UnsupportedActionError, match="conversations it started"):
        x.perform(request(ActionKind.HIDE, thread_id="1344794616005066752"))


def test_public_reply_looks_first_then_posts_in_reply(tmp_path):
    x = connector()
    lookup = interaction("GET", f"{API}/2/users/{ME}/tweets", {"meta": {"result_count": 0}})
    path = prepared(
        tmp_path,
        "x",
        "test_client_create_and_delete_tweet.yaml",
        extra=[lookup],
        only=("/2/tweets",),
    )
    with replay(path):
        sent = record_requests(x.client.session)
        receipt = x.perform(request(ActionKind.PUBLIC_WARNING, "Please keep it civil."))
    assert receipt.platform_ref == "x:post:1456012973835788293"
    assert [(r.method, r.path_url.split("?")[0]) for r in sent] == [
        ("GET", f"/2/users/{ME}/tweets"),
        ("POST", "/2/tweets"),
    ]
    assert "since_id=1344794616005066752" in sent[0].url
    assert json.loads(body_of(sent[1])) == {
        "text": "Please keep it civil.",
        "reply": {"in_reply_to_tweet_id": "1344794616005066752"},
    }


def test_an_earlier_reply_found_on_x_is_not_posted_again(tmp_path):
    x = connector()
    mine = {
        "data": [
            {
                "id": "1999",
                "text": "@someone Please keep it civil.",
                "referenced_tweets": [{"type": "replied_to", "id": "1344794616005066752"}],
            }
        ]
    }
    path = prepared(
        tmp_path,
        "x",
        "test_client_get_me.yaml",
        only=("nothing",),
        extra=[interaction("GET", f"{API}/2/users/{ME}/tweets", mine)] * 2,
    )
    with replay(path):
        req = request(ActionKind.PUBLIC_WARNING, "Please keep it civil.")
        assert x.already_done(req).platform_ref == "x:post:1999"
        assert x.perform(req).detail == "found on X"


def test_a_reply_to_someone_who_did_not_mention_us_goes_to_staff():
    x = connector()
    with pytest.raises(UnsupportedActionError, match="mentioned or quoted"):
        x.perform(request(ActionKind.PUBLIC_WARNING, "Be civil.", kind=ContactKind.REPLY))


def test_private_warning_is_a_dm_after_looking_for_an_earlier_one(tmp_path):
    x = connector()
    path = prepared(
        tmp_path,
        "x",
        "test_manage_and_lookup_direct_messages.yaml",
        only=("/2/dm_conversations/with/",),
    )
    with replay(path):
        sent = record_requests(x.client.session)
        receipt = x.perform(request(ActionKind.PRIVATE_WARNING, "Testing 1"))
    assert receipt.platform_ref == "x:dm:1585800613253812228"
    assert [(r.method, r.path_url.split("?")[0]) for r in sent] == [
        ("GET", "/2/dm_conversations/with/750362064426721281/dm_events"),
        ("POST", "/2/dm_conversations/with/750362064426721281/messages"),
    ]
    assert json.loads(body_of(sent[1])) == {"text": "Testing 1"}


def test_mute_posts_the_target_to_our_muting_list(tmp_path):
    x = connector()
    path = prepared(
        tmp_path, "x", "test_client_mute_get_muted_and_unmute.yaml", only=(f"/users/{ME}/muting",)
    )
    with replay(path):
        sent = record_requests(x.client.session)
        x.perform(request(ActionKind.MUTE, account_platform_id="17874544"))
    assert [(r.method, r.path_url, json.loads(body_of(r))) for r in sent] == [
        ("POST", f"/2/users/{ME}/muting", {"target_user_id": "17874544"})
    ]


def test_block_without_enterprise_mutes_blocks_dms_and_hands_the_block_to_staff(tmp_path):
    x = connector()
    dm_block = interaction("POST", f"{API}/2/users/17874544/dm/block", {"data": {"blocked": True}})
    path = prepared(
        tmp_path,
        "x",
        "test_client_mute_get_muted_and_unmute.yaml",
        only=(f"/users/{ME}/muting",),
        extra=[dm_block],
    )
    with replay(path), pytest.raises(UnsupportedActionError, match="Enterprise") as raised:
        sent = record_requests(x.client.session)
        x.perform(request(ActionKind.BLOCK, account_platform_id="17874544"))
    assert "muted @someone and blocked their direct messages" in str(raised.value)
    assert [(r.method, r.path_url) for r in sent] == [
        ("POST", "/2/users/17874544/dm/block"),
        ("POST", f"/2/users/{ME}/muting"),
    ]


def test_block_with_enterprise_access_uses_the_blocking_endpoint(tmp_path):
    x = connector(enterprise=True)
    path = prepared(
        tmp_path, "x", "test_client_block_and_get_blocked_and unblock.yaml", only=("/blocking",)
    )
    with replay(path):
        sent = record_requests(x.client.session)
        receipt = x.perform(request(ActionKind.BLOCK, account_platform_id="17874544"))
    assert receipt.platform_ref == "x:blocked:17874544"
    assert (sent[0].method, sent[0].path_url, json.loads(body_of(sent[0]))) == (
        "POST",
        f"/2/users/{ME}/blocking",
        {"target_user_id": "17874544"},
    )


def test_delete_and_report_are_never_attempted():
    x = connector()
    for kind in (ActionKind.DELETE, ActionKind.REPORT):
        with pytest.raises(UnsupportedActionError):
            x.perform(request(kind))
    assert x.already_done(request(ActionKind.HIDE)) is Recall.UNKNOWN


def test_v11_status_and_dm_event_shapes_parse_into_contacts():
    status = fixture_json("x", "testupdateanddestroystatus.json")["interactions"][0]
    tweet = json.loads(status["response"]["body"]["string"])
    contact = contact_from_status("x", tweet, org_id="783214")
    assert contact.external_id == "1149868020346556416" and contact.text == "testing 1000"
    assert contact.account.handle == "TweepyDev"
    assert contact.created_at == datetime(2019, 7, 13, 2, 27, 54, tzinfo=UTC)
    assert contact_from_status("x", tweet, org_id=ME) is None  # our own post
    dm = fixture_json("x", "testsendanddeletedirectmessage.json")
    sent = next(i for i in dm["interactions"] if "events/new" in i["request"]["uri"])
    event = json.loads(sent["response"]["body"]["string"])["event"]
    parsed = contact_from_dm_event("x", event, {}, org_id="1")
    assert parsed.kind is ContactKind.PRIVATE_MESSAGE
    assert parsed.external_id == f"dm:{event['id']}"
    assert parsed.account.platform_user_id == event["message_create"]["sender_id"]
    assert (
        contact_from_dm_event("x", event, {}, org_id=event["message_create"]["sender_id"]) is None
    )


def test_v2_dm_events_parse_into_contacts():
    events = [
        {"event_type": "MessageCreate", "id": "1585800613752881156", "text": "Testing 2"},
        {
            "event_type": "MessageCreate",
            "id": "9",
            "text": "hi",
            "sender_id": "42",
            "dm_conversation_id": "42-1",
            "created_at": "2026-11-19T10:00:00.000Z",
        },
        {"event_type": "ParticipantsJoin", "id": "10"},
    ]
    users = {"42": {"id": "42", "username": "tenant42", "name": "T"}}
    parsed = [contact_from_dm_event("x", e, users, org_id=ME) for e in events]
    assert parsed[0].account.platform_user_id == "unknown:1585800613752881156"
    assert parsed[0].created_at == datetime(2022, 10, 28, 1, 8, 23, 726000, tzinfo=UTC)
    assert parsed[1].account.handle == "tenant42" and parsed[1].thread_id == "42-1"
    assert parsed[2] is None


def test_unhide_reply_sends_put_hidden_false(tmp_path):
    x = connector()
    path = prepared(tmp_path, "x", "test_client_hide_and_unhide_reply.yaml")
    data = yaml.safe_load(path.read_text())
    data["interactions"] = data["interactions"][1:]  # the recorded unhide
    path.write_text(yaml.safe_dump(data))
    with replay(path) as cassette:
        sent = record_requests(x.client.session)
        receipt = x.perform(request(ActionKind.UNHIDE))
    assert receipt.platform_ref == "x:unhidden:1344794616005066752"
    assert [(r.method, r.path_url, body_of(r)) for r in sent] == [
        ("PUT", "/2/tweets/1344794616005066752/hidden", '{"hidden": false}')
    ]
    assert cassette.play_count == 1


def test_unblock_without_enterprise_lifts_the_dm_block_and_the_mute(tmp_path):
    x = connector()
    dm_unblock = interaction(
        "POST", f"{API}/2/users/17874544/dm/unblock", {"data": {"blocked": False}}
    )
    path = prepared(
        tmp_path,
        "x",
        "test_client_mute_get_muted_and_unmute.yaml",
        only=(f"/users/{ME}/muting/17874544",),
        extra=[dm_unblock],
    )
    with replay(path), pytest.raises(UnsupportedActionError, match="by hand too"):
        sent = record_requests(x.client.session)
        x.perform(request(ActionKind.UNBLOCK, account_platform_id="17874544"))
    assert [(r.method, r.path_url) for r in sent] == [
        ("POST", "/2/users/17874544/dm/unblock"),
        ("DELETE", f"/2/users/{ME}/muting/17874544"),
    ]
