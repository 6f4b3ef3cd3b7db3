"""The ASGI app factory: one FastAPI app per process, holding the pipeline it feeds.

Routes live in their own modules (`webhooks.py` now, the review pages later) and reach the
pipeline through `request.app.state`, so tests build the app around any store and any
connectors, and `modbot serve` builds it around the configured ones.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from bot.config import LoadedConfig
from bot.pipeline import PassReport, Pipeline
from bot.storage.session import Store
from bot.web import webhooks
from platforms.base import Connector

log = structlog.get_logger(__name__)


class Moderation:
    """Runs decide-and-act after deliveries, one run at a time per process.

    Deliveries arrive in bursts; a delivery that lands while a run is going asks for one more
    run instead of starting a second one beside it (the database claims would keep them apart
    anyway, but two runs in one process only compete for the same rows).
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._lock = threading.Lock()
        self._again = threading.Event()

    def run(self) -> None:
        """Decide every stored contact not yet decided and run the actions (background task)."""
        self._again.set()
        while self._again.is_set():
            if not self._lock.acquire(blocking=False):
                return  # the run in progress will see the flag and go round again
            try:
                self._again.clear()
                report = PassReport()
                self.pipeline.decide_pending(report)
                run = self.pipeline.runner.run()
                log.info(
                    "webhook_moderation", decided=report.decided, done=run.done, manual=run.manual
                )
            except Exception:  # loop edge: a failed run is logged; the next delivery retries
                log.exception("webhook_moderation_failed")
                return
            finally:
                self._lock.release()


def create_app(
    loaded: LoadedConfig,
    store: Store,
    *,
    connectors: dict[str, Connector] | None = None,
    pipeline: Pipeline | None = None,
) -> FastAPI:
    """Build the web app for a configuration and a store.

    Args:
        loaded: the validated configuration.
        store: the database.
        connectors: connectors to use instead of building the configured ones (tests).
        pipeline: a ready pipeline to use instead (tests).
    """
    pipeline = pipeline or Pipeline(loaded, store, connectors=connectors)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pipeline.close()

    app = FastAPI(
        title="modbot", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.pipeline = pipeline
    app.state.moderation = Moderation(pipeline)
    app.include_router(webhooks.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
