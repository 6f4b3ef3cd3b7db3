"""The explicit list of connector types: the YAML `type` key selects one.

Each platform is a folder (`platforms/<type>/`) with its settings (`config.py`, no SDK), how
its items become contacts (`payloads.py`) and the connector itself (`connector.py`, which
imports the SDK). Reading a config imports only the settings; a connector's module, and with
it the platform's SDK, is imported when a config that uses it builds one. Adding a platform
means adding its settings to `ConnectorConfig` and its class to `CONNECTOR_TYPES`; nothing is
discovered implicitly.
"""

from __future__ import annotations

import importlib
from typing import Annotated

from pydantic import Field

from platforms.base import Connector, SecretSource
from platforms.facebook.config import FacebookConfig
from platforms.instagram.config import InstagramConfig
from platforms.local.config import LocalConfig
from platforms.reddit.config import RedditConfig
from platforms.x.config import XConfig

ConnectorConfig = Annotated[
    LocalConfig | FacebookConfig | InstagramConfig | XConfig | RedditConfig,
    Field(discriminator="type"),
]

# type -> "module:class", imported on first use.
CONNECTOR_TYPES: dict[str, str] = {
    "local": "platforms.local.connector:LocalConnector",
    "facebook": "platforms.facebook.connector:FacebookConnector",
    "instagram": "platforms.instagram.connector:InstagramConnector",
    "x": "platforms.x.connector:XConnector",
    "reddit": "platforms.reddit.connector:RedditConnector",
}


def connector_class(type_name: str) -> type:
    """The connector class for a config `type`, importing its module (and SDK) now."""
    module, _, name = CONNECTOR_TYPES[type_name].partition(":")
    return getattr(importlib.import_module(module), name)


def build_connector(
    name: str,
    config: LocalConfig | FacebookConfig | InstagramConfig | XConfig | RedditConfig,
    secrets: SecretSource,
) -> Connector:
    """Build the connector `name` from its validated settings.

    Building reads no secret and calls no platform: each real connector reads its secrets
    through `secrets` and signs in on its first call, so `modbot connectors check` and
    `config check` stay offline.
    """
    return connector_class(config.type)(name, config, secrets=secrets)
