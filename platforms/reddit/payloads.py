"""Reddit comments, submissions and inbox items (praw objects) as Contacts."""

from __future__ import annotations

from typing import Any

from praw.models import Comment, Message, Submission

from platforms.base import (
    AccountRef,
    Attachment,
    Contact,
    ContactKind,
)
from platforms.parsing import as_text, utc_from_unix

REDDIT = "https://www.reddit.com"


def _author(item: Any) -> AccountRef | None:
    author = getattr(item, "author", None)
    name = str(author) if author is not None else ""
    if not name or name == "[deleted]":
        return None
    return AccountRef("reddit", name.lower(), name, name)


def submission_attachments(item: Any) -> tuple[Attachment, ...]:
    """A post's picture, video, gallery or link (Reddit's `post_hint`, `media_metadata`).

    Read from the fields the listing gave (`vars`): asking praw for a missing one would
    fetch the post again. A gallery item's caption is the nearest Reddit has to alt text.
    """
    data = vars(item)
    if data.get("is_self"):
        return ()
    if data.get("is_gallery"):
        metadata = data.get("media_metadata") or {}
        gallery = (data.get("gallery_data") or {}).get("items") or []
        found = []
        for entry in gallery:
            media = metadata.get(entry.get("media_id"), {}) if isinstance(entry, dict) else {}
            source = media.get("s") if isinstance(media.get("s"), dict) else {}
            found.append(
                Attachment(
                    "photo",
                    as_text(source.get("u") or source.get("gif")),
                    as_text(entry.get("caption")),
                )
            )
        return tuple(found)
    url = as_text(data.get("url"))
    if not url:
        return ()
    hint = as_text(data.get("post_hint"))
    kind = {"image": "photo", "hosted:video": "video", "rich:video": "video"}.get(hint, "link")
    return (Attachment(kind, url),)


def contact_from_item(connector: str, item: Any, kind: ContactKind | None = None) -> Contact | None:
    """A Contact from a praw Comment, Submission or Message, or None (deleted author).

    Args:
        connector: the connector's configured name.
        item: the praw object.
        kind: what the item is to the org (a reply, a mention); by default a comment is a
            comment, a submission a post and a message a private message.
    """
    account = _author(item)
    if account is None:
        return None
    created = utc_from_unix(getattr(item, "created_utc", 0) or 0)
    if isinstance(item, Message):
        return Contact(
            connector=connector,
            platform="reddit",
            external_id=item.fullname,
            account=account,
            kind=ContactKind.PRIVATE_MESSAGE,
            text="\n".join(p for p in (getattr(item, "subject", ""), item.body) if p),
            created_at=created,
            permalink=f"{REDDIT}/message/messages/{item.id}",
            thread_id=getattr(item, "first_message_name", None) or item.fullname,
        )
    if isinstance(item, Submission):
        return Contact(
            connector=connector,
            platform="reddit",
            external_id=item.fullname,
            account=account,
            kind=kind or ContactKind.POST,
            text="\n\n".join(p for p in (item.title, getattr(item, "selftext", "")) if p),
            created_at=created,
            permalink=REDDIT + item.permalink,
            thread_id=item.fullname,
            attachments=submission_attachments(item),
        )
    if isinstance(item, Comment):
        parent = getattr(item, "parent_id", "") or ""
        link = getattr(item, "link_id", "") or ""
        permalink = getattr(item, "context", None) or getattr(item, "permalink", None) or ""
        if not permalink and link.startswith("t3_"):  # older listings carry no permalink
            permalink = f"/r/{getattr(item, 'subreddit', '')}/comments/{link[3:]}/_/{item.id}/"
        return Contact(
            connector=connector,
            platform="reddit",
            external_id=item.fullname,
            account=account,
            kind=kind or (ContactKind.REPLY if parent.startswith("t1_") else ContactKind.COMMENT),
            text=item.body,
            created_at=created,
            permalink=(REDDIT + permalink.split("?")[0]) if permalink else "",
            thread_id=link,
            parent_id=parent if parent != link else "",
        )
    return None


def inbox_kind(item: Any) -> ContactKind | None:
    """What an inbox item is to us: a reply, a mention or a private message (None: skip)."""
    if isinstance(item, Comment):
        subject = (getattr(item, "subject", "") or "").lower()
        return ContactKind.MENTION if "mention" in subject else ContactKind.REPLY
    return None
