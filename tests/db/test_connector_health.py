"""Connector health: polling gaps and failures reach `connector_cursors.last_error`."""

from __future__ import annotations

from collections.abc import Iterator

from bot.pipeline import PassReport, Pipeline
from bot.settings.loading import load_config
from bot.settings.secrets import read_secret
from bot.storage import models as m
from platforms.base import FetchedBatch
from platforms.local.connector import LocalConnector
from tests.conftest import write_config


class GappyPlatform(LocalConnector):
    """Yields one empty batch that moves the cursor and says part of the window was lost."""

    def fetch_since(self, cursor: str | None) -> Iterator[FetchedBatch]:
        yield FetchedBatch((), "position-2", ("X keeps replies for 7 days only; 9 days missed",))


def test_a_polling_gap_is_reported_in_health_and_the_cursor_still_moves(tmp_path, store, clock):
    loaded = load_config(write_config(tmp_path))
    platform = GappyPlatform("local", loaded.settings.connectors["local"], secrets=read_secret)
    pipeline = Pipeline(loaded, store, connectors={"local": platform}, clock=clock)
    report = PassReport()
    pipeline.ingest("local", platform, report)
    assert report.errors == ["local: X keeps replies for 7 days only; 9 days missed"]
    with store.session() as session:
        row = session.get(m.ConnectorCursor, "local")
        assert row.cursor == "position-2"
        assert "9 days missed" in row.last_error and row.last_error_at is not None
