"""The review pages under test: the demo's data (as `modbot demo --review` leaves it) on
SQLite and PostgreSQL, staff accounts for every role, and a client that signs in as any.

Seeding the demo takes a couple of seconds, so it is done once per database kind and copied
for each test (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL): every
test still starts from the same data in a database of its own.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.cli.demo import Story, prepare, write_demo_config
from bot.domain import Role
from bot.paths import shipped
from bot.pipeline import Pipeline
from bot.settings.loading import LoadedConfig, load_config, read_yaml
from bot.staff.accounts import add_user
from bot.storage.session import Store
from bot.web.app import create_app
from tests.conftest import FakeClock

PASSWORD = "correct horse battery"
STAFF = {
    "comms": ("Priya Shah", Role.COMMS),
    "manager": ("Sunita Rao", Role.MANAGER),
    "head": ("Helen Okoro", Role.HEAD_OF_SERVICE),
    "director": ("Dev Patel", Role.DIRECTOR),
    "admin": ("Sam Admin", Role.ADMIN),
}
SECRET = SecretStr("test-session-secret-Qm7vR2xK9pL4wN8sT3yB6hJ1")


def seed_demo(tmp_path: Path, store: Store, clock: FakeClock) -> LoadedConfig:
    """The demo's three passes in `store`, staff acting only after the first (--review)."""
    loaded = load_config(write_demo_config(tmp_path / "demo"))
    with store.begin() as session:  # the story's staff act through these accounts
        for name, role in STAFF.values():
            add_user(session, name=name, role=role, password=PASSWORD, by="test", now=clock())
    story_data = read_yaml(shipped("samples", "story.yaml"))
    prepare(loaded, store, story_data["staff"])
    story = Story(loaded, store, story_data["staff"])
    pipeline = Pipeline(loaded, store, clock=clock)
    try:
        for stage, step in enumerate(story_data["passes"]):
            pipeline.run_once(only=[step["name"]])
            if stage == 0:
                story.after(stage)
                pipeline.runner.run()
    finally:
        pipeline.close()
    return loaded


class Pages:
    """A test client for the pages that knows how to sign in and post forms."""

    def __init__(self, client: TestClient, loaded: LoadedConfig, store: Store) -> None:
        self.client = client
        self.loaded = loaded
        self.store = store

    def token(self, path: str = "/signin") -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, f"no form on {path}: {page.status_code} {page.text[:300]}"
        return match.group(1)

    def sign_in(self, who: str):
        name, _ = STAFF[who]
        return self.client.post(
            "/signin",
            data={"csrf_token": self.token(), "name": name, "password": PASSWORD},
            follow_redirects=False,
        )

    def post(self, path: str, data: dict, *, page: str = "/queue", follow: bool = True):
        return self.client.post(
            path, data={"csrf_token": self.token(page), **data}, follow_redirects=follow
        )


@pytest.fixture
def web_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory, sqlite_template: Path) -> Path:
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.db"
    shutil.copy(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    seed_demo(folder, store, FakeClock())
    store.dispose()
    return path


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def seeded_postgres(tmp_path_factory, postgres_url: str) -> Iterator[str]:
    name = f"modbot_seed_{uuid.uuid4().hex[:10]}"
    admin = _admin(postgres_url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    store = Store(url)
    store.upgrade()
    seed_demo(tmp_path_factory.mktemp("seeded-pg"), store, FakeClock())
    store.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_store(request, tmp_path) -> Iterator[Store]:
    """A database of this test's own holding the seeded demo, on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "modbot.db"
        shutil.copy(request.getfixturevalue("seeded_sqlite"), path)
        store = Store(f"sqlite:///{path}")
        yield store
        store.dispose()
        return
    template = request.getfixturevalue("seeded_postgres")
    name = f"modbot_web_{uuid.uuid4().hex[:10]}"
    admin = _admin(template)
    with admin.connect() as connection:
        connection.execute(
            sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        )
    store = Store(make_url(template).set(database=name).render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def site(tmp_path, seeded_store, web_clock) -> Iterator[Pages]:
    # A config of this test's own, so the local connector's outbox holds only what it does.
    loaded = load_config(write_demo_config(tmp_path / "demo"))
    app = create_app(loaded, seeded_store, session_secret=SECRET, clock=web_clock)
    with TestClient(app) as client:
        yield Pages(client, loaded, seeded_store)


@pytest.fixture
def as_comms(site) -> Pages:
    assert site.sign_in("comms").status_code == 303
    return site


@pytest.fixture
def as_manager(site) -> Pages:
    assert site.sign_in("manager").status_code == 303
    return site
