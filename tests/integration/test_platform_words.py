"""Staff are told what the platform said (issue 14, defect 7), through the real SDKs.

X's access-level refusals (v2 `client-not-enrolled`, v1.1 code 453) on a hide are not "only
replies in conversations it started"; a real conversation refusal keeps X's words. Bodies:
`cassettes/x/x_errors.json` (X's documented shapes, see its `_source`). Facebook's code 368
and Reddit's own text are in test_facebook_errors.py and test_sdk_faults.py.
"""

from __future__ import annotations

import pytest

from bot.settings.secrets import read_secret
from platforms.base import (
    ActionRequest,
    ActionTarget,
    ContactKind,
    ForbiddenError,
    PlatformAction,
    UnsupportedActionError,
)
from platforms.x.config import XConfig
from platforms.x.connector import XConnector
from tests.platform_server import FakePlatform, Reply, fixture_json


@pytest.fixture
def server():
    fake = FakePlatform().start()
    yield fake
    fake.stop()


def hide(server: FakePlatform, answer: dict) -> None:
    server.route("PUT", "/2/tweets/7/hidden", Reply(403, answer))
    x = XConnector(
        "x",
        XConfig(type="x", account_id="1", handle="org", api_base_url=server.url),
        secrets=read_secret,
        sleep=lambda seconds: None,
    )
    target = ActionTarget("x", "7", ContactKind.REPLY, "2", "someone", thread_id="6")
    x.perform(ActionRequest(PlatformAction.HIDE, target, "k"))


@pytest.mark.parametrize("body", ["v2_client_not_enrolled", "v1_code_453"])
def test_an_access_level_refusal_says_so(server, body):
    with pytest.raises(ForbiddenError, match="access level") as raised:
        hide(server, fixture_json("x", "x_errors.json")[body])
    assert not isinstance(raised.value, UnsupportedActionError)
    assert "conversations it started" not in str(raised.value)
    assert "developer" in str(raised.value).lower()  # X's words, and where to change it


def test_a_conversation_refusal_keeps_xs_words(server):
    body = fixture_json("x", "x_errors.json")["v2_hide_not_allowed"]
    with pytest.raises(UnsupportedActionError, match="conversations it started") as raised:
        hide(server, body)
    assert "You are not permitted to hide replies to this Tweet." in str(raised.value)
