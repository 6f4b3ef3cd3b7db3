"""The explicit list of connector types: the YAML `type` key selects one.

Adding a platform means adding its config model to `ConnectorConfig` and its class to
`CONNECTOR_TYPES`; nothing is discovered implicitly.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from platforms.base import Connector, SecretSource
from platforms.facebook import FacebookConfig, FacebookConnector
from platforms.local import LocalConfig, LocalConnector
from platforms.reddit import RedditConfig, RedditConnector
from platforms.x import XConfig, XConnector

ConnectorConfig = Annotated[
    LocalConfig | FacebookConfig | XConfig | RedditConfig, Field(discriminator="type")
]

CONNECTOR_TYPES: dict[str, type] = {
    "local": LocalConnector,
    "facebook": FacebookConnector,
    "x": XConnector,
    "reddit": RedditConnector,
}


def build_connector(
    name: str,
    config: LocalConfig | FacebookConfig | XConfig | RedditConfig,
    secrets: SecretSource,
) -> Connector:
    """Build the connector `name` from its validated settings.

    Building reads no secret and calls no platform: each real connector reads its secrets
    through `secrets` and signs in on its first call, so `modbot connectors check` and
    `config check` stay offline.
    """
    return CONNECTOR_TYPES[config.type](name, config, secrets=secrets)
