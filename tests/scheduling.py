"""Helpers for driving scheduler services with a controllable clock."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from bot.paths import shipped
from bot.scheduler.service import Service
from bot.settings.loading import LoadedConfig, load_config
from bot.settings.secrets import read_secret
from bot.storage.session import Store
from platforms.base import ActionReceipt, ActionRequest, FetchedBatch
from platforms.local.connector import LocalConnector
from tests.conftest import write_config


def service_config(
    tmp_path: Path,
    *,
    smtp_port: int = 2,
    inbox: str | None = "inbox.jsonl",
    schedule: dict | None = None,
    connector: dict | None = None,
    smtp: dict | None = None,
    **overrides: object,
) -> LoadedConfig:
    """The demo's landlord with one local connector, a recipient and an SMTP server."""
    if inbox is not None:
        shutil.copy(shipped("samples", inbox), tmp_path / "inbox.jsonl")
    path = write_config(
        tmp_path,
        summary={"to": ["comms@brookmere.example"]},
        smtp={
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "max_attempts": 2,
            "retry_delay_seconds": 1,
            **(smtp or {}),
        },
        schedule=schedule or {},
        pipeline={"running_stale_after_seconds": 60},
        **overrides,
    )
    loaded = load_config(path)
    if connector:
        import yaml

        data = yaml.safe_load(path.read_text())
        data["connectors"]["local"].update(connector)
        path.write_text(yaml.safe_dump(data))
        loaded = load_config(path)
    return loaded


class Runs:
    """Records every job run: (job, tick, holder)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: list[tuple[str, datetime, str]] = []

    def __call__(self, job: str, tick: datetime, holder: str) -> None:
        with self.lock:
            self.runs.append((job, tick, holder))

    def per_tick(self) -> Counter[tuple[str, datetime]]:
        return Counter((job, tick) for job, tick, _ in self.runs)

    def ticks(self, job: str) -> list[datetime]:
        return sorted(tick for j, tick, _ in self.runs if j == job)


class Performed:
    """Every platform call made, across connectors and threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: list[str] = []

    def add(self, key: str) -> None:
        with self.lock:
            self.keys.append(key)

    def duplicates(self) -> dict[str, int]:
        return {k: n for k, n in Counter(self.keys).items() if n > 1}


class CountingConnector(LocalConnector):
    """The local connector, recording each call to the platform; hooks for faults."""

    def __init__(
        self,
        loaded: LoadedConfig,
        performed: Performed,
        *,
        after_batch: Callable[[], None] | None = None,
        crash_after: int | None = None,
    ) -> None:
        super().__init__("local", loaded.settings.connectors["local"], secrets=read_secret)
        self.performed = performed
        self.after_batch = after_batch
        self.crash_after = crash_after

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        for batch in super().fetch_since(cursor):
            yield batch
            if self.after_batch is not None:
                self.after_batch()

    def perform(self, request: ActionRequest) -> ActionReceipt:
        receipt = super().perform(request)
        self.performed.add(request.idempotency_key)
        if self.crash_after is not None and len(self.performed.keys) >= self.crash_after:
            raise SystemExit("the process died after the platform call")
        return receipt


def make_service(
    loaded: LoadedConfig,
    url: str,
    clock: Callable[[], datetime],
    holder: str,
    runs: Runs,
    performed: Performed | None = None,
    **connector: object,
) -> Service:
    """A service with its own engine (as a separate process would have)."""
    performed = performed or Performed()
    return Service(
        loaded,
        Store(url),
        clock=clock,
        lease_clock=clock,
        holder=holder,
        connectors={"local": CountingConnector(loaded, performed, **connector)},  # type: ignore[arg-type]
        on_run=runs,
    )


def step(*services: Service) -> list[str]:
    """One moment for each service: heartbeat, then whatever is due."""
    ran: list[str] = []
    for service in services:
        service.heartbeat()
        ran.extend(service.run_pending())
    return ran


def dispose(*services: Service) -> None:
    for service in services:
        service.close()
        service.store.dispose()


__all__ = ["Store"]
