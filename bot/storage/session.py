"""Opening the store: one engine per process, sessions per unit of work, migrations on demand.

The caller owns the transaction (`with store.begin() as session:`), so a multi-step flow such
as "store these contacts and advance the cursor" is one atomic unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"


def create_db_engine(url: str, **options: object) -> sa.Engine:
    """Create an engine, with SQLite tuned for one writer and many readers.

    Raises:
        StorageError: the URL is malformed or names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise StorageError(f"database URL is not valid: {_redact(url)}") from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, object] = dict(options)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            why = "a file of that name is in the way" if folder.is_file() else exc.strerror
            raise StorageError(
                f"cannot create the folder {folder} for the SQLite database ({why}); "
                "check database.url"
            ) from None
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the database driver '{exc.name}' is not installed; for PostgreSQL install "
            "the extra: pip install 'housing-modbot[postgres]'"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparseable URL)"


class Store:
    """The database: an engine and a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe to print."""
        return _redact(self.url)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in a transaction that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        """A session for reading (or for callers managing transactions themselves)."""
        return self._sessions()

    def upgrade(self) -> None:
        """Apply every pending migration (`modbot db upgrade`)."""
        try:
            with self.engine.begin() as connection:
                cfg = _alembic_config(self.url)
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        except sa.exc.DatabaseError as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: sa.exc.DatabaseError) -> StorageError:
        """A connection failure as a message: unreachable, or not a database at all."""
        reason = str(exc.orig)
        if "file is not a database" in reason:
            return StorageError(
                f"{self.display_url} is not a SQLite database (the file exists but holds "
                "something else); check database.url, or move the file away"
            )
        return StorageError(f"cannot reach the database {self.display_url}: {reason}")

    def current_revision(self) -> str | None:
        """The revision the database is at (None for an empty database)."""
        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except sa.exc.DatabaseError as exc:
            raise self._unreachable(exc) from None

    def require_current(self) -> None:
        """Refuse to run against a database whose schema is not this version's.

        Raises:
            StorageError: telling the user to run `modbot db upgrade`.
        """
        head = ScriptDirectory.from_config(_alembic_config(self.url)).get_current_head()
        current = self.current_revision()
        if current != head:
            state = "has no modbot tables yet" if current is None else f"is at revision {current}"
            raise StorageError(
                f"the database {self.display_url} {state}; this version needs {head}. "
                "Run `modbot db upgrade` first."
            )

    def private_connection(self) -> sa.Connection:
        """A connection outside the pool, for settings that must not leak to other work."""
        return create_db_engine(self.url, poolclass=sa.pool.NullPool).connect()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg
