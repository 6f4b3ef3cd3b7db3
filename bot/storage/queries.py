"""Queries shared by the pipeline, the CLI and (later) the web pages.

Keyword-only functions; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain import MAX_ROW_ID
from bot.storage.models import Base, Contact, Finding
from filters.base import TEXT_CATEGORIES, Category
from platforms.base import AccountRef, Attachment
from platforms.base import Contact as DomainContact


def insert_ignoring_duplicates(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """Insert `rows`, skipping any that clash on the `unique` columns. Returns rows inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model.__table__)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(model.__table__.c.id)
    )
    # One cached statement, batched by SQLAlchemy's insertmanyvalues; RETURNING rather than
    # rowcount, which drivers report differently for multi-row inserts.
    return len(session.execute(statement, list(rows)).all())


def to_domain(contact: Contact) -> DomainContact:
    """The stored contact as the plain domain type the engine decides on."""
    account = contact.account
    return DomainContact(
        connector=contact.connector,
        platform=contact.platform,
        external_id=contact.external_id,
        account=AccountRef(
            platform=account.platform,
            platform_user_id=account.platform_user_id,
            handle=account.handle,
            display_name=account.display_name,
        ),
        kind=contact.kind,
        text=contact.text,
        created_at=contact.created_at,
        permalink=contact.permalink,
        thread_id=contact.thread_id,
        parent_id=contact.parent_id,
        attachments=tuple(
            Attachment(
                type=str(a.get("type", "")),
                url=str(a.get("url", "")),
                alt_text=str(a.get("alt_text", "")),
            )
            for a in contact.attachments or []
            if isinstance(a, dict)
        ),
    )


def contact_by_ref(*, session: Session, ref: str) -> Contact | None:
    """A contact by database id ("42") or by platform item ("facebook:123_456")."""
    if ref.isdigit():
        number = int(ref)
        return session.get(Contact, number) if number <= MAX_ROW_ID else None
    platform, _, external_id = ref.partition(":")
    return session.scalar(  # an edited item: its latest version
        sa.select(Contact)
        .where(Contact.platform == platform, Contact.external_id == external_id)
        .order_by(Contact.version.desc())
        .limit(1)
    )


def reaching_threshold(thresholds: Mapping[Category, float]) -> sa.ColumnElement[bool]:
    """SQL for "this finding counts": its score reaches its category's threshold.

    The store's form of `filters.base.reaches`, for the review queue and the summary.
    """
    return sa.or_(
        *(
            sa.and_(Finding.category == category, Finding.score >= threshold)
            for category, threshold in thresholds.items()
            if category in TEXT_CATEGORIES
        )
    )
