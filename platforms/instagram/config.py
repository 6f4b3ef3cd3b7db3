"""The Instagram connector's settings (no SDK is imported to read them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platforms.settings import NonEmpty, RetrySettings


class InstagramConfig(BaseModel):
    """Settings of one Instagram professional account, reached through its linked Page.

    The Instagram Graph API uses the same app and Page access token as the Page connector
    (`instagram_basic`, `instagram_manage_comments`, `instagram_manage_messages` and
    `pages_show_list`), so the secrets' defaults are the Page connector's.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["instagram"]
    ig_user_id: NonEmpty = Field(description="The Instagram professional account's id.")
    page_id: NonEmpty = Field(description="The Facebook Page it is linked to (private replies).")
    handle: str = Field(default="", description="The account's username, e.g. brookmere_homes.")
    graph_version: str = Field(default="v21.0", pattern=r"^v\d{1,2}\.\d$")
    page_token_env: NonEmpty = "MODBOT_FACEBOOK_PAGE_TOKEN"
    app_secret_env: NonEmpty = "MODBOT_FACEBOOK_APP_SECRET"
    verify_token_env: NonEmpty = "MODBOT_FACEBOOK_VERIFY_TOKEN"
    media_to_watch: int = Field(default=25, ge=1, le=100)
    page_size: int = Field(default=50, ge=1, le=100)
    max_pages: int = Field(default=5, ge=1, le=100)
    backfill_days: int = Field(default=1, ge=0, description="How far back the first poll reads.")
    poll_interval_seconds: int = Field(default=120, ge=10)
    api_base_url: str | None = Field(
        default=None, description="Send Graph calls here instead (a proxy; tests)."
    )
    http: RetrySettings = RetrySettings()
