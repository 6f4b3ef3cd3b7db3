"""X posts, DM events and webhook deliveries (v2 and v1.1 shapes) as Contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from platforms.base import (
    AccountRef,
    Attachment,
    Contact,
    ContactKind,
    PayloadError,
)
from platforms.parsing import as_text, parse_time, utc_from_unix

SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake_time(item_id: str) -> datetime:
    """When an X id was made: the time is in its top bits (used when `created_at` is absent)."""
    try:
        return utc_from_unix(((int(item_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000)
    except (ValueError, PayloadError):
        return datetime.now(UTC)


def _link(username: str, tweet_id: str) -> str:
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"


def _account(user_id: str, users: dict[str, dict[str, Any]], fallback_id: str) -> AccountRef:
    user = users.get(user_id) or {}
    handle = as_text(user.get("username") or user.get("screen_name"))
    if not user_id:
        return AccountRef("x", f"unknown:{fallback_id}", "unknown X user")
    return AccountRef("x", user_id, handle or user_id, as_text(user.get("name")))


def media_by_key(includes: Any) -> dict[str, dict[str, Any]]:
    """The media an answer includes (`includes.media`), by `media_key`."""
    media = (includes or {}).get("media") if isinstance(includes, dict) else None
    return {as_text(m.get("media_key")): m for m in media or [] if isinstance(m, dict)}


def _v2_attachments(tweet: dict[str, Any], media: dict[str, dict[str, Any]]) -> tuple:
    """A v2 post's pictures and videos, with the alt text its author wrote for them."""
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    found = []
    for key in keys if isinstance(keys, list) else []:
        item = media.get(as_text(key)) or {}
        found.append(
            Attachment(
                type=as_text(item.get("type")) or "media",
                url=as_text(item.get("url") or item.get("preview_image_url")),
                alt_text=as_text(item.get("alt_text")),
            )
        )
    return tuple(found)


def _v1_attachments(status: dict[str, Any]) -> tuple:
    """A v1.1 post's media (`extended_entities`), with `ext_alt_text`."""
    extended = (
        status.get("extended_tweet") if isinstance(status.get("extended_tweet"), dict) else {}
    )
    entities = extended.get("extended_entities") or status.get("extended_entities") or {}
    return tuple(
        Attachment(
            type=as_text(m.get("type")) or "media",
            url=as_text(m.get("media_url_https") or m.get("media_url")),
            alt_text=as_text(m.get("ext_alt_text")),
        )
        for m in (entities.get("media") or [] if isinstance(entities, dict) else [])
        if isinstance(m, dict)
    )


def contact_from_tweet(
    connector: str,
    tweet: dict[str, Any],
    users: dict[str, dict[str, Any]],
    kind: ContactKind,
    org_id: str,
    media: dict[str, dict[str, Any]] | None = None,
) -> Contact | None:
    """A Contact from one v2 post (search, mentions, XAA payload), or None for the org's own."""
    tweet_id = as_text(tweet.get("id"))
    author = as_text(tweet.get("author_id"))
    if not tweet_id or author == org_id:
        return None
    account = _account(author, users, tweet_id)
    parent = next(
        (
            as_text(r.get("id"))
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
        text=as_text(tweet.get("text")),
        created_at=parse_time(created) if created else snowflake_time(tweet_id),
        permalink=_link(
            account.handle if not account.handle.startswith("unknown") else "", tweet_id
        ),
        thread_id=as_text(tweet.get("conversation_id")),
        parent_id=parent,
        attachments=_v2_attachments(tweet, media or {}),
    )


def contact_from_status(connector: str, status: dict[str, Any], org_id: str) -> Contact | None:
    """A Contact from one v1.1 Tweet object (Account Activity `tweet_create_events`), or None.

    The org's own posts and plain reposts are not contacts.
    """
    user = status.get("user") or {}
    author = as_text(user.get("id_str") or user.get("id"))
    tweet_id = as_text(status.get("id_str") or status.get("id"))
    if not tweet_id or author == org_id or status.get("retweeted_status"):
        return None
    extended = status.get("extended_tweet") or {}
    text = as_text(extended.get("full_text") or status.get("full_text") or status.get("text"))
    mentions = ((status.get("entities") or {}).get("user_mentions")) or []
    mentioned = any(as_text(m.get("id_str") or m.get("id")) == org_id for m in mentions)
    replied_to_org = as_text(status.get("in_reply_to_user_id_str")) == org_id
    kind = ContactKind.REPLY if replied_to_org and not mentioned else ContactKind.MENTION
    created = status.get("created_at")
    try:
        when = datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except (TypeError, ValueError):
        when = snowflake_time(tweet_id)
    handle = as_text(user.get("screen_name"))
    return Contact(
        connector=connector,
        platform="x",
        external_id=tweet_id,
        account=AccountRef(
            "x", author or f"unknown:{tweet_id}", handle or author, as_text(user.get("name"))
        ),
        kind=kind,
        text=text,
        created_at=when,
        permalink=_link(handle, tweet_id),
        thread_id=as_text(status.get("conversation_id_str")),
        parent_id=as_text(status.get("in_reply_to_status_id_str")),
        attachments=_v1_attachments(status),
    )


def contact_from_dm_event(
    connector: str, event: dict[str, Any], users: dict[str, dict[str, Any]], org_id: str
) -> Contact | None:
    """A Contact from one DM event: v2 (`sender_id`, `text`) or AAA (`message_create`).

    The org's own outgoing messages, and events that are not messages, are not contacts.
    """
    event_id = as_text(event.get("id"))
    create = event.get("message_create")
    if isinstance(create, dict):  # Account Activity / v1.1 shape
        if event.get("type") not in (None, "message_create"):
            return None
        sender = as_text(create.get("sender_id"))
        text = as_text((create.get("message_data") or {}).get("text"))
        stamp = event.get("created_timestamp")
        when = utc_from_unix(int(stamp) / 1000) if stamp else snowflake_time(event_id)
        thread = sender
    else:
        if event.get("event_type") not in (None, "MessageCreate"):
            return None
        sender = as_text(event.get("sender_id"))
        text = as_text(event.get("text"))
        created = event.get("created_at")
        when = parse_time(created) if created else snowflake_time(event_id)
        thread = as_text(event.get("dm_conversation_id"))
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


def users_by_id(includes: Any) -> dict[str, dict[str, Any]]:
    """The users an answer or delivery includes, by id (both X API shapes)."""
    users = (includes or {}).get("users") if isinstance(includes, dict) else None
    if isinstance(users, dict):  # AAA: {"users": {id: {...}}}
        return {str(k): v for k, v in users.items() if isinstance(v, dict)}
    return {as_text(u.get("id")): u for u in users or [] if isinstance(u, dict)}


def contacts_from_delivery(connector: str, org: str, data: dict[str, Any]) -> list[Contact]:
    """The contacts in one webhook delivery (X Activity or Account Activity), not our own."""
    found: list[Contact | None] = []
    envelope = data.get("data")
    if isinstance(envelope, dict) and "event_type" in envelope:  # X Activity API
        event_type = as_text(envelope.get("event_type"))
        payload = envelope.get("payload") or {}
        users = users_by_id(envelope.get("includes"))
        if event_type.startswith("dm."):
            if event_type == "dm.received":
                found.append(contact_from_dm_event(connector, payload, users, org))
        elif event_type in ("post.mention.create", "post.reply.create"):
            kind = ContactKind.MENTION if "mention" in event_type else ContactKind.REPLY
            media = media_by_key(envelope.get("includes"))
            found.append(contact_from_tweet(connector, payload, users, kind, org, media))
        return [c for c in found if c is not None]
    for_user = as_text(data.get("for_user_id")) or org
    own = {org, for_user}
    for status in data.get("tweet_create_events") or []:
        contact = contact_from_status(connector, status, for_user)
        found.append(contact if contact and contact.account.platform_user_id not in own else None)
    users = users_by_id(data)
    for event in data.get("direct_message_events") or []:
        contact = contact_from_dm_event(connector, event, users, for_user)
        found.append(contact if contact and contact.account.platform_user_id not in own else None)
    return [c for c in found if c is not None]
