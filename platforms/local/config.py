"""The local connector's settings: a JSONL inbox to read and an outbox to write."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class LocalConfig(BaseModel):
    """Settings of one local connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["local"]
    inbox: Path = Field(description="JSONL file of contacts to read (relative to the cwd).")
    outbox: Path = Field(description="JSONL file the connector appends performed actions to.")
    batch_size: int = Field(default=500, ge=1, le=10_000)
    poll_interval_seconds: int = Field(default=60, ge=5)
    webhook_token_env: str | None = Field(
        default=None, description="Environment variable holding a bearer token for webhooks."
    )
