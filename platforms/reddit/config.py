"""The Reddit connector's settings (no SDK is imported to read them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platforms.settings import NonEmpty, RetrySettings


class RedditWatch(BaseModel):
    """Which sources to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    comments: bool = True
    submissions: bool = True
    inbox: bool = Field(default=True, description="Replies, username mentions and messages.")
    modqueue: bool = True
    edited: bool = Field(
        default=True,
        description="Recently edited comments and posts (the mod 'edited' listing): an edit "
        "is stored as a new version of the item and moderated.",
    )


class RedditConfig(BaseModel):
    """Settings of one subreddit connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["reddit"]
    subreddit: NonEmpty = Field(description="The subreddit's name, without r/.")
    client_id_env: NonEmpty = "MODBOT_REDDIT_CLIENT_ID"
    client_secret_env: NonEmpty = "MODBOT_REDDIT_CLIENT_SECRET"
    username_env: NonEmpty = "MODBOT_REDDIT_USERNAME"
    password_env: NonEmpty = "MODBOT_REDDIT_PASSWORD"
    user_agent: NonEmpty = "python:housing-modbot:0.1 (moderation bot)"
    watch: RedditWatch = RedditWatch()
    ban_days: int = Field(default=7, ge=1, le=999, description="Length of a ban; Reddit max 999.")
    ban_reason: str = Field(default="Unacceptable behaviour", max_length=100)
    message_subject: str = Field(default="A message from the moderators", max_length=100)
    removal_reason_id: str | None = None
    lock_on_delete: bool = True
    mod_notes: bool = True
    page_size: int = Field(default=100, ge=1, le=100)
    max_pages: int = Field(default=10, ge=1, le=100)
    backfill_days: int = Field(default=1, ge=0, description="How far back the first poll reads.")
    poll_interval_seconds: int = Field(default=60, ge=10)
    api_base_url: str | None = Field(
        default=None, description="Send both the OAuth and API calls here (tests)."
    )
    http: RetrySettings = RetrySettings()
