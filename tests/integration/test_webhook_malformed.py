"""Signed but malformed deliveries: 400 with the reason, nothing stored (issue 14, defect 6).

A 500 makes Meta (and X) send the same delivery again for hours; a 400 that says what is
wrong ends it and tells whoever reads the log. Bodies start from the recorded payloads
(`cassettes/facebook/*.json`, restfb's recordings) and are broken one way each.
"""

from __future__ import annotations

import json

import pytest

from tests.integration import test_webhooks as webhooks
from tests.integration.test_webhooks import fb_signed, recorded, stored, x_signed

client, platform = webhooks.client, webhooks.platform  # the fixtures


def comment(**value: object) -> dict:
    delivery = json.loads(recorded("feed-comment-add-211.json"))
    change = delivery["entry"][0]["changes"][0]["value"]
    change["from"] = {"id": "9001", "name": "A Visitor"}  # not the Page itself
    change.update(value)
    return delivery


def nested(levels: int) -> dict:
    delivery = comment()
    inner: object = "deep"
    for _ in range(levels):
        inner = {"x": inner}
    delivery["entry"][0]["changes"][0]["value"]["extra"] = inner
    return delivery


def good_then_bad() -> dict:
    good = json.loads(recorded("feed-post-add-25.json"))["entry"][0]
    bad = comment(created_time="the day before yesterday")["entry"][0]
    return {"object": "page", "entry": [good, bad]}


FACEBOOK = {
    "a time that is not a time": (
        comment(created_time="yesterday-ish"),
        "entry 0: the time 'yesterday-ish' is not an ISO-8601 time",
    ),
    "a Unix time out of range": (comment(created_time=10**30), "is not a Unix time"),
    "changes not a list": (
        {"object": "page", "entry": [{"id": "1234567890321", "changes": {"field": "feed"}}]},
        "'changes' and 'messaging' must be lists",
    ),
    "entry not a list": ({"object": "page", "entry": {"id": "1"}}, "'entry' list"),
    "an entry that is a string": ({"object": "page", "entry": ["x"]}, "must be an object"),
    "not an object": ([1, 2, 3], "expected a JSON object"),
    "nested 40 deep": (nested(40), "nested deeper than 32 levels"),
    "one good entry, one bad": (good_then_bad(), "entry 1: the time"),
}


@pytest.mark.parametrize("case", list(FACEBOOK), ids=list(FACEBOOK))
def test_a_malformed_signed_facebook_delivery_is_400_with_the_reason(case, client, store):
    delivery, reason = FACEBOOK[case]
    body = json.dumps(delivery).encode()
    answer = client.post("/webhooks/facebook", content=body, headers=fb_signed(body))
    assert answer.status_code == 400, answer.text
    assert reason in answer.text
    assert stored(store) == []


@pytest.mark.parametrize("platform_path", ["facebook", "x"])
def test_json_nested_past_the_parsers_limit_is_400(platform_path, client, store):
    body = b"[" * 200_000 + b"]" * 200_000
    signed = fb_signed(body) if platform_path == "facebook" else x_signed(body)
    answer = client.post(f"/webhooks/{platform_path}", content=body, headers=signed)
    assert answer.status_code == 400 and "nested deeper" in answer.text
    assert stored(store) == []


X = {
    "a DM time that is not a number": (
        {"for_user_id": "1", "direct_message_events": [{"type": "message_create", "id": "5",
         "created_timestamp": "soon", "message_create": {"sender_id": "42",
         "message_data": {"text": "hi"}}}]},
        "unexpected delivery shape",
    ),
    "an X Activity time that is not a time": (
        {"data": {"event_type": "post.mention.create", "payload": {"id": "1578516295611748353",
         "text": "@brookmere hi", "author_id": "42", "created_at": "Tuesday"}}},
        "the time 'Tuesday' is not an ISO-8601 time",
    ),
    "nested 40 deep": ({"data": nested(40)}, "nested deeper than 32 levels"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(X), ids=list(X))
def test_a_malformed_signed_x_delivery_is_400_with_the_reason(case, client, store):
    delivery, reason = X[case]
    body = json.dumps(delivery).encode()
    answer = client.post("/webhooks/x", content=body, headers=x_signed(body))
    assert answer.status_code == 400, answer.text
    assert reason in answer.text
    assert stored(store) == []
