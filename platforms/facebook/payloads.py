"""Facebook Graph items (posts, comments, Messenger messages, webhook changes) as Contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from platforms.base import (
    AccountRef,
    Attachment,
    Contact,
    ContactKind,
)
from platforms.parsing import as_text, parse_time, utc_from_unix


def graph_time(value: Any) -> datetime:
    """A Graph time: ISO text, or Unix seconds or milliseconds (webhooks); now if absent."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        return utc_from_unix(number / 1000 if number > 1e11 else number)
    if isinstance(value, str) and value:
        return parse_time(value)
    return datetime.now(UTC)


def attachments_of(item: dict[str, Any]) -> tuple[Attachment, ...]:
    """What a Graph comment or webhook change carries besides text.

    A polled comment has `attachment` {type, url, media.image.src, description}; a webhook
    change has `photo` (a URL), `photos` (a list) or `video`, or, for a post, `item` saying
    what it is. Graph gives no alt text for comments; `description` is the nearest it has.
    """
    found: list[Attachment] = []
    attachment = item.get("attachment")
    if isinstance(attachment, dict):
        media = attachment.get("media") if isinstance(attachment.get("media"), dict) else {}
        image = media.get("image") if isinstance(media.get("image"), dict) else {}
        found.append(
            Attachment(
                type=as_text(attachment.get("type")) or "attachment",
                url=as_text(image.get("src") or attachment.get("url")),
                alt_text=as_text(attachment.get("description")),
            )
        )
    if isinstance(item.get("photo"), str):
        found.append(Attachment("photo", item["photo"]))
    if isinstance(item.get("photos"), list):
        found.extend(Attachment("photo", as_text(url)) for url in item["photos"] if url)
    if isinstance(item.get("video"), str):
        found.append(Attachment("video", item["video"]))
    return tuple(found)


def _author(item: dict[str, Any], external_id: str) -> AccountRef:
    """Who wrote an item: `from{id,name}`, or the pre-v2.11 `sender_id`/`sender_name`."""
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    user_id = as_text(sender.get("id") or item.get("sender_id"))
    name = as_text(sender.get("name") or item.get("sender_name"))
    if not user_id:
        # No author without a Page token or the MODERATE task (G13): keep the contact, but as
        # an account of its own, so it is never merged with anyone else's.
        return AccountRef("facebook", f"unknown:{external_id}", "unknown Facebook user")
    return AccountRef("facebook", user_id, name or user_id, name)


def _comment_link(comment_id: str, post_id: str) -> str:
    post = post_id.split("_")[-1] if post_id else comment_id.split("_")[0]
    page = post_id.split("_")[0] if "_" in post_id else ""
    tail = comment_id.split("_")[-1]
    base = (
        f"https://www.facebook.com/{page}/posts/{post}"
        if page
        else f"https://www.facebook.com/{post}"
    )
    return f"{base}?comment_id={tail}"


def contact_from_change(
    connector: str, page_id: str, field: str, value: dict[str, Any]
) -> Contact | None:
    """A Contact from one `feed` or `mention` webhook change, or None for what is not new content.

    Only `add` and `edited` carry something a person wrote (an edit keeps the comment's id,
    so it is stored once); `hide`, `remove`, reactions and likes are not contacts, and our own
    hide and delete actions come back as exactly those.
    """
    verb = value.get("verb")
    item = value.get("item")
    if verb not in ("add", "edited"):
        return None
    post_id = as_text(value.get("post_id"))
    if item == "comment":
        external_id = as_text(value.get("comment_id"))
        parent = as_text(value.get("parent_id"))
        if field == "mention":
            kind = ContactKind.MENTION
        else:
            kind = ContactKind.COMMENT if not parent or parent == post_id else ContactKind.REPLY
        link = (
            as_text((value.get("post") or {}).get("permalink_url"))
            if isinstance(value.get("post"), dict)
            else ""
        )
        permalink = _comment_link(external_id, post_id) if external_id else link
    elif item in ("post", "status", "photo", "video", "share"):
        external_id = post_id
        parent = ""
        kind = ContactKind.MENTION if field == "mention" else ContactKind.POST
        permalink = as_text(value.get("link") if item == "share" else "") or (
            f"https://www.facebook.com/{post_id}" if post_id else ""
        )
    else:
        return None
    if not external_id:
        return None
    return Contact(
        connector=connector,
        platform="facebook",
        external_id=external_id,
        account=_author(value, external_id),
        kind=kind,
        text=as_text(value.get("message")),  # photo-, video- or sticker-only: no message
        created_at=graph_time(value.get("created_time")),
        permalink=permalink,
        thread_id=post_id,
        parent_id=parent if kind is ContactKind.REPLY else "",
        attachments=attachments_of(value),
    )


def contact_from_messaging(connector: str, page_id: str, event: dict[str, Any]) -> Contact | None:
    """A Contact from one Messenger webhook event (`entry[].messaging[]`), or None.

    Echoes of the Page's own messages, deliveries, reads and postbacks are not contacts.
    """
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None
    sender = as_text((event.get("sender") or {}).get("id"))
    mid = as_text(message.get("mid"))
    if not sender or not mid or sender == page_id:
        return None
    return Contact(
        connector=connector,
        platform="facebook",
        external_id=mid,
        account=AccountRef("facebook", sender, sender),
        kind=ContactKind.PRIVATE_MESSAGE,
        text=as_text(message.get("text")),
        created_at=graph_time(event.get("timestamp")),
        permalink=f"https://www.facebook.com/{page_id}/inbox",
        thread_id=sender,
    )


def contact_from_post(connector: str, page_id: str, post: dict[str, Any]) -> Contact | None:
    """A Contact from one polled feed post, or None for the Page's own posts.

    A post with no `from` is taken as the Page's own: with a Page token a visitor post always
    names its author (G13).
    """
    author = post.get("from")
    if not isinstance(author, dict) or as_text(author.get("id")) in ("", page_id):
        return None
    post_id = as_text(post.get("id"))
    if not post_id:
        return None
    return Contact(
        connector=connector,
        platform="facebook",
        external_id=post_id,
        account=_author(post, post_id),
        kind=ContactKind.POST,
        text=as_text(post.get("message")),
        created_at=graph_time(post.get("created_time")),
        permalink=as_text(post.get("permalink_url")) or f"https://www.facebook.com/{post_id}",
        thread_id=post_id,
    )


def comment_id_of(comment: dict[str, Any], post_id: str) -> tuple[str, str]:
    """(comment id, parent comment id) of a polled comment.

    Apps without the MODERATE task get no comment `id` (G13); the permalink still carries it
    as `comment_id` (and `reply_comment_id` for a reply).
    """
    parent = (
        as_text((comment.get("parent") or {}).get("id"))
        if isinstance(comment.get("parent"), dict)
        else ""
    )
    if comment.get("id"):
        return as_text(comment["id"]), parent
    query = parse_qs(urlparse(as_text(comment.get("permalink_url"))).query)
    top = (query.get("comment_id") or [""])[0]
    reply = (query.get("reply_comment_id") or [""])[0]
    post_part = post_id.split("_")[-1]
    if reply:
        return f"{post_part}_{reply}", f"{post_part}_{top}"
    return (f"{post_part}_{top}" if top else ""), parent


def contact_from_comment(
    connector: str, page_id: str, post_id: str, comment: dict[str, Any]
) -> Contact | None:
    """A Contact from one polled comment, or None for the Page's own comments."""
    external_id, parent = comment_id_of(comment, post_id)
    if not external_id:
        return None
    author = _author(comment, external_id)
    if author.platform_user_id == page_id:
        return None
    return Contact(
        connector=connector,
        platform="facebook",
        external_id=external_id,
        account=author,
        kind=ContactKind.REPLY if parent else ContactKind.COMMENT,
        text=as_text(comment.get("message")),  # a photo-only comment has an attachment and no text
        created_at=graph_time(comment.get("created_time")),
        permalink=as_text(comment.get("permalink_url")) or _comment_link(external_id, post_id),
        thread_id=post_id,
        parent_id=parent,
        attachments=attachments_of(comment),
    )


def contact_from_message(
    connector: str, page_id: str, conversation_id: str, message: dict[str, Any]
) -> Contact | None:
    """A Contact from one polled Messenger message, or None for the Page's own."""
    external_id = as_text(message.get("id"))
    author = _author(message, external_id)
    if not external_id or author.platform_user_id == page_id:
        return None
    return Contact(
        connector=connector,
        platform="facebook",
        external_id=external_id,
        account=author,
        kind=ContactKind.PRIVATE_MESSAGE,
        text=as_text(message.get("message")),
        created_at=graph_time(message.get("created_time")),
        permalink=f"https://www.facebook.com/{page_id}/inbox",
        thread_id=conversation_id,
    )
