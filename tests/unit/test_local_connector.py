import json

import pytest

from bot.domain import ActionKind
from bot.settings.secrets import read_secret
from platforms.base import (
    ActionRequest,
    ActionTarget,
    Capability,
    ContactKind,
    PayloadError,
    PlatformAction,
    Recall,
    WebhookRequest,
    can_perform,
)
from platforms.local.config import LocalConfig
from platforms.local.connector import LocalConnector


def row(n: int, **extra) -> str:
    data = {
        "id": f"c{n}",
        "platform": "facebook",
        "kind": "comment",
        "author": {"id": f"u{n}", "handle": f"user{n}", "name": f"User {n}"},
        "text": f"text {n}",
        "created_at": "2026-11-20T10:00:00Z",
    }
    data.update(extra)
    return json.dumps(data) + "\n"


@pytest.fixture
def connector(tmp_path):
    config = LocalConfig(
        type="local", inbox=tmp_path / "in.jsonl", outbox=tmp_path / "out.jsonl", batch_size=2
    )
    return LocalConnector("local", config, secrets=read_secret)


def test_reads_in_batches_each_with_its_cursor(connector):
    connector.config.inbox.write_text("".join(row(n) for n in range(5)))
    batches = list(connector.fetch_since(None))
    assert [len(b.contacts) for b in batches] == [2, 2, 1]
    assert batches[0].contacts[0].kind is ContactKind.COMMENT
    assert batches[0].contacts[0].created_at.tzinfo is not None
    rest = list(connector.fetch_since(batches[0].cursor))
    assert [c.external_id for b in rest for c in b.contacts] == ["c2", "c3", "c4"]
    assert list(connector.fetch_since(batches[-1].cursor)) == []


def test_appended_rows_are_read_next_time(connector):
    connector.config.inbox.write_text(row(1))
    [first] = list(connector.fetch_since(None))
    with connector.config.inbox.open("a") as handle:
        handle.write(row(2))
    [second] = list(connector.fetch_since(first.cursor))
    assert [c.external_id for c in second.contacts] == ["c2"]


def test_a_half_written_last_line_waits_for_the_next_pass(connector):
    connector.config.inbox.write_text(row(1) + row(2).rstrip("\n"))
    batches = list(connector.fetch_since(None))
    assert [c.external_id for b in batches for c in b.contacts] == ["c1"]


def test_a_malformed_line_is_set_aside_with_its_line_and_reason_and_the_rest_read(connector):
    connector.config.inbox.write_text(
        row(1) + "{not json\n" + row(3) + row(4, kind="shout") + row(5) + row(6)
    )
    batches = list(connector.fetch_since(None))
    read = [c.external_id for b in batches for c in b.contacts]
    aside = [item for b in batches for item in b.set_aside]
    assert read == ["c1", "c3", "c5", "c6"]
    assert [(i.where, i.reason.split(" (")[0]) for i in aside] == [
        ("line 2", "not valid JSON"),
        (
            "line 4",
            "kind: Input should be 'post', 'comment', 'reply', 'mention' or 'private_message'",
        ),
    ]
    assert aside[0].raw == "{not json" and '"shout"' in aside[1].raw
    # each item travels with the cursor that passes it: nothing is read twice or skipped
    assert list(connector.fetch_since(batches[-1].cursor)) == []


def test_missing_inbox_and_replaced_inbox_are_explained(connector):
    with pytest.raises(PayloadError, match="does not exist"):
        list(connector.fetch_since(None))
    connector.config.inbox.write_text(row(1))
    with pytest.raises(PayloadError, match="was it replaced"):
        list(connector.fetch_since("offset=99999;line=40"))


def request(key: str) -> ActionRequest:
    target = ActionTarget("facebook", "c1", ContactKind.COMMENT, "u1", "user1")
    return ActionRequest(PlatformAction.HIDE, target, key, reason="abuse")


def test_actions_are_written_once_per_idempotency_key(connector):
    assert can_perform(connector, ActionKind.FORMAL_WARNING.on_platform)
    assert connector.capabilities & Capability.REPORT
    first = connector.perform(request("k1"))
    again = LocalConnector("local", connector.config, secrets=read_secret).perform(request("k1"))
    assert first == again
    lines = connector.config.outbox.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["action"] == "hide"
    assert connector.already_done(request("k1")) == first
    assert connector.already_done(request("k2")) is Recall.NOT_DONE


def test_a_torn_outbox_line_from_a_crash_is_not_counted_as_done(connector):
    connector.config.outbox.write_text('{"key": "k1", "act')
    fresh = LocalConnector("local", connector.config, secrets=read_secret)
    assert fresh.already_done(request("k1")) is Recall.NOT_DONE
    fresh.perform(request("k1"))
    lines = connector.config.outbox.read_text().splitlines()
    assert json.loads(lines[-1])["key"] == "k1"


def webhook(body: bytes, method: str = "POST", token: str = "") -> WebhookRequest:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return WebhookRequest(method=method, query={}, headers=headers, body=body)


@pytest.fixture
def hooked(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_HOOK_TOKEN", "s3cret")
    config = LocalConfig(
        type="local",
        inbox=tmp_path / "in",
        outbox=tmp_path / "out",
        webhook_token_env="LOCAL_HOOK_TOKEN",
    )
    return LocalConnector("local", config, secrets=read_secret)


def test_webhook_takes_inbox_rows_and_refuses_bad_ones(hooked):
    reply = hooked.handle_webhook(webhook(f"[{row(1)},{row(2)}]".encode(), token="s3cret"))
    assert reply.status == 200 and [c.external_id for c in reply.contacts] == ["c1", "c2"]
    assert hooked.handle_webhook(webhook(b"{nope", token="s3cret")).status == 400
    bad = hooked.handle_webhook(webhook(row(1, kind="shout").encode(), token="s3cret"))
    assert bad.status == 400 and "row 1: kind" in bad.body and not bad.contacts
    assert hooked.handle_webhook(webhook(b"", method="GET")).status == 405


def test_without_a_token_configured_the_webhook_takes_nothing(connector, tmp_path, monkeypatch):
    assert "no webhook_token_env" in str(connector.webhook_unserved())
    reply = connector.handle_webhook(webhook(row(1).encode()))
    assert reply.status == 404 and not reply.contacts
    monkeypatch.delenv("LOCAL_HOOK_TOKEN", raising=False)
    named = LocalConfig(
        type="local",
        inbox=tmp_path / "in",
        outbox=tmp_path / "out",
        webhook_token_env="LOCAL_HOOK_TOKEN",
    )
    unset = LocalConnector("local", named, secrets=read_secret)
    assert unset.webhook_unserved() == "LOCAL_HOOK_TOKEN (its bearer token) is not set"
    assert unset.handle_webhook(webhook(row(1).encode(), token="")).status == 404


def test_webhook_token_is_checked_when_configured(hooked):
    connector = hooked
    assert connector.webhook_unserved() is None
    assert connector.handle_webhook(webhook(row(1).encode())).status == 403
    assert connector.handle_webhook(webhook(row(1).encode(), token="wrong")).status == 403
    assert connector.handle_webhook(webhook(row(1).encode(), token="s3cret")).status == 200
