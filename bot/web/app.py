"""The ASGI app factory: one FastAPI app per process, holding the pipeline it feeds.

Routes live in their own modules (`webhooks.py`, and the review pages under `pages/`) and
reach the pipeline, the store and the config through `request.app.state`, so tests build
the app around any store and any connectors, and `modbot serve` builds it around the
configured ones. The review pages open only when a session secret is set; webhooks work
either way.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import quote, urlsplit

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dates.clock import Clock, system_clock
from bot.errors import InputError, PermissionRefusedError
from bot.pipeline import PassReport, Pipeline
from bot.settings.loading import LoadedConfig
from bot.staff.sessions import SessionLimits
from bot.storage.session import Store
from bot.web import webhooks
from bot.web.limits import BodyLimit
from bot.web.pages import approvals, due, health, people, queue, settings, signin, tasks
from bot.web.render import STATIC, Pages, build_templates, flash
from bot.web.security import (
    SESSION_COOKIE,
    AddressThrottle,
    CsrfRefusedError,
    KnownDevices,
    PagesClosedError,
    SignInRequiredError,
    pages_open,
)
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
    session_secret: SecretStr | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    """Build the web app for a configuration and a store.

    Args:
        loaded: the validated configuration (from the file; saved settings are read live).
        store: the database.
        connectors: connectors to use instead of building the configured ones (tests).
        pipeline: a ready pipeline to use instead (tests).
        session_secret: the key that signs session cookies; None reads the environment
            variable `web.session_secret_env` names (without it the pages stay closed).
        clock: the time the pages record decisions at (tests control it).
    """
    pipeline = pipeline or Pipeline(loaded, store, connectors=connectors, clock=clock)
    web = loaded.settings.web
    secret = session_secret or web.session_secret()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pipeline.close()

    app = FastAPI(
        title="modbot", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.pipeline = pipeline
    app.state.moderation = Moderation(pipeline)
    app.state.webhook_ignored = Counter()  # entries for accounts no connector here is for
    app.state.loaded = loaded
    app.state.store = store
    app.state.clock = clock
    app.state.pages = Pages(build_templates())
    app.state.lockout = timedelta(minutes=web.lockout_minutes)
    app.state.throttle = AddressThrottle(
        web.max_failed_signins_per_address, app.state.lockout, clock
    )
    app.state.session_limits = SessionLimits(
        lifetime=timedelta(hours=web.session_hours),
        idle=timedelta(minutes=web.session_idle_minutes),
    )
    app.state.pages_open = secret is not None
    if secret is None:
        log.warning("review_pages_closed", reason=f"{web.session_secret_env} is not set")
    else:
        app.state.devices = KnownDevices(secret.get_secret_value(), secure=web.secure_cookies)
        app.state.csrf_key = hashlib.sha256(b"csrf|" + secret.get_secret_value().encode()).digest()
        app.add_middleware(
            SessionMiddleware,
            secret_key=secret.get_secret_value(),
            session_cookie=SESSION_COOKIE,
            max_age=web.session_hours * 3600,
            same_site="lax",
            https_only=web.secure_cookies,
        )
    app.add_middleware(PageHeaders)
    app.add_middleware(BodyLimit, max_bytes=web.max_request_bytes)  # outermost: runs first
    app.include_router(webhooks.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, queue, approvals, due, tasks, people, health, settings):
        app.include_router(module.router, dependencies=[Depends(pages_open)])
    _answer_refusals(app, web.session_secret_env)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


_CLI_HINT = re.compile(r"\s*\((?:--[^)]*|[^)]*`modbot[^)]*)\)")


def for_the_page(message: str) -> str:
    """A service's refusal for a reader in the browser: no command-line hints, a capital."""
    message = _CLI_HINT.sub("", message).strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _back(request: Request) -> str:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/queue"
    path = referer.path or "/queue"
    return path + (f"?{referer.query}" if referer.query else "")


def _answer_refusals(app: FastAPI, secret_env: str) -> None:
    """Turn refusals into pages a member of staff can act on, never a 500."""

    def refused(request: Request, status: int, heading: str, message: str) -> Response:
        context = {"heading": heading, "message": message, "back": _back(request)}
        return app.state.pages.render(
            request, "refused.html", context, status=status, title=heading
        )

    @app.exception_handler(SignInRequiredError)
    def sign_in(request: Request, exc: SignInRequiredError) -> Response:
        if exc.message:
            flash(request, exc.message, "error")
        return RedirectResponse(f"/signin?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(CsrfRefusedError)
    def csrf(request: Request, _exc: CsrfRefusedError) -> Response:
        return refused(
            request,
            403,
            "That form could not be accepted",
            "It did not carry this session's security token: the page may have been open "
            "since before you last signed in. Nothing was changed. Go back, reload the "
            "page and try again.",
        )

    @app.exception_handler(PermissionRefusedError)
    def not_allowed(request: Request, exc: PermissionRefusedError) -> Response:
        return refused(request, 403, "You may not do that", for_the_page(str(exc)))

    @app.exception_handler(InputError)
    def not_done(request: Request, exc: InputError) -> Response:
        return refused(request, 400, "That was not done", for_the_page(str(exc)))

    @app.exception_handler(RequestValidationError)
    def malformed(request: Request, exc: RequestValidationError) -> Response:
        if any(error["loc"][:1] == ("path",) for error in exc.errors()):
            return refused(
                request, 404, "Not found", "There is nothing at that address: check the link."
            )
        fields = ", ".join(sorted({str(error["loc"][-1]) for error in exc.errors()}))
        return refused(
            request, 400, "That was not done", f"These values could not be read: {fields}."
        )

    @app.exception_handler(PagesClosedError)
    def closed(request: Request, _exc: PagesClosedError) -> Response:
        return Response(
            "The review pages are closed: this web app has no key to sign sessions with. "
            f"Set the environment variable {secret_env} to at least 32 random characters "
            "and restart `modbot serve`. (Webhooks are still being received.)\n",
            status_code=503,
            media_type="text/plain; charset=utf-8",
        )


PAGE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        b"form-action 'self'; base-uri 'none'",
    ),
)


class PageHeaders:
    """Headers that keep pages with personal data out of caches, frames and other sites.

    Plain ASGI (no per-request task group), and nothing added to webhook answers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start, unless the handler set them."""
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/webhooks/"):
            await self.app(scope, receive, send)
            return
        extra = (
            PAGE_HEADERS
            if path.startswith("/static/")
            else (
                *PAGE_HEADERS,
                (b"cache-control", b"no-store"),
            )
        )

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
