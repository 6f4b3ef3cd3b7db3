"""Platform fakes at the connector interface, for driving the runner through faults.

They wrap the real local connector and change only what the test is about: a platform that
fails, lacks a capability, or dies half way through an action.
"""

from __future__ import annotations

from platforms.base import (
    ActionReceipt,
    ActionRequest,
    AuthError,
    Capability,
    ForbiddenError,
    PlatformError,
    Recall,
)
from platforms.local.connector import LocalConnector


class FaultyPlatform(LocalConnector):
    """The local connector with a platform that misbehaves on purpose."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.failures_left = 0
        self.failure: Exception = PlatformError("HTTP 503 from the platform")
        self.missing = Capability.NONE
        self.forget = False  # cannot tell whether an earlier action happened
        self.calls: list[str] = []

    @property
    def capabilities(self) -> Capability:
        return super().capabilities & ~self.missing

    def perform(self, request: ActionRequest) -> ActionReceipt:
        self.calls.append(request.idempotency_key)
        if self.failures_left:
            self.failures_left -= 1
            raise self.failure
        return super().perform(request)

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        return Recall.UNKNOWN if self.forget else super().already_done(request)


__all__ = ["AuthError", "FaultyPlatform", "ForbiddenError", "PlatformError"]
