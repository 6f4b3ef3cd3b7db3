"""What every connector's settings share: how hard each platform call is tried."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RetrySettings(BaseModel):
    """How hard a connector tries before giving up on one call (shared by every platform)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    attempts: int = Field(default=4, ge=1, le=10, description="Tries for 5xx/network faults.")
    backoff_seconds: float = Field(default=1.0, ge=0, le=60)
    backoff_max_seconds: float = Field(default=30.0, ge=0, le=600)
    max_rate_limit_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        le=900,
        description="Sleep until a rate-limit reset at most this long; longer waits end the "
        "pass for this connector and it resumes on the next one.",
    )


# A setting that must say something: blanks and surrounding spaces are refused.
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
