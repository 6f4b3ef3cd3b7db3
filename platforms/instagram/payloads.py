"""Instagram Graph items (comments, replies, webhook changes) as Contacts.

Shapes: Meta's Instagram Graph API reference (IG Comment: `id`, `text`, `timestamp`,
`username`, `from{id,username}`, `parent_id`, `media{id}`) and Webhooks for Instagram
(`comments` field: `value{from{id,username}, media{id}, id, parent_id, text}`).
"""

from __future__ import annotations

from typing import Any

from platforms.base import AccountRef, Contact, ContactKind
from platforms.facebook.payloads import graph_time
from platforms.parsing import as_text


def _author(item: dict[str, Any], comment_id: str) -> AccountRef:
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    username = as_text(sender.get("username") or item.get("username"))
    user_id = as_text(sender.get("id")) or (f"username:{username}" if username else "")
    return AccountRef(
        platform="instagram",
        platform_user_id=user_id or f"unknown:{comment_id}",
        handle=username or "unknown Instagram account",
        display_name=username,
    )


def contact_from_comment(
    connector: str,
    own: tuple[str, str],
    comment: dict[str, Any],
    *,
    media_id: str = "",
    permalink: str = "",
    kind: ContactKind | None = None,
) -> Contact | None:
    """A Contact from a polled comment or reply, or a webhook `comments` value.

    `own` is the account's (id, username): its own replies are not moderated. A reply has a
    `parent_id` (the comment it answers); a comment on the account's post does not.
    """
    comment_id = as_text(comment.get("id"))
    if not comment_id:
        return None
    author = _author(comment, comment_id)
    if author.platform_user_id == own[0] or (own[1] and author.handle.lower() == own[1].lower()):
        return None
    media = comment.get("media") if isinstance(comment.get("media"), dict) else {}
    media_id = media_id or as_text(media.get("id"))
    parent = as_text(comment.get("parent_id"))
    return Contact(
        connector=connector,
        platform="instagram",
        external_id=comment_id,
        account=author,
        kind=kind or (ContactKind.REPLY if parent else ContactKind.COMMENT),
        text=as_text(comment.get("text")),
        created_at=graph_time(comment.get("timestamp") or comment.get("created_time")),
        permalink=permalink,
        thread_id=media_id,
        parent_id=parent,
    )
