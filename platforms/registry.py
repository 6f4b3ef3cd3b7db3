"""The explicit list of connector types: the YAML `type` key selects one.

Adding a platform means adding its config model to `ConnectorConfig` and its class to
`CONNECTOR_TYPES`; nothing is discovered implicitly.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from platforms.base import Connector
from platforms.local import LocalConfig, LocalConnector

ConnectorConfig = Annotated[LocalConfig, Field(discriminator="type")]

CONNECTOR_TYPES: dict[str, type] = {
    "local": LocalConnector,
}


def build_connector(name: str, config: LocalConfig) -> Connector:
    """Build the connector `name` from its validated settings."""
    return CONNECTOR_TYPES[config.type](name, config)
