"""Shared fixtures: configs written to a temp folder, stores on SQLite and PostgreSQL.

PostgreSQL tests read the server's URL from MODBOT_TEST_DATABASE_URL and skip cleanly
without it. Each test session creates its own database there and drops it at the end, so
runs never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

from bot.paths import shipped
from bot.settings.loading import LoadedConfig, load_config
from bot.storage.models import Base
from bot.storage.session import Store
from tests.timetravel import travel

PG_ENV = "MODBOT_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _fixed_today() -> Iterator[None]:
    """Every test runs on the suite's today (tests/timetravel.py), never the real date."""
    with travel():
        yield


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def write_config(folder: Path, **overrides: object) -> Path:
    """A user config for tests: the demo's landlord and staff, paths inside `folder`."""
    data = yaml.safe_load(shipped("samples", "demo.yaml").read_text(encoding="utf-8"))
    data["database"] = {"url": f"sqlite:///{folder / 'modbot.db'}", "url_env": None}
    data["connectors"] = {
        "local": {
            "type": "local",
            "inbox": str(folder / "inbox.jsonl"),
            "outbox": str(folder / "outbox.jsonl"),
        }
    }
    for key, value in overrides.items():
        data[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def loaded(config_path: Path) -> LoadedConfig:
    return load_config(config_path)


# --- stores -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, fully migrated SQLite database, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (skips without one)."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped")
    url = make_url(admin_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"modbot_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    store = Store(test_url)
    store.upgrade()
    store.dispose()
    try:
        yield test_url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """The URL of an empty, migrated database: each test runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "modbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(db_url)
    yield store
    store.dispose()
