"""Edited comments are moderated again (issue 14, defect 4), through the webhook and the runner.

The deliveries are the recorded `feed-comment-edited-25.json` (restfb's recording of Meta's
`verb: edited` change) with the author and text set per test. Each version is kept; the
edit is decided in its own right; what was already done to the item is not done again
unless the new version calls for more.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.storage import models as m
from tests.conftest import FakeClock
from tests.integration import test_webhooks as webhooks
from tests.integration.test_webhooks import fb_signed, recorded
from tests.platform_server import Reply
from tests.timetravel import today


@pytest.fixture
def clock() -> FakeClock:
    """The suite's today: the Page connector reads the (travelled) system clock to poll."""
    return FakeClock(today())


client, platform = webhooks.client, webhooks.platform  # the fixtures

COMMENT = "900728623356296_900744590021366"
TOKEN = {"access_token": "t", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
BENIGN = "Thanks for fixing the boiler so quickly, much appreciated"
THREAT = "I know where you live and I will hurt you"
WORSE_THREAT = "I know where you live and I will hurt you and your family"


def deliver(client, text: str, verb: str) -> None:
    delivery = json.loads(recorded("feed-comment-edited-25.json"))
    value = delivery["entry"][0]["changes"][0]["value"]
    value.update(verb=verb, message=text, sender_id="5550001", sender_name="A Tenant")
    body = json.dumps(delivery).encode()
    assert (
        client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code == 200
    )


def versions(store) -> list[tuple[int, str, str]]:
    with store.session() as session:
        rows = session.execute(
            sa.select(m.Contact.version, m.Contact.text, m.Contact.status)
            .where(m.Contact.external_id == COMMENT)
            .order_by(m.Contact.version)
        )
        return [tuple(r) for r in rows]


def actions(store) -> list[tuple[int, str]]:
    with store.session() as session:
        rows = session.execute(
            sa.select(m.Contact.version, m.Action.kind)
            .join(m.Contact, m.Action.contact_id == m.Contact.id)
            .order_by(m.Contact.version, m.Action.id)
        )
        return [(v, k.value) for v, k in rows]


def test_a_benign_comment_edited_into_a_threat_is_moderated(client, store):
    deliver(client, BENIGN, "add")
    assert actions(store) == []
    deliver(client, THREAT, "edited")
    assert versions(store) == [(1, BENIGN, "decided"), (2, THREAT, "decided")]
    planned = actions(store)
    assert planned and {v for v, _ in planned} == {2}
    assert (2, "hide") in planned


def test_the_same_edit_delivered_again_is_not_a_new_version(client, store):
    deliver(client, BENIGN, "add")
    deliver(client, THREAT, "edited")
    deliver(client, THREAT, "edited")
    assert [v for v, _, _ in versions(store)] == [1, 2]


def test_an_edit_does_not_repeat_what_was_already_done(client, store, platform):
    platform.route("POST", f"/v21.0/{COMMENT}", {"success": True})  # the hide works
    deliver(client, THREAT, "add")
    first = actions(store)
    assert (1, "hide") in first
    assert len(platform.calls("POST", f"/v21.0/{COMMENT}")) == 1
    deliver(client, WORSE_THREAT, "edited")
    assert [v for v, _, _ in versions(store)] == [1, 2]
    again = [kind for version, kind in actions(store) if version == 2]
    assert "hide" not in again  # hidden already: the edit is hidden with it
    assert not set(again) & {kind for _, kind in first}
    assert len(platform.calls("POST", f"/v21.0/{COMMENT}")) == 1  # not hidden twice


def test_a_polled_post_edited_since_the_last_poll_is_read_again(tmp_path, store, clock, platform):
    """Polling: Graph's `updated_time` says a post changed; its new text is a new version."""
    from bot.pipeline import Pipeline
    from bot.settings.loading import load_config
    from tests.conftest import write_config

    settings = {"type": "facebook", "page_id": "555", "api_base_url": platform.url,
                "watch": {"comments": False}}  # fmt: skip
    loaded = load_config(write_config(tmp_path, connectors={"page": settings}))
    created = clock() - timedelta(hours=3)
    post = {
        "id": "555_77",
        "message": BENIGN,
        "from": {"id": "901", "name": "A Tenant"},
        "created_time": created.isoformat(),
        "updated_time": created.isoformat(),
    }
    platform.route("GET", "/v21.0/555/feed", lambda seen: Reply(body={"data": [dict(post)]}))
    pipeline = Pipeline(loaded, store, clock=clock)
    try:
        pipeline.run_once()
        clock.advance(hours=1)
        post.update(message=THREAT, updated_time=(clock() - timedelta(minutes=5)).isoformat())
        pipeline.run_once()
        pipeline.run_once()  # nothing changed since: nothing new
    finally:
        pipeline.close()
    with store.session() as session:
        rows = session.execute(
            sa.select(m.Contact.version, m.Contact.text).where(m.Contact.external_id == "555_77")
        )
        assert sorted(rows) == [(1, BENIGN), (2, THREAT)]


def test_reddit_edits_are_read_from_the_mod_edited_listing(store, clock, platform, no_sleep):
    """Reddit: the moderators' `about/edited` listing (a Listing of things, the shape of
    praw's recorded mod queue) is read each poll; the store makes a changed text a version."""
    from bot.settings.secrets import read_secret
    from platforms.reddit.config import RedditConfig
    from platforms.reddit.connector import RedditConnector

    comment = {
        "kind": "t1",
        "data": {
            "id": "abc123", "name": "t1_abc123", "body": THREAT, "author": "angry_tenant",
            "created_utc": (clock() - timedelta(hours=2)).timestamp(),
            "edited": clock().timestamp(),
            "subreddit": "brookmere", "link_id": "t3_xyz", "parent_id": "t3_xyz",
            "permalink": "/r/brookmere/comments/xyz/_/abc123/",
        },
    }  # fmt: skip
    listing = {"kind": "Listing", "data": {"children": [comment], "after": None, "before": None}}
    platform.route("POST", "/api/v1/access_token", TOKEN)
    platform.route("GET", "/r/brookmere/about/edited/", listing)
    config = RedditConfig.model_validate(
        {"type": "reddit", "subreddit": "brookmere", "api_base_url": platform.url,
         "watch": {"comments": False, "submissions": False, "inbox": False, "modqueue": False}}
    )  # fmt: skip
    reddit = RedditConnector("sub", config, secrets=read_secret, sleep=lambda s: None)
    [batch] = list(reddit.fetch_since(None))
    [contact] = batch.contacts
    assert (contact.external_id, contact.text) == ("t1_abc123", THREAT)


def test_an_add_and_its_edit_decided_together_act_once(tmp_path, store, clock):
    """Both versions stored before a pass: the edit does not plan what the first already did."""
    from bot.pipeline import PassReport, Pipeline
    from bot.settings.loading import load_config
    from platforms.base import AccountRef, Contact, ContactKind
    from tests.conftest import write_config

    pipeline = Pipeline(load_config(write_config(tmp_path)), store, clock=clock)
    first = Contact(
        connector="local",
        platform="facebook",
        external_id=COMMENT,
        account=AccountRef("facebook", "5550001", "A Tenant"),
        kind=ContactKind.COMMENT,
        text=THREAT,
        created_at=clock() - timedelta(hours=1),
    )
    try:
        pipeline.store_contacts("local", [first])
        pipeline.store_contacts("local", [replace(first, text=WORSE_THREAT)])
        pipeline.decide_pending(PassReport())
    finally:
        pipeline.close()
    kinds = [kind for _, kind in actions(store)]
    assert kinds and len(kinds) == len(set(kinds))  # nothing planned twice for the item
