"""The Reddit connector with real praw against praw's recorded cassettes.

praw's placeholders are filled in at load time; `time.sleep` is patched (praw's rate
limiter and its own test suite both sleep).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from bot.domain import ActionKind
from bot.settings.secrets import read_secret
from platforms.base import ActionRequest, ActionTarget, ContactKind, Recall, UnsupportedActionError
from platforms.reddit.config import RedditConfig
from platforms.reddit.connector import RedditConnector
from tests.integration.replay import body_of, interaction, prepared, record_requests, replay

OAUTH = "https://oauth.reddit.com"
SUB = "modbot_test"
PLACEHOLDERS = {"<TEST_SUBREDDIT>": SUB, "<USERNAME>": "pyapitestuser2", "<PASSWORD>": "pw"}


def connector(subreddit: str = SUB, **settings: object) -> RedditConnector:
    config = RedditConfig.model_validate(
        {"type": "reddit", "subreddit": subreddit, "backfill_days": 100_000, **settings}
    )
    return RedditConnector("reddit", config, secrets=read_secret, sleep=lambda s: None)


def sent_by(reddit: RedditConnector) -> list:
    return record_requests(reddit.reddit._core._requestor._http)


def form(request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(body_of(request)).items()}


def request(
    action: ActionKind, message: str = "", fullname: str = "t1_da2g5y6", **kw
) -> ActionRequest:
    target = ActionTarget(
        platform="reddit",
        external_id=fullname,
        kind=kw.pop("kind", ContactKind.COMMENT),
        account_platform_id="pyapitestuser3",
        account_handle="pyapitestuser3",
    )
    return ActionRequest(
        kind=action.on_platform, target=target, idempotency_key="k", message=message, **kw
    )


def test_new_comments_are_read_down_to_the_watermark(tmp_path, no_sleep):
    reddit = connector(
        "kakapo", watch={"submissions": False, "inbox": False, "modqueue": False, "edited": False}
    )
    path = prepared(tmp_path, "reddit", "TestSubredditStreams.test_comments__with_pause.json")
    with replay(path):
        sent = sent_by(reddit)
        batch = next(reddit.fetch_since(None))
    assert len(batch.contacts) == 16
    newest = batch.contacts[0]
    assert newest.external_id == "t1_dgauydy" and newest.text == "i lick it"
    assert newest.kind is ContactKind.REPLY and newest.parent_id == "t1_dg7dqfd"
    assert newest.thread_id == "t3_654eqk"
    assert newest.account.handle == "butt_woman" and newest.account.platform_user_id == "butt_woman"
    assert newest.created_at == datetime.fromtimestamp(1492274908, UTC)
    assert newest.permalink == "https://www.reddit.com/r/kakapo/comments/654eqk/_/dgauydy/"
    assert json.loads(batch.cursor)["comments"] == {"t": 1492274908.0, "ids": ["t1_dgauydy"]}
    assert sent[-1].path_url.startswith("/r/kakapo/comments/?limit=")


def test_a_second_poll_stores_only_what_is_newer(tmp_path, no_sleep):
    reddit = connector(
        "kakapo", watch={"submissions": False, "inbox": False, "modqueue": False, "edited": False}
    )
    cursor = json.dumps({"comments": {"t": 1492274908.0, "ids": ["t1_dgauydy"]}})
    with replay(
        prepared(tmp_path, "reddit", "TestSubredditStreams.test_comments__with_pause.json")
    ):
        batch = next(reddit.fetch_since(cursor))
    assert batch.contacts == ()
    assert json.loads(batch.cursor)["comments"]["t"] == 1492274908.0


def test_submissions_are_posts_with_title_and_text(tmp_path, no_sleep):
    reddit = connector(
        "all",
        watch={"comments": False, "inbox": False, "modqueue": False, "edited": False},
        max_pages=1,
    )
    with replay(prepared(tmp_path, "reddit", "TestSubredditStreams.test_submissions.json")):
        batch = next(reddit.fetch_since(None))
    assert len(batch.contacts) == 100
    post = batch.contacts[0]
    assert post.kind is ContactKind.POST and post.external_id.startswith("t3_")
    assert post.thread_id == post.external_id and post.permalink.startswith(
        "https://www.reddit.com/r/"
    )
    by_id = {c.external_id: c for c in batch.contacts}
    assert [a.as_dict() for a in by_id["t3_5jo12i"].attachments] == [
        {"type": "photo", "url": "https://i.redd.it/nx3n9mrz115y.jpg", "alt_text": ""}
    ]
    assert by_id["t3_5jo13y"].attachments[0].type == "video"


def test_inbox_items_are_marked_read_only_after_their_batch_is_stored(tmp_path, no_sleep):
    reddit = connector(
        "Lil_SpazJoekp",
        watch={"comments": False, "submissions": False, "modqueue": False, "edited": False},
    )
    path = prepared(tmp_path, "reddit", "TestInbox.test_mark_read.json", replace=PLACEHOLDERS)
    with replay(path):
        sent = sent_by(reddit)
        batches = reddit.fetch_since(None)
        batch = next(batches)
        assert [r.method for r in sent] == ["POST", "GET"]  # token, unread: nothing marked yet
        assert len(batch.contacts) == 10
        assert {c.kind for c in batch.contacts} == {ContactKind.REPLY}
        assert batch.contacts[0].permalink.startswith(
            "https://www.reddit.com/r/Lil_SpazJoekp/comments/1j7g9uj/"
        )
        assert list(batches) == []  # fewer than a page: the inbox is empty now
    mark = sent[-1]
    assert (mark.method, mark.path_url) == ("POST", "/api/read_message/?raw_json=1")
    assert form(mark)["id"].split(",") == [c.external_id for c in batch.contacts]


def test_mod_queue_items_become_contacts(tmp_path, no_sleep):
    reddit = connector(watch={"comments": False, "submissions": False, "inbox": False})
    path = prepared(
        tmp_path,
        "reddit",
        "TestSubredditModeration.test_modqueue__only_comments.json",
        replace=PLACEHOLDERS,
    )
    with replay(path):
        batch = next(reddit.fetch_since(None))
    assert batch.contacts and batch.contacts[0].external_id == "t1_da2g5y6"
    assert batch.contacts[0].account.handle == "pyapitestuser2"


def test_the_bot_accounts_own_items_are_not_contacts(tmp_path, no_sleep):
    reddit = connector(watch={"comments": False, "submissions": False, "inbox": False})
    own = {**PLACEHOLDERS, "<USERNAME>": "modbot_tester"}
    path = prepared(
        tmp_path, "reddit", "TestSubredditModeration.test_modqueue__only_comments.json", replace=own
    )
    with replay(path):
        batch = next(reddit.fetch_since(None))
    assert batch.contacts == ()


def test_hide_is_a_moderator_remove(tmp_path, no_sleep):
    reddit = connector()
    with replay(prepared(tmp_path, "reddit", "TestCommentModeration.test_remove.json")):
        sent = sent_by(reddit)
        receipt = reddit.perform(request(ActionKind.HIDE))
    assert receipt.platform_ref == "reddit:removed:t1_da2g5y6"
    assert (sent[-1].method, sent[-1].path_url) == ("POST", "/api/remove/?raw_json=1")
    assert form(sent[-1]) == {"api_type": "json", "id": "t1_da2g5y6", "spam": "False"}


def test_delete_removes_then_locks(tmp_path, no_sleep):
    reddit = connector()
    lock = prepared(
        tmp_path, "reddit", "TestCommentModeration.test_lock.json", only=("/api/lock/",)
    )
    lock_interaction = json.loads(lock.read_text())["interactions"]
    path = prepared(
        tmp_path, "reddit", "TestCommentModeration.test_remove.json", extra=lock_interaction
    )
    with replay(path) as cassette:
        sent = sent_by(reddit)
        reddit.perform(request(ActionKind.DELETE))
        assert cassette.all_played
    assert [(r.method, r.path_url, form(r).get("id")) for r in sent[1:]] == [
        ("POST", "/api/remove/?raw_json=1", "t1_da2g5y6"),
        ("POST", "/api/lock/?raw_json=1", "t1_da2g5y6"),
    ]


def test_public_warning_is_a_distinguished_reply_after_looking_for_ours(tmp_path, no_sleep):
    reddit = connector()
    mine = interaction(
        "GET",
        f"{OAUTH}/user/modbot_tester/comments",
        {"kind": "Listing", "data": {"children": [], "after": None}},
    )
    distinguish = interaction("POST", f"{OAUTH}/api/distinguish/", {"json": {"errors": []}})
    path = prepared(tmp_path, "reddit", "TestComment.test_reply.json", extra=[mine, distinguish])
    path_text = path.read_text()
    # the recorded reply came first; keep the synthetic look-up before it
    data = json.loads(path_text)
    data["interactions"] = [
        data["interactions"][0],
        data["interactions"][2],
        data["interactions"][1],
        data["interactions"][3],
    ]
    path.write_text(json.dumps(data))
    with replay(path):
        sent = sent_by(reddit)
        receipt = reddit.perform(
            request(ActionKind.PUBLIC_WARNING, "Comment reply", fullname="t1_d1616q2")
        )
    assert receipt.platform_ref.startswith("reddit:comment:t1_") and receipt.detail == ""
    calls = [(r.method, r.path_url.split("?")[0]) for r in sent[1:]]
    assert calls == [
        ("GET", "/user/modbot_tester/comments"),
        ("POST", "/api/comment/"),
        ("POST", "/api/distinguish/"),
    ]
    assert form(sent[2]) == {"api_type": "json", "thing_id": "t1_d1616q2", "text": "Comment reply"}
    reply_id = receipt.platform_ref.removeprefix("reddit:comment:")
    assert form(sent[3]) == {"api_type": "json", "how": "yes", "id": reply_id}


def test_an_earlier_reply_by_the_bot_is_found_and_not_sent_again(tmp_path, no_sleep):
    reddit = connector()
    child = {
        "kind": "t1",
        "data": {
            "id": "zz1",
            "name": "t1_zz1",
            "parent_id": "t1_d1616q2",
            "body": "Be civil.",
            "author": "modbot_tester",
            "created_utc": 1.0,
            "link_id": "t3_x",
        },
    }
    mine = interaction(
        "GET",
        f"{OAUTH}/user/modbot_tester/comments",
        {"kind": "Listing", "data": {"children": [child], "after": None}},
    )
    path = prepared(
        tmp_path, "reddit", "TestComment.test_reply.json", only=("access_token",), extra=[mine]
    )
    with replay(path):
        found = reddit.already_done(
            request(ActionKind.PUBLIC_WARNING, "Be civil.", fullname="t1_d1616q2")
        )
    assert found.platform_ref == "reddit:comment:t1_zz1"


def test_private_warning_is_sent_as_the_subreddit(tmp_path, no_sleep):
    reddit = connector()
    path = prepared(
        tmp_path, "reddit", "TestRedditor.test_message.json", only=("access_token", "compose")
    )
    with replay(path):
        sent = sent_by(reddit)
        reddit.perform(request(ActionKind.PRIVATE_WARNING, "Please keep it civil."))
    assert (sent[-1].method, sent[-1].path_url) == ("POST", "/api/compose/?raw_json=1")
    assert form(sent[-1]) == {
        "api_type": "json",
        "subject": "A message from the moderators",
        "text": "Please keep it civil.",
        "to": "pyapitestuser3",
        "from_sr": SUB,
    }
    assert reddit.already_done(request(ActionKind.PRIVATE_WARNING, "x")) is Recall.UNKNOWN


def test_block_is_a_timed_ban_with_a_message_and_a_mod_note(tmp_path, no_sleep):
    reddit = connector(ban_days=14)
    notes = prepared(
        tmp_path,
        "reddit",
        "TestModNotes.test_create_note__thing_fullname.json",
        replace=PLACEHOLDERS,
        only=("/api/mod/notes",),
    )
    path = prepared(
        tmp_path,
        "reddit",
        "TestSubredditRelationships.test_banned.json",
        replace=PLACEHOLDERS,
        only=("access_token", "/api/friend/"),
        extra=json.loads(notes.read_text())["interactions"],
    )
    with replay(path) as cassette:
        sent = sent_by(reddit)
        receipt = reddit.perform(
            request(ActionKind.BLOCK, "You are banned for 14 days.", reason="Abuse of staff")
        )
        assert cassette.all_played
    assert receipt.platform_ref == "reddit:banned:pyapitestuser3" and receipt.detail == ""
    ban, note = sent[1], sent[2]
    assert (ban.method, ban.path_url) == ("POST", f"/r/{SUB}/api/friend/?raw_json=1")
    assert form(ban) == {
        "api_type": "json",
        "name": "pyapitestuser3",
        "type": "banned",
        "ban_reason": "Unacceptable behaviour",
        "ban_message": "You are banned for 14 days.",
        "duration": "14",
        "note": "Abuse of staff",
    }
    assert (note.method, note.path_url) == ("POST", "/api/mod/notes?raw_json=1")
    assert form(note) == {
        "api_type": "json",
        "label": "BAN",
        "note": "Abuse of staff",
        "reddit_id": "t1_da2g5y6",
        "subreddit": SUB,
        "user": "pyapitestuser3",
    }


def test_a_ban_without_a_letter_tells_the_user_the_configured_reason_not_ours(tmp_path, no_sleep):
    """Our reason is for moderators (the ban note); the user sees only the landlord's words."""
    reddit = connector(ban_days=14)
    notes = prepared(
        tmp_path,
        "reddit",
        "TestModNotes.test_create_note__thing_fullname.json",
        replace=PLACEHOLDERS,
        only=("/api/mod/notes",),
    )
    path = prepared(
        tmp_path,
        "reddit",
        "TestSubredditRelationships.test_banned.json",
        replace=PLACEHOLDERS,
        only=("access_token", "/api/friend/"),
        extra=json.loads(notes.read_text())["interactions"],
    )
    with replay(path):
        sent = sent_by(reddit)
        reddit.perform(request(ActionKind.BLOCK, "", reason="Warned twice already; block it"))
    ban = form(sent[1])
    assert ban["ban_message"] == "Unacceptable behaviour"
    assert ban["note"] == "Warned twice already; block it"


def test_mute_is_a_modmail_mute(tmp_path, no_sleep):
    reddit = connector()
    path = prepared(
        tmp_path,
        "reddit",
        "TestSubredditRelationships.test_banned.json",
        replace=PLACEHOLDERS,
        only=("access_token", "/api/friend/"),
    )
    with replay(path):
        sent = sent_by(reddit)
        reddit.perform(request(ActionKind.MUTE))
    assert form(sent[-1]) == {"api_type": "json", "name": "pyapitestuser3", "type": "muted"}


def test_a_private_message_cannot_be_removed_and_report_goes_to_staff(no_sleep):
    reddit = connector()
    with pytest.raises(UnsupportedActionError, match="private message"):
        reddit.perform(
            request(ActionKind.HIDE, fullname="t4_abc", kind=ContactKind.PRIVATE_MESSAGE)
        )
    with pytest.raises(UnsupportedActionError, match=r"reddit\.com/report"):
        reddit.perform(request(ActionKind.REPORT))


def test_a_private_message_parses_into_a_contact(tmp_path, no_sleep):
    from platforms.reddit.payloads import contact_from_item

    reddit = connector()
    with replay(prepared(tmp_path, "reddit", "TestInbox.test_message.json", replace=PLACEHOLDERS)):
        message = reddit.reddit.inbox.message("30rhflk")
        contact = contact_from_item("reddit", message)
    assert contact.kind is ContactKind.PRIVATE_MESSAGE
    assert contact.external_id == "t4_30rhflk"
    assert contact.permalink == "https://www.reddit.com/message/messages/30rhflk"
    assert contact.text


def test_a_forbidden_read_names_the_missing_permission(tmp_path, no_sleep):
    from platforms.base import ForbiddenError

    reddit = connector()
    path = prepared(
        tmp_path, "reddit", "TestInbox.test_message__unauthorized.json", replace=PLACEHOLDERS
    )
    with replay(path), pytest.raises(ForbiddenError, match="HTTP 403"):
        reddit._call("read a message", lambda: reddit.reddit.inbox.message("6i8om7"))


def test_bad_credentials_stop_the_connector(no_sleep):
    from platforms.base import AuthError
    from tests.platform_server import FakePlatform, Reply

    server = FakePlatform().start()
    try:
        server.route("POST", "/api/v1/access_token", Reply(401, {"error": "invalid_grant"}))
        reddit = connector(
            api_base_url=server.url,
            watch={"submissions": False, "inbox": False, "modqueue": False, "edited": False},
        )
        with pytest.raises(AuthError, match="MODBOT_REDDIT_PASSWORD"):
            list(reddit.fetch_since(None))
        with pytest.raises(AuthError):
            list(reddit.fetch_since(None))
        assert len(server.calls("POST", "/api/v1/access_token")) == 1
    finally:
        server.stop()


def test_unhide_is_a_moderator_approve(tmp_path, no_sleep):
    reddit = connector()
    with replay(prepared(tmp_path, "reddit", "TestCommentModeration.test_approve.json")):
        sent = sent_by(reddit)
        receipt = reddit.perform(request(ActionKind.UNHIDE))
    assert receipt.platform_ref.startswith("reddit:approved:")
    assert (sent[-1].method, sent[-1].path_url) == ("POST", "/api/approve/?raw_json=1")


def test_unblock_is_an_unban(tmp_path, no_sleep):
    reddit = connector()
    path = prepared(
        tmp_path,
        "reddit",
        "TestSubredditRelationships.test_banned.json",
        replace=PLACEHOLDERS,
        only=("access_token", "/api/unfriend/"),
    )
    with replay(path):
        sent = sent_by(reddit)
        reddit.perform(request(ActionKind.UNBLOCK))
    assert (sent[-1].method, sent[-1].path_url) == ("POST", f"/r/{SUB}/api/unfriend/?raw_json=1")
    assert form(sent[-1])["type"] == "banned"
