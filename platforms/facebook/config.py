"""The Facebook Page connector's settings (no SDK is imported to read them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platforms.settings import NonEmpty, RetrySettings


class FacebookWatch(BaseModel):
    """Which sources to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feed: bool = Field(default=True, description="Visitor posts on the Page.")
    comments: bool = Field(default=True, description="Comments on the Page's recent posts.")
    messages: bool = Field(
        default=False, description="Messenger conversations (needs pages_messaging)."
    )


class FacebookConfig(BaseModel):
    """Settings of one Facebook Page connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["facebook"]
    page_id: NonEmpty
    graph_version: str = Field(default="v21.0", pattern=r"^v\d{1,2}\.\d$")
    page_token_env: NonEmpty = "MODBOT_FACEBOOK_PAGE_TOKEN"
    app_secret_env: NonEmpty = "MODBOT_FACEBOOK_APP_SECRET"
    verify_token_env: NonEmpty = "MODBOT_FACEBOOK_VERIFY_TOKEN"
    watch: FacebookWatch = FacebookWatch()
    posts_to_watch: int = Field(default=25, ge=1, le=100)
    page_size: int = Field(default=100, ge=1, le=100)
    max_pages: int = Field(default=10, ge=1, le=100)
    backfill_days: int = Field(default=1, ge=0, description="How far back the first poll reads.")
    poll_interval_seconds: int = Field(default=120, ge=10)
    api_base_url: str | None = Field(
        default=None, description="Send Graph calls here instead (a proxy; tests)."
    )
    http: RetrySettings = RetrySettings()
