"""The local connector: a JSONL inbox in, a JSONL outbox of performed actions out.

It is a real connector (the embedded default, and how a landlord can try modbot on an export
of their inbox) and the test fake for everything downstream. It supports every action, and is
idempotent by construction: the outbox is the record of what was done, keyed by idempotency
key, so an action is never written twice however often it is retried.

Inbox rows (one JSON object per line)::

    {"id": "fb-1001", "platform": "facebook", "kind": "comment",
     "author": {"id": "1001", "handle": "tracey.h", "name": "Tracey Hughes"},
     "text": "...", "created_at": "2026-11-16T09:12:00Z",
     "thread_id": "post-77", "parent_id": "", "permalink": "https://..."}
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from platforms.base import (
    AccountRef,
    ActionReceipt,
    ActionRequest,
    Attachment,
    Capability,
    Contact,
    ContactKind,
    FetchedBatch,
    PayloadError,
    PlatformError,
    Recall,
    SecretSource,
    SetAside,
    WebhookReply,
    WebhookRequest,
)
from platforms.calls import secret_value, unset_secrets
from platforms.local.config import LocalConfig, NonEmpty


class _Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: NonEmpty
    url: str = ""
    alt_text: str = ""


class _Author(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: NonEmpty
    handle: NonEmpty
    name: str = ""


class _InboxRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: NonEmpty
    platform: Literal["facebook", "instagram", "x", "reddit", "local"]
    kind: ContactKind
    author: _Author
    text: str
    created_at: datetime
    thread_id: str = ""
    parent_id: str = ""
    permalink: str = ""
    attachments: list[_Attachment] = []


class LocalCursor:
    """Byte offset and line number after the last stored row: ``"offset=1234;line=40"``."""

    @staticmethod
    def parse(cursor: str | None, inbox: Path) -> tuple[int, int]:
        """Return (offset, line) from a stored cursor; (0, 0) for none."""
        if not cursor:
            return 0, 0
        try:
            parts = dict(item.split("=", 1) for item in cursor.split(";"))
            return int(parts["offset"]), int(parts["line"])
        except (ValueError, KeyError):
            raise PayloadError(
                f"the stored cursor for inbox {inbox} is unreadable ({cursor!r}); "
                "reset it with `modbot connectors reset`"
            ) from None

    @staticmethod
    def render(offset: int, line: int) -> str:
        """The stored form of a position."""
        return f"offset={offset};line={line}"


class LocalConnector:
    """Reads contacts from a JSONL inbox and appends performed actions to a JSONL outbox."""

    type_name: ClassVar[str] = "local"

    def __init__(self, name: str, config: LocalConfig, *, secrets: SecretSource) -> None:
        self.name = name
        self.config = config
        self.secrets = secrets
        self._done: dict[str, ActionReceipt] | None = None

    @property
    def capabilities(self) -> Capability:
        """Every action: the outbox records whatever it is asked to do."""
        return (
            Capability.READ
            | Capability.WEBHOOK
            | Capability.HIDE
            | Capability.DELETE
            | Capability.REPLY
            | Capability.MESSAGE
            | Capability.BLOCK
            | Capability.MUTE
            | Capability.REPORT
        )

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield the inbox rows after `cursor` in batches, each with the cursor covering it.

        A malformed row does not stop the inbox: it is set aside, whole, with its line number
        and what is wrong, in the batch it falls in, and the rows after it are read.

        Raises:
            PayloadError: the inbox is missing or shorter than the cursor.
        """
        inbox = self.config.inbox
        offset, line_no = LocalCursor.parse(cursor, inbox)
        if not inbox.is_file():
            raise PayloadError(f"inbox {inbox} does not exist; check connectors.{self.name}.inbox")
        size = inbox.stat().st_size
        if offset > size:
            raise PayloadError(
                f"inbox {inbox} is shorter ({size} bytes) than where the last pass stopped "
                f"({offset} bytes): was it replaced? Reset the cursor with "
                f"`modbot connectors reset {self.name}` to read it from the start"
            )
        batch: list[Contact] = []
        aside: list[SetAside] = []
        with inbox.open("rb") as handle:
            handle.seek(offset)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # a row still being written: take it next pass, whole
                line_no += 1
                offset += len(raw)
                if raw.strip():
                    try:
                        batch.append(self._parse(raw, line_no))
                    except PayloadError as exc:
                        where = f"line {line_no}"
                        reason = str(exc).removeprefix(f"{inbox}, {where}: ")
                        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                        aside.append(SetAside(where, reason, text))
                if len(batch) + len(aside) >= self.config.batch_size:
                    position = LocalCursor.render(offset, line_no)
                    yield FetchedBatch(tuple(batch), position, set_aside=tuple(aside))
                    batch, aside = [], []
        if batch or aside or offset != LocalCursor.parse(cursor, inbox)[0]:
            position = LocalCursor.render(offset, line_no)
            yield FetchedBatch(tuple(batch), position, set_aside=tuple(aside))

    def _parse(self, raw: bytes, line_no: int) -> Contact:
        where = f"{self.config.inbox}, line {line_no}"
        try:
            data = json.loads(raw)
        except UnicodeDecodeError:
            raise PayloadError(f"{where}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise PayloadError(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(data, dict):
            raise PayloadError(f"{where}: expected a JSON object, found {type(data).__name__}")
        try:
            row = _InboxRow.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            raise PayloadError(f"{where}: {problems}") from None
        created = row.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return Contact(
            connector=self.name,
            platform=row.platform,
            external_id=row.id,
            account=AccountRef(
                platform=row.platform,
                platform_user_id=row.author.id,
                handle=row.author.handle,
                display_name=row.author.name,
            ),
            kind=row.kind,
            text=row.text,
            created_at=created.astimezone(UTC),
            permalink=row.permalink,
            thread_id=row.thread_id,
            parent_id=row.parent_id,
            attachments=tuple(Attachment(a.type, a.url, a.alt_text) for a in row.attachments),
        )

    def webhook_unserved(self) -> str | None:
        """Not served without a bearer token: `webhook_token_env` must name a set secret."""
        env = self.config.webhook_token_env
        if not env:
            return f"no webhook_token_env is configured for connectors.{self.name}"
        if unset_secrets(self.secrets, [env]):
            return f"{env} (its bearer token) is not set"
        return None

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """Accept POSTed inbox rows (one JSON object or a list of them), for local testing.

        The shared secret `webhook_token_env` names must arrive as a bearer token; without
        one configured nothing is accepted (the web app does not even serve the URL).
        """
        if request.method != "POST":
            return WebhookReply(405, "POST inbox rows to this URL")
        if self.webhook_unserved() is not None:
            return WebhookReply(404, "this connector takes no webhooks: no token is configured")
        expected = secret_value(self.secrets, str(self.config.webhook_token_env))
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return WebhookReply(403, "missing or wrong token")
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return WebhookReply(400, f"body is not JSON: {exc}")
        rows = data if isinstance(data, list) else [data]
        try:
            contacts = tuple(
                self._parse(json.dumps(row).encode(), number)
                for number, row in enumerate(rows, start=1)
            )
        except PayloadError as exc:
            return WebhookReply(400, str(exc).replace(f"{self.config.inbox}, line", "row"))
        return WebhookReply(200, "ok", contacts=contacts)

    def perform(self, request: ActionRequest) -> ActionReceipt:
        """Append the action to the outbox once; a repeat returns the first receipt."""
        done = self._load_done()
        if request.idempotency_key in done:
            return done[request.idempotency_key]
        receipt = ActionReceipt(ok=True, platform_ref=f"outbox:{request.idempotency_key}")
        row = {
            "key": request.idempotency_key,
            "action": request.label or request.kind.value,
            "platform": request.target.platform,
            "target": request.target.external_id,
            "account": request.target.account_handle,
            "message": request.message,
            "reason": request.reason,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        outbox = self.config.outbox
        try:
            outbox.parent.mkdir(parents=True, exist_ok=True)
            with outbox.open("a+", encoding="utf-8") as handle:
                if handle.tell() > 0:
                    handle.seek(handle.tell() - 1)
                    if handle.read(1) != "\n":
                        handle.write("\n")  # end a line torn by a crash; it is skipped on load
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise PlatformError(f"cannot write outbox {outbox}: {exc.strerror}") from None
        done[request.idempotency_key] = receipt
        return receipt

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """The outbox is the platform here, so this always knows."""
        return self._load_done().get(request.idempotency_key, Recall.NOT_DONE)

    def _load_done(self) -> dict[str, ActionReceipt]:
        if self._done is None:
            self._done = {}
            if self.config.outbox.is_file():
                with self.config.outbox.open(encoding="utf-8") as handle:
                    for line in handle:
                        try:
                            key = json.loads(line)["key"]
                        except (json.JSONDecodeError, KeyError, TypeError):
                            continue  # a torn last line from a crash: that action was not done
                        self._done[key] = ActionReceipt(ok=True, platform_ref=f"outbox:{key}")
        return self._done

    def close(self) -> None:
        """Nothing stays open between calls."""
