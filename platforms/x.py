"""The X connector (tweepy 4.17, API v2, OAuth 1.0a user context for the org account).

Polls @mentions, replies to the organisation (recent search, `to:<handle>`) and direct
messages; receives Account Activity (v1.1-shaped) and X Activity (`data.event_type`)
webhook deliveries; hides replies in the organisation's own conversations, replies in public
where X allows it, sends DMs, mutes, and blocks DMs (platforms.md section 1).

What X does not allow becomes a manual task, decided before the call where the rule is known
(a post by someone else cannot be deleted; a reply to someone who did not mention the org is
refused since February 2026; a full block needs Enterprise access) and from X's 403 where it
is not (hiding outside our conversations, DMs that are closed).

Polling reads in user context, so mentions of the org's own account bill as Owned Reads
(G5). Its cursor is JSON per source: the `since_id` to poll from, and while a run is paging,
the `newest_id` of its first page and the `next_token` to resume from (platforms.md 1.1).
Search keeps 7 days and DMs 30: a poll that comes later than that is reported as a gap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

import requests
import structlog
import tweepy
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from platforms._http import (
    Caller,
    Redactor,
    RetrySettings,
    TransientError,
    dump_cursor,
    load_cursor,
    parse_time,
    quiet_sdk_loggers,
    secret_value,
    timed_session,
    utc_from_unix,
)
from platforms.base import (
    AccountRef,
    ActionReceipt,
    ActionRequest,
    AuthError,
    Capability,
    Contact,
    ContactKind,
    FetchedBatch,
    ForbiddenError,
    NotFoundError,
    PlatformAction,
    PlatformError,
    RateLimitedError,
    Recall,
    SecretSource,
    UnsupportedActionError,
    WebhookReply,
    WebhookRequest,
)

log = structlog.get_logger(__name__)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
API_URL = "https://api.twitter.com"
SNOWFLAKE_EPOCH_MS = 1288834974657
WINDOWS = {"replies": timedelta(days=7), "direct_messages": timedelta(days=30)}
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
]
USER_FIELDS = ["username", "name"]
DM_FIELDS = ["id", "text", "created_at", "sender_id", "dm_conversation_id", "event_type"]


class XWatch(BaseModel):
    """Which sources to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mentions: bool = True
    replies: bool = Field(default=True, description="Replies to the org (recent search, 7 days).")
    direct_messages: bool = Field(default=True, description="DMs (15 requests per 15 minutes).")


class XConfig(BaseModel):
    """Settings of one X account connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["x"]
    account_id: NonEmpty = Field(description="The org account's numeric user id.")
    handle: NonEmpty = Field(description="The org account's @handle, without the @.")
    bearer_token_env: NonEmpty = "MODBOT_X_BEARER_TOKEN"
    consumer_key_env: NonEmpty = "MODBOT_X_CONSUMER_KEY"
    consumer_secret_env: NonEmpty = "MODBOT_X_CONSUMER_SECRET"
    access_token_env: NonEmpty = "MODBOT_X_ACCESS_TOKEN"
    access_token_secret_env: NonEmpty = "MODBOT_X_ACCESS_TOKEN_SECRET"
    watch: XWatch = XWatch()
    enterprise: bool = Field(default=False, description="Enterprise access: full blocks work.")
    reply_only_when_mentioned: bool = Field(
        default=True,
        description="Self-serve apps may reply only to posts that mention or quote the org "
        "(since Feb 2026); other public warnings go to staff without trying.",
    )
    page_size: int = Field(default=100, ge=10, le=100)
    max_pages: int = Field(default=10, ge=1, le=100)
    backfill_days: int = Field(
        default=1, ge=0, le=30, description="How far back the very first poll reads."
    )
    poll_interval_seconds: int = Field(default=60, ge=15)
    api_base_url: str | None = Field(default=None, description="Send calls here (a proxy; tests).")
    http: RetrySettings = RetrySettings()


# --- parsing ----------------------------------------------------------------------------------


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def snowflake_time(item_id: str) -> datetime:
    """When an X id was made: the time is in its top bits (used when `created_at` is absent)."""
    try:
        return utc_from_unix(((int(item_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000)
    except ValueError:
        return datetime.now(UTC)


def _link(username: str, tweet_id: str) -> str:
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"


def _account(user_id: str, users: dict[str, dict[str, Any]], fallback_id: str) -> AccountRef:
    user = users.get(user_id) or {}
    handle = _s(user.get("username") or user.get("screen_name"))
    if not user_id:
        return AccountRef("x", f"unknown:{fallback_id}", "unknown X user")
    return AccountRef("x", user_id, handle or user_id, _s(user.get("name")))


def contact_from_tweet(
    connector: str,
    tweet: dict[str, Any],
    users: dict[str, dict[str, Any]],
    kind: ContactKind,
    org_id: str,
) -> Contact | None:
    """A Contact from one v2 post (search, mentions, XAA payload), or None for the org's own."""
    tweet_id = _s(tweet.get("id"))
    author = _s(tweet.get("author_id"))
    if not tweet_id or author == org_id:
        return None
    account = _account(author, users, tweet_id)
    parent = next(
        (
            _s(r.get("id"))
            for r in tweet.get("referenced_tweets") or []
            if isinstance(r, dict) and r.get("type") == "replied_to"
        ),
        "",
    )
    created = tweet.get("created_at")
    return Contact(
        connector=connector,
        platform="x",
        external_id=tweet_id,
        account=account,
        kind=kind,
        text=_s(tweet.get("text")),
        created_at=parse_time(created) if created else snowflake_time(tweet_id),
        permalink=_link(
            account.handle if not account.handle.startswith("unknown") else "", tweet_id
        ),
        thread_id=_s(tweet.get("conversation_id")),
        parent_id=parent,
    )


def contact_from_status(connector: str, status: dict[str, Any], org_id: str) -> Contact | None:
    """A Contact from one v1.1 Tweet object (Account Activity `tweet_create_events`), or None.

    The org's own posts and plain reposts are not contacts.
    """
    user = status.get("user") or {}
    author = _s(user.get("id_str") or user.get("id"))
    tweet_id = _s(status.get("id_str") or status.get("id"))
    if not tweet_id or author == org_id or status.get("retweeted_status"):
        return None
    extended = status.get("extended_tweet") or {}
    text = _s(extended.get("full_text") or status.get("full_text") or status.get("text"))
    mentions = ((status.get("entities") or {}).get("user_mentions")) or []
    mentioned = any(_s(m.get("id_str") or m.get("id")) == org_id for m in mentions)
    replied_to_org = _s(status.get("in_reply_to_user_id_str")) == org_id
    kind = ContactKind.REPLY if replied_to_org and not mentioned else ContactKind.MENTION
    created = status.get("created_at")
    try:
        when = datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except (TypeError, ValueError):
        when = snowflake_time(tweet_id)
    handle = _s(user.get("screen_name"))
    return Contact(
        connector=connector,
        platform="x",
        external_id=tweet_id,
        account=AccountRef(
            "x", author or f"unknown:{tweet_id}", handle or author, _s(user.get("name"))
        ),
        kind=kind,
        text=text,
        created_at=when,
        permalink=_link(handle, tweet_id),
        thread_id=_s(status.get("conversation_id_str")),
        parent_id=_s(status.get("in_reply_to_status_id_str")),
    )


def contact_from_dm_event(
    connector: str, event: dict[str, Any], users: dict[str, dict[str, Any]], org_id: str
) -> Contact | None:
    """A Contact from one DM event: v2 (`sender_id`, `text`) or AAA (`message_create`).

    The org's own outgoing messages, and events that are not messages, are not contacts.
    """
    event_id = _s(event.get("id"))
    create = event.get("message_create")
    if isinstance(create, dict):  # Account Activity / v1.1 shape
        if event.get("type") not in (None, "message_create"):
            return None
        sender = _s(create.get("sender_id"))
        text = _s((create.get("message_data") or {}).get("text"))
        stamp = event.get("created_timestamp")
        when = utc_from_unix(int(stamp) / 1000) if stamp else snowflake_time(event_id)
        thread = sender
    else:
        if event.get("event_type") not in (None, "MessageCreate"):
            return None
        sender = _s(event.get("sender_id"))
        text = _s(event.get("text"))
        created = event.get("created_at")
        when = parse_time(created) if created else snowflake_time(event_id)
        thread = _s(event.get("dm_conversation_id"))
    if not event_id or sender == org_id:
        return None
    account = _account(sender, users, event_id)
    return Contact(
        connector=connector,
        platform="x",
        external_id=f"dm:{event_id}",
        account=account,
        kind=ContactKind.PRIVATE_MESSAGE,
        text=text,
        created_at=when,
        permalink=f"https://x.com/messages/{thread}" if thread else "https://x.com/messages",
        thread_id=thread,
    )


def _users(includes: Any) -> dict[str, dict[str, Any]]:
    users = (includes or {}).get("users") if isinstance(includes, dict) else None
    if isinstance(users, dict):  # AAA: {"users": {id: {...}}}
        return {str(k): v for k, v in users.items() if isinstance(v, dict)}
    return {_s(u.get("id")): u for u in users or [] if isinstance(u, dict)}


# --- the connector ----------------------------------------------------------------------------


class XConnector:
    """The organisation's X account, through tweepy's v2 `Client`."""

    type_name: ClassVar[str] = "x"

    def __init__(
        self,
        name: str,
        config: XConfig,
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
        self._client: tweepy.Client | None = None
        quiet_sdk_loggers()

    # --- setup ------------------------------------------------------------------------

    def credential_envs(self) -> dict[str, str]:
        """Environment variables this connector reads, and what each is for."""
        c = self.config
        return {
            c.bearer_token_env: "app bearer token (webhook registration)",
            c.consumer_key_env: "API key (OAuth 1.0a)",
            c.consumer_secret_env: "API key secret (OAuth 1.0a; webhook CRC and signatures)",
            c.access_token_env: "the org account's access token (OAuth 1.0a)",
            c.access_token_secret_env: "the org account's access token secret (OAuth 1.0a)",
        }

    @property
    def capabilities(self) -> Capability:
        """Hide, reply, DM, mute and block, each with X's conditions; never delete or report."""
        return (
            Capability.READ
            | Capability.WEBHOOK
            | Capability.HIDE
            | Capability.REPLY
            | Capability.MESSAGE
            | Capability.MUTE
            | Capability.BLOCK
        )

    def notes(self) -> list[str]:
        """What `connectors check` should tell staff about this connector's limits."""
        notes = [
            "hide: only replies in conversations the org started (else a task)",
            "public warning: only when the author mentioned or quoted the org (else a task)",
            "delete others' posts, report to X: not possible, always a task",
        ]
        if not self.config.enterprise:
            notes.append("block: mutes and blocks DMs; the full block is a task (Enterprise only)")
        return notes

    @property
    def client(self) -> tweepy.Client:
        """The tweepy client, built on first use (so `connectors check` needs no secrets)."""
        if self._client is None:
            c = self.config
            bearer = self.secrets(c.bearer_token_env, required=False)  # webhook set-up only
            values = {
                "bearer_token": bearer.get_secret_value() if bearer else None,
                "consumer_key": secret_value(self.secrets, c.consumer_key_env),
                "consumer_secret": secret_value(self.secrets, c.consumer_secret_env),
                "access_token": secret_value(self.secrets, c.access_token_env),
                "access_token_secret": secret_value(self.secrets, c.access_token_secret_env),
            }
            self.redactor.add(*values.values())
            client = tweepy.Client(**values, return_type=dict, wait_on_rate_limit=False)
            rewrite = (API_URL, c.api_base_url) if c.api_base_url else None
            timed_session(c.http.timeout_seconds, rewrite, session=client.session)
            self._client = client
        return self._client

    # --- errors -----------------------------------------------------------------------

    def _translate(self, exc: BaseException, what: str) -> PlatformError:
        if isinstance(exc, PlatformError):
            return exc
        if isinstance(exc, requests.Timeout):
            return TransientError(f"X did not answer in time while trying to {what}")
        if isinstance(exc, requests.ConnectionError):
            return TransientError(f"X could not be reached while trying to {what}")
        if not isinstance(exc, tweepy.HTTPException):
            return PlatformError(f"X call failed while trying to {what}: {type(exc).__name__}")
        detail = self.redactor.scrub("; ".join(str(m) for m in exc.api_messages) or "no detail")
        status = exc.response.status_code
        if isinstance(exc, tweepy.TooManyRequests):
            wait = None if exc.reset_time is None else max(0.0, exc.reset_time - time.time() + 1)
            return RateLimitedError(f"X rate limit reached while trying to {what}", wait)
        if isinstance(exc, tweepy.Unauthorized):
            return AuthError(
                f"X rejected the credentials (HTTP 401) while trying to {what}. Check "
                f"{self.config.access_token_env} and {self.config.access_token_secret_env} "
                f"(and the consumer key pair); connector '{self.name}' is stopped until they "
                "are fixed, and its cursor is kept"
            )
        if status == 402:
            return AuthError(
                f"X refused to {what}: the app's API credits are used up (HTTP 402). Top up "
                f"in the developer console; connector '{self.name}' is stopped until then"
            )
        if isinstance(exc, tweepy.Forbidden):
            hint = " (this needs a higher X access tier)" if 453 in exc.api_codes else ""
            return ForbiddenError(f"X refused to {what}: {detail}{hint}")
        if isinstance(exc, tweepy.NotFound):
            return NotFoundError(f"X says the item is gone while trying to {what}")
        if isinstance(exc, tweepy.TwitterServerError):
            return TransientError(f"X answered HTTP {status} while trying to {what}")
        return PlatformError(f"X refused to {what} (HTTP {status}): {detail}")

    def _call(self, what: str, fn: Any, *, retry_transient: bool = True) -> Any:
        return self.caller.call(what, fn, retry_transient=retry_transient)

    # --- polling ----------------------------------------------------------------------

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield new mentions, replies and DMs, page by page, each with its cursor."""
        state = load_cursor(cursor, self.name)
        self.caller.check_running()
        watch = self.config.watch
        org = self.config.account_id
        if watch.mentions:
            yield from self._timeline(
                state,
                "mentions",
                ContactKind.MENTION,
                lambda since, token, start: self.client.get_users_mentions(
                    org,
                    since_id=since,
                    start_time=start,
                    pagination_token=token,
                    max_results=self.config.page_size,
                    tweet_fields=TWEET_FIELDS,
                    expansions=["author_id"],
                    user_fields=USER_FIELDS,
                    user_auth=True,
                ),
            )
        if watch.replies:
            handle = self.config.handle.lstrip("@")
            yield from self._timeline(
                state,
                "replies",
                ContactKind.REPLY,
                lambda since, token, start: self.client.search_recent_tweets(
                    f"to:{handle} -from:{handle}",
                    since_id=since,
                    start_time=start,
                    next_token=token,
                    max_results=self.config.page_size,
                    tweet_fields=TWEET_FIELDS,
                    expansions=["author_id"],
                    user_fields=USER_FIELDS,
                    user_auth=True,
                ),
            )
        if watch.direct_messages:
            yield from self._direct_messages(state)

    def _gap(self, state: dict[str, Any], source: str) -> tuple[str, ...]:
        window = WINDOWS.get(source)
        last = (state.get("polled_at") or {}).get(source)
        if window is None or last is None:
            return ()
        since = self.clock() - utc_from_unix(last)
        if since <= window:
            return ()
        return (
            f"X keeps {source.replace('_', ' ')} for {window.days} days only, and the last "
            f"complete poll was {since.days} days ago: anything from before "
            f"{(self.clock() - window):%d %b %Y} that arrived in between may be lost",
        )

    def _backfill_start(self) -> str:
        start = self.clock() - timedelta(days=self.config.backfill_days)
        return start.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _done(self, state: dict[str, Any], source: str) -> None:
        state.setdefault("polled_at", {})[source] = int(self.clock().timestamp())

    def _timeline(
        self, state: dict[str, Any], source: str, kind: ContactKind, fetch: Any
    ) -> Iterator[FetchedBatch]:
        position = dict(state.get(source) or {})
        since = position.get("since_id")
        token = position.get("next_token")
        newest = position.get("newest")
        warnings = self._gap(state, source)
        # The very first poll reads back `backfill_days` only, not X's whole window.
        start = self._backfill_start() if since is None and token is None else None
        for _ in range(self.config.max_pages):
            page = self._call(f"read {source}", lambda t=token: fetch(since, t, start))
            meta = page.get("meta") or {}
            if token is None:
                newest = meta.get("newest_id") or newest  # the first page of this run
            users = _users(page.get("includes"))
            contacts = [
                c
                for t in page.get("data") or []
                if isinstance(t, dict)
                and (c := contact_from_tweet(self.name, t, users, kind, self.config.account_id))
            ]
            token = meta.get("next_token")
            if token:
                state[source] = {"since_id": since, "newest": newest, "next_token": token}
            else:
                state[source] = {"since_id": newest or since}
                self._done(state, source)
            yield FetchedBatch(tuple(contacts), dump_cursor(state), warnings)
            warnings = ()
            if not token:
                return

    def _direct_messages(self, state: dict[str, Any]) -> Iterator[FetchedBatch]:
        # No since_id on this endpoint: newest first, stop at the last event already stored.
        source = "direct_messages"
        position = dict(state.get(source) or {})
        since = position.get("since_id")
        token = position.get("next_token")
        newest = position.get("newest")
        warnings = self._gap(state, source)
        for _ in range(self.config.max_pages):
            page = self._call(
                "read direct messages",
                lambda t=token: self.client.get_direct_message_events(
                    event_types="MessageCreate",
                    dm_event_fields=DM_FIELDS,
                    expansions=["sender_id"],
                    user_fields=USER_FIELDS,
                    max_results=self.config.page_size,
                    pagination_token=t,
                    user_auth=True,
                ),
            )
            events = [e for e in page.get("data") or [] if isinstance(e, dict)]
            if token is None and events:
                newest = max((_s(e.get("id")) for e in events), key=_as_int)
            reached = since is not None and any(
                _as_int(_s(e.get("id"))) <= _as_int(since) for e in events
            )
            fresh = [
                e for e in events if since is None or _as_int(_s(e.get("id"))) > _as_int(since)
            ]
            if since is None:  # the very first poll: only the last `backfill_days`
                oldest = self.clock() - timedelta(days=self.config.backfill_days)
                reached = any(snowflake_time(_s(e.get("id"))) < oldest for e in events)
                fresh = [e for e in fresh if snowflake_time(_s(e.get("id"))) >= oldest]
            users = _users(page.get("includes"))
            contacts = [
                c
                for e in fresh
                if (c := contact_from_dm_event(self.name, e, users, self.config.account_id))
            ]
            token = None if reached else (page.get("meta") or {}).get("next_token")
            if token:
                state[source] = {"since_id": since, "newest": newest, "next_token": token}
            else:
                state[source] = {"since_id": newest or since}
                self._done(state, source)
            yield FetchedBatch(tuple(contacts), dump_cursor(state), warnings)
            warnings = ()
            if not token:
                return

    # --- webhooks ---------------------------------------------------------------------

    def _consumer_secret(self) -> str:
        return secret_value(self.secrets, self.config.consumer_secret_env)

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """The CRC challenge (GET) and signed Account Activity / X Activity deliveries (POST)."""
        try:
            secret = self._consumer_secret().encode()
        except Exception:
            log.error(
                "webhook_secret_missing", connector=self.name, env=self.config.consumer_secret_env
            )
            return WebhookReply(
                403, "webhook signatures cannot be checked: consumer secret not set"
            )
        if request.method == "GET":
            token = request.query.get("crc_token", "")
            if not token:
                return WebhookReply(400, "crc_token missing")
            digest = hmac.new(secret, token.encode(), hashlib.sha256).digest()
            body = json.dumps({"response_token": "sha256=" + base64.b64encode(digest).decode()})
            return WebhookReply(200, body, media_type="application/json")
        if request.method != "POST":
            return WebhookReply(405, "GET or POST only")
        given = request.headers.get("x-twitter-webhooks-signature", "").strip()
        expected = (
            "sha256="
            + base64.b64encode(hmac.new(secret, request.body, hashlib.sha256).digest()).decode()
        )
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            return WebhookReply(403, "missing or wrong x-twitter-webhooks-signature")
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return WebhookReply(400, "body is not JSON")
        if not isinstance(data, dict):
            return WebhookReply(400, "expected a JSON object")
        try:
            contacts = self._delivery_contacts(data)
        except (TypeError, AttributeError, ValueError) as exc:
            return WebhookReply(400, f"unexpected delivery shape ({type(exc).__name__})")
        return WebhookReply(200, "ok", contacts=tuple(contacts))

    def _delivery_contacts(self, data: dict[str, Any]) -> list[Contact]:
        org = self.config.account_id
        found: list[Contact | None] = []
        envelope = data.get("data")
        if isinstance(envelope, dict) and "event_type" in envelope:  # X Activity API
            event_type = _s(envelope.get("event_type"))
            payload = envelope.get("payload") or {}
            users = _users(envelope.get("includes"))
            if event_type.startswith("dm."):
                if event_type == "dm.received":
                    found.append(contact_from_dm_event(self.name, payload, users, org))
            elif event_type in ("post.mention.create", "post.reply.create"):
                kind = ContactKind.MENTION if "mention" in event_type else ContactKind.REPLY
                found.append(contact_from_tweet(self.name, payload, users, kind, org))
            return [c for c in found if c is not None]
        for_user = _s(data.get("for_user_id")) or org
        own = {org, for_user}
        for status in data.get("tweet_create_events") or []:
            contact = contact_from_status(self.name, status, for_user)
            found.append(
                contact if contact and contact.account.platform_user_id not in own else None
            )
        users = _users(data)
        for event in data.get("direct_message_events") or []:
            contact = contact_from_dm_event(self.name, event, users, for_user)
            found.append(
                contact if contact and contact.account.platform_user_id not in own else None
            )
        return [c for c in found if c is not None]

    # --- actions ----------------------------------------------------------------------

    def perform(self, request: ActionRequest) -> ActionReceipt:
        """Carry out one action on X (see the capability matrix in platforms.md)."""
        kind = request.kind
        target = request.target
        post = target.external_id
        private = target.kind is ContactKind.PRIVATE_MESSAGE
        if kind in (PlatformAction.HIDE, PlatformAction.REPLY) and private:
            raise UnsupportedActionError("a direct message cannot be hidden or answered in public")
        if kind is PlatformAction.HIDE:
            if target.thread_id and target.thread_id == post:
                raise UnsupportedActionError(
                    "this post starts its own conversation, and X lets an account hide only "
                    "replies in conversations it started"
                )
            try:
                self._call(
                    f"hide reply {post}", lambda: self.client.hide_reply(post, user_auth=True)
                )
            except ForbiddenError as exc:
                raise UnsupportedActionError(
                    f"X lets an account hide only replies in conversations it started ({exc})"
                ) from None
            return ActionReceipt(ok=True, platform_ref=f"x:hidden:{post}")
        if kind is PlatformAction.REPLY:
            return self._reply(request)
        if kind is PlatformAction.MESSAGE:
            return self._dm(request)
        if kind is PlatformAction.MUTE:
            self._mute(target)
            return ActionReceipt(ok=True, platform_ref=f"x:muted:{target.account_platform_id}")
        if kind is PlatformAction.BLOCK:
            return self._block(target)
        if kind is PlatformAction.UNHIDE:
            self._call(
                f"unhide reply {post}", lambda: self.client.unhide_reply(post, user_auth=True)
            )
            return ActionReceipt(ok=True, platform_ref=f"x:unhidden:{post}")
        if kind is PlatformAction.UNBLOCK:
            return self._unblock(target)
        raise UnsupportedActionError(
            "X lets an account delete only its own posts"
            if kind is PlatformAction.DELETE
            else "X offers self-serve apps no way to report"
        )

    def _user(self, target: Any) -> str:
        user = target.account_platform_id
        if not user or user.startswith("unknown:"):
            raise UnsupportedActionError("X did not say who wrote this")
        return user

    def _mute(self, target: Any) -> None:
        user = self._user(target)
        self._call(f"mute {user}", lambda: self.client.mute(user, user_auth=True))

    def _block(self, target: Any) -> ActionReceipt:
        user = self._user(target)
        me = self.config.account_id
        if self.config.enterprise:
            self._call(
                f"block {user}",
                lambda: self.client.request(
                    "POST", f"/2/users/{me}/blocking", json={"target_user_id": user}, user_auth=True
                ),
            )
            return ActionReceipt(ok=True, platform_ref=f"x:blocked:{user}")
        self._call(
            f"block direct messages from {user}",
            lambda: self.client.request("POST", f"/2/users/{user}/dm/block", user_auth=True),
        )
        self._mute(target)
        raise UnsupportedActionError(
            "X lets only Enterprise apps block accounts; the bot has muted "
            f"@{target.account_handle} and blocked their direct messages, so block them on X "
            "by hand"
        )

    def _unblock(self, target: Any) -> ActionReceipt:
        """Undo `_block`: lift the block (Enterprise), or the mute and the DM block."""
        user = self._user(target)
        me = self.config.account_id
        if self.config.enterprise:
            self._call(
                f"unblock {user}",
                lambda: self.client.request(
                    "DELETE", f"/2/users/{me}/blocking/{user}", user_auth=True
                ),
            )
            return ActionReceipt(ok=True, platform_ref=f"x:unblocked:{user}")
        self._call(
            f"unblock direct messages from {user}",
            lambda: self.client.request("POST", f"/2/users/{user}/dm/unblock", user_auth=True),
        )
        self._call(f"unmute {user}", lambda: self.client.unmute(user, user_auth=True))
        raise UnsupportedActionError(
            f"the bot has unmuted @{target.account_handle} and lifted the block on their direct "
            "messages; if staff blocked the account on X by hand, lift that block by hand too"
        )

    def _reply(self, request: ActionRequest) -> ActionReceipt:
        target = request.target
        if self.config.reply_only_when_mentioned and target.kind is not ContactKind.MENTION:
            raise UnsupportedActionError(
                "X lets self-serve apps reply only when the author mentioned or quoted the "
                "organisation's account, and this post did not"
            )
        found = self._find_reply(request)
        if found is not None:
            return found
        try:
            result = self._call(
                f"reply to {target.external_id}",
                lambda: self.client.create_tweet(
                    text=request.message, in_reply_to_tweet_id=target.external_id, user_auth=True
                ),
                retry_transient=False,
            )
        except ForbiddenError as exc:
            raise UnsupportedActionError(f"X refused the public reply ({exc})") from None
        except TransientError as exc:
            found = self._find_reply(request)
            if found is not None:
                return found
            raise PlatformError(f"{exc}; the reply is not on X, so it will be retried") from None
        return ActionReceipt(
            ok=True, platform_ref=f"x:post:{_s((result.get('data') or {}).get('id'))}"
        )

    def _find_reply(self, request: ActionRequest) -> ActionReceipt | None:
        """The org's own reply to the target, if X already has it (newer than the target)."""
        target = request.target.external_id
        page = self._call(
            "look for the org's earlier reply",
            lambda: self.client.get_users_tweets(
                self.config.account_id,
                since_id=target,
                max_results=100,
                tweet_fields=["referenced_tweets", "conversation_id"],
                user_auth=True,
            ),
        )
        want = " ".join(request.message.split())[:30]
        for tweet in page.get("data") or []:
            replied = any(
                r.get("type") == "replied_to" and _s(r.get("id")) == target
                for r in tweet.get("referenced_tweets") or []
            )
            if replied and want in " ".join(_s(tweet.get("text")).split()):
                return ActionReceipt(
                    ok=True, platform_ref=f"x:post:{tweet.get('id')}", detail="found on X"
                )
        return None

    def _dm(self, request: ActionRequest) -> ActionReceipt:
        user = self._user(request.target)
        found = self._find_dm(request)
        if found is not None:
            return found
        try:
            result = self._call(
                f"send a direct message to {user}",
                lambda: self.client.create_direct_message(
                    participant_id=user, text=request.message, user_auth=True
                ),
                retry_transient=False,
            )
        except ForbiddenError as exc:
            raise UnsupportedActionError(
                f"X refused the direct message: @{request.target.account_handle} does not accept "
                f"DMs from the organisation or has blocked it ({exc})"
            ) from None
        except TransientError as exc:
            found = self._find_dm(request)
            if found is not None:
                return found
            raise PlatformError(f"{exc}; the message is not on X, so it will be retried") from None
        return ActionReceipt(
            ok=True, platform_ref=f"x:dm:{_s((result.get('data') or {}).get('dm_event_id'))}"
        )

    def _find_dm(self, request: ActionRequest) -> ActionReceipt | None:
        """The org's own DM with this text in the conversation with the person, if any."""
        user = self._user(request.target)
        page = self._call(
            "look for the org's earlier message",
            lambda: self.client.get_direct_message_events(
                participant_id=user,
                dm_event_fields=["id", "text", "sender_id", "created_at"],
                max_results=50,
                user_auth=True,
            ),
        )
        want = " ".join(request.message.split())[:30]
        for event in page.get("data") or []:
            if _s(event.get("sender_id")) == self.config.account_id and want in " ".join(
                _s(event.get("text")).split()
            ):
                return ActionReceipt(
                    ok=True, platform_ref=f"x:dm:{event.get('id')}", detail="found on X"
                )
        return None

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """Replies and DMs are looked for on X; idempotent actions are simply redone."""
        if request.kind is PlatformAction.REPLY:
            return self._find_reply(request) or Recall.NOT_DONE
        if request.kind is PlatformAction.MESSAGE:
            return self._find_dm(request) or Recall.NOT_DONE
        return Recall.UNKNOWN

    def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            self._client.session.close()
            self._client = None


def _as_int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
