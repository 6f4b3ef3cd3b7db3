"""The Instagram connector: a professional account through the Instagram Graph API.

The Instagram Graph API is Graph, reached with the linked Page's token through the same
facebook-sdk client as the Page connector (`ProvedGraphAPI`, with `appsecret_proof`), and it
answers errors the same way (`platforms.facebook.errors.translate`, naming Instagram).

Polls comments and replies on the account's recent media (`/{ig-user-id}/media`,
`/{ig-media-id}/comments`, `/{ig-comment-id}/replies`); takes webhooks for the `instagram`
object (`comments`, `mentions`) at `/webhooks/instagram`, signed like the Page's; hides and
unhides (`POST /{ig-comment-id}` with `hide`), deletes, replies in public
(`POST /{ig-comment-id}/replies`) and sends one private reply per comment within 7 days
(`POST /{page-id}/messages` with `recipient: {comment_id}`). Blocking, restricting and
reporting have no API: the runner hands them to staff.

The cursor is JSON: per watched media, a timestamp watermark and the ids seen at that
second (Graph paging cursors break when the item they point at is deleted).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import facebook
import requests
import structlog

from platforms.base import (
    ActionReceipt,
    ActionRequest,
    Capability,
    Contact,
    ContactKind,
    DeliveryUnknownError,
    FetchedBatch,
    NotFoundError,
    PayloadError,
    PlatformAction,
    PlatformError,
    Recall,
    SecretSource,
    UnsupportedActionError,
    WebhookReply,
    WebhookRequest,
)
from platforms.calls import (
    Caller,
    Redactor,
    TransientError,
    quiet_sdk_loggers,
    secret_value,
    timed_session,
    unset_secrets,
)
from platforms.facebook.connector import GRAPH_URL, PRIVATE_REPLY_WINDOW, confirmed
from platforms.facebook.connector import _Watermark as Watermark
from platforms.facebook.errors import translate
from platforms.facebook.graph import ProvedGraphAPI, appsecret_proof
from platforms.instagram.config import InstagramConfig
from platforms.instagram.payloads import contact_from_comment
from platforms.parsing import as_text, dump_cursor, listing_page, load_cursor, read_delivery

log = structlog.get_logger(__name__)

COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id,hidden"
MEDIA_FIELDS = "id,timestamp,permalink,comments_count"


class InstagramConnector:
    """An Instagram professional account, through facebook-sdk with its Page's token."""

    type_name: ClassVar[str] = "instagram"

    def __init__(
        self,
        name: str,
        config: InstagramConfig,
        *,
        secrets: SecretSource,
        sleep: Any = None,
        clock: Any = None,
    ) -> None:
        self.name = name
        self.config = config
        self.secrets = secrets
        self.redactor = Redactor()
        self.caller = Caller(
            name, config.http, self._translate, **({"sleep": sleep} if sleep else {})
        )
        self.clock = clock or (lambda: datetime.now(UTC))
        self._graph: ProvedGraphAPI | None = None
        self._last_status: int | None = None
        self._last_headers: dict[str, str] = {}
        quiet_sdk_loggers()

    # --- setup ------------------------------------------------------------------------

    def credential_envs(self) -> dict[str, str]:
        """Environment variables this connector reads, and what each is for."""
        return {
            self.config.page_token_env: "the linked Page's access token (Instagram Graph API)",
            self.config.app_secret_env: "app secret (webhook signatures, appsecret_proof)",
            self.config.verify_token_env: "webhook verify token (subscription handshake)",
        }

    @property
    def capabilities(self) -> Capability:
        """Read, webhooks, hide, delete, public and private reply; no block, mute or report."""
        return (
            Capability.READ
            | Capability.WEBHOOK
            | Capability.HIDE
            | Capability.DELETE
            | Capability.REPLY
            | Capability.MESSAGE
        )

    def notes(self) -> list[str]:
        """What `connectors check` should tell staff about this connector's limits."""
        return [
            "webhooks at /webhooks/instagram (object instagram: comments, mentions)",
            "private warnings: one private reply per comment, within 7 days (else a task)",
            "block, restrict and report: no API, always a task for staff",
        ]

    @property
    def graph(self) -> ProvedGraphAPI:
        """The SDK client, built on first use (so `connectors check` needs no token)."""
        if self._graph is None:
            token = secret_value(self.secrets, self.config.page_token_env)
            self.redactor.add(token)
            proof = None
            app_secret = self.secrets(self.config.app_secret_env, required=False)
            if app_secret is not None:
                self.redactor.add(app_secret.get_secret_value())
                proof = appsecret_proof(token, app_secret.get_secret_value())
            rewrite = (GRAPH_URL, self.config.api_base_url) if self.config.api_base_url else None
            session = timed_session(self.config.http.timeout_seconds, rewrite)
            session.hooks["response"].append(self._on_response)
            graph = ProvedGraphAPI(
                access_token=token,
                timeout=self.config.http.timeout_seconds,
                session=session,
                proof=proof,
            )
            graph.version = self.config.graph_version
            self._graph = graph
        return self._graph

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_status = response.status_code
        self._last_headers = {k.lower(): v for k, v in response.headers.items()}

    def _path(self, *parts: str) -> str:
        return "/".join([self.config.graph_version, *parts])

    # --- errors -----------------------------------------------------------------------

    def _regain_seconds(self) -> float | None:
        # Instagram reports its usage per account in X-Business-Use-Case-Usage too.
        raw = self._last_headers.get("x-business-use-case-usage")
        try:
            usage = json.loads(raw) if raw else {}
            minutes = max(
                (
                    float(u.get("estimated_time_to_regain_access") or 0)
                    for entries in usage.values()
                    for u in entries
                ),
                default=0.0,
            )
        except (ValueError, TypeError, AttributeError):
            return None
        return minutes * 60 if minutes else None

    def _translate(self, exc: BaseException, what: str) -> PlatformError:
        return translate(
            exc,
            what,
            connector=self.name,
            status=self._last_status,
            regain_seconds=self._regain_seconds,
            scrub=self.redactor.scrub,
            token_env=self.config.page_token_env,
            platform="Instagram",
        )

    def _call(self, what: str, fn: Any, *, retry_transient: bool = True) -> Any:
        def checked() -> Any:
            self._last_status = None
            answer = fn()
            if self._last_status is not None and self._last_status >= 400:
                raise facebook.GraphAPIError(answer if isinstance(answer, dict) else {})
            return answer

        return self.caller.call(what, checked, retry_transient=retry_transient)

    def _pages(self, object_id: str, edge: str, args: dict[str, Any]) -> Iterator[list[dict]]:
        """Pages of one edge, following `paging.cursors.after` (never a stored cursor)."""
        args = dict(args)
        what = f"read {edge} of {object_id}"
        for _ in range(self.config.max_pages):
            page = self._call(
                what,
                lambda a=args: listing_page(
                    self.graph.request(self._path(object_id, edge), dict(a)), "Instagram", what
                ),
            )
            data = [item for item in page.get("data") or [] if isinstance(item, dict)]
            yield data
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after or not data:
                return
            args["after"] = after

    # --- polling ----------------------------------------------------------------------

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield each recent media item's new comments and replies, one batch per media."""
        state = load_cursor(cursor, self.name)
        self.caller.check_running()
        start = self.clock() - timedelta(days=self.config.backfill_days)
        marks: dict[str, Any] = dict(state.get("media") or {})
        recent: list[dict[str, Any]] = []
        for page in self._pages(
            self.config.ig_user_id,
            "media",
            {"fields": MEDIA_FIELDS, "limit": min(self.config.media_to_watch, 100)},
        ):
            recent.extend(page)
            if len(recent) >= self.config.media_to_watch:
                break
        recent = recent[: self.config.media_to_watch]
        for media in recent:
            media_id = as_text(media.get("id"))
            if not media_id:
                continue
            mark = Watermark(marks.get(media_id), start)
            contacts = list(self._new_on_media(media_id, as_text(media.get("permalink")), mark))
            marks[media_id] = mark.dump()
            watched = {as_text(x.get("id")) for x in recent}
            state["media"] = {m: mark for m, mark in marks.items() if m in watched}
            yield FetchedBatch(tuple(contacts), dump_cursor(state))

    def _new_on_media(self, media_id: str, permalink: str, mark: Watermark) -> Iterator[Contact]:
        """The media's comments and their replies newer than `mark`, which then moves on."""
        found = [
            contact
            for item in self._comments_and_replies(media_id)
            if (contact := self._contact(item, media_id, permalink)) is not None
            and mark.is_new(contact.external_id, contact.created_at)
        ]
        for contact in found:
            mark.advance(contact.external_id, contact.created_at)
        yield from found

    def _comments_and_replies(self, media_id: str) -> Iterator[dict[str, Any]]:
        args = {"fields": COMMENT_FIELDS, "limit": self.config.page_size}
        for page in self._pages(media_id, "comments", args):
            for comment in page:
                yield comment
                comment_id = as_text(comment.get("id"))
                if not comment_id:
                    continue
                for replies in self._pages(comment_id, "replies", args):
                    for reply in replies:  # a reply's parent is the comment it sits under
                        yield {**reply, "parent_id": reply.get("parent_id") or comment_id}

    def _contact(self, item: dict[str, Any], media_id: str, permalink: str) -> Contact | None:
        own = (self.config.ig_user_id, self.config.handle)
        return contact_from_comment(self.name, own, item, media_id=media_id, permalink=permalink)

    # --- webhooks ---------------------------------------------------------------------

    def webhook_unserved(self) -> str | None:
        """Not served until both the app secret and the verify token are set."""
        unset = unset_secrets(
            self.secrets, [self.config.app_secret_env, self.config.verify_token_env]
        )
        return f"{' and '.join(unset)} not set" if unset else None

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """Meta's handshake (GET) and signed `instagram` deliveries (POST)."""
        if request.method == "GET":
            return self._handshake(request)
        if request.method != "POST":
            return WebhookReply(405, "GET or POST only")
        try:
            secret = secret_value(self.secrets, self.config.app_secret_env)
        except Exception:
            log.error("webhook_secret_missing", connector=self.name, env=self.config.app_secret_env)
            return WebhookReply(403, "webhook signatures cannot be checked: app secret not set")
        given = request.headers.get("x-hub-signature-256", "")
        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not given or not hmac.compare_digest(given.strip().lower(), expected):
            return WebhookReply(403, "missing or wrong X-Hub-Signature-256")
        try:
            return self._delivery(read_delivery(request.body))
        except PayloadError as exc:
            return WebhookReply(400, str(exc))
        except PlatformError as exc:  # a mention's comment could not be read: Meta resends
            return WebhookReply(503, f"could not read a mentioned comment: {exc}")

    def _delivery(self, data: dict[str, Any]) -> WebhookReply:
        entries = data.get("entry")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise PayloadError("expected an object with an 'entry' list of objects")
        if data.get("object") != "instagram":
            return WebhookReply(
                200,
                "ignored: not an Instagram delivery",
                foreign=tuple(as_text(e.get("id")) for e in entries),
            )
        contacts: list[Contact] = []
        foreign: list[str] = []
        own = (self.config.ig_user_id, self.config.handle)
        for index, entry in enumerate(entries):
            account = as_text(entry.get("id"))
            if not account:
                raise PayloadError(f"entry {index} has no 'id' (the account it is for)")
            if account != self.config.ig_user_id:
                foreign.append(account)
                continue
            changes = entry.get("changes") or []
            if not isinstance(changes, list):
                raise PayloadError(f"entry {index}: 'changes' must be a list")
            for change in changes:
                value = change.get("value") if isinstance(change, dict) else None
                if not isinstance(value, dict):
                    continue
                try:
                    if change.get("field") == "comments":
                        contact = contact_from_comment(self.name, own, value)
                    elif change.get("field") == "mentions":
                        contact = self._mentioned(value)
                    else:
                        continue
                except PayloadError as exc:
                    raise PayloadError(f"entry {index}: {exc}") from None
                except (TypeError, AttributeError, ValueError, KeyError) as exc:
                    raise PayloadError(
                        f"entry {index} has an unexpected shape ({type(exc).__name__})"
                    ) from None
                if contact is not None:
                    contacts.append(contact)
        return WebhookReply(200, "ok", contacts=tuple(contacts), foreign=tuple(foreign))

    def _mentioned(self, value: dict[str, Any]) -> Contact | None:
        """A `mentions` change names a comment elsewhere; its text must be asked for."""
        comment_id = as_text(value.get("comment_id"))
        if not comment_id:
            return None  # a mention in a caption: not a comment to the account
        what = f"read the comment {comment_id} that mentions the account"
        fields = f"mentioned_comment.comment_id({comment_id}){{{COMMENT_FIELDS},media{{id}}}}"
        answer = self._call(
            what,
            lambda: self.graph.request(self._path(self.config.ig_user_id), {"fields": fields}),
        )
        comment = answer.get("mentioned_comment") if isinstance(answer, dict) else None
        if not isinstance(comment, dict):
            raise PayloadError(f"Instagram did not return the comment while trying to {what}")
        own = (self.config.ig_user_id, self.config.handle)
        return contact_from_comment(self.name, own, comment, kind=ContactKind.MENTION)

    def _handshake(self, request: WebhookRequest) -> WebhookReply:
        try:
            expected = secret_value(self.secrets, self.config.verify_token_env)
        except Exception:
            log.error("webhook_verify_token_missing", env=self.config.verify_token_env)
            return WebhookReply(403, "verify token not set")
        given = request.query.get("hub.verify_token", "")
        if request.query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            return WebhookReply(403, "verify token does not match")
        return WebhookReply(200, request.query.get("hub.challenge", ""))

    # --- actions ----------------------------------------------------------------------

    def perform(self, request: ActionRequest) -> ActionReceipt:
        """Carry out one action on the account's comments."""
        target = request.target
        item = target.external_id
        kind = request.kind
        if target.kind is ContactKind.PRIVATE_MESSAGE and kind is not PlatformAction.MESSAGE:
            raise UnsupportedActionError("an Instagram message cannot be hidden or deleted")
        if kind in (PlatformAction.HIDE, PlatformAction.UNHIDE):
            hide = "true" if kind is PlatformAction.HIDE else "false"
            what = f"{kind.value} comment {item}"
            try:
                self._call(
                    what,
                    lambda: confirmed(
                        self.graph.request(self._path(item), post_args={"hide": hide}), what
                    ),
                )
            except NotFoundError:
                if kind is PlatformAction.UNHIDE:
                    raise
                return ActionReceipt(ok=True, platform_ref=f"instagram:hidden:{item}",
                                     detail="already gone from Instagram")  # fmt: skip
            return ActionReceipt(ok=True, platform_ref=f"instagram:{kind.value}:{item}")
        if kind is PlatformAction.DELETE:
            what = f"delete comment {item}"
            try:
                self._call(
                    what,
                    lambda: confirmed(self.graph.request(self._path(item), method="DELETE"), what),
                )
            except NotFoundError:
                return ActionReceipt(ok=True, platform_ref=f"instagram:deleted:{item}",
                                     detail="already gone from Instagram")  # fmt: skip
            return ActionReceipt(ok=True, platform_ref=f"instagram:deleted:{item}")
        if kind is PlatformAction.REPLY:
            return self._reply(request)
        if kind is PlatformAction.MESSAGE:
            return self._private(request)
        raise UnsupportedActionError(
            f"Instagram has no API to {kind.value} an account: do it in the Instagram app"
        )

    def _reply(self, request: ActionRequest) -> ActionReceipt:
        found = self._find_reply(request)
        if found is not None:
            return found
        item = request.target.external_id
        try:
            result = self._call(
                f"reply to comment {item}",
                lambda: self.graph.request(
                    self._path(item, "replies"), post_args={"message": request.message}
                ),
                retry_transient=False,
            )
        except TransientError as exc:
            found = self._find_reply(request)
            if found is not None:
                return found
            raise PlatformError(
                f"{exc}; the reply is not on Instagram, so it will be retried"
            ) from None
        return ActionReceipt(
            ok=True, platform_ref=f"instagram:comment:{as_text((result or {}).get('id'))}"
        )

    def _find_reply(self, request: ActionRequest) -> ActionReceipt | None:
        """The account's own reply under the comment with this message, if it is there."""
        item = request.target.external_id
        want = request.message.strip()
        page = self._call(
            "look for the account's earlier reply",
            lambda: listing_page(
                self.graph.request(
                    self._path(item, "replies"), {"fields": "id,text,username,from{id}"}
                ),
                "Instagram",
                "look for the account's earlier reply",
            ),
        )
        for reply in page.get("data") or []:
            if not isinstance(reply, dict):
                continue
            author = reply.get("from") if isinstance(reply.get("from"), dict) else {}
            mine = as_text(author.get("id")) == self.config.ig_user_id or (
                self.config.handle
                and as_text(reply.get("username")).lower() == self.config.handle.lower()
            )
            if mine and as_text(reply.get("text")).strip() == want:
                return ActionReceipt(
                    ok=True,
                    platform_ref=f"instagram:comment:{as_text(reply.get('id'))}",
                    detail="found on Instagram",
                )
        return None

    def _private(self, request: ActionRequest) -> ActionReceipt:
        target = request.target
        if target.kind is ContactKind.PRIVATE_MESSAGE:
            recipient = {"id": target.account_platform_id}
        else:
            if target.created_at is not None:
                age = self.clock() - target.created_at
                if age > PRIVATE_REPLY_WINDOW:
                    raise UnsupportedActionError(
                        "Instagram allows a private reply only within 7 days of the comment, "
                        f"and this one is {age.days} days old"
                    )
            recipient = {"comment_id": target.external_id}
        post_args = {
            "recipient": json.dumps(recipient),
            "message": json.dumps({"text": request.message}),
        }
        try:
            result = self._call(
                f"send a private reply to {target.external_id}",
                lambda: self.graph.request(
                    self._path(self.config.page_id, "messages"), post_args=post_args
                ),
                retry_transient=False,
            )
        except TransientError as exc:
            raise DeliveryUnknownError(
                f"{exc}; Instagram may or may not have delivered it"
            ) from None
        return ActionReceipt(
            ok=True, platform_ref=f"instagram:message:{as_text((result or {}).get('message_id'))}"
        )

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """A public reply is looked for under the comment; anything else cannot be looked up."""
        if request.kind is PlatformAction.REPLY:
            return self._find_reply(request) or Recall.NOT_DONE
        return Recall.UNKNOWN

    def close(self) -> None:
        """Drop the client and its session."""
        if self._graph is not None:
            self._graph.session.close()
        self._graph = None
