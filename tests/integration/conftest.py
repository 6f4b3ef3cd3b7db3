"""Test credentials for every connector (recognisable, so leak tests can look for them)."""

from __future__ import annotations

import time

import pytest

SECRETS = {
    "MODBOT_FACEBOOK_PAGE_TOKEN": "fb-page-token-SECRET-4f2a9c",
    "MODBOT_FACEBOOK_APP_SECRET": "fb-app-secret-SECRET-77d1e0",
    "MODBOT_FACEBOOK_VERIFY_TOKEN": "fb-verify-SECRET-0b3c55",
    "MODBOT_X_BEARER_TOKEN": "x-bearer-SECRET-9e8d7c",
    "MODBOT_X_CONSUMER_KEY": "x-consumer-key-SECRET-1a2b3c",
    "MODBOT_X_CONSUMER_SECRET": "x-consumer-secret-SECRET-4d5e6f",
    "MODBOT_X_ACCESS_TOKEN": "1072250532645998596-x-access-SECRET-a1b2c3",
    "MODBOT_X_ACCESS_TOKEN_SECRET": "x-access-secret-SECRET-d4e5f6",
    "MODBOT_REDDIT_CLIENT_ID": "reddit-client-id-SECRET-5566",
    "MODBOT_REDDIT_CLIENT_SECRET": "reddit-client-secret-SECRET-7788",
    "MODBOT_REDDIT_USERNAME": "modbot_tester",
    "MODBOT_REDDIT_PASSWORD": "reddit-password-SECRET-99aa",
}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    return SECRETS


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """praw and prawcore sleep between calls; the tests record the waits instead."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: waits.append(seconds))
    return waits
