"""The connector interface: what every platform connector offers the rest of the bot.

Connectors know platforms, not policy. They turn platform items into `Contact`s, keep no
cursor of their own (the store keeps it, so a crash never skips anything), declare what they
can do as a `Capability` set, and perform one `PlatformAction` at a time given an idempotency
key. What a connector cannot do never raises: the runner checks `capabilities` first and hands
the action to staff as a manual task.

The words a connector speaks live here with the interface (the way errbot's backend owns its
`Message` and `Person`): contacts and accounts, platform actions and receipts, and the errors
a platform can answer with. Nothing in `platforms/` imports the bot.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import SecretStr


class ContactKind(enum.StrEnum):
    """How a contact reached the landlord's account."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    MENTION = "mention"
    PRIVATE_MESSAGE = "private_message"

    @property
    def is_public(self) -> bool:
        """Public contacts can be hidden and answered in public; private ones cannot."""
        return self is not ContactKind.PRIVATE_MESSAGE


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as a platform shows it: who wrote a contact."""

    platform: str
    platform_user_id: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A picture, video or link attached to a contact, as the platform describes it.

    The bot cannot read what a picture says: `alt_text` (the platform's description, when
    it gives one) is all there is, and staff look at the rest.
    """

    type: str  # "photo", "video", "sticker", "animated_image", "link", ...
    url: str = ""
    alt_text: str = ""

    def as_dict(self) -> dict[str, str]:
        """The stored form."""
        return {"type": self.type, "url": self.url, "alt_text": self.alt_text}


@dataclass(frozen=True, slots=True)
class Contact:
    """One thing a person posted to or sent the landlord's account."""

    connector: str
    platform: str
    external_id: str
    account: AccountRef
    kind: ContactKind
    text: str
    created_at: datetime
    permalink: str = ""
    thread_id: str = ""
    parent_id: str = ""
    attachments: tuple[Attachment, ...] = ()


class PlatformAction(enum.StrEnum):
    """What a connector can be asked to do, in the platform's terms (not the policy's).

    The bot decides a "formal warning" or a "notice"; on the platform each is a private
    message, and a public warning is a reply.
    """

    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    REPLY = "reply"
    MESSAGE = "message"
    BLOCK = "block"
    UNBLOCK = "unblock"
    MUTE = "mute"
    REPORT = "report"

    @property
    def sends(self) -> bool:
        """Whether it puts words in front of someone: never done twice."""
        return self in (PlatformAction.REPLY, PlatformAction.MESSAGE)


@dataclass(frozen=True, slots=True)
class ActionReceipt:
    """What a connector reports back after performing an action."""

    ok: bool
    platform_ref: str = ""
    detail: str = ""


class SecretSource(Protocol):
    """Reads a secret the config names (an environment variable); given to each connector.

    With `required`, a missing secret raises an error that says which variable to set;
    without, it returns None.
    """

    def __call__(self, name: str, *, required: bool = True) -> SecretStr | None:
        """The secret in the environment variable `name`."""
        ...


# --- what a platform can answer with --------------------------------------------------------


class PlatformError(Exception):
    """A connector's platform refused or failed a call (or sent something unreadable)."""


class AuthError(PlatformError):
    """Credentials are missing, expired or revoked: the connector stops until fixed."""


class RateLimitedError(PlatformError):
    """The platform asked us to wait; `retry_after` is in seconds (None if not given).

    Platforms give the wait in their own form (prawcore passes Reddit's `Retry-After`
    header on as a string), so it is read here, once: a number of seconds as a number or
    a numeric string; anything else (an HTTP date, garbage, a negative) counts as not given.
    """

    def __init__(self, message: str, retry_after: float | str | None = None) -> None:
        super().__init__(message)
        self.retry_after = seconds_or_none(retry_after)


def seconds_or_none(value: object) -> float | None:
    """`value` as a non-negative number of seconds, or None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds < float("inf") else None


class NotFoundError(PlatformError):
    """The item or account no longer exists on the platform."""


class ForbiddenError(PlatformError):
    """The account lacks a permission the action needs; staff must act by hand."""


class UnsupportedActionError(PlatformError):
    """The platform cannot do this action *here*, decided at the time of the call.

    Unlike a missing capability, the answer depends on the item: a Facebook private reply
    after 7 days or a second time, an X reply to someone who did not mention the account, an
    X hide outside the organisation's own conversations. The runner hands the action to staff
    with this message as the reason; it is never retried.
    """


class DeliveryUnknownError(PlatformError):
    """A message may or may not have gone out (the platform timed out or failed after it).

    Resending could message the person twice and the platform offers no way to look, so the
    runner never retries it: staff get a task to check the conversation and send it by hand
    only if it is not there.
    """


class PayloadError(PlatformError):
    """What the platform gave us cannot be read: a malformed inbox row, body or answer."""


# --- the interface ------------------------------------------------------------------------


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


NEEDS: Mapping[PlatformAction, Capability] = {
    PlatformAction.HIDE: Capability.HIDE,
    PlatformAction.DELETE: Capability.DELETE,
    PlatformAction.REPLY: Capability.REPLY,
    PlatformAction.MESSAGE: Capability.MESSAGE,
    # Undoing needs the same permission as doing (unhide, unban / approve on Reddit).
    PlatformAction.UNHIDE: Capability.HIDE,
    PlatformAction.UNBLOCK: Capability.BLOCK,
    PlatformAction.BLOCK: Capability.BLOCK,
    PlatformAction.MUTE: Capability.MUTE,
    PlatformAction.REPORT: Capability.REPORT,
}


class Recall(enum.Enum):
    """What a connector can say about an action it has no receipt for."""

    NOT_DONE = "not_done"  # the platform shows it did not happen: safe to do it now
    UNKNOWN = "unknown"  # cannot tell: an idempotent action is redone, a message goes to staff


@dataclass(frozen=True, slots=True)
class SetAside:
    """An item a connector could not read, kept whole so that nothing is lost.

    The pipeline stores it with the batch and its cursor, and staff see it (with `where`
    and `reason`) in `modbot status` and on the health page; the rest of the batch goes on.
    """

    where: str  # "line 12" of the inbox
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class FetchedBatch:
    """Contacts fetched in one go and the cursor that covers exactly them.

    The pipeline stores the contacts and the cursor in one transaction; if it crashes first,
    the next pass fetches the same batch again and the unique key drops the duplicates.
    """

    contacts: tuple[Contact, ...]
    cursor: str | None
    warnings: tuple[str, ...] = ()  # e.g. a polling gap longer than the platform's window
    set_aside: tuple[SetAside, ...] = ()  # items it could not read, in the cursor's range


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
    from the record instead of doing it twice. `label` never changes what is done.
    """

    kind: PlatformAction
    target: ActionTarget
    idempotency_key: str
    message: str = ""
    reason: str = ""
    label: str = ""  # what the bot calls it ("formal_warning"), for records such as an outbox


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
    # The account each entry *not* taken was for (one per entry): a delivery can carry
    # entries for several Pages, and the door counts those no connector takes.
    foreign: tuple[str, ...] = ()


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

    def webhook_unserved(self) -> str | None:
        """Why this connector's webhooks are not served, or None when they are.

        A webhook is served only with every secret it checks calls against configured and
        set: an unchecked webhook would let anyone feed the bot contacts. The web app
        answers 404 for it, `connectors check` and `serve` say why.
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


def can_perform(connector: Connector, action: PlatformAction) -> bool:
    """Whether `connector` declares the capability `action` needs."""
    return bool(connector.capabilities & NEEDS[action])
