"""The X connector's settings (no SDK is imported to read them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platforms.settings import NonEmpty, RetrySettings


class XWatch(BaseModel):
    """Which sources to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mentions: bool = True
    replies: bool = Field(default=True, description="Replies to the org (recent search, 7 days).")
    direct_messages: bool = Field(default=True, description="DMs (15 requests per 15 minutes).")


class XConfig(BaseModel):
    """Settings of one X account connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["x"]
    account_id: NonEmpty = Field(description="The org account's numeric user id.")
    handle: NonEmpty = Field(description="The org account's @handle, without the @.")
    bearer_token_env: NonEmpty = "MODBOT_X_BEARER_TOKEN"
    consumer_key_env: NonEmpty = "MODBOT_X_CONSUMER_KEY"
    consumer_secret_env: NonEmpty = "MODBOT_X_CONSUMER_SECRET"
    access_token_env: NonEmpty = "MODBOT_X_ACCESS_TOKEN"
    access_token_secret_env: NonEmpty = "MODBOT_X_ACCESS_TOKEN_SECRET"
    watch: XWatch = XWatch()
    enterprise: bool = Field(default=False, description="Enterprise access: full blocks work.")
    reply_only_when_mentioned: bool = Field(
        default=True,
        description="Self-serve apps may reply only to posts that mention or quote the org "
        "(since Feb 2026); other public warnings go to staff without trying.",
    )
    page_size: int = Field(default=100, ge=10, le=100)
    max_pages: int = Field(default=10, ge=1, le=100)
    backfill_days: int = Field(
        default=1, ge=0, le=30, description="How far back the very first poll reads."
    )
    poll_interval_seconds: int = Field(default=60, ge=15)
    api_base_url: str | None = Field(default=None, description="Send calls here (a proxy; tests).")
    http: RetrySettings = RetrySettings()
