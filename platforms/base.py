"""The connector interface: what every platform connector offers the rest of the bot.

Connectors know platforms, not policy. They turn platform items into `Contact`s, keep no
cursor of their own (the store keeps it, so a crash never skips anything), declare what they
can do as a `Capability` set, and perform one action at a time given an idempotency key.
What a connector cannot do never raises: the runner checks `capabilities` first and hands the
action to staff as a manual task.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from bot.domain import ActionKind, ActionReceipt, Contact, ContactKind


class Capability(enum.Flag):
    """What a connector can do on the platform for this account."""

    NONE = 0
    READ = enum.auto()
    WEBHOOK = enum.auto()
    HIDE = enum.auto()
    DELETE = enum.auto()
    REPLY = enum.auto()
    MESSAGE = enum.auto()
    BLOCK = enum.auto()
    MUTE = enum.auto()
    REPORT = enum.auto()


ACTION_CAPABILITY: dict[ActionKind, Capability] = {
    ActionKind.HIDE: Capability.HIDE,
    ActionKind.DELETE: Capability.DELETE,
    ActionKind.PUBLIC_WARNING: Capability.REPLY,
    ActionKind.PRIVATE_WARNING: Capability.MESSAGE,
    ActionKind.NOTICE: Capability.MESSAGE,
    ActionKind.FORMAL_WARNING: Capability.MESSAGE,
    ActionKind.RESTRICTION: Capability.MESSAGE,
    # Undoing needs the same permission as doing (unhide, unban / approve on Reddit).
    ActionKind.UNHIDE: Capability.HIDE,
    ActionKind.UNBLOCK: Capability.BLOCK,
    ActionKind.BLOCK: Capability.BLOCK,
    ActionKind.MUTE: Capability.MUTE,
    ActionKind.REPORT: Capability.REPORT,
}


class Recall(enum.Enum):
    """What a connector can say about an action it has no receipt for."""

    NOT_DONE = "not_done"  # the platform shows it did not happen: safe to do it now
    UNKNOWN = "unknown"  # cannot tell: an idempotent action is redone, a message goes to staff


@dataclass(frozen=True, slots=True)
class FetchedBatch:
    """Contacts fetched in one go and the cursor that covers exactly them.

    The pipeline stores the contacts and the cursor in one transaction; if it crashes first,
    the next pass fetches the same batch again and the unique key drops the duplicates.
    """

    contacts: tuple[Contact, ...]
    cursor: str | None
    warnings: tuple[str, ...] = ()  # e.g. a polling gap longer than the platform's window


@dataclass(frozen=True, slots=True)
class ActionTarget:
    """What an action applies to, in the platform's own identifiers."""

    platform: str
    external_id: str
    kind: ContactKind
    account_platform_id: str
    account_handle: str
    thread_id: str = ""
    permalink: str = ""
    parent_id: str = ""
    created_at: datetime | None = None  # platform windows (e.g. Facebook's 7-day private reply)


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One action for a connector to perform.

    `idempotency_key` is stable across retries and restarts: a connector that can look up
    whether it already did the action (e.g. its own reply in the thread) uses it to answer
    from the record instead of doing it twice.
    """

    kind: ActionKind
    target: ActionTarget
    idempotency_key: str
    message: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """An incoming webhook call exactly as received: raw bytes, so signatures can be checked.

    Header names are lower case.
    """

    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """What to answer the platform, and the contacts the delivery carried.

    `status` 200 with `contacts` is a good delivery; a handshake (Facebook's
    `hub.challenge`, X's CRC) answers `body` with no contacts; 403 is a bad or missing
    signature and 400 a malformed body, both storing nothing.
    """

    status: int
    body: str = ""
    media_type: str = "text/plain"
    contacts: tuple[Contact, ...] = ()


@runtime_checkable
class Connector(Protocol):
    """What every connector implements (`platforms/local.py` is the reference)."""

    name: str
    type_name: ClassVar[str]

    @property
    def capabilities(self) -> Capability:
        """What this connector can do on this account."""
        ...

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield batches of contacts newer than `cursor`, each with the cursor that covers it."""
        ...

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """Check and parse one webhook call (only with `Capability.WEBHOOK`).

        Verification handshakes and signature checks belong here, with the platform's own
        rules; the web app stores the returned contacts idempotently and answers at once.
        """
        ...

    def perform(self, request: ActionRequest) -> ActionReceipt:
        """Carry out one supported action; raise a `PlatformError` subclass on failure."""
        ...

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """Look on the platform for evidence the action was already performed.

        Used after a crash left an action `running`: a receipt means it happened;
        `Recall.NOT_DONE` that it certainly did not; `Recall.UNKNOWN` that the connector
        cannot tell, and then a non-idempotent action (a message) goes to staff.
        """
        ...

    def close(self) -> None:
        """Release files, sessions and sockets."""
        ...


def can_perform(connector: Connector, kind: ActionKind) -> bool:
    """Whether `connector` declares the capability `kind` needs."""
    needed = ACTION_CAPABILITY.get(kind)
    return needed is not None and bool(connector.capabilities & needed)
