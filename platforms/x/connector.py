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

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import structlog
import tweepy

from platforms.base import (
    ActionReceipt,
    ActionRequest,
    Capability,
    ContactKind,
    FetchedBatch,
    ForbiddenError,
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
from platforms.parsing import dump_cursor, listing_page, load_cursor, utc_from_unix
from platforms.x.config import XConfig
from platforms.x.errors import AccessTierError, translate
from platforms.x.payloads import (
    as_text,
    contact_from_dm_event,
    contact_from_tweet,
    media_by_key,
    snowflake_time,
    users_by_id,
)
from platforms.x.webhooks import answer_webhook

log = structlog.get_logger(__name__)


API_URL = "https://api.twitter.com"


WINDOWS = {"replies": timedelta(days=7), "direct_messages": timedelta(days=30)}


TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "attachments",
]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "alt_text"]


USER_FIELDS = ["username", "name"]


DM_FIELDS = ["id", "text", "created_at", "sender_id", "dm_conversation_id", "event_type"]


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
        return translate(
            exc,
            what,
            connector=self.name,
            scrub=self.redactor.scrub,
            token_envs=(self.config.access_token_env, self.config.access_token_secret_env),
        )

    def _call(self, what: str, fn: Any, *, retry_transient: bool = True) -> Any:
        """One call through `Caller`; every answer is checked to be a page or an object.

        A page's parts (`data`, `meta`, `includes`) must have their documented shapes, so a
        200 with something else is a recorded fault, never "nothing new".
        """

        def checked() -> Any:
            answer = fn()
            if isinstance(answer, dict):
                shape = answer
                if isinstance(answer.get("data"), dict):
                    shape = {**answer, "data": [answer["data"]]}  # one object: a page of one
                listing_page(shape, "X", what)
            elif isinstance(answer, list | str | int | float):  # JSON, but not an object
                listing_page(answer, "X", what)
            return answer

        return self.caller.call(what, checked, retry_transient=retry_transient)

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
                    expansions=["author_id", "attachments.media_keys"],
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
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
                    expansions=["author_id", "attachments.media_keys"],
                    user_fields=USER_FIELDS,
                    media_fields=MEDIA_FIELDS,
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
            users = users_by_id(page.get("includes"))
            media = media_by_key(page.get("includes"))
            org = self.config.account_id
            contacts = [
                c
                for t in page.get("data") or []
                if isinstance(t, dict)
                and (c := contact_from_tweet(self.name, t, users, kind, org, media))
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
                newest = max((as_text(e.get("id")) for e in events), key=_as_int)
            reached = since is not None and any(
                _as_int(as_text(e.get("id"))) <= _as_int(since) for e in events
            )
            fresh = [
                e for e in events if since is None or _as_int(as_text(e.get("id"))) > _as_int(since)
            ]
            if since is None:  # the very first poll: only the last `backfill_days`
                oldest = self.clock() - timedelta(days=self.config.backfill_days)
                reached = any(snowflake_time(as_text(e.get("id"))) < oldest for e in events)
                fresh = [e for e in fresh if snowflake_time(as_text(e.get("id"))) >= oldest]
            users = users_by_id(page.get("includes"))
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

    def webhook_unserved(self) -> str | None:
        """Not served until the consumer secret (CRC and signatures) is set."""
        unset = unset_secrets(self.secrets, [self.config.consumer_secret_env])
        return f"{unset[0]} not set" if unset else None

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
        return answer_webhook(request, secret, connector=self.name, org=self.config.account_id)

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
            except AccessTierError:
                raise  # the app's access level, not where the reply is
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
            ok=True, platform_ref=f"x:post:{as_text((result.get('data') or {}).get('id'))}"
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
                r.get("type") == "replied_to" and as_text(r.get("id")) == target
                for r in tweet.get("referenced_tweets") or []
            )
            if replied and want in " ".join(as_text(tweet.get("text")).split()):
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
            ok=True, platform_ref=f"x:dm:{as_text((result.get('data') or {}).get('dm_event_id'))}"
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
            if as_text(event.get("sender_id")) == self.config.account_id and want in " ".join(
                as_text(event.get("text")).split()
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
