"""Pictures are kept and a picture alone goes to staff (issue 14, defect 5).

A photo-only comment through the signed webhook (restfb's `feed-comment-add-211.json` with
Meta's `photo` field, as Meta documents the feed change for a photo comment), and a polled
comment with an attachment (python-facebook's recorded `comment.json`).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from bot.storage import models as m
from platforms.base import Attachment
from platforms.facebook.payloads import contact_from_comment
from tests.integration import test_webhooks as webhooks
from tests.integration.test_webhooks import fb_signed, recorded
from tests.platform_server import fixture_json

client, platform = webhooks.client, webhooks.platform  # the fixtures

PHOTO = "https://scontent.xx.fbcdn.net/v/t39.30808-6/photo.jpg"


def photo_comment(message: str | None) -> bytes:
    delivery = json.loads(recorded("feed-comment-add-211.json"))
    value = delivery["entry"][0]["changes"][0]["value"]
    value["from"] = {"id": "9001", "name": "A Visitor"}
    value["photo"] = PHOTO
    if message is None:
        del value["message"]
    else:
        value["message"] = message
    return json.dumps(delivery).encode()


def test_a_photo_only_comment_goes_to_staff_not_through_as_acceptable(client, store):
    body = photo_comment(None)
    assert (
        client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code == 200
    )
    with store.session() as session:
        contact = session.scalar(sa.select(m.Contact))
        assert contact.text == ""
        assert contact.attachments == [{"type": "photo", "url": PHOTO, "alt_text": ""}]
        decision = session.scalar(sa.select(m.Decision))
        assert decision.outcome == "needs review" and "cannot read" in decision.summary
        task = session.scalar(sa.select(m.ManualTask))
        assert task.kind == "cannot_read" and task.contact_id == contact.id
        assert "only photo" in task.instructions and task.state == "open"


def test_a_photo_with_words_is_moderated_on_its_words(client, store):
    body = photo_comment("Here is the damp in the bedroom again, please send someone")
    assert (
        client.post("/webhooks/facebook", content=body, headers=fb_signed(body)).status_code == 200
    )
    with store.session() as session:
        assert session.scalar(sa.select(m.Decision.outcome)) == "acceptable"
        assert session.scalar(sa.select(m.ManualTask)) is None
        assert session.scalar(sa.select(m.Contact.attachments))[0]["type"] == "photo"


def test_a_polled_comment_keeps_its_attachment():
    comment = fixture_json("facebook", "comment.json")
    contact = contact_from_comment("page", "1", "post_1", comment)
    assert contact is not None
    [attachment] = contact.attachments
    assert attachment.type == "photo"
    assert attachment.url.startswith("https://scontent-gmp1-1.xx.fbcdn.net/")
    assert isinstance(attachment, Attachment)


def test_an_x_post_keeps_its_pictures_alt_text(client, store):
    """X Activity `post.mention.create` with `includes.media` (X's documented v2 shape:
    `attachments.media_keys` on the post, `type`, `url`, `alt_text` on the media)."""
    from tests.integration.test_webhooks import x_signed

    payload = {
        "data": {
            "event_type": "post.mention.create",
            "payload": {
                "id": "1578516295611748354",
                "text": "@brookmere look at this",
                "author_id": "42",
                "created_at": "2026-11-19T10:00:00.000Z",
                "attachments": {"media_keys": ["3_1578516290000000000"]},
            },
            "includes": {
                "users": [{"id": "42", "username": "tenant42"}],
                "media": [
                    {
                        "media_key": "3_1578516290000000000",
                        "type": "photo",
                        "url": "https://pbs.twimg.com/media/FeXample.jpg",
                        "alt_text": "Black mould on a bathroom ceiling",
                    }
                ],
            },
        }
    }
    body = json.dumps(payload).encode()
    assert client.post("/webhooks/x", content=body, headers=x_signed(body)).status_code == 200
    with store.session() as session:
        assert session.scalar(sa.select(m.Contact.attachments)) == [
            {
                "type": "photo",
                "url": "https://pbs.twimg.com/media/FeXample.jpg",
                "alt_text": "Black mould on a bathroom ceiling",
            }
        ]


def test_the_same_photo_at_another_signed_url_is_not_an_edit(tmp_path, store, clock):
    """A photo comment seen by webhook and then by a poll: Meta signs each URL afresh."""
    from dataclasses import replace
    from datetime import timedelta

    from bot.pipeline import Pipeline
    from bot.settings.loading import load_config
    from platforms.base import AccountRef, Contact, ContactKind
    from tests.conftest import write_config

    pipeline = Pipeline(load_config(write_config(tmp_path)), store, clock=clock)
    seen = Contact(
        connector="local",
        platform="facebook",
        external_id="555_1_2",
        account=AccountRef("facebook", "9001", "A Visitor"),
        kind=ContactKind.COMMENT,
        text="",
        created_at=clock() - timedelta(hours=1),
        attachments=(Attachment("photo", PHOTO + "?oh=first"),),
    )
    again = replace(seen, attachments=(Attachment("photo", PHOTO + "?oh=second"),))
    edited = replace(seen, text="and another thing", attachments=again.attachments)
    try:
        assert pipeline.store_contacts("local", [seen]) == 1
        assert pipeline.store_contacts("local", [again]) == 0
        assert pipeline.store_contacts("local", [edited]) == 1
    finally:
        pipeline.close()
