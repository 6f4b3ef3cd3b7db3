"""The store on SQLite and PostgreSQL: migrations, idempotent ingest, the audit guard."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.errors import StorageError
from bot.ingest.cursors import advance_cursor
from bot.storage.models import Account, AuditEvent, ConnectorCursor, Contact
from bot.storage.queries import insert_ignoring_duplicates
from bot.storage.session import Store
from platforms.base import ContactKind

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_schema_is_at_head(store: Store):
    store.require_current()


def test_an_empty_database_is_refused_until_upgraded(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StorageError, match="Run `modbot db upgrade` first"):
        store.require_current()
    store.upgrade()
    store.require_current()
    store.upgrade()  # twice is harmless
    store.dispose()


def test_unreachable_database_is_a_clear_error():
    store = Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StorageError, match="cannot reach the database"):
        store.current_revision()
    store.dispose()


def test_malformed_url_is_a_clear_error():
    with pytest.raises(StorageError, match="not valid"):
        Store("not a url at all")


def contact_row(account_id: int, external_id: str) -> dict:
    return {
        "connector": "local",
        "platform": "facebook",
        "external_id": external_id,
        "account_id": account_id,
        "kind": ContactKind.COMMENT,
        "text": "hello",
        "created_at": NOW,
        "ingested_at": NOW,
        "status": "new",
    }


def test_contacts_are_unique_per_platform_item_and_cursor_moves_with_them(store: Store):
    with store.begin() as session:
        account = Account(
            platform="facebook",
            platform_user_id="1",
            handle="a",
            first_seen=NOW,
            last_seen=NOW,
        )
        session.add(account)
        session.flush()
        rows = [contact_row(account.id, "x1"), contact_row(account.id, "x2")]
        assert (
            insert_ignoring_duplicates(
                session, Contact, rows, ["platform", "external_id", "version"]
            )
            == 2
        )
        advance_cursor(session=session, connector="local", cursor="offset=10;line=2", at=NOW)
    with store.begin() as session:
        rows = [contact_row(account.id, "x2"), contact_row(account.id, "x3")]
        assert (
            insert_ignoring_duplicates(
                session, Contact, rows, ["platform", "external_id", "version"]
            )
            == 1
        )
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 3
        cursor = session.get(ConnectorCursor, "local")
        assert cursor.cursor == "offset=10;line=2"
        assert cursor.last_success_at == NOW  # aware UTC round trip


def test_a_failed_transaction_stores_neither_contacts_nor_cursor(store: Store):
    with pytest.raises(RuntimeError), store.begin() as session:
        account = Account(
            platform="x", platform_user_id="1", handle="a", first_seen=NOW, last_seen=NOW
        )
        session.add(account)
        session.flush()
        insert_ignoring_duplicates(
            session,
            Contact,
            [contact_row(account.id, "y1")],
            ["platform", "external_id", "version"],
        )
        advance_cursor(session=session, connector="x", cursor="42", at=NOW)
        raise RuntimeError("crash before commit")
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
        assert session.get(ConnectorCursor, "x") is None


def test_audit_trail_refuses_update_and_delete(store: Store):
    with store.begin() as session:
        session.add(
            AuditEvent(at=NOW, actor="modbot", event="test", subject_type="x", subject_id=1)
        )
    for statement in (
        sa.update(AuditEvent).values(actor="someone else"),
        sa.delete(AuditEvent),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.begin() as session:
            session.execute(statement)
    with store.session() as session:
        assert session.scalar(sa.select(AuditEvent.actor)) == "modbot"


def test_migrations_match_the_models(store: Store):
    """Every model change has its migration: the upgraded schema equals the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from bot.storage.models import Base

    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
