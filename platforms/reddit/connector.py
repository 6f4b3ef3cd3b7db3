"""The Reddit connector (praw 7.8, a script app signed in as a moderator of the subreddit).

Polls the subreddit's new comments and submissions, the bot account's inbox (replies,
username mentions, private messages) and the mod queue; Reddit has no webhooks. Removes
(Reddit's "hide"), removes and locks (delete), replies in public distinguished as a
moderator, messages as the subreddit, bans for a set number of days with a message and a
mod note, and mutes from modmail (platforms.md section 3).

praw's streams are not durable (G11), so none is used: comments and submissions are read
newest first down to a created-time watermark kept in the cursor (which, unlike Reddit's
`before=` anchor, survives the anchor being removed, as the bot itself removes things). The
inbox's own cursor is Reddit's unread flag: items are marked read only after the batch that
holds them is stored. The mod queue is a set, not a stream; deduplication makes re-reading it
harmless.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import praw
import prawcore.sessions
import structlog
from praw.models import Comment, Submission

from platforms.base import (
    ActionReceipt,
    ActionRequest,
    Capability,
    Contact,
    DeliveryUnknownError,
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
)
from platforms.parsing import dump_cursor, load_cursor
from platforms.reddit.config import RedditConfig
from platforms.reddit.errors import translate
from platforms.reddit.payloads import contact_from_item, inbox_kind

log = structlog.get_logger(__name__)


MOD_PERMISSION = {
    PlatformAction.HIDE: "posts",
    PlatformAction.DELETE: "posts",
    PlatformAction.REPLY: "posts",
    PlatformAction.BLOCK: "access",
    PlatformAction.MUTE: "access and mail",
    PlatformAction.UNHIDE: "posts",
    PlatformAction.UNBLOCK: "access",
}


class SingleTry(prawcore.sessions.FiniteRetryStrategy):
    """prawcore's retry strategy allowing one try: retries are `Caller`'s alone.

    Left to itself prawcore retries a 5xx or a dropped connection up to three times inside
    each of our attempts, so two attempts sent up to six requests and slept twice as long.
    """

    def __init__(self, retries: int = 1) -> None:
        super().__init__(retries)

    def _sleep_seconds(self) -> float | None:
        return None  # prawcore sleeps 2-4 s before a request when few tries are left


class RedditConnector:
    """One subreddit, moderated through praw as a script app."""

    type_name: ClassVar[str] = "reddit"

    def __init__(
        self,
        name: str,
        config: RedditConfig,
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
        self._reddit: praw.Reddit | None = None
        self._username = ""
        quiet_sdk_loggers()

    def credential_envs(self) -> dict[str, str]:
        """Environment variables this connector reads, and what each is for."""
        c = self.config
        return {
            c.client_id_env: "script app client id",
            c.client_secret_env: "script app client secret",
            c.username_env: "the moderator account's username",
            c.password_env: "the moderator account's password",
        }

    @property
    def capabilities(self) -> Capability:
        """Remove, lock, reply, message, ban, modmail mute; no webhooks, no admin report."""
        return (
            Capability.READ
            | Capability.HIDE
            | Capability.DELETE
            | Capability.REPLY
            | Capability.MESSAGE
            | Capability.BLOCK
            | Capability.MUTE
        )

    def notes(self) -> list[str]:
        """What `connectors check` should tell staff about this connector's limits."""
        return [
            "no webhooks: polled only",
            "hide = moderator remove; block = a timed ban with a message and a mod note",
            "report to Reddit's admins: not possible by API, always a task",
        ]

    @property
    def reddit(self) -> praw.Reddit:
        """The praw client, built on first use (so `connectors check` needs no secrets)."""
        if self._reddit is None:
            c = self.config
            values = {
                "client_id": secret_value(self.secrets, c.client_id_env),
                "client_secret": secret_value(self.secrets, c.client_secret_env),
                "username": secret_value(self.secrets, c.username_env),
                "password": secret_value(self.secrets, c.password_env),
            }
            self.redactor.add(values["client_secret"], values["password"], values["client_id"])
            self._username = values["username"]
            urls = (
                {"oauth_url": c.api_base_url, "reddit_url": c.api_base_url}
                if c.api_base_url
                else {}
            )
            self._reddit = praw.Reddit(
                **values,
                user_agent=c.user_agent,
                check_for_updates=False,
                check_for_async=False,
                timeout=c.http.timeout_seconds,
                ratelimit_seconds=min(c.http.max_rate_limit_wait_seconds, 60),
                requestor_kwargs={"session": timed_session(c.http.timeout_seconds)},
                **urls,
            )
            for core in {self._reddit._core, self._reddit._authorized_core}:
                if core is not None:  # our Caller retries; prawcore's own would multiply it
                    core._retry_strategy_class = SingleTry
        return self._reddit

    @property
    def subreddit(self) -> Any:
        """The moderated subreddit (lazy: no request until used)."""
        return self.reddit.subreddit(self.config.subreddit)

    # --- errors -----------------------------------------------------------------------

    def _translate(self, exc: BaseException, what: str) -> PlatformError:
        c = self.config
        return translate(
            exc,
            what,
            connector=self.name,
            subreddit=c.subreddit,
            scrub=self.redactor.scrub,
            credential_envs=(c.username_env, c.password_env, c.client_id_env, c.client_secret_env),
        )

    def _call(self, what: str, fn: Any, *, retry_transient: bool = True) -> Any:
        return self.caller.call(what, fn, retry_transient=retry_transient)

    # --- polling ----------------------------------------------------------------------

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        """Yield new comments, submissions, inbox items and mod-queue items."""
        state = load_cursor(cursor, self.name)
        self.caller.check_running()
        watch = self.config.watch
        limit = self.config.page_size * self.config.max_pages
        if watch.comments:
            yield self._listing(state, "comments", lambda: self.subreddit.comments(limit=limit))
        if watch.submissions:
            yield self._listing(state, "submissions", lambda: self.subreddit.new(limit=limit))
        if watch.modqueue:
            items = self._call(
                "read the mod queue",
                lambda: list(self.subreddit.mod.modqueue(limit=self.config.page_size)),
            )
            yield FetchedBatch(tuple(self._contacts(items)), dump_cursor(state))
        if watch.edited:  # a set, like the mod queue: the store keeps only real changes
            items = self._call(
                "read recently edited items",
                lambda: list(self.subreddit.mod.edited(limit=self.config.page_size)),
            )
            yield FetchedBatch(tuple(self._contacts(items)), dump_cursor(state))
        if watch.inbox:
            yield from self._inbox(state)

    def _contacts(self, items: list[Any], kind: Any = None) -> list[Contact]:
        """Contacts from praw items, leaving out the bot account's own (its warnings)."""
        me = self._username.lower()
        found = []
        for item in items:
            contact = contact_from_item(self.name, item, kind(item) if kind else None)
            if contact is not None and contact.account.platform_user_id != me:
                found.append(contact)
        return found

    def _listing(self, state: dict[str, Any], source: str, listing: Any) -> FetchedBatch:
        start = self.clock() - timedelta(days=self.config.backfill_days)
        mark = state.get(source) or {}
        since = float(mark.get("t", start.timestamp()))
        seen_at_mark = set(mark.get("ids", []))

        def read() -> list[Any]:
            found = []
            for item in listing():
                created = float(getattr(item, "created_utc", 0) or 0)
                if created < since:
                    break  # newest first: everything further down is older still
                if created == since and item.fullname in seen_at_mark:
                    continue
                found.append(item)
            return found

        items = self._call(f"read new {source} in r/{self.config.subreddit}", read)
        contacts = self._contacts(items)
        newest = max((float(i.created_utc) for i in items), default=since)
        ids = {i.fullname for i in items if float(i.created_utc) == newest}
        if newest == since:
            ids |= seen_at_mark
        state[source] = {"t": newest, "ids": sorted(ids)}
        warnings: tuple[str, ...] = ()
        if len(items) >= self.config.page_size * self.config.max_pages:
            warnings = (
                f"more than {len(items)} new {source} since the last poll; older ones may have "
                "been missed: poll more often or raise max_pages",
            )
        return FetchedBatch(tuple(contacts), dump_cursor(state), warnings)

    def _inbox(self, state: dict[str, Any]) -> Iterator[FetchedBatch]:
        for _ in range(self.config.max_pages):
            items = self._call(
                "read the inbox",
                # One page per call (a ListingGenerator would page on by itself): what is
                # marked read drops out, so the next call gets the next page.
                lambda: list(
                    self.reddit.get(
                        "message/unread/", params={"limit": self.config.page_size, "mark": "false"}
                    )
                ),
            )
            if not items:
                return
            ours = [
                item
                for item in items
                # a mention elsewhere on Reddit is not ours to moderate
                if not isinstance(item, Comment)
                or str(getattr(item, "subreddit", "") or "").lower()
                == self.config.subreddit.lower()
            ]
            contacts = self._contacts(ours, inbox_kind)
            yield FetchedBatch(tuple(contacts), dump_cursor(state))
            # Only now, with the batch stored, is the platform's cursor moved on.
            self._call("mark inbox items read", lambda i=items: self.reddit.inbox.mark_read(i))
            if len(items) < self.config.page_size:
                return

    def webhook_unserved(self) -> str | None:
        """Reddit has no webhooks."""
        return "Reddit has no webhooks; this connector is polled"

    def handle_webhook(self, request: WebhookRequest) -> WebhookReply:
        """Reddit has no webhooks: it is polled."""
        return WebhookReply(404, "Reddit has no webhooks; this connector is polled")

    # --- actions ----------------------------------------------------------------------

    def _thing(self, fullname: str) -> Any:
        prefix, _, item_id = fullname.partition("_")
        if prefix == "t1":
            return Comment(self.reddit, id=item_id)
        if prefix == "t3":
            return Submission(self.reddit, id=item_id)
        raise UnsupportedActionError(
            "a private message cannot be removed, locked or replied to in public"
        )

    def perform(self, request: ActionRequest) -> ActionReceipt:
        """Carry out one moderator action in the subreddit."""
        kind = request.kind
        target = request.target
        try:
            if kind in (PlatformAction.HIDE, PlatformAction.DELETE):
                thing = self._thing(target.external_id)
                self._call(
                    f"remove {target.external_id}",
                    lambda: thing.mod.remove(spam=False, reason_id=self.config.removal_reason_id),
                )
                if kind is PlatformAction.DELETE and self.config.lock_on_delete:
                    self._call(f"lock {target.external_id}", lambda: thing.mod.lock())
                return ActionReceipt(ok=True, platform_ref=f"reddit:removed:{target.external_id}")
            if kind is PlatformAction.REPLY:
                return self._reply(request)
            if kind is PlatformAction.MESSAGE:
                return self._message(request)
            if kind is PlatformAction.BLOCK:
                return self._ban(request)
            if kind is PlatformAction.MUTE:
                user = target.account_handle
                self._call(f"mute u/{user} in modmail", lambda: self.subreddit.muted.add(user))
                return ActionReceipt(ok=True, platform_ref=f"reddit:muted:{user}")
            if kind is PlatformAction.UNHIDE:
                thing = self._thing(target.external_id)
                self._call(f"approve {target.external_id}", lambda: thing.mod.approve())
                return ActionReceipt(ok=True, platform_ref=f"reddit:approved:{target.external_id}")
            if kind is PlatformAction.UNBLOCK:
                user = target.account_handle
                self._call(f"unban u/{user}", lambda: self.subreddit.banned.remove(user))
                return ActionReceipt(ok=True, platform_ref=f"reddit:unbanned:{user}")
        except ForbiddenError as exc:
            needed = MOD_PERMISSION.get(kind, "mail")
            raise ForbiddenError(
                f"{exc}: the bot account needs the '{needed}' moderator permission in "
                f"r/{self.config.subreddit}"
            ) from None
        raise UnsupportedActionError(
            "Reddit has no API to report to its admins (reddit.com/report)"
        )

    def _reply(self, request: ActionRequest) -> ActionReceipt:
        thing = self._thing(request.target.external_id)
        found = self._find_reply(request)
        if found is not None:
            return found
        try:
            reply = self._call(
                f"reply to {request.target.external_id}",
                lambda: thing.reply(body=request.message),
                retry_transient=False,
            )
        except TransientError as exc:
            found = self._find_reply(request)
            if found is not None:
                return found
            raise PlatformError(
                f"{exc}; the reply is not on Reddit, so it will be retried"
            ) from None
        if reply is None:  # quarantined subreddits: created, but praw gets nothing back
            return ActionReceipt(ok=True, platform_ref="reddit:comment:unknown")
        detail = ""
        try:
            self._call("distinguish the reply", lambda: reply.mod.distinguish(how="yes"))
        except PlatformError as exc:
            detail = f"posted but not distinguished: {exc}"
            log.warning("distinguish_failed", connector=self.name, error=str(exc))
        return ActionReceipt(
            ok=True, platform_ref=f"reddit:comment:{reply.fullname}", detail=detail
        )

    def _find_reply(self, request: ActionRequest) -> ActionReceipt | None:
        """The bot's own reply to the target among its recent comments, if it is there."""
        self.reddit  # noqa: B018  (sign in, which sets the username)
        want = request.message.strip()
        target = request.target.external_id

        def recent() -> list[Any]:
            return list(self.reddit.redditor(self._username).comments.new(limit=100))

        for comment in self._call("look for the bot's earlier reply", recent):
            if getattr(comment, "parent_id", "") == target and (comment.body or "").strip() == want:
                return ActionReceipt(
                    ok=True,
                    platform_ref=f"reddit:comment:{comment.fullname}",
                    detail="found on Reddit",
                )
        return None

    def _message(self, request: ActionRequest) -> ActionReceipt:
        user = request.target.account_handle
        try:
            self._call(
                f"message u/{user} from r/{self.config.subreddit}",
                lambda: self.reddit.redditor(user).message(
                    subject=self.config.message_subject,
                    message=request.message,
                    from_subreddit=self.config.subreddit,
                ),
                retry_transient=False,
            )
        except TransientError as exc:
            raise DeliveryUnknownError(f"{exc}; Reddit may or may not have sent it") from None
        return ActionReceipt(ok=True, platform_ref=f"reddit:message:{user}")

    def _ban(self, request: ActionRequest) -> ActionReceipt:
        user = request.target.account_handle
        reason = (request.reason or self.config.ban_reason)[:100]
        self._call(
            f"ban u/{user} from r/{self.config.subreddit}",
            lambda: self.subreddit.banned.add(
                user,
                ban_reason=self.config.ban_reason,
                ban_message=request.message or self.config.ban_reason,  # never our reason
                duration=self.config.ban_days,
                note=reason,
            ),
        )
        detail = ""
        if self.config.mod_notes:
            try:
                self._call(
                    f"add a mod note on u/{user}",
                    lambda: self.subreddit.mod.notes.create(
                        label="BAN",
                        note=reason[:250],
                        redditor=user,
                        thing=request.target.external_id,
                    ),
                )
            except PlatformError as exc:
                detail = f"banned, but the mod note failed: {exc}"
                log.warning("mod_note_failed", connector=self.name, error=str(exc))
        return ActionReceipt(ok=True, platform_ref=f"reddit:banned:{user}", detail=detail)

    def already_done(self, request: ActionRequest) -> ActionReceipt | Recall:
        """A public reply is looked for among the bot's comments; a message cannot be."""
        if request.kind is PlatformAction.REPLY:
            return self._find_reply(request) or Recall.NOT_DONE
        return Recall.UNKNOWN

    def close(self) -> None:
        """Drop the client (praw keeps nothing else open)."""
        self._reddit = None
