"""Storing contacts: once each, with the cursor that covers them, from polls and webhooks.

A batch of contacts and its cursor commit together, and the store's unique key (platform,
external id) drops repeats, so fetching a batch twice after a crash is harmless. The
organisation's own posts are stored too (marked, never moderated): they are the answers the
persistence detector looks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from bot.dates.clock import Clock
from bot.errors import EXPECTED
from bot.identify.accounts import upsert_accounts
from bot.ingest.cursors import (
    advance_cursor,
    get_cursor,
    record_connector_error,
    record_poll_success,
)
from bot.settings.schema import OrganisationConfig
from bot.storage import models as m
from bot.storage.models import NEW, OWN
from bot.storage.queries import insert_ignoring_duplicates
from bot.storage.session import Store
from platforms.base import Connector, Contact, SetAside

log = structlog.get_logger(__name__)


@dataclass
class Ingested:
    """What one connector's poll gave: counts, and problems for connector health."""

    fetched: int = 0
    stored: int = 0
    problems: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)  # "line 12: why", one per item
    stopped: bool = False  # asked to stop between two batches


def store_contacts(
    store: Store,
    contacts: Sequence[Contact],
    *,
    organisation: OrganisationConfig,
    now: Clock,
    connector: str = "",
    cursor: str | None = None,
    set_aside: Sequence[SetAside] = (),
) -> int:
    """Store contacts once each (a repeat is ignored) and, for a poll, `connector`'s cursor.

    Items the connector set aside are kept in the same transaction, so the cursor never
    passes one that was not stored. Webhook deliveries come here with no cursor. Returns
    how many contacts were new.
    """
    at = now()
    with store.begin() as session:
        for item in set_aside:
            session.add(
                m.SetAsideItem(
                    connector=connector,
                    position=item.where,
                    reason=item.reason,
                    raw=item.raw,
                    set_aside_at=at,
                )
            )
        accounts = upsert_accounts(session, (c.account for c in contacts), at)
        rows = [
            {
                "connector": c.connector,
                "platform": c.platform,
                "external_id": c.external_id,
                "account_id": accounts[(c.account.platform, c.account.platform_user_id)].id,
                "kind": c.kind,
                "text": c.text,
                "created_at": c.created_at,
                "ingested_at": at,
                "permalink": c.permalink,
                "thread_id": c.thread_id,
                "parent_id": c.parent_id,
                "attachments": [a.as_dict() for a in c.attachments],
                "status": OWN if organisation.is_own(c.platform, c.account.handle) else NEW,
            }
            for c in contacts
        ]
        rows = versioned(session, rows)
        stored = insert_ignoring_duplicates(
            session, m.Contact, rows, ["platform", "external_id", "version"]
        )
        if cursor is not None:
            advance_cursor(session=session, connector=connector, cursor=cursor, at=at)
    return stored


def versioned(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows worth storing, each with its version: an edit is the item's next version.

    A platform item seen again with the text and attachments it was stored with is a repeat
    (a replayed delivery, a re-read page) and is dropped; with different ones it was edited,
    and is stored beside the earlier versions, which the register keeps.
    """
    keys = {(r["platform"], r["external_id"]) for r in rows}
    latest: dict[tuple[str, str], tuple[int, str, list[Any]]] = {}
    if keys:
        stored = session.execute(
            sa.select(
                m.Contact.platform,
                m.Contact.external_id,
                m.Contact.version,
                m.Contact.text,
                m.Contact.attachments,
            )
            .where(sa.tuple_(m.Contact.platform, m.Contact.external_id).in_(list(keys)))
            .order_by(m.Contact.version)
        )
        for platform, external_id, version, text, attachments in stored:
            latest[(platform, external_id)] = (version, text, attachments or [])
    kept = []
    for row in rows:
        key = (row["platform"], row["external_id"])
        seen = latest.get(key)
        if seen is not None and same_content(seen[1], seen[2], row["text"], row["attachments"]):
            continue
        row["version"] = seen[0] + 1 if seen is not None else 1
        latest[key] = (row["version"], row["text"], row["attachments"])
        kept.append(row)
    return kept


def same_content(text: str, attachments: list[Any], other_text: str, others: list[Any]) -> bool:
    """Whether two readings of an item say the same: text, and what is attached.

    Attachments compare by kind and alt text, not URL: Meta's picture URLs are signed and
    change between a webhook and a poll, which is no edit.
    """

    def shape(items: list[Any]) -> list[tuple[str, str]]:
        return [(str(a.get("type", "")), str(a.get("alt_text", ""))) for a in items or []]

    return text == other_text and shape(attachments) == shape(others)


def ingest(
    store: Store,
    name: str,
    connector: Connector,
    *,
    organisation: OrganisationConfig,
    clock: Clock,
    should_stop: Callable[[], bool],
) -> Ingested:
    """Store a connector's new contacts, advancing its cursor batch by batch.

    A failure keeps the cursor where the last stored batch left it; it and any warning (a
    polling gap longer than the platform keeps) are recorded in connector health after the
    cursor moves, so advancing it does not clear them.
    """
    result = Ingested()
    with store.begin() as session:
        cursor = get_cursor(session=session, connector=name).cursor
    try:
        for batch in connector.fetch_since(cursor):
            result.stored += store_contacts(
                store,
                batch.contacts,
                organisation=organisation,
                now=clock,
                connector=name,
                cursor=batch.cursor,
                set_aside=batch.set_aside,
            )
            result.fetched += len(batch.contacts)
            result.problems.extend(batch.warnings)
            result.set_aside.extend(f"{i.where} set aside: {i.reason}" for i in batch.set_aside)
            if should_stop():
                result.stopped = True
                break
        else:
            with store.begin() as session:
                record_poll_success(session=session, connector=name, at=clock())
    except EXPECTED as exc:
        result.problems.append(str(exc))
    except Exception as exc:  # loop edge: one connector's fault never ends the pass
        # Connectors translate their SDK's errors; this is a bug in one of them. Its text
        # could hold anything (a URL with a token), so only its type is recorded.
        log.exception("connector_crashed", connector=name)
        result.problems.append(
            f"the connector failed unexpectedly ({type(exc).__name__}); its cursor is kept "
            "and the next pass tries again. Details are in the log"
        )
    if result.problems:
        with store.begin() as session:
            record_connector_error(
                session=session, connector=name, error="; ".join(result.problems), at=clock()
            )
    return result
