"""The shipped example config and the connectors' settings."""

from __future__ import annotations

import re

import pytest

from bot.errors import ConfigError
from bot.paths import shipped
from bot.settings.loading import load_config
from bot.settings.secrets import read_secret
from platforms.registry import build_connector

EXPECTED_ENV = {
    "MODBOT_FACEBOOK_PAGE_TOKEN",
    "MODBOT_FACEBOOK_APP_SECRET",
    "MODBOT_FACEBOOK_VERIFY_TOKEN",
    "MODBOT_X_BEARER_TOKEN",
    "MODBOT_X_CONSUMER_KEY",
    "MODBOT_X_CONSUMER_SECRET",
    "MODBOT_X_ACCESS_TOKEN",
    "MODBOT_X_ACCESS_TOKEN_SECRET",
    "MODBOT_REDDIT_CLIENT_ID",
    "MODBOT_REDDIT_CLIENT_SECRET",
    "MODBOT_REDDIT_USERNAME",
    "MODBOT_REDDIT_PASSWORD",
}


def test_the_example_production_config_is_valid_and_names_every_credential():
    path = shipped("examples", "production.yaml")
    loaded = load_config(path)
    types = {c.type for c in loaded.settings.connectors.values()}
    assert types == {"facebook", "instagram", "x", "reddit"}
    named = set(re.findall(r"MODBOT_[A-Z_]+", path.read_text()))
    assert named - {"MODBOT_DATABASE_URL"} == EXPECTED_ENV
    envs = set()
    for name, settings in loaded.settings.connectors.items():
        envs |= set(build_connector(name, settings, read_secret).credential_envs())
    assert envs == EXPECTED_ENV


def test_the_default_connectors_are_still_just_the_local_one():
    assert list(load_config().settings.connectors) == ["local"]


def test_a_connector_setting_error_names_the_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("connectors:\n  page:\n    type: facebook\n    graph_version: '21.0'\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    problems = "\n".join(raised.value.problems)
    assert "connectors.page.page_id: required but missing" in problems
    assert "connectors.page.graph_version" in problems
