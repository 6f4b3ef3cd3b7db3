"""The Facebook Page connector (facebook-sdk 3.1.0 over the Graph API).

Polls the Page feed (visitor posts), the comments on the Page's recent posts and, where the
app may, Messenger conversations; receives the Page `feed`, `mention` and `messages`
webhooks; hides, deletes, replies in public, sends one private reply per comment within 7
days (or a Messenger reply), and blocks from the Page (platforms.md section 2).

The SDK's traps are handled here, once (platforms.md G1-G3): the Graph version is set after
construction (the SDK refuses every current version in its constructor), nested parameters
are JSON-encoded by hand, and the SDK's session gets a timeout and a response hook that
keeps the HTTP status and the usage headers the SDK throws away.

The cursor is JSON: a created-time watermark plus the ids already seen at that second, for
the feed, for each watched post's comments and for Messenger (Graph paging cursors stop
working when the item they point at is deleted, so they are never stored).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

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
    ForbiddenError,
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
from platforms.facebook.config import FacebookConfig
from platforms.facebook.errors import translate
from platforms.facebook.graph import ProvedGraphAPI, appsecret_proof
from platforms.facebook.payloads import (
    as_text,
    contact_from_change,
    contact_from_comment,
    contact_from_message,
    contact_from_messaging,
    contact_from_post,
    graph_time,
)
from platforms.parsing import dump_cursor, listing_page, load_cursor, read_delivery

log = structlog.get_logger(__name__)


GRAPH_URL = "https://graph.facebook.com"


PRIVATE_REPLY_WINDOW = timedelta(days=7)


PERMISSION_FOR = {
    PlatformAction.HIDE: "pages_manage_engagement (and pages_read_user_content)",
    PlatformAction.DELETE: "pages_manage_engagement",
    PlatformAction.REPLY: "pages_manage_engagement",
    PlatformAction.BLOCK: "the MODERATE task on the Page (pages_manage_engagement)",
    PlatformAction.UNHIDE: "pages_manage_engagement (and pages_read_user_content)",
    PlatformAction.UNBLOCK: "the MODERATE task on the Page (pages_manage_engagement)",
}


COMMENT_FIELDS = "id,message,from{id,name},created_time,parent{id},permalink_url,attachment"


FEED_FIELDS = "id,message,from,created_time,updated_time,permalink_url"


class _Watermark:
    """Newest created time seen plus the ids seen at exactly that second."""

    def __init__(self, data: dict[str, Any] | None, default: datetime) -> None:
        data = data or {}
        self.t = float(data.get("t", default.timestamp()))
        self.ids: set[str] = set(data.get("ids", []))

    def is_new(self, contact_id: str, when: datetime) -> bool:
        ts = when.timestamp()
        return ts > self.t or (ts == self.t and contact_id not in self.ids)

    def advance(self, contact_id: str, when: datetime) -> None:
        ts = when.timestamp()
        if ts > self.t:
            self.t, self.ids = ts, {contact_id}
        elif ts == self.t:
            self.ids.add(contact_id)

    def dump(self) -> dict[str, Any]:
        return {"t": self.t, "ids": sorted(self.ids)}


class FacebookConnector:
    """A Facebook Page, through facebook-sdk with a Page access token."""

    type_name: ClassVar[str] = "facebook"

    def __init__(
        self,
        name: str,
        config: FacebookConfig,
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
        self._graph: facebook.GraphAPI | None = None
        self._last_status: int | None = None
        self._last_headers: dict[str, str] = {}
        quiet_sdk_loggers()

    # --- setup ------------------------------------------------------------------------

    def credential_envs(self) -> dict[str, str]:
        """Environment variables this connector reads, and what each is for."""
        return {
            self.config.page_token_env: "Page access token (polling and actions)",
            self.config.app_secret_env: "app secret (webhook signatures, appsecret_proof)",
            self.config.verify_token_env: "webhook verify token (subscription handshake)",
        }

    @property
    def capabilities(self) -> Capability:
        """Hide, delete, reply, private reply, block; no report (Meta has no API) or mute."""
        return (
            Capability.READ
            | Capability.WEBHOOK
            | Capability.HIDE
            | Capability.DELETE
            | Capability.REPLY
            | Capability.MESSAGE
            | Capability.BLOCK
        )

    def notes(self) -> list[str]:
        """What `connectors check` should tell staff about this connector's limits."""
        return [
            "private warnings: one private reply per comment, within 7 days (else a task)",
            "report to Meta and mute: no API, always a task for staff",
        ]

    @property
    def graph(self) -> facebook.GraphAPI:
        """The SDK client, built on first use (so `connectors check` needs no token)."""
        if self._graph is None:
            token = secret_value(self.secrets, self.config.page_token_env)
            self.redactor.add(token)
            rewrite = (GRAPH_URL, self.config.api_base_url) if self.config.api_base_url else None
            session = timed_session(self.config.http.timeout_seconds, rewrite)
            session.hooks["response"].append(self._on_response)
            app_secret = self.secrets(self.config.app_secret_env, required=False)
            proof = None
            if app_secret is not None:  # Meta requires it with "Require App Secret" on
                self.redactor.add(app_secret.get_secret_value())
                proof = appsecret_proof(token, app_secret.get_secret_value())
                self.redactor.add(proof)
            graph = ProvedGraphAPI(
                access_token=token,
                timeout=self.config.http.timeout_seconds,
                session=session,
                proof=proof,
            )
            graph.version = self.config.graph_version  # G1: the constructor refuses it
            self._graph = graph
        return self._graph

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_status = response.status_code
        self._last_headers = {k.lower(): v for k, v in response.headers.items()}

    def _path(self, *parts: str) -> str:
        return "/".join([self.config.graph_version, *parts])

    # --- errors -----------------------------------------------------------------------

    def _regain_seconds(self) -> float | None:
        raw = self._last_headers.get("x-business-use-case-usage")
        if not raw:
            return None
        try:
            usage = json.loads(raw)
            minutes = max(
                float(u.get("estimated_time_to_regain_access") or 0)
                for entries in usage.values()
                for u in entries
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
        )

    def _call(self, what: str, fn: Any, *, retry_transient: bool = True) -> Any:
        """One call through `Caller`, failing on an HTTP error facebook-sdk let through.

        facebook-sdk raises only for a body with an `error` object: a 503 answering `{}`
        would otherwise read as an empty success (and a hide as done).
        """

        def checked() -> Any:
            self._last_status = None
            answer = fn()
            if self._last_status is not None and self._last_status >= 400:
                raise facebook.GraphAPIError(answer if isinstance(answer, dict) else {})
            return answer

        return self.caller.call(what, checked, retry_transient=retry_transient)

    # --- polling ----------------------------------------------------------------------

    def _pages(
        self, object_id: str, edge: str, args: dict[str, Any]
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of one edge, following `paging.next` by its query (never its host)."""
        args = dict(args)
        for _ in range(self.config.max_pages):
            page = self._call(
                f"read {edge} of {object_id}",
                lambda a=args: listing_page(
                    self.graph.request(self._path(object_id, edge), dict(a)),
                    "Facebook",
                    f"read {edge} of {object_id}",
                ),
            )
            data = page.get("data") or []
            yield [item for item in data if isinstance(item, dict)]
            following = (page.get("paging") or {}).get("next")
            if not following or not data:
                return
            args = {k: v[-1] for k, v in parse_qs(urlparse(following).query).items()}
            args.pop("access_token", None)

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield new visitor posts, then each watched post's new comments, then messages."""
        state = load_cursor(cursor, self.name)
        self.caller.check_running()
        start = self.clock() - timedelta(days=self.config.backfill_days)
        page_id = self.config.page_id
        feed_mark = _Watermark(state.get("feed"), start)
        comment_marks: dict[str, Any] = dict(state.get("comments") or {})
        recent: list[str] = []
        if self.config.watch.feed or self.config.watch.comments:
            posts: list[Contact] = []
            # None on the first poll: what changed before it is not an edit to look at.
            edited_since = state.get("feed_updated")
            newest_update = float(edited_since or feed_mark.t)
            for page in self._pages(
                page_id, "feed", {"fields": FEED_FIELDS, "limit": self.config.page_size}
            ):
                older = False
                for post in page:
                    post_id = as_text(post.get("id"))
                    if (
                        post_id
                        and post_id not in recent
                        and len(recent) < self.config.posts_to_watch
                    ):
                        recent.append(post_id)
                    contact = contact_from_post(self.name, page_id, post)
                    when = graph_time(post.get("created_time"))
                    older = older or when.timestamp() < feed_mark.t
                    # An older post changed since the last poll may have been edited: it is
                    # read again, and the store keeps it as a new version if its text changed.
                    updated = graph_time(post.get("updated_time") or post.get("created_time"))
                    changed = edited_since is not None and updated.timestamp() > edited_since
                    newest_update = max(newest_update, updated.timestamp())
                    if (
                        contact is not None
                        and (feed_mark.is_new(contact.external_id, when) or changed)
                        and contact.external_id not in {p.external_id for p in posts}
                    ):
                        posts.append(contact)
                if older and len(recent) >= self.config.posts_to_watch:
                    break
            if self.config.watch.feed:
                for contact in posts:
                    feed_mark.advance(contact.external_id, contact.created_at)
                state["feed"] = feed_mark.dump()
                state["feed_updated"] = newest_update
                yield FetchedBatch(tuple(posts), dump_cursor(state))
        if self.config.watch.comments:
            for post_id in recent:
                mark = _Watermark(comment_marks.get(post_id), start)
                found = list(self._new_comments(post_id, mark))
                for contact in found:
                    mark.advance(contact.external_id, contact.created_at)
                comment_marks[post_id] = mark.dump()
                state["comments"] = comment_marks
                if found:
                    yield FetchedBatch(tuple(found), dump_cursor(state))
            # Forget posts that dropped out of the watched window.
            state["comments"] = {k: v for k, v in comment_marks.items() if k in recent}
        if self.config.watch.messages:
            mark = _Watermark(state.get("messages"), start)
            found = list(self._new_messages(mark))
            for contact in found:
                mark.advance(contact.external_id, contact.created_at)
            state["messages"] = mark.dump()
            if found:
                yield FetchedBatch(tuple(found), dump_cursor(state))
        yield FetchedBatch((), dump_cursor(state))

    def _new_comments(self, post_id: str, mark: _Watermark) -> Iterator[Contact]:
        args = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": self.config.page_size,
        }
        seen: set[str] = set()
        for page in self._pages(post_id, "comments", args):
            older = False
            for comment in page:
                when = graph_time(comment.get("created_time"))
                older = older or when.timestamp() < mark.t
                contact = contact_from_comment(self.name, self.config.page_id, post_id, comment)
                if (
                    contact
                    and contact.external_id not in seen
                    and mark.is_new(contact.external_id, when)
                ):
                    seen.add(contact.external_id)
                    yield contact
            if older:
                return

    def _new_messages(self, mark: _Watermark) -> Iterator[Contact]:
        args = {
            "platform": "messenger",
            "fields": "id,updated_time,messages.limit(25){id,message,from,created_time}",
            "limit": 25,
        }
        for page in self._pages(self.config.page_id, "conversations", args):
            older = False
            for conversation in page:
                if graph_time(conversation.get("updated_time")).timestamp() < mark.t:
                    older = True
                    continue
                for message in (conversation.get("messages") or {}).get("data") or []:
                    contact = contact_from_message(
                        self.name, self.config.page_id, as_text(conversation.get("id")), message
                    )
                    if contact and mark.is_new(contact.external_id, contact.created_at):
                        yield contact
            if older:
                return

    # --- webhooks ---------------------------------------------------------------------

    def webhook_unserved(self) -> str | None:
        """Not served until both the app secret and the verify token are set."""
        unset = unset_secrets(
            self.secrets, [self.config.app_secret_env, self.config.verify_token_env]
        )
        return f"{' and '.join(unset)} not set" if unset else None

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """Meta's verification handshake (GET) and signed `page` deliveries (POST)."""
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
        # Signed, so from Meta: anything unreadable is answered 400 with the reason and
        # nothing of it is stored (a 500 would make Meta send it again for hours).
        try:
            return self._delivery(read_delivery(request.body))
        except PayloadError as exc:
            return WebhookReply(400, str(exc))

    def _delivery(self, data: dict[str, Any]) -> WebhookReply:
        entries = data.get("entry")
        if not isinstance(entries, list):
            raise PayloadError("expected an object with an 'entry' list")
        if not all(isinstance(entry, dict) for entry in entries):
            raise PayloadError("each entry must be an object")
        if data.get("object") != "page":  # e.g. Instagram's, on the same callback URL
            return WebhookReply(
                200,
                "ignored: not a Page delivery",
                foreign=tuple(as_text(e.get("id")) for e in entries),
            )
        contacts: list[Contact] = []
        foreign: list[str] = []
        for index, entry in enumerate(entries):
            entry_page = as_text(entry.get("id"))
            if not entry_page:
                raise PayloadError(f"entry {index} has no 'id' (the Page it is for)")
            if entry_page != self.config.page_id:
                foreign.append(entry_page)  # another Page's: never stored under this one
                continue
            try:
                contacts.extend(self._entry_contacts(entry_page, entry))
            except PayloadError as exc:
                raise PayloadError(f"entry {index}: {exc}") from None
            except (TypeError, AttributeError, ValueError, KeyError) as exc:
                raise PayloadError(
                    f"entry {index} has an unexpected shape ({type(exc).__name__})"
                ) from None
        return WebhookReply(200, "ok", contacts=tuple(contacts), foreign=tuple(foreign))

    def _entry_contacts(self, entry_page: str, entry: dict[str, Any]) -> Iterator[Contact]:
        """The contacts in one entry for this Page (its own posts and replies left out)."""
        changes, messaging = entry.get("changes") or [], entry.get("messaging") or []
        if not isinstance(changes, list) or not isinstance(messaging, list):
            raise PayloadError("'changes' and 'messaging' must be lists")
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") not in ("feed", "mention"):
                continue
            contact = contact_from_change(self.name, entry_page, change["field"], value)
            if contact is not None and contact.account.platform_user_id != entry_page:
                yield contact
        for event in messaging:
            if isinstance(event, dict):
                contact = contact_from_messaging(self.name, entry_page, event)
                if contact is not None and contact.account.platform_user_id != entry_page:
                    yield contact

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
        """Carry out one action on the Page (see the capability matrix in platforms.md)."""
        target = request.target
        kind = request.kind
        item = target.external_id
        private = target.kind is ContactKind.PRIVATE_MESSAGE
        try:
            if (
                kind in (PlatformAction.HIDE, PlatformAction.DELETE, PlatformAction.REPLY)
                and private
            ):
                raise UnsupportedActionError(
                    "a Messenger message cannot be hidden, deleted or answered in public"
                )
            if kind is PlatformAction.HIDE:
                return self._gone_is_done(
                    f"hide {item}",
                    lambda: self.graph.request(self._path(item), post_args={"is_hidden": "true"}),
                    f"facebook:hidden:{item}",
                )
            if kind is PlatformAction.DELETE:
                return self._gone_is_done(
                    f"delete {item}",
                    lambda: self.graph.delete_object(item),
                    f"facebook:deleted:{item}",
                )
            if kind is PlatformAction.REPLY:
                return self._reply(request)
            if kind is PlatformAction.MESSAGE:
                return self._private(request)
            if kind is PlatformAction.BLOCK:
                return self._block(request)
            if kind is PlatformAction.UNHIDE:
                self._call(
                    f"unhide {item}",
                    lambda: confirmed(
                        self.graph.request(self._path(item), post_args={"is_hidden": "false"}),
                        f"unhide {item}",
                    ),
                )
                return ActionReceipt(ok=True, platform_ref=f"facebook:unhidden:{item}")
            if kind is PlatformAction.UNBLOCK:
                return self._unblock(request)
        except ForbiddenError as exc:
            needed = PERMISSION_FOR.get(kind, "pages_messaging")
            raise ForbiddenError(f"{exc} — the Page token needs {needed}") from None
        raise UnsupportedActionError(f"Facebook has no API to {kind.value.replace('_', ' ')}")

    def _gone_is_done(self, what: str, fn: Any, ref: str) -> ActionReceipt:
        try:
            self._call(what, lambda: confirmed(fn(), what))
        except NotFoundError:
            return ActionReceipt(ok=True, platform_ref=ref, detail="already gone from Facebook")
        return ActionReceipt(ok=True, platform_ref=ref)

    def _reply(self, request: ActionRequest) -> ActionReceipt:
        found = self._find_reply(request)
        if found is not None:
            return found  # a reply from an earlier try is already there: never post twice
        item = request.target.external_id
        try:
            result = self._call(
                f"reply to {item}",
                lambda: self.graph.put_comment(item, request.message),
                retry_transient=False,
            )
        except TransientError as exc:
            found = self._find_reply(request)
            if found is not None:
                return found
            raise PlatformError(
                f"{exc}; the reply is not on Facebook, so it will be retried"
            ) from None
        return ActionReceipt(ok=True, platform_ref=f"facebook:comment:{as_text(result.get('id'))}")

    def _find_reply(self, request: ActionRequest) -> ActionReceipt | None:
        """The Page's own reply under the item with this message, if it is there."""
        item = request.target.external_id
        want = request.message.strip()
        for page in self._pages(
            item, "comments", {"fields": "id,from,message", "filter": "stream", "limit": 100}
        ):
            for comment in page:
                author = as_text((comment.get("from") or {}).get("id"))
                if (
                    author == self.config.page_id
                    and as_text(comment.get("message")).strip() == want
                ):
                    return ActionReceipt(
                        ok=True,
                        platform_ref=f"facebook:comment:{as_text(comment.get('id'))}",
                        detail="found on Facebook",
                    )
        return None

    def _private(self, request: ActionRequest) -> ActionReceipt:
        target = request.target
        if target.kind is ContactKind.PRIVATE_MESSAGE:
            recipient = {"id": target.account_platform_id}
            extra = {"messaging_type": "RESPONSE"}
        else:
            if target.account_platform_id.startswith("unknown:"):
                raise UnsupportedActionError(
                    "Facebook did not say who wrote this, so it cannot be answered privately"
                )
            if target.created_at is not None:
                age = self.clock() - target.created_at
                if age > PRIVATE_REPLY_WINDOW:
                    raise UnsupportedActionError(
                        f"Facebook allows a private reply only within 7 days of the comment, "
                        f"and this one is {age.days} days old"
                    )
            key = "post_id" if target.kind is ContactKind.POST else "comment_id"
            recipient = {key: target.external_id}
            extra = {}
        post_args = {
            "recipient": json.dumps(recipient),  # G2: nested values JSON-encoded by hand
            "message": json.dumps({"text": request.message}),
            **extra,
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
                f"{exc}; Facebook may or may not have delivered it"
            ) from None
        return ActionReceipt(
            ok=True, platform_ref=f"facebook:message:{as_text(result.get('message_id'))}"
        )

    def _block(self, request: ActionRequest) -> ActionReceipt:
        target = request.target
        user = target.account_platform_id
        if user.startswith("unknown:"):
            raise UnsupportedActionError(
                "Facebook did not say who wrote this, so the bot cannot block them"
            )
        field = "psid" if target.kind is ContactKind.PRIVATE_MESSAGE else "user"
        self._call(
            f"block {user} from the Page",
            lambda: self.graph.request(
                self._path(self.config.page_id, "blocked"), post_args={field: user}
            ),
        )
        return ActionReceipt(ok=True, platform_ref=f"facebook:blocked:{user}")

    def _unblock(self, request: ActionRequest) -> ActionReceipt:
        target = request.target
        user = target.account_platform_id
        if user.startswith("unknown:"):
            raise UnsupportedActionError("Facebook did not say who wrote this")
        field = "psid" if target.kind is ContactKind.PRIVATE_MESSAGE else "user"
        self._call(
            f"unblock {user} from the Page",
            lambda: self.graph.request(
                self._path(self.config.page_id, "blocked"), args={field: user}, method="DELETE"
            ),
        )
        return ActionReceipt(ok=True, platform_ref=f"facebook:unblocked:{user}")

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """A public reply is looked for under the item; anything else cannot be looked up."""
        if (
            request.kind is PlatformAction.REPLY
            and request.target.kind is not ContactKind.PRIVATE_MESSAGE
        ):
            found = self._find_reply(request)
            return found if found is not None else Recall.NOT_DONE
        return Recall.UNKNOWN

    def close(self) -> None:
        """Close the HTTP session."""
        if self._graph is not None:
            self._graph.session.close()
            self._graph = None


def confirmed(answer: Any, what: str) -> Any:
    """Graph's `{"success": true}`, or an error: nothing else proves a hide or delete."""
    if isinstance(answer, dict) and answer.get("success") is True:
        return answer
    raise PayloadError(
        f"Facebook did not confirm it did {what} (it answered {str(answer)[:80]!r}); "
        "it is not recorded as done"
    )
