"""A fake platform HTTP server on 127.0.0.1 that the real SDK clients talk to.

Routes are (method, path regex) -> a response or a function of the request; each request is
logged (method, path, query, form/JSON body), and the log is the evidence the tests assert
on: what the SDK actually sent, and how often.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

CASSETTES = Path(__file__).parent / "integration" / "cassettes"


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]

    @property
    def form(self) -> dict[str, str]:
        """The body as a form (last value per key)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    """A canned answer."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html"
        return json.dumps(self.body if self.body is not None else {}).encode(), "application/json"


Handler = Callable[[Seen], Reply]


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    answer: Reply | Handler
    times: int | None


class FakePlatform:
    """The server: add routes, start it, point a connector's `api_base_url` at `url`."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urlparse(self.path)
                query = {
                    k: v[-1] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()
                }
                seen = Seen(
                    self.command,
                    parsed.path,
                    query,
                    body,
                    {k.lower(): v for k, v in self.headers.items()},
                )
                reply = fake._answer(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                data, media = reply.encode()
                self.send_response(reply.status)
                headers = {"content-type": media, **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client killed mid-request (the crash test does it on purpose)

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakePlatform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(
        self, method: str, path: str, answer: Reply | Handler | Any, *, times: int | None = None
    ) -> None:
        """Answer `method` on paths matching the regex `path` (fully); `times` then stop."""
        if not isinstance(answer, Reply) and not callable(answer):
            answer = Reply(body=answer)
        self.routes.append(_Route(method, re.compile(path), answer, times))

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.log.append(seen)
            for route in self.routes:
                if route.method != seen.method or not route.pattern.fullmatch(seen.path):
                    continue
                if route.times is not None:
                    if route.times <= 0:
                        continue
                    route.times -= 1
                answer = route.answer
                break
            else:
                return Reply(
                    404, {"error": {"message": f"no fake route for {seen.method} {seen.path}"}}
                )
        return answer(seen) if callable(answer) else answer

    def calls(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        """Logged requests, optionally only one method and path regex."""
        return [
            s
            for s in self.log
            if (method is None or s.method == method)
            and (path is None or re.fullmatch(path, s.path))
        ]


def fixture_text(*parts: str) -> str:
    """A recorded fixture's text."""
    return CASSETTES.joinpath(*parts).read_text(encoding="utf-8")


def fixture_json(*parts: str) -> Any:
    return json.loads(fixture_text(*parts))
